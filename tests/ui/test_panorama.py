"""The pyvis builders (ui.panorama, ui.neighbourhood): escaping, statuses, layout, aggregation."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from uihelp import XSS, XSS_PRODUCT
from ui import panorama as P
from ui import panorama_layout as L
from ui.neighbourhood import graph_html, merge, node_key


def _nodes(page: str) -> list[dict]:
    """The node list pyvis embedded in the page (Jinja tojson output)."""
    m = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.S)
    return json.loads(m.group(1))


@pytest.fixture
def report(xss_store):
    from graph.analysis.gaps import diagnose
    return diagnose(xss_store, "C-X", "140000")


def test_xss_names_are_escaped_in_the_panorama(report):
    page = P.panorama(report.links, selected="P2").html
    assert "<img" not in page and "<script>alert" not in page
    nodes = {n["id"]: n for n in _nodes(page)}
    # the HTML tooltip holds the escaped maker name; the canvas label holds the raw product name
    assert "&lt;img src=x onerror=alert(1)&gt;" in nodes["P1"]["title"]
    assert XSS_PRODUCT in nodes["P2"]["label"].replace("\n", "")
    assert "&lt;script&gt;" in nodes["P2"]["title"]


def test_statuses_labels_and_no_data(report):
    page = P.panorama(report.links).html
    nodes = {n["id"]: n for n in _nodes(page)}
    links = report.links.set_index("product_id")
    assert links.loc["P4", "status"] == "no_data"
    assert nodes["P4"]["label"].endswith("无数据")
    assert nodes["P4"]["shapeProperties"]["borderDashes"]
    assert "无本地企业" not in page
    assert links.loc["P2", "status"] == "missing" and bool(links.loc["P2", "broken"])
    assert nodes["P2"]["color"]["background"] == P.STATUS_STYLE["broken"][0]
    assert nodes["P2"]["label"].startswith("★") and nodes["P2"]["borderWidth"] > nodes["P1"]["borderWidth"]
    assert nodes["P1"]["label"].endswith("本地 1 家")
    for word in ("已配套", "弱链", "缺链", "断链", "无数据", "关键环节"):
        assert word in page                       # the legend
    assert "cdn.jsdelivr" not in page             # self-contained: no CDN
    assert '"physics": {"enabled": false}' in page


def synthetic_links(n: int, segments: int = 4) -> pd.DataFrame:
    """A layered chain: n products over 3 stages and ``segments`` segments per stage; each product
    feeds two products of the next segment."""
    stages = [("upstream", "上游"), ("midstream", "中游"), ("downstream", "下游")]
    rows, ids = [], [f"P{i:03d}" for i in range(n)]
    groups = 3 * segments
    for i, pid in enumerate(ids):
        g = i * groups // n
        stage, stage_cn = stages[g // segments]
        nxt = [ids[j] for j in range(n) if j * groups // n == g + 1]
        down = nxt[(i % max(1, len(nxt))):][:2] if nxt else []
        status = ["covered", "weak", "missing", "no_data"][i % 4]
        rows.append(dict(product_id=pid, name=f"产品{i}号", stage=stage, stage_cn=stage_cn, segment=f"环节{g}",
                         key_link=i % 5 == 0, status=status, broken=status == "missing" and i % 3 == 0,
                         label=status, local_makers=i % 3, makers_total=5, local_maker_names="", reason="",
                         upstream="", downstream="", downstream_ids=";".join(down), grade="", priority=0.0))
    return pd.DataFrame(rows)


def test_forty_links_are_layered_left_to_right_without_overlap():
    links = synthetic_links(40)
    items = P._link_items(links)
    pos, headers, bands, tallest, ncols = L.layered_layout(items)
    assert len(pos) == 40
    assert tallest <= L.capacity_for(40)
    # stages are bands from left to right, and every product sits inside its stage's band
    assert [b["stage"] for b in bands] == ["upstream", "midstream", "downstream"]
    band = {b["stage"]: b for b in bands}
    for pid, stage in zip(links["product_id"], links["stage"]):
        assert band[stage]["x0"] < pos[pid][0] < band[stage]["x1"]
    # boxes never overlap: nodes (and segment headers) in one column are at least a row apart
    cells = [(round(x), y) for x, y in pos.values()] + [(round(x), y) for x, y, _ in headers]
    by_col: dict = {}
    for x, y in cells:
        by_col.setdefault(x, []).append(y)
    for ys in by_col.values():
        ys.sort()
        assert all(b - a >= L.ROW_H - 1e-6 for a, b in zip(ys, ys[1:]))
    # flows run left to right
    for pid, down in zip(items["id"], items["down"]):
        for d in down:
            assert pos[d][0] > pos[pid][0]
    page = P.panorama(links).html
    assert len([n for n in _nodes(page) if not n["id"].startswith("__hdr")]) == 40


def test_big_chains_are_aggregated_by_segment():
    links = synthetic_links(P.AGGREGATE_AT + 50, segments=5)
    fig = P.panorama(links)
    assert fig.aggregated and fig.nodes == 15
    assert "环节分类" in fig.html


def test_neighbourhood_graph_is_escaped_and_expandable(xss_store):
    parts = [xss_store.neighbourhood("Enterprise", "E1"), xss_store.neighbourhood("Product", "P1")]
    nodes, edges = merge(parts)
    assert {"E1", "P1", "140100"} <= set(nodes["id"])
    page, height = graph_html(nodes, edges, node_key("Enterprise", "E1"),
                              [node_key("Enterprise", "E1"), node_key("Product", "P1")])
    assert "<img" not in page and height > 300
    drawn = {n["id"]: n for n in _nodes(page)}
    assert drawn[node_key("Enterprise", "E1")]["label"].replace("\n", "") == XSS   # canvas text, JSON-escaped
    assert "&lt;img" in drawn[node_key("Enterprise", "E1")]["title"]


def test_pages_are_byte_for_byte_pyvis_without_importing_it(report, xss_store, monkeypatch):
    """ui.vis_page draws pyvis's page without pyvis (its import pulls networkx and IPython):
    the HTML equals what pyvis itself renders, for panoramas (plain, aggregated, highlighted)
    and the neighbourhood graph."""
    import sys
    import subprocess

    from ui import vis_page

    code = "import ui.panorama as P, sys; P._network(400).generate_html(); print('pyvis' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
    nodes, edges = merge([xss_store.neighbourhood("Enterprise", "E1"), xss_store.neighbourhood("Product", "P1")])
    pages = [lambda: P.panorama(report.links, selected="P2").html,
             lambda: P.panorama(report.links, highlight={"P1"}).html,
             lambda: P.panorama(synthetic_links(P.AGGREGATE_AT + 50, segments=5)).html,
             lambda: graph_html(nodes, edges, node_key("Enterprise", "E1"))[0]]
    ours = [draw() for draw in pages]
    from pyvis.network import Network
    monkeypatch.setattr(vis_page, "Network", Network)
    assert [draw() for draw in pages] == ours
