"""The Neo4j load journal's bookkeeping (graph.store.neo4j.journal): pure functions, no server."""
from __future__ import annotations

import json
import os
import socket

from graph import schema
from graph.store.neo4j import cypher as q
from graph.store.neo4j import journal


def test_split_creates_new_keys_updates_only_changed_columns_and_keeps_pre_images():
    new = {"E1": {"name": "甲", "region": "140800", "tags": ["规上"]},
           "E2": {"name": "乙", "region": None, "tags": None},
           "E3": {"name": "丙", "region": "140000", "tags": None}}
    old = {"E1": {"id": "E1", "name": "甲", "region": "140000", "tags": ["规上"]},
           "E2": {"id": "E2", "name": "乙"}}
    created, update, before = journal.split("enterprises", new, old)
    assert created == [{"id": "E3", "props": new["E3"]}]
    assert update == [{"id": "E1", "props": {"region": "140800"}}]        # E2 unchanged: not written at all
    assert before == [{"key": "E1", "props": {"region": "140000"}}]


def test_split_relationships_keep_pairs_and_missing_old_values_as_null():
    new = {("E1", "P1"): {"revenue_share": 0.5, "source": "s"}, ("E1", "P2"): {"revenue_share": None, "source": "s"}}
    old = {("E1", "P1"): {"source": "s"}}
    created, update, before = journal.split("enterprise_products", new, old)
    assert created == [{"src": "E1", "dst": "P2", "props": new["E1", "P2"]}]
    assert update == [{"src": "E1", "dst": "P1", "props": {"revenue_share": 0.5}}]
    assert before == [{"key": ["E1", "P1"], "props": {"revenue_share": None}}]   # restoring removes it again


def test_entry_round_trip_and_chinese_text_survive_json():
    created = [{"id": "P-新", "props": {}}]
    before = [{"key": "P1", "props": {"name": "旧名“引号”, 逗号\n换行", "aliases": ["甲", "乙"]}}]
    params = journal.entry_params("L1", 7, "products", created, before)
    assert {k for k in params} == {p.split(",")[0].split("}")[0].strip() for p in q.JOURNAL_WRITE.split("$")[1:]}
    table, keys, pre = journal.parse_entry({"import_table": params["import_table"], "created": params["created"],
                                            "before": params["before"]})
    assert (table, keys, pre) == ("products", ["P-新"], before)
    rel = journal.entry_params("L1", 8, "supplies", [{"src": "E1", "dst": "E2", "props": {}}], [])
    assert json.loads(rel["created"]) == [["E1", "E2"]]


def test_undo_steps_restore_then_re_point_moved_links_then_delete_created():
    before = [{"key": "E1", "props": {"region": "140000", "park": None}},
              {"key": "E2", "props": {"name": "旧名"}}]
    steps = journal.undo_steps("enterprises", ["E9"], before)
    statements = [s for s, _ in steps]
    assert statements == [q.UPDATE_NODES[schema.ENTERPRISE],
                          q.UNLINK_DERIVED["enterprises", "region"], q.LINK_DERIVED["enterprises", "region"],
                          q.UNLINK_DERIVED["enterprises", "park"],   # no old park: unlinked only
                          q.DELETE_NODES[schema.ENTERPRISE]]
    assert steps[0][1]["rows"][0] == {"id": "E1", "props": {"region": "140000", "park": None}}
    assert steps[1][1] == steps[2][1] == {"rows": [{"id": "E1", "target": "140000"}]}   # E2: name only
    assert steps[3][1] == {"rows": [{"id": "E1", "target": None}]} and steps[-1][1] == {"ids": ["E9"]}
    rel = journal.undo_steps("chain_roles", [["E1", "C1"]], [{"key": ["E2", "C1"], "props": {"role": "链核"}}])
    assert rel == [(q.DELETE_RELS["chain_roles"], {"rows": [{"src": "E1", "dst": "C1"}]}),
                   (q.UPDATE_RELS["chain_roles"], {"rows": [{"src": "E2", "dst": "C1", "props": {"role": "链核"}}]})]
    assert journal.undo_steps("products", [], []) == []


def test_derived_rows_follow_the_written_columns():
    written = [{"id": "K1", "props": {"region": "140800", "counted_for": None, "name": "园"}},
               {"id": "K2", "props": {"name": "只改了名字"}}]
    got = journal.derived_rows("parks", written)
    assert got == {("parks", "region"): [{"id": "K1", "target": "140800"}],
                   ("parks", "counted_for"): [{"id": "K1", "target": None}]}
    assert journal.derived_rows("products", written) == {}


def test_staleness_by_pid_here_and_heartbeat_elsewhere():
    here = socket.gethostname()
    mine = journal.Marker.from_props(journal.new_marker("a.xlsx", now=100.0))
    assert (mine.pid, mine.host, mine.status, mine.source) == (os.getpid(), here, journal.RUNNING, "a.xlsx")
    assert not journal.is_stale(mine, 10_000.0, here)                     # this process is alive
    assert journal.is_stale(mine, 10_000.0, here, alive=lambda pid: False)
    away = journal.Marker("x", 0.0, 100.0, journal.RUNNING, 1, "other-host", "b.csv")
    assert not journal.is_stale(away, 100.0 + journal.STALE_AFTER - 1, here)
    assert journal.is_stale(away, 100.0 + journal.STALE_AFTER + 1, here)
    assert "b.csv" in away.describe() and "other-host" in away.describe()
