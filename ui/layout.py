"""Page frame and small display helpers shared by every page.

:func:`run_page` wraps a page body: a :class:`~graph.errors.ChainAtlasError` (store down or empty,
unknown name …) shows ``st.error`` with the message, the hint and what to do; anything else is
logged with its traceback on the server and shown as a short internal-error message — never a
traceback in the browser.
"""
from __future__ import annotations

import html
import logging
import math
from typing import Callable

import pandas as pd
import streamlit as st

from graph.errors import ChainAtlasError, ValidationFailed

log = logging.getLogger("chainatlas.ui")

# Status colours, shared by the panorama, tables and charts (fill, border, text).
STATUS_STYLE = {
    "covered": ("#d7eedb", "#2e7d32", "#1b4d20"),
    "weak": ("#fff0bf", "#c99700", "#5b4300"),
    "missing": ("#f9d0d0", "#c62828", "#7a1616"),
    "broken": ("#b71c1c", "#6d0f0f", "#ffffff"),
    "unverified": ("#dde8f8", "#3f6fb5", "#1f3d66"),
    "no_data": ("#eceff1", "#90a4ae", "#546e7a"),
}
STATUS_LABEL = {"covered": "已配套", "weak": "弱链", "missing": "缺链", "broken": "断链", "unverified": "待核实",
                "no_data": "无数据"}
KIND_CN = {"Chain": "产业链", "Product": "产品", "Enterprise": "企业", "Park": "园区", "Region": "地区"}
LEVEL_CN = {"province": "省", "city": "市", "county": "县区", "park": "园区"}

_CSS = """
<style>
  h1, h2, h3 { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; }
  .ca-banner { border-left: 6px solid #8b1a1a; background: #f7f4ef; padding: .55rem .9rem;
               margin-bottom: .6rem; color: #333; }
  .ca-banner b { color: #8b1a1a; }
  div[data-testid="stMetric"] { background: #fbfbfb; }
</style>
"""


def style() -> None:
    """Static CSS (no data in it)."""
    st.markdown(_CSS, unsafe_allow_html=True)


def coverage_range(summary: dict, key: str = "local_rate") -> str | None:
    """“待核实 N 个环节，上限 X%” when unknown locations leave the rate open (metric delta), else None."""
    from graph.analysis.gap_summary import coverage_text
    full = coverage_text(summary, key)
    return full[full.index("（") + 1:-1] if "（" in full else None


def esc(value) -> str:
    """HTML-escaped text of any value ('' for None/NaN)."""
    return html.escape(text(value), quote=True)


def text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(text(v) for v in value)
    return str(value)


def pct(value, digits: int = 0) -> str:
    """0.7353 -> '74%'; NaN -> '—' (no link with data)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def banner(title: str, detail: str = "") -> None:
    """The context line under a page header: which chain, where (escaped)."""
    st.markdown(f'<div class="ca-banner"><b>{esc(title)}</b>{("　" + esc(detail)) if detail else ""}</div>',
                unsafe_allow_html=True)


def show_error(err: ChainAtlasError) -> None:
    """Message, hint and what to do — for every error the engine raises on purpose."""
    st.error(f"{err}")
    if isinstance(err, ValidationFailed):
        st.dataframe(problems_frame(err.problems), hide_index=True)
    if getattr(err, "hint", ""):
        st.info(f"处理建议：{err.hint}")
    st.caption("如问题持续：请系统管理员检查数据库是否可用，或到“数据”页查看已载入的数据。")


def problems_frame(problems) -> pd.DataFrame:
    """Validation problems as a table (file / sheet / row / column / value / problem / fix)."""
    from graph import schema
    from loaders.read import table_for

    def column(p) -> str:
        table = table_for(p.sheet) if p.sheet else None
        names = schema.COLUMN_LABELS.get(table, {}) | schema.PROVENANCE_LABELS if table else {}
        return f"{names[p.column]}（{p.column}）" if p.column in names else text(p.column)

    rows = [{**p.as_dict(), "row": "" if p.row is None else str(p.row), "column": column(p),
             "value": text(p.value)} for p in problems]
    df = pd.DataFrame(rows, columns=["file", "sheet", "row", "column", "value", "message", "fix"])
    return df.rename(columns={"file": "文件 file", "sheet": "表 sheet", "row": "行 row", "column": "列 column",
                              "value": "值 value", "message": "问题 problem", "fix": "修改建议 fix"})


def run_page(title: str, body: Callable[[], None], *, caption: str = "") -> None:
    """Header, then the body with every error turned into a message."""
    style()
    st.title(title)
    if caption:
        st.caption(caption)
    try:
        body()
    except ChainAtlasError as err:
        show_error(err)
    except Exception as err:  # noqa: BLE001 — a page must never show a traceback
        log.exception("page %s failed", title)
        st.error(f"内部错误：{type(err).__name__}: {err}")
        st.info("处理建议：刷新页面重试；若仍出现，请把本页网址和出现时间告知系统管理员（服务器日志中有详细记录）。")
