"""招商组合 on hand-made worlds, on every store (the ``store`` fixture): picks, explanations,
unknown locations, constraints, weights."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import planworld  # noqa: E402
from gapworld import world as gap_world  # noqa: E402

from graph.analysis.plan import PICK_COLUMNS, PlanWeights, plan  # noqa: E402
from graph.errors import ChainAtlasError, NotFound  # noqa: E402
from graph.options import DEFAULT_WEIGHTS  # noqa: E402


@pytest.fixture
def pw(store):
    store.apply(planworld.world())
    return store


def test_gap_world_plan_and_explanation(store):
    store.apply(gap_world())
    p = plan(store, "运城市", ["新能源汽车"], k=5)
    assert list(p.picks.columns) == PICK_COLUMNS
    # 电池包 (94) first, then 正极材料 (81.08; 郑州正极 ties 苏州正极 and wins by id), 电机 (weak, key),
    # then the second maker of 正极材料 at 0.3 of its priority, the third (苏州正极二厂) at 0.3²
    assert p.picks["enterprise_id"].tolist() == ["E-PACK-JS", "E-CAT-HN", "E-TY", "E-CAT-JS", "E-CAT-X"]
    assert p.picks["gain"].tolist() == pytest.approx([94.0, 81.08, 45.67, 0.3 * 81.08, 0.09 * 81.08])
    first = p.picks.iloc[0]
    assert first["closes"] == "新能源汽车·电池包" and first["links_closed"] == 1 and first["key_links_closed"] == 1
    assert p.picks.iloc[2]["strengthens"] == "新能源汽车·电机" and p.picks.iloc[2]["links_closed"] == 0
    assert p.picks.iloc[3]["strengthens"] == "新能源汽车·正极材料"
    assert p.picks["value"].iloc[-1] == pytest.approx(p.value) and p.picks["value_share"].iloc[-1] == pytest.approx(1.0)
    assert p.picks["value_share"].is_monotonic_increasing and p.picks["closed_share"].is_monotonic_increasing
    assert p.counts["unknown_location"] == 0
    curve = p.curve()
    assert curve["pick"].tolist() == [0, 1, 2, 3, 4, 5] and curve["value"].iloc[0] == 0
    assert p.picks["source"].iloc[0] == "test" and p.picks["as_of"].iloc[0] == "2024-01-01"
    g = p.gaps.set_index("product_id")
    assert g.at["P-CAT", "closed_by"] == "郑州正极、苏州正极、苏州正极二厂" and g.at["P-CAT", "candidates"] == 3
    assert g.at["P-LI", "candidates"] == 0 and g.at["P-LI", "closed_by"] == ""


def test_enterprise_counted_once_across_chains_and_unknown_never(pw):
    p = plan(pw, "运城市", k=10)
    picks = p.picks.set_index("enterprise_id")
    assert p.picks["enterprise_id"].iloc[0] == "A"               # X@甲 + Y@甲 + Y@乙: three gaps, one pick
    assert picks.at["A", "chains"] == "甲链、乙链" and picks.at["A", "links_closed"] == 3
    assert not {"D", "U"} & set(picks.index)                     # no region / only 山西省: unknown for 运城
    assert "V" not in set(p.gaps["product_id"])                  # their link V is 待核实, not a gap (#11)
    assert sorted(picks.index) == ["A", "B", "C", "P"]
    assert p.by_chain() == {"C-A": ["A", "B"], "C-B": ["A", "C", "P"]}


def test_two_product_maker_preferred_unless_weights_favour_quality(pw):
    assert plan(pw, "运城市", ["甲链"], k=1).picks["enterprise_id"].tolist() == ["A"]
    quality = PlanWeights(quality=1.0)
    assert plan(pw, "运城市", ["甲链"], k=1, weights=quality).picks["enterprise_id"].tolist() == ["B"]
    # … and back when the target score ignores what makes B strong
    plain = DEFAULT_WEIGHTS.with_(fortune500=0, listed=0, scale=0, revenue=0, product_share=0, distance=0,
                                  same_province=0, neighbour_province=0)
    assert plan(pw, "运城市", ["甲链"], k=1, weights=PlanWeights(quality=0.5),
                target_weights=plain).picks["enterprise_id"].tolist() == ["A"]


def test_constraints(pw):
    p = plan(pw, "运城市", k=10, exclude=["苏州甲乙材料"])
    assert "A" not in set(p.picks["enterprise_id"]) and p.counts["excluded_enterprises"] == 1
    p = plan(pw, "运城市", k=10, exclude_provinces=["江苏"])
    assert set(p.picks["province"]) == {"410000"} and p.counts["excluded_provinces"] == 2
    p = plan(pw, "运城市", k=10, chain_cap=1)
    per = {}
    for chains in p.picks["chains"]:
        for c in chains.split("、"):
            per[c] = per.get(c, 0) + 1
    assert max(per.values()) == 1
    # key links first: 甲链's key link X goes before the bigger three-gap pick would matter
    p = plan(pw, "运城市", k=2, key_first=True, weights=PlanWeights(second=0.0))
    assert all(n >= 1 for n in p.picks["key_links_closed"].iloc[:1])
    with pytest.raises(NotFound):
        plan(pw, "运城市", k=3, exclude_provinces=["火星"])
    with pytest.raises(ChainAtlasError):
        plan(pw, "运城市", k=0)


def test_no_gaps_plan_says_so(pw):
    p = plan(pw, "运城市", ["甲链"], k=3, exclude_provinces=["江苏", "河南"])
    assert p.picks.empty and p.value == 0.0
