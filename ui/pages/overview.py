"""总览: every chain with 链长, 链主, 本地配套率 and its 缺/弱/断链 counts in the chosen place."""
import altair as alt
import streamlit as st

from ui import layout, sidebar, state


def body():
    sel = state.selection()
    layout.banner(f"{sel.place_name} · 全部产业链", "本地配套率 = 有本地生产企业的环节 ÷ 有数据的环节（无数据环节不计入）")
    df = state.overview(sel)
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

    view = df.assign(rate=df["local_rate"] * 100, krate=df["key_weighted_rate"] * 100)
    cols = {"name": "产业链", "chief": "链长", "leaders": "链主", "links": "环节", "rate": "本地配套率",
            "coverage": "配套率（含待核实范围）", "krate": "关键环节加权配套率", "missing": "缺链", "weak": "弱链",
            "broken": "断链", "unverified": "待核实", "no_data": "无数据", "urgent": "紧急缺口",
            "local_enterprises": "本地企业"}
    table = view[list(cols)].rename(columns=cols)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("产业链一览")
        event = st.dataframe(
            table, hide_index=True, on_select="rerun", selection_mode="single-row", key="overview_table",
            height=36 * (len(table) + 1) + 4,
            column_config={"本地配套率": st.column_config.ProgressColumn(format="%.0f%%", min_value=0, max_value=100),
                           "关键环节加权配套率": st.column_config.NumberColumn(format="%.0f%%"),
                           "链主": st.column_config.TextColumn(width="medium")})
        st.caption("点击表格左侧选中一条产业链即可打开其全景图；“无数据”环节是数据中没有任何生产企业的环节，不计为缺链；"
                   "“待核实”环节取决于所在地未知的企业，不计为缺链，配套率括号内为其可能达到的上限。")
    with right:
        st.subheader("缺口构成")
        long = df.melt(id_vars=["name"], value_vars=["broken", "missing_only", "weak_only"], var_name="kind",
                       value_name="n")
        kinds = {"broken": "断链", "missing_only": "缺链", "weak_only": "弱链"}
        long["类型"] = long["kind"].map(kinds)
        long["order"] = long["kind"].map({k: i for i, k in enumerate(kinds)})
        chart = alt.Chart(long).mark_bar().encode(
            y=alt.Y("name:N", title=None, sort=alt.EncodingSortField("n", op="sum", order="descending")),
            x=alt.X("n:Q", title="缺口环节数（断链单列，不重复计入缺链/弱链）", stack=True),
            color=alt.Color("类型:N", scale=alt.Scale(domain=list(kinds.values()),
                                                    range=[layout.STATUS_STYLE["broken"][1], "#e0595a", "#e8b400"]),
                            legend=alt.Legend(orient="top", title=None)),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("name:N", title="产业链"), alt.Tooltip("类型:N"), alt.Tooltip("n:Q", title="环节数")],
        ).properties(height=max(260, 30 * len(df)))
        st.altair_chart(chart, width="stretch", height=max(260, 30 * len(df)) + 90)

    rows = event.selection.rows if event is not None else []
    st.divider()
    pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
    ids = df["chain_id"].astype(str).tolist()
    names = dict(zip(ids, df["name"].astype(str)))
    current = str(df.iloc[rows[0]]["chain_id"]) if rows else sel.chain_id
    default = ids.index(current) if current in ids else 0
    chosen = pick_col.selectbox("打开产业链", ids, index=default, format_func=names.get, key="overview_open")
    if go_col.button("打开全景图 →", type="primary", key="overview_go", width="stretch") or rows:
        target = str(df.iloc[rows[0]]["chain_id"]) if rows else chosen
        sidebar.request(chain=target)
        st.switch_page("ui/pages/panorama.py", query_params=sidebar.keep_query())


layout.run_page("产业链总览", body, caption="链长制重点产业链的本地配套情况：选择地区与阈值见左侧栏。")
