"""``chainatlas stats``: node and relationship counts plus where the data comes from."""
from __future__ import annotations

import click
import pandas as pd

from cli.common import dumps, echo_frame, store_from_env
from graph import schema


def gather(store) -> dict:
    """Counts per node label and relationship type, and the provenance summary."""
    counts = store.counts()
    sources = store.sources()
    return {
        "backend": store.backend,
        "location": store.location,
        "nodes": {label: int(counts.get(label, 0)) for label in schema.NODE_LABELS},
        "relationships": {rel: int(counts.get(rel, 0)) for rel in schema.REL_TYPES},
        "sources": sources,
    }


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="输出格式 Output format.")
def command(fmt):
    """统计 Counts per node label and relationship type, and the data sources (出处)."""
    with store_from_env() as store:
        info = gather(store)
    sources: pd.DataFrame = info.pop("sources")
    if fmt == "json":
        info["sources"] = sources.astype(object).where(sources.notna(), None).to_dict(orient="records")
        click.echo(dumps(info))
        return
    click.echo(f"存储 store: {info['backend']} {info['location']}")
    click.echo("节点 nodes")
    echo_frame(pd.DataFrame(list(info["nodes"].items()), columns=["label", "count"]))
    click.echo("关系 relationships")
    echo_frame(pd.DataFrame(list(info["relationships"].items()), columns=["type", "count"]))
    click.echo("出处 sources")
    echo_frame(sources)
    if len(sources) and "illustrative_rows" in sources:
        share = sources["illustrative_rows"].sum() / max(1, sources["rows"].sum())
        click.echo(f"示意数据占比 illustrative share: {share:.0%}")
