"""The Neo4j provenance summary (graph.store.neo4j.summary): counts maintained by loads, trusted only
while flagged, rebuilt from the data otherwise. Pure parts and a fake driver always; the real thing
against a server (NEO4J_URI)."""
from __future__ import annotations

import json

import pytest

from graph.errors import ChainAtlasError
from graph.store.neo4j import cypher as q
from graph.store.neo4j import summary
from tests.graph.store.test_neo4j_store import NEEDS_SERVER, fake_store, loaded_server_store, many_batch, small_batch


def fail_at_makes(step, done, total):
    if step == "enterprise_products" and done:
        raise RuntimeError("boom")


def test_delta_counts_created_rows_and_moved_provenance():
    created = [{"src": "E1", "dst": "P1", "props": {"source": "s", "as_of": "2024", "illustrative": False}},
               {"src": "E2", "dst": "P1", "props": {"source": "s", "as_of": "2024", "illustrative": True}},
               {"src": "E3", "dst": "P1", "props": {"source": None, "as_of": None, "illustrative": None}}]
    updated = [{"src": "E9", "dst": "P1", "props": {"revenue_share": 0.5}},                  # provenance kept
               {"src": "E8", "dst": "P1", "props": {"source": "t", "illustrative": True}}]    # moved
    old = {("E9", "P1"): {"source": "s", "as_of": "2024"}, ("E8", "P1"): {"source": "s", "as_of": "2024"}}
    got = {tuple(json.loads(d["key"])): (d["rows"], d["illustrative_rows"])
           for d in summary.delta("enterprise_products", created, updated, old)}
    assert got == {("enterprise_products", "s", "2024"): (1, 1), ("enterprise_products", "t", "2024"): (1, 1),
                   ("enterprise_products", None, None): (1, 0)}
    assert summary.delta("products", [], [{"id": "P1", "props": {"name": "x"}}], {"P1": {}}) == []


def test_frame_orders_tables_then_sources_missing_last():
    df = summary.frame([{"table": "supplies", "source": "a", "as_of": "2024", "rows": 1, "illustrative_rows": 0},
                        {"table": "regions", "source": None, "as_of": None, "rows": 2, "illustrative_rows": 0},
                        {"table": "regions", "source": "b", "as_of": "2023", "rows": 3, "illustrative_rows": 1}])
    assert list(df.columns) == summary.COLUMNS and list(df["table"]) == ["regions", "regions", "supplies"]
    assert list(df["source"])[:2] == ["b", None] and str(df["rows"].dtype) == "int64"


def test_untrusted_summary_is_rebuilt_under_the_lock_then_maintained_by_loads(make_batch):
    store, db = fake_store()
    scanned = {"products": [{"source": "old.xlsx", "as_of": "2023", "n_rows": 7, "illustrative_rows": 2}]}
    for table, statement in q.SOURCES.items():
        db.answers[statement] = lambda p, t=table: scanned.get(t, [])
    first = store.sources()
    assert list(first["rows"]) == [7] and db.flagged and db.markers == {}
    assert db.log.index(q.LOAD_BEGIN) < db.log.index(q.SOURCES["products"]) < db.log.index(q.SUMMARY_FLAG)
    n_scans = db.log.count(q.SOURCES["products"])
    assert store.sources().equals(first) and db.log.count(q.SOURCES["products"]) == n_scans   # summary read
    store.apply(small_batch(make_batch))                       # + 2 regions, 5 products, 1 enterprise, 5 makes
    after = store.sources().set_index(["table", "source"])["rows"].to_dict()
    assert after == {("products", "old.xlsx"): 7, ("regions", "test"): 2, ("products", "test"): 5,
                     ("enterprises", "test"): 1, ("enterprise_products", "test"): 5}
    assert db.log.count(q.SOURCES["products"]) == n_scans


def test_a_failed_load_leaves_the_summary_untrusted(make_batch):
    store, db = fake_store()
    store.sources()
    assert db.flagged
    with pytest.raises(ChainAtlasError):
        store.apply(small_batch(make_batch), fail_at_makes)
    assert not db.flagged   # the next read aggregates the data again


@pytest.mark.neo4j
@NEEDS_SERVER
def test_summary_matches_the_data_after_loads_changes_and_rollbacks(make_batch):
    store = loaded_server_store(make_batch, 40, 100)
    first = store.sources()                                     # rebuilt from the data
    assert first.equals(summary.frame(summary.scan(store)))
    moved = many_batch(make_batch, 150, name="改")
    moved.tables["enterprises"].loc[:50, "source"] = "第二出处"
    moved.tables["enterprises"].loc[:20, "illustrative"] = True
    store.apply(moved)                                          # maintained by the load
    assert store.sources().equals(summary.frame(summary.scan(store)))
    with store._session() as session:
        assert session.run(q.SUMMARY_FLAGGED, flag=summary.FLAG).single()["n"] == 1
    with pytest.raises(ChainAtlasError):
        store.apply(many_batch(make_batch, 300, name="败"), fail_at_makes)
    assert store.sources().equals(summary.frame(summary.scan(store)))
