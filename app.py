"""ChainAtlas 产业链图谱 — the browser explorer (``streamlit run app.py``).

The entry point is the frame around every page: it opens the store (loading the built-in seed
on a first start with an empty store, and saying so), draws the sidebar (chain, place,
thresholds — all bound to the URL) and runs the page chosen in the top navigation.
"""
from __future__ import annotations

from ui.timing import mark

mark("script: start")
import streamlit as st  # noqa: E402 — (the mark above times our imports)

from graph.errors import ChainAtlasError  # noqa: E402
from ui import layout, sidebar, state  # noqa: E402

mark("script: app imports")

st.set_page_config(page_title="ChainAtlas 产业链图谱", page_icon="🔗", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = [
    st.Page("ui/pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("ui/pages/panorama.py", title="产业链全景图", icon=":material/account_tree:", url_path="panorama"),
    st.Page("ui/pages/gaps.py", title="缺链补链清单", icon=":material/checklist:", url_path="gaps"),
    st.Page("ui/pages/leaders.py", title="链主对接", icon=":material/partner_exchange:", url_path="leaders"),
    st.Page("ui/pages/recruit.py", title="招商组合", icon=":material/auto_graph:", url_path="plan"),
    st.Page("ui/pages/projects.py", title="招商项目", icon=":material/handshake:", url_path="projects"),
    st.Page("ui/pages/explorer.py", title="企业与园区", icon=":material/factory:", url_path="explorer"),
    st.Page("ui/pages/regions.py", title="区域对比", icon=":material/grid_on:", url_path="regions"),
    st.Page("ui/pages/data.py", title="数据", icon=":material/database:", url_path="data"),
]
page = st.navigation(PAGES, position="top")

st.sidebar.markdown("### :material/hub: ChainAtlas 产业链图谱")
st.sidebar.caption("链长制产业链诊断：缺链 · 弱链 · 断链 · 招商目标")
mark("script: navigation")
try:
    atlas = state.atlas()
except Exception as err:  # noqa: BLE001 — StoreUnavailable & co. carry a hint; anything else is logged
    layout.style()
    st.title("ChainAtlas 产业链图谱")
    if isinstance(err, ChainAtlasError):
        st.error(f"无法打开图谱：{err}")
        st.info(f"处理建议：{err.hint or '检查数据目录或 Neo4j 服务后刷新本页。'}")
    else:
        layout.log.exception("opening the store failed")
        st.error(f"无法打开图谱：内部错误 {type(err).__name__}: {err}")
        st.info("处理建议：检查数据目录与种子数据（CHAINATLAS_SEED）后刷新本页；服务器日志中有详细记录。")
    st.caption(f"当前设置：CHAINATLAS_DB = {state.settings().db}。修正后刷新本页即可。")
    st.stop()

if atlas.seeded is not None and not atlas.seed_announced:
    atlas.seed_announced = True           # told once, to the first visitor; the 数据 page keeps a note
    st.success(f"首次启动：图谱为空，已自动载入内置种子数据（{state.seed_label()}，新增 {atlas.seeded.added} 条记录）。"
               "示意数据在各表中标注为“示意”。")
if atlas.seed_error is not None:
    st.warning(f"种子数据未能自动载入：{atlas.seed_error}（{atlas.seed_error.hint}）")

mark("script: store open")
try:  # a load into Neo4j commits in batches: say so while one runs, or when one was interrupted
    _loads = atlas.store.pending_loads()
except ChainAtlasError:
    _loads = []
for _load in _loads:
    if _load["stale"]:
        st.error(f"上次数据载入未完成（{_load['source']}，进程 {_load['pid']}@{_load['host']} 已退出）：图谱中可能只有部分新数据。"
                 "请运行 `chainatlas recover` 撤销该次载入，之后才能再次载入。")
    else:
        st.warning(f"正在载入数据（{_load['source']}，已提交 {max(_load['batches'], 0)} 批）：载入完成前看到的可能是部分新数据。")

try:
    state.set_selection(sidebar.render())
except Exception as err:  # noqa: BLE001 — pages then explain that nothing is selected
    state.set_selection(None)
    if not isinstance(err, ChainAtlasError):
        layout.log.exception("sidebar failed")
    st.sidebar.error(f"{err}")
st.sidebar.divider()
st.sidebar.caption("数据存储：" + ("Neo4j 图数据库" if atlas.store.backend == "neo4j" else "本机图谱数据库"))

mark("script: sidebar")
page.run()
mark("script: end")
