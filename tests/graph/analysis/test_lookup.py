"""Resolving ids and names: exact, normalised, suffix-free, ambiguous, unknown with suggestions."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import REGIONS, world  # noqa: E402

from graph.analysis import lookup  # noqa: E402
from graph.errors import Ambiguous, NotFound  # noqa: E402

EXTRA_REGIONS = REGIONS + [
    dict(code="110000", name="北京市", level="province"),
    dict(code="110105", name="朝阳区", level="county", parent="110000"),
    dict(code="220000", name="吉林省", level="province"),
    dict(code="220100", name="长春市", level="city", parent="220000"),
    dict(code="220104", name="朝阳区", level="county", parent="220100"),
]


@pytest.fixture
def atlas(store):
    store.apply(world(regions=EXTRA_REGIONS))
    return store


def test_chain_by_id_name_and_normalised(atlas):
    assert lookup.resolve_chain(atlas, "C-NEV")["name"] == "新能源汽车"
    assert lookup.resolve_chain(atlas, " 新能源汽车 ")["chain_id"] == "C-NEV"
    assert lookup.resolve_chain(atlas, "c-nev")["chain_id"] == "C-NEV"
    assert lookup.resolve_chain(atlas, "新能源汽车产业链")["chain_id"] == "C-NEV"


def test_unknown_chain_suggests(atlas):
    with pytest.raises(NotFound) as err:
        lookup.resolve_chain(atlas, "新能原汽车")
    assert err.value.candidates[0] == "新能源汽车"
    assert "您是不是要找：新能源汽车" in err.value.hint


def test_product_by_alias_and_within(atlas):
    assert lookup.resolve_product(atlas, "锂辉石")["product_id"] == "P-LI"
    assert lookup.resolve_product(atlas, "P-CAR")["name"] == "整车"
    products = atlas.table("products")
    with pytest.raises(NotFound):
        lookup.resolve_product(atlas, "整车", within=products[products["product_id"] == "P-LI"])


def test_region_forms(atlas):
    assert lookup.resolve_region(atlas, "运城市")["code"] == "140800"
    assert lookup.resolve_region(atlas, "运城")["code"] == "140800"
    assert lookup.resolve_region(atlas, "140802")["name"] == "盐湖区"
    assert lookup.resolve_region(atlas, "山西省运城市")["code"] == "140800"
    assert lookup.resolve_region(atlas, "北京朝阳区")["code"] == "110105"


def test_ambiguous_region_lists_codes(atlas):
    with pytest.raises(Ambiguous) as err:
        lookup.resolve_region(atlas, "朝阳区")
    assert err.value.candidates == ["110105（朝阳区，北京市）", "220104（朝阳区，长春市）"]
    assert "110105" in err.value.hint


def test_unknown_region_suggests(atlas):
    with pytest.raises(NotFound) as err:
        lookup.resolve_region(atlas, "运成市")
    assert "运城市" in err.value.candidates


def test_place_region_or_park(atlas):
    assert lookup.resolve_place(atlas, "运城市")["kind"] == "region"
    park = lookup.resolve_place(atlas, "运城经济技术开发区")
    assert (park["kind"], park["id"], park["code"]) == ("park", "PK-YC", "140802")
    assert lookup.resolve_place(atlas, "PK-FD")["counted_for"] == "140800"
    with pytest.raises(NotFound) as err:
        lookup.resolve_place(atlas, "运城经开区")
    assert err.value.kind == "地区或园区" and err.value.candidates


def test_enterprise(atlas):
    assert lookup.resolve_enterprise(atlas, "E-CAR1")["name"] == "大运汽车"
    assert lookup.resolve_enterprise(atlas, "大运汽车")["enterprise_id"] == "E-CAR1"
    with pytest.raises(NotFound):
        lookup.resolve_enterprise(atlas, "不存在的公司")


def test_suggestions_pure():
    assert lookup.suggestions("新能原汽车", ["新能源汽车", "特钢材料"]) == ["新能源汽车"]
    assert lookup.suggestions("电池", ["动力电池", "整车"]) == ["动力电池"]
