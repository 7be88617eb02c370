"""Neo4jStore: connection failures and the load's transaction handling (always, no server),
plus checks that need a real Neo4j 5 (skipped unless NEO4J_URI is set).

The shared behaviour of every store is in test_store_contract.py (the ``store`` fixture runs it on
Neo4j too when NEO4J_URI is set).
"""
from __future__ import annotations

import os
import socket
import time

import pytest

from graph.store.neo4j import cypher as q
from graph import schema
from graph.errors import ChainAtlasError, NotFound, StoreUnavailable, ValidationFailed
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


# --- the load's transaction handling, on a fake driver (always) --------------------------------
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
    def __init__(self, db):
        self.db = db

    def run(self, statement, parameters=None, **kw):
        params = {**(parameters or {}), **kw}
        self.db.log.append(statement)
        return FakeResult(self.db.answer(statement, params))

    def commit(self):
        self.db.committed += 1

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        if exc_type is not None:
            self.db.rolled_back += 1


class FakeDriver:
    """Answers the store's statements as an empty database would (missing ids configurable)."""

    def __init__(self, missing=(), answers=None):
        self.log, self.committed, self.rolled_back = [], 0, 0
        self.missing, self.answers = set(missing), answers or {}

    def answer(self, statement, params):
        if statement in self.answers:
            return self.answers[statement](params)
        if statement in q.MISSING_IDS.values():
            return [{"id": i} for i in params["ids"] if i in self.missing]
        if statement in q.LINK_DERIVED.values():
            return [{"linked": len(params["rows"])}]
        if statement in q.MERGE_RELS.values():
            return [{"merged": len(params["rows"])}]
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
                return work(FakeTx(driver))

            execute_write = execute_read

            def run(self, statement, parameters=None, **kw):
                return FakeTx(driver).run(statement, parameters, **kw)
        return Session()


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


def test_apply_writes_nodes_then_links_then_relationships_in_batches(make_batch):
    store, db = fake_store()
    calls = []
    report = store.apply(small_batch(make_batch), progress=lambda *a: calls.append(a))
    assert db.committed == 1 and db.rolled_back == 0 and report.written
    assert report.changes["products"].added == 5 and report.changes["enterprise_products"].added == 5
    merges = [s for s in db.log if s in q.MERGE_NODES.values() or s in q.MERGE_RELS.values()
              or s in q.LINK_DERIVED.values()]
    kinds = ["node" if s in q.MERGE_NODES.values() else "link" if s in q.LINK_DERIVED.values() else "rel"
             for s in merges]
    assert kinds == sorted(kinds, key=["node", "link", "rel"].index)   # nodes, derived links, relationships
    assert db.log.count(q.MERGE_NODES[schema.PRODUCT]) == 3 and db.log.count(q.MERGE_RELS["enterprise_products"]) == 3
    assert ("products", 2, 5) in calls and ("products", 5, 5) in calls and calls[-1] == ("commit", 1, 1)
    assert ("supplies", 0, 0) in calls


def test_dangling_reference_rolls_back_before_any_write(make_batch):
    store, db = fake_store(missing={"P-MISSING"})
    batch = small_batch(make_batch)
    batch.tables["enterprise_products"].loc[0, "product"] = "P-MISSING"
    with pytest.raises(ValidationFailed) as info:
        store.apply(batch)
    assert db.committed == 0 and db.rolled_back == 1
    assert not [s for s in db.log if s.startswith("UNWIND $rows")]
    (problem,) = info.value.problems
    assert (problem.sheet, problem.column, problem.value) == ("enterprise_products", "product", "P-MISSING")
    with pytest.raises(ValidationFailed):
        store.plan(batch)


def test_error_mid_load_rolls_back_and_raises_chain_atlas_error(make_batch):
    store, db = fake_store()

    def progress(step, done, total):
        if step == "enterprise_products" and done:
            raise RuntimeError("disk full")
    with pytest.raises(ChainAtlasError, match="nothing was written"):
        store.apply(small_batch(make_batch), progress)
    assert db.committed == 0 and db.rolled_back == 1


def test_lost_link_is_never_committed(make_batch):
    store, db = fake_store(answers={q.MERGE_RELS["enterprise_products"]: lambda p: [{"merged": 0}]})
    with pytest.raises(ChainAtlasError):
        store.apply(small_batch(make_batch))
    assert db.committed == 0 and db.rolled_back == 1


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
    assert (neo4j_store.counts(), neo4j_store.table("enterprises").to_dict("records")) == before


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


@NEEDS_SERVER
def test_routing_uri_works(neo4j_store, make_batch):
    uri = os.environ["NEO4J_URI"]
    routed = "neo4j" + uri[uri.index("://"):] if uri.startswith("bolt") else uri
    store = Neo4jStore.connect(server_settings(CHAINATLAS_DB=routed))
    store.apply(small_batch(make_batch))
    assert store.counts()[schema.PRODUCT] == 5 and len(store.makers(["P1"])) == 1
    store.close()


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
