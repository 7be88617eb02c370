"""The 数据 page's upload tray: files dropped on the uploader are kept by name (dropping a fixed file
again replaces the old one instead of adding a second one), and a CSV whose name is not a table
name (产品表.csv) is not ignored: the page asks which table it holds, guessing from its header.

The uploader itself is emptied after every drop (its key changes), so what is listed under it is
exactly what will be checked and loaded.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from graph import schema

TRAY = "_upload_tray"
ROUND = "_upload_round"
NOT_A_TABLE = "-"           # the "do not load this file" answer


@dataclass(frozen=True)
class Staged:
    """One uploaded file kept in the tray (the members of Streamlit's UploadedFile the page uses)."""

    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data

    @property
    def size(self) -> int:
        return len(self.data)


def uploader_key() -> str:
    """The uploader's current key: ``upload`` first, then ``upload_1``, ``upload_2`` …"""
    n = st.session_state.get(ROUND, 0)
    return "upload" if n == 0 else f"upload_{n}"


def tray(label: str, types: list[str]) -> list[Staged]:
    """Draw the uploader and the files kept so far; return them (upload order, unique names)."""
    kept: dict[str, Staged] = st.session_state.setdefault(TRAY, {})
    files = st.file_uploader(label, type=types, accept_multiple_files=True, key=uploader_key())
    if files:
        replaced = [f.name for f in files if f.name in kept]
        for f in files:
            kept.pop(f.name, None)
            kept[f.name] = Staged(f.name, f.getvalue())
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
        if replaced:
            st.session_state["_upload_replaced"] = replaced
        st.rerun()
    replaced = st.session_state.pop("_upload_replaced", None)
    if replaced:
        st.info("已用新上传的文件替换同名旧文件：" + "、".join(replaced))
    for name in list(kept):
        c = st.columns([6, 1])
        c[0].markdown(f":material/description: {name}（{len(kept[name].data) / 1024:,.1f} KB）")
        if c[1].button("移除", key=f"tray_remove_{name}"):
            kept.pop(name)
            st.rerun()
    if len(kept) > 1 and st.button("全部移除", key="tray_clear"):
        clear()
        st.rerun()
    return list(kept.values())


def clear() -> None:
    st.session_state[TRAY] = {}


def guess_table(data: bytes) -> str | None:
    """The table a CSV's header row fits best (two or more known columns), else None.

    >>> guess_table("产品编号,产品名称,来源\\n".encode("utf-8"))
    'products'
    """
    from loaders.read import decode
    from loaders.read_hints import delimiter, known_headers

    text = decode(data[:65536]) or decode(data[:65535]) or ""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    cells = [c.strip().strip('"') for c in first.split(delimiter(first))]
    scores = {t: known_headers(t, cells) for t in schema.TABLES}
    best = max(scores, key=lambda t: (scores[t], -len(schema.TABLES[t].columns)))
    return best if scores[best] >= 2 else None


def ask_tables(files: list[Staged]) -> dict[str, str] | None:
    """For each CSV whose name is not a table name, ask which table it holds.

    Returns ``{file name: table}`` for the answered files (files answered "do not load" are left
    out), or None while a question is unanswered."""
    from loaders.read import table_for

    unknown = [f for f in files if f.name.lower().endswith(".csv") and table_for(Path(f.name).stem) is None]
    if not unknown:
        return {}
    st.warning("以下 CSV 文件名不是表名，请选择每个文件是哪张表（文件名为表名时无需选择，如 products.csv、企业.csv）：")
    options = list(schema.TABLES) + [NOT_A_TABLE]
    answers: dict[str, str] = {}
    waiting = False
    for f in unknown:
        guess = guess_table(f.data)
        choice = st.selectbox(
            f"“{f.name}”是哪张表？", options, index=None, key=f"table_of_{f.name}",
            placeholder="请选择…" + (f"（按表头看像是“{schema.TABLES[guess].label}”）" if guess else ""),
            format_func=lambda t: "不导入此文件" if t == NOT_A_TABLE else f"{schema.TABLES[t].label}（{t}）")
        if choice is None:
            waiting = True
        elif choice != NOT_A_TABLE:
            answers[f.name] = choice
    return None if waiting else answers
