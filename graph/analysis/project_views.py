"""招商项目库 views (#16): the filtered project list and the funnel by chain.

>>> funnel_counts(pd.DataFrame({"chain": ["C1", "C1"], "reached": [4, 1], "stage": ["已签约", "已终止"]}))
{'线索': 2, '已接洽': 2, '已考察': 1, '洽谈中': 1, '已签约': 1, '已落地': 0, '已终止': 1}
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from graph.analysis.projects import OPEN_STAGES, STAGE_RANK, check_stage
from graph.schema import PROJECT_STAGES
from graph.store import PROJECT_COLUMNS

LIST_COLUMNS = PROJECT_COLUMNS + ["overdue", "flag", "product_label", "chain_label"]
FUNNEL_COLUMNS = ["chain_id", "chain", *PROJECT_STAGES, "projects", "investment_signed"]
NO_CHAIN = "（未指定产业链）"


def _names(store, table: str, key: str) -> dict[str, str]:
    df = store.node_names(table)
    return dict(zip(df["id"].astype(str), df["name"].astype(str)))


def annotate(store, projects: pd.DataFrame | None = None, today: date | None = None) -> pd.DataFrame:
    """Every project (LIST_COLUMNS): ``overdue`` (an open project whose next-step date has
    passed), ``flag`` (what a later load removed: links, chains, the enterprise — flagged, never
    dropped), ``product_label`` / ``chain_label`` (names, 、-joined)."""
    df = store.projects() if projects is None else projects
    today_text = (today or date.today()).isoformat()
    products, chains = _names(store, "products", "product_id"), _names(store, "chains", "chain_id")
    ent_ids = sorted({str(e) for e in df["enterprise_id"].dropna()})
    known_ents = set(store.enterprises(ent_ids)["enterprise_id"].astype(str)) if ent_ids else set()
    flags, plabels, clabels = [], [], []
    for r in df.to_dict("records"):
        f = []
        gone = [f"{n}（{p}）" for p, n in zip(r["products"], r["product_names"] or r["products"])
                if p not in products]
        if gone:
            f.append("环节已不在数据中：" + "、".join(gone))
        gone_c = [c for c in r["chains"] if c not in chains]
        if gone_c:
            f.append("产业链已不在数据中：" + "、".join(gone_c))
        if r["enterprise_id"] and str(r["enterprise_id"]) not in known_ents:
            f.append(f"企业已不在数据中：{r['enterprise_id']}")
        flags.append("；".join(f))
        names = list(r["product_names"]) + [None] * (len(r["products"]) - len(r["product_names"]))
        plabels.append("、".join(products.get(p) or n or p for p, n in zip(r["products"], names)))
        clabels.append("、".join(chains.get(c, c) for c in r["chains"]))
    out = df.copy()
    out["overdue"] = [bool(s in OPEN_STAGES and isinstance(d, str) and d and d < today_text)
                      for s, d in zip(df["stage"], df["next_date"])]
    out["flag"], out["product_label"], out["chain_label"] = flags, plabels, clabels
    return out[LIST_COLUMNS].reset_index(drop=True)


def list_projects(store, chain: str | None = None, link: str | None = None, unit: str | None = None,
                  stage=None, overdue: bool = False, today: date | None = None) -> pd.DataFrame:
    """Projects (LIST_COLUMNS) filtered by chain (id or name), link (product id or name), unit
    (substring), stage (one or several) and overdue next steps; all filters combine."""
    df = annotate(store, today=today)
    if chain:
        ids = _resolve_ids(store, "chain", chain)
        df = df[df["chains"].map(lambda cs: bool(set(cs) & ids))]
    if link:
        ids = _resolve_ids(store, "product", link)
        df = df[[bool(set(ps) & ids) or link in ns for ps, ns in zip(df["products"], df["product_names"])]]
    if unit:
        df = df[df["unit"].fillna("").astype(str).str.contains(str(unit).strip(), regex=False)]
    if stage:
        wanted = {check_stage(s) for s in ([stage] if isinstance(stage, str) else stage)}
        df = df[df["stage"].isin(wanted)]
    if overdue:
        df = df[df["overdue"]]
    return df.reset_index(drop=True)


def _resolve_ids(store, kind: str, text: str) -> set[str]:
    """The id the text names in the data, plus the text itself (a project may point at an id a
    later load removed)."""
    from graph.analysis import lookup
    from graph.errors import NotFound
    try:
        row = lookup.resolve(store, kind, text)
        return {str(row["chain_id" if kind == "chain" else "product_id"]), str(text)}
    except NotFound:
        return {str(text)}


def reached(history: pd.DataFrame) -> dict[str, int]:
    """project id -> the furthest stage rank it reached (已终止 not counted)."""
    h = history[history["to_stage"].isin(PROJECT_STAGES[:6])]
    return h.groupby("project_id")["to_stage"].agg(lambda s: max(STAGE_RANK[x] for x in s)).to_dict()


def funnel_counts(rows: pd.DataFrame) -> dict[str, int]:
    """Counts per stage of rows with ``reached`` (rank) and ``stage``: a project counts at every
    stage up to the furthest it reached; 已终止 counts the stopped ones."""
    out = {s: int((rows["reached"] >= i).sum()) for i, s in enumerate(PROJECT_STAGES[:6])}
    out["已终止"] = int((rows["stage"] == "已终止").sum())
    return out


def funnel(store, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """The funnel by chain (FUNNEL_COLUMNS): per stage, how many projects reached it; a project
    filling links of two chains counts in both. ``investment_signed``: planned investment (万元)
    of the signed and landed projects."""
    df = store.projects() if projects is None else projects
    if df.empty:
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    far = reached(store.project_history(df["project_id"].tolist()))
    df = df.assign(reached=[far.get(p, STAGE_RANK.get(s, 0) if s != "已终止" else 0)
                            for p, s in zip(df["project_id"], df["stage"])],
                   chain=[list(c) or [NO_CHAIN] for c in df["chains"]]).explode("chain")
    names = _names(store, "chains", "chain_id")
    rows = []
    for cid, g in df.groupby("chain", sort=True):
        signed = g[g["stage"].isin(["已签约", "已落地"])]["investment"]
        rows.append({"chain_id": cid if cid != NO_CHAIN else None, "chain": names.get(cid, cid),
                     **funnel_counts(g), "projects": len(g), "investment_signed": float(signed.fillna(0).sum())})
    return pd.DataFrame(rows, columns=FUNNEL_COLUMNS)
