"""``chainatlas overview``: every chain side by side in one place (the app's 总览)."""
from __future__ import annotations

import click

from cli.commands.gaps import FORMATS, region_options, thresholds_from
from cli.common import echo_frame, store_from_env
from graph.analysis.overview import chain_overview

_TABLE = {"name": "产业链", "chief": "链长", "leaders": "链主", "with_data": "有数据环节",
          "coverage": "本地配套率", "key_weighted_rate": "关键加权", "missing": "缺链", "weak": "弱链",
          "broken": "断链", "unverified": "待核实", "no_data": "无数据", "urgent": "紧急"}


@click.command("overview")
@region_options
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式 Output format.")
def command(region, no_enclave, no_subclasses, min_makers, min_large, min_share, key_weight, fmt):
    """总览 Every chain in a region: 链长, 链主, local coverage (本地配套率) and gap counts.

    Example: chainatlas overview --region 山西省
    """
    with store_from_env() as store:
        df = chain_overview(store, region, thresholds_from(min_makers, min_large, min_share, key_weight),
                            enclave_attribution=not no_enclave)
    if fmt != "table":
        echo_frame(df, fmt)
        return
    out = df[list(_TABLE)].copy()
    out["key_weighted_rate"] = out["key_weighted_rate"].map(lambda v: "—" if v is None or v != v else f"{v:.0%}")
    echo_frame(out.rename(columns=_TABLE))
    unknown = int(df["unknown_enterprises"].max()) if len(df) else 0
    if unknown:
        click.echo(f"注 note: 有生产企业所在地对该地区未知（单条产业链最多 {unknown} 家）：相关环节记为待核实，"
                   "不计为缺链；本地配套率括号内为待核实环节可能达到的上限。见 chainatlas verify-list --all-chains。")
