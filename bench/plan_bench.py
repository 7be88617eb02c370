"""招商组合 and 假如引进 figures (issue #15) on the synthetic national data of bench/bench.py.

For each size (default 100k; ``--sizes 1000000`` for the floor figures) the synthetic folder and a
loaded embedded store are reused from ``bench/.cache`` (``synth-N-30-300-1``, ``store-N``; made with
``chainatlas synth`` / ``chainatlas load`` as bench/bench.py does when missing). In a fresh child:

- plan: ``graph.analysis.plan.plan(store, province, all 30 chains, k=20)`` — the first run (cold
  caches: makers index, region tree) and the median of ``--runs`` more (end to end: the 30 chains'
  gaps and priorities — graph.analysis.plan_gaps, nothing kept between runs — and the optimisation);
- optimise: ``graph.analysis.plan.optimise`` on those 30 chains' gaps already worked out (what the
  app and the export do with their diagnoses) — median of ``--runs``;
- overview: ``graph.analysis.overview.chain_overview`` of every chain in the province (the 总览) —
  median of ``--runs`` (after the plan: the makers index is warm);
- what-if: ``graph.analysis.whatif.simulate`` of 10 enterprises (the top target of the 10 most urgent
  gaps) on the largest chain, given its diagnosis — median; and ``what_if`` including the diagnosis.

With NEO4J_URI set, the same folder is loaded (merged) into that Neo4j database and measured too.
Floors (at 1M): plan k=20 over 30 chains < 2 s (embedded; Neo4j < 5 s when NEO4J_URI is set),
what-if of 10 enterprises over one chain < 0.3 s. Results merge into bench/results/<date>-plan.json.

    python bench/plan_bench.py                      # 100k
    python bench/plan_bench.py --sizes 1000000      # the floor figures
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (DEFAULT_CACHE, chainatlas, child_json, emit, floor_status, print_floors,  # noqa: E402
                     run_child, save_json, shown)

PLAN_FLOOR_S, NEO4J_PLAN_FLOOR_S, WHATIF_FLOOR_S = 2.0, 5.0, 0.3


def store_for(cache: Path, n: int, province: str) -> tuple[Path, dict]:
    """The loaded embedded store of size n (synthesised and loaded once)."""
    from synth_data import synth_folder
    folder, facts = synth_folder(cache, n, 30, 300, 1, province)
    db = cache / f"store-{n}"
    if not (db / ".plan-bench-loaded").exists():
        res = chainatlas("load", str(folder), env={"CHAINATLAS_DB": str(db), "CHAINATLAS_SEED": "none"})
        if res["rc"] != 0:
            raise RuntimeError(f"chainatlas load failed: {res['stderr'][-2000:]}")
        (db / ".plan-bench-loaded").write_text("ok")
    return db, facts


_CPU: dict = {}


def _median(fn, runs: int, name: str = "") -> tuple[float, list[float]]:
    """Median wall seconds of ``runs`` calls (the median CPU seconds go to _CPU[name]: on a shared
    machine CPU time shows the work done, wall time the wait too)."""
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    _CPU[name] = round(statistics.median(cpu), 3)
    return statistics.median(times), times


def child(argv: list[str]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--region", required=True)
    p.add_argument("--chain", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--k", type=int, default=20)
    a = p.parse_args(argv)
    from graph.analysis.gaps import diagnose
    from graph.analysis.overview import chain_overview
    from graph.analysis.plan import optimise, plan
    from graph.analysis.targets import rank_targets
    from graph.analysis.whatif import plant_place, simulate, what_if
    from graph.settings import Settings
    from graph.store.factory import open_store

    store = open_store(Settings.from_env())
    t = time.perf_counter()
    first = plan(store, a.region, k=a.k)
    first_s = time.perf_counter() - t
    plan_s, plan_runs = _median(lambda: plan(store, a.region, k=a.k), a.runs, "plan")
    reports = first.reports
    opt_s, opt_runs = _median(lambda: optimise(store, reports, k=a.k), a.runs, "optimise")
    ov_s, ov_runs = _median(lambda: chain_overview(store, a.region), a.runs, "overview")
    rep = diagnose(store, a.chain, a.region)
    gaps = rep.gaps().head(10)["product_id"].tolist()
    tg = rank_targets(store, rep, top=1, products=gaps)
    ents = list(dict.fromkeys(tg["enterprise_id"].astype(str)))[:10]
    plant = plant_place(store, rep, None)
    w = simulate(store, rep, ents, plant)
    sim_s, sim_runs = _median(lambda: simulate(store, rep, ents, plant), a.runs, "whatif")
    full_s, _ = _median(lambda: what_if(store, a.chain, a.region, ents), a.runs, "whatif_full")
    emit({"plan_first_s": round(first_s, 3), "plan_median_s": round(plan_s, 3), "plan_runs_s": [round(x, 3) for x in plan_runs],
          "optimise_median_s": round(opt_s, 3), "optimise_runs_s": [round(x, 3) for x in opt_runs],
          "overview_median_s": round(ov_s, 3), "overview_runs_s": [round(x, 3) for x in ov_runs],
          "whatif_median_s": round(sim_s, 3), "whatif_runs_s": [round(x, 3) for x in sim_runs],
          "whatif_with_diagnosis_median_s": round(full_s, 3),
          **{f"{k}_cpu_median_s": v for k, v in _CPU.items()}, "load_average": list(os.getloadavg()),
          "chains": len(reports), "gaps": int(len(first.gaps)), "candidates": int(first.counts.get("candidates", 0)),
          "picks": int(len(first.picks)), "closed_share": round(float(first.picks["closed_share"].iloc[-1]), 4)
          if len(first.picks) else 0.0, "whatif_enterprises": len(ents), "whatif_links_changed": int(len(w.changes))})
    store.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        child(argv[1:])
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100000")
    p.add_argument("--province", default="140000")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    a = p.parse_args(argv)
    a.cache.mkdir(parents=True, exist_ok=True)
    results, floors = [], []
    targets = [("embedded", None)]
    if os.environ.get("NEO4J_URI"):
        targets.append(("neo4j", os.environ["NEO4J_URI"]))
    for n in [int(s) for s in a.sizes.split(",") if s]:
        db, facts = store_for(a.cache, n, a.province)
        for backend, uri in targets:
            env = {"CHAINATLAS_DB": uri or str(db), "CHAINATLAS_SEED": "none"}
            if uri:  # the same folder into Neo4j (a merge: loading it again adds nothing)
                folder = a.cache / f"synth-{n}-30-300-1"
                res = chainatlas("load", str(folder), env=env)
                if res["rc"] != 0:
                    raise RuntimeError(f"chainatlas load into Neo4j failed: {res['stderr'][-2000:]}")
            res = run_child([sys.executable, str(Path(__file__).resolve()), "_child", "--region", a.province,
                             "--chain", facts["largest_chain"], "--runs", str(a.runs), "--k", str(a.k)], env=env)
            r = {"size": n, "backend": backend, **child_json(res), "child_peak_rss_mb": round(res["peak_rss_mb"])}
            results.append(r)
            print(f"N = {n:,} {backend}: plan k={a.k} over {r['chains']} chains ({r['gaps']} gaps, "
                  f"{r['candidates']:,} candidates): first {r['plan_first_s']} s, median {r['plan_median_s']} s, "
                  f"optimise alone {r['optimise_median_s']} s; overview of every chain {r['overview_median_s']} s "
                  f"(CPU {r['overview_cpu_median_s']} s); what-if of {r['whatif_enterprises']} enterprises "
                  f"{r['whatif_median_s']} s ({r['whatif_with_diagnosis_median_s']} s with the diagnosis); "
                  f"CPU medians: plan {r['plan_cpu_median_s']} s, optimise {r['optimise_cpu_median_s']} s, "
                  f"what-if {r['whatif_cpu_median_s']} s; load average {r['load_average'][0]:.1f}", flush=True)
            if n >= 1_000_000:
                limit = PLAN_FLOOR_S if backend == "embedded" else NEO4J_PLAN_FLOOR_S
                floors.append({"status": floor_status(r["plan_median_s"], "<", limit),
                               "floor": f"plan k={a.k}, 30 chains, 1M, {backend} < {limit:g} s",
                               "detail": f"median {r['plan_median_s']} s end to end; optimisation on the "
                                         f"diagnoses {r['optimise_median_s']} s"})
                floors.append({"status": floor_status(r["whatif_median_s"], "<", WHATIF_FLOOR_S),
                               "floor": f"what-if 10 enterprises, one chain, 1M, {backend} < {WHATIF_FLOOR_S:g} s",
                               "detail": f"median {r['whatif_median_s']} s (with the diagnosis "
                                         f"{r['whatif_with_diagnosis_median_s']} s)"})
    print_floors("Floors (1M):", floors)
    path = save_json({"plan": results, "plan_floors": floors}, "plan")
    print(f"results in {shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
