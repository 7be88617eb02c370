"""``chainatlas synth``: write a synthetic national import folder (benchmarks, scale tests)."""
from __future__ import annotations

import time
from pathlib import Path

import click

from graph import schema
from graph.errors import ChainAtlasError


@click.command("synth")
@click.option("--enterprises", "-n", "n_enterprises", type=click.IntRange(min=0), default=10_000,
              show_default=True, help="企业数 Number of enterprises.")
@click.option("--chains", "n_chains", type=click.IntRange(min=1), default=10, show_default=True,
              help="产业链数 Number of chains.")
@click.option("--products-per-chain", type=click.IntRange(min=3), default=60, show_default=True,
              help="最大产业链的产品数（其余依次递减至约 1/3）Products in the largest chain; "
                   "the others shrink linearly to about a third of it.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="随机种子：同一种子生成完全相同的文件 Same seed, identical files.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="输出文件夹 Folder to write <table>.csv files into (created if missing).")
@click.option("--regions", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="行政区划参考表 Regions reference CSV (default: seeds/reference/china_regions.csv).")
@click.option("--force", is_flag=True, help="覆盖已有 CSV Overwrite a folder that already holds CSV files.")
def command(n_enterprises, n_chains, products_per_chain, seed, out_dir, regions, force):
    """生成合成数据 Write a synthetic national data set as an import folder.

    Every row is marked illustrative with source ``synthetic:seed=S``; the folder loads with
    ``chainatlas load OUT``. Example:

        chainatlas synth --enterprises 1000000 --chains 30 --products-per-chain 300 --seed 1 --out /tmp/synth1m
    """
    from loaders.synth import synthesize

    if out_dir.exists() and not force and any(out_dir.glob("*.csv")):
        raise ChainAtlasError(f"输出文件夹已有 CSV 文件 the folder already holds CSV files: {out_dir}",
                              "Pass --force to overwrite them, or choose another --out folder.")
    started = time.perf_counter()
    rows = synthesize(out_dir, n_enterprises, n_chains, products_per_chain, seed, regions=regions)
    seconds = time.perf_counter() - started
    total_bytes = 0
    for name in schema.LOAD_ORDER:
        size = (out_dir / f"{name}.csv").stat().st_size
        total_bytes += size
        click.echo(f"{name:<20} {rows[name]:>10,} rows {size / 1e6:>9.1f} MB")
    click.echo(f"合成数据已写入 wrote {sum(rows.values()):,} rows, {total_bytes / 1e6:.1f} MB to {out_dir} "
               f"in {seconds:.1f} s (seed {seed})")
