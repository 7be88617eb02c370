"""``chainatlas projects``: the 招商项目库 (recruitment projects) — add, list, move, export, import."""
from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import click

from cli.common import dumps, echo_frame, store_from_env
from graph.schema import PROJECT_STAGES

FORMATS = click.Choice(["table", "csv", "json"])
STAGES = click.Choice(list(PROJECT_STAGES))
LIST_VIEW = {"project_id": "编号", "name": "项目", "stage": "阶段", "chain_label": "产业链", "product_label": "环节",
             "unit": "责任单位", "person": "责任人", "investment": "计划投资(万元)", "next_step": "下一步",
             "next_date": "下一步日期", "overdue": "逾期", "flag": "提示"}
FUNNEL_VIEW = {"chain": "产业链", **{s: s for s in PROJECT_STAGES}, "projects": "项目数",
               "investment_signed": "签约投资(万元)"}


def _who(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 — no login name (containers)
        return ""


@click.group("projects")
def command():
    """招商项目库 Recruitment projects: from a target to a signed, landed project.

    Example: chainatlas projects add --enterprise 苏州电池包 --product 电池包 --region 运城市 --unit 运城市商务局
    """


@command.command("add")
@click.option("--enterprise", required=True, help="目标企业（名称或编号；可不在数据中） Target enterprise.")
@click.option("--product", "products", multiple=True, help="目标环节（编号或名称，可重复） Gap link, repeatable.")
@click.option("--chain", "chains", multiple=True, help="产业链（默认：环节所属的产业链） Chain, repeatable.")
@click.option("--region", help="落地区划（代码或名称） Region where it would land.")
@click.option("--park", help="落地园区（编号或名称） Park where it would land.")
@click.option("--stage", type=STAGES, default="线索", show_default=True, help="阶段 Stage.")
@click.option("--reason", help="终止原因（阶段为 已终止 时必填） Reason, for 已终止.")
@click.option("--name", help="项目名称（默认：企业 · 环节） Project name.")
@click.option("--unit", help="责任单位 Responsible unit.")
@click.option("--person", help="责任人 Responsible person.")
@click.option("--investment", help="计划投资（万元） Planned investment (10k yuan).")
@click.option("--next-step", help="下一步 Next step.")
@click.option("--next-date", help="下一步日期 YYYY-MM-DD Next step date.")
@click.option("--notes", help="备注 Notes.")
@click.option("--source", help="出处 Source of the record.")
@click.option("--by", help="操作人（默认：当前登录名） Who records it.")
def add(enterprise, products, chains, region, park, stage, reason, name, unit, person, investment, next_step,
        next_date, notes, source, by):
    """新建招商项目 Add a project (a lead by default)."""
    from graph.analysis.projects import create_project
    fields = {"enterprise": enterprise, "products": list(products), "chains": list(chains), "region": region,
              "park": park, "stage": stage, "stop_reason": reason, "name": name, "unit": unit, "person": person,
              "investment": investment, "next_step": next_step, "next_date": next_date, "notes": notes,
              "source": source}
    with store_from_env() as store:
        ent = _enterprise_id(store, enterprise)
        if ent:
            fields.update(enterprise_id=ent["enterprise_id"], enterprise=ent["name"])
        p = create_project(store, fields, by=_who(by))
    click.echo(f"已新建 added: {p['project_id']} · {p['name']} · {p['stage']}")


def _enterprise_id(store, text: str) -> dict | None:
    from graph.analysis.projects import match_enterprise
    eid = match_enterprise(store, text)
    if not eid:
        return None
    return store.enterprises([eid]).iloc[0].to_dict()


@command.command("list")
@click.option("--chain", help="产业链（编号或名称） Chain.")
@click.option("--link", help="环节（编号或名称） Gap link.")
@click.option("--unit", help="责任单位（包含） Responsible unit (substring).")
@click.option("--stage", "stages", type=STAGES, multiple=True, help="阶段（可重复） Stage, repeatable.")
@click.option("--overdue", is_flag=True, help="只看下一步已逾期的在办项目 Only open projects past their next-step date.")
@click.option("--funnel", is_flag=True, help="按产业链的漏斗 The funnel by chain instead of the list.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式 Output format.")
def list_(chain, link, unit, stages, overdue, funnel, fmt):
    """列出招商项目 List projects, filtered (filters combine)."""
    from graph.analysis.project_views import funnel as funnel_of
    from graph.analysis.project_views import list_projects
    with store_from_env() as store:
        df = list_projects(store, chain=chain, link=link, unit=unit, stage=list(stages) or None, overdue=overdue)
        if funnel:
            df = funnel_of(store, df)
    view = FUNNEL_VIEW if funnel else LIST_VIEW
    if fmt != "table":
        from graph.analysis.gaps import json_safe
        if fmt == "json":
            click.echo(dumps(json_safe(df)))
        else:
            echo_frame(df, "csv")
        return
    shown = df[list(view)].rename(columns=view)
    if not funnel:
        shown["逾期"] = shown["逾期"].map(lambda v: "逾期" if v else "")
    click.echo(f"招商项目 {len(df)} 个" + (f"（截至 {date.today().isoformat()} 逾期）" if overdue else ""))
    echo_frame(shown)



@command.command("move")
@click.argument("project_id")
@click.argument("stage", type=STAGES)
@click.option("--reason", help="终止原因（已终止 必填） Reason, required for 已终止.")
@click.option("--note", help="说明 Note for the history.")
@click.option("--landed-on", help="落地日期 YYYY-MM-DD（默认今天） Landing date, for 已落地.")
@click.option("--next-step", help="新的下一步 New next step.")
@click.option("--next-date", help="新的下一步日期 New next step date.")
@click.option("--by", help="操作人（默认：当前登录名） Who moves it.")
def move(project_id, stage, reason, note, landed_on, next_step, next_date, by):
    """变更阶段 Move a project to a stage (forward only; 已终止 needs --reason).

    Example: chainatlas projects move PJ-0001 已接洽 --next-step 赴企业考察 --next-date 2025-04-15
    """
    from graph.analysis.projects import move_project
    with store_from_env() as store:
        before = store.projects()
        old = before.loc[before["project_id"] == project_id, "stage"]
        p = move_project(store, project_id, stage, by=_who(by), note=note, reason=reason, landed_on=landed_on,
                         next_step=next_step, next_date=next_date)
    click.echo(f"{p['project_id']} · {p['name']}：{old.iloc[0] if len(old) else ''} → {p['stage']}")


@command.command("export")
@click.option("--out", "-o", type=click.Path(dir_okay=False), default="招商项目.xlsx", show_default=True,
              help="输出工作簿 Output workbook (.xlsx).")
def export(out):
    """导出项目工作簿 Export the projects (sheets 招商项目, 阶段记录, 说明)."""
    from graph.export.project_book import workbook_bytes
    with store_from_env() as store:
        data = workbook_bytes(store)
        n = len(store.projects())
    Path(out).write_bytes(data)
    click.echo(f"已导出 exported: {n} 个项目 → {out}")


@command.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", help="操作人（默认：当前登录名） Who imports it.")
def import_(workbook, by):
    """导入项目工作簿 Import a project workbook (validated; all or nothing).

    Rows with a known 项目编号 update that project; others are added.
    """
    from graph.export.project_book import import_workbook
    with store_from_env() as store:
        c = import_workbook(store, workbook, by=_who(by))
    click.echo(f"已导入 imported: 新增 {c['added']} · 更新 {c['changed']}（其中阶段变更 {c['moved']}） · "
               f"未变 {c['unchanged']}")

