"""ui.result_cache: the first page's results kept between app starts, never across data or code."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from graph.analysis.overview import chain_overview  # noqa: E402
from graph.store.embedded.store import EmbeddedStore  # noqa: E402
from ui import result_cache  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
from gapworld import honest_world, world  # noqa: E402


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINATLAS_CACHE_DIR", str(tmp_path / "results"))
    return tmp_path / "results"


def _counting(store, place="运城市"):
    calls = []

    def compute():
        calls.append(1)
        return chain_overview(store, place)
    return calls, compute


def test_a_later_start_reads_the_result_back(tmp_path, cache):
    db = str(tmp_path / "db")
    with EmbeddedStore(db) as store:
        store.apply(world())
        calls, compute = _counting(store)
        first = result_cache.cached("overview", db, store.generation(), ("运城市",), compute)
        again = result_cache.cached("overview", db, store.generation(), ("运城市",), compute)
        other = result_cache.cached("overview", db, store.generation(), ("140802",),
                                    lambda: chain_overview(store, "140802"))
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, again)
    assert len(list(cache.glob("overview-*.pkl"))) == 2
    assert not other.equals(first)


def test_new_data_or_a_new_store_at_the_same_path_is_computed_again(tmp_path, cache):
    db = str(tmp_path / "db")
    with EmbeddedStore(db) as store:
        store.apply(world())
        calls, compute = _counting(store)
        result_cache.cached("overview", db, store.generation(), ("运城市",), compute)
        gen = store.generation()
        store.apply(honest_world())          # a second load with more data: a new generation
        assert store.generation() != gen
        result_cache.cached("overview", db, store.generation(), ("运城市",), compute)
    assert len(calls) == 2
    shutil.rmtree(db)
    with EmbeddedStore(db) as store:     # deleted and loaded again: maybe the same generation number
        store.apply(world())
        result_cache.cached("overview", db, store.generation(), ("运城市",), compute)
    assert len(calls) == 3


def test_damaged_files_off_switch_and_stores_that_are_not_folders(tmp_path, cache, monkeypatch):
    db = str(tmp_path / "db")
    with EmbeddedStore(db) as store:
        store.apply(world())
        calls, compute = _counting(store)
        result_cache.cached("overview", db, store.generation(), ("运城市",), compute)
        for f in cache.glob("overview-*.pkl"):
            f.write_bytes(b"not a pickle")
        value = result_cache.cached("overview", db, store.generation(), ("运城市",), compute)
        assert len(calls) == 2 and list(value.columns)[0] == "chain_id"
        assert len(result_cache.cached("overview", db, store.generation(), ("运城市",), compute)) == len(value)
        assert len(calls) == 2                                   # the damaged file was replaced
        result_cache.cached("overview", "bolt://localhost:7687", "1", ("运城市",), compute)
        monkeypatch.setenv("CHAINATLAS_CACHE_DIR", "none")
        result_cache.cached("overview", db, store.generation(), ("运城市",), compute)
    assert len(calls) == 4


def test_boundaries_kept_on_disk_draw_the_same_map(cache):
    from graph.analysis import boundaries
    from ui.divisions_map import division_chart
    codes = ["140100", "140800", "999999"]
    values = pd.DataFrame({"code": codes, "name": ["太原市", "运城市", "无"], "value": [0.5, float("nan"), 0.1],
                           "text": ["50%", "无数据", "10%"]})
    parks = pd.DataFrame(columns=["park", "kind", "region", "lon", "lat"])
    fresh = division_chart(values, metric="本地配套率", rate=True, parks=parks)
    calls = []

    def compute():
        calls.append(1)
        return boundaries.geometries(codes)
    stamp = boundaries.source_stamp()
    assert stamp is not None
    result_cache.kept("shapes", (stamp, tuple(codes)), compute)
    shapes = result_cache.kept("shapes", (stamp, tuple(codes)), compute)          # read back from the file
    assert calls == [1] and shapes["999999"] is None and shapes["140800"]["type"] == "MultiPolygon"
    saved = dict(boundaries._KNOWN)
    try:
        boundaries._KNOWN.clear()
        boundaries._geometry.cache_clear()
        boundaries.remember(shapes)
        assert division_chart(values, metric="本地配套率", rate=True, parks=parks) == fresh
        assert boundaries._geometry.cache_info().misses == 0     # no file parsed again
    finally:
        boundaries._KNOWN.clear()
        boundaries._KNOWN.update(saved)
    assert result_cache.kept("shapes", (("elsewhere", 0, boundaries.TOLERANCE), tuple(codes)), compute) == shapes
    assert calls == [1, 1]                                       # other boundary data: computed again
