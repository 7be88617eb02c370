"""``chainatlas diff``: what changed between two gap-list exports (opened, closed, regraded gaps)."""
from __future__ import annotations

import click

from cli.common import dumps, echo_frame

FORMATS = click.Choice(["table", "csv", "json"])
DIFF_VIEW = {"change_cn": "变化", "chain": "产业链", "link": "环节", "detail": "原 → 新",
             "old_priority": "原优先级", "new_priority": "新优先级"}

PROJECT_VIEW = {"change_cn": "变化", "project_id": "项目编号", "name": "项目", "detail": "原阶段 → 新阶段"}


def _describe(snap: dict) -> str:
    chains = snap.get("chains") or []
    what = chains[0]["name"] if len(chains) == 1 else f"{len(chains)} 条产业链"
    return f"{snap.get('generated_at')} · {(snap.get('region') or {}).get('name')} · {what}"


@click.command("diff")
@click.argument("old", type=click.Path(exists=True))
@click.argument("new", type=click.Path(exists=True))
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式 Output format.")
def command(old, new, fmt):
    """比较两份清单 Compare two exports (.xlsx, .json, CSV .zip or folder): gaps opened, closed,
    and gaps whose grade or status changed; and the 招商项目 whose stage changed.

    Example: chainatlas diff 清单-3月.xlsx 清单-6月.xlsx
    """
    from graph.analysis.gaps import json_safe
    from graph.export.project_sheet import diff_projects
    from graph.export.snapshot import diff_exports, load_snapshot

    a, b = load_snapshot(old), load_snapshot(new)
    df = diff_exports(a, b)
    pj = diff_projects(a, b)
    notes = list(df.attrs.get("notes", []))
    if fmt == "csv":
        echo_frame(df, "csv")
        return
    if fmt == "json":
        click.echo(dumps({"old": {k: a.get(k) for k in ("generated_at", "region", "chains", "options")},
                          "new": {k: b.get(k) for k in ("generated_at", "region", "chains", "options")},
                          "changes": json_safe(df), "project_changes": json_safe(pj), "notes": notes}))
        return
    click.echo(f"旧 old: {_describe(a)}")
    click.echo(f"新 new: {_describe(b)}")
    counts = df["change"].value_counts() if len(df) else {}
    regraded = sum(int(counts.get(k, 0)) for k in ("grade", "grade+status"))
    click.echo(f"新增缺口 {int(counts.get('opened', 0))} · 缺口关闭 {int(counts.get('closed', 0))} · "
               f"等级变化 {regraded} · 仅状态变化 {int(counts.get('status', 0))}")
    click.echo("")
    echo_frame(df[list(DIFF_VIEW)].rename(columns=DIFF_VIEW) if len(df) else df.iloc[0:0])
    if "projects" in a or "projects" in b:
        n = pj["change"].value_counts() if len(pj) else {}
        click.echo("")
        click.echo(f"招商项目 projects: 阶段变化 {int(n.get('stage', 0))} · 新增 {int(n.get('new', 0))} · "
                   f"移出 {int(n.get('gone', 0))}")
        echo_frame(pj[list(PROJECT_VIEW)].rename(columns=PROJECT_VIEW) if len(pj) else pj.iloc[0:0])
        if "projects" not in a:
            click.echo("注 note: 旧清单导出时还没有招商项目快照，其中的项目都列为新增。")
    for n in notes:
        click.echo(f"注 note: {n}")
