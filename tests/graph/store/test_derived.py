"""The derived columnar makers tables (graph.store.embedded.derived) against the row tables.

``makers()`` has two ways to its answer: arrays from the derived tables (written in each load
transaction) and the row tables (stores written before the derived tables existed). On a
synthetic data set with gaps in every attribute (no region, no scale, unknown revenue, employees
and listed, tags, several sources) both must give exactly the same frames, for every side and
scope; after a merge load that moves and renames enterprises the derived tables follow.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graph.store import Scope
from graph.store.embedded import derived
from graph.store.embedded.makers import MakersIndex
from graph.store.embedded.store import EmbeddedStore
from loaders import synth
from tests.conftest import build_batch


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    batch = synth.generate(3000, 4, 40, seed=5)
    ent = batch.tables["enterprises"]
    rng = np.random.default_rng(5)
    for col in ("region", "scale", "revenue", "employees", "listed"):
        ent.loc[rng.choice(ent.index, size=len(ent) // 7, replace=False), col] = None
    makes = batch.tables["enterprise_products"]
    makes.loc[rng.choice(makes.index, size=len(makes) // 5, replace=False), "revenue_share"] = None
    makes.loc[makes.index[::11], "source"] = "另一来源"
    makes.loc[makes.index[::13], "as_of"] = None
    store = EmbeddedStore(str(tmp_path_factory.mktemp("derived") / "db"))
    store.apply(batch)
    yield store, batch
    store.close()


def _both(store, products):
    with store._read() as conn:
        gen = store._generation(conn)
        assert derived.current(conn, gen)
        rows = MakersIndex(conn, gen, products)
        cols = MakersIndex.from_derived(conn, derived.dictionaries(conn), gen, products)
    return rows, cols


def _scopes(batch):
    ent = batch.tables["enterprises"]
    regions = ent["region"].dropna().astype(str)
    parks = ent["park"].dropna().astype(str).unique().tolist()
    return [None, Scope(region_codes=frozenset(regions[regions.str.startswith(regions.iloc[0][:2])])),
            Scope(region_codes=frozenset(regions.unique()[:5]), include_parks=frozenset(parks[:2]),
                  exclude_parks=frozenset(parks[2:4])),
            Scope(include_parks=frozenset(parks[:1]))]


def test_derived_and_row_tables_give_the_same_makers(world):
    store, batch = world
    cp = batch.tables["chain_products"]
    for chain in cp["chain"].unique()[:2]:
        products = sorted(cp.loc[cp["chain"] == chain, "product"].astype(str)) + ["NO-SUCH-PRODUCT"]
        rows, cols = _both(store, products)
        for scope in _scopes(batch):
            for side in ("inside", "outside", "all"):
                a, b = rows.makers(products, scope, side), cols.makers(products, scope, side)
                assert len(a) > 0 or side == "inside"
                pd.testing.assert_frame_equal(a, b)
    assert store.makers(products, None, "all")["employees"].map(type).isin([int, type(None)]).all()


def test_stale_derived_tables_fall_back_to_the_row_tables(world, tmp_path):
    store, batch = world
    products = sorted(batch.tables["chain_products"]["product"].astype(str))[:60]
    want = store.makers(products, None, "all")
    other = EmbeddedStore(str(tmp_path / "copy"))
    other.apply(batch)
    with _writer(other) as conn:
        conn.execute("UPDATE derived SET data = '-1' WHERE name = 'generation'")
    other._makers.drop()
    with other._read() as conn:
        assert not derived.current(conn, other._generation(conn))
    pd.testing.assert_frame_equal(other.makers(products, None, "all"), want)
    other.close()


class _writer:
    def __init__(self, store):
        self.store = store

    def __enter__(self):
        self.conn = self.store._connect()
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()


def test_a_merge_load_rebuilds_the_derived_tables(tmp_path):
    base = dict(
        regions=[dict(code="140000", name="山西省", level="province"),
                 dict(code="140100", name="太原市", level="city", parent="140000"),
                 dict(code="320000", name="江苏省", level="province")],
        products=[dict(product_id="P1", name="原料"), dict(product_id="P2", name="部件")],
        enterprises=[dict(enterprise_id="E1", name="甲", region="140100", tags=["规上"], employees=10),
                     dict(enterprise_id="E2", name="乙", region="320000")],
        enterprise_products=[dict(enterprise="E1", product="P1", revenue_share=0.5),
                             dict(enterprise="E2", product="P1")])
    store = EmbeddedStore(str(tmp_path / "db"))
    store.apply(build_batch(**base))
    local = Scope(region_codes=frozenset({"140000", "140100"}))
    assert store.makers(["P1"], local, "inside")["enterprise_id"].tolist() == ["E1"]
    store.apply(build_batch(
        enterprises=[dict(enterprise_id="E2", name="乙（迁入）", region="140100", listed=True),
                     dict(enterprise_id="E0", name="丙", region=None)],
        enterprise_products=[dict(enterprise="E0", product="P2", revenue_share=0.2),
                             dict(enterprise="E2", product="P2")]))
    inside = store.makers(["P1", "P2"], local, "inside")
    assert inside[["enterprise_id", "product_id", "name"]].values.tolist() == [
        ["E1", "P1", "甲"], ["E2", "P1", "乙（迁入）"], ["E2", "P2", "乙（迁入）"]]
    assert inside["listed"].tolist() == [None, True, True]
    outside = store.makers(["P2"], local, "outside")
    assert outside["enterprise_id"].tolist() == ["E0"] and outside["region"].tolist() == [None]
    with store._read() as conn:
        assert derived.current(conn, store._generation(conn))
    store.clear()
    assert store.makers(["P1", "P2"], None, "all").empty
    store.close()


def test_the_build_in_small_slabs_gives_the_same_tables(world, tmp_path, monkeypatch):
    store, batch = world
    monkeypatch.setattr(derived, "BLOCK", 37)
    other = EmbeddedStore(str(tmp_path / "slabs"))
    other.apply(batch)
    products = sorted(batch.tables["enterprise_products"]["product"].astype(str).unique())
    pd.testing.assert_frame_equal(other.makers(products, None, "all"), store.makers(products, None, "all"))
    other.close()


def test_a_load_that_leaves_the_makers_alone_keeps_the_derived_tables(world, tmp_path, monkeypatch):
    store, batch = world
    other = EmbeddedStore(str(tmp_path / "keep"))
    other.apply(batch)
    products = sorted(batch.tables["enterprise_products"]["product"].astype(str).unique())
    want = other.makers(products, None, "all")
    rebuilt = []
    monkeypatch.setattr(derived, "rebuild", lambda conn, gen: rebuilt.append(gen))
    other.apply(build_batch(chains=[dict(chain_id="NEW-CHAIN", name="新增产业链")]))
    with other._read() as conn:
        assert derived.current(conn, other._generation(conn)) and rebuilt == []
    pd.testing.assert_frame_equal(other.makers(products, None, "all"), want)
    other.apply(build_batch(enterprises=[dict(enterprise_id=str(batch.tables["enterprises"]["enterprise_id"].iloc[0]),
                                              name="改名企业")]))
    assert len(rebuilt) == 1
    other.close()
