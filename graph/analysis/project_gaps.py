"""招商项目 per gap (#16): which projects work on each link of a GapReport, and the coverage rule.

A project counts for a link of the report when it names that link (or a subclass counted for it)
and lands inside the report's place (its park or region in the report's scope). A project with no
place is not counted anywhere: we do not know where it would land.

Coverage rule: a landed project (已落地) never closes a gap by itself. The link counts as covered
from the landing date only when the enterprise's make relation (MAKES) is loaded and the engine
sees it as a local maker of the link; otherwise the page says the relation is not loaded (or the
enterprise is not local in the data) and the link keeps the status the data gives it.

>>> project_label("缺链", {"线索": 0, "在谈": 2, "已签约": 1, "已落地": 0})
'缺链 · 在谈 2 · 已签约 1'
"""
from __future__ import annotations

import pandas as pd

from graph.analysis.projects import TALKING

GAP_PROJECT_COLUMNS = ["product_id", "leads", "talking", "signed", "landed", "stopped", "project_ids",
                       "project_label", "coverage", "covered_since", "coverage_note"]
COVERAGE_CN = {"counted": "已计入本地配套", "not_loaded": "生产关系未载入，不计", "not_local": "企业不在本地，不计"}


def project_label(status_cn: str, counts: dict) -> str:
    parts = [f"{k} {v}" for k, v in counts.items() if v]
    return " · ".join([status_cn, *parts]) if parts else ""


def in_place(projects: pd.DataFrame, scope) -> pd.Series:
    park = projects["park"].fillna("").astype(str)
    region = projects["region"].fillna("").astype(str)
    return park.isin(scope.include_parks) | (region.isin(scope.region_codes) & ~park.isin(scope.exclude_parks))


def project_links(store, report, projects: pd.DataFrame | None = None) -> list[tuple[str, dict]]:
    """(link id, project row) for every project in the report's place naming a link of its chain
    (subclass products count for their link); landed projects carry ``coverage`` (counted /
    not_loaded / not_local, see the module doc), the others ``""``."""
    df = store.projects() if projects is None else projects
    link_of = report.link_of or {p: p for p in report.links["product_id"]}
    here = df[in_place(df, report.scope)] if len(df) else df
    pairs = [(link_of[p], dict(r)) for r in here.to_dict("records") for p in r["products"] if p in link_of]
    pairs = list({(link, r["project_id"]): (link, r) for link, r in pairs}.values())
    landed = sorted({str(r["enterprise_id"]) for _, r in pairs if r["stage"] == "已落地" and r["enterprise_id"]})
    makes = store.enterprise_products(landed) if landed else pd.DataFrame(columns=["enterprise_id", "product_id"])
    made = {(str(e), link_of.get(str(p))) for e, p in zip(makes["enterprise_id"], makes["product_id"])}
    local = report.makers
    local_pairs = {(str(e), str(l)) for e, l in zip(local["enterprise_id"], local["link_id"])} if len(local) else set()
    for link, r in pairs:
        ent = str(r["enterprise_id"] or "")
        r["coverage"] = "" if r["stage"] != "已落地" else "counted" if (ent, link) in local_pairs else \
            "not_local" if (ent, link) in made else "not_loaded"
    return pairs


def gap_projects(store, report, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per link of ``report`` (GAP_PROJECT_COLUMNS): counts of projects at 线索 / 在谈
    (已接洽·已考察·洽谈中) / 已签约 / 已落地 / 已终止, their ids, the label shown with the gap
    (“缺链 · 在谈 2 · 已签约 1”), and for landed projects the coverage verdict
    (counted / not_loaded / not_local), ``covered_since`` (landing date, when counted) and a note."""
    by_link: dict[str, list[dict]] = {}
    for link, r in project_links(store, report, projects):
        by_link.setdefault(link, []).append(r)
    rows = []
    for pid, status_cn in zip(report.links["product_id"], report.links["status_cn"]):
        mine = by_link.get(pid, [])
        stages = [r["stage"] for r in mine]
        counts = {"线索": stages.count("线索"), "在谈": sum(s in TALKING for s in stages),
                  "已签约": stages.count("已签约"), "已落地": stages.count("已落地")}
        landed = [r for r in mine if r["coverage"]]
        verdicts = [r["coverage"] for r in landed]
        since = [r["landed_on"] for r in landed if r["coverage"] == "counted" and r["landed_on"]]
        notes = [f"{r['enterprise']}（{r['project_id']}，{r['landed_on'] or '日期未知'}落地）：{COVERAGE_CN[r['coverage']]}"
                 for r in landed]
        rows.append({"product_id": pid, "leads": counts["线索"], "talking": counts["在谈"],
                     "signed": counts["已签约"], "landed": counts["已落地"],
                     "stopped": stages.count("已终止"),
                     "project_ids": "、".join(r["project_id"] for r in mine),
                     "project_label": project_label(status_cn, counts),
                     "coverage": "counted" if "counted" in verdicts else (verdicts[0] if verdicts else ""),
                     "covered_since": min(since) if since else None, "coverage_note": "；".join(notes)})
    return pd.DataFrame(rows, columns=GAP_PROJECT_COLUMNS)
