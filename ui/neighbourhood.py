"""The explorer's neighbourhood graph: a node, its one-hop neighbours, and the neighbours of every
node the user expanded — drawn as a radial tree (positions computed here, physics off).

Same escaping rules as :mod:`ui.panorama`: tooltips are escaped HTML, labels are canvas text
that reaches the page only through Jinja's ``tojson``.
"""
from __future__ import annotations

import html
import math

import pandas as pd

from ui.layout import KIND_CN, text
from ui.panorama import FONT, _network, finish_html

NODE_COLOURS = {"Enterprise": "#1565c0", "Product": "#00897b", "Chain": "#8e24aa", "Park": "#ef6c00",
                "Region": "#607d8b"}
REL_CN = {"MAKES": "生产", "SUPPLIES": "供货", "LOCATED_IN": "位于", "IN_PARK": "入驻园区", "ROLE_IN": "链主/链核",
          "CARRIES": "主导产业", "INCLUDES": "包含环节", "FEEDS": "产品流向", "PART_OF": "隶属", "PARK_IN": "园区位于",
          "COUNTED_FOR": "统计归属（飞地）", "SUBCLASS_OF": "小类"}
RING = 240
LABEL_ARC = 150          # pixels of ring each first-hop node needs for its label (8 characters wide)


def node_key(label: str, node_id: str) -> str:
    return f"{label}|{node_id}"


def merge(parts: list[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Union of several neighbourhood() results (nodes by label+id, edges by ends+type)."""
    nodes = pd.concat([n for n, _ in parts], ignore_index=True) if parts else \
        pd.DataFrame(columns=["label", "id", "name"])
    edges = pd.concat([e for _, e in parts], ignore_index=True) if parts else \
        pd.DataFrame(columns=["source_label", "source", "target_label", "target", "type"])
    nodes = nodes.drop_duplicates(["label", "id"]).reset_index(drop=True)
    edges = edges.drop_duplicates(["source_label", "source", "target_label", "target", "type"]).reset_index(drop=True)
    return nodes, edges


def radial_layout(centre: str, keys: list[str], links: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """A radial tree from ``centre`` over undirected ``links``: each node sits in its parent's
    angular sector, one ring per hop; crowded rings alternate between two radii."""
    adj: dict[str, list[str]] = {k: [] for k in keys}
    for a, b in links:
        if a in adj and b in adj:
            adj[a].append(b)
            adj[b].append(a)
    parent, order, kids = {centre: None}, [centre], {k: [] for k in keys}
    i = 0
    while i < len(order):
        for nb in adj[order[i]]:
            if nb not in parent:
                parent[nb] = order[i]
                kids[order[i]].append(nb)
                order.append(nb)
        i += 1
    for k in keys:                     # unreachable nodes hang off the centre
        if k not in parent:
            parent[k] = centre
            kids[centre].append(k)
            order.append(k)
    leaves: dict[str, int] = {}
    for k in reversed(order):
        leaves[k] = max(1, sum(leaves[c] for c in kids[k]))
    pos = {centre: (0.0, 0.0)}
    first = len(kids[centre])
    crowded = first > 10                 # alternate two radii so neighbouring labels do not touch
    radius1 = max(RING, first * LABEL_ARC / (2 if crowded else 1) / (2 * math.pi))

    def place(node, a0, a1, depth):
        span, start = a1 - a0, a0
        for j, c in enumerate(kids[node]):
            share = span * leaves[c] / max(1, leaves[node] if node != centre else sum(leaves[x] for x in kids[node]))
            angle = start + share / 2
            r = radius1 + (depth - 1) * RING * 0.8 + (90 if (depth == 1 and crowded and j % 2) else 0)
            pos[c] = (r * math.cos(angle), r * math.sin(angle))
            place(c, start, start + share, depth + 1)
            start += share
    place(centre, -math.pi / 2, 3 * math.pi / 2, 1)
    return pos


def graph_html(nodes: pd.DataFrame, edges: pd.DataFrame, centre: str, expanded: list[str] | None = None):
    """(html, height) of the neighbourhood graph; ``centre``/``expanded`` are node keys."""
    expanded = set(expanded or [])
    keys = [node_key(lb, i) for lb, i in zip(nodes["label"], nodes["id"].astype(str))]
    links = [(node_key(a, str(b)), node_key(c, str(d))) for a, b, c, d in
             zip(edges["source_label"], edges["source"], edges["target_label"], edges["target"])]
    pos = radial_layout(centre, keys, links)
    span = max((max(abs(x), abs(y)) for x, y in pos.values()), default=100)
    height = int(max(460, min(820, 2 * span * 0.9 + 120)))
    net = _network(height)
    net.options["edges"]["smooth"] = {"enabled": False}
    for key, r in zip(keys, nodes.to_dict("records")):
        label, name = str(r["label"]), text(r["name"]) or str(r["id"])
        colour = NODE_COLOURS.get(label, "#607d8b")
        wrapped = "\n".join(name[i:i + 8] for i in range(0, len(name), 8))
        tip = (f"<b>{html.escape(name)}</b><br>类型：{html.escape(KIND_CN.get(label, label))}"
               f"<br>编号：{html.escape(str(r['id']))}" + ("<br>（已展开）" if key in expanded else ""))
        big = key == centre
        x, y = pos.get(key, (0.0, 0.0))
        net.add_node(key, label=wrapped, title=tip, x=x, y=y, physics=False, shape="dot",
                     size=22 if big else (15 if key in expanded else 11),
                     color={"background": colour, "border": "#ff6f00" if big or key in expanded else "#ffffff",
                            "highlight": {"background": colour, "border": "#ff6f00"}},
                     borderWidth=4 if big else (3 if key in expanded else 1.5),
                     font={"face": FONT, "size": 15 if big else 13, "color": "#263238",
                           "strokeWidth": 3, "strokeColor": "#ffffff"})
    for (a, b), rel in zip(links, edges["type"]):
        if a in pos and b in pos:
            word = REL_CN.get(str(rel), "关系")
            net.add_edge(a, b, title=html.escape(word), label=word, color="#b0bec5",
                         font={"face": FONT, "size": 11, "color": "#546e7a", "strokeWidth": 0,
                               "background": "rgba(255,255,255,0.9)", "align": "middle"})
    chips = "".join(f"<span class='chip' style='background:{c};color:#fff'>{KIND_CN[k]}</span>"
                    for k, c in NODE_COLOURS.items())
    legend = (f"<div id='legend'>{chips}<span class='note'>大圆点为当前节点，橙色描边为已展开节点；"
              "连线上标注关系类型。</span></div>")
    return finish_html(net, legend), height + 50
