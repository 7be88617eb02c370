"""``chainatlas plan``: 招商组合 — the k enterprises that close the most important gaps across chains."""
from __future__ import annotations

from dataclasses import fields

import click

from cli.commands.gaps import FORMATS, echo_notes, region_options, thresholds_from
from cli.commands.targets import parse_pairs
from cli.common import dumps, echo_frame, store_from_env
from graph.options import DEFAULT_PRIORITY, DEFAULT_WEIGHTS, PriorityWeights, Weights

PICK_VIEW = {"pick": "序", "name": "企业", "province_name": "省份", "region_name": "所在地", "gain": "增益",
             "value_share": "累计占组合", "closed_share": "累计覆盖缺口", "chains": "产业链", "closes": "补齐",
             "strengthens": "加强"}


def _names() -> dict[str, str]:
    from graph.analysis.plan import PlanWeights
    out = {f.name: "plan" for f in fields(PlanWeights)}
    out.update({f.name: "priority" for f in fields(PriorityWeights) if f.name not in out})
    out.update({f.name: "target" for f in fields(Weights) if f.name not in out and f.name != "eastern_transfer"})
    return out


def parse_plan_weights(items: tuple[str, ...]):
    """``NAME=NUMBER`` pairs (comma-separated or repeated) -> (PlanWeights, PriorityWeights, Weights)."""
    from graph.analysis.plan import DEFAULT_PLAN_WEIGHTS
    names = _names()
    parts: dict[str, dict] = {"plan": {}, "priority": {}, "target": {}}
    flat = [pair.strip() for item in items for pair in item.split(",") if pair.strip()]
    for key, value in parse_pairs(flat, list(names), "--weights").items():
        parts[names[key]][key] = value
    if "pool" in parts["plan"]:
        parts["plan"]["pool"] = int(parts["plan"]["pool"])
    return (DEFAULT_PLAN_WEIGHTS.with_(**parts["plan"]), DEFAULT_PRIORITY.with_(**parts["priority"]),
            DEFAULT_WEIGHTS.with_(**parts["target"]))


@click.command("plan")
@click.option("--chain", "chains", multiple=True, help="产业链编号或名称（可重复） Chain id or name, repeatable.")
@click.option("--all-chains", is_flag=True, help="全部产业链（默认） Every chain (the default).")
@region_options
@click.option("--k", "k", type=int, default=10, show_default=True, help="组合中的企业数 Enterprises to pick.")
@click.option("--weights", "weights", multiple=True, metavar="NAME=NUMBER[,…]",
              help="权重 Weights, e.g. --weights second=0.5,quality=0.3,key_link=30. Plan: second (value of a "
                   "second maker of a link, default 0.3), weak (weak-link multiplier), quality (0–1: mix in the "
                   "target score), pool; gap priority: status_missing, key_link, …; target score: distance, leader, ….")
@click.option("--exclude", multiple=True, help="排除企业（编号或名称，可重复） Exclude an enterprise (repeatable).")
@click.option("--exclude-province", "exclude_provinces", multiple=True,
              help="排除省份（代码或名称，可重复） Exclude enterprises of a province (repeatable).")
@click.option("--key-first", is_flag=True, help="先补关键环节 Picks must close a key link while one can be closed.")
@click.option("--cap-per-chain", "cap", type=int, default=None, help="每条产业链最多计入的企业数 Max picks per chain.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式 Output format.")
def command(chains, all_chains, region, k, weights, exclude, exclude_provinces, key_first, cap, fmt, **opts):
    """招商组合 Pick up to k enterprises (outside the region, location known) closing the most gap priority.

    Greedy with lazy re-evaluation over a monotone submodular objective: within 1 − 1/e of the best plan.

    Example: chainatlas plan --region 运城市 --all-chains --k 10 --weights second=0.5
    """
    from graph.analysis.plan import plan

    if chains and all_chains:
        raise click.UsageError("--chain 与 --all-chains 只能选一个 Use either --chain or --all-chains.")
    if k < 1:
        raise click.BadParameter("must be at least 1", param_hint="--k")
    if cap is not None and cap < 1:
        raise click.BadParameter("must be at least 1", param_hint="--cap-per-chain")
    pw, pr, tw = parse_plan_weights(weights)
    th = thresholds_from(opts.get("min_makers"), opts.get("min_large"), opts.get("min_share"), opts.get("key_weight"))
    with store_from_env() as store:
        p = plan(store, region, list(chains) or None, k=k, weights=pw, priority=pr, thresholds=th, target_weights=tw,
                 exclude=list(exclude), exclude_provinces=list(exclude_provinces), key_first=key_first,
                 chain_cap=cap, enclave_attribution=not opts.get("no_enclave"),
                 count_subclasses=not opts.get("no_subclasses"))
    if fmt == "csv":
        echo_frame(p.picks, "csv")
        return
    if fmt == "json":
        from graph.analysis.gaps import json_safe
        click.echo(dumps(json_safe({"region": p.region, "chains": p.chains, "options": p.options, "picks": p.picks,
                                    "gaps": p.gaps, "counts": p.counts, "notes": p.notes})))
        return
    click.echo(f"招商组合 · {p.region.get('name')} · {len(p.chains)} 条产业链 · k = {k} · "
               f"候选企业 {p.counts.get('candidates', 0)} 家")
    view = p.picks[list(PICK_VIEW)].copy()
    view["value_share"] = view["value_share"].map("{:.0%}".format)
    view["closed_share"] = view["closed_share"].map("{:.0%}".format)
    echo_frame(view.rename(columns=PICK_VIEW))
    echo_notes(p.notes + ["贪心组合不劣于同规模最优组合的 1 − 1/e ≈ 63%（目标函数单调次模）。"])


__all__ = ["command", "parse_plan_weights"]
