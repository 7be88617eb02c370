"""Region tree, scopes (飞地 attribution on/off), geography helpers."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis import geo  # noqa: E402
from graph.analysis.scope import RegionTree, park_scope, place_of_park, place_of_region, region_scope  # noqa: E402
from graph.store import Scope  # noqa: E402


@pytest.fixture
def tree():
    b = world()
    return RegionTree(b["regions"], b["parks"])


def test_descendants_and_ancestors(tree):
    assert tree.descendants("140800") == {"140800", "140802"}
    assert tree.descendants("140000") == {"140000", "140100", "140800", "140802"}
    assert tree.ancestors("140802") == ["140802", "140800", "140000"]
    assert tree.province("140802") == "140000"
    assert tree.children("140000") == ["140100", "140800"]


def test_centroid_falls_back_to_parent(tree):
    assert tree.centroid("140802") == (111.0, 35.03)  # 盐湖区 has no lon/lat: 运城市's
    assert tree.centroid("999999") is None


def test_locate_falls_back_to_city_and_province_codes(tree):
    loc = tree.locate(pd.Series(["140802", "140899", "410199", "110101", None]))
    assert loc["lon"].tolist()[:3] == [111.0, 111.0, 113.63]
    assert loc["province"].tolist() == ["140000", "140000", "410000", "110000", None]
    assert pd.isna(loc.at[3, "lon"]) and pd.isna(loc.at[4, "lon"])


def test_region_scope_enclave_on(tree):
    # 运城: the 飞地 park standing in 太原 but counted for 运城 is included
    assert region_scope(tree, "140800") == Scope(frozenset({"140800", "140802"}),
                                                 frozenset({"PK-FD", "PK-YC"}), frozenset())
    # 太原: the park standing there but counted for 运城 is excluded
    assert region_scope(tree, "140100") == Scope(frozenset({"140100"}), frozenset(), frozenset({"PK-FD"}))


def test_region_scope_enclave_off(tree):
    assert region_scope(tree, "140800", enclave_attribution=False) == Scope(
        frozenset({"140800", "140802"}), frozenset({"PK-YC"}), frozenset({"PK-FD"}))
    assert region_scope(tree, "140100", enclave_attribution=False) == Scope(
        frozenset({"140100"}), frozenset({"PK-FD"}), frozenset())


def test_province_scope_keeps_internal_enclave(tree):
    sc = region_scope(tree, "140000")
    assert sc.include_parks == {"PK-FD", "PK-YC"} and sc.exclude_parks == frozenset()


def test_park_scope_and_places(tree):
    assert park_scope("PK-YC") == Scope(include_parks=frozenset({"PK-YC"}))
    p = place_of_park(tree, "PK-FD")
    assert (p["kind"], p["code"], p["counted_for"], p["province"], p["lon"]) == \
        ("park", "140100", "140800", "140000", 112.55)
    r = place_of_region(tree, "140802")
    assert (r["name"], r["level"], r["province"], r["lat"]) == ("盐湖区", "county", "140000", 35.03)


def test_attribute_follows_enclave_rule(tree):
    region = pd.Series(["140100", "140100", None, "140802"])
    park = pd.Series(["PK-FD", None, "PK-YC", None])
    assert tree.attribute(region, park, True).tolist() == ["140800", "140100", "140802", "140802"]
    assert tree.attribute(region, park, False).tolist() == ["140100", "140100", "140802", "140802"]


def test_geo_tables():
    assert len(geo.PROVINCES) == 31 and set(geo.NEIGHBOURS) == set(geo.PROVINCES)
    for a, ns in geo.NEIGHBOURS.items():
        assert ns and all(a in geo.NEIGHBOURS[n] for n in ns), a
    assert geo.NEIGHBOURS["140000"] == {"130000", "150000", "410000", "610000"}
    assert len(geo.EASTERN) == 10 and "140000" not in geo.EASTERN and "320000" in geo.EASTERN
    assert geo.province_of_code("140802") == "140000" and geo.province_of_code("990000") is None


def test_haversine():
    assert geo.haversine_km(111.0, 35.03, 111.0, 35.03) == 0
    assert round(geo.haversine_km(0, 0, 0, 1), 1) == 111.2
