"""Neo4j at national scale: the figures of issue #17, measured on a real server (NEO4J_URI).

    NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=… python bench/neo4j_bench.py          # 100k
    NEO4J_URI=… python bench/neo4j_bench.py --sizes 100000,1000000                          # + the 1M case

Without NEO4J_URI it says so and exits 0 (these machines have no Neo4j). The database is wiped:
point NEO4J_URI at a throwaway server. Per size N (``chainatlas synth`` folder, cached in
bench/.cache like bench/bench.py):

- naive baseline (100k slice only): one auto-commit ``MERGE`` per row for ``--naive-rows``
  enterprises of the N-enterprise folder, on the empty database with the store's constraints —
  rows/s;
- batched load: ``chainatlas load FOLDER`` in a child process on the wiped database (journaled
  batches of CHAINATLAS_BATCH_SIZE) — wall time from process start, rows/s, and the ratio to the
  naive rate measured in the same run; then a check that it loaded completely (node counts equal the
  folder's rows, no load marker or journal left);
- gap analysis + top-10 targets for the largest chain and ``--province`` in a fresh process
  (bench/bench.py's query child): first call and the median of ``--runs``;
- query plans: EXPLAIN of every engine read on real ids, the operators printed, and whether each
  starts from an index seek (never a label scan of Enterprise);
- the offline bulk path: ``chainatlas neo4j-import-files`` for the folder — wall time and rows/s of
  writing the neo4j-admin files (the import itself needs neo4j-admin; see README).

Floors: ratio ≥ 40× and ≥ 20,000 rows/s at 100k; the 1M case loads completely; gap+targets at
1M median < 1 s, first < 3 s; the plans use the indexes.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import DEFAULT_CACHE, chainatlas, error_text, failure, floor_status, print_floors, save_json  # noqa: E402

import measure  # noqa: E402
from synth_data import synth_folder  # noqa: E402

FLOORS = [  # (name, size, metric, op, limit, unit)
    ("batched load vs naive per-row baseline", 100_000, "batched_vs_naive", ">=", 40, "x"),
    ("batched load rows/s", 100_000, "load_rows_per_s", ">=", 20_000, "rows/s"),
    ("1M synthetic case loads completely", 1_000_000, "loaded_completely", ">=", 1, ""),
    ("gap+top-10 targets median at 1M", 1_000_000, "gap_targets_computed_median_s", "<", 1.0, "s"),
    ("gap+top-10 targets first call at 1M", 1_000_000, "first_query_s", "<", 3.0, "s"),
    ("engine reads start from an index seek", None, "plans_use_indexes", ">=", 1, ""),
]


def naive(folder: Path, env: dict, n_rows: int) -> dict:
    """One auto-commit MERGE per row for the first ``n_rows`` enterprises of ``folder``."""
    return measure.naive_baseline(folder, env, n_rows)


def loaded_completely(env: dict, facts: dict) -> dict:
    """Node counts against the folder's rows; no marker or journal left behind."""
    from graph import schema
    store = measure.neo4j_store(env)
    counts = store.counts()
    expected = {schema.LABEL_OF_TABLE[t]: facts["rows"].get(t, 0) for t in schema.NODE_TABLES}
    got = {label: counts[label] for label in expected}
    with store._session() as session:
        journal = session.run(f"MATCH (j:{schema.JOURNAL}) RETURN count(j) AS c").single()["c"]
    pending = store.pending_loads()
    store.close()
    ok = got == expected and not pending and journal == 0
    return {"loaded_completely": int(ok), "node_counts": got, "expected_node_counts": expected,
            "journal_left": journal, "markers_left": len(pending)}


def plans(env: dict, facts: dict) -> dict:
    """EXPLAIN every engine read with real ids; operators and whether an index seek drives it."""
    from graph.store.neo4j import cypher as q
    store = measure.neo4j_store(env)
    chain = facts["largest_chain"]
    view = store.chain_view(chain)
    products = list(view.products["product_id"])[:50]
    makers = store.makers(products[:5])
    enterprises = list(makers["enterprise_id"])[:20] or ["-"]
    scope = {"region_codes": [facts["province_code"]], "include_parks": [], "exclude_parks": [],
             "scoped": True, "want_local": True}
    reads = {"CHAIN_PRODUCTS": (q.CHAIN_PRODUCTS, {"chain_id": chain}),
             "CHAIN_FLOWS": (q.CHAIN_FLOWS, {"chain_id": chain}),
             "CHAIN_ROLES": (q.CHAIN_ROLES, {"chain_id": chain}),
             "MAKERS": (q.MAKERS, {"product_ids": products, **scope}),
             "MAKER_COUNTS": (q.MAKER_COUNTS, {"product_ids": products}),
             "ENTERPRISES": (q.ENTERPRISES, {"ids": enterprises}),
             "ENTERPRISE_PRODUCTS": (q.ENTERPRISE_PRODUCTS, {"ids": enterprises}),
             "SUPPLIES": (q.SUPPLIES, {"ids": enterprises})}
    out, all_ok = {}, True
    with store._session() as session:
        for name, (statement, params) in reads.items():
            plan = session.run("EXPLAIN " + statement, params).consume().plan
            ops, todo = [], [plan]
            while todo:
                node = todo.pop()
                ops.append(node["operatorType"].split("@")[0])
                todo.extend(node.get("children", []))
            seek = any("IndexSeek" in op for op in ops)
            scan = any(op in ("AllNodesScan", "NodeByLabelScan") for op in ops)
            ok = seek and not scan
            all_ok &= ok
            out[name] = {"ok": ok, "operators": ops}
            print(f"    {'OK ' if ok else 'BAD'} {name}: {' <- '.join(ops)}", flush=True)
    store.close()
    return {"plans": out, "plans_use_indexes": int(all_ok)}


def bulk_files(folder: Path, facts: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        res = chainatlas("neo4j-import-files", str(folder), str(Path(tmp) / "import"))
    if res["rc"] != 0:
        raise RuntimeError(f"neo4j-import-files failed (exit {res['rc']}): {error_text(res['stderr'])}")
    return {"bulk_files_s": round(res["wall_s"], 2),
            "bulk_files_rows_per_s": round(facts["total_rows"] / res["wall_s"])}


def run_size(n: int, env: dict, a) -> dict:
    folder, facts = synth_folder(a.cache, n, a.chains, a.products, a.seed, a.province)
    r = {"size": n, "rows": facts["total_rows"], "batch_size": int(os.environ.get("CHAINATLAS_BATCH_SIZE", 5000))}
    print(f"\n== N = {n:,}: {facts['total_rows']:,} rows in {folder}", flush=True)
    steps = []
    if n == a.naive_at:
        steps.append(("naive", lambda: naive(folder, env, a.naive_rows)))
    steps += [("load", lambda: _load(folder, facts, env)),
              ("complete", lambda: loaded_completely(env, facts)),
              ("queries", lambda: measure.measure_queries(facts, env, a.runs, False)),
              ("plans", lambda: plans(env, facts)),
              ("bulk files", lambda: bulk_files(folder, facts))]
    for name, step in steps:
        try:
            r.update(step())
        except Exception as err:  # report and go on with the other figures
            r[f"{name}_error"] = failure(err)
            print(f"  {name} failed: {r[f'{name}_error']}", flush=True)
            continue
        print("  " + _line(name, r), flush=True)
    if "naive_rows_per_s" in r and "load_rows_per_s" in r:
        r["batched_vs_naive"] = round(r["load_rows_per_s"] / r["naive_rows_per_s"], 1)
        print(f"  batched / naive = {r['batched_vs_naive']}x", flush=True)
    return r


def _load(folder: Path, facts: dict, env: dict) -> dict:
    store = measure.neo4j_store(env)
    store.clear()
    store.close()
    return measure.measure_load(folder, facts, env)


def _line(name: str, r: dict) -> str:
    if name == "naive":
        return f"naive: {r['naive_rows']:,} auto-commit MERGEs, {r['naive_rows_per_s']:,} rows/s"
    if name == "load":
        return f"load: {r['load_s']:.1f} s, {r['load_rows_per_s']:,} rows/s, client RSS {r['load_peak_rss_mb']:,} MB"
    if name == "complete":
        return (f"complete: {'yes' if r['loaded_completely'] else 'NO'} (nodes {r['node_counts']}, "
                f"journal left {r['journal_left']}, markers left {r['markers_left']})")
    if name == "queries":
        return (f"gap+top-10: first {r['first_query_s']:.2f} s, median computed {r['gap_targets_computed_median_s']:.3f} s, repeated {r['gap_targets_median_s']:.3f} s "
                f"(runs {r['gap_targets_runs_s']})")
    if name == "plans":
        return f"plans use indexes: {'yes' if r['plans_use_indexes'] else 'NO'}"
    return f"bulk files: {r['bulk_files_s']:.1f} s ({r['bulk_files_rows_per_s']:,} rows/s)"


def floors(results: list[dict]) -> list[dict]:
    out = []
    for name, size, metric, op, limit, unit in FLOORS:
        hits = [r for r in results if metric in r and (size is None or r["size"] == size)]
        if not hits:
            out.append({"floor": name, "status": "not run",
                        "detail": f"no {metric} at N={size:,}" if size else f"no {metric}"})
            continue
        r = max(hits, key=lambda x: x["size"])
        out.append({"floor": name, "status": floor_status(r[metric], op, limit),
                    "detail": f"{r[metric]:,} {unit} {op} {limit:,} (N={r['size']:,})"})
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100000", help="enterprise counts, comma-separated (1000000 for the 1M case)")
    p.add_argument("--naive-at", type=int, default=100_000, help="size whose folder the naive slice comes from")
    p.add_argument("--naive-rows", type=int, default=20_000, help="rows of the naive per-row baseline")
    p.add_argument("--chains", type=int, default=30)
    p.add_argument("--products", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--province", default="140000")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    a = p.parse_args(argv)
    env = measure.neo4j_env()
    if env is None:
        print("neo4j bench skipped: NEO4J_URI is not set (point it at a throwaway Neo4j 5 server, e.g. "
              "`docker compose up -d neo4j; export NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=…`)")
        return 0
    a.cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = [run_size(int(s.replace("_", "")), env, a) for s in a.sizes.split(",") if s.strip()]
    found = floors(results)
    print_floors("Floors:", found)
    path = save_json({"neo4j": results, "neo4j_floors": found}, "neo4j")
    print(f"\n{time.perf_counter() - started:.0f} s; results in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
