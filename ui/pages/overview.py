"""总览: every chain with 链长, 链主, 本地配套率 and its 缺/弱/断链 counts in the chosen place."""
from ui.timing import mark

mark("overview: page start")
import streamlit as st  # noqa: E402

from ui import divisions_map, layout, sidebar, state  # noqa: E402

mark("overview: page imports")

VIEWS = ["产业链一览", "缺口构成", "各地配套率地图"]     # the page's views (tabs), one drawn at a time


def body():
    sel = state.selection()
    layout.banner(f"{sel.place_name} · 全部产业链", "本地配套率 = 有本地生产企业的环节 ÷ 有数据的环节（无数据环节不计入）")
    df = state.overview(sel)
    mark("overview: data")
    if df.empty:
        raise state.why_no_selection()
    c = st.columns(5)
    c[0].metric("产业链", f"{len(df)} 条", border=True)
    no_data = int(df["links"].sum()) - int(df["with_data"].sum())
    c[1].metric("有数据环节", int(df["with_data"].sum()), border=True,
                help=f"全部 {int(df['links'].sum())} 个环节，其中 {no_data} 个无数据（数据中无任何生产企业）")
    c[2].metric("缺链环节", int(df["missing"].sum()), border=True)
    c[3].metric("弱链环节", int(df["weak"].sum()), border=True)
    c[4].metric("断链环节", int(df["broken"].sum()), border=True)

    view = df.assign(rate=df["local_rate"] * 100, krate=df["key_weighted_rate"].map(layout.pct),
                     upper=[layout.pct(m) if u else "" for m, u in zip(df["local_rate_max"], df["unverified"])])
    cols = {"name": "产业链", "chief": "链长", "leaders": "链主", "links": "环节", "rate": "本地配套率",
            "upper": "核实后上限", "krate": "关键加权", "missing": "缺链", "weak": "弱链", "broken": "断链",
            "unverified": "待核实", "no_data": "无数据", "urgent": "紧急", "local_enterprises": "本地企业"}
    if not view["unverified"].any():      # no 待核实 link here: the range would repeat the rate
        cols.pop("upper")
    table = view[list(cols)].rename(columns=cols)
    # One view at a time, the others not drawn until chosen (a tab's click reruns the page; the
    # choice is in the address as ?view=…): the first page draws the table only — the chart library
    # and the map's boundaries load when asked for, which was ~0.5 s of a cold start in the browser.
    t_table, t_bars, t_map = st.tabs(VIEWS, key="view", on_change="rerun", bind="query-params")
    event = None
    with t_table:
        if t_table.open:
            event = _table(table)
    with t_bars:
        if t_bars.open:
            _bars(df)
            mark("overview: bar chart sent")
    with t_map:
        if t_map.open:
            st.subheader(f"{sel.chain_name} · 各地本地配套率")
            divisions_map.show(sel, key="overview_map", height=divisions_map.overview_height(len(df)))
            mark("overview: map sent")

    rows = event.selection.rows if event is not None else []
    st.divider()
    pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
    ids = df["chain_id"].astype(str).tolist()
    names = dict(zip(ids, df["name"].astype(str)))
    if st.session_state.get("_overview_follow") != sel.chain_id or st.session_state.get("overview_open") not in ids:
        st.session_state["_overview_follow"] = sel.chain_id          # the picker follows the sidebar
        st.session_state["overview_open"] = sel.chain_id if sel.chain_id in ids else ids[0]
    chosen = pick_col.selectbox("打开产业链", ids, format_func=names.get, key="overview_open")
    if go_col.button("打开全景图 →", type="primary", key="overview_go", width="stretch") or rows:
        target = str(df.iloc[rows[0]]["chain_id"]) if rows else chosen
        sidebar.request(chain=target)
        st.switch_page("ui/pages/panorama.py", query_params=sidebar.keep_query())


def _table(table):
    """The chains' table (a row's selection opens its 全景图); returns the selection event."""
    small = {c: st.column_config.NumberColumn(width=44) for c in ("环节", "缺链", "弱链", "断链", "待核实", "无数据", "紧急")}
    event = st.dataframe(
        table, hide_index=True, on_select="rerun", selection_mode="single-row", key="overview_table",
        height=36 * (len(table) + 1) + 4, width="stretch",
        column_config={**small,
                       "产业链": st.column_config.TextColumn(width=112),
                       "链长": st.column_config.TextColumn(width=52),
                       "链主": st.column_config.TextColumn(width=140),
                       "本地配套率": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100,
                                                                width=110),
                       "核实后上限": st.column_config.TextColumn(
                           width=72, help="待核实环节全部核实为本地企业后，本地配套率最高可达"),
                       "关键加权": st.column_config.TextColumn(width=66, help="关键环节加权配套率"),
                       "紧急": st.column_config.NumberColumn(width=44, help="紧急缺口环节数"),
                       "本地企业": st.column_config.NumberColumn(width=66)})
    mark("overview: metrics and table sent")
    st.caption("点击表格左侧选中一条产业链即可打开其全景图；“无数据”环节是数据中没有任何生产企业的环节，不计为缺链；"
               "“待核实”环节取决于所在地未知的企业，不计为缺链，配套率括号内为其可能达到的上限。")
    return event


def _bars(df) -> None:
    """The stacked bars of each chain's 断链/缺链/弱链."""
    long = df.melt(id_vars=["name"], value_vars=["broken", "missing_only", "weak_only"], var_name="kind",
                   value_name="n")
    kinds = {"broken": "断链", "missing_only": "缺链", "weak_only": "弱链"}
    long["类型"] = long["kind"].map(kinds)
    long["order"] = long["kind"].map({k: i for i, k in enumerate(kinds)})
    height = max(260, 26 * len(df))
    st.vega_lite_chart(long, _gap_bars(list(kinds.values()), height), width="stretch", height=height + 90)


def _gap_bars(kinds: list[str], height: int) -> dict:
    """The stacked bars of 断链/缺链/弱链 per chain (Vega-Lite, written out: no Altair to import)."""
    return {
        "mark": {"type": "bar"}, "height": height,
        "encoding": {
            "y": {"field": "name", "type": "nominal", "title": None,
                  "sort": {"field": "n", "op": "sum", "order": "descending"}},
            "x": {"field": "n", "type": "quantitative", "title": "缺口环节数（断链单列，不重复计入缺链/弱链）",
                  "stack": True, "axis": {"format": "d", "tickMinStep": 1}},
            "color": {"field": "类型", "type": "nominal",
                      "scale": {"domain": kinds, "range": [layout.STATUS_STYLE["broken"][1], "#e0595a", "#e8b400"]},
                      "legend": {"orient": "top", "title": None}},
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [{"field": "name", "type": "nominal", "title": "产业链"}, {"field": "类型", "type": "nominal"},
                        {"field": "n", "type": "quantitative", "title": "环节数"}]}}


layout.run_page("产业链总览", body, caption="链长制重点产业链的本地配套情况：选择地区与阈值见左侧栏。")
