"""Neo4jStore: connection failures and the load's transaction handling (always, no server),
plus checks that need a real Neo4j 5 (skipped unless NEO4J_URI is set).

The shared behaviour of every store is in test_store_contract.py (the ``store`` fixture runs it on
Neo4j too when NEO4J_URI is set).
"""
from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time

import pytest
from neo4j import exceptions as nx

from graph.store.neo4j import cypher as q
from graph import schema
from graph.errors import ChainAtlasError, NotFound, StoreLocked, StoreUnavailable, UnfinishedLoad, ValidationFailed
from graph.store.neo4j.store import Neo4jStore, _DRIVERS, _unavailable
from graph.settings import Settings
from graph.store import Scope

NEEDS_SERVER = pytest.mark.skipif(
    not os.environ.get("NEO4J_URI"),
    reason="NEO4J_URI not set: needs a Neo4j 5 server (docker compose up -d neo4j; "
           "export NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=…)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- connection failures (always) -------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_unreachable_server_raises_store_unavailable_naming_uri_and_user(scheme):
    uri = f"{scheme}://127.0.0.1:{free_port()}"
    settings = Settings(db=uri, neo4j_user="atlas-user", neo4j_password="x")
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        Neo4jStore.connect(settings, connection_timeout=2)
    assert time.monotonic() - t0 < 10
    assert uri in str(info.value) and "atlas-user" in str(info.value)
    assert "docker compose up -d neo4j" in info.value.hint and "NEO4J_PASSWORD" in info.value.hint
    assert (uri, "atlas-user", "neo4j") not in _DRIVERS   # a failed driver is not cached


def test_unknown_host_raises_store_unavailable():
    uri = "bolt://no-such-host.invalid:7687"
    with pytest.raises(StoreUnavailable) as info:
        Neo4jStore.connect(Settings(db=uri), connection_timeout=2)
    assert uri in str(info.value)


def test_server_error_codes_become_specific_messages():
    class Err(Exception):
        def __init__(self, code):
            super().__init__(code)
            self.code = code
    s = Settings(db="neo4j://db:7687", neo4j_user="u", neo4j_database="atlas")
    missing_db = _unavailable(s, Err("Neo.ClientError.Database.DatabaseNotFound"))
    assert "'atlas'" in str(missing_db) and "NEO4J_DATABASE" in missing_db.hint and "neo4j://db:7687" in str(missing_db)
    auth = _unavailable(s, Err("Neo.ClientError.Security.Unauthorized"))
    assert "password" in str(auth) and "'u'" in str(auth)


# --- the load's journaled batches, on a fake driver (always) ------------------------------------
class FakeResult:
    def __init__(self, records):
        self.records = records

    def data(self):
        return self.records

    def single(self):
        return self.records[0]

    def consume(self):
        return None


class FakeTx:
    """Logs statements; journal entries and marker writes become visible on commit only."""

    def __init__(self, db, auto=False):
        self.db, self.auto, self.pending = db, auto, []

    def run(self, statement, parameters=None, **kw):
        params = {**(parameters or {}), **kw}
        self.db.log.append(statement)
        self.db.params.append(params)
        if statement == q.JOURNAL_WRITE:
            self.pending.append(params)
        return FakeResult(self.db.answer(statement, params))

    def commit(self):
        self.db.committed += 1
        self.db.journal.extend(self.pending)
        self.pending = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        if exc_type is not None:
            self.db.rolled_back += 1


class FakeDriver:
    """Answers the store's statements as an empty database would (missing ids configurable),
    keeping the load marker and the journal entries that committed."""

    def __init__(self, missing=(), answers=None):
        self.log, self.params, self.committed, self.rolled_back = [], [], 0, 0
        self.missing, self.answers = set(missing), answers or {}
        self.journal, self.markers = [], {}
        self.flagged, self.summary = False, {}   # the provenance summary (AtlasSource nodes)

    def answer(self, statement, params):
        if statement in self.answers:
            return self.answers[statement](params)
        if statement in q.MISSING_IDS.values():
            return [{"id": i} for i in params["ids"] if i in self.missing]
        if statement in q.LINK_DERIVED.values():
            return [{"linked": len(params["rows"])}]
        if statement in q.CREATE_RELS.values() or statement in q.UPDATE_RELS.values():
            return [{"merged": len(params["rows"])}]
        if statement == q.LOAD_BEGIN:
            self.markers[params["id"]] = dict(params)
        if statement == q.LOAD_END:
            self.markers.pop(params["id"], None)
        if statement == q.LOAD_MARK and params["id"] in self.markers:
            self.markers[params["id"]].update(status=params["status"], beat=params["beat"],
                                              **({} if params["batches"] is None else {"batches": params["batches"]}))
        if statement == q.LOAD_FIND:
            return [{"props": m, "started": m["started"]} for m in self.markers.values()]
        if statement == q.JOURNAL_CLEAR:
            gone = [j for j in self.journal if j["load_id"] == params["load_id"]]
            self.journal = [j for j in self.journal if j["load_id"] != params["load_id"]]
            return [{"deleted": len(gone)}]
        if statement == q.JOURNAL_SEQS:
            return [{"seq": j["seq"]} for j in sorted(self.journal, key=lambda j: -j["seq"])]
        if statement == q.JOURNAL_READ:
            return [j for j in self.journal if j["seq"] == params["seq"]]
        if statement == q.JOURNAL_DROP:
            self.journal = [j for j in self.journal if j["seq"] != params["seq"]]
        if statement == q.SUMMARY_FLAGGED:
            return [{"n": int(self.flagged)}]
        if statement == q.SUMMARY_UNFLAG:
            was, self.flagged = self.flagged, False
            return [{"n": int(was)}]
        if statement == q.SUMMARY_FLAG:
            self.flagged = True
        if statement == q.SUMMARY_RESET:
            self.summary, self.flagged = {}, False
        if statement == q.SUMMARY_ADD:
            for d in params["deltas"]:
                n = self.summary.setdefault(d["key"], {**d, "rows": 0, "illustrative_rows": 0})
                n["rows"] += d["rows"]
                n["illustrative_rows"] += d["illustrative_rows"]
        if statement == q.SUMMARY_PRUNE:
            self.summary = {k: v for k, v in self.summary.items() if v["rows"] >= 1}
        if statement == q.SUMMARY_READ:
            return [{"import_table": v["import_table"], "source": v["source"], "as_of": v["as_of"],
                     "n_rows": v["rows"], "illustrative_rows": v["illustrative_rows"]}
                    for v in self.summary.values() if v["rows"] > 0]
        if statement == q.JOURNAL_LOADS:
            return [{"load_id": j["load_id"]} for j in self.journal]
        return []

    def session(self, database=None, bookmark_manager=None):
        driver = self

        class Session:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def begin_transaction(self):
                return FakeTx(driver)

            def execute_read(self, work):
                tx = FakeTx(driver)
                out = work(tx)
                tx.commit()
                return out

            execute_write = execute_read

            def run(self, statement, parameters=None, **kw):
                return FakeTx(driver).run(statement, parameters, **kw)
        return Session()


def server_gone_at(db, failing: str):
    """Make ``failing`` raise ServiceUnavailable; returns the real answer function to restore."""
    real = db.answer

    def flaky(statement, params):
        if statement == failing:
            raise nx.ServiceUnavailable("server gone")
        return real(statement, params)
    db.answer = flaky
    return real


def fake_store(batch_size=2, **kw):
    driver = FakeDriver(**kw)
    return Neo4jStore(driver, Settings(db="bolt://fake:7687", batch_size=batch_size)), driver


def small_batch(make_batch, **extra):
    return make_batch(
        regions=[{"code": "140000", "name": "山西省", "level": "province"},
                 {"code": "140800", "name": "运城市", "level": "city", "parent": "140000"}],
        products=[{"product_id": f"P{i}", "name": f"产品{i}"} for i in range(5)],
        enterprises=[{"enterprise_id": "E1", "name": "甲", "region": "140800"}],
        enterprise_products=[{"enterprise": "E1", "product": f"P{i}"} for i in range(5)], **extra)


def test_apply_writes_nodes_then_links_then_relationships_in_journaled_batches(make_batch):
    store, db = fake_store()
    calls = []
    report = store.apply(small_batch(make_batch), progress=lambda *a: calls.append(a))
    assert db.rolled_back == 0 and report.written
    assert report.changes["products"].added == 5 and report.changes["enterprise_products"].added == 5
    writes = [s for s in db.log if s in q.CREATE_NODES.values() or s in q.CREATE_RELS.values()
              or s in q.LINK_DERIVED.values()]
    kinds = ["node" if s in q.CREATE_NODES.values() else "link" if s in q.LINK_DERIVED.values() else "rel"
             for s in writes]
    assert kinds == sorted(kinds, key=["node", "link", "rel"].index)   # nodes, derived links, relationships
    assert db.log.count(q.CREATE_NODES[schema.PRODUCT]) == 3 and db.log.count(q.CREATE_RELS["enterprise_products"]) == 3
    # every node/relationship batch is its own transaction and journals the keys it created
    journaled = [p for s, p in zip(db.log, db.params) if s == q.JOURNAL_WRITE]
    assert len(journaled) == 1 + 3 + 1 + 3 and db.committed >= len(journaled)
    assert [json.loads(p["created"]) for p in journaled if p["import_table"] == "products"] == [["P0", "P1"], ["P2", "P3"], ["P4"]]
    assert json.loads(journaled[-1]["created"]) == [["E1", "P4"]]
    assert [p["seq"] for p in journaled] == sorted(p["seq"] for p in journaled)
    # on success: marked committed, journal cleared, marker gone
    assert db.journal == [] and db.markers == {}
    marks = [p["status"] for s, p in zip(db.log, db.params) if s == q.LOAD_MARK]
    assert marks[-1] == "committed" and set(marks[:-1]) == {"running"}
    assert db.log.index(q.LOAD_BEGIN) < db.log.index(q.FETCH_NODES[schema.REGION])   # locked before the diff
    assert ("products", 2, 5) in calls and ("products", 5, 5) in calls and calls[-1] == ("commit", 1, 1)
    assert ("supplies", 0, 0) in calls


def test_reload_skips_unchanged_rows_and_journals_the_pre_image(make_batch):
    prov = {"source": "test", "as_of": "2024-01-01", "illustrative": False}
    stored = {"P0": {"id": "P0", "name": "旧名", "aliases": ["甲"], **prov}, "P1": {"id": "P1", "name": "产品1", **prov}}
    answers = {q.FETCH_NODES[schema.PRODUCT]: lambda p: [{"id": k, "props": stored[k]} for k in p["ids"] if k in stored]}
    store, db = fake_store(batch_size=10, answers=answers)
    store.apply(make_batch(products=[{"product_id": "P0", "name": "新名"}, {"product_id": "P1", "name": "产品1"}]))
    (update,) = [p for s, p in zip(db.log, db.params) if s == q.UPDATE_NODES[schema.PRODUCT]]
    assert update["rows"] == [{"id": "P0", "props": {"name": "新名", "aliases": None}}]   # P1 unchanged: skipped
    (entry,) = [p for s, p in zip(db.log, db.params) if s == q.JOURNAL_WRITE]
    assert json.loads(entry["before"]) == [{"key": "P0", "props": {"name": "旧名", "aliases": ["甲"]}}]
    assert q.CREATE_NODES[schema.PRODUCT] not in db.log


def test_dangling_reference_is_refused_before_any_write(make_batch):
    store, db = fake_store(missing={"P-MISSING"})
    batch = small_batch(make_batch)
    batch.tables["enterprise_products"].loc[0, "product"] = "P-MISSING"
    with pytest.raises(ValidationFailed) as info:
        store.apply(batch)
    assert not [s for s in db.log if s.startswith("UNWIND $rows")] and db.markers == {}
    (problem,) = info.value.problems
    assert (problem.sheet, problem.column, problem.value) == ("enterprise_products", "product", "P-MISSING")
    with pytest.raises(ValidationFailed):
        store.plan(batch)


def _undone(db):
    return [(s, p) for s, p in zip(db.log, db.params)
            if s in q.DELETE_NODES.values() or s in q.DELETE_RELS.values() or s in q.UPDATE_NODES.values()]


def test_error_mid_load_undoes_every_committed_batch_newest_first(make_batch):
    store, db = fake_store()

    def progress(step, done, total):
        if step == "enterprise_products" and done >= 4:
            raise RuntimeError("disk full")
    with pytest.raises(ChainAtlasError, match="nothing was written") as info:
        store.apply(small_batch(make_batch), progress)
    assert "disk full" in str(info.value)
    undone = _undone(db)
    assert [p.get("rows", p.get("ids")) for _, p in undone] == [
        [{"src": "E1", "dst": "P2"}, {"src": "E1", "dst": "P3"}], [{"src": "E1", "dst": "P0"}, {"src": "E1", "dst": "P1"}],
        ["E1"], ["P4"], ["P2", "P3"], ["P0", "P1"], ["140000", "140800"]]
    assert db.journal == [] and db.markers == {}


def test_ctrl_c_rolls_back_then_goes_on(make_batch):
    store, db = fake_store()

    def progress(step, done, total):
        if step == "enterprises" and done:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        store.apply(small_batch(make_batch), progress)
    assert [p["ids"] for _, p in _undone(db)] == [["E1"], ["P4"], ["P2", "P3"], ["P0", "P1"], ["140000", "140800"]]
    assert db.journal == [] and db.markers == {}


def test_lost_link_is_never_committed_and_the_load_rolls_back(make_batch):
    store, db = fake_store(answers={q.CREATE_RELS["enterprise_products"]: lambda p: [{"merged": 0}]})
    with pytest.raises(ChainAtlasError, match="could not be linked"):
        store.apply(small_batch(make_batch))
    assert db.rolled_back == 1 and db.journal == [] and db.markers == {}


def test_failed_rollback_tells_to_recover(make_batch):
    store, db = fake_store()
    real = server_gone_at(db, q.JOURNAL_SEQS)

    def progress(step, done, total):
        if step == "enterprise_products" and done:
            raise RuntimeError("boom")
    with pytest.raises(ChainAtlasError) as info:
        store.apply(small_batch(make_batch), progress)
    assert "chainatlas recover" in info.value.hint and len(db.markers) == 1 and db.journal
    db.answer = real
    (marker,) = db.markers.values()
    assert store.pending_loads()[0]["stale"] is False   # this very process: alive
    with pytest.raises(StoreLocked):
        store.apply(small_batch(make_batch))            # a live load holds the lock
    done = store.recover(force=True)
    assert [d["action"] for d in done] == ["rolled back"] and done[0]["id"] == marker["id"]
    assert db.journal == [] and db.markers == {}


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_marker_of_a_killed_process_refuses_loads_until_recovered(make_batch):
    store, db = fake_store()
    db.markers["x1"] = {"lock": "write", "id": "x1", "started": 1.0, "beat": 1.0, "status": "running",
                        "pid": _dead_pid(), "host": socket.gethostname(), "source": "big.xlsx", "batches": 7}
    db.journal.append({"load_id": "x1", "seq": 1, "import_table": "products", "created": json.dumps(["P9"]),
                       "before": json.dumps([{"key": "P1", "props": {"name": "旧"}}])})

    def begin(params):
        raise nx.ConstraintError("Node already exists with label `AtlasLoad` and property `lock`")
    db.answers[q.LOAD_BEGIN] = begin
    with pytest.raises(UnfinishedLoad) as info:
        store.apply(small_batch(make_batch))
    assert "big.xlsx" in str(info.value) and "chainatlas recover" in info.value.hint
    with pytest.raises(UnfinishedLoad):
        store.check_writable()
    assert store.pending_loads()[0]["stale"] is True
    (done,) = store.recover()
    assert done["action"] == "rolled back" and done["entries"] == 1
    assert [(s, p) for s, p in _undone(db)] == [
        (q.UPDATE_NODES[schema.PRODUCT], {"rows": [{"id": "P1", "props": {"name": "旧"}}]}),
        (q.DELETE_NODES[schema.PRODUCT], {"ids": ["P9"]})]
    assert db.markers == {} and db.journal == [] and store.recover() == []


def test_a_load_killed_while_committing_is_completed_not_undone():
    store, db = fake_store()
    db.markers["x2"] = {"id": "x2", "started": 1.0, "status": "committed", "pid": _dead_pid(),
                        "host": socket.gethostname(), "source": "a.csv", "batches": -1}
    db.journal.append({"load_id": "x2", "seq": 3, "import_table": "products", "created": "[]", "before": "[]"})
    (done,) = store.recover()
    assert done["action"] == "commit completed" and db.journal == [] and not _undone(db)


def test_a_failure_after_the_commit_mark_keeps_the_load_for_recover_to_finish(make_batch):
    store, db = fake_store()
    real = server_gone_at(db, q.JOURNAL_CLEAR)
    with pytest.raises(ChainAtlasError, match="was written") as info:
        store.apply(small_batch(make_batch))
    assert "chainatlas recover" in info.value.hint and not _undone(db)
    (marker,) = db.markers.values()
    assert [p["status"] for s, p in zip(db.log, db.params) if s == q.LOAD_MARK][-1] == "committed"
    db.answer = real
    (done,) = store.recover(force=True)
    assert done["action"] == "commit completed" and not _undone(db) and db.journal == [] and db.markers == {}


def test_memory_error_gets_a_specific_hint(make_batch):
    class OOM(nx.TransientError):
        code = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"

        def __str__(self):
            return "dbms.memory.transaction.total.max threshold reached"

    def fail(params):
        raise OOM()
    store, db = fake_store(answers={q.CREATE_NODES[schema.PRODUCT]: fail})
    with pytest.raises(ChainAtlasError) as info:
        store.apply(small_batch(make_batch))
    assert "CHAINATLAS_BATCH_SIZE" in info.value.hint and "dbms.memory.transaction.total.max" in info.value.hint
    assert "heap" in info.value.hint and db.markers == {}


def test_makers_passes_the_scope_as_parameters():
    seen = []
    store, _ = fake_store(answers={q.MAKERS: lambda p: seen.append(p) or []})
    scope = Scope(region_codes=frozenset({"140802", "140800"}), include_parks=frozenset({"PK-FD"}),
                  exclude_parks=frozenset({"PK-OUT"}))
    for side in ("inside", "outside", "all"):
        assert store.makers(["P1", "P1", "P2"], scope, side).empty
    assert [(p["scoped"], p["want_local"]) for p in seen] == [(True, True), (True, False), (False, False)]
    assert seen[0]["product_ids"] == ["P1", "P2"] and seen[0]["region_codes"] == ["140800", "140802"]
    assert seen[0]["include_parks"] == ["PK-FD"] and seen[0]["exclude_parks"] == ["PK-OUT"]
    with pytest.raises(ValueError):
        store.makers(["P1"], scope, "everywhere")


def test_search_ranks_exact_then_short_and_formats_details():
    hits = [
        {"node_label": "Product", "id": "P-LFP", "name": "磷酸铁锂电池", "is_exact": False, "detail": None, "kind": None},
        {"node_label": "Product", "id": "P-BATT", "name": "动力电池", "is_exact": True, "detail": ["锂电池"], "kind": None},
        {"node_label": "Park", "id": "PK", "name": "锂电池园", "is_exact": False, "detail": "盐湖区", "kind": "省级开发区"},
    ]
    store, _ = fake_store(answers={q.SEARCH: lambda p: hits})
    df = store.search("锂电池", limit=2)
    assert list(df.columns) == ["label", "id", "name", "detail"] and list(df["id"]) == ["P-BATT", "PK"]
    assert list(df["detail"]) == ["锂电池", "省级开发区 · 盐湖区"]
    assert store.search("  ").empty


def test_neighbourhood_limits_neighbours_and_orients_edges():
    answers = {q.CENTRE[schema.PRODUCT]: lambda p: [{"name": "动力电池"}],
               q.HOP[schema.PRODUCT, schema.INCLUDES, False]: lambda p: [{"id": "C1", "name": "链"}],
               q.HOP[schema.PRODUCT, schema.FEEDS, True]: lambda p: [{"id": "P2", "name": "整车"}],
               q.HOP[schema.PRODUCT, schema.MAKES, False]: lambda p: [{"id": f"E{i}", "name": "厂"} for i in range(9)]}
    store, _ = fake_store(answers=answers)
    nodes, edges = store.neighbourhood(schema.PRODUCT, "P1", limit=3)
    assert list(nodes["id"]) == ["P1", "C1", "P2", "E0"]
    assert ("Chain", "C1", "Product", "P1", "INCLUDES") in set(edges.itertuples(index=False, name=None))
    assert ("Product", "P1", "Product", "P2", "FEEDS") in set(edges.itertuples(index=False, name=None))
    with pytest.raises(NotFound):
        store.neighbourhood(schema.CHAIN, "NOPE")
    with pytest.raises(ChainAtlasError):
        store.neighbourhood("Person", "x")


# --- against a real server (NEO4J_URI) ----------------------------------------------------------
def server_settings(**over) -> Settings:
    env = {"CHAINATLAS_DB": os.environ["NEO4J_URI"], "NEO4J_USER": os.environ.get("NEO4J_USER", "neo4j"),
           "NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD", ""),
           "NEO4J_DATABASE": os.environ.get("NEO4J_DATABASE", "neo4j")}
    env.update(over)
    return Settings.from_env(env)


@pytest.fixture
def neo4j_store():
    store = Neo4jStore.connect(server_settings())
    store.clear()
    try:
        yield store
    finally:
        store.close()


@pytest.mark.neo4j
@NEEDS_SERVER
def test_constraints_and_indexes_are_idempotent(neo4j_store):
    Neo4jStore.connect(server_settings()).close()   # ensures the schema a second time: no error
    with neo4j_store._session() as session:
        constraints = [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name RETURN name")]
        indexes = [r["name"] for r in session.run("SHOW INDEXES YIELD name RETURN name")]
    for label in schema.NODE_LABELS + schema.PROJECT_LABELS:
        assert constraints.count(f"chainatlas_{label.lower()}_id") == 1
    for label, prop in q.INDEXED:
        assert indexes.count(f"chainatlas_{label.lower()}_{prop}") == 1


@pytest.mark.neo4j
@NEEDS_SERVER
def test_failed_apply_leaves_the_database_unchanged(neo4j_store, make_batch):
    neo4j_store.apply(small_batch(make_batch))
    before = (neo4j_store.counts(), neo4j_store.table("enterprises").to_dict("records"))
    dangling = make_batch(products=[{"product_id": "P-NEW", "name": "新"}],
                          enterprise_products=[{"enterprise": "E1", "product": "P-MISSING"}])
    with pytest.raises(ChainAtlasError):
        neo4j_store.apply(dangling)

    def boom(step, done, total):
        if step == "enterprise_products" and done:
            raise RuntimeError("injected failure mid-load")
    changed = make_batch(enterprises=[{"enterprise_id": "E1", "name": "改名", "region": "140000"}],
                         enterprise_products=[{"enterprise": "E1", "product": "P0", "revenue_share": 0.5}])
    with pytest.raises(ChainAtlasError):
        neo4j_store.apply(changed, progress=boom)
    assert snapshot(neo4j_store)[0] == before[0] and same_records(neo4j_store.table("enterprises"), before[1])


def same_records(df, records) -> bool:
    """NaN-aware equality of a table with earlier ``to_dict("records")`` (NaN == NaN here)."""
    def norm(v):
        return None if isinstance(v, float) and math.isnan(v) else v
    return [{k: norm(v) for k, v in r.items()} for r in df.to_dict("records")] == \
        [{k: norm(v) for k, v in r.items()} for r in records]


def snapshot(store) -> tuple[dict, dict]:
    """Counts and every table, NaN-normalised: equal snapshots = the same database."""
    def norm(v):
        return None if isinstance(v, float) and math.isnan(v) else v
    tables = {t: [{k: norm(v) for k, v in r.items()} for r in store.table(t).to_dict("records")]
              for t in schema.LOAD_ORDER}
    return store.counts(), tables


def many_batch(make_batch, n: int, name: str = "企业"):
    return make_batch(
        regions=[{"code": "140000", "name": "山西省", "level": "province"},
                 {"code": "140800", "name": "运城市", "level": "city", "parent": "140000"}],
        products=[{"product_id": f"P{i}", "name": f"产品{i}"} for i in range(20)],
        enterprises=[{"enterprise_id": f"E{i}", "name": f"{name}{i}", "region": "140800" if i % 2 else "140000"}
                     for i in range(n)],
        enterprise_products=[{"enterprise": f"E{i}", "product": f"P{i % 20}", "revenue_share": 0.5}
                             for i in range(n)])


def loaded_server_store(make_batch, batch_size: int, enterprises: int) -> Neo4jStore:
    """The server's database wiped, then ``many_batch`` loaded with the given batch size."""
    store = Neo4jStore.connect(server_settings(CHAINATLAS_BATCH_SIZE=str(batch_size)))
    store.clear()
    store.apply(many_batch(make_batch, enterprises))
    return store


@pytest.mark.neo4j
@NEEDS_SERVER
def test_load_larger_than_a_batch_failing_midway_rolls_back_completely(make_batch):
    store = loaded_server_store(make_batch, 50, 120)
    before = snapshot(store)
    # changes (renames, moved regions: re-pointed LOCATED_IN) and additions, 8+ batches deep
    bigger = many_batch(make_batch, 400, name="改名")
    bigger.tables["enterprises"].loc[:, "region"] = "140800"

    def boom(step, done, total):
        if step == "enterprise_products" and done >= 200:
            raise RuntimeError("injected failure mid-load")
    with pytest.raises(ChainAtlasError, match="rolled back"):
        store.apply(bigger, progress=boom)
    assert snapshot(store) == before and store.pending_loads() == []
    with store._session() as session:
        assert session.run("MATCH (n:AtlasJournal) RETURN count(n) AS c").single()["c"] == 0
        located = session.run("MATCH (e:Enterprise)-[:LOCATED_IN]->(r:Region) WHERE e.region = r.id "
                              "RETURN count(*) AS c").single()["c"]
    assert located == 120
    store.apply(bigger)   # and the same load then goes through
    assert store.counts()[schema.ENTERPRISE] == 400 and store.pending_loads() == []


KILLED_LOAD = """
import os, sys, time
sys.path.insert(0, {root!r})
from tests.conftest import build_batch
from tests.graph.store.test_neo4j_store import many_batch, server_settings
from graph.store.neo4j.store import Neo4jStore
store = Neo4jStore.connect(server_settings(CHAINATLAS_BATCH_SIZE="20"))
def stall(step, done, total):
    if step == "enterprise_products" and done >= 100:
        print("STALLED", flush=True)
        time.sleep(600)
store.apply(many_batch(build_batch, 300, name="新"), progress=stall)
"""


@pytest.mark.neo4j
@NEEDS_SERVER
def test_killed_load_is_found_refused_and_recovered(neo4j_store, make_batch):
    import signal
    from pathlib import Path
    neo4j_store.apply(many_batch(make_batch, 60))
    before = snapshot(neo4j_store)
    root = str(Path(__file__).resolve().parents[3])
    child = subprocess.Popen([sys.executable, "-c", KILLED_LOAD.format(root=root)], stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": root}, cwd=root, text=True)
    try:
        assert child.stdout.readline().strip() == "STALLED"
        (running,) = neo4j_store.pending_loads()
        assert running["pid"] == child.pid and not running["stale"]
        with pytest.raises(StoreLocked):            # a second, concurrent load is refused
            neo4j_store.apply(many_batch(make_batch, 5))
        with pytest.raises(StoreLocked):
            neo4j_store.recover()                   # nor is a live load rolled back
        assert neo4j_store.counts()[schema.ENTERPRISE] == 300   # readers see the batches committed so far
    finally:
        child.send_signal(signal.SIGKILL)   # kill -9: no rollback, no cleanup
        child.wait()
    store = Neo4jStore.connect(server_settings())   # "the next connect"
    (left,) = store.pending_loads()
    assert left["stale"] and left["batches"] > 5
    with pytest.raises(UnfinishedLoad):
        store.apply(many_batch(make_batch, 5))
    (done,) = store.recover()
    assert done["action"] == "rolled back" and done["entries"] > 5
    assert snapshot(store) == before and store.pending_loads() == []


@pytest.mark.neo4j
@NEEDS_SERVER
def test_concurrent_loads_one_is_refused(make_batch):
    import threading
    stores = [Neo4jStore.connect(server_settings(CHAINATLAS_BATCH_SIZE="25")) for _ in range(2)]
    stores[0].clear()
    outcome, started = {}, threading.Event()

    def first():
        def slow(step, done, total):
            started.set()
            time.sleep(0.01)
        stores[0].apply(many_batch(make_batch, 300), progress=slow)
        outcome["first"] = "done"
    t = threading.Thread(target=first)
    t.start()
    started.wait(30)
    with pytest.raises(StoreLocked) as info:
        stores[1].apply(many_batch(make_batch, 10, name="并发"))
    assert "another load is running" in str(info.value)
    t.join(120)
    assert outcome == {"first": "done"} and stores[1].counts()[schema.ENTERPRISE] == 300
    assert stores[1].pending_loads() == []


@pytest.mark.neo4j
@NEEDS_SERVER
def test_no_driver_notification_reaches_the_user(neo4j_store, make_batch, capfd):
    neo4j_store.apply(small_batch(make_batch))
    assert list(neo4j_store.maker_counts(["P1", "NOPE"])["makers"]) == [1, 0]
    with neo4j_store._session() as session:
        summary = session.run(q.MAKER_COUNTS, product_ids=["P1", "NOPE"]).consume()
    assert not summary.notifications   # rewritten query, and the driver asks for none (Neo4j 5.7+)
    out, err = capfd.readouterr()
    assert "notification" not in (out + err).lower()


@pytest.mark.neo4j
@NEEDS_SERVER
def test_makers_plan_uses_the_product_id_index(neo4j_store, make_batch):
    n = 400   # enough that scanning enterprises is clearly worse than seeking products
    neo4j_store.apply(make_batch(
        products=[{"product_id": f"P{i}", "name": f"产品{i}"} for i in range(n)],
        enterprises=[{"enterprise_id": f"E{i}", "name": f"企业{i}"} for i in range(n)],
        enterprise_products=[{"enterprise": f"E{i}", "product": f"P{i}"} for i in range(n)]))
    with neo4j_store._session() as session:
        summary = session.run("EXPLAIN " + q.MAKERS, product_ids=["P1"], region_codes=["140800"],
                              include_parks=[], exclude_parks=[], scoped=True, want_local=True).consume()
    operators, todo = [], [summary.plan]
    while todo:
        node = todo.pop()
        operators.append(node["operatorType"])
        todo.extend(node.get("children", []))
    assert any(op.startswith(("NodeUniqueIndexSeek", "NodeIndexSeek")) for op in operators), operators
    assert not any(op.startswith(("AllNodesScan", "NodeByLabelScan")) for op in operators), operators


@pytest.mark.neo4j
@NEEDS_SERVER
def test_routing_uri_works(neo4j_store, make_batch):
    uri = os.environ["NEO4J_URI"]
    routed = "neo4j" + uri[uri.index("://"):] if uri.startswith("bolt") else uri
    store = Neo4jStore.connect(server_settings(CHAINATLAS_DB=routed))
    store.apply(small_batch(make_batch))
    assert store.counts()[schema.PRODUCT] == 5 and len(store.makers(["P1"])) == 1
    store.close()


def test_driver_asks_for_no_notifications_and_falls_back_on_old_servers(monkeypatch):
    """Neo4j 5.7+ (Bolt 5.2) filters notifications at the source; 5.3–5.6 cannot, so the driver is
    reopened without the filter (the query rewrite and the silenced logger cover those)."""
    import logging

    import neo4j
    from graph.store.neo4j import store as store_module
    opened = []

    class Driver:
        def __init__(self, options):
            self.options, self.closed = options, False

        def verify_connectivity(self):
            if "notifications_min_severity" in self.options and old_server:
                raise nx.ConfigurationError("Notification filtering is not supported for the Bolt Protocol 5.0")

        def close(self):
            self.closed = True

    def driver(uri, auth=None, **options):
        opened.append(Driver(options))
        return opened[-1]
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", driver)
    settings = Settings(db="bolt://db:7687")
    for old_server in (False, True):
        opened.clear()
        got = store_module._open_driver(settings, 1.0)
        assert opened[0].options["notifications_min_severity"] == "OFF"
        assert got is opened[-1] and len(opened) == (2 if old_server else 1)
        assert not got.closed and (not old_server or opened[0].closed)
        assert "notifications_min_severity" not in got.options or not old_server
    logger = logging.getLogger("neo4j.notifications")
    assert logger.propagate is False and any(isinstance(h, logging.NullHandler) for h in logger.handlers)


def test_projects_map_onto_project_and_event_nodes():
    """#16 on the fake driver: what save_projects sends, and how projects()/project_history()
    read the nodes back (empty lists are not stored; missing values come back as None/NaN)."""
    nodes, events = {}, []

    def save(p):
        nodes.update({r["id"]: r["props"] for r in p["rows"]})
        return []

    def add(p):
        known = [r for r in p["rows"] if r["project_id"] in nodes]
        events.extend(r["props"] for r in known)
        return [{"created": len(known)}]
    answers = {q.SAVE_PROJECTS: save, q.ADD_PROJECT_EVENTS: add,
               q.ALL_PROJECTS: lambda p: [{"id": k, "props": v} for k, v in sorted(nodes.items())],
               q.PROJECT_EVENTS: lambda p: [{"props": e} for e in events
                                            if p["all_projects"] or e["project_id"] in p["ids"]]}
    store, db = fake_store(answers=answers)
    p1 = {"project_id": "PJ-1", "name": "甲", "enterprise": "甲企业", "products": ["P1"], "product_names": ["产品1"],
          "chains": [], "stage": "线索", "investment": 12, "illustrative": False}
    store.save_projects([p1], [{"project_id": "PJ-1", "seq": 1, "at": "2025-01-01 00:00:00", "by": None,
                                "from_stage": None, "to_stage": "线索", "note": "新建"}])
    assert nodes["PJ-1"]["id"] == "PJ-1" and "chains" not in nodes["PJ-1"] and "by" not in events[0]
    assert events[0]["id"] == "PJ-1#1" and events[0]["seq"] == 1
    got = store.projects().iloc[0]
    assert (got["products"], got["chains"], got["investment"], got["region"]) == (["P1"], [], 12.0, None)
    h = store.project_history(["PJ-1"])
    assert h[["seq", "by", "to_stage"]].values.tolist() == [[1, None, "线索"]]
    assert store.project_history(["PJ-2"]).empty
    with pytest.raises(ChainAtlasError, match="找不到所属项目"):
        store.save_projects([], [{"project_id": "PJ-9", "seq": 1, "to_stage": "线索"}])
