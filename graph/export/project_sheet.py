"""The 清单 export's 招商项目 sheet and the project part of its snapshot, and the diff of project
stages between two exports (#16).

Each row is a project in the export's place working on a link of an exported chain (once per
chain). The snapshot keeps ``projects`` (id, name, stage, chain) so that ``chainatlas diff`` of two
monthly exports reports every stage change, new and vanished project exactly.

>>> old = {"projects": [{"project_id": "PJ-1", "name": "甲", "stage": "洽谈中", "chain_id": "C"}]}
>>> new = {"projects": [{"project_id": "PJ-1", "name": "甲", "stage": "已签约", "chain_id": "C"}]}
>>> diff_projects(old, new)[["change_cn", "project_id", "detail"]].values.tolist()
[['阶段变化', 'PJ-1', '洽谈中 → 已签约']]
"""
from __future__ import annotations

import pandas as pd

from graph.analysis.project_gaps import COVERAGE_CN, project_links
from graph.analysis.project_views import annotate
from graph.schema import PROJECT_STAGES

HEADERS = {"chain_id": "产业链编号", "chain": "产业链", "project_id": "项目编号", "name": "项目名称",
           "enterprise": "目标企业", "links": "目标环节", "link_status": "环节现状", "stage": "阶段",
           "stop_reason": "终止原因", "unit": "责任单位", "person": "责任人", "investment": "计划投资（万元）",
           "next_step": "下一步", "next_date": "下一步日期", "overdue": "逾期", "landed_on": "落地日期",
           "coverage": "是否计入配套", "flag": "提示", "source": "来源", "as_of": "数据日期"}
SNAPSHOT_FIELDS = ["project_id", "name", "stage", "chain_id", "enterprise"]
DIFF_COLUMNS = ["change", "change_cn", "project_id", "name", "chain_id", "old_stage", "new_stage", "detail"]
CHANGE_CN = {"stage": "阶段变化", "new": "新增项目", "gone": "项目移出"}


def project_rows(store, reports) -> pd.DataFrame:
    """The 招商项目 sheet's rows (HEADERS keys) for the export's reports."""
    projects = store.projects()
    listed = annotate(store, projects) if len(projects) else None
    rows = []
    for rep in reports if listed is not None else ():  # no projects: no rows
        pairs = project_links(store, rep, listed)
        if not pairs:
            continue
        status = dict(zip(rep.links["product_id"], rep.links["status_cn"]))
        names = dict(zip(rep.links["product_id"], rep.links["name"]))
        by_project: dict[str, dict] = {}
        for link, r in pairs:
            row = by_project.setdefault(r["project_id"], {**r, "links": [], "link_status": [], "coverage": []})
            row["links"].append(names.get(link, link))
            row["link_status"].append(f"{names.get(link, link)}：{status.get(link, '')}")
            if r["coverage"]:
                row["coverage"].append(f"{names.get(link, link)}：{COVERAGE_CN[r['coverage']]}")
        for r in by_project.values():
            rows.append({**{k: r.get(k) for k in HEADERS}, "chain_id": rep.chain.get("chain_id"),
                         "chain": rep.chain.get("name"), "links": "、".join(r["links"]),
                         "link_status": "；".join(r["link_status"]), "coverage": "；".join(r["coverage"])})
    order = {s: -i for i, s in enumerate(PROJECT_STAGES)} | {"已终止": 1}  # furthest first, stopped last
    df = pd.DataFrame(rows, columns=list(HEADERS)).astype(object)
    if len(df):
        df = df.assign(_o=df["stage"].map(order)).sort_values(["chain_id", "_o", "project_id"], kind="stable")
        df = df.drop(columns="_o").reset_index(drop=True)
        df["investment"] = pd.to_numeric(df["investment"], errors="coerce")
    return df


def snapshot_projects(table: pd.DataFrame) -> list[dict]:
    """The snapshot's ``projects``: one record per (project, chain) of the sheet."""
    from graph.analysis.gaps import json_safe
    return json_safe(table[SNAPSHOT_FIELDS]) if len(table) else []


def diff_projects(old: dict, new: dict) -> pd.DataFrame:
    """Projects whose stage changed, new and vanished ones between two snapshots (DIFF_COLUMNS).
    Snapshots made before projects existed have none (everything then is new)."""
    def frame(snap):
        df = pd.DataFrame(snap.get("projects") or [], columns=SNAPSHOT_FIELDS).astype(object)
        return df.drop_duplicates("project_id").set_index("project_id")
    a, b = frame(old), frame(new)
    rows = []
    for pid in sorted(set(a.index) | set(b.index)):
        o = a.loc[pid] if pid in a.index else None
        n = b.loc[pid] if pid in b.index else None
        if o is not None and n is not None and o["stage"] == n["stage"]:
            continue
        change = "new" if o is None else "gone" if n is None else "stage"
        cur = n if n is not None else o
        os_, ns = (o["stage"] if o is not None else ""), (n["stage"] if n is not None else "")
        rows.append({"change": change, "change_cn": CHANGE_CN[change], "project_id": pid, "name": cur["name"],
                     "chain_id": cur["chain_id"], "old_stage": os_, "new_stage": ns,
                     "detail": f"{os_ or '（无）'} → {ns or '（不在清单中）'}"})
    order = {"stage": 0, "new": 1, "gone": 2}
    df = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    if len(df):
        df = df.assign(_o=df["change"].map(order)).sort_values(["_o", "project_id"], kind="stable")
        df = df.drop(columns="_o").reset_index(drop=True)
    return df
