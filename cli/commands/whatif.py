"""``chainatlas whatif``: 假如引进 — re-diagnose chains as if enterprises had a plant in the region."""
from __future__ import annotations

import click

from cli.commands.gaps import FORMATS, echo_notes, region_options, thresholds_from
from cli.common import dumps, echo_frame, store_from_env
from graph.settings import Settings

CHANGE_VIEW = {"name": "环节", "key_link": "关键", "label_before": "引进前", "label_after": "引进后",
               "change": "变化", "broken_repaired": "断链修复", "local_before": "本地企业(前)",
               "local_after": "本地企业(后)", "added": "引进企业"}


def _shown(metric: str, v) -> str:
    if v is None or v != v:
        return "—"
    return f"{float(v):.0%}" if "rate" in metric else f"{int(v)}"


def _region_optional(f):
    """region_options, with --region optional (not needed for --list and --scenario)."""
    f = region_options(f)
    for p in f.__click_params__:
        if p.name == "region":
            p.required = False
    return f


@click.command("whatif")
@click.option("--enterprise", "-e", "enterprises", multiple=True,
              help="引进的企业（编号、统一社会信用代码或名称，可重复） Enterprise to bring in (repeatable).")
@click.option("--chain", "chains", multiple=True,
              help="产业链（可重复；默认：这些企业涉及的全部产业链） Chain (repeatable; default: every chain they serve).")
@_region_optional
@click.option("--at", default=None, help="设厂地点：区域内的县区或园区（默认区域本身） County or park inside the region.")
@click.option("--save", "save", default=None, help="保存为命名情景 Save as a named scenario.")
@click.option("--scenario", default=None, help="运行已保存的情景 Run a saved scenario (other options ignored).")
@click.option("--list", "list_only", is_flag=True, help="列出已保存的情景 List saved scenarios.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式 Output format.")
def command(enterprises, chains, region, at, save, scenario, list_only, fmt, **opts):
    """假如引进 What if these enterprises had a plant here? Before/after per chain; nothing is written.

    Example: chainatlas whatif --region 运城市 -e 苏州电池包 -e 郑州正极 --at 盐湖区 --save 电池方案
    """
    from graph.analysis import scenarios as sc
    from graph.analysis.whatif import what_if_chains

    folder = Settings.from_env().scenarios_dir
    if list_only:
        echo_frame(sc.list_scenarios(folder), fmt)
        return
    th = thresholds_from(opts.get("min_makers"), opts.get("min_large"), opts.get("min_share"), opts.get("key_weight"))
    options = {"thresholds": {k: v for k, v in th.as_dict().items()}, "enclave_attribution": not opts.get("no_enclave"),
               "count_subclasses": not opts.get("no_subclasses")}
    with store_from_env() as store:
        if scenario:
            doc = sc.load_scenario(folder, scenario)
            results = sc.run_scenario(store, doc)
        else:
            if not region:
                raise click.UsageError("请用 --region 指定地区 Give --region.")
            if not enterprises:
                raise click.UsageError("请用 --enterprise（可重复）指定引进的企业 Give --enterprise (repeatable).")
            results = what_if_chains(store, list(chains) or None, region, list(enterprises), at=at, thresholds=th,
                                     enclave_attribution=options["enclave_attribution"],
                                     count_subclasses=options["count_subclasses"])
            if save:
                path = sc.save_scenario(folder, save, region, list(enterprises), list(chains) or None, at, options)
                click.echo(f"已保存情景 saved: {save} → {path}", err=True)
    if fmt == "json":
        from graph.analysis.gaps import json_safe
        click.echo(dumps(json_safe([{"chain": w.chain, "plant": w.plant, "summary": w.summary, "changes": w.changes,
                                     "leaders": w.leaders, "enterprises": w.enterprises, "notes": w.notes}
                                    for w in results])))
        return
    if fmt == "csv":
        import pandas as pd
        echo_frame(pd.concat([w.changes.assign(chain=w.chain.get("name")) for w in results], ignore_index=True)
                   if results else pd.DataFrame(), "csv")
        return
    if not results:
        click.echo("这些企业不生产任何产业链的环节产品：无影响。")
    for w in results:
        click.echo(f"\n假如引进 · {w.chain.get('name')} · {w.plant.get('name')}")
        s = w.summary.copy()
        s["before"] = [_shown(m, v) for m, v in zip(s["metric"], s["before"])]
        s["after"] = [_shown(m, v) for m, v in zip(s["metric"], s["after"])]
        echo_frame(s[["label", "before", "after"]].rename(columns={"label": "指标", "before": "引进前", "after": "引进后"}))
        echo_frame(w.changes[list(CHANGE_VIEW)].rename(columns=CHANGE_VIEW))
        if len(w.leaders):
            lead = w.leaders.assign(
                before=[f"{a}/{b}" for a, b in zip(w.leaders["inputs_local"], w.leaders["inputs_with_data"])],
                after=[f"{a}/{b}" for a, b in zip(w.leaders["inputs_local_after"], w.leaders["inputs_with_data"])])
            echo_frame(lead[["name", "is_local", "is_local_after", "before", "after"]].rename(columns={
                "name": "链主", "is_local": "本地(前)", "is_local_after": "本地(后)", "before": "本地可配投入品(前)",
                "after": "本地可配投入品(后)"}))
        echo_notes(w.notes)
        click.echo("")


__all__ = ["command"]
