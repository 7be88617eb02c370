"""Neo4jStore: the :class:`~graph.store.AtlasStore` on a Neo4j 5 server or cluster.

One driver per process and (URI, user, database), shared by every store opened on it. Reads are
managed read transactions (``execute_read``: routed to followers on a cluster, retried on transient
errors); a load commits in journaled batches (:mod:`graph.store.neo4j.load`), so server memory stays
bounded and a failure — or a killed process, through ``chainatlas recover`` — leaves the database as it was.
All Cypher, the storage model and the constraints/indexes ensured at connect are in
:mod:`graph.store.neo4j.cypher`; value conversion and diffs in :mod:`graph.store.neo4j.rows`.
"""
from __future__ import annotations

import atexit
import logging
import socket
import threading
import time
from difflib import get_close_matches
from typing import Iterable

import neo4j
import pandas as pd
from neo4j import exceptions as nx

from graph.store.neo4j import cypher as q
from graph.store.neo4j import journal, load, rows, summary
from graph.store.neo4j.projects import ProjectsMixin
from graph import schema
from graph.errors import ChainAtlasError, NotFound, StoreUnavailable
from graph.model import ImportBatch, LoadReport
from graph.settings import Settings
from graph.store import MAKER_COLUMNS, AtlasStore, ChainView, Progress, Scope

CONNECT_TIMEOUT = 10.0   # seconds to open one connection
CLEAR_BATCH = 10_000     # nodes deleted per transaction by clear()
HINT = ("Check that the server is up (`docker compose up -d neo4j` starts the bundled one), the "
        "password (NEO4J_PASSWORD in .env), NEO4J_USER and NEO4J_DATABASE, and that CHAINATLAS_DB "
        "is the server's bolt:// or neo4j:// URI.")
PROV = ["source", "as_of", "illustrative"]

# (URI, user, database) -> (driver, bookmark manager shared by all its sessions, so that on a
# cluster a read always sees the loads committed before it by this process)
_DRIVERS: dict[tuple[str, str, str], tuple[neo4j.Driver, neo4j.BookmarkManager]] = {}
_LOCK = threading.Lock()


def _unavailable(settings: Settings, err: BaseException) -> StoreUnavailable:
    uri, user, db = settings.db, settings.neo4j_user, settings.neo4j_database
    code = getattr(err, "code", "") or ""
    if "DatabaseNotFound" in code:
        return StoreUnavailable(f"Neo4j at {uri} (user {user!r}) has no database {db!r}",
                                "Set NEO4J_DATABASE to an existing database (default: neo4j). " + HINT)
    if isinstance(err, nx.AuthError) or "Security.Unauthorized" in code:
        return StoreUnavailable(f"Neo4j at {uri} refused user {user!r}: wrong user or password", HINT)
    return StoreUnavailable(f"Cannot use Neo4j at {uri} as user {user!r} (database {db!r}): {err}", HINT)


# Users never see server notifications ("null value eliminated …" and the like): the driver asks
# the server to send none (Bolt 5.2+, Neo4j 5.7+), and its notification logger, which would print
# warnings to stderr through logging's last-resort handler, is silenced for older servers.
_NOTIFICATIONS = logging.getLogger("neo4j.notifications")
_NOTIFICATIONS.addHandler(logging.NullHandler())
_NOTIFICATIONS.propagate = False
QUIET = {"notifications_min_severity": "OFF"}


def _open_driver(settings: Settings, timeout: float) -> neo4j.Driver:
    for options in (QUIET, {}):   # Neo4j 5.3–5.6 (Bolt 5.0/5.1) cannot filter notifications
        try:
            driver = neo4j.GraphDatabase.driver(
                settings.db, auth=neo4j.basic_auth(settings.neo4j_user, settings.neo4j_password),
                connection_timeout=timeout, **options)
        except Exception as err:  # malformed URI or config
            raise _unavailable(settings, err) from err
        try:
            driver.verify_connectivity()
        except nx.ConfigurationError as err:
            driver.close()
            if options and "otification" in str(err):
                continue
            raise _unavailable(settings, err) from err
        except Exception as err:  # ServiceUnavailable (down, refused, DNS), AuthError …
            driver.close()
            raise _unavailable(settings, err) from err
        return driver
    raise AssertionError("unreachable")


def close_drivers() -> None:
    """Close every cached driver (registered at exit; also handy in tests)."""
    with _LOCK:
        drivers = [driver for driver, _ in _DRIVERS.values()]
        _DRIVERS.clear()
    for driver in drivers:
        driver.close()


atexit.register(close_drivers)


class Neo4jStore(ProjectsMixin, AtlasStore):
    backend = "neo4j"

    def __init__(self, driver: neo4j.Driver, settings: Settings, bookmarks: neo4j.BookmarkManager | None = None):
        self._driver, self._settings, self._bookmarks = driver, settings, bookmarks
        self._database = settings.neo4j_database or None
        self._batch = max(1, int(settings.batch_size))
        self.location = settings.db
        self._closed = False

    @classmethod
    def connect(cls, settings: Settings, *, connection_timeout: float = CONNECT_TIMEOUT) -> "Neo4jStore":
        """Open (or reuse) the process's driver, check connectivity, ensure constraints/indexes.
        Raises StoreUnavailable naming the URI and user, with a hint."""
        key = (settings.db, settings.neo4j_user, settings.neo4j_database)
        with _LOCK:
            if key not in _DRIVERS:
                _DRIVERS[key] = (_open_driver(settings, connection_timeout), neo4j.GraphDatabase.bookmark_manager())
            driver, bookmarks = _DRIVERS[key]
        store = cls(driver, settings, bookmarks)
        try:
            store.ensure_schema()
        except StoreUnavailable:
            with _LOCK:
                if _DRIVERS.get(key, (None,))[0] is driver:
                    del _DRIVERS[key]
            driver.close()
            raise
        return store

    def ensure_schema(self) -> None:
        """Create the constraints and indexes of graph.store.neo4j.cypher where missing (idempotent)."""
        try:
            with self._session() as session:
                for statement in [*q.CONSTRAINTS.values(), *q.INDEXES.values(), *q.JOURNAL_SCHEMA.values(),
                                  q.SUMMARY_SCHEMA, *q.PROJECT_CONSTRAINTS.values()]:
                    session.run(statement).consume()
        except nx.Forbidden:
            pass  # a user without schema rights can still read and write data
        except (nx.Neo4jError, nx.DriverError) as err:
            raise _unavailable(self._settings, err) from err

    def close(self) -> None:
        self._closed = True  # the driver is shared by the process (see close_drivers)

    # --- plumbing --------------------------------------------------------------------------------
    def _session(self):
        if self._closed:
            raise ChainAtlasError(f"The Neo4j store at {self.location} is closed")
        return self._driver.session(database=self._database, bookmark_manager=self._bookmarks)

    def _run(self, work, write: bool = False):
        try:
            with self._session() as session:
                return (session.execute_write if write else session.execute_read)(work)
        except (nx.ServiceUnavailable, nx.SessionExpired) as err:
            raise _unavailable(self._settings, err) from err
        except (nx.Neo4jError, nx.DriverError) as err:
            raise load.server_error(self, err, "Neo4j query") from err

    def _rows(self, statement: str, **params) -> list[dict]:
        return self._run(lambda tx: tx.run(statement, params).data())

    # --- writes (graph.store.neo4j.load: journaled batches, all or nothing) ------------------------
    def plan(self, batch: ImportBatch) -> LoadReport:
        start = time.monotonic()
        tables = {t: rows.batch_rows(t, batch.tables.get(t)) for t in schema.LOAD_ORDER}
        changes, _ = load.check(self, tables, batch.source)
        return LoadReport(changes, written=False, seconds=time.monotonic() - start)

    def apply(self, batch: ImportBatch, progress: Progress | None = None) -> LoadReport:
        return load.apply(self, batch, progress or (lambda *a: None))

    def pending_loads(self) -> list[dict]:
        now, host = time.time(), socket.gethostname()
        return [{**m.as_dict(), "stale": journal.is_stale(m, now, host)} for m in load.pending(self)]

    def check_writable(self) -> None:
        load.check_writable(self)

    def recover(self, force: bool = False, progress: Progress | None = None) -> list[dict]:
        return load.recover(self, force=force, progress=progress)

    def clear(self) -> None:
        while self._run(lambda tx: tx.run(q.CLEAR_BATCH, batch=CLEAR_BATCH).single()["deleted"], write=True):
            pass

    # --- reads: whole tables and counts -----------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        if name not in schema.TABLES:
            raise NotFound("表", name, candidates=get_close_matches(name, list(schema.TABLES)))
        if name in schema.LABEL_OF_TABLE:
            found = [(r["id"], r["props"]) for r in self._rows(q.ALL_NODES[schema.LABEL_OF_TABLE[name]])]
        else:
            found = [((r["src"], r["dst"]), r["props"]) for r in self._rows(q.ALL_RELS[name])]
        t = schema.TABLES[name]
        records = sorted((rows.stored_record(name, k, p) for k, p in found),
                         key=lambda r: tuple(r[c] for c in t.key))
        return rows.frame(records, t.column_names, rows.float_columns(name))

    def node_names(self, table: str) -> pd.DataFrame:
        if table not in schema.NODE_TABLES:
            raise NotFound("节点表", table, candidates=list(schema.NODE_TABLES))
        return rows.frame(self._rows(q.NODE_NAMES[schema.LABEL_OF_TABLE[table]]), ["id", "name"])

    def counts(self) -> dict[str, int]:
        statements = {**q.COUNT_NODES, **q.COUNT_RELS}
        return self._run(lambda tx: {k: tx.run(s).single()["total"] for k, s in statements.items()})

    def sources(self) -> pd.DataFrame:
        return summary.sources(self, load.begin)   # the maintained summary; rebuilt when untrusted

    # --- reads: the engine's queries ------------------------------------------------------------
    def chain_view(self, chain_id: str) -> ChainView:
        chain_id = str(chain_id)
        statements = (q.CHAIN_NODE, q.CHAIN_PRODUCTS, q.CHAIN_FLOWS, q.CHAIN_ROLES, q.CHAIN_PARKS)
        node, products, flows, roles, parks = self._run(
            lambda tx: [tx.run(s, chain_id=chain_id).data() for s in statements])
        if not node:
            known = [v for r in self._rows(q.NODE_NAMES[schema.CHAIN]) for v in (r["id"], r["name"]) if v]
            raise NotFound("产业链", chain_id, candidates=get_close_matches(chain_id, known, n=5, cutoff=0.4))
        for r in products:
            r["aliases"] = rows.from_value("list", r["aliases"])
        for r in roles:
            r["tags"] = rows.from_value("list", r["tags"])
        products.sort(key=lambda r: (schema.STAGE_ORDER.get(r["stage"], 9), r["product_id"]))
        roles.sort(key=lambda r: r["enterprise_id"])
        roles.sort(key=lambda r: r["role"] or "", reverse=True)
        return ChainView(
            chain=rows.stored_record("chains", chain_id, node[0]["props"]),
            products=rows.frame(products, ["product_id", "name", "aliases", "gbt4754", "stage", "segment",
                                           "key_link", *PROV]),
            flows=rows.frame(flows, ["from_product", "to_product", "cycle_ok", *PROV]),
            roles=rows.frame(roles, ["enterprise_id", "name", "role", "evidence", "region", "park", "scale",
                                     "tags", *PROV]),
            parks=rows.frame(parks, ["park_id", "name", "kind", "region", "counted_for", *PROV]))

    def makers(self, product_ids: Iterable[str], scope: Scope | None = None, side: str = "all") -> pd.DataFrame:
        if side not in ("inside", "outside", "all"):
            raise ValueError(f"side must be inside, outside or all, not {side!r}")
        ids, scope = rows.ids(product_ids), scope or Scope()
        found = self._rows(q.MAKERS, product_ids=ids, region_codes=sorted(scope.region_codes),
                           include_parks=sorted(scope.include_parks), exclude_parks=sorted(scope.exclude_parks),
                           scoped=side != "all", want_local=side == "inside") if ids else []
        for r in found:
            r["tags"] = rows.from_value("list", r["tags"])
        return rows.frame(found, MAKER_COLUMNS, ["revenue_share", "revenue"])

    def maker_counts(self, product_ids: Iterable[str]) -> pd.DataFrame:
        return self._per_product(q.MAKER_COUNTS, "product_ids", product_ids, "makers")

    def _per_product(self, statement: str, param: str, product_ids: Iterable[str], column: str) -> pd.DataFrame:
        """``product_id`` and an int ``column`` per given product (0 where the statement has no row)."""
        ids = rows.ids(product_ids)
        found = {r["product_id"]: r[column] for r in self._rows(statement, **{param: ids})} if ids else {}
        return rows.frame([{"product_id": i, column: found.get(i, 0)} for i in ids], ["product_id", column],
                          ints=[column])

    def products(self, ids: Iterable[str]) -> pd.DataFrame:
        return self._nodes_by_id("products", q.PRODUCTS, ids)

    def _nodes_by_id(self, table: str, statement: str, ids: Iterable[str]) -> pd.DataFrame:
        keys = rows.ids(ids)
        found = self._rows(statement, ids=keys) if keys else []
        return rows.frame([rows.stored_record(table, r["id"], r["props"]) for r in found],
                          schema.TABLES[table].column_names, rows.float_columns(table))

    def find_products(self, texts: Iterable[str]) -> pd.DataFrame:
        keys = rows.ids(texts)
        found = sorted(self._rows(q.FIND_PRODUCTS, texts=keys), key=lambda r: r["product_id"]) if keys else []
        for r in found:
            r["aliases"] = rows.from_value("list", r["aliases"])
        return rows.frame(found, ["product_id", "name", "aliases"])

    def product_flows_of(self, product_ids: Iterable[str]) -> pd.DataFrame:
        ids = rows.ids(product_ids)
        found = sorted(self._rows(q.PRODUCT_FLOWS_OF, ids=ids),
                       key=lambda r: (r["from_product"], r["to_product"])) if ids else []
        return rows.frame(found, ["from_product", "to_product", "cycle_ok", *PROV])

    def flow_degrees(self, product_ids: Iterable[str]) -> pd.DataFrame:
        return self._per_product(q.FLOW_DEGREES, "ids", product_ids, "degree")

    def enterprises(self, ids: Iterable[str]) -> pd.DataFrame:
        return self._nodes_by_id("enterprises", q.ENTERPRISES, ids)

    def supplies(self, enterprise_ids: Iterable[str]) -> pd.DataFrame:
        ids = rows.ids(enterprise_ids)
        found = sorted(self._rows(q.SUPPLIES, ids=ids), key=lambda r: (r["supplier"], r["customer"])) if ids else []
        return rows.frame(found, ["supplier", "customer", "product", *PROV])

    def enterprise_products(self, enterprise_ids: Iterable[str]) -> pd.DataFrame:
        ids = rows.ids(enterprise_ids)
        found = self._rows(q.ENTERPRISE_PRODUCTS, ids=ids) if ids else []
        return rows.frame(found, ["enterprise_id", "product_id", "product", "revenue_share", *PROV],
                          ["revenue_share"])

    def search(self, text: str, limit: int = 50) -> pd.DataFrame:
        columns, text = ["label", "id", "name", "detail"], (text or "").strip()
        if not text or limit <= 0:
            return rows.frame([], columns)
        rank = {label: i for i, label in enumerate(schema.NODE_LABELS)}
        hits = []
        for r in self._rows(q.SEARCH, q=text, max_rows=int(limit)):
            detail = r["detail"]
            if isinstance(detail, list):
                detail = "、".join(detail) or None
            elif r["node_label"] == schema.PARK:
                detail = None if r["kind"] is None else f"{r['kind']} · {detail or ''}"
            hits.append({"label": r["node_label"], "id": r["id"], "name": r["name"], "detail": detail,
                         "_order": (not r["is_exact"], len(r["name"] or ""), rank.get(r["node_label"], 9),
                                    r["name"] or "")})
        hits.sort(key=lambda h: h["_order"])
        return rows.frame(hits[:limit], columns)

    def neighbourhood(self, label: str, node_id: str, limit: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
        if label not in q.HOPS:
            raise ChainAtlasError(f"未知的节点类型“{label}” / unknown node label",
                                  "Use one of: " + ", ".join(schema.NODE_LABELS))
        node_id, limit = str(node_id), max(int(limit), 0)

        def work(tx):
            centre = tx.run(q.CENTRE[label], id=node_id).data()
            hops = [(hop, tx.run(q.HOP[(label, *hop[:2])], id=node_id, max_rows=limit + 1).data())
                    for hop in q.HOPS[label]] if centre else []
            return centre, hops
        centre, hops = self._run(work)
        if not centre:
            raise NotFound(label, node_id)
        nodes, edges = {(label, node_id): centre[0]["name"]}, []
        for (rel, outgoing, other_label), found in hops:
            for r in found:
                other = (other_label, r["id"])
                if other not in nodes:
                    if len(nodes) > limit:
                        break
                    nodes[other] = r["name"]
                ends = ((label, node_id), other) if outgoing else (other, (label, node_id))
                edges.append({"source_label": ends[0][0], "source": ends[0][1], "target_label": ends[1][0],
                              "target": ends[1][1], "type": rel})
        node_rows = [{"label": lb, "id": i, "name": n} for (lb, i), n in nodes.items()]
        return (rows.frame(node_rows, ["label", "id", "name"]),
                rows.frame(edges, ["source_label", "source", "target_label", "target", "type"]))
