"""``chainatlas verify-list``: the 核实清单 — whose location to check so that 待核实 links resolve."""
from __future__ import annotations

from pathlib import Path

import click

from cli.commands.gaps import FORMATS, echo_notes, region_options, thresholds_from
from cli.common import echo_frame, store_from_env

_VIEW = {"rank": "序号", "name": "企业", "region_name": "已知地区", "why": "待核实原因", "key_links": "关键环节",
         "links": "环节", "link_names": "可核实的环节"}


@click.command("verify-list")
@click.option("--chain", "chains", multiple=True, help="产业链编号或名称（可重复） Chain id or name, repeatable.")
@click.option("--all-chains", is_flag=True, help="全部产业链 Every chain in the store.")
@region_options
@click.option("--top", type=int, default=None, help="只列前 N 家 Only the first N enterprises.")
@click.option("--fill-in", "fill_in", type=click.Path(dir_okay=False), default=None,
              help="写出可回填的导入工作簿 .xlsx（企业表已填好、其他表仅表头）：填写 region 后 chainatlas load 该文件 "
                   "Write an import workbook with these enterprises; fill in region, then load it.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式 Output format.")
def command(chains, all_chains, region, top, fill_in, fmt, **place_opts):
    """核实清单 Enterprises whose location, once known, settles the most 待核实 links (key links first).

    Example: chainatlas verify-list --all-chains --region 运城市 --fill-in 待核实企业
    """
    from graph.analysis.verify import fill_in_tables, verify_list

    if bool(chains) == bool(all_chains):
        raise click.UsageError("请用 --chain（可重复）或 --all-chains 指定产业链 Give --chain (repeatable) or --all-chains.")
    if top is not None and top < 1:
        raise click.BadParameter("must be at least 1", param_hint="--top")
    o = place_opts
    th = thresholds_from(o.get("min_makers"), o.get("min_large"), o.get("min_share"), o.get("key_weight"))
    with store_from_env() as store:
        df, notes = verify_list(store, region, chains=list(chains) or None, top=top, thresholds=th,
                                enclave_attribution=not o.get("no_enclave", False),
                                count_subclasses=not o.get("no_subclasses", False))
        tables = fill_in_tables(store, df) if fill_in else None
    if tables is not None:
        from graph.export.fill_in import fill_in_workbook_bytes
        target = Path(fill_in).with_suffix(".xlsx")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(fill_in_workbook_bytes(tables))
        notes.append(f"已写出回填工作簿 {target}（enterprises 表 {len(tables['enterprises'])} 行）：填写 region 列后运行 "
                     f"chainatlas load {target}")
    if fmt != "table":
        echo_frame(df, fmt)
        return
    click.echo(f"核实清单 · {region}")
    echo_frame(df[list(_VIEW)].rename(columns=_VIEW))
    echo_notes(notes)
