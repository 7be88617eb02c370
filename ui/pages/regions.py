"""区域对比: one chain across the cities (or a city's counties) — heatmap, coverage table, map."""
import math

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st

from ui import layout, state


def _rate_colour(rate) -> list[int]:
    """Red (0) → amber → green (1); grey when no link has data."""
    if rate is None or pd.isna(rate):
        return [144, 164, 174, 170]
    r = float(rate)
    if r < 0.5:
        return [198, 40 + int(250 * r), 40, 200]
    return [int(198 - 150 * (r - 0.5) * 2), 165, 60, 200]


MAP_HEIGHT = 440


def _fit(lon: pd.Series, lat: pd.Series, width: int = 460) -> pdk.ViewState:
    """A view showing every point (Web Mercator zoom from the extent, with a margin)."""
    lon_span = max(0.5, float(lon.max() - lon.min()))
    lat_span = max(0.5, float(lat.max() - lat.min())) / math.cos(math.radians(float(lat.mean())))
    zoom = min(math.log2(width * 360 / (512 * lon_span)), math.log2(MAP_HEIGHT * 360 / (512 * lat_span))) - 0.35
    return pdk.ViewState(longitude=float(lon.mean()), latitude=float(lat.mean()), zoom=max(3.0, min(9.0, zoom)))


def body():
    sel = state.selection()
    tree = state.tree()
    base = sel.region_code
    if not tree.children(base):
        base = tree.parent(base) or sel.province
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
        color=alt.Color("local_makers:Q", title="本地企业数", scale=alt.Scale(scheme="blues", domainMin=0)),
        tooltip=tip).transform_filter("datum.local_makers > 0")
    txt = base_chart.mark_text(fontSize=11).encode(
        text=alt.condition("datum.local_makers > 0", alt.Text("local_makers:Q"), alt.value("")),
        color=alt.condition("datum.local_makers >= 3", alt.value("#ffffff"), alt.value("#263238")))
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
        geo = tree.frame()
        pts = cov[cov["code"].astype(str).isin(geo.index)].copy()
        if pts.empty:
            st.caption("这些地区没有经纬度，无法绘制地图。")
        else:
            pts["lon"] = pts["code"].map(geo["lon"]).astype(float)
            pts["lat"] = pts["code"].map(geo["lat"]).astype(float)
            pts = pts.dropna(subset=["lon", "lat"])
            pts["colour"] = pts["local_rate"].map(_rate_colour)
            pts["radius"] = 6000 + pts["local_enterprises"].astype(float).pow(0.5) * 6000   # metres
            pts["rate_text"] = pts["local_rate"].map(layout.pct)
            pts["name"] = pts["name"].map(layout.text)
            data = pts[["name", "lon", "lat", "colour", "radius", "rate_text", "local_enterprises"]]
            dots = pdk.Layer("ScatterplotLayer", data=data, get_position="[lon, lat]", get_fill_color="colour",
                             get_radius="radius", radius_min_pixels=5, radius_max_pixels=28, pickable=True,
                             stroked=True, get_line_color=[255, 255, 255], line_width_min_pixels=1)
            st.pydeck_chart(pdk.Deck(layers=[dots], initial_view_state=_fit(pts["lon"], pts["lat"]), map_style=None,
                                     tooltip={"text": "{name}\n本地配套率 {rate_text}\n本地企业 {local_enterprises} 家"}),
                            height=MAP_HEIGHT)
            st.caption("圆点颜色：本地配套率（红低绿高，灰为无数据）；大小：本地企业数；悬停显示地区名称。")


layout.run_page("区域对比", body, caption="同一条产业链在各地区的配套情况对比。")
