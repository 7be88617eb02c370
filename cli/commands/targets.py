"""``chainatlas targets``: recruitment targets (招商目标) for a region's gaps, ranked."""
from __future__ import annotations

from dataclasses import fields

import click

from cli.commands.gaps import FORMATS, echo_notes, place_options, thresholds_from
from cli.common import dumps, echo_frame, store_from_env
from graph.options import DEFAULT_WEIGHTS, Weights

_WEIGHT_NAMES = [f.name for f in fields(Weights) if f.name != "eastern_transfer"]


def weight_options(func):
    """``-w NAME=NUMBER`` (repeatable) and ``--eastern-transfer``: the target-score weights."""
    func = click.option("--eastern-transfer", is_flag=True,
                        help="东部地区企业加分（产业转移来源） Favour enterprises in eastern provinces as "
                             "transfer sources.")(func)
    return click.option("--weight", "-w", "weights", multiple=True, metavar="NAME=NUMBER",
                        help="改变评分权重（可重复） Change a score weight, e.g. -w distance=30 -w leader=0. "
                             "Names: " + ", ".join(_WEIGHT_NAMES) + ".")(func)
TARGET_VIEW = {"gap_product": "环节", "gap_label": "缺口", "rank": "名次", "name": "企业",
               "region_name": "所在地", "score": "得分", "reason": "理由"}


def parse_pairs(pairs, names, param_hint: str) -> dict[str, float]:
    """``NAME=NUMBER`` strings -> {name: number}; NAME must be one of ``names`` (``-`` reads as ``_``)."""
    changes = {}
    for p in pairs:
        key, sep, value = p.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in names:
            raise click.BadParameter(f"{p!r}: use NAME=NUMBER with NAME one of {', '.join(names)}",
                                     param_hint=param_hint)
        try:
            changes[key] = float(value)
        except ValueError:
            raise click.BadParameter(f"{p!r}: {value!r} is not a number", param_hint=param_hint) from None
    return changes


def parse_weights(pairs: tuple[str, ...], eastern: bool) -> Weights:
    changes = parse_pairs(pairs, _WEIGHT_NAMES, "--weight")
    return DEFAULT_WEIGHTS.with_(**changes, eastern_transfer=True if eastern else None)


@click.command("targets")
@place_options
@click.option("--product", "products", multiple=True,
              help="只看这些环节（编号、名称或别名，可重复） Only these links (repeatable); default: every gap.")
@click.option("--top", type=int, default=10, show_default=True, help="每个缺口的候选企业数 Targets per gap.")
@weight_options
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式 Output format.")
def command(chain, region, no_enclave, no_subclasses, min_makers, min_large, min_share, key_weight, products,
            top, weights, eastern_transfer, fmt):
    """招商目标 Rank enterprises outside the region that make its gap products.

    Example: chainatlas targets --chain 新能源汽车 --region 运城市 --product 电池包 --top 5
    """
    from graph.analysis import lookup
    from graph.analysis.gaps import diagnose
    from graph.analysis.targets import rank_targets

    w = parse_weights(weights, eastern_transfer)
    if top < 1:
        raise click.BadParameter("must be at least 1", param_hint="--top")
    th = thresholds_from(min_makers, min_large, min_share, key_weight)
    with store_from_env() as store:
        report = diagnose(store, chain, region, thresholds=th, enclave_attribution=not no_enclave,
                          count_subclasses=not no_subclasses)
        ids = None
        if products:
            within = report.links[["product_id", "name"]].merge(
                store.table("products")[["product_id", "aliases"]], on="product_id", how="left")
            ids = [lookup.resolve_product(store, p, within=within)["product_id"] for p in products]
        df = rank_targets(store, report, weights=w, top=top, products=ids)
    notes = list(df.attrs.get("notes", []))
    if ids:
        st = report.links.set_index("product_id")
        for pid in ids:
            if st.at[pid, "status"] == "no_data":
                notes.append(f"“{st.at[pid, 'name']}”全部数据中无生产企业，无从推荐。")
            elif st.at[pid, "status"] == "covered":
                notes.append(f"“{st.at[pid, 'name']}”在本地已配套，以下为补强参考。")
    if fmt == "csv":
        echo_frame(df, "csv")
        return
    if fmt == "json":
        from graph.analysis.gaps import json_safe
        click.echo(dumps(json_safe({"chain": report.chain, "region": report.region, "weights": w.as_dict(),
                                    "top": top, "targets": df, "notes": notes})))
        return
    r = report.region
    click.echo(f"招商目标 · {report.chain.get('name')} · {r.get('name')}（{r.get('id')}） · 每个缺口前 {top} 名")
    echo_frame(df[list(TARGET_VIEW)].rename(columns=TARGET_VIEW))
    echo_notes(notes)


__all__ = ["command", "parse_weights"]
