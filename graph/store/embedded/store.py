"""The embedded store: a directory with one SQLite database (WAL mode), no server.

Layout of ``DIR``: ``atlas.sqlite`` (+ ``-wal``/``-shm``) and ``write.lock``. Writers take an
exclusive ``flock`` on ``write.lock`` (a second writer gets StoreLocked at once) and write in one
transaction, so a crash or ``kill -9`` mid-load leaves the previous data intact. Readers use a
small pool of connections, one read transaction per call, and never wait for a writer.

>>> import tempfile
>>> from tests.conftest import build_batch
>>> with EmbeddedStore(tempfile.mkdtemp()) as s:
...     r = s.apply(build_batch(chains=[{"chain_id": "C1", "name": "新能源汽车"}]))
...     r.added, s.counts()["Chain"]
(1, 1)
"""
from __future__ import annotations

import difflib
import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

import pandas as pd

from graph import schema
from graph.store.embedded.codec import SCHEMA_VERSION, ddl, frame, kinds_of, q, sql_type
from graph.store.embedded.explore import chain_view, neighbourhood, search
from graph.store.embedded import derived
from graph.store.embedded.makers import MakersCache
from graph.store.embedded.lock import WriteLock
from graph.store.embedded.projects import ProjectsMixin
from graph.store.embedded.write import apply_batch, apply_tables, clear_all, columnar_rows, plan_batch, \
    rebuild_provenance
from graph.errors import NotFound, StoreUnavailable
from graph.model import ImportBatch, LoadReport
from graph.store import AtlasStore, ChainView, Progress, Scope

_HINT = ("Set CHAINATLAS_DB to a directory this user can create and write (default ./atlas-data), "
         "or to a bolt:// / neo4j:// URI for a Neo4j server.")


def _ids(values: Iterable[str]) -> str:
    """A JSON array for ``IN (SELECT value FROM json_each(?))``."""
    return json.dumps([str(v) for v in values], ensure_ascii=False)


class EmbeddedStore(ProjectsMixin, AtlasStore):
    backend = "embedded"
    write_cache_mb = 96    # SQLite page cache of a writer (bulk loads spill to the WAL beyond it; #14: memory)
    page_size = 16384      # of a NEW database (SQLite ignores it for an existing one, e.g. 4 KB stores made
                           # before): a 1M load writes a quarter of the pages, B-tree levels and WAL frames (#14)
    read_mmap_mb = 2048    # READ connections memory-map up to this much of the file (SQLite caps it near 2 GB):
                           # pages are read in place, not copied by a system call each (a province export at 1M:
                           # ~0.1 s less system time). Writers keep plain reads (the load's peak RSS); 0 = off.

    def __init__(self, path: str):
        self.dir = Path(path).expanduser()
        self.location = str(self.dir)
        self.db_path = self.dir / "atlas.sqlite"
        self._pool: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._makers = MakersCache()
        self._views: dict = {}   # chain id -> (generation, ChainView): a plan diagnoses 30 chains at a time
        self._counts: dict = {}  # product id -> makers anywhere; "" -> the generation they were counted at
        self._pairs: dict = {}   # enterprise id -> its (supplier, customer) pairs; "" -> their generation
        self._cached: dict[str, tuple[int, object]] = {}
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._init_schema()
            self._init_projects()
        except (OSError, sqlite3.Error) as err:
            self.close()
            raise StoreUnavailable(f"无法打开数据目录 / cannot open the store at {self.dir}: {err}", _HINT) from err

    # --- connections ---------------------------------------------------------------------------
    def _connect(self, cache_mb: int = 32) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute(f"PRAGMA page_size = {self.page_size}")     # before WAL mode fixes it (new files only)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA cache_size = {-cache_mb * 1024}")
        conn.execute("PRAGMA journal_size_limit = 67108864")
        return conn

    def _init_schema(self) -> None:
        conn = self._connect()
        try:
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if {"meta", "provenance", *derived.TABLES, *schema.TABLES} - have:
                with WriteLock(self.dir):
                    conn.execute("BEGIN IMMEDIATE")
                    for stmt in ddl():
                        conn.execute(stmt)
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('generation', 0)")
                    if "provenance" not in have:
                        rebuild_provenance(conn)
                    conn.execute("COMMIT")
            for t in schema.TABLES.values():  # columns added to the schema since the store was made
                cols = {r[1] for r in conn.execute(f"PRAGMA table_info({q(t.name)})")}
                for c in t.columns:
                    if c.name not in cols:
                        with WriteLock(self.dir):
                            conn.execute(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(c.name)} {sql_type(c.kind)}")
        finally:
            conn.close()

    @contextmanager
    def _read(self):
        """A pooled connection inside one read transaction (a consistent snapshot)."""
        with self._pool_lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None:
            try:
                conn = self._connect()
                if self.read_mmap_mb:
                    conn.execute(f"PRAGMA mmap_size = {int(self.read_mmap_mb) * 2 ** 20}")
            except sqlite3.Error as err:
                raise StoreUnavailable(f"cannot open the store at {self.dir}: {err}", _HINT) from err
            with self._pool_lock:
                self._all.append(conn)
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._pool_lock:
                self._pool.append(conn)

    def generation(self) -> str:
        """The write counter in the database: bumped by every apply/clear, from any process."""
        with self._read() as conn:
            return str(self._generation(conn))

    def _generation(self, conn) -> int:
        return conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()[0]

    def _memo(self, name: str, conn, compute):
        """``compute(conn)``, cached until the data generation changes."""
        gen = self._generation(conn)
        hit = self._cached.get(name)
        if hit is None or hit[0] != gen:
            hit = (gen, compute(conn))
            self._cached[name] = hit
        return hit[1]

    def close(self) -> None:
        with self._pool_lock:
            conns, self._all, self._pool = self._all, [], []
        for c in conns:
            c.close()

    # --- writes --------------------------------------------------------------------------------
    def _write(self, work):
        with WriteLock(self.dir):
            conn = self._connect(cache_mb=self.write_cache_mb)
            try:
                return work(conn)
            finally:
                conn.close()
                self._makers.drop()
                self._cached.clear()

    def plan(self, batch: ImportBatch) -> LoadReport:
        conn = self._connect()
        try:
            return plan_batch(conn, batch)
        finally:
            conn.close()

    def apply(self, batch: ImportBatch, progress: Progress | None = None) -> LoadReport:
        return self._write(lambda conn: apply_batch(conn, batch, progress or (lambda *a: None)))

    def apply_stream(self, stream, progress: Progress | None = None) -> LoadReport:
        """Write the tables of ``stream`` (loaders.stream.TableStream: validated one by one, inside this
        write lock, while the ones before are written) in one transaction, as :meth:`apply`; an
        error of the stream (its Fallback at a problem) rolls everything back."""
        return self._write(lambda conn: apply_tables(conn, stream.tables(columnar_rows), stream.source,
                                                     progress or (lambda *a: None), checked=True))

    def clear(self) -> None:
        self._write(clear_all)

    # --- reads: tables and counts -------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        if name not in schema.TABLES:
            raise NotFound("表", name, candidates=difflib.get_close_matches(name, list(schema.TABLES)))
        t = schema.TABLES[name]
        with self._read() as c:
            rows = c.execute(f"SELECT {', '.join(map(q, t.column_names))} FROM {q(name)} "
                             f"ORDER BY {', '.join(map(q, t.key))}").fetchall()
        return frame(rows, t.column_names, kinds_of(name))

    def node_names(self, table: str) -> pd.DataFrame:
        if table not in schema.NODE_TABLES:
            raise NotFound("节点表", table, candidates=list(schema.NODE_TABLES))
        key = schema.KEY_OF_LABEL[schema.LABEL_OF_TABLE[table]]
        with self._read() as c:
            if "aliases" in schema.TABLES[table].column_names:
                rows = c.execute(f"SELECT {key}, name, aliases FROM {table} ORDER BY {key}").fetchall()
                return frame(rows, ["id", "name", "aliases"], {"aliases": "list"})
            rows = c.execute(f"SELECT {key}, name FROM {table} ORDER BY {key}").fetchall()
        return frame(rows, ["id", "name"])

    def counts(self) -> dict[str, int]:
        def compute(c):
            n = lambda sql: c.execute(sql).fetchone()  # noqa: E731
            out = {label: n(f"SELECT count(*) FROM {t}")[0] for t, label in schema.LABEL_OF_TABLE.items()}
            out.update({rel: n(f"SELECT count(*) FROM {t}")[0] for t, rel in schema.REL_OF_TABLE.items()})
            out[schema.LOCATED_IN], out[schema.IN_PARK] = n("SELECT count(region), count(park) FROM enterprises")
            out[schema.PARK_IN], out[schema.COUNTED_FOR] = n("SELECT count(region), count(counted_for) FROM parks")
            out[schema.PART_OF] = n("SELECT count(parent) FROM regions")[0]
            return {k: out[k] for k in schema.NODE_LABELS + schema.REL_TYPES}
        with self._read() as c:
            return dict(self._memo("counts", c, compute))

    def sources(self) -> pd.DataFrame:
        order = " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(schema.LOAD_ORDER))
        with self._read() as c:
            rows = c.execute("SELECT nullif(source, ''), nullif(as_of, ''), tbl, rows, illustrative_rows "
                             f"FROM provenance WHERE rows > 0 ORDER BY CASE tbl {order} END, source, as_of").fetchall()
        return frame(rows, ["source", "as_of", "table", "rows", "illustrative_rows"]).astype(
            {"rows": "int64", "illustrative_rows": "int64"})

    # --- reads: the engine's queries ----------------------------------------------------------
    def chain_view(self, chain_id: str) -> ChainView:
        """Kept per chain until the data generation changes; callers get copies of the frames."""
        with self._read() as c:
            gen = self._generation(c)
            hit = self._views.get(chain_id)
            if hit is None or hit[0] != gen:
                hit = (gen, chain_view(c, chain_id))
                if len(self._views) > 256:
                    self._views.clear()
                self._views[chain_id] = hit
        v = hit[1]
        return ChainView(dict(v.chain), v.products.copy(), v.flows.copy(), v.roles.copy(), v.parks.copy())

    def makers(self, product_ids: Iterable[str], scope: Scope | None = None, side: str = "all") -> pd.DataFrame:
        with self._read() as c:
            return self._makers.makers(c, self._generation(c), product_ids, scope, side)

    def prefetch_makers(self, product_ids: Iterable[str]) -> None:
        """Build one makers index covering these products (e.g. every product of the chains a
        recruitment plan looks at), so the per-chain ``makers()`` calls that follow are array takes;
        with current derived tables nothing (their per-part reads are cheaper, see MakersCache.prefetch).
        Optional for stores (graph.analysis.plan calls it when present)."""
        with self._read() as c:
            self._makers.prefetch(c, self._generation(c), product_ids)

    def _kept(self, name: str, gen, ids: list, read, limit: int | None = None) -> dict:
        """The per-id values kept in ``self.<name>`` (key "" holds their data generation), with
        ``read(ids not kept yet) -> {id: value}`` added; all dropped when the generation changed
        or when more than ``limit`` ids would be kept. Only ever added to in place: concurrent
        readers look up their own ids."""
        known = getattr(self, name)
        if known.get("") != gen:
            known = {"": gen}
        todo = [i for i in ids if i not in known]
        if todo:
            found = read(todo)
            if limit is not None and len(known) + len(found) > limit:
                known = {"": gen}
            known.update(found)
        setattr(self, name, known)
        return known

    def maker_counts(self, product_ids: Iterable[str]) -> pd.DataFrame:
        """Counted once per product until the data generation changes (only new products are asked)."""
        ids = list(dict.fromkeys(str(p) for p in product_ids))
        with self._read() as c:
            gen = self._generation(c)

            def read(todo):
                sql = "SELECT product, makers FROM derived_counts WHERE product IN (SELECT value FROM json_each(?))" \
                    if derived.current(c, gen) else ("SELECT product, count(*) FROM enterprise_products WHERE product "
                                                     "IN (SELECT value FROM json_each(?)) GROUP BY product")
                found = dict(c.execute(sql, (_ids(todo),)))
                return {p: int(found.get(p, 0)) for p in todo}
            known = self._kept("_counts", gen, ids, read)
        return pd.DataFrame({"product_id": pd.Series(ids, dtype=object),
                             "makers": pd.Series([known.get(p, 0) for p in ids], dtype="int64")})

    def products(self, ids: Iterable[str]) -> pd.DataFrame:
        return self._rows_by_id("products", ids)

    def _rows_by_id(self, table: str, ids: Iterable[str]) -> pd.DataFrame:
        t = schema.TABLES[table]
        with self._read() as c:
            rows = c.execute(f"SELECT {', '.join(map(q, t.column_names))} FROM {table} "
                             f"WHERE {t.key[0]} IN (SELECT value FROM json_each(?))", (_ids(ids),)).fetchall()
        return frame(rows, t.column_names, kinds_of(table))

    def find_products(self, texts: Iterable[str]) -> pd.DataFrame:
        with self._read() as c:
            rows = c.execute(
                "SELECT product_id, name, aliases FROM products p WHERE product_id IN (SELECT value FROM json_each(:t)) "
                "OR name IN (SELECT value FROM json_each(:t)) OR EXISTS (SELECT 1 FROM json_each(p.aliases) a "
                "WHERE a.value IN (SELECT value FROM json_each(:t))) ORDER BY product_id",
                {"t": _ids(texts)}).fetchall()
        return frame(rows, ["product_id", "name", "aliases"], kinds_of("products"))

    def product_flows_of(self, product_ids: Iterable[str]) -> pd.DataFrame:
        return self._either_end("product_flows", ["from_product", "to_product", "cycle_ok"], product_ids)

    def _either_end(self, table: str, cols: list[str], ids: Iterable[str]) -> pd.DataFrame:
        """Rows of a relationship table whose first or second column is one of ``ids``."""
        cols = [*cols, "source", "as_of", "illustrative"]
        sel = f"SELECT {', '.join(cols)} FROM {table} WHERE "
        with self._read() as c:
            rows = c.execute(f"{sel} {cols[0]} IN (SELECT value FROM json_each(:ids)) UNION "
                             f"{sel} {cols[1]} IN (SELECT value FROM json_each(:ids)) ORDER BY 1, 2",
                             {"ids": _ids(ids)}).fetchall()
        return frame(rows, cols, kinds_of(table))

    def flow_degrees(self, product_ids: Iterable[str]) -> pd.DataFrame:
        ids = list(dict.fromkeys(str(p) for p in product_ids))
        with self._read() as c:
            found = dict(c.execute(
                "SELECT p, count(DISTINCT o) FROM (SELECT from_product AS p, to_product AS o FROM product_flows "
                "WHERE from_product IN (SELECT value FROM json_each(:ids)) UNION ALL SELECT to_product, from_product "
                "FROM product_flows WHERE to_product IN (SELECT value FROM json_each(:ids))) WHERE p <> o GROUP BY p",
                {"ids": _ids(ids)}))
        return pd.DataFrame({"product_id": pd.Series(ids, dtype=object),
                             "degree": pd.Series([found.get(p, 0) for p in ids], dtype="int64")})

    def enterprises(self, ids: Iterable[str]) -> pd.DataFrame:
        return self._rows_by_id("enterprises", ids)

    def supplies(self, enterprise_ids: Iterable[str]) -> pd.DataFrame:
        return self._either_end("supplies", ["supplier", "customer", "product"], enterprise_ids)

    #: enterprises whose supply pairs are kept (a province's makers: each chain of it asks mostly the same)
    PAIRS_KEPT = 100_000

    def supply_pairs(self, enterprise_ids: Iterable[str]) -> pd.DataFrame:
        """``supplies(ids)[["supplier", "customer"]]`` (same pairs, any order), read from the keys and
        the customer index alone (no row look-ups), each enterprise's pairs kept until the data
        generation changes. Optional for stores (graph.analysis.targets uses it when present)."""
        ids = list(dict.fromkeys(str(e) for e in enterprise_ids))
        with self._read() as c:
            gen = self._generation(c)

            def read(todo):
                found: dict = {e: [] for e in todo}
                for end in ("supplier", "customer"):
                    at = 0 if end == "supplier" else 1
                    for r in c.execute(f"SELECT supplier, customer FROM supplies WHERE {end} IN "
                                       "(SELECT value FROM json_each(?))", (_ids(todo),)):
                        found[r[at]].append(r)
                return found
            known = self._kept("_pairs", gen, ids, read, self.PAIRS_KEPT)
        rows = [r for e in ids for r in known[e]]
        return frame(list(dict.fromkeys(rows)), ["supplier", "customer"], kinds_of("supplies"))

    def enterprise_products(self, enterprise_ids: Iterable[str]) -> pd.DataFrame:
        cols = ["enterprise_id", "product_id", "product", "revenue_share", "source", "as_of", "illustrative"]
        with self._read() as c:
            rows = c.execute(
                "SELECT m.enterprise, m.product, p.name, m.revenue_share, m.source, m.as_of, m.illustrative "
                "FROM enterprise_products m JOIN products p ON p.product_id = m.product "
                "WHERE m.enterprise IN (SELECT value FROM json_each(?)) ORDER BY 1, 2",
                (_ids(enterprise_ids),)).fetchall()
        return frame(rows, cols, kinds_of("enterprise_products"))

    def search(self, text: str, limit: int = 50) -> pd.DataFrame:
        with self._read() as c:
            return search(c, text, limit)

    def neighbourhood(self, label: str, node_id: str, limit: int = 200):
        with self._read() as c:
            return neighbourhood(c, label, node_id, limit)
