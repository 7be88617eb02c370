"""The derived makers tables (graph.store.embedded.derived) of a loaded embedded store: what their
build costs and what a diagnosis reads from them.

    CHAINATLAS_DB=bench/.cache/store-1000000 python bench/derived_bench.py [--folder SYNTH_FOLDER]

Prints, wall and CPU seconds: the build from the row tables (an incremental load's path; inside a
transaction that is rolled back, so the store is unchanged), with ``--folder`` the build from that
folder's validated frames as a first load does it (derived_fresh.Fresh: add + rebuild; into a scratch
database), and the makers reads of a first diagnosis in this process (inside and unknown for the
province, outside for 15 products) with the MAKES rows each returned.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(label: str, work):
    t, c = time.perf_counter(), time.process_time()
    out = work()
    print(f"{label:58s} wall {time.perf_counter() - t:6.2f} s  cpu {time.process_time() - c:6.2f} s", flush=True)
    return out


def reads(db: str, chain: str, region: str) -> None:
    from graph.analysis import location
    from graph.analysis.scope import RegionTree, place_of_region, scope_for
    from graph.store.embedded.store import EmbeddedStore
    store = EmbeddedStore(db)
    tree = RegionTree.from_store(store)
    place = place_of_region(tree, region)
    sc = scope_for(tree, place)
    ids = sorted(store.chain_view(chain).products["product_id"].astype(str))
    n = timed(f"makers inside {region} ({len(ids)} products)", lambda: len(store.makers(ids, sc, "inside")))
    m = timed("makers unknown", lambda: len(store.makers(ids, location.with_unknown(tree, place, sc), "unknown")))
    o = timed("makers outside (15 products)", lambda: len(store.makers(ids[:15], sc, "outside")))
    print(f"rows: inside {n:,}, unknown {m:,}, outside {o:,}")
    store.close()


def from_tables(db: str) -> None:
    from graph.store.embedded import derived
    conn = sqlite3.connect(Path(db) / "atlas.sqlite", isolation_level=None)
    conn.execute("PRAGMA cache_size = -524288")
    conn.execute("BEGIN IMMEDIATE")
    try:
        timed("derived build from the row tables (rolled back)", lambda: derived.rebuild(conn, -1))
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def from_frames(db: str, folder: str) -> None:
    from graph.store.embedded import derived
    from graph.store.embedded.derived_fresh import Fresh
    from loaders.workbook import check_path
    batch = timed("read + validate the folder (not part of the build)", lambda: check_path(folder))
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "d.sqlite", isolation_level=None)
        for stmt in derived.DDL + ["CREATE TABLE regions (code TEXT PRIMARY KEY, parent TEXT)"]:
            conn.execute(stmt)
        conn.execute("BEGIN")
        regions = batch.tables["regions"]
        conn.executemany("INSERT INTO regions VALUES (?, ?)", zip(regions["code"], regions["parent"]))
        fresh = Fresh()

        def build():
            for name in ("enterprises", "enterprise_products"):
                fresh.add(name, batch.tables[name])
            derived.rebuild(conn, 1, fresh)
            conn.execute("COMMIT")
        timed("derived build from the load's frames (Fresh.add + rebuild)", build)
        conn.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chain", default="SYN-C001")
    p.add_argument("--region", default="140000")
    p.add_argument("--folder", help="the synthetic input folder of the store, to time the build from frames")
    a = p.parse_args()
    db = os.environ.get("CHAINATLAS_DB")
    if not db:
        p.error("set CHAINATLAS_DB to a loaded embedded store")
    reads(db, a.chain, a.region)
    from_tables(db)
    if a.folder:
        from_frames(db, a.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
