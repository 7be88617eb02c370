"""ChainAtlas scale benchmark: prints the figures of the scale requirements and checks the floors.

    python bench/bench.py                       # 10k and 100k enterprises, embedded (+ Neo4j if NEO4J_URI)
    python bench/bench.py --sizes 1000000       # the 1M case (or --full: 10k, 100k and 1M)

Per size N (C chains, P products in the largest chain, about 3 makes relations per enterprise):

- data: ``chainatlas synth`` into bench/.cache/synth-N-C-P-S once (reused by later runs);
- load: ``chainatlas load FOLDER`` in a child process on a fresh store — wall time, rows/s
  (every row of every table), peak RSS of that process (``wait4``); also ``chainatlas validate
  --standalone`` alone (read + validate) for the same folder;
- a fresh process on the loaded store: import + open, the first gap analysis + top-10 targets
  (cold caches), then the median of ``--runs`` more; the gap workbook export of every chain for
  the province (graph.export.build, when present);
- the app on that store (bench/app_bench.py, each in a child process; ``--no-app`` skips them):
  changing the city on 产业链总览, 产业链全景图 and 缺链补链清单 and moving a weak-link threshold on
  the 总览 through AppTest (server side, median and worst), and the cold start — ``streamlit run
  serve.py`` plus headless /usr/bin/chromium to the first rendered page: three starts in empty
  browser profiles (the first after a load, nothing kept; then two later ones) and three in a
  browser that has opened the app before;
- Neo4j (NEO4J_URI set): a naive baseline first — one auto-commit MERGE per row for a 10,000-row
  enterprise slice — then the batched ``chainatlas load`` and the same queries; the ratio of the
  two load rates.

Before the sizes, a quick section (bench/sources_bench.py, each figure in a child process, well
under a minute each; ``--no-extras`` skips it, ``--extras-only`` runs only it):

- seed export: seeds/shanxi in a fresh embedded store, build_export + to_xlsx_bytes for all 16
  chains of 山西省, median of 3 (wall and CPU) — floor < 5 s;
- ChainKnowledgeGraph full dataset: the sample scaled up to the full row counts
  (bench/.cache/ckg-full, generated once), import_ckg + EmbeddedStore.apply — floor < 30 s;
- registry tagging: import_registry with product tagging on 10,000 rows — floor < 10 s;
- Shanxi seed app: every interaction (city changes on three pages, page switches, a threshold, chain change)
  through AppTest, server side — floor < 0.5 s each; and the cold start.

The results go to bench/results/<date>.json (merged with earlier runs of the day) and a table.
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from harness import (BENCH, DEFAULT_CACHE, ROOT, child_json,  # noqa: E402
                     failure, floor_status, machine, print_floors, run_child, shown)
from harness import table as text_table  # noqa: E402

import ckg_data  # noqa: E402
from measure import (measure_load, measure_queries, measure_validate, naive_baseline,  # noqa: E402,F401
                     neo4j_env, neo4j_store, query_child)
from synth_data import synth_folder  # noqa: E402

RESULTS = BENCH / "results"
NAIVE_ROWS = 10_000
FLOORS = {  # name: (backend, size, metric, comparison, limit, unit) — embedded ones from issue #14
    "embedded load rows/s": ("embedded", 1_000_000, "load_rows_per_s", ">=", 200_000, "rows/s"),
    "embedded load peak RSS": ("embedded", 1_000_000, "load_peak_rss_mb", "<", 1200, "MB"),
    "embedded first gap+targets, fresh process": ("embedded", 1_000_000, "first_query_s", "<", 0.4, "s"),
    "embedded gap+targets median (computed, memo emptied)": ("embedded", 1_000_000, "gap_targets_computed_median_s",
                                                            "<", 0.1, "s"),
    "embedded export, every chain of the province": ("embedded", 1_000_000, "export_s", "<", 5.0, "s"),
    "app: change city (总览/全景图/缺链补链清单), server side, median": ("embedded", 1_000_000, "app_city_median_s",
                                                                     "<", 0.5, "s"),
    "app: every interaction (city, threshold, page, chain), server side, worst": (
        "embedded", 1_000_000, "app_worst_interaction_s", "<", 0.5, "s"),
    "app: cold start to first rendered page, first start after a load (empty browser profile)": (
        "embedded", 1_000_000, "app_cold_start_s", "<", 3.0, "s"),
    "app: cold start, later start, empty browser profile (median)": (
        "embedded", 1_000_000, "app_cold_later_s", "<", 3.0, "s"),
    "app: cold start, later start, browser that has used the app (median)": (
        "embedded", 1_000_000, "app_cold_returning_s", "<", 3.0, "s"),
    "neo4j batched vs naive": ("neo4j", None, "batched_vs_naive", ">=", 20, "x"),
    "neo4j gap+targets median": ("neo4j", 1_000_000, "gap_targets_computed_median_s", "<", 2.0, "s"),
}
QUICK_FLOORS = {  # extra: (floor name, metric, limit in s) — all "<"
    "seed_export": ("seed export, every chain (median)", "median_s", 5.0),
    "ckg_full": ("ChainKnowledgeGraph full dataset → embedded store", "total_s", 30.0),
    "registry_10k": ("registry tagging, 10,000 rows", "seconds", 10.0),
    "seed_app": ("Shanxi seed: every app interaction, server side (worst)", "worst_interaction_s", 0.5),
}
QUICK_TIMEOUT = 300     # s per quick-section child: a hung figure cannot hold up the run


# --- quick section ---------------------------------------------------------------------------
def quick_child(name: str, *args: str) -> dict:
    """One figure of bench/sources_bench.py in a fresh process, with its wall, CPU and peak RSS."""
    res = run_child([sys.executable, str(BENCH / "sources_bench.py"), name, *args], timeout=QUICK_TIMEOUT)
    if res["rc"] != 0 and res["wall_s"] >= QUICK_TIMEOUT:
        raise RuntimeError(f"timed out after {QUICK_TIMEOUT} s")
    out = child_json(res)
    out.update(child_wall_s=round(res["wall_s"], 2), child_cpu_s=round(res["cpu_s"], 2),
               child_peak_rss_mb=round(res["peak_rss_mb"]))
    return out


def quick_section(a) -> dict:
    """The three quick figures (seed export, CKG full dataset, registry tagging) with their floors."""
    steps = {
        "seed_export": lambda: quick_child("seed-export", "--seeds", str(a.seed_folder), "--region", a.seed_region,
                                           "--runs", str(a.export_runs)),
        "ckg_full": lambda: _ckg_full(a),
        "registry_10k": lambda: quick_child("registry", str(synth_folder(a.cache, 10_000, a.chains, a.products,
                                                                          a.seed, a.province)[0])),
        "seed_app": lambda: _seed_app(a),
    }
    extras = {}
    print("\n== quick section", flush=True)
    for key, step in steps.items():
        try:
            r = step()
        except Exception as err:  # report and go on with the other figures
            r = {"error": failure(err)}
        r.update(quick_floor(key, r))
        extras[key] = r
        print(f"  {r['status']:>8}  {r['floor']}: {r['detail']}", flush=True)
    return extras


def _ckg_full(a) -> dict:
    if not (a.ckg_sample / "company.json").exists():
        raise FileNotFoundError(f"no ChainKnowledgeGraph sample in {a.ckg_sample} (--ckg-sample)")
    folder, facts = ckg_data.ckg_folder(a.cache, a.ckg_sample, regenerate=a.regen_ckg)
    out = {"folder": str(folder), "rows": facts["rows"], "total_rows": facts["total_rows"],
           "generate_s": facts["generate_s"]}
    out.update(quick_child("ckg-load", str(folder)))
    return out


def app_child(*args: str, timeout: float = 900) -> dict:
    """One figure of bench/app_bench.py in a fresh process."""
    res = run_child([sys.executable, str(BENCH / "app_bench.py"), *args], timeout=timeout)
    if res["timed_out"]:
        raise RuntimeError(f"timed out after {timeout:g} s")
    return child_json(res)


def _seed_app(a) -> dict:
    got = app_child("seed", "--seeds", str(a.seed_folder))
    return {**got["interact"], "cold_start_s": got["cold"]["cold_start_s"]}


def measure_app(store_dir: Path, facts: dict) -> dict:
    """The app on the loaded store: city changes on 总览, 全景图 and 缺链补链清单, a threshold on the 总览
    (AppTest), cold start (browser)."""
    out = {}
    try:
        got = app_child("interact", "--db", str(store_dir), "--chain", facts["largest_chain"],
                        "--province", facts["province_code"], "--cities", "3")
        out.update(app_city_median_s=got["interaction"]["median_s"], app_city_max_s=got["interaction"]["max_s"],
                   app_city_cpu_median_s=got["interaction"]["cpu_median_s"],
                   app_page_switch_max_s=got["page_switch"]["max_s"], app_first_run_s=got["first_run_s"],
                   app_worst_interaction_s=got["worst_interaction_s"],
                   app_threshold_s=got.get("threshold_change", {}).get("max_s"),
                   app_view_s=got.get("view_change", {}).get("max_s"), app_interact=got)
    except Exception as err:  # report and go on
        out["app_interact_error"] = failure(err)
    try:
        got = app_child("cold-start", "--db", str(store_dir), "--runs", "3")
        out.update(app_cold_start_s=got["cold_start_s"], app_server_ready_s=got["server_ready_s"],
                   app_cold_later_s=got["later_start_s"])
        got = app_child("cold-start", "--db", str(store_dir), "--runs", "3", "--returning-browser")
        out.update(app_cold_returning_first_s=got["cold_start_s"], app_cold_returning_s=got["later_start_s"])
    except Exception as err:
        out["app_cold_error"] = failure(err)
    return out


def quick_floor(key: str, r: dict) -> dict:
    name, metric, limit = QUICK_FLOORS[key]
    if metric not in r:
        return {"floor": name, "limit_s": limit, "status": "not run", "detail": r.get("error", "no figure")}
    value = r[metric]
    if key == "seed_export":
        detail = (f"median {value:.2f} s wall, CPU {r['cpu_median_s']:.2f} s (runs "
                  f"{' / '.join(f'{x:.2f}' for x in r['runs_s'])} s; {r['chains']} chains of {r['region']}, "
                  f"{r['xlsx_kb']} KB)")
    elif key == "ckg_full":
        detail = (f"{value:.2f} s (import {r['import_s']:.2f} + apply {r['apply_s']:.2f}; CPU {r['cpu_s']:.2f} s; "
                  f"{r['rows_read']:,} rows read, {r['rows_added']:,} added; child {r['child_wall_s']:.1f} s, "
                  f"peak RSS {r['child_peak_rss_mb']:,} MB)")
    elif key == "seed_app":
        detail = (f"worst {value:.2f} s; change city median {r['interaction']['median_s']:.2f} s "
                  f"(CPU {r['interaction']['cpu_median_s']:.2f} s), page switch median "
                  f"{r['page_switch']['median_s']:.2f} s, chain change {r['chain_change']['median_s']:.2f} s; "
                  f"cold start to first page {r['cold_start_s']:.1f} s")
    else:
        detail = (f"{value:.2f} s, CPU {r['cpu_s']:.2f} s ({r['rows']:,} rows, {r['tags']:,} tags, "
                  f"{r['products']:,} products)")
    return {"floor": name, "limit_s": limit, "status": floor_status(value, "<", limit),
            "detail": f"{detail} < {limit:g} s"}


# --- report ----------------------------------------------------------------------------------
COLUMNS = [("backend", "backend", "{}"), ("size", "N", "{:,}"), ("rows", "rows", "{:,}"),
           ("load_s", "load s", "{:.1f}"), ("load_rows_per_s", "rows/s", "{:,}"),
           ("load_peak_rss_mb", "RSS MB", "{:,}"), ("validate_rows_per_s", "read+val rows/s", "{:,}"),
           ("open_s", "open s", "{:.2f}"), ("first_query_s", "1st query s", "{:.2f}"),
           ("gap_targets_computed_median_s", "gap+top10 med s", "{:.3f}"),
           ("gap_targets_median_s", "repeat (memo) s", "{:.3f}"), ("export_s", "export s", "{:.1f}"),
           ("app_city_median_s", "app city med s", "{:.2f}"), ("app_city_max_s", "app city max s", "{:.2f}"),
           ("app_cold_start_s", "app cold s", "{:.1f}"), ("app_cold_later_s", "later s", "{:.1f}"),
           ("app_cold_returning_s", "returning s", "{:.1f}"),
           ("naive_rows_per_s", "naive rows/s", "{:,}"), ("batched_vs_naive", "batched/naive", "{:.1f}x")]


def table(results: list[dict]) -> str:
    return text_table(results, COLUMNS)


def floors(results: list[dict]) -> list[dict]:
    out = []
    for name, (backend, size, metric, op, limit, unit) in FLOORS.items():
        hits = [r for r in results if r["backend"] == backend and metric in r
                and (size is None or r["size"] == size)]
        if not hits:
            have = [r for r in results if r["backend"] == backend and metric in r]
            note = f"not run at {size:,}" if size and have else "not run"
            if have:
                r = max(have, key=lambda x: x["size"])
                note += f" (at {r['size']:,}: {r[metric]:,} {unit})"
            out.append({"floor": name, "status": "not run", "detail": note})
            continue
        r = max(hits, key=lambda x: x["size"])
        value = r[metric]
        out.append({"floor": name, "status": floor_status(value, op, limit),
                    "detail": f"{value:,} {unit} {op} {limit:,} (N={r['size']:,})"})
    return out


def save(doc: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{dt.date.today().isoformat()}.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    merged = {(r["backend"], r["size"]): r for r in old.get("results", [])}
    merged.update({(r["backend"], r["size"]): r for r in doc["results"]})
    extras = {k: v for k, v in old.get("extras", {}).items() if k in QUICK_FLOORS} | doc["extras"]
    doc = {**old, **doc, "results": sorted(merged.values(), key=lambda r: (r["backend"], r["size"])),
           "extras": extras}
    doc["floors"] = floors(doc["results"]) + [
        {k: v for k, v in extras[key].items() if k in ("floor", "status", "detail")}
        for key in QUICK_FLOORS if key in extras]
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1))
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_query"]:
        query_child(argv[1:])
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000", help="enterprise counts, comma-separated")
    p.add_argument("--full", action="store_true", help="also the 1,000,000 case")
    p.add_argument("--chains", type=int, default=30)
    p.add_argument("--products", type=int, default=300, help="products in the largest chain")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--province", default="140000", help="province code of the gap analysis (default 山西省)")
    p.add_argument("--runs", type=int, default=5, help="timed gap+targets runs (median reported)")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="synthetic folders and stores")
    p.add_argument("--no-export", action="store_true", help="skip the workbook export")
    p.add_argument("--no-neo4j", action="store_true", help="skip Neo4j even when NEO4J_URI is set")
    p.add_argument("--no-app", action="store_true", help="skip the app figures (AppTest, browser) per size")
    p.add_argument("--no-extras", action="store_true",
                   help="skip the quick section (seed export, CKG full dataset, registry tagging)")
    p.add_argument("--extras-only", action="store_true", help="only the quick section, no sizes")
    p.add_argument("--extras", action="store_true", help=argparse.SUPPRESS)   # the default now; kept for old scripts
    p.add_argument("--seed-folder", type=Path, default=ROOT / "seeds" / "shanxi",
                   help="seed folder of the export figure")
    p.add_argument("--seed-region", default="山西省", help="region of the seed export (default 山西省)")
    p.add_argument("--export-runs", type=int, default=3, help="seed export runs (median reported)")
    p.add_argument("--ckg-sample", type=Path, default=ckg_data.DEFAULT_SAMPLE,
                   help="the ChainKnowledgeGraph sample scaled up to the full dataset")
    p.add_argument("--regen-ckg", action="store_true", help="remake the full-scale CKG folder in the cache")
    a = p.parse_args(argv)
    if a.no_extras and a.extras_only:
        p.error("--no-extras and --extras-only exclude each other")
    sizes = [] if a.extras_only else sorted({int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()}
                                            | ({1_000_000} if a.full else set()))
    a.cache.mkdir(parents=True, exist_ok=True)
    neo = None if a.no_neo4j else neo4j_env()
    started = time.perf_counter()
    results: list[dict] = []
    extras: dict = {}
    print(f"ChainAtlas bench: sizes {', '.join(f'{n:,}' for n in sizes) or 'none'}; C={a.chains}, P={a.products}, "
          f"seed {a.seed}; province {a.province}; Neo4j {'on' if neo else 'off (NEO4J_URI not set)'}; "
          f"quick section {'off' if a.no_extras else 'on'}", flush=True)
    if not a.no_extras:
        extras.update(quick_section(a))
    for n in sizes:
        folder, facts = synth_folder(a.cache, n, a.chains, a.products, a.seed, a.province)
        common = {"size": n, "chains": a.chains, "products": a.products, "seed": a.seed,
                  "province": f"{facts['province_name']} ({a.province})", "chain": facts["largest_chain"]}
        print(f"\n== N = {n:,}: {facts['total_rows']:,} rows in {folder}", flush=True)
        store_dir = a.cache / f"store-{n}"
        shutil.rmtree(store_dir, ignore_errors=True)
        env = {"CHAINATLAS_DB": str(store_dir), "CHAINATLAS_SEED": "none"}
        r = {"backend": "embedded", **common}
        r.update(measure_validate(folder, facts))
        print(f"  read+validate {r['validate_s']:.1f} s ({r['validate_rows_per_s']:,} rows/s)", flush=True)
        r.update(measure_load(folder, facts, env))
        print(f"  load {r['load_s']:.1f} s ({r['load_rows_per_s']:,} rows/s; CPU {r['load_cpu_s']:.1f} s = "
              f"{r['load_rows_per_cpu_s']:,} rows per CPU-second; RSS {r['load_peak_rss_mb']:,} MB)", flush=True)
        r.update(measure_queries(facts, env, a.runs, not a.no_export))
        print(f"  open {r['open_s']:.2f} s, first gap+targets {r['first_query_s']:.2f} s "
              f"(CPU {r['first_query_cpu_s']:.2f} s), median computed {r['gap_targets_computed_median_s']:.3f} s "
              f"(CPU {r['gap_targets_computed_median_cpu_s']:.3f} s), repeated (memo) {r['gap_targets_median_s']:.3f} s; "
              f"export {r.get('export_s', '—')} s "
              f"(CPU {r.get('export_cpu_s', '—')} s)", flush=True)
        if not a.no_app:
            r.update(measure_app(store_dir, facts))
            print(f"  app: change city median {r.get('app_city_median_s', '—')} s (max {r.get('app_city_max_s', '—')} s),"
                  f" threshold {r.get('app_threshold_s', '—')} s, 总览 view (bars, map) {r.get('app_view_s', '—')} s,"
                  f" worst interaction "
                  f"{r.get('app_worst_interaction_s', '—')} s; cold start: first after a load "
                  f"{r.get('app_cold_start_s', '—')} s, later {r.get('app_cold_later_s', '—')} s (empty browser "
                  f"profile), returning browser {r.get('app_cold_returning_first_s', '—')} / "
                  f"{r.get('app_cold_returning_s', '—')} s", flush=True)
        results.append(r)
        if neo:
            results.append(bench_neo4j(folder, facts, common, neo, a))
    params = {k: str(v) if isinstance(v, Path) else v for k, v in vars(a).items()}
    doc = {"date": dt.date.today().isoformat(), "machine": machine(), "params": params,
           "results": results, "extras": extras, "seconds": round(time.perf_counter() - started, 1)}
    path = save(doc)
    if results:
        print("\n" + table(results))
        print_floors("Floors (measured at 1,000,000 enterprises):", floors(results))
    print_floors("Quick-section floors:", list(extras.values()))
    print(f"\n{time.perf_counter() - started:.0f} s; results in {shown(path)}")
    return 0


def bench_neo4j(folder: Path, facts: dict, common: dict, env: dict, a) -> dict:
    r = {"backend": "neo4j", **common}
    try:
        r.update(naive_baseline(folder, env))
        print(f"  neo4j naive: {r['naive_rows_per_s']:,} rows/s ({r['naive_rows']:,} auto-commit MERGEs)", flush=True)
        store = neo4j_store(env)
        store.clear()
        store.close()
        r.update(measure_load(folder, facts, env))
        r["batched_vs_naive"] = round(r["load_rows_per_s"] / r["naive_rows_per_s"], 1)
        print(f"  neo4j load {r['load_s']:.1f} s ({r['load_rows_per_s']:,} rows/s, "
              f"{r['batched_vs_naive']}x naive)", flush=True)
        r.update(measure_queries(facts, env, a.runs, not a.no_export))
        print(f"  neo4j first gap+targets {r['first_query_s']:.2f} s, median {r['gap_targets_computed_median_s']:.3f} s",
              flush=True)
    except Exception as err:  # report and go on with the other figures
        r["error"] = failure(err)
        print(f"  neo4j failed: {r['error']}", flush=True)
    return r


if __name__ == "__main__":
    sys.exit(main())
