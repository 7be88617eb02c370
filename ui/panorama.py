"""The chain panorama (产业链全景图) as a self-contained pyvis HTML page.

Layout (never a hairball): physics is off and every position is computed here. Columns run
left → right by stage (上游 / 中游 / 下游); inside a stage the segments (环节分类) follow in the
order of their products' depth in the product flow, each under a small header; a column holds
at most ``capacity`` rows and wraps into the next. Inside a segment, products are ordered by the
mean height of their upstream neighbours (fewer crossings). Stages are drawn as shaded bands.

Colours by status: 已配套 green, 弱链 amber, 缺链 red, 断链 deep red (white text), 待核实 blue
(makers of unknown location decide it — not a gap), 无数据 grey with a dashed border. ★ and a thick navy border mark key links (关键环节). The second label line is
the local maker count ("本地 3 家"; "无数据" where no maker exists anywhere — never "无本地企业").

Escaping: tooltips are HTML (turned into DOM elements in the page), so every data string in them
goes through ``html.escape``; labels are canvas text and reach the page through Jinja's
``tojson`` (which escapes ``<``, ``>``, ``&``, ``'``), so no data string appears raw in the HTML.

Above ``AGGREGATE_AT`` products the graph shows one node per (stage, segment) instead.
"""
from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass

import pandas as pd

from ui.layout import STATUS_LABEL, STATUS_STYLE, text
from ui.panorama_layout import COL_W, ROW_H, STAGE_GAP, _ids, layered_layout

AGGREGATE_AT = 250
ASSUMED_WIDTH = 1100   # px the graph usually gets in the wide layout (sizes the frame height)
KEY_BORDER = "#0d2b6b"
FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
BAND_FILL = {"upstream": "rgba(21,101,192,0.06)", "midstream": "rgba(0,121,107,0.06)",
             "downstream": "rgba(142,36,170,0.06)"}
BAND_TEXT = {"upstream": "#1565c0", "midstream": "#00796b", "downstream": "#8e24aa"}


@dataclass
class Panorama:
    html: str
    height: int          # pixels the page needs (for components.html)
    nodes: int           # product (or segment) nodes drawn
    aggregated: bool     # True when drawn by segment


def status_key(row) -> str:
    return _status(row.get("status"), row.get("broken"))


def _status(status, broken) -> str:
    return "broken" if bool(broken) and status in ("missing", "weak") else str(status)


def status_keys(links: pd.DataFrame) -> list[str]:
    """:func:`status_key` of every row of ``links``, from its two columns (no record per row).

    >>> status_keys(pd.DataFrame({"status": ["missing", "weak", "covered"], "broken": [True, False, True]}))
    ['broken', 'weak', 'covered']
    """
    broken = links["broken"].tolist() if "broken" in links else [None] * len(links)
    return [_status(s, b) for s, b in zip(links["status"].tolist(), broken)]


def _wrap(name: str, width: int = 8) -> str:
    """Canvas labels do not wrap Chinese text: break every ``width`` characters."""
    return "\n".join(name[i:i + width] for i in range(0, len(name), width)) or " "


def _names(cell, limit: int = 8) -> str:
    names = [n for n in text(cell).split("、") if n]
    shown = "、".join(html.escape(n) for n in names[:limit])
    return shown + (f" 等 {len(names)} 家" if len(names) > limit else "")


def link_tooltip(row) -> str:
    """HTML tooltip of one link; every data string escaped."""
    e = lambda v: html.escape(text(v))  # noqa: E731
    status = row.get("status")
    lines = [f"<b style='font-size:14px'>{e(row.get('name'))}</b>"
             + ("　<span style='color:#0d2b6b'>★ 关键环节</span>" if bool(row.get("key_link")) else ""),
             f"环节：{e(row.get('stage_cn'))}{(' · ' + e(row.get('segment'))) if text(row.get('segment')) else ''}",
             f"状态：<b>{e(row.get('label'))}</b>"]
    if status == "no_data":
        lines.append("数据中没有任何生产企业（无数据，不等于本地缺失）")
    else:
        lines.append(f"本地企业 {int(row.get('local_makers') or 0)} 家（数据中共 {int(row.get('makers_total') or 0)} 家）")
        if text(row.get("local_maker_names")):
            lines.append("本地企业：" + _names(row.get("local_maker_names")))
        if int(row.get("unknown_makers") or 0):
            lines.append(f"所在地待核实 {int(row.get('unknown_makers'))} 家：" + _names(row.get("unknown_maker_names")))
    if text(row.get("reason")):
        lines.append("判定：" + e(row.get("reason")))
    flow = []
    if text(row.get("upstream")):
        flow.append("上游：" + e(row.get("upstream")))
    if text(row.get("downstream")):
        flow.append("下游：" + e(row.get("downstream")))
    if flow:
        lines.append("；".join(flow))
    if text(row.get("grade")):
        lines.append(f"优先级 {float(row.get('priority') or 0):.1f} · {e(row.get('grade'))}")
    return "<div style='max-width:360px;white-space:normal;line-height:1.5'>" + "<br>".join(lines) + "</div>"


def _node_style(status: str, key: bool, selected: bool) -> dict:
    fill, border, font = STATUS_STYLE.get(status, STATUS_STYLE["no_data"])
    style = {
        "shape": "box", "margin": 8, "borderWidth": 3.5 if key else 1.2, "borderWidthSelected": 4,
        "color": {"background": fill, "border": KEY_BORDER if key else border,
                  "highlight": {"background": fill, "border": "#ff6f00"},
                  "hover": {"background": fill, "border": "#ff6f00"}},
        "font": {"color": font, "size": 15, "face": FONT},
        "widthConstraint": {"minimum": 104, "maximum": 148},
    }
    if status in ("no_data", "unverified"):
        style["shapeProperties"] = {"borderDashes": [5, 4]}
    if selected:
        style["shadow"] = {"enabled": True, "color": "rgba(255,111,0,0.75)", "size": 18, "x": 0, "y": 0}
        style["borderWidth"] = 4
        style["color"]["border"] = "#ff6f00"
    return style


def _link_items(links: pd.DataFrame) -> pd.DataFrame:
    ids = set(links["product_id"].astype(str))
    return pd.DataFrame({
        "id": links["product_id"].astype(str).tolist(),
        "name": links["name"].map(text).tolist(),
        "stage": links["stage"].map(text).tolist(),
        "segment": links["segment"].map(lambda s: text(s) or "其他").tolist(),
        "down": [[d for d in _ids(c) if d in ids] for c in links["downstream_ids"]],
    })


def _aggregate(links: pd.DataFrame):
    """One item per (stage, segment) with status counts; edges weighted by product flows."""
    seg = links["segment"].map(lambda s: text(s) or "其他")
    gid = "SEG:" + links["stage"].map(text) + ":" + seg
    group_of = dict(zip(links["product_id"].astype(str), gid))
    rows, down = [], {}
    for pid, cell in zip(links["product_id"].astype(str), links["downstream_ids"]):
        for d in _ids(cell):
            if d in group_of and group_of[d] != group_of[pid]:
                down.setdefault(group_of[pid], {}).setdefault(group_of[d], 0)
                down[group_of[pid]][group_of[d]] += 1
    frame = links.assign(_g=gid.values, _seg=seg.values, _s=status_keys(links))
    for g, part in frame.groupby("_g", sort=False):
        rows.append({"id": g, "name": part["_seg"].iloc[0], "stage": text(part["stage"].iloc[0]), "segment": "",
                     "down": list(down.get(g, {})), "counts": part["_s"].value_counts().to_dict(),
                     "n": len(part), "key": int(part["key_link"].fillna(False).astype(bool).sum()),
                     "local": int(pd.to_numeric(part["local_makers"], errors="coerce").fillna(0).sum()),
                     "weights": down.get(g, {})})
    return pd.DataFrame(rows)


def _segment_status(counts: dict) -> str:
    with_data = sum(v for k, v in counts.items() if k != "no_data")
    if not with_data:
        return "no_data"
    gaps = counts.get("missing", 0) + counts.get("broken", 0)
    if counts.get("broken", 0) and counts["broken"] * 3 >= with_data:
        return "broken"
    if gaps * 2 >= with_data:
        return "missing"
    if gaps + counts.get("weak", 0) > 0:
        return "weak"
    return "covered"


# --- HTML ----------------------------------------------------------------------------------------------
def legend_html(counts: dict | None = None, aggregated: bool = False) -> str:
    """Static legend (labels are constants; counts are ints)."""
    counts = counts or {}
    chips = []
    for key in ("covered", "weak", "missing", "broken", "unverified", "no_data"):
        fill, border, font = STATUS_STYLE[key]
        dash = "dashed" if key in ("no_data", "unverified") else "solid"
        n = f" {int(counts[key])}" if key in counts else ""
        chips.append(f"<span class='chip' style='background:{fill};border:1.5px {dash} {border};color:{font}'>"
                     f"{STATUS_LABEL[key]}{n}</span>")
    chips.append(f"<span class='chip' style='background:#fff;border:3px solid {KEY_BORDER};color:{KEY_BORDER}'>"
                 "★ 关键环节</span>")
    note = ("每个方块为一个环节分类（产品数与缺/弱/断链数见标签）" if aggregated else
            "方块第二行为本地生产企业数；“无数据”表示数据中没有任何生产企业，不等于本地缺失；"
            "“待核实”表示取决于所在地未知的企业，不是缺口；图例按方块颜色计数，断链单列（上方卡片的缺链、弱链数也含断链环节）")
    return ("<div id='legend'>" + "".join(chips) + f"<span class='note'>{note}。箭头＝产品流向（上游→下游）；"
            "悬停查看企业名单与判定原因；点击环节查看详情；按住 Ctrl 滚动滚轮或用右下角按钮缩放，拖动平移。</span></div>")


_STYLE = f"""
<style>
  html, body {{ overflow: hidden; }}   /* never a scroller of its own: the wheel scrolls the page */
  body {{ margin: 0; font-family: {FONT}; background: #ffffff; }}
  #legend {{ display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; padding: 6px 4px 8px 4px;
             font-size: 13px; color: #37474f; }}
  #legend .chip {{ display: inline-block; padding: 2px 10px; border-radius: 3px; font-size: 13px; }}
  #legend .note {{ color: #607d8b; font-size: 12px; margin-left: 6px; }}
  #mynetwork {{ border: 1px solid #d5dbe1 !important; float: none !important; }}
  div.vis-tooltip {{ font-family: {FONT}; font-size: 13px; background: #ffffff; color: #263238;
                     border: 1px solid #90a4ae; box-shadow: 0 2px 8px rgba(0,0,0,.18); padding: 8px 10px; }}
</style>
"""

_BEFORE_NETWORK = """
                  // titles are escaped HTML built in Python: show them as formatted HTML
                  nodes.forEach(function (n) {
                    if (typeof n.title === "string") {
                      var box = document.createElement("div"); box.innerHTML = n.title;
                      nodes.update({id: n.id, title: box});
                    }
                  });
                  edges.forEach(function (e) {
                    if (typeof e.title === "string") {
                      var box = document.createElement("div"); box.innerHTML = e.title;
                      edges.update({id: e.id, title: box});
                    }
                  });
"""

_AFTER_NETWORK = """
                  var BANDS = __BANDS__;
                  network.on("beforeDrawing", function (ctx) {
                    BANDS.forEach(function (b) {
                      ctx.fillStyle = b.fill;
                      ctx.fillRect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
                      ctx.fillStyle = b.color;
                      ctx.font = "bold 20px " + __FONT__;
                      ctx.fillText(b.title, b.x0 + 12, b.y0 + 28);
                    });
                  });
                  network.once("afterDrawing", function () { network.fit({animation: false}); });
                  window.addEventListener("resize", function () { network.fit({animation: false}); });
                  // the wheel scrolls the page; Ctrl+wheel (or the buttons) zooms
                  container.addEventListener("wheel", function (e) {
                    if (!e.ctrlKey) { return; }
                    e.preventDefault();
                    var s = network.getScale() * (e.deltaY < 0 ? 1.15 : 1 / 1.15);
                    network.moveTo({scale: s, position: network.getViewPosition()});
                  }, {passive: false});
                  // a click on a node tells the app which one (ui/graph_frame.py)
                  network.on("click", function (p) {
                    if (p.nodes && p.nodes.length && window.parent !== window) {
                      window.parent.postMessage({chainatlasNode: String(p.nodes[0])}, "*");
                    }
                  });
"""


def finish_html(net, legend: str, bands: list[dict] | None = None) -> str:
    """pyvis HTML made self-contained and calm: no CDN links, no empty heading, our CSS and legend,
    HTML tooltips, stage bands drawn behind the graph, fitted on load."""
    page = net.generate_html(notebook=False)
    page = re.sub(r"<link[^>]*bootstrap[^>]*/?>", "", page)
    page = re.sub(r"<script[^>]*bootstrap[^>]*>\s*</script>", "", page)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    page = page.replace("</head>", _STYLE + "</head>", 1)
    page = re.sub(r"<body>", lambda m: "<body>" + legend, page, count=1)
    anchor = "network = new vis.Network(container, data, options);"
    after = _AFTER_NETWORK.replace("__BANDS__", json.dumps(bands or [], ensure_ascii=True).replace("<", "\\u003c")) \
        .replace("__FONT__", json.dumps(FONT))
    if anchor in page:
        page = page.replace(anchor, _BEFORE_NETWORK + anchor + after, 1)
    return page


def _network(height_px: int):
    """A directed network with our options: ui.vis_page.Network, pyvis's page without importing pyvis."""
    from ui import vis_page
    net = vis_page.Network(height=f"{height_px}px", width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff")
    net.options = {
        "physics": {"enabled": False},
        "layout": {"hierarchical": {"enabled": False}},
        "interaction": {"hover": True, "tooltipDelay": 120, "dragNodes": True, "zoomView": False,
                        "navigationButtons": True, "keyboard": False, "multiselect": False},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.55}}, "color": {"color": "#9aa7b4",
                  "highlight": "#ff6f00", "hover": "#607d8b"}, "width": 1.2,
                  "smooth": {"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal",
                             "roundness": 0.45}},
        "nodes": {"font": {"face": FONT}},
    }
    return net


HIGHLIGHT = "#00c853"   # glow of highlighted links (e.g. closed by a what-if)


def panorama(links: pd.DataFrame, *, selected: str | None = None, aggregate_at: int = AGGREGATE_AT,
             capacity: int | None = None, highlight: set[str] | None = None) -> Panorama:
    """The panorama of a GapReport's ``links`` (LINK_COLUMNS). ``highlight``: link ids drawn with a
    green glow and a ▲ on their label (the links a what-if closes or strengthens)."""
    links = links.reset_index(drop=True)
    aggregated = len(links) > aggregate_at
    status_counts: dict = {}
    for k in status_keys(links):
        status_counts[k] = status_counts.get(k, 0) + 1
    items = _aggregate(links) if aggregated else _link_items(links)
    if items.empty:
        items = pd.DataFrame(columns=["id", "name", "stage", "segment", "down"])
    pos, headers, bands, tallest, ncols = layered_layout(items, capacity)
    content_w = ncols * COL_W + 2 * STAGE_GAP + 40
    content_h = (tallest + 2.6) * ROW_H
    height = int(max(380, min(1000, content_h * min(1.0, ASSUMED_WIDTH / content_w) + 30)))
    net = _network(height)
    if aggregated:
        for r in items.to_dict("records"):
            st_key = _segment_status(r["counts"])
            c = r["counts"]
            label = (f"{_wrap(text(r['name']))}\n{r['n']} 个环节" + (f" ★{r['key']}" if r["key"] else "")
                     + f"\n缺{c.get('missing', 0) + c.get('broken', 0)} 弱{c.get('weak', 0)} 断{c.get('broken', 0)}")
            tip = (f"<b>{html.escape(text(r['name']))}</b>（{html.escape(text(r['stage']))}）<br>"
                   f"{r['n']} 个环节：" + "、".join(f"{STATUS_LABEL.get(k, html.escape(str(k)))} {v}" for k, v in c.items())
                   + f"<br>本地企业（按环节累计）{r['local']} 家")
            x, y = pos[r["id"]]
            net.add_node(r["id"], label=label, title=tip, x=x, y=y, physics=False,
                         **_node_style(st_key, bool(r["key"]), False))
        for r in items.to_dict("records"):
            for d, w in r["weights"].items():
                net.add_edge(r["id"], d, width=min(6, 1 + math.log2(1 + w)), title=f"{int(w)} 条产品流向")
    else:
        for r in links.to_dict("records"):
            pid = str(r["product_id"])
            key = bool(r.get("key_link"))
            count = "无数据" if r.get("status") == "no_data" else f"本地 {int(r.get('local_makers') or 0)} 家" + (
                f" · 待核实 {int(r.get('unknown_makers') or 0)}" if r.get("status") == "unverified" else "")
            label = ("▲ " if highlight and pid in highlight else "") + ("★ " if key else "") \
                + _wrap(text(r.get("name"))) + "\n" + count
            x, y = pos[pid]
            style = _node_style(status_key(r), key, pid == selected)
            if highlight and pid in highlight:
                style["shadow"] = {"enabled": True, "color": HIGHLIGHT, "size": 22, "x": 0, "y": 0}
                style["borderWidth"] = 4
                style["color"]["border"] = HIGHLIGHT
            net.add_node(pid, label=label, title=link_tooltip(r), x=x, y=y, physics=False, **style)
        for r in items.to_dict("records"):
            for d in r["down"]:
                if d in pos:
                    backwards = pos[d][0] <= pos[r["id"]][0]
                    extra = {"smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.3}} if backwards else {}
                    net.add_edge(r["id"], d, **extra)
    for i, (x, y, label) in enumerate(headers):
        net.add_node(f"__hdr{i}", label=f"〔{label}〕", shape="text", x=x, y=y, physics=False, chosen=False,
                     font={"color": "#455a64", "size": 14, "face": FONT})
    band_js = [{"x0": b["x0"], "x1": b["x1"], "y0": b["y0"], "y1": b["y1"],
                "fill": BAND_FILL.get(b["stage"], "#f5f5f5"),
                "color": BAND_TEXT.get(b["stage"], "#455a64"), "title": f"{b['label']} · {b['n']} 个环节"}
               for b in bands]
    page = finish_html(net, legend_html(status_counts, aggregated), band_js)
    return Panorama(html=page, height=height + 90, nodes=len(items), aggregated=aggregated)
