"""Snapshots of gap-list exports and the diff between two of them.

Every export carries a snapshot of its inputs and results — region, chains, options, and one row
per link (status, grade, priority …; the gaps are the rows with a grade). It lives in the hidden,
protected ``_snapshot`` sheet of the xlsx (JSON split over column A), in ``_snapshot.json`` of a
CSV zip or folder, and under ``"snapshot"`` in the JSON export.

- :func:`make_snapshot` (used by graph.export.build), :func:`load_snapshot` (any export file, bytes,
  a GapExport or a dict);
- :func:`diff_exports` (old, new) -> DataFrame :data:`DIFF_COLUMNS`: gaps opened, closed, turned
  待核实 (``unverified``: makers of unknown location now decide it), and gaps whose grade or status
  (缺链/弱链) changed; ``df.attrs["notes"]`` says what else differs
  (region, options, chains present in only one export).
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from graph.errors import UnsupportedInput
from graph.analysis.gap_rules import STATUS_CN

SNAPSHOT_FORMAT = "chainatlas.gap-export"
SNAPSHOT_VERSION = 1
SNAPSHOT_SHEET = "_snapshot"
SNAPSHOT_FILE = "_snapshot.json"
LINK_FIELDS = ["chain_id", "chain", "product_id", "name", "stage", "key_link", "status", "broken", "grade",
               "priority", "local_makers"]
DIFF_COLUMNS = ["change", "change_cn", "chain_id", "chain", "product_id", "link", "old_status", "new_status",
                "old_grade", "new_grade", "old_priority", "new_priority", "detail"]
CHANGE_CN = {"opened": "新增缺口", "closed": "缺口关闭", "grade": "等级变化", "status": "状态变化",
             "grade+status": "等级与状态变化", "unverified": "转为待核实"}
DIFF_HEADERS = {"change_cn": "变化", "chain": "产业链", "link": "环节", "detail": "变化详情",
                "old_priority": "原优先级", "new_priority": "新优先级", "product_id": "环节编号"}


def make_snapshot(meta: dict, reports) -> dict:
    """The snapshot dict of an export (JSON-safe)."""
    from graph.analysis.gaps import json_safe
    from graph.export.json_columns import json_values
    cols: dict[str, list] = {c: [] for c in LINK_FIELDS}
    used = [rep for rep in reports if len(rep.links)]
    for rep in used:
        n = len(rep.links)
        cols["chain_id"] += [json_safe(rep.chain.get("chain_id"))] * n
        cols["chain"] += [json_safe(rep.chain.get("name"))] * n
    for c in LINK_FIELDS[2:]:   # column by column (the values json_safe gives each row)
        parts = [rep.links[c] for rep in used]
        if len(parts) > 1 and len({str(p.dtype) for p in parts}) == 1:   # one dtype: all chains at once
            parts = [pd.concat(parts, ignore_index=True)]
        for s in parts:
            values = json_values(s)
            cols[c] += values if values is not None else [json_safe(v) for v in s]
    links = [dict(zip(LINK_FIELDS, row)) for row in zip(*cols.values())]
    region = {k: meta["region"].get(k) for k in ("kind", "id", "code", "name", "level")}
    out = json_safe({"format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, "generated_at": meta["generated_at"],
                     "tool_version": meta["tool_version"], "region": region, "chains": meta["chains"],
                     "options": meta["options"], "links": []})
    out["links"] = links
    return out


def load_snapshot(source) -> dict:
    """The snapshot of an export: a GapExport, a snapshot or JSON-export dict, bytes of an xlsx,
    CSV zip or JSON export, or a path to one (or to a CSV folder)."""
    if hasattr(source, "snapshot") and isinstance(source.snapshot, dict):
        return _check(source.snapshot, "GapExport")
    if isinstance(source, dict):
        return _check(source.get("snapshot", source), "dict")
    name = "bytes"
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = path.name
        if path.is_dir():
            source = path / SNAPSHOT_FILE
            if not source.exists():
                raise _not_export(name)
        try:
            source = source.read_bytes() if isinstance(source, Path) else Path(source).read_bytes()
        except FileNotFoundError:
            raise UnsupportedInput(f"找不到文件“{path}”", "请检查路径。") from None
    data = bytes(source)
    if data[:2] == b"PK":
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise _not_export(name) from None
        names = zf.namelist()
        if SNAPSHOT_FILE in names:
            return _check(json.loads(zf.read(SNAPSHOT_FILE).decode("utf-8")), name)
        if "xl/workbook.xml" in names:
            return _check(_from_xlsx(data, name), name)
        raise _not_export(name)
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _not_export(name) from None
    return _check(obj.get("snapshot", obj) if isinstance(obj, dict) else None, name)


def _from_xlsx(data: bytes, name: str) -> dict:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        if SNAPSHOT_SHEET not in wb.sheetnames:
            raise _not_export(name)
        text = "".join(str(row[0]) for row in wb[SNAPSHOT_SHEET].iter_rows(max_col=1, values_only=True)
                       if row and row[0] is not None)
    finally:
        wb.close()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise _not_export(name) from None


def _not_export(name: str) -> UnsupportedInput:
    return UnsupportedInput(f"“{name}”不是 ChainAtlas 导出的清单（找不到快照 {SNAPSHOT_SHEET}）",
                            "请用 `chainatlas export` 导出的 .xlsx、.json 或 CSV .zip 文件比较。")


def _check(snap, name: str) -> dict:
    if not isinstance(snap, dict) or snap.get("format") != SNAPSHOT_FORMAT:
        raise _not_export(name)
    if int(snap.get("version", 0)) > SNAPSHOT_VERSION:
        raise UnsupportedInput(f"“{name}”由更新版本的 ChainAtlas 导出（快照版本 {snap.get('version')}）",
                               "请升级 ChainAtlas 后再比较。")
    return snap


def _links(snap: dict) -> pd.DataFrame:
    df = pd.DataFrame(snap.get("links") or [], columns=LINK_FIELDS).astype(object)
    df["gap"] = df["grade"].map(lambda g: bool(g))
    return df.set_index(["chain_id", "product_id"])


def _label(status, grade) -> str:
    if not isinstance(status, str) or not status:
        return "未收录"
    return STATUS_CN.get(status, status) + (f"·{grade}" if isinstance(grade, str) and grade else "")


def diff_exports(old, new) -> pd.DataFrame:
    """Gaps opened, closed or changed (grade, status) from ``old`` to ``new`` (any form
    :func:`load_snapshot` takes). Only chains present in both are compared."""
    a, b = load_snapshot(old), load_snapshot(new)
    la, lb = _links(a), _links(b)
    notes = _context_notes(a, b)
    both = set(la.index.get_level_values(0)) & set(lb.index.get_level_values(0)) if len(la) and len(lb) else set()
    m = la.merge(lb, how="outer", left_index=True, right_index=True, suffixes=("_old", "_new"))
    m = m[m.index.get_level_values(0).isin(both)]
    og = m["gap_old"].eq(True)
    ng = m["gap_new"].eq(True)
    grade = og & ng & (m["grade_old"] != m["grade_new"])
    status = og & ng & (m["status_old"] != m["status_new"])
    now_unverified = og & ~ng & (m["status_new"] == "unverified")   # not closed: the data no longer tell
    change = np.select([~og & ng, now_unverified, og & ~ng, grade & status, grade, status],
                       ["opened", "unverified", "closed", "grade+status", "grade", "status"], "")
    m = m.assign(change=change)
    m = m[m["change"] != ""].reset_index()
    if m.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in DIFF_COLUMNS})
        out.attrs["notes"] = notes
        return out
    out = pd.DataFrame({
        "change": m["change"], "change_cn": m["change"].map(CHANGE_CN), "chain_id": m["chain_id"],
        "chain": m["chain_new"].where(m["chain_new"].notna(), m["chain_old"]),
        "product_id": m["product_id"], "link": m["name_new"].where(m["name_new"].notna(), m["name_old"]),
        "old_status": m["status_old"].fillna(""), "new_status": m["status_new"].fillna(""),
        "old_grade": m["grade_old"].fillna(""), "new_grade": m["grade_new"].fillna(""),
        "old_priority": pd.to_numeric(m["priority_old"], errors="coerce").astype(float),
        "new_priority": pd.to_numeric(m["priority_new"], errors="coerce").astype(float)})
    out["detail"] = [f"{_label(so, go)} → {_label(sn, gn)}" for so, go, sn, gn in
                     zip(out["old_status"], out["old_grade"], out["new_status"], out["new_grade"])]
    order = {"opened": 0, "closed": 1, "unverified": 1, "grade+status": 2, "grade": 2, "status": 3}
    out["_o"] = out["change"].map(order)
    out["_p"] = -out["new_priority"].fillna(out["old_priority"]).fillna(0)
    out = out.sort_values(["_o", "chain_id", "_p", "product_id"], kind="stable")[DIFF_COLUMNS]
    out = out.astype({c: object for c in DIFF_COLUMNS if c not in ("old_priority", "new_priority")})
    out = out.reset_index(drop=True)
    out.attrs["notes"] = notes
    return out


def _context_notes(a: dict, b: dict) -> list[str]:
    notes = []
    ra, rb = a.get("region") or {}, b.get("region") or {}
    if ra.get("id") != rb.get("id"):
        notes.append(f"两份清单的地区不同：{ra.get('name')}（{ra.get('id')}）→ {rb.get('name')}（{rb.get('id')}）。")
    oa, ob = a.get("options") or {}, b.get("options") or {}
    for group in sorted(set(oa) | set(ob)):
        ga, gb = oa.get(group), ob.get(group)
        if isinstance(ga, dict) and isinstance(gb, dict):
            changed = [f"{k} {ga.get(k)}→{gb.get(k)}" for k in sorted(set(ga) | set(gb)) if ga.get(k) != gb.get(k)]
            if changed:
                notes.append(f"选项 {group} 有变化：" + "，".join(changed) + "。")
        elif ga != gb:
            notes.append(f"选项 {group} 有变化：{ga} → {gb}。")
    ca = {c["chain_id"]: c.get("name") for c in a.get("chains") or []}
    cb = {c["chain_id"]: c.get("name") for c in b.get("chains") or []}
    for cid in sorted(set(ca) - set(cb)):
        notes.append(f"产业链“{ca[cid]}”只在旧清单中，未比较。")
    for cid in sorted(set(cb) - set(ca)):
        notes.append(f"产业链“{cb[cid]}”只在新清单中，未比较。")
    return notes
