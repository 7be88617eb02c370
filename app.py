"""ChainAtlas 产业链图谱 — Streamlit entry point (placeholder: the atlas's counts)."""
from __future__ import annotations

import streamlit as st

from graph.errors import ChainAtlasError
from graph.settings import Settings
from graph.store import open_store

st.set_page_config(page_title="ChainAtlas 产业链图谱", page_icon="🔗", layout="wide")
st.title("ChainAtlas 产业链图谱")


@st.cache_resource(show_spinner="正在打开图谱 Opening the atlas…")
def _store_and_seed():
    settings = Settings.from_env()
    store = open_store(settings)
    from loaders.seed import ensure_seeded
    return store, ensure_seeded(store, settings)


try:
    store, seeded = _store_and_seed()
    if seeded is not None:
        st.success(f"首次启动：已自动载入内置山西种子数据（新增 {seeded.added} 条）。")
    counts = store.counts()
    st.caption(f"存储 Store: {store.backend} · {store.location}")
    st.dataframe([{"类型 type": k, "数量 count": v} for k, v in counts.items()], hide_index=True)
except ChainAtlasError as err:
    st.error(f"{err}")
    if err.hint:
        st.info(err.hint)
