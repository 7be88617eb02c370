"""Why a gap matters (priority), 链主 local sourcing, chain summary, provenance — pure functions."""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph import schema
from graph.analysis.chain_graph import ChainGraph
from graph.analysis.frame_utils import in_scope
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, PriorityWeights, Thresholds
from graph.store import ChainView, Scope

#: Columns of GapReport.leaders (one row per 链主 of the chain).
LEADER_COLUMNS = [
    "enterprise_id", "name", "region", "park", "scale", "is_local",
    "products",          # chain products it makes (names, 、-joined)
    "inputs",            # count of its direct input products in the chain (minus what it makes)
    "inputs_with_data",  # … of which some maker exists in the data (no-data inputs left out)
    "inputs_local",      # … of which at least one local maker exists
    "local_share",       # inputs_local / inputs_with_data (NaN when 0)
    "missing_inputs",    # names of inputs with data but no local maker
    "weak_inputs",       # names of inputs whose link is weak
    "unverified_inputs", # names of inputs whose link is 待核实 (makers of unknown location)
    "input_ids",         # ;-joined product ids of its inputs
    "location",          # 本地 / 区域外 / 待核实 (location unknown for the place; set by gaps.build_report)
    "source", "as_of", "illustrative",
]
STAGE_COLUMNS = ["stage", "stage_cn", "links", "with_data", "covered", "weak", "missing", "broken",
                 "no_data", "local_rate", "unverified", "unverified_open", "local_rate_max"]
GRADES = ("紧急", "重要", "一般")


def leader_sourcing(view: ChainView, links: pd.DataFrame, leader_products: pd.DataFrame, scope: Scope,
                    graph: ChainGraph | None = None, link_of: dict | None = None) -> pd.DataFrame:
    """One row per 链主: which of its input products can be sourced locally.

    Its inputs are the direct upstream products (FEEDS) of the chain products it makes, minus the
    products it makes itself; products it makes that are subclasses of a chain product count as
    that chain product.
    """
    cg = graph or ChainGraph.from_view(view)
    lead = _leads(view.roles)
    if not lead:
        return pd.DataFrame(columns=LEADER_COLUMNS)
    made = _made_links(leader_products, link_of or {p: p for p in cg.nodes})
    pids = links["product_id"].tolist()
    status = dict(zip(pids, links["status"].tolist()))
    local = dict(zip(pids, (links["local_makers"] > 0).tolist()))
    rows = []
    for r in lead:
        mine = made.get(r["enterprise_id"], [])
        inputs = cg.inputs_of(mine)
        data = [i for i in inputs if i in status and status[i] != "no_data"]
        loc = [i for i in data if local.get(i, False)]
        rows.append({"enterprise_id": r["enterprise_id"], "name": r["name"], "region": r["region"], "park": r["park"],
                     "scale": r["scale"], "is_local": False,   # (set below, as the other columns in LEADER_COLUMNS order)
                     "products": "、".join(cg.name(p) for p in mine),
                     "inputs": len(inputs), "inputs_with_data": len(data), "inputs_local": len(loc),
                     "local_share": len(loc) / len(data) if data else np.nan,
                     "missing_inputs": "、".join(cg.name(i) for i in data if status[i] == "missing"),
                     "weak_inputs": "、".join(cg.name(i) for i in data if status[i] == "weak"),
                     "unverified_inputs": "、".join(cg.name(i) for i in data if status[i] == "unverified"),
                     "input_ids": ";".join(inputs), "location": "",
                     "source": r["source"], "as_of": r["as_of"], "illustrative": r["illustrative"]})
    out = pd.DataFrame(rows)
    is_local = in_scope(out["region"], out["park"], scope).to_numpy(bool)
    out["is_local"] = is_local
    out["location"] = np.where(is_local, "本地", "区域外")
    if out["local_share"].dtype != np.float64:
        out["local_share"] = out["local_share"].astype(float)
    return out


def leader_inputs(view: ChainView, leader_products: pd.DataFrame, graph: ChainGraph,
                  link_of: dict | None = None) -> list[list[str]]:
    """The ``input_ids`` of :func:`leader_sourcing` (each 链主's direct inputs in the chain), as lists.

    >>> from graph.store import ChainView
    >>> v = ChainView({}, pd.DataFrame({"product_id": ["a", "b"], "stage": ["upstream", "downstream"]}),
    ...               pd.DataFrame({"from_product": ["a"], "to_product": ["b"]}),
    ...               pd.DataFrame({"role": ["链主"], "enterprise_id": ["E1"]}), pd.DataFrame())
    >>> leader_inputs(v, pd.DataFrame({"enterprise_id": ["E1"], "product_id": ["b"]}), ChainGraph.from_view(v))
    [['a']]
    """
    lead = _leads(view.roles)
    made = _made_links(leader_products, link_of or {p: p for p in graph.nodes}) if lead else {}
    return [graph.inputs_of(made.get(r["enterprise_id"], [])) for r in lead]


def _leads(roles: pd.DataFrame) -> list[dict]:
    """The 链主 rows of a chain's roles, first per enterprise (LEADER_COLUMNS' role fields)."""
    n = len(roles)
    keys = ("enterprise_id", "name", "region", "park", "scale", "source", "as_of", "illustrative")
    got = {c: roles[c].tolist() if c in roles.columns else [None] * n for c in ("role",) + keys} if n else {}
    lead, seen = [], set()
    for i, role in enumerate(got.get("role", ())):
        if isinstance(role, str) and role == "链主":
            eid = got["enterprise_id"][i]
            k = ("missing",) if _missing(eid) else eid
            if k not in seen:
                seen.add(k)
                lead.append({c: got[c][i] for c in keys})
    return lead


def _made_links(leader_products: pd.DataFrame, link_of: dict) -> dict:
    """enterprise -> the chain links it makes (sorted; subclasses counted for their link)."""
    lp = leader_products if len(leader_products) else pd.DataFrame(columns=["enterprise_id", "product_id"])
    made: dict = {}
    for ent, pid in zip(lp["enterprise_id"].tolist(), lp["product_id"].tolist()):
        link = link_of.get(pid) if not _missing(pid) else None
        if link is not None and not _missing(link) and not _missing(ent):
            made.setdefault(ent, set()).add(link)
    return {e: sorted(v) for e, v in made.items()}


def score_links(links: pd.DataFrame, leaders: pd.DataFrame, local: pd.DataFrame,
                priority: PriorityWeights = DEFAULT_PRIORITY) -> pd.DataFrame:
    """Fill local_demand, leader consumers, priority parts, priority and grade (formula in
    graph.options). Only missing/weak links get a priority; others 0 and grade ""."""
    out = links.copy()
    for c, values in scored_columns(links, leaders, local, priority).items():
        out[c] = values
    return out


def scored_columns(links, leaders: pd.DataFrame, local: pd.DataFrame,
                   priority: PriorityWeights = DEFAULT_PRIORITY) -> dict:
    """The columns :func:`score_links` sets (as Series on the links' index), from ``links`` (a
    frame, or gap_rules.link_columns' columns)."""
    w = priority
    index = links["product_id"].index
    out: dict = {}
    ents: dict = {}
    if len(local):
        for link, eid in zip(local["link_id"].tolist(), local["enterprise_id"].tolist()):
            if link.__class__ is str or not pd.isna(link):  # as groupby: missing keys left out
                hit = ents.get(link)
                if hit is None:
                    hit = ents[link] = set()
                hit.add(eid)
    none: set = set()
    out["local_demand"] = pd.Series([len(set().union(*[ents.get(d, none) for d in str(ds).split(";") if d]))
                                     for ds in links["downstream_ids"].tolist()], index=index)
    consumers: dict[str, list[tuple[str, bool]]] = {}
    if len(leaders):
        for ids, name, eid, is_local in zip(leaders["input_ids"].tolist(), leaders["name"].tolist(),
                                            leaders["enterprise_id"].tolist(), leaders["is_local"].tolist()):
            for pid in str(ids).split(";"):
                if pid:
                    consumers.setdefault(pid, []).append((str(name or eid), bool(is_local)))
    pids = links["product_id"].tolist()
    out["leader_consumers"] = pd.Series([
        "、".join(n + ("（本地）" if loc else "") for n, loc in consumers.get(p, [])) for p in pids], index=index)
    out["leader_consumer_count"] = pd.Series([len(consumers.get(p, [])) for p in pids], index=index)
    out["leader_consumers_local"] = pd.Series([sum(loc for _, loc in consumers.get(p, [])) for p in pids], index=index)

    status = links["status"].tolist()
    missing = np.array([x == "missing" for x in status], dtype=bool)
    weak = np.array([x == "weak" for x in status], dtype=bool)
    key = links["key_link"].to_numpy()
    parts = priority_parts(missing, weak, links["broken"].to_numpy(), key, out["local_demand"].to_numpy(),
                           out["leader_consumer_count"].to_numpy(), links["centrality"].to_numpy(), w)
    for c, values in parts.items():
        out[c] = pd.Series(values, index=index, dtype=float)
    prio = priority_sum(parts, index)
    out["priority"] = prio
    out["grade"] = pd.Series(grades(prio.to_numpy(), missing | weak, key & missing, w), index=index)
    return out


def priority_parts(missing, weak, broken, key, demand, leaders, centrality, w: PriorityWeights) -> dict:
    """The priority parts of each link (graph.options.PriorityWeights): only missing/weak links score.
    ``demand``: local makers downstream; ``leaders``: 链主 taking the link as a direct input.

    >>> p = priority_parts(np.array([True]), np.array([False]), np.array([False]), np.array([True]),
    ...                    np.array([1]), np.array([0]), np.array([0.5]), DEFAULT_PRIORITY)
    >>> float(priority_sum(p).iloc[0])
    62.0
    """
    gap = missing | weak
    return {"p_status": np.select([missing, weak], [w.status_missing, w.status_weak], 0.0),
            "p_broken": np.where(gap & broken, w.broken, 0.0),
            "p_key": np.where(gap & key, w.key_link, 0.0),
            "p_demand": np.where(gap, np.minimum(w.demand_cap, w.demand_per_maker * demand), 0.0),
            "p_leaders": np.where(gap, np.minimum(w.leaders_cap, w.leader_per * leaders), 0.0),
            "p_centrality": np.where(gap, np.round(w.centrality * centrality, 2), 0.0)}


def priority_sum(parts: dict, index=None) -> pd.Series:
    """The priority: the parts' sum, rounded to 2 decimals."""
    return pd.DataFrame(parts, index=index).astype(float).sum(axis=1).round(2)


def grades(prio: np.ndarray, gap: np.ndarray, exempt: np.ndarray, w: PriorityWeights) -> np.ndarray:
    """紧急 / 重要 / 一般 for the gaps by priority (``exempt``: missing key links, always 紧急), "" otherwise."""
    urgent = gap & (exempt | (prio >= w.urgent_at))
    return np.select([urgent, gap & (prio >= w.important_at), gap], ["紧急", "重要", "一般"], "")


def summarise(links: pd.DataFrame, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> tuple[dict, pd.DataFrame]:
    """The chain summary dict (fields in GapReport's docstring) and the per-stage table."""
    status = links["status"].tolist()
    local = links["local_makers"].to_numpy() > 0
    summary, open_ = summary_of(status, local, links["key_link"].to_numpy(), int(links["broken"].sum()),
                                links["grade"].tolist(), thresholds)
    rows = []
    stages = links["stage"].tolist()
    cols = list(zip(stages, status, links["broken"].tolist(), local.tolist(), open_.tolist()))
    present = list(dict.fromkeys(x for x in stages if not _missing(x)))
    for stage in sorted(present, key=lambda x: schema.STAGE_ORDER.get(x, 9)):
        sub = [(st, br, lo, op) for sg, st, br, lo, op in cols if sg == stage]
        d = [st != "no_data" for st, _, _, _ in sub]
        n_local = sum(lo and dd for (_, _, lo, _), dd in zip(sub, d))
        n_open = sum(bool(op) for *_, op in sub)
        rows.append({"stage": stage, "stage_cn": schema.STAGE_LABELS.get(stage, stage), "links": len(sub),
                     "with_data": int(sum(d)),
                     **{k: sum(st == k for st, *_ in sub) for k in ("covered", "weak", "missing")},
                     "broken": int(sum(bool(br) for _, br, _, _ in sub)), "no_data": len(sub) - int(sum(d)),
                     "local_rate": _rate(n_local, sum(d)), "unverified": sum(st == "unverified" for st, *_ in sub),
                     "unverified_open": n_open, "local_rate_max": _rate(n_local + n_open, sum(d))})
    return summary, pd.DataFrame(rows, columns=STAGE_COLUMNS)


def summary_of(status: list, local: np.ndarray, key_link: np.ndarray, broken: int, grade: list,
               thresholds: Thresholds = DEFAULT_THRESHOLDS) -> tuple[dict, np.ndarray]:
    """The summary dict of :func:`summarise` (without the enterprise counts) from one chain's link
    columns, and which links are open 待核实 (no known local maker).

    >>> s, _ = summary_of(["covered", "missing"], np.array([True, False]), np.array([True, False]), 0, ["", "紧急"])
    >>> s["local_rate"], s["missing"], s["urgent"]
    (0.5, 1, 1)
    """
    s = np.array(status, dtype=object)
    data = s != "no_data"
    open_ = (s == "unverified") & ~local   # could still prove local: the top of the range
    key = key_link & data
    wts = np.where(key_link, thresholds.key_weight, 1.0) * data
    summary = {
        "unverified": int((s == "unverified").sum()), "unverified_open": int(open_.sum()),
        "local_rate_max": _rate((local | open_).sum(), data.sum()),
        "key_weighted_rate_max": _rate(float((wts * (local | open_)).sum()), float(wts.sum())),
        "links": len(status), "with_data": int(data.sum()),
        "covered": status.count("covered"), "weak": status.count("weak"),
        "missing": status.count("missing"), "broken": broken,
        "no_data": status.count("no_data"), "local": int(local.sum()),
        "local_rate": _rate(local.sum(), data.sum()),
        "key_links": int(key.sum()), "key_local": int((key & local).sum()),
        "key_weighted_rate": _rate(float((wts * local).sum()), float(wts.sum())),
        "urgent": grade.count("紧急"), "important": grade.count("重要"), "normal": grade.count("一般"),
    }
    return summary, open_


def _missing(v) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _rate(num, den) -> float:
    return round(float(num) / float(den), 4) if den else float("nan")


def coverage_text(summary: dict, key: str = "local_rate", digits: int = 0) -> str:
    """本地配套率 as known plus the range the unknowns allow: ``47%（待核实 7 个环节，上限 60%）``;
    ``—`` when there is no link with data.

    >>> coverage_text({"local_rate": 0.4667, "local_rate_max": 0.6, "unverified_open": 7})
    '47%（待核实 7 个环节，上限 60%）'
    >>> coverage_text({"local_rate": 0.5, "local_rate_max": 0.5, "unverified_open": 0})
    '50%'
    """
    rate, top = summary.get(key), summary.get(f"{key}_max")
    if rate is None or rate != rate:
        return "—"
    text = f"{rate:.{digits}%}"
    n = int(summary.get("unverified_open") or 0)
    if n and top is not None and top == top and top > rate:
        text += f"（待核实 {n} 个环节，上限 {top:.{digits}%}）"
    return text


def unknown_notes(summary: dict, place: dict) -> list[str]:
    """The note that says how many makers have an unknown location for the place (if any)."""
    k = int(summary.get("unknown_enterprises") or 0)
    if not k:
        return []
    return [f"{k} 家生产企业的所在地对“{place.get('name') or place.get('id')}”未知（无地区、地区代码不在区划表，"
            f"或只登记到更大的上级区划）：既不计为本地，也不计为区域外；相关环节记为待核实，"
            f"本地配套率为 {coverage_text(summary)}。见核实清单（chainatlas verify-list）。"]


def leader_notes(leaders: pd.DataFrame) -> list[str]:
    if leaders.empty:
        return ["本产业链未登记链主企业，无法计算链主本地配套。"]
    none = leaders[leaders["inputs"] == 0]
    if len(none):
        return [f"链主 {'、'.join(none['name'].astype(str))} 未登记本链产品或其产品无上游投入，未计算本地配套率。"]
    return []


def provenance(view: ChainView, local: pd.DataFrame) -> dict:
    """as-of range and sources of the facts behind the report (chain links and local makers)."""
    frames = [f for f in (view.products, view.flows, view.roles, local)
              if len(f) and {"source", "as_of", "illustrative"} <= set(f.columns)]
    if not frames:
        return {"as_of_min": None, "as_of_max": None, "sources": [], "facts": 0, "illustrative_facts": 0}
    as_of, sources, facts, illustrative = set(), set(), 0, 0
    for f in frames:  # distinct values first: the local makers can be many
        as_of.update(str(v) for v in dict.fromkeys(f["as_of"].tolist()) if not _missing(v))
        sources.update(str(v) for v in dict.fromkeys(f["source"].tolist()) if not _missing(v))
        facts += len(f)
        ill = f["illustrative"]
        if ill.dtype == object or ill.dtype == bool:   # truthiness of the known values
            illustrative += sum(1 for v in ill.tolist() if v is True or (v is not False and not _missing(v) and bool(v)))
        else:
            illustrative += int(ill.fillna(False).astype(bool).sum())
    return {"as_of_min": min(as_of) if as_of else None, "as_of_max": max(as_of) if as_of else None,
            "sources": sorted(sources), "facts": int(facts), "illustrative_facts": illustrative}
