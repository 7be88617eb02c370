"""招商项目库 figures (#16) on the Shanxi seed: what N projects cost the faces.

The parent runs ``python bench/projects_bench.py measure N`` in a fresh child process (harness
``run_child``: wall, CPU, peak RSS) and prints one table. The child loads seeds/shanxi into a
temporary embedded store, then times:

- ``create``: N × ``create_project`` (one transaction each; from targets of every chain in 山西省's
  cities), and ``move``: N/2 × ``move_project`` (线索 → 已接洽);
- ``list``: ``list_projects`` with no filter and with ``overdue``; ``funnel``: the funnel by chain;
- ``gap``: ``gap_projects`` for one chain's report (what the gap page adds per run);
- ``export-wb`` / ``import-wb``: the project workbook of all N projects, out and back in (unchanged);
- ``qingdan``: ``build_export`` of every chain for 山西省 with the 招商项目 sheet, and the sheet's
  own part (``project_rows`` for the same reports).

The issue sets no number; these figures say what the pages and commands cost at N.

    python bench/projects_bench.py              # N = 2000
    python bench/projects_bench.py --n 500
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, child_json, emit, run_child, save_json, table  # noqa: E402


def measure(n: int) -> dict:
    from graph.analysis.gaps import diagnose
    from graph.analysis.project_gaps import gap_projects
    from graph.analysis.project_views import funnel, list_projects
    from graph.analysis.projects import create_project, move_project
    from graph.export.build import build_export
    from graph.export.project_book import import_workbook, workbook_bytes
    from graph.export.project_sheet import project_rows
    from graph.store.embedded.store import EmbeddedStore
    from loaders.workbook import load_path

    out: dict = {"n": n}
    with tempfile.TemporaryDirectory(prefix="bench-projects-") as tmp:
        store = EmbeddedStore(str(Path(tmp) / "db"))
        load_path(store, ROOT / "seeds" / "shanxi")
        cp = store.table("chain_products")
        cities = store.table("regions")
        cities = cities[cities["level"] == "city"]["code"].tolist()
        pairs = list(zip(cp["chain"], cp["product"]))
        t = time.perf_counter()
        for i in range(n):
            chain, product = pairs[i % len(pairs)]
            create_project(store, {"enterprise": f"目标企业{i}", "products": [product], "chains": [chain],
                                   "region": cities[i % len(cities)], "unit": f"招商局{i % 7}",
                                   "next_date": "2020-01-01" if i % 3 == 0 else "2999-01-01"})
        out["create_s"] = time.perf_counter() - t
        t = time.perf_counter()
        for i in range(0, n, 2):
            move_project(store, f"PJ-{i + 1:04d}", "已接洽")
        out["move_s"] = time.perf_counter() - t
        for key, fn in (("list_s", lambda: list_projects(store)),
                        ("overdue_s", lambda: list_projects(store, overdue=True)),
                        ("funnel_s", lambda: funnel(store))):
            t = time.perf_counter()
            fn()
            out[key] = time.perf_counter() - t
        rep = diagnose(store, pairs[0][0], cities[0])
        t = time.perf_counter()
        gp = gap_projects(store, rep)
        out["gap_s"] = time.perf_counter() - t
        out["gap_projects"] = int(gp[["leads", "talking"]].to_numpy().sum())
        t = time.perf_counter()
        data = workbook_bytes(store)
        out["export_wb_s"] = time.perf_counter() - t
        path = Path(tmp) / "p.xlsx"
        path.write_bytes(data)
        t = time.perf_counter()
        counts = import_workbook(store, path)
        out["import_wb_s"] = time.perf_counter() - t
        out["import_unchanged"] = counts["unchanged"]
        t = time.perf_counter()
        ex = build_export(store, None, "山西省")
        out["qingdan_s"] = time.perf_counter() - t
        out["qingdan_rows"] = len(ex.tables["projects"])
        t = time.perf_counter()
        project_rows(store, ex.reports)
        out["qingdan_projects_s"] = time.perf_counter() - t
        store.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="?", default="run", choices=["run", "measure"])
    ap.add_argument("n", nargs="?", type=int, default=None)
    ap.add_argument("--n", dest="n_opt", type=int, default=2000)
    a = ap.parse_args(argv)
    n = a.n or a.n_opt
    if a.what == "measure":
        emit(measure(n))
        return 0
    res = run_child([sys.executable, str(Path(__file__).resolve()), "measure", str(n)])
    r = {**child_json(res), "wall_s": res["wall_s"], "peak_rss_mb": res["peak_rss_mb"]}
    print(table([r], [("n", "projects", "{:d}"), ("create_s", "create s", "{:.1f}"), ("move_s", "move N/2 s", "{:.1f}"),
                      ("list_s", "list s", "{:.2f}"), ("overdue_s", "overdue s", "{:.2f}"),
                      ("funnel_s", "funnel s", "{:.2f}"), ("gap_s", "per-gap s", "{:.2f}"),
                      ("export_wb_s", "wb out s", "{:.2f}"), ("import_wb_s", "wb in s", "{:.2f}"),
                      ("qingdan_s", "清单 s", "{:.1f}"),
                      ("qingdan_projects_s", "of which 招商项目 s", "{:.2f}"), ("qingdan_rows", "清单 rows", "{:d}"),
                      ("peak_rss_mb", "RSS MB", "{:.0f}")]))
    print(f"results: {save_json({'projects': r}, 'projects')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
