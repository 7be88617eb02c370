"""Should the embedded engine be DuckDB instead of SQLite? The comparison issue #14 asks for.

    pip install duckdb          # only for this script; ChainAtlas does not depend on it
    python bench/engine_bench.py [--folder bench/.cache/synth-1000000-30-300-1]

On the same synthetic folder (default: the 1M one bench/bench.py makes), each engine in a fresh
directory, three figures:

1. raw ingest of enterprises.csv + enterprise_products.csv (no validation): SQLite through
   pyarrow + ``executemany`` with the store's indexes, DuckDB through ``read_csv``;
2. the read a diagnosis makes: every MAKES row of the largest chain's products joined to its
   maker's attributes — all of them, and only the makers in the province (region code prefix);
   median of 5, warm;
3. the store's concurrency guarantee: while one process holds an open write transaction, can a
   second process read? (the app reads while ``chainatlas load`` writes.)

The decision is printed with the figures. It was run on 2026-12-07 (see README, Performance).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

from harness import DEFAULT_CACHE, table

PROVINCE = "14"


def _chain_products(folder: Path, chain: str) -> list[str]:
    cp = pacsv.read_csv(folder / "chain_products.csv").to_pydict()
    return sorted({p for c, p in zip(cp["chain"], cp["product"]) if c == chain})


def _median(fn, runs: int = 5) -> tuple[float, int]:
    times, n = [], 0
    fn()
    for _ in range(runs):
        t = time.perf_counter()
        n = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), n


# --- SQLite -------------------------------------------------------------------------------------------
_SQ_ENT = ("CREATE TABLE enterprises (enterprise_id TEXT PRIMARY KEY, name TEXT, region TEXT, park TEXT, scale TEXT, "
           "revenue REAL, employees INTEGER, tags TEXT) WITHOUT ROWID")
_SQ_MK = ("CREATE TABLE enterprise_products (enterprise TEXT, product TEXT, revenue_share REAL, "
          "PRIMARY KEY (enterprise, product)) WITHOUT ROWID")
_JOIN = ("SELECT e.enterprise_id, e.name, e.region, e.park, e.scale, e.revenue, e.employees, e.tags, m.product, "
         "m.revenue_share FROM enterprise_products m JOIN enterprises e ON e.enterprise_id = m.enterprise "
         "WHERE m.product IN ({ids}){where}")


def sqlite_ingest(folder: Path, db: Path) -> float:
    t = time.perf_counter()
    ent = pacsv.read_csv(folder / "enterprises.csv", convert_options=pacsv.ConvertOptions(
        include_columns=["enterprise_id", "name", "region", "park", "scale", "revenue", "employees", "tags"],
        strings_can_be_null=True))
    mk = pacsv.read_csv(folder / "enterprise_products.csv", convert_options=pacsv.ConvertOptions(
        include_columns=["enterprise", "product", "revenue_share"]))
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA cache_size = -524288")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(_SQ_ENT)
    conn.execute(_SQ_MK)
    conn.executemany("INSERT INTO enterprises VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     zip(*(ent.column(i).to_pylist() for i in range(ent.num_columns))))
    conn.executemany("INSERT INTO enterprise_products VALUES (?, ?, ?)",
                     zip(*(mk.column(i).to_pylist() for i in range(mk.num_columns))))
    conn.execute("CREATE INDEX mk_product ON enterprise_products (product)")
    conn.execute("CREATE INDEX ent_region ON enterprises (region)")
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t


def joined_reads(conn, products: list[str]) -> dict:
    """The chain's makers joined to their attributes, all and the province's, on a DB-API
    connection (sqlite3 or duckdb: both take ``?`` parameters); the connection is closed after."""
    ids = ", ".join("?" * len(products))
    every = _JOIN.format(ids=ids, where="")
    local = _JOIN.format(ids=ids, where=" AND e.region LIKE ?")
    all_s, n_all = _median(lambda: len(conn.execute(every, products).fetchall()))
    loc_s, n_loc = _median(lambda: len(conn.execute(local, products + [PROVINCE + "%"]).fetchall()))
    conn.close()
    return {"all_s": all_s, "all_rows": n_all, "local_s": loc_s, "local_rows": n_loc}


_TOUCH = "UPDATE enterprises SET name = name || '' WHERE enterprise_id = (SELECT min(enterprise_id) FROM enterprises)"


def _connect(engine: str, db: str, read_only: bool):
    if engine == "sqlite":
        return sqlite3.connect(f"file:{db}?mode=ro" if read_only else db, uri=read_only, timeout=1,
                               isolation_level=None)
    import duckdb
    return duckdb.connect(db, read_only=read_only)


def _writer(engine: str, db: str, ready, done) -> None:
    """Hold a write transaction open until ``done``."""
    conn = _connect(engine, db, False)
    conn.execute("BEGIN IMMEDIATE" if engine == "sqlite" else "BEGIN TRANSACTION")
    conn.execute(_TOUCH)
    ready.set()
    done.wait(60)
    conn.execute("ROLLBACK")
    conn.close()


def read_during_write(engine: str, db: Path) -> str:
    """Can this process read while another one holds a write transaction open? (the engine's words)"""
    ready, done = mp.Event(), mp.Event()
    w = mp.Process(target=_writer, args=(engine, str(db), ready, done))
    w.start()
    ready.wait(60)
    try:
        conn = _connect(engine, str(db), True)
        n = conn.execute("SELECT count(*) FROM enterprises").fetchone()[0]
        conn.close()
        return f"yes ({n:,} rows read while the writer's transaction was open)"
    except Exception as err:  # noqa: BLE001 — the engine's own words are the result
        return f"no: {str(err).splitlines()[0][:160]}"
    finally:
        done.set()
        w.join()


def store_reads(path: Path, products: list[str]) -> dict:
    """The same read through the store itself (its derived tables; the index cache dropped each time)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from graph.store import Scope
    from graph.store.embedded.store import EmbeddedStore
    store = EmbeddedStore(str(path))
    regions = store.table("regions")
    scope = Scope(region_codes=frozenset(c for c in regions["code"].astype(str) if c.startswith(PROVINCE)))

    def read(scope_, side):
        store._makers.drop()
        return len(store.makers(products, scope_, side=side))
    all_s, n_all = _median(lambda: read(None, "all"))
    loc_s, n_loc = _median(lambda: read(scope, "inside"))
    store.close()
    return {"all_s": all_s, "all_rows": n_all, "local_s": loc_s, "local_rows": n_loc}


# --- DuckDB -------------------------------------------------------------------------------------------
def duckdb_ingest(folder: Path, db: Path) -> float:
    import duckdb
    t = time.perf_counter()
    conn = duckdb.connect(str(db))
    conn.execute("CREATE TABLE enterprises AS SELECT enterprise_id, name, region::VARCHAR AS region, park, scale, "
                 "revenue, employees, tags FROM read_csv(?, header = true, all_varchar = false)",
                 [str(folder / "enterprises.csv")])
    conn.execute("CREATE TABLE enterprise_products AS SELECT enterprise, product, revenue_share "
                 "FROM read_csv(?, header = true)", [str(folder / "enterprise_products.csv")])
    conn.close()
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--folder", type=Path, default=DEFAULT_CACHE / "synth-1000000-30-300-1")
    p.add_argument("--chain", default="SYN-C001")
    p.add_argument("--store", type=Path, default=DEFAULT_CACHE / "store-1000000",
                   help="a ChainAtlas store loaded from the same folder: its own read of the same rows is timed too")
    a = p.parse_args(argv)
    try:
        import duckdb
    except ImportError:
        print("duckdb is not installed: pip install duckdb (only this script needs it)", file=sys.stderr)
        return 2
    if not (a.folder / "enterprises.csv").exists():
        print(f"{a.folder} has no enterprises.csv: run python bench/bench.py --sizes 1000000 first "
              "(or chainatlas synth)", file=sys.stderr)
        return 2
    products = _chain_products(a.folder, a.chain)
    out: dict = {"folder": str(a.folder), "chain": a.chain, "products": len(products),
                 "duckdb_version": duckdb.__version__, "sqlite_version": sqlite3.sqlite_version}
    with tempfile.TemporaryDirectory() as tmp:
        sq, dk = Path(tmp, "atlas.sqlite"), Path(tmp, "atlas.duckdb")
        out["sqlite_ingest_s"] = sqlite_ingest(a.folder, sq)
        out["duckdb_ingest_s"] = duckdb_ingest(a.folder, dk)
        out["sqlite"] = joined_reads(sqlite3.connect(sq), products)
        out["duckdb"] = joined_reads(duckdb.connect(str(dk), read_only=True), products)
        out["sqlite_read_while_writing"] = read_during_write("sqlite", sq)
        out["duckdb_read_while_writing"] = read_during_write("duckdb", dk)
    if (a.store / "atlas.sqlite").exists():
        out["store"] = store_reads(a.store, products)
    rows = [{"f": "raw ingest (2 tables)", "s": f"{out['sqlite_ingest_s']:.1f} s", "d": f"{out['duckdb_ingest_s']:.1f} s"},
            {"f": f"a chain's makers, all ({out['sqlite']['all_rows']:,} rows)", "s": f"{out['sqlite']['all_s']:.3f} s",
             "d": f"{out['duckdb']['all_s']:.3f} s"},
            {"f": f"only the province's ({out['sqlite']['local_rows']:,} rows)", "s": f"{out['sqlite']['local_s']:.3f} s",
             "d": f"{out['duckdb']['local_s']:.3f} s"},
            {"f": "a reader while another process writes", "s": out["sqlite_read_while_writing"][:40],
             "d": out["duckdb_read_while_writing"][:90]}]
    if "store" in out:
        rows.insert(3, {"f": "ChainAtlas store.makers (derived tables), all / province", "s":
                        f"{out['store']['all_s']:.3f} / {out['store']['local_s']:.3f} s", "d": ""})
    print(table(rows, [("f", "figure", "{}"), ("s", f"SQLite {out['sqlite_version']}", "{}"),
                       ("d", f"DuckDB {out['duckdb_version']}", "{}")]))
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
