"""The per-chain engine — gap analysis + top-10 targets — computed with the engine's memo emptied
(as ``gap_targets_computed_median_s`` in bench/measure.py), for the largest chain and summed over
every chain of a place (what an export or a plan of the place runs once per chain).

    CHAINATLAS_DB=bench/.cache/store-1000000 CHAINATLAS_SEED=none \\
        python bench/chains_bench.py --region 140000 --chain SYN-C001 --runs 15

Prints wall and CPU seconds (median and minimum per call; the sum over the chains on a first pass
through them in this process and on repeats) and the load average, so figures taken on a shared
machine can be read with it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--region", default="140000")
    p.add_argument("--chain", default="SYN-C001")
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--passes", type=int, default=3)
    a = p.parse_args()
    from graph.analysis import gaps, targets
    from graph.settings import Settings
    from graph.store.factory import open_store

    store = open_store(Settings.from_env())
    chains = store.table("chains")["chain_id"].tolist()

    def once(chain: str) -> None:
        gaps._REPORTS.clear()     # the engine's own work, as bench/measure.py times it
        targets._TARGETS.clear()
        targets.rank_targets(store, gaps.diagnose(store, chain, a.region), top=10)

    def timed(work) -> tuple[float, float]:
        t, c = time.perf_counter(), time.process_time()
        work()
        return time.perf_counter() - t, time.process_time() - c

    once(a.chain)   # the first answer in a fresh process (imports, region tree, makers index)
    first = timed(lambda: [once(c) for c in chains])
    per = [timed(lambda: once(a.chain)) for _ in range(a.runs)]
    sums = [timed(lambda: [once(c) for c in chains]) for _ in range(a.passes)]
    wall, cpu = zip(*per)
    print(f"{a.chain} in {a.region}, computed, {a.runs} runs: median wall {statistics.median(wall):.3f} s "
          f"(min {min(wall):.3f}), CPU {statistics.median(cpu):.3f} s (min {min(cpu):.3f})")
    print(f"all {len(chains)} chains, first pass: wall {first[0]:.2f} s, CPU {first[1]:.2f} s")
    print(f"all {len(chains)} chains, {a.passes} more passes: wall " + ", ".join(f"{w:.2f}" for w, _ in sums)
          + " s; CPU " + ", ".join(f"{c:.2f}" for _, c in sums) + " s")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    store.close()


if __name__ == "__main__":
    main()
