"""``chainatlas gaps``: 缺链/弱链/断链 diagnosis of a chain in a region or park.

Also home of the options shared with ``chainatlas targets`` (threshold flags, output helpers).
"""
from __future__ import annotations


import click
import pandas as pd

from cli.common import dumps, echo_frame, store_from_env
from graph.options import DEFAULT_THRESHOLDS

FORMATS = click.Choice(["table", "csv", "json"])
_T = DEFAULT_THRESHOLDS


def place_options(f):
    """--chain, --region, --no-enclave and the threshold flags."""
    opts = [
        click.option("--chain", required=True, help="产业链编号或名称 Chain id or name, e.g. 新能源汽车."),
        click.option("--region", required=True,
                     help="地区（代码或名称）或园区（编号或名称） Region code/name or park id/name, e.g. 运城市."),
        click.option("--no-enclave", is_flag=True,
                     help="飞地园区按实际所在地计 Count 飞地 parks where they stand (default: where they are counted for)."),
        click.option("--no-subclasses", is_flag=True,
                     help="小类产品的生产企业不计入上级环节 Do not count makers of subclasses (小类) for their link."),
        click.option("--min-makers", type=int, default=None,
                     help=f"弱链：本地企业少于此数 Weak below this many local makers [default {_T.min_makers}]."),
        click.option("--min-large", type=int, default=None,
                     help=f"弱链：规上或大中型企业少于此数 Weak below this many 规上/大中型 makers [default {_T.min_large}]."),
        click.option("--min-share", type=float, default=None,
                     help="弱链：本地营收占比合计低于此值 Weak below this sum of revenue shares "
                          f"[default {_T.min_revenue_share}]; 0 turns the rule off."),
        click.option("--key-weight", type=float, default=None,
                     help=f"关键环节在加权配套率中的权重 Weight of key links [default {_T.key_weight}]."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def region_options(f):
    """The options of :func:`place_options` (same names, help and defaults) without --chain, for
    commands that take several chains or all of them."""
    probe = place_options(lambda **kw: None)
    params = getattr(f, "__click_params__", [])
    params.extend(p for p in probe.__click_params__ if p.name != "chain")
    f.__click_params__ = params
    return f


def thresholds_from(min_makers, min_large, min_share, key_weight):
    return DEFAULT_THRESHOLDS.with_(min_makers=min_makers, min_large=min_large,
                                    min_revenue_share=min_share, key_weight=key_weight)


def records(df: pd.DataFrame) -> list[dict]:
    """JSON-safe records (NaN -> None, numpy scalars -> Python)."""
    from graph.analysis.gaps import json_safe
    return json_safe(df)


def pct(x) -> str:
    return "—" if x is None or pd.isna(x) else f"{x:.1%}"


def echo_notes(notes: list[str]) -> None:
    for n in notes:
        click.echo(f"注 note: {n}")


GAP_VIEW = {"grade": "等级", "priority": "优先级", "name": "环节", "stage_cn": "阶段", "key_link": "关键",
            "label": "状态", "local_makers": "本地企业", "local_demand": "下游本地需求",
            "leader_consumer_count": "链主需求", "reason": "原因"}
LEADER_VIEW = {"name": "链主", "is_local": "本地", "inputs_with_data": "投入品", "inputs_local": "本地可配",
               "local_share": "本地配套率", "missing_inputs": "本地缺"}


@click.command("gaps")
@place_options
@click.option("--top", type=int, default=10, show_default=True, help="显示优先级最高的 N 个缺口 Show the N most urgent gaps.")
@click.option("--all", "show_all", is_flag=True, help="显示全部环节 Show every link (not only gaps).")
@click.option("--compare", is_flag=True, help="同时比较下级区划 Also compare the region's cities/counties.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式 Output format.")
def command(chain, region, no_enclave, no_subclasses, min_makers, min_large, min_share, key_weight, top,
            show_all, compare, fmt):
    """缺链诊断 Diagnose a chain in a region: missing (缺链), weak (弱链), broken (断链) links.

    Example: chainatlas gaps --chain 新能源汽车 --region 运城市
    """
    from graph.analysis.gaps import diagnose
    th = thresholds_from(min_makers, min_large, min_share, key_weight)
    with store_from_env() as store:
        report = diagnose(store, chain, region, thresholds=th, enclave_attribution=not no_enclave,
                          count_subclasses=not no_subclasses)
        from graph.analysis.project_gaps import gap_projects
        projects = gap_projects(store, report)
        comparison = None
        if compare and report.region.get("kind") != "region":
            report.notes.append("园区没有下级区划，未做分区比较（--compare 需用省、市或县区）。")
        elif compare:
            from graph.analysis.compare import compare_regions
            comparison = compare_regions(store, report.chain["chain_id"], report.region["code"],
                                         thresholds=th, enclave_attribution=not no_enclave,
                                         count_subclasses=not no_subclasses)
    links = report.links if show_all else report.gaps().head(top)
    if fmt == "csv":
        echo_frame(links, "csv")
        return
    if fmt == "json":
        out = {**report.to_dict(), "links": records(links)}
        if comparison is not None:
            out["comparison"] = {"coverage": records(comparison.coverage), "matrix": records(comparison.matrix),
                                 "notes": comparison.notes}
        click.echo(dumps(out))
        return
    s, r = report.summary, report.region
    click.echo(f"产业链 {report.chain.get('name')}（{report.chain.get('chain_id')}） · "
               f"{r.get('name')}（{r.get('id')}，{r.get('level')}） · "
               f"飞地归属 {'开' if report.enclave_attribution else '关'}")
    click.echo(f"本地配套率 {pct(s['local_rate'])}（{s['local']}/{s['with_data']} 个有数据环节） · "
               f"关键环节加权 {pct(s['key_weighted_rate'])} · 已配套 {s['covered']} · 弱链 {s['weak']} · "
               f"缺链 {s['missing']} · 断链 {s['broken']} · 无数据 {s['no_data']}")
    click.echo(f"紧急 {s['urgent']} · 重要 {s['important']} · 一般 {s['normal']}")
    click.echo("")
    cols = GAP_VIEW if not show_all else {"status_cn": "判定", **GAP_VIEW}
    view = links[list(cols)].assign(key_link=links["key_link"].map({True: "是", False: ""}))
    echo_frame(view.rename(columns=cols))
    echo_projects(report, projects)
    if len(report.leaders):
        click.echo("\n链主本地配套 leader sourcing")
        lv = report.leaders[list(LEADER_VIEW)].assign(local_share=report.leaders["local_share"].map(pct),
                                                      is_local=report.leaders["is_local"].map({True: "是", False: "否"}))
        echo_frame(lv.rename(columns=LEADER_VIEW))
    if comparison is not None:
        click.echo(f"\n下级区划比较 comparison ({comparison.level})")
        cv = comparison.coverage[["name", "local_rate", "key_weighted_rate", "covered", "weak", "missing",
                                  "broken", "local_enterprises"]]
        echo_frame(cv.assign(local_rate=cv["local_rate"].map(pct),
                             key_weighted_rate=cv["key_weighted_rate"].map(pct)))
        echo_frame(comparison.matrix.drop(columns=["code"]))
        echo_notes(comparison.notes)
    click.echo("")
    echo_notes(report.notes)
    d = report.data
    if d.get("facts"):
        click.echo(f"数据 data: {d['as_of_min']} – {d['as_of_max']}；出处 {('、'.join(d['sources'][:5]))}"
                   + ("…" if len(d["sources"]) > 5 else "")
                   + (f"；示意数据 {d['illustrative_facts']}/{d['facts']}" if d.get("illustrative_facts") else ""))


def echo_projects(report, projects) -> None:
    """The 招商项目 per gap (e.g. 缺链 · 在谈 2 · 已签约 1) and what landed projects mean for coverage."""
    shown = projects[projects["project_label"] != ""].merge(report.links[["product_id", "name"]], on="product_id")
    if shown.empty:
        return
    click.echo("\n招商项目 projects")
    for name, label, ids in zip(shown["name"], shown["project_label"], shown["project_ids"]):
        click.echo(f"  {name}：{label}（{ids}）")
    for note in projects["coverage_note"]:
        if note:
            click.echo(f"  注：{note}。已落地项目仅在企业生产关系已载入且为本地企业时计为配套。")
