"""The quick section of bench/bench.py: seed export, ChainKnowledgeGraph full dataset, registry tagging.

Each figure is measured in a fresh child process (``python bench/sources_bench.py NAME ...``),
which prints one ``BENCH-JSON {...}`` line; bench.py adds the child's wall, CPU and peak RSS.

- ``seed-export``: seeds/shanxi loaded into a fresh temporary embedded store
  (loaders.workbook.load_path), then ``graph.export.build.build_export(store, None, 山西省)`` +
  ``to_xlsx_bytes`` for all chains, ``--runs`` times (wall and CPU of each).
- ``ckg-load``: ``loaders.ckg.import_ckg(FOLDER)`` + ``EmbeddedStore(tmp).apply(batch)`` on a
  folder made by :func:`generate_ckg` — the consistent sample scaled up to the full dataset's
  row counts (:data:`CKG_FULL`).
- ``registry``: ``loaders.registry.import_registry`` with product tagging on a 10,000-row
  registry export made from a synthetic folder (``chainatlas synth``).

``python bench/sources_bench.py generate-ckg OUT [--sample DIR]`` writes the scaled-up folder alone.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT  # noqa: E402

from ckg_data import DEFAULT_SAMPLE, generate_ckg  # noqa: E402
from harness import cpu as _cpu, emit  # noqa: E402


# --- measurements (each in a fresh child process) -------------------------------------------
def seed_export(seeds: Path, region: str, runs: int) -> dict:
    """seeds loaded into a fresh temporary embedded store, then the gap workbook of every chain
    of ``region`` (build_export + to_xlsx_bytes), ``runs`` times."""
    import statistics

    from graph.store.embedded.store import EmbeddedStore
    from graph.export.build import build_export, to_xlsx_bytes
    from loaders.workbook import load_path

    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        store = EmbeddedStore(tmp)
        try:
            t = time.perf_counter()
            load = load_path(store, seeds)
            load_s = time.perf_counter() - t
            chains = len(store.table("chains"))
            walls, cpus, size = [], [], 0
            for _ in range(runs):
                t, c = time.perf_counter(), _cpu()
                size = len(to_xlsx_bytes(build_export(store, None, region)))
                walls.append(time.perf_counter() - t)
                cpus.append(_cpu() - c)
        finally:
            store.close()
    return {"seeds": str(seeds), "region": region, "seed_rows": int(load.added), "seed_load_s": round(load_s, 2),
            "chains": chains, "runs": runs, "median_s": round(statistics.median(walls), 2),
            "cpu_median_s": round(statistics.median(cpus), 2), "runs_s": [round(x, 2) for x in walls],
            "cpu_runs_s": [round(x, 2) for x in cpus], "xlsx_kb": round(size / 1024)}


def ckg_load(folder: Path) -> dict:
    """import_ckg(folder) + EmbeddedStore(tmp).apply(batch) on a fresh store."""
    from graph.store.embedded.store import EmbeddedStore
    from loaders.ckg import import_ckg

    t0, c0 = time.perf_counter(), _cpu()
    batch, report = import_ckg(folder)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-ckg-") as tmp:
        store = EmbeddedStore(tmp)
        try:
            applied = store.apply(batch)
            t2, c2 = time.perf_counter(), _cpu()
            counts = store.counts()
        finally:
            store.close()
    return {"rows_read": int(sum(report.read.values())), "read": report.read, "kept": report.kept,
            "rows_added": int(applied.added), "dropped": int(sum(d["rows"] for d in report.dropped)),
            "cycle_ok": int(report.cycle_ok), "store_counts": {k: int(v) for k, v in counts.items()},
            "import_s": round(t1 - t0, 2), "apply_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2),
            "cpu_s": round(c2 - c0, 2)}


def registry_rows(folder: Path, n: int = 10_000):
    """A registry export (name, province, city, scale, main products, business scope) made from
    the first ``n`` enterprises of a synthetic folder, and the folder's product table as
    ``store.table('products')`` gives it."""
    import numpy as np
    import pandas as pd

    ent = pd.read_csv(folder / "enterprises.csv", dtype=str, keep_default_na=False, nrows=n)
    makes = pd.read_csv(folder / "enterprise_products.csv", dtype=str, keep_default_na=False,
                        usecols=["enterprise", "product"])
    products = pd.read_csv(folder / "products.csv", dtype=str, keep_default_na=False)
    regions = pd.read_csv(folder / "regions.csv", dtype=str, keep_default_na=False)
    name = dict(zip(products["product_id"], products["name"]))
    main = makes[makes["enterprise"].isin(set(ent["enterprise_id"]))].assign(p=lambda d: d["product"].map(name))
    main = main.groupby("enterprise")["p"].agg("、".join)
    region_name = dict(zip(regions["code"], regions["name"]))
    parent = dict(zip(regions["code"], regions["parent"]))
    reg = pd.DataFrame({
        "企业名称": ent["name"], "所属省份": ent["region"].map(lambda c: region_name.get(parent.get(c) or c, "")),
        "所属城市": ent["region"].map(lambda c: region_name.get(c, "") if parent.get(c) else ""),
        "企业规模": ent["scale"], "主营产品": ent["enterprise_id"].map(main).fillna(""),
        "经营范围": np.where(ent.index % 3 == 0, "生产、销售" + ent["enterprise_id"].map(main).fillna(""), "")})
    table = products.copy()
    table["aliases"] = [[a for a in s.split(";") if a] for s in table["aliases"]]
    return reg, table


def registry(folder: Path, n: int = 10_000) -> dict:
    """loaders.registry.import_registry with product tagging on ``n`` registry rows."""
    from loaders.registry import import_registry

    reg, products = registry_rows(folder, n)
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        path = Path(tmp) / "registry.csv"
        reg.to_csv(path, index=False, encoding="utf-8-sig")
        t, c = time.perf_counter(), _cpu()
        result = import_registry(path, products=products)
        seconds, cpu = time.perf_counter() - t, _cpu() - c
    return {"rows": int(len(reg)), "products": int(len(products)), "seconds": round(seconds, 2),
            "cpu_s": round(cpu, 2), "tags": int(len(result.tags)),
            "links": int(len(result.batch["enterprise_products"])), "review": int(len(result.review))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate-ckg", help="write the full-scale ChainKnowledgeGraph folder")
    g.add_argument("out", type=Path)
    g.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    g.add_argument("--seed", type=int, default=1)
    e = sub.add_parser("seed-export")
    e.add_argument("--seeds", type=Path, default=ROOT / "seeds" / "shanxi")
    e.add_argument("--region", default="山西省")
    e.add_argument("--runs", type=int, default=3)
    c = sub.add_parser("ckg-load")
    c.add_argument("folder", type=Path)
    r = sub.add_parser("registry")
    r.add_argument("folder", type=Path, help="a chainatlas synth folder")
    r.add_argument("--rows", type=int, default=10_000)
    a = p.parse_args(argv)
    if a.cmd == "generate-ckg":
        t = time.perf_counter()
        rows = generate_ckg(a.sample, a.out, seed=a.seed)
        print(f"{sum(rows.values()):,} rows in {time.perf_counter() - t:.1f} s: "
              + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
        return 0
    if a.cmd == "seed-export":
        out = seed_export(a.seeds, a.region, a.runs)
    elif a.cmd == "ckg-load":
        out = ckg_load(a.folder)
    else:
        out = registry(a.folder, a.rows)
    emit(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
