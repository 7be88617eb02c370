"""Regional comparison: coverage per city, city x link matrix, 飞地 attribution, unassigned makers."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis.compare import CELL_COLUMNS, COVERAGE_COLUMNS, compare_regions  # noqa: E402
from graph.errors import NotFound  # noqa: E402
from graph.analysis.gaps import diagnose  # noqa: E402

ORDER = ["锂矿", "正极材料", "电芯", "电池管理系统", "电池包", "电机", "汽车玻璃", "整车", "充电桩"]


@pytest.fixture
def atlas(store):
    store.apply(world())
    return store


def matrix_rows(c):
    m = c.matrix.set_index("name")
    return {name: [int(m.at[name, p]) for p in ORDER] for name in m.index}


def test_province_by_city(atlas):
    c = compare_regions(atlas, "新能源汽车", "山西省")
    assert list(c.coverage.columns) == COVERAGE_COLUMNS and list(c.cells.columns) == CELL_COLUMNS
    assert c.level == "city"
    cov = c.coverage.set_index("name")
    assert cov.loc["太原市", ["covered", "weak", "missing", "broken", "no_data", "local", "local_rate",
                           "key_weighted_rate", "local_enterprises"]].tolist() == [0, 2, 6, 0, 1, 2, 0.25, 0.3077, 1]
    assert cov.loc["运城市", ["covered", "weak", "missing", "broken", "local_rate", "key_weighted_rate",
                           "local_enterprises"]].tolist() == [3, 3, 2, 2, 0.75, 0.6923, 11]
    assert list(c.matrix.columns[:2]) == ["code", "name"] and set(c.matrix.columns[2:]) == set(ORDER)
    assert matrix_rows(c) == {"太原市": [0, 0, 0, 0, 0, 1, 0, 1, 0], "运城市": [2, 0, 2, 1, 0, 2, 2, 2, 0]}


def test_city_row_matches_the_city_diagnosis(atlas):
    c = compare_regions(atlas, "C-NEV", "140000")
    r = diagnose(atlas, "C-NEV", "140800")
    yc = c.cells[c.cells["code"] == "140800"].set_index("product_id")
    assert yc["status"].to_dict() == r.links.set_index("product_id")["status"].to_dict()
    assert yc["broken"].to_dict() == r.links.set_index("product_id")["broken"].to_dict()


def test_enclave_off_moves_the_park_to_where_it_stands(atlas):
    c = compare_regions(atlas, "C-NEV", "山西省", enclave_attribution=False)
    assert matrix_rows(c) == {"太原市": [0, 0, 1, 0, 0, 1, 0, 1, 0], "运城市": [2, 0, 1, 1, 0, 2, 2, 2, 0]}


def test_city_by_county_with_unassigned_makers(atlas):
    c = compare_regions(atlas, "C-NEV", "运城市")
    assert c.coverage["name"].tolist() == ["盐湖区", "未细分"]
    assert c.coverage["local_enterprises"].tolist() == [4, 7]
    assert matrix_rows(c)["盐湖区"] == [1, 0, 0, 0, 0, 1, 1, 1, 0]
    assert c.notes[0] == "7 家本地企业只登记到“运城市”本级或未能归到下级区划，列为“未细分”。"


def test_leaf_region_and_unknown_names(atlas):
    c = compare_regions(atlas, "C-NEV", "盐湖区")
    assert c.notes[0] == "“盐湖区”没有下级区划，无法分区比较。"
    assert c.coverage["name"].tolist() == ["未细分"]
    with pytest.raises(NotFound):
        compare_regions(atlas, "C-NEV", "火星省")
