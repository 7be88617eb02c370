"""The load figure alone: ``chainatlas load FOLDER`` into a fresh embedded store, in a child process
(wall from process start, CPU, peak RSS; :func:`measure.measure_load`), ``--runs`` times.

    python bench/load_bench.py --folder bench/.cache/synth-1000000-30-300-1 --runs 2

Prints one line per run and the best run; floors: >= 200,000 rows/s, peak RSS < 1,200 MB (#14).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import DEFAULT_CACHE, floor_status  # noqa: E402
from measure import measure_load  # noqa: E402


def count_rows(folder: Path) -> int:
    """Data rows of every CSV in ``folder`` (lines minus the header; the synthetic data has no
    line breaks inside cells)."""
    total = 0
    for f in sorted(folder.glob("*.csv")):
        with open(f, "rb") as fh:
            total += sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b"")) - 1
    return total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--folder", type=Path, default=DEFAULT_CACHE / "synth-1000000-30-300-1")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--scratch", type=Path, default=None, help="where the fresh stores go (default: a temp dir)")
    a = p.parse_args(argv)
    facts = {"total_rows": count_rows(a.folder)}
    results = []
    for i in range(a.runs):
        work = Path(tempfile.mkdtemp(prefix="load-bench-", dir=a.scratch))
        try:
            r = measure_load(a.folder, facts, {"CHAINATLAS_DB": str(work / "store"), "CHAINATLAS_SEED": "none"})
        finally:
            shutil.rmtree(work, ignore_errors=True)
        r["load_avg"] = round(os.getloadavg()[0], 2)
        results.append(r)
        print(f"run {i + 1}: {r}", flush=True)
    best = max(results, key=lambda r: r["load_rows_per_s"])
    print(f"best: {best['rows']:,} rows in {best['load_s']} s = {best['load_rows_per_s']:,} rows/s "
          f"({floor_status(best['load_rows_per_s'], '>=', 200_000)}), CPU {best['load_cpu_s']} s, "
          f"peak RSS {best['load_peak_rss_mb']} MB ({floor_status(best['load_peak_rss_mb'], '<', 1200)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
