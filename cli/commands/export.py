"""``chainatlas export``: the gap list (缺链补链招商清单) as Excel, CSV or JSON."""
from __future__ import annotations

import time

import click

from cli.commands.gaps import region_options, thresholds_from
from cli.commands.targets import parse_weights, weight_options
from cli.common import store_from_env


@click.command("export")
@click.option("--chain", "chains", multiple=True,
              help="产业链编号或名称（可重复） Chain id or name, repeatable, e.g. --chain 新能源汽车 --chain 氢能.")
@click.option("--all-chains", is_flag=True, help="导出全部产业链 Export every chain in the store.")
@region_options
@click.option("--top", type=int, default=10, show_default=True, help="每个缺口的招商目标数 Targets per gap.")
@weight_options
@click.option("--out", "-o", "out", type=click.Path(), default=None,
              help="输出文件：.xlsx（默认）、.csv（CSV 文件夹）、.zip（CSV 压缩包）或 .json "
                   "Output: .xlsx (default), .csv (a folder of CSVs), .zip (CSVs zipped) or .json. "
                   "Default: 缺链补链招商清单_<产业链>_<地区>_<日期>.xlsx in the current folder.")
def command(chains, all_chains, region, top, weights, eastern_transfer, out, **place_opts):
    """导出缺链补链招商清单 Export the gap list (Excel/CSV/JSON) of one, several or all chains in a region.

    Example: chainatlas export --chain 新能源汽车 --region 运城市 --out gaps.xlsx
    """
    from graph.export.build import build_export, write

    if not chains and not all_chains:
        raise click.UsageError("请用 --chain（可重复）或 --all-chains 指定产业链 Give --chain (repeatable) or --all-chains.")
    if chains and all_chains:
        raise click.UsageError("--chain 与 --all-chains 只能选一个 Use either --chain or --all-chains.")
    if top < 1:
        raise click.BadParameter("must be at least 1", param_hint="--top")
    w = parse_weights(weights, eastern_transfer)
    o = place_opts
    th = thresholds_from(o.get("min_makers"), o.get("min_large"), o.get("min_share"), o.get("key_weight"))
    engine = {"enclave_attribution": not o.get("no_enclave", False)}
    if "no_subclasses" in o:
        engine["count_subclasses"] = not o["no_subclasses"]
    started = time.perf_counter()
    with store_from_env() as store:
        export = build_export(store, None if all_chains else list(chains), region, thresholds=th, weights=w,
                              top=top, **engine)
    path = write(export, out or export.filename(".xlsx"))
    t = export.tables
    click.echo(f"已导出 exported: {len(export.meta['chains'])} 条产业链 · {export.meta['region'].get('name')} · "
               f"缺口 {len(t['gaps'])} · 招商目标 {len(t['targets'])} · 本地企业 {len(t['makers'])} · "
               f"招商项目 {len(t['projects'])} "
               f"→ {path} ({time.perf_counter() - started:.1f} s)")
