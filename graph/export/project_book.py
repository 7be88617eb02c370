"""The 招商项目 workbook (#16), both ways: export the project list with Chinese headers (sheets
招商项目, 阶段记录, 说明; formula-safe cells) and import an office's own workbook, validated like
every other import (each problem names file, sheet, row and column) and saved all or nothing.

Import rules: a row with a known 项目编号 updates that project (a stage change must follow the stage
rules and is recorded in the history); an unknown or empty 项目编号 creates a project (empty: the
next PJ-number). 目标环节/环节编号, 产业链, 落地区划/区划代码 and 落地园区/园区编号 must name what is
in the data (a link a later load removed is accepted for the project that already had it). Read-only
columns (提示, 创建时间, 更新时间) are ignored.

>>> header_key("计划投资（万元）"), header_key(" 阶段 ")
('investment', 'stage')
"""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pandas as pd

from graph.analysis.project_views import annotate
from graph.analysis.projects import (EDITABLE, Lookups, check_date, check_move, check_stage, is_blank, money,
                                     next_id, now_text)
from graph.errors import ChainAtlasError, InputProblem, UnsupportedInput, ValidationFailed
from graph.export.safe import append_row, column_width, new_workbook, save_workbook
from graph.schema import PROJECT_STAGES
from graph.store import PROJECT_COLUMNS
from graph.text import norm_header

SHEET, HISTORY_SHEET, ABOUT_SHEET = "招商项目", "阶段记录", "说明"
HEADERS = {
    "project_id": "项目编号", "name": "项目名称", "enterprise": "目标企业", "enterprise_id": "企业编号",
    "product_label": "目标环节", "products": "环节编号", "chain_label": "产业链", "region_name": "落地区划",
    "region": "区划代码", "park_name": "落地园区", "park": "园区编号", "stage": "阶段", "stop_reason": "终止原因",
    "unit": "责任单位", "person": "责任人", "investment": "计划投资（万元）", "next_step": "下一步",
    "next_date": "下一步日期", "notes": "备注", "landed_on": "落地日期", "source": "来源", "as_of": "数据日期",
    "illustrative": "示意数据", "flag": "提示", "created_at": "创建时间", "updated_at": "更新时间",
}
READ_ONLY = ("flag", "created_at", "updated_at")
HISTORY_HEADERS = {"project_id": "项目编号", "seq": "序号", "at": "时间", "by": "操作人", "from_stage": "原阶段",
                   "to_stage": "新阶段", "note": "说明"}
_KEYS = {norm_header(h): k for k, h in HEADERS.items()} | {norm_header(k): k for k in HEADERS}
SEPARATORS = ";；、,，|"


def header_key(text) -> str | None:
    return _KEYS.get(norm_header(text))


def _split(value) -> list[str]:
    text = "" if is_blank(value) else str(value)
    for sep in SEPARATORS[1:]:
        text = text.replace(sep, SEPARATORS[0])
    return [t.strip() for t in text.split(SEPARATORS[0]) if t.strip()]


# --- export -------------------------------------------------------------------------------------
def project_table(store, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """The projects as the workbook shows them (HEADERS keys; ids ;-joined, names 、-joined)."""
    from graph.analysis.scope import RegionTree
    df = annotate(store, projects)
    tree = RegionTree.from_store(store)
    out = df.copy()
    out["products"] = df["products"].map(";".join)
    out["region_name"] = [tree.name(r) if r else None for r in df["region"]]
    out["park_name"] = [str((tree.parks.get(p) or {}).get("name") or p) if p else None for p in df["park"]]
    return out[list(HEADERS)]


def _safe(v):
    if is_blank(v):
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    return v


def _sheet(wb, title: str, headers: dict, df: pd.DataFrame) -> None:
    from openpyxl.styles import Font
    ws = wb.create_sheet(title)
    append_row(ws, list(headers.values()))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df[list(headers)].itertuples(index=False):
        append_row(ws, [_safe(v) for v in row])   # text always a text cell (quotePrefix when risky)
    for cell, key in zip(ws[1], headers):
        ws.column_dimensions[cell.column_letter].width = column_width(str(cell.value), df[key].head(200).tolist())
    ws.freeze_panes = "A2"


def workbook_bytes(store) -> bytes:
    """The project list as an xlsx: 招商项目 (one row per project), 阶段记录 (the history), 说明."""
    wb = new_workbook()
    _sheet(wb, SHEET, HEADERS, project_table(store))
    _sheet(wb, HISTORY_SHEET, HISTORY_HEADERS, store.project_history())
    about = pd.DataFrame({"item": ["阶段", "导入", "只读列", "导出时间"],
                          "value": [" → ".join(PROJECT_STAGES[:6]) + "；已终止须写终止原因",
                                    "项目编号为空或未知 = 新建；已有编号 = 更新（阶段只能按顺序前进）",
                                    "、".join(HEADERS[k] for k in READ_ONLY) + "（导入时忽略）", now_text()]})
    _sheet(wb, ABOUT_SHEET, {"item": "项目", "value": "说明"}, about)
    buf = io.BytesIO()
    save_workbook(wb, buf)
    return buf.getvalue()


# --- import -------------------------------------------------------------------------------------
def read_rows(path) -> tuple[str, str, list[tuple[int, dict]]]:
    """(file name, sheet, [(excel row, {key: value})]) of the 招商项目 sheet (or the first sheet)."""
    import openpyxl
    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 — not a workbook
        raise UnsupportedInput(f"无法读取“{path.name}”：{err}", "请上传 .xlsx 工作簿（可先用 导出 得到模板）。") from err
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb[wb.sheetnames[0]]
        rows = list(ws.iter_rows(values_only=True))
        title = ws.title
    finally:
        wb.close()
    if not rows:
        raise ValidationFailed([InputProblem(path.name, title, None, None, "", "工作表为空", "第 1 行写表头。")],
                               path.name)
    keys = [header_key(h) if not is_blank(h) else None for h in rows[0]]  # unknown columns are ignored
    if "enterprise" not in keys and "project_id" not in keys:
        raise ValidationFailed([InputProblem(path.name, title, 1, None, "", "缺少“目标企业”或“项目编号”列",
                                             "在第 1 行加上“目标企业”列。")], path.name)
    out = []
    for i, row in enumerate(rows[1:], start=2):
        rec = {k: v for k, v in zip(keys, row) if k and k not in READ_ONLY}
        if any(not is_blank(v) for v in rec.values()):
            out.append((i, rec))
    return path.name, title, out


def import_workbook(store, path, by: str = "", now: datetime | None = None) -> dict:
    """Validate every row, then save all projects and their stage changes in one transaction.
    Returns counts ``added``, ``changed``, ``unchanged``, ``moved`` (stage changes). Raises
    ValidationFailed listing every problem (nothing written)."""
    file, sheet, rows = read_rows(path)
    problems: list[InputProblem] = []
    existing = {r["project_id"]: r for r in store.projects().to_dict("records")}
    history = store.project_history()
    seqs = history.groupby("project_id")["seq"].max().to_dict() if len(history) else {}
    stamp = now_text(now)
    taken = list(existing)
    projects, events, counts = [], [], {"added": 0, "changed": 0, "unchanged": 0, "moved": 0}
    seen: set[str] = set()
    look = Lookups(store)
    for excel_row, rec in rows:
        errs: list[InputProblem] = []

        def problem(key, message, fix, value=None):
            v = rec.get(key) if value is None else value
            errs.append(InputProblem(file, sheet, excel_row, HEADERS[key], "" if is_blank(v) else str(v), message, fix))

        pid = None if is_blank(rec.get("project_id")) else str(rec["project_id"]).strip()
        if pid in seen:
            problem("project_id", "项目编号重复", "每个项目只写一行。")
        old = existing.get(pid) if pid else None
        p = dict(old) if old else {c: None for c in PROJECT_COLUMNS}
        for key in set(EDITABLE) - {"region", "park", "investment", "next_date"}:
            if key in rec:
                p[key] = None if is_blank(rec[key]) else str(rec[key]).strip()
        for key in ("source", "stop_reason"):
            if key in rec:
                p[key] = None if is_blank(rec[key]) else str(rec[key]).strip()
        for key, conv in (("investment", money), ("next_date", lambda v: check_date(v, "下一步日期")),
                          ("landed_on", lambda v: check_date(v, "落地日期")),
                          ("as_of", lambda v: check_date(v, "数据日期"))):
            if key in rec:
                try:
                    p[key] = conv(rec[key])
                except ChainAtlasError as err:
                    problem(key, str(err), err.hint)
        if "illustrative" in rec:
            p["illustrative"] = str(rec["illustrative"]).strip().lower() in ("1", "true", "是", "yes", "y", "✓", "√")
        if is_blank(p.get("enterprise")):
            problem("enterprise", "缺少目标企业", "填写目标企业名称（可不在图谱数据中）。")
        elif is_blank(p.get("enterprise_id")) and old is None:
            p["enterprise_id"] = look.enterprise_id(p["enterprise"])
        _products(look, rec, p, old, problem)
        _chains(look, rec, p, problem)
        if {"region", "region_name", "park", "park_name"} & set(rec):
            try:
                region = rec.get("region") if not is_blank(rec.get("region")) else rec.get("region_name")
                park = rec.get("park") if not is_blank(rec.get("park")) else rec.get("park_name")
                p["region"], p["park"] = look.place(region, park)
            except ChainAtlasError as err:
                problem("region", str(err), err.hint or "写区划代码或名称。",
                        value=rec.get("region") or rec.get("region_name") or rec.get("park_name"))
        stage = rec.get("stage") if not is_blank(rec.get("stage")) else (old or {}).get("stage") or "线索"
        try:
            stage = check_stage(stage)
            if old and old["stage"] != stage:
                check_move(old["stage"], stage, p.get("stop_reason"))
            elif stage == "已终止" and is_blank(p.get("stop_reason")):
                check_move("线索", "已终止", None)
        except ChainAtlasError as err:
            problem("stage", str(err), err.hint)
        if errs:
            problems += errs
            continue
        if pid is None:
            pid = next_id(taken)
        taken.append(pid)
        seen.add(pid)
        p.update(project_id=pid, stage=stage, illustrative=bool(p.get("illustrative") or False))
        p["name"] = p.get("name") or " · ".join([p["enterprise"], *p["product_names"]])
        p["source"] = p.get("source") or f"工作簿导入：{file}"
        p["as_of"] = p.get("as_of") or stamp[:10]
        if stage == "已落地" and not p.get("landed_on"):
            p["landed_on"] = stamp[:10]
        if old is None:
            p["created_at"] = p["updated_at"] = stamp
            events.append({"project_id": pid, "seq": 1, "at": stamp, "by": by or None, "from_stage": None,
                           "to_stage": stage, "note": f"工作簿导入：{file} 第 {excel_row} 行"})
            counts["added"] += 1
        elif _same(old, p):
            counts["unchanged"] += 1
            continue
        else:
            p["updated_at"] = stamp
            counts["changed"] += 1
            if old["stage"] != stage:
                seqs[pid] = int(seqs.get(pid, 0)) + 1
                events.append({"project_id": pid, "seq": seqs[pid], "at": stamp, "by": by or None,
                               "from_stage": old["stage"], "to_stage": stage,
                               "note": f"工作簿导入：{file} 第 {excel_row} 行"})
                counts["moved"] += 1
        projects.append(p)
    if problems:
        raise ValidationFailed(problems, file)
    store.save_projects(projects, events)
    return counts


def _same(a: dict, b: dict) -> bool:
    def norm(v):
        if isinstance(v, (list, tuple)):
            return list(v)
        return None if is_blank(v) else v
    return all(norm(a.get(c)) == norm(b.get(c)) for c in PROJECT_COLUMNS if c not in ("updated_at",))


def _products(look: Lookups, rec: dict, p: dict, old: dict | None, problem) -> None:
    if "products" not in rec and "product_label" not in rec:
        p.setdefault("products", []), p.setdefault("product_names", [])
        p["products"], p["product_names"] = p.get("products") or [], p.get("product_names") or []
        return
    by_id = not is_blank(rec.get("products"))
    key = "products" if by_id else "product_label"
    texts = _split(rec.get(key))
    kept = dict(zip((old or {}).get("products") or [], (old or {}).get("product_names") or []))
    ids, names = [], []
    for t in texts:
        try:
            row = look.product(t)
            pid, name = str(row["product_id"]), str(row["name"])
        except ChainAtlasError as err:
            if t in kept:   # a link a later load removed: the project keeps it (flagged)
                pid, name = t, kept[t]
            else:
                problem(key, f"环节“{t}”不在数据中：{err}", err.hint or "写环节编号或名称。", value=t)
                continue
        if pid not in ids:
            ids.append(pid)
            names.append(name)
    p["products"], p["product_names"] = ids, names


def _chains(look: Lookups, rec: dict, p: dict, problem) -> None:
    if is_blank(rec.get("chain_label")):
        p["chains"] = p.get("chains") or look.chains_of(None, p.get("products"))
        return
    out = []
    for t in _split(rec["chain_label"]):
        try:
            out.append(str(look.chain(t)["chain_id"]))
        except ChainAtlasError as err:
            if t in (p.get("chains") or []):
                out.append(t)
            else:
                problem("chain_label", f"产业链“{t}”不在数据中", err.hint or "写产业链编号或名称。", value=t)
    p["chains"] = list(dict.fromkeys(out))
