"""Selectboxes whose choice lives in the URL as an id (``?chain=SX-NEV&city=140800&link=P-BATT``).

A shared link must open exactly what was shared, so the URL holds ids, never the displayed label
(which carries a status that changes: "★ 动力电池 · 弱链"). When a link is opened, each parameter
is resolved once per session: an id, or a name typed by hand (exact name or the shown label); a
value that matches nothing is not silently replaced by another choice — :func:`id_select` shows a
notice saying what was asked for and what is shown instead.

>>> resolve("新能源汽车", ["SX-NEV", "SX-COAL"], {"SX-NEV": "新能源汽车", "SX-COAL": "煤炭"}.get)
'SX-NEV'
>>> resolve("SX-COAL", ["SX-NEV", "SX-COAL"], str) is None, resolve("不存在", ["SX-NEV"], str)
(False, None)
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

SEEN = "_url_seen"


def resolve(text: str, options: list[str], name: Callable[[str], str | None]) -> str | None:
    """The option ``text`` means: an option itself, else the one whose name (or shown label) it is."""
    text = str(text).strip()
    if text in options:
        return text
    for o in options:
        if str(name(o) or "").strip() == text:
            return o
    for o in options:             # a shown label that carries a status: "★ 动力电池 · 弱链" -> 动力电池
        if text.lstrip("★ ").split(" · ")[0] == str(name(o) or "").lstrip("★ ").split(" · ")[0] and text:
            return o
    return None


NOTICES = "_url_notices"


def from_url(key: str, options: list[str], name: Callable[[str], str | None], what: str) -> None:
    """Once per session: put the URL's value for ``key`` into the widget state (resolved to an
    option), or keep a notice when it matches nothing (shown by :func:`id_select`)."""
    seen = st.session_state.setdefault(SEEN, set())
    if key in seen:
        return
    seen.add(key)
    asked = st.query_params.get(key)
    if asked in (None, ""):
        return
    hit = resolve(asked, options, name)
    if hit is None:
        st.session_state.setdefault(NOTICES, {})[key] = (
            f"链接中的{what}“{asked}”不存在，当前显示的是其他{what}；请在下拉框中重新选择。", None)
        st.session_state.pop(key, None)
    else:
        st.session_state[key] = hit


def to_url(key: str, value, default=None) -> None:
    """Write the chosen id to the URL (removed when it is ``default``)."""
    if value in (None, "", default):
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)


def id_select(container, label: str, options: list[str], *, key: str, name: Callable[[str], str | None],
              what: str, format_func: Callable | None = None, index: int = 0, default=None, **kw):
    """A selectbox over ids, bound to the URL parameter ``key`` as the id (see module doc)."""
    from_url(key, options, name, what)
    if st.session_state.get(key) not in options and options:
        st.session_state[key] = options[min(index, len(options) - 1)]
    value = container.selectbox(label, options, key=key, format_func=format_func or name, **kw)
    notices = st.session_state.get(NOTICES, {})
    if key in notices:
        text, shown = notices[key]
        if shown not in (None, value):          # the user has chosen since: the notice is done
            del notices[key]
        else:
            notices[key] = (text, value)
            container.warning(text)
    to_url(key, value, default)
    return value
