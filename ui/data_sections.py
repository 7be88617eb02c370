"""The 数据 page's sections: what is loaded, the template, and the imports (workbook/CSV upload
with validation errors, preview and a load with a progress bar; ChainKnowledgeGraph folder;
企业名录 with product-tag review; chain drafting from product flows).

Uploads are saved to a private temporary folder under their own file names (the loaders read
paths and report problems by file name). Nothing is written to the store before the user
confirms a previewed load; after a load every cached query is dropped (:func:`ui.state.bump`).
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd
import streamlit as st

from graph import schema
from graph.errors import ChainAtlasError, UnsupportedInput, ValidationFailed
from ui import layout, password, state, uploads

LAST_LOAD = "_data_last_load"
EDITOR_OK = "_data_editor_ok"
EDITOR_TRIED = "_data_editor_tried"
COUNT_LABELS = {"Chain": "产业链", "Product": "产品/环节", "Enterprise": "企业", "Park": "园区", "Region": "行政区划"}


# --- who may load ----------------------------------------------------------------------------------
def editor_password() -> str:
    """st.secrets["editor_password"] when set, else CHAINATLAS_EDITOR_PASSWORD."""
    try:
        secret = st.secrets.get("editor_password")
    except Exception:  # noqa: BLE001 — no secrets file at all
        secret = None
    return str(secret or state.settings().editor_password or "")


def may_edit() -> bool:
    """Draw the gate and say whether loading is allowed for this session."""
    mode = state.settings().editing
    if mode == "open":
        return True
    if mode == "off":
        st.info("数据导入已关闭（CHAINATLAS_EDITING=off）。本系统当前为只读：可浏览与下载，不能上传或载入数据。"
                "如需更新数据，请联系系统管理员使用命令行 `chainatlas load`。")
        return False
    expected = editor_password()
    if not expected:
        st.warning("数据导入需要编辑密码，但尚未配置（Streamlit secrets 的 editor_password 或 "
                   "CHAINATLAS_EDITOR_PASSWORD）。请联系系统管理员。")
        return False
    if st.session_state.get(EDITOR_OK):
        return True
    given = st.text_input("编辑密码", type="password", key="editor_password_input")
    if given:
        tried = hashlib.sha256(given.encode("utf-8")).hexdigest()
        if st.session_state.get(EDITOR_TRIED) != tried:      # a new attempt (not a rerun): check it
            st.session_state[EDITOR_TRIED] = tried
            if password.GATE.check(given, expected):
                st.session_state[EDITOR_OK] = True
                return True
        st.error("密码不正确。多次输错后每次校验会等待更久。")
    return False


# --- current data -----------------------------------------------------------------------------------
def current_data() -> None:
    counts = state.counts()
    cols = st.columns(len(COUNT_LABELS))
    for col, (label, cn) in zip(cols, COUNT_LABELS.items()):
        col.metric(cn, f"{counts.get(label, 0):,}", border=True)
    with st.expander("关系数量", expanded=False):
        rels = pd.DataFrame([{"关系": k, "数量": counts.get(k, 0)} for k in schema.REL_TYPES])
        st.dataframe(rels, hide_index=True, key="rel_counts")
    src = state.sources()
    st.markdown("###### 数据来源（出处与数据日期）")
    if src.empty:
        st.caption("尚无数据。")
        return
    labels = {t: schema.TABLES[t].label for t in schema.TABLES}
    view = src.assign(表=src["table"].map(lambda t: labels.get(t, t)))
    st.dataframe(view[["source", "as_of", "表", "rows", "illustrative_rows"]].rename(columns={
        "source": "来源", "as_of": "数据日期", "rows": "行数", "illustrative_rows": "其中示意数据"}),
        hide_index=True, key="sources_table", height=260)


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    from loaders.template import write_template
    with tempfile.TemporaryDirectory() as tmp:
        return write_template(Path(tmp) / "template.xlsx").read_bytes()


# --- uploads ----------------------------------------------------------------------------------------
def upload_digest(files) -> str:
    """A short hash of the uploaded files' names and contents (what identifies an upload)."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode("utf-8"))
        digest.update(f.getvalue())
    return digest.hexdigest()[:16]


def check_upload_size(files) -> None:
    """Refuse uploads larger together than the input limit (CHAINATLAS_MAX_INPUT_MB)."""
    limit = state.settings().max_input_mb
    size = sum(f.size for f in files)
    if size > limit * 2**20:
        raise UnsupportedInput(f"上传文件过大：{size / 2**20:,.1f} MB，上限 {limit:,.0f} MB",
                               "请拆分成多个文件分批导入；管理员可调大 CHAINATLAS_MAX_INPUT_MB。")


def checked_upload(files, path: Path, store, tables: dict | None = None, name: str | None = None):
    """``(batch, plan)`` or ``(ValidationFailed, None)`` for an upload — validated once per upload,
    table choice and store generation, kept in the session (a rerun does not validate again).
    ``tables``/``name`` as for :func:`loaders.read.read_tables`."""
    from loaders.workbook import check_path
    chosen = ",".join(f"{k}={v}" for k, v in sorted((tables or {}).items()))
    key = f"_upload_checked_{upload_digest(files)}_{state.generation()}_{chosen}"
    if key not in st.session_state:
        for old in [k for k in st.session_state if str(k).startswith("_upload_checked_")]:
            del st.session_state[old]          # keep one upload's result at a time
        try:
            batch = check_path(path, existing=store, tables=tables, name=name)
            st.session_state[key] = (batch, store.plan(batch))
        except ValidationFailed as err:
            st.session_state[key] = (err, None)
    return st.session_state[key]


def save_uploads(files, prefix: str, csv_folder: bool = True) -> Path:
    """Write uploaded files to a temporary folder (reused for the same files); return the path
    the loaders should read: the single file (a lone .csv too unless ``csv_folder``), or the
    folder of .csv files."""
    key = f"_upload_dir_{prefix}_{upload_digest(files)}"
    folder = st.session_state.get(key)
    if not folder or not Path(folder).exists():
        folder = tempfile.mkdtemp(prefix=f"chainatlas-{prefix}-")
        for f in files:
            (Path(folder) / Path(f.name).name).write_bytes(f.getvalue())
        st.session_state[key] = folder
    paths = sorted(p for p in Path(folder).iterdir() if p.is_file())
    if len(paths) == 1 and (paths[0].suffix.lower() != ".csv" or not csv_folder):
        return paths[0]
    if all(p.suffix.lower() == ".csv" for p in paths):
        return Path(folder)
    raise UnsupportedInput("请只上传一个 .xlsx 工作簿或一个 .zip，或者一个或多个 CSV 文件（不要混合）",
                           "移除多余的文件后再试。")


def _progress(bar):
    from loaders.workbook import RECHECK
    steps = ["read", "validate", *schema.LOAD_ORDER, "commit"]

    def report(step, done, total):
        if step == RECHECK:
            bar.progress(0.0, text="发现问题，本次载入已撤销（未写入任何数据），正在重新检查以列出问题…")
            return
        i = steps.index(step) if step in steps else len(steps) - 1
        frac = (i + (done / total if total else 1)) / len(steps)
        bar.progress(min(1.0, frac), text=f"正在载入：{schema.TABLES[step].label if step in schema.TABLES else step}"
                                          f"（{done}/{total}）")
    return report


def plan_frame(report) -> pd.DataFrame:
    df = report.frame()
    return df.rename(columns={"table": "表", "label": "表名", "added": "新增", "changed": "修改", "unchanged": "不变"})


def load_section() -> None:
    """Upload → (which table is this CSV?) → every validation error, or the preview → load with a
    progress bar. A file that holds only some tables merges them into what is loaded."""
    last = st.session_state.pop(LAST_LOAD, None)
    if last:
        st.success(f"已载入 {last['name']}：新增 {last['added']} 条，修改 {last['changed']} 条，"
                   f"用时 {last['seconds']:.1f} 秒。上方数量与各页分析已更新。")
    files = uploads.tray("上传工作簿（.xlsx）、CSV 压缩包（.zip）或一个或多个 CSV 文件（可以只传一张表）",
                         ["xlsx", "zip", "csv"])
    if not files:
        st.caption("先下载上方模板，按“说明”页填写；每行须有来源与数据日期。可以只上传一张表（如企业表），"
                   "它会并入已载入的数据，其余不变。")
        return
    tables = uploads.ask_tables(files)
    if tables is None:
        return
    check_upload_size(files)
    path = save_uploads(files, "load")
    name = files[0].name if len(files) == 1 else f"上传的 {len(files)} 个文件"
    from loaders.workbook import load_path
    store = state.store()
    batch, plan = checked_upload(files, path, store, tables=tables, name=name)
    if isinstance(batch, ValidationFailed):
        err = batch
        st.error(f"校验未通过：{err}。")
        st.dataframe(layout.problems_frame(err.problems), hide_index=True, key="problems_table")
        if err.omitted:
            st.caption("同类问题只列出前几条，其余计数如下：\n\n" + "\n\n".join(err.omitted_lines()))
        st.info("处理建议：按表中“修改建议”逐条改好后，重新上传改好的文件（同名文件会替换旧文件）。")
        return
    for w in batch.warnings:
        st.warning(w)
    st.markdown(f"###### 预览：将新增 {plan.added} 条，修改 {plan.changed} 条，不变 {plan.unchanged} 条")
    st.dataframe(plan_frame(plan), hide_index=True, key="plan_table")
    examples = [dict(table=t, **ex) for t, ch in plan.changes.items() for ex in ch.examples]
    if examples:
        with st.expander("修改示例（旧值 → 新值）"):
            st.dataframe(pd.DataFrame([{"表": e["table"], "记录": e.get("key"), "字段": layout.text(
                [f"{k}: {layout.text(v[0])} → {layout.text(v[1])}" for k, v in (e.get("fields") or {}).items()])}
                for e in examples]), hide_index=True, key="plan_examples")
    if st.button("确认载入", type="primary", key="load_go", disabled=plan.added + plan.changed == 0):
        bar = st.progress(0.0, text="正在载入…")
        started = time.perf_counter()
        report = load_path(store, path, progress=_progress(bar), tables=tables, name=name)
        bar.progress(1.0, text="载入完成")
        state.bump()
        uploads.clear()
        st.session_state[LAST_LOAD] = {"name": "、".join(f.name for f in files), "added": report.added,
                                       "changed": report.changed, "seconds": time.perf_counter() - started}
        st.rerun()


# --- other imports -----------------------------------------------------------------------------------
def _apply(batch, label: str) -> None:
    """Preview a ready batch and load it on confirmation."""
    store = state.store()
    plan = store.plan(batch)
    st.dataframe(plan_frame(plan), hide_index=True, key=f"plan_{label}")
    if st.button(f"确认载入（新增 {plan.added}，修改 {plan.changed}）", key=f"go_{label}",
                 disabled=plan.added + plan.changed == 0, type="primary"):
        bar = st.progress(0.0, text="正在载入…")
        started = time.perf_counter()
        report = store.apply(batch, progress=_progress(bar))
        state.bump()
        st.session_state[LAST_LOAD] = {"name": label, "added": report.added, "changed": report.changed,
                                       "seconds": time.perf_counter() - started}
        st.rerun()


def ckg_section() -> None:
    st.caption("产业链知识图谱（ChainKnowledgeGraph）JSON lines：请把含 company.json、product.json、"
               "company_product.json、product_product.json 的文件夹压缩为 .zip 上传。")
    up = st.file_uploader("ChainKnowledgeGraph 压缩包（.zip）", type=["zip"], key="ckg_upload")
    if not up:
        return
    from loaders.ckg import import_ckg
    from loaders.region_infer import review_csv
    check_upload_size([up])
    archive = save_uploads([up], "ckg")
    folder = archive.parent / "unzipped"
    if not folder.exists():
        from loaders.read import check_zip, read_member
        limits = state.settings()
        staging = Path(tempfile.mkdtemp(prefix="unzipping-", dir=archive.parent))
        try:
            with zipfile.ZipFile(archive) as zf:
                wanted = [i for i in zf.infolist() if not i.is_dir()
                          and Path(i.filename).name.endswith((".json", ".csv"))]
                check_zip(zf, up.name, limits, wanted)      # no zip bombs
                for info in wanted:   # only plain file names: nothing can land outside the folder
                    (staging / Path(info.filename).name).write_bytes(read_member(zf, info, up.name, limits))
        except zipfile.BadZipFile as err:
            shutil.rmtree(staging, ignore_errors=True)
            raise UnsupportedInput(f"不是有效的 zip 文件：{up.name}", "请重新压缩该文件夹后上传。") from err
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        staging.rename(folder)
    infer = st.checkbox("由企业注册名称推断所在区划（标为“推断”，只到能确定的一级：山西… → 山西省）",
                        key="ckg_infer_regions")
    with st.spinner("正在读取与规范化…"):
        batch, rep = import_ckg(folder, known_regions=state.table("regions"), known_products=state.table("products"),
                                known_enterprises=state.table("enterprises"), infer_regions=infer)
    st.text(rep.summary())
    if rep.region_review is not None and len(rep.region_review):
        with st.expander(f"推断区划 {len(rep.region_review)} 家企业（可下载核对表，命令行 --region-accept 载回）"):
            st.dataframe(rep.region_review.drop(columns=["decision"]).rename(columns={
                "enterprise": "企业", "region_name": "推断区划", "evidence": "依据"}), hide_index=True,
                key="ckg_region_review")
            st.download_button("⬇ 下载推断区划核对表（CSV）", key="ckg_region_review_download", mime="text/csv",
                               data=review_csv(rep.region_review),
                               file_name="推断区划核对表.csv")
    if len(rep.frame()):
        st.dataframe(rep.frame().rename(columns={"file": "文件", "reason": "丢弃原因", "rows": "行数",
                                                 "example": "示例"}), hide_index=True, key="ckg_dropped")
    _apply(batch, "ckg")


def registry_section() -> None:
    st.caption("企业名录（CSV 或 .xlsx）：自动识别企业名称、信用代码、省市县、规模、经营范围、主营产品等列，"
               "并按主营产品/经营范围为企业标注产品。低于置信度阈值的标注需人工审核。")
    up = st.file_uploader("企业名录文件", type=["csv", "xlsx"], key="registry_upload")
    threshold = st.slider("自动采纳的置信度阈值", 0.5, 1.0, 0.8, step=0.05, key="registry_threshold")
    if not up:
        return
    from loaders.registry import import_registry
    check_upload_size([up])
    path = save_uploads([up], "registry", csv_folder=False)
    infer = st.checkbox("没有省市县的企业：由注册地址或名称推断所在区划（标为“推断”）", key="registry_infer_regions")
    kw = dict(products=state.table("products"), regions=state.table("regions"),
              enterprises=state.table("enterprises"), threshold=threshold, infer_regions=infer)
    result = import_registry(path, **kw)
    st.caption("识别的列：" + "，".join(f"{f}←{h}" for f, h in result.columns.items()))
    st.text(result.summary())
    if result.problems:
        with st.expander(f"警告 {len(result.problems)} 条"):
            st.dataframe(layout.problems_frame(result.problems), hide_index=True, key="registry_problems")
    decisions = None
    if len(result.review):
        st.markdown("###### 产品标注审核：在“决定”列选择采纳或拒绝")
        review = result.review.assign(decision=result.review["decision"].replace("", None))
        edited = st.data_editor(
            review, hide_index=True, key="registry_review", disabled=[c for c in review.columns if c != "decision"],
            column_config={"decision": st.column_config.SelectboxColumn("决定", options=["accept", "reject"]),
                           "enterprise": "企业", "product": "产品", "phrase": "匹配词", "field": "字段",
                           "context": "上下文", "confidence": st.column_config.NumberColumn("置信度", format="%.2f")})
        decisions = edited[edited["decision"].isin(["accept", "reject"])]
        st.caption(f"已决定 {len(decisions)} / {len(review)} 条；未决定的标注不会载入。")
    if decisions is not None and len(decisions):
        result = import_registry(path, accept=decisions.astype({"decision": str}), **kw)
    _apply(result.batch, "registry")


def draft_section() -> None:
    st.caption("从已载入的产品流向自动起草一条产业链：选核心产品，向上/向下游各走几级；"
               "下载草稿工作簿核对后再在上方上传载入。")
    products = state.table("products")
    if products.empty:
        st.caption("尚无产品数据。")
        return
    names = dict(zip(products["product_id"].astype(str), products["name"].map(layout.text)))
    core = st.multiselect("核心产品", list(names), format_func=names.get, key="draft_core", max_selections=5)
    c = st.columns(2)
    up = c[0].slider("向上游走几级", 0, 5, 2, key="draft_up")
    down = c[1].slider("向下游走几级", 0, 5, 1, key="draft_down")
    if not core:
        return
    from graph.analysis.draft import draft_from_store, draft_notes
    from loaders.template import write_draft_workbook
    batch = draft_from_store(state.store(), core, up=up, down=down,      # only the flows around the core
                             subclasses=state.table("product_subclasses"))
    cp = batch["chain_products"].assign(名称=lambda d: d["product"].map(names))
    st.dataframe(cp[["名称", "stage", "segment", "key_link"]].rename(columns={
        "stage": "阶段", "segment": "层级", "key_link": "关键环节"}), hide_index=True, key="draft_preview")
    left, warnings = draft_notes(batch)
    for w in warnings:
        st.warning(w)
    if left:
        with st.expander(f"已排除 {len(left)} 个相邻产品（枢纽、笼统名称、截断型号）"):
            st.dataframe(pd.DataFrame({"产品 — 原因": left}), hide_index=True, key="draft_left_out")
    with tempfile.TemporaryDirectory() as tmp:
        data = write_draft_workbook(batch, Path(tmp) / "draft.xlsx").read_bytes()
    st.download_button("⬇ 下载产业链草稿工作簿", data=data, file_name="产业链草稿.xlsx", key="draft_download",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def guarded(section) -> None:
    """A section's own errors show inside it (the rest of the page keeps working)."""
    try:
        section()
    except ChainAtlasError as err:
        layout.show_error(err)
