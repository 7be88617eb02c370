"""区域对比: one chain across the cities (or a city's counties) — heatmap, coverage table, map."""
import altair as alt
import streamlit as st

from ui import divisions_map, layout, state


def body():
    sel = state.selection()
    tree = state.tree()
    base = divisions_map.base_region(sel, tree)
    level = {"province": "各市", "city": "各县区"}.get(tree.level(base) or "", "下级区划")
    layout.banner(f"{sel.chain_name} · {tree.name(base)}{level}对比",
                  "格中数字为本地生产企业数；灰色为无数据环节（数据中没有任何生产企业）")
    cmp = state.compare(sel, base)
    cov, cells = cmp.coverage, cmp.cells
    if cov.empty:
        st.info("没有可比较的下级区划。")
        return
    order = cells.drop_duplicates("product_id")["product"].map(layout.text).tolist()
    cells = cells.assign(product=cells["product"].map(layout.text), name=cells["name"].map(layout.text),
                         label=cells["label"].map(layout.text))
    cells = cells.assign(kind=cells.apply(lambda r: "无数据" if r["status"] == "no_data" else
                                          "待核实" if r["status"] == "unverified" and r["local_makers"] == 0 else
                                          ("本地无企业" if r["local_makers"] == 0 else "有本地企业"), axis=1))
    base_chart = alt.Chart(cells).encode(
        x=alt.X("product:N", sort=order, title="环节（上游 → 下游）",
                axis=alt.Axis(labelAngle=-55, labelLimit=150, labelOverlap=False, labelFontSize=11)),
        y=alt.Y("name:N", title=None, sort=cov["name"].map(layout.text).tolist()))
    tip = [alt.Tooltip("name:N", title="地区"), alt.Tooltip("product:N", title="环节"),
           alt.Tooltip("local_makers:Q", title="本地企业"), alt.Tooltip("label:N", title="状态")]
    empty = base_chart.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["本地无企业", "待核实", "无数据"],
                                                                range=["#fbf1f1", "#dde8f8", "#dfe3e6"]),
                        legend=alt.Legend(orient="bottom")), tooltip=tip
    ).transform_filter("datum.local_makers == 0")
    rect = base_chart.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        color=alt.Color("local_makers:Q", title="本地企业数", scale=alt.Scale(scheme="blues", domainMin=0),
                        legend=alt.Legend(format="d", tickMinStep=1)),
        tooltip=tip).transform_filter("datum.local_makers > 0")
    dark = max(1.0, float(cells["local_makers"].max()) * 0.45)     # cells darker than this get white digits
    txt = base_chart.mark_text(fontSize=12, fontWeight="bold").encode(
        text=alt.condition("datum.local_makers > 0", alt.Text("local_makers:Q"), alt.value("")),
        color=alt.condition(f"datum.local_makers >= {dark}", alt.value("#ffffff"), alt.value("#0d2a4a")))
    st.subheader("地区 × 环节 本地企业数")
    height = max(240, 28 * len(cov))
    chart = (empty + rect + txt).properties(height=height).resolve_scale(color="independent")
    st.altair_chart(chart, width="stretch", height=height + 170)
    st.caption("浅红：本地没有生产企业；浅蓝：待核实（生产企业所在地未知，可能在本地）；灰：无数据（数据中没有任何"
               "生产企业）；蓝色越深本地企业越多。")

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("各地区配套情况")
        view = cov.assign(rate=cov["local_rate"] * 100)[["name", "rate", "covered", "weak", "missing", "broken",
                                                          "unverified", "no_data", "local_enterprises"]]
        st.dataframe(view.rename(columns={"name": "地区", "rate": "本地配套率", "covered": "已配套", "weak": "弱链",
                                          "missing": "缺链", "broken": "断链", "unverified": "待核实", "no_data": "无数据",
                                          "local_enterprises": "本地企业"}), hide_index=True, key="cov_table",
                     height=35 * (len(view) + 1) + 4,
                     column_config={"本地配套率": st.column_config.ProgressColumn(format="%.0f%%", min_value=0,
                                                                            max_value=100)})
        for n in cmp.notes:
            st.caption(n)
    with right:
        st.subheader("地图")
        links = cells.drop_duplicates("product_id")
        options = [""] + links["product_id"].astype(str).tolist()
        names = dict(zip(links["product_id"].astype(str), links["product"]))
        link = st.selectbox("着色", options, key="map_link",
                            format_func=lambda p: "本地配套率（全部环节）" if p == "" else f"环节：{names[p]} 的本地企业数")
        divisions_map.show(sel, key="regions_map", link=link or None)


layout.run_page("区域对比", body, caption="同一条产业链在各地区的配套情况对比。")
