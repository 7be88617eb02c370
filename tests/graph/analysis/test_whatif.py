"""假如引进 on the gap world, on every store: exactly the expected links turn, nothing is written,
scenarios round-trip."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis.gaps import diagnose  # noqa: E402
from graph.analysis.scenarios import list_scenarios, load_scenario, run_scenario, save_scenario  # noqa: E402
from graph.analysis.whatif import CHANGE_COLUMNS, SIMULATED_SOURCE, what_if, what_if_chains  # noqa: E402
from graph.errors import ChainAtlasError, NotFound  # noqa: E402
from graph.options import Thresholds  # noqa: E402


@pytest.fixture
def gw(store):
    store.apply(world())
    return store


def turned(w) -> dict:
    c = w.changes
    return {p: (ch, br) for p, ch, br in zip(c["product_id"], c["change"], c["broken_repaired"]) if ch or br}


def test_two_plants_turn_exactly_their_links(gw):
    gen = gw.generation()
    w = what_if(gw, "新能源汽车", "运城市", ["E-PACK-JS", "郑州正极"])
    assert list(w.changes.columns) == CHANGE_COLUMNS
    # one maker each: 缺链 -> 弱链 (fewer than 2 local makers); still 断链
    assert turned(w) == {"P-CAT": ("缺链→弱链", False), "P-PACK": ("缺链→弱链", False)}
    assert w.closed() == ["P-CAT", "P-PACK"]
    s = w.summary.set_index("metric")
    assert s.at["missing", "before"] == 2 and s.at["missing", "after"] == 0
    assert s.at["local_rate", "before"] == pytest.approx(0.75) and s.at["local_rate", "after"] == pytest.approx(1.0)
    assert s.at["key_weighted_rate", "after"] > s.at["key_weighted_rate", "before"]
    added = w.added.set_index("enterprise_id")
    assert set(added.index) == {"E-PACK-JS", "E-CAT-HN"}
    assert set(added["source"]) == {SIMULATED_SOURCE} and added["illustrative"].all()
    assert set(added["as_of"]) == {"2024-01-01"} and set(added["region"]) == {"140800"}
    lead = w.leaders.set_index("enterprise_id")
    assert lead.at["E-CAR1", "inputs_local"] == 2 and lead.at["E-CAR1", "inputs_local_after"] == 3
    # nothing written: same data generation, same diagnosis
    assert gw.generation() == gen
    assert diagnose(gw, "新能源汽车", "运城市").summary == w.before.summary


def test_lower_thresholds_close_and_repair(gw):
    th = Thresholds(min_makers=1)
    w = what_if(gw, "新能源汽车", "运城市", ["E-PACK-JS", "E-CAT-HN"], thresholds=th)
    assert turned(w) == {"P-CAT": ("缺链→已配套", True), "P-PACK": ("缺链→已配套", True)}
    assert w.summary.set_index("metric").at["broken", "after"] == 0


def test_plant_at_a_county_or_park_and_leader_becomes_local(gw):
    w = what_if(gw, "新能源汽车", "运城市", ["E-TY"], at="盐湖区")
    assert set(w.added["region"]) == {"140802"}
    # 太原整车 makes 电机 (weak: no 规上) and 整车: 电机 gets a 规上 maker -> covered
    assert turned(w) == {"P-MOTOR": ("弱链→已配套", False)}
    lead = w.leaders.set_index("enterprise_id")
    assert not lead.at["E-TY", "is_local"] and lead.at["E-TY", "is_local_after"]
    w = what_if(gw, "新能源汽车", "运城市", ["E-PACK-JS"], at="PK-YC")
    assert set(w.added["park"]) == {"PK-YC"} and turned(w) == {"P-PACK": ("缺链→弱链", False)}
    with pytest.raises(ChainAtlasError, match="不在"):
        what_if(gw, "新能源汽车", "运城市", ["E-PACK-JS"], at="郑州市")
    with pytest.raises(NotFound):
        what_if(gw, "新能源汽车", "运城市", ["不存在的企业"])


def test_local_or_unrelated_enterprises_change_nothing(gw):
    w = what_if(gw, "新能源汽车", "运城市", ["E-CAR1"])
    assert w.added.empty and turned(w) == {} and w.changes.empty
    assert any("无影响" in n for n in w.notes)


def test_chains_found_from_products_and_scenario_round_trip(gw, tmp_path):
    ws = what_if_chains(gw, None, "运城市", ["E-PACK-JS"])
    assert [w.chain["chain_id"] for w in ws] == ["C-NEV"]
    path = save_scenario(tmp_path, "电池包/引进", "运城市", ["E-PACK-JS"], at="盐湖区")
    assert path.name == "电池包_引进.json"
    listed = list_scenarios(tmp_path)
    assert listed["name"].tolist() == ["电池包/引进"] and listed["enterprises"].tolist() == [1]
    doc = load_scenario(tmp_path, "电池包/引进")
    again = run_scenario(gw, doc)
    assert [turned(w) for w in again] == [{"P-PACK": ("缺链→弱链", False)}]
    assert set(again[0].added["region"]) == {"140802"}
    with pytest.raises(NotFound):
        load_scenario(tmp_path, "没有这个")
