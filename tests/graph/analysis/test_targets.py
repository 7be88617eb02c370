"""Recruitment targets: order, exact score parts, weights, ties, unknown-region enterprises."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis import geo  # noqa: E402
from graph.analysis.gaps import diagnose  # noqa: E402
from graph.options import Weights  # noqa: E402
from graph.analysis.scope import RegionTree  # noqa: E402
from graph.store import MAKER_COLUMNS  # noqa: E402
from graph.analysis.targets import TARGET_COLUMNS, rank_targets, score_targets  # noqa: E402

PARTS = ["s_role_tags", "s_scale", "s_revenue", "s_share", "s_distance", "s_province", "s_transfer", "s_ties",
         "score"]
YC = (111.0, 35.03)


def km(lon, lat):
    return round(geo.haversine_km(*YC, lon, lat), 1)


@pytest.fixture
def atlas(store):
    store.apply(world())
    return store


@pytest.fixture
def report(atlas):
    return diagnose(atlas, "新能源汽车", "运城市")


def test_order_and_exact_parts(atlas, report):
    t = rank_targets(atlas, report)
    assert list(t.columns) == TARGET_COLUMNS
    # gaps by priority (电池包 94, 正极材料 81.08, 电机 45.67); 锂矿/电池管理系统 have no outside maker
    assert t[["gap_product_id", "rank", "enterprise_id"]].values.tolist() == [
        ["P-PACK", 1, "E-PACK-JS"], ["P-CAT", 1, "E-CAT-JS"], ["P-CAT", 2, "E-CAT-HN"], ["P-CAT", 3, "E-CAT-X"],
        ["P-MOTOR", 1, "E-TY"]]
    rows = t.set_index("enterprise_id")
    d_js, d_hn, d_ty = km(120.58, 31.30), km(113.63, 34.75), km(112.55, 37.87)
    s_js, s_hn, s_ty = (round(15 * (1 - d / 1500), 2) for d in (d_js, d_hn, d_ty))
    # 苏州正极: listed 10 + 小巨人 12; 大型; 200 亿元 revenue; share 0.3; far, not a neighbour; supplies 链主 大运
    assert rows.loc["E-CAT-JS", PARTS].tolist() == pytest.approx(
        [22, 10, 8.6, 4.5, s_js, 0, 0, 20, round(22 + 10 + 8.6 + 4.5 + s_js + 20, 2)])
    # 郑州正极: 专精特新 8; 中型 7.5; 5 亿元; share 0.6; 河南 neighbours 山西; buys from 运城锂业
    assert rows.loc["E-CAT-HN", PARTS].tolist() == pytest.approx(
        [8, 7.5, 5.4, 9, s_hn, 5, 0, 5, round(8 + 7.5 + 5.4 + 9 + s_hn + 5 + 5, 2)])
    # 太原整车: 链主 20 + listed 10 + 规上 4; same province 10
    assert rows.loc["E-TY", PARTS].tolist() == pytest.approx(
        [34, 10, 8.95, 3, s_ty, 10, 0, 0, round(34 + 10 + 8.95 + 3 + s_ty + 10, 2)])
    assert rows.at["E-CAT-JS", "distance_km"] == d_js
    assert rows.loc["E-CAT-JS", ["supplies_local", "supplies_leader", "buys_local"]].tolist() == [True, True, False]
    assert rows.at["E-CAT-JS", "reason"] == ("上市（10分）·小巨人（12分）·大型（10分）·营收200亿元（8.6分）·"
                                             f"产品占营收30%（4.5分）·距离{round(d_js)}km（{s_js:g}分）·已向本地链主供货（20分）")
    assert rows.at["E-CAT-HN", "reason"] == ("专精特新（8分）·中型（7.5分）·营收5亿元（5.4分）·产品占营收60%（9分）·"
                                             f"距离{round(d_hn)}km（{s_hn:g}分）·邻省（5分）·已从本地采购（5分）")
    assert rows.at["E-TY", "role"] == "链主" and rows.at["E-TY", "province_name"] == "山西省"
    assert rows.at["E-PACK-JS", "tags"] == "500强、上市" and rows.at["E-PACK-JS", "gap_label"] == "断链·缺链"


def test_candidates_with_a_known_location_get_proximity(atlas, report):
    t = rank_targets(atlas, report)
    x = t.set_index("enterprise_id").loc["E-CAT-X"]
    assert x["distance_km"] == km(120.58, 31.30) and x["province"] == "320000" and x["location"] == "区域外"
    assert t.attrs["notes"] == [] and t.attrs["unverified"] == 0


def test_weights_change_the_order(atlas, report):
    near = rank_targets(atlas, report, weights=Weights(distance=100))
    cat = near[near["gap_product_id"] == "P-CAT"]
    assert cat["enterprise_id"].tolist() == ["E-CAT-HN", "E-CAT-JS", "E-CAT-X"]
    no_ties = rank_targets(atlas, report, weights=Weights(supplies_local=0, supplies_leader=0, buys_local=0))
    assert no_ties.set_index("enterprise_id").at["E-CAT-JS", "s_ties"] == 0


def test_eastern_transfer_option(atlas, report):
    off = rank_targets(atlas, report).set_index("enterprise_id")
    on = rank_targets(atlas, report, weights=Weights(eastern_transfer=True)).set_index("enterprise_id")
    assert off.at["E-CAT-JS", "s_transfer"] == 0 and on.at["E-CAT-JS", "s_transfer"] == 8
    assert on.at["E-CAT-HN", "s_transfer"] == 0            # 河南 is not eastern
    assert on.at["E-CAT-JS", "score"] == off.at["E-CAT-JS", "score"] + 8
    assert "东部产业转移" in on.at["E-CAT-JS", "reason"]


def test_top_and_products(atlas, report):
    assert rank_targets(atlas, report, top=1)["enterprise_id"].tolist() == ["E-PACK-JS", "E-CAT-JS", "E-TY"]
    car = rank_targets(atlas, report, products=["P-CAR"])
    assert car["enterprise_id"].tolist() == ["E-TY"] and car.at[0, "gap_label"] == "已配套"



def test_a_given_gap_list_is_the_reports_own(atlas, report):
    """rank_targets(gaps=report.gaps()) (the export makes each gap list once) answers as without it,
    and ``products`` still wins over a given gap list."""
    from graph.analysis.scope import RegionTree
    tree = RegionTree.from_store(atlas)
    for kw in ({}, {"tree": tree}):
        plain = rank_targets(atlas, report, top=2, **kw)
        given = rank_targets(atlas, report, top=2, gaps=report.gaps(), **kw)
        assert len(plain)
        pd.testing.assert_frame_equal(given, plain, check_exact=True)
        assert given.attrs == plain.attrs
    car = rank_targets(atlas, report, products=["P-CAR"], gaps=report.gaps())
    assert car["enterprise_id"].tolist() == ["E-TY"]
    assert rank_targets(atlas, report, gaps=report.gaps().iloc[:0]).empty

def test_no_gaps_gives_an_empty_frame_with_a_note(atlas):
    from graph.options import Thresholds
    r = diagnose(atlas, "C-NEV", "运城市", thresholds=Thresholds(min_makers=1, min_large=0, min_revenue_share=0))
    r.links.loc[r.links["status"] == "missing", "status"] = "covered"
    t = rank_targets(atlas, r)
    assert t.empty and list(t.columns) == TARGET_COLUMNS and t.attrs["notes"]


# --- pure and vectorised ---------------------------------------------------------------------------
def _tree():
    b = world()
    return RegionTree(b["regions"], b["parks"])


def _gaps():
    return pd.DataFrame({"product_id": ["P"], "name": ["产品"], "label": ["缺链"], "grade": ["紧急"],
                         "priority": [50.0]})


def _place(tree):
    from graph.analysis.scope import place_of_region
    return place_of_region(tree, "140800")


def test_ties_broken_by_revenue_then_id():
    rows = [dict(enterprise_id=e, product_id="P", link_id="P", revenue=rv, region="410100", scale=None,
                 tags=[], listed=False, revenue_share=None, park=None, name=e) for e, rv in
            [("b", 100.0), ("a", 100.0), ("c", 1e9)]]
    c = pd.DataFrame([{**{k: None for k in MAKER_COLUMNS}, **r} for r in rows])
    tree = _tree()
    t = score_targets(c, _gaps(), _place(tree), tree, pd.DataFrame(), pd.DataFrame(), set(), set(),
                      Weights(revenue=0))
    assert t["enterprise_id"].tolist() == ["c", "a", "b"] and t["rank"].tolist() == [1, 2, 3]


def test_shortlisting_keeps_the_true_top_n_at_scale():
    n = 100_000
    rng = np.random.default_rng(0)
    c = pd.DataFrame({k: None for k in MAKER_COLUMNS}, index=range(n))
    c["enterprise_id"] = [f"E{i}" for i in range(n)]
    c["product_id"] = c["link_id"] = "P"
    c["region"] = rng.choice(["410100", "320500", "140100", None], n)
    c["scale"] = rng.choice(["大型", "小型", None], n)
    c["revenue"] = rng.uniform(0, 1e6, n)
    c["revenue_share"] = rng.uniform(0, 1, n)
    c["tags"] = [["规上"] if i % 3 else [] for i in range(n)]
    c["listed"] = False
    tree = _tree()
    t = score_targets(c, _gaps(), _place(tree), tree, pd.DataFrame(), pd.DataFrame(), set(), set(), top=5)
    everyone = score_targets(c, _gaps(), _place(tree), tree, pd.DataFrame(), pd.DataFrame(), set(), set(), top=n)
    # the shortlist used for speed must not change who is ranked: top 5 = the 5 best of all n
    assert len(t) == 5 and t["score"].is_monotonic_decreasing
    assert t["enterprise_id"].tolist() == everyone["enterprise_id"].head(5).tolist()


def test_reason_names_every_scored_part_and_adds_up(atlas, report):
    """#12: every part with points is in the reason (revenue and 高新技术 too), and they sum to the score."""
    import re
    for weights in (Weights(), Weights(eastern_transfer=True), Weights(tags_cap=15), Weights(high_tech=30)):
        t = rank_targets(atlas, report, weights=weights)
        assert len(t)
        for reason, score in zip(t["reason"], t["score"]):
            points = [float(x) for x in re.findall(r"（(?:封顶)?([0-9.]+)分）", reason)]
            assert sum(points) == pytest.approx(score, abs=0.011), reason
    capped = rank_targets(atlas, report, weights=Weights(tags_cap=15)).set_index("enterprise_id")
    assert capped.at["E-CAT-JS", "reason"].startswith("上市、小巨人（封顶15分）·")
