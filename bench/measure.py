"""The embedded/Neo4j figures of one size, each in a child process: load, read+validate, the
queries in a fresh process (``python bench/measure.py _query …``), the export, and the Neo4j
naive per-row baseline."""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from harness import chainatlas, child_json, emit, error_text, run_child  # noqa: E402

NAIVE_ROWS = 10_000

# --- measurements ----------------------------------------------------------------------------
def measure_load(folder: Path, facts: dict, env: dict) -> dict:
    res = chainatlas("load", str(folder), env=env)
    if res["rc"] != 0:
        raise RuntimeError(f"chainatlas load failed (exit {res['rc']}): {error_text(res['stderr'])}")
    rows = facts["total_rows"]
    return {"rows": rows, "load_s": round(res["wall_s"], 2), "load_rows_per_s": round(rows / res["wall_s"]),
            "load_peak_rss_mb": round(res["peak_rss_mb"]), "load_cpu_s": round(res["cpu_s"], 1),
            "load_rows_per_cpu_s": round(rows / max(res["cpu_s"], 1e-9))}


def measure_validate(folder: Path, facts: dict) -> dict:
    res = chainatlas("validate", "--standalone", str(folder))
    if res["rc"] != 0:
        raise RuntimeError(f"chainatlas validate failed (exit {res['rc']}): {error_text(res['stderr'])}")
    rows = facts["total_rows"]
    return {"validate_s": round(res["wall_s"], 2), "validate_rows_per_s": round(rows / res["wall_s"]),
            "validate_cpu_s": round(res["cpu_s"], 1),
            "validate_peak_rss_mb": round(res["peak_rss_mb"])}


def measure_queries(facts: dict, env: dict, runs: int, export: bool) -> dict:
    args = [sys.executable, str(Path(__file__).resolve()), "_query", "--chain", facts["largest_chain"],
            "--region", facts["province_code"], "--runs", str(runs)] + (["--export"] if export else [])
    res = run_child(args, env=env)
    out = child_json(res)
    out["fresh_to_first_answer_s"] = round(out.pop("first_answer_at") - res["spawned"], 2)
    out["query_process_peak_rss_mb"] = round(res["peak_rss_mb"])
    return out


def query_child(argv: list[str]) -> None:
    """In a fresh process: open the store, first gap analysis + targets, then ``runs`` timed repeats
    (answered from the engine's memo of recent results) and ``runs`` timed with the memo emptied
    before each (the engine's own work: ``gap_targets_computed_median_s``)."""
    p = argparse.ArgumentParser()
    p.add_argument("--chain", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--export", action="store_true")
    a = p.parse_args(argv)
    from graph.analysis.gaps import diagnose
    from graph.settings import Settings
    from graph.store.factory import open_store
    from graph.analysis.targets import rank_targets

    store = open_store(Settings.from_env())
    opened, opened_cpu = time.perf_counter(), time.process_time()

    def once():
        rep = diagnose(store, a.chain, a.region)
        return rep, rank_targets(store, rep, top=10)

    def forget():   # the engine keeps recent answers per data generation: time its own work too
        from graph.analysis import gaps, targets as targets_mod
        gaps._REPORTS.clear()
        targets_mod._TARGETS.clear()

    rep, targets = once()
    first, first_cpu = time.perf_counter(), time.process_time() - opened_cpu
    first_at = time.time()
    times, cpus = [], []
    for _ in range(a.runs):
        t, c = time.perf_counter(), time.process_time()
        rep, targets = once()
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    computed, computed_cpu = [], []
    for _ in range(a.runs):
        forget()
        t, c = time.perf_counter(), time.process_time()
        once()
        computed.append(time.perf_counter() - t)
        computed_cpu.append(time.process_time() - c)
    forget()
    out = {"open_s": round(opened - _T0, 3), "first_query_s": round(first - opened, 3), "first_answer_at": first_at,
           "first_query_cpu_s": round(first_cpu, 3), "gap_targets_median_cpu_s": round(statistics.median(cpus), 3),
           "gap_targets_median_s": round(statistics.median(times), 3), "gap_targets_runs_s": [round(x, 3) for x in times],
           "gap_targets_computed_median_s": round(statistics.median(computed), 3),
           "gap_targets_computed_median_cpu_s": round(statistics.median(computed_cpu), 3),
           "gaps": int(rep.summary.get("weak", 0) + rep.summary.get("missing", 0)),
           "local_enterprises": int(rep.summary.get("local_enterprises", 0)), "targets": int(len(targets))}
    if a.export:
        out.update(_export(store, a.region))
    store.close()
    emit(out)


def _export(store, region: str) -> dict:
    try:
        from graph.export.build import build_export, to_xlsx_bytes
    except ImportError as err:
        return {"export": f"n/a ({err})"}
    t, c = time.perf_counter(), time.process_time()
    export = build_export(store, None, region)
    built, built_cpu = time.perf_counter(), time.process_time()
    data = to_xlsx_bytes(export)
    return {"export_s": round(time.perf_counter() - t, 2), "export_cpu_s": round(time.process_time() - c, 2),
            "export_build_s": round(built - t, 2), "export_build_cpu_s": round(built_cpu - c, 2),
            "export_xlsx_s": round(time.perf_counter() - built, 2),
            "export_xlsx_cpu_s": round(time.process_time() - built_cpu, 2),
            "export_mb": round(len(data) / 1e6, 1),
            "export_chains": len(store.table("chains"))}


# --- neo4j -----------------------------------------------------------------------------------
def neo4j_env() -> dict | None:
    uri = os.environ.get("NEO4J_URI", "").strip()
    if not uri:
        return None
    return {"CHAINATLAS_DB": uri, "CHAINATLAS_SEED": "none"}


def neo4j_store(env: dict):
    from graph.settings import Settings
    from graph.store.factory import open_store
    return open_store(Settings.from_env({**os.environ, **env}))


def naive_baseline(folder: Path, env: dict, n_rows: int = NAIVE_ROWS) -> dict:
    """One auto-commit MERGE per row for the first ``n_rows`` enterprises (empty database, the
    store's constraints in place): rows/s."""
    import pandas as pd

    from graph import schema

    from graph.store.neo4j import rows as neo4j_rows
    from loaders.read import read_tables
    from loaders.validate import validate

    with tempfile.TemporaryDirectory() as tmp:
        for f in folder.glob("*.csv"):
            if f.stem in ("regions", "parks"):
                shutil.copy(f, tmp)
            elif f.stem == "enterprises":
                pd.read_csv(f, dtype=str, keep_default_na=False, nrows=n_rows).to_csv(Path(tmp) / f.name,
                                                                                         index=False)
            else:
                Path(tmp, f.name).write_text(f.open(encoding="utf-8").readline(), encoding="utf-8")
        batch = validate(read_tables(tmp))
    rows = neo4j_rows.batch_rows("enterprises", batch["enterprises"])
    statement = f"MERGE (n:{schema.ENTERPRISE} {{id: $id}}) SET n += $props"
    store = neo4j_store(env)
    store.clear()
    driver, database = store._driver, store._database   # the store's own driver: same connection settings
    t = time.perf_counter()
    with driver.session(database=database) as session:
        for key, props in rows.items():
            session.run(statement, id=key, props=props).consume()
    seconds = time.perf_counter() - t
    store.clear()
    store.close()
    return {"naive_rows": len(rows), "naive_s": round(seconds, 2), "naive_rows_per_s": round(len(rows) / seconds)}




if __name__ == "__main__" and sys.argv[1:2] == ["_query"]:
    query_child(sys.argv[2:])
