"""The gap rules as pure functions over DataFrames (no store access).

The rules and their thresholds are documented in :mod:`graph.options`. The per-link figures are
gathered in one pass over the maker rows (:mod:`graph.analysis.maker_rows`); the rules then run on
numpy arrays over the chain's products (a few hundred at most).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph import schema
from graph.analysis.chain_graph import ChainGraph
from graph.analysis.frame_utils import as_lists, has_tag, in_scope, tag_flags  # noqa: F401  (re-exported)
from graph.analysis.maker_rows import (LARGE_SCALES, NAMES_CAP, _capped, _Columns, _int_or_zero,  # noqa: F401
                                       _link_frame, _local_by_link, _missing, _texts, _unknown_by_link, maker_labels)
from graph.options import DEFAULT_THRESHOLDS, Thresholds
from graph.store import MAKER_COLUMNS, ChainView

STATUS_CN = {"covered": "已配套", "weak": "弱链", "missing": "缺链", "unverified": "待核实", "no_data": "无数据"}

#: Columns of GapReport.links, in order.
LINK_COLUMNS = [
    "product_id", "name", "stage", "stage_cn", "segment", "key_link",
    "status", "status_cn", "broken", "label",
    "local_makers", "local_large", "local_share_sum", "local_share_known", "makers_total",
    "local_maker_names", "local_maker_ids", "unknown_makers", "unknown_maker_names", "unknown_maker_ids",
    "local_scale_unknown", "reason",
    "upstream_ids", "upstream", "downstream_ids", "downstream",
    "local_demand", "leader_consumers", "leader_consumer_count", "leader_consumers_local",
    "betweenness", "degree", "centrality",
    "p_status", "p_broken", "p_key", "p_demand", "p_leaders", "p_centrality", "priority", "grade",
    "source", "as_of", "illustrative",
]


# --- helpers (vectorised frame helpers live in graph.analysis.frame_utils) ------------------------------
def link_products(chain_products: list[str], subclasses: pd.DataFrame) -> dict[str, str]:
    """product id -> the chain product (link) it counts for: each chain product itself, plus the
    subclasses (小类) below it that are not chain products themselves."""
    out = {str(p): str(p) for p in chain_products}
    if subclasses is None or len(subclasses) == 0:
        return out
    kids: dict[str, list[str]] = {}
    for child, parent in zip(subclasses["product"].astype(str), subclasses["parent"].astype(str)):
        kids.setdefault(parent, []).append(child)
    for root in sorted(out):
        todo = list(kids.get(root, ()))
        while todo:
            c = todo.pop()
            if c not in out:
                out[c] = root
                todo.extend(kids.get(c, ()))
    return out


def attach_links(makers: pd.DataFrame, link_of: dict[str, str]) -> pd.DataFrame:
    """Add ``link_id``; one row per (link, enterprise) — the direct product row wins, else the
    subclass row with the largest revenue_share."""
    if len(makers) == 0:   # nothing to attach (the usual case for makers of unknown location)
        return (makers if len(makers.columns) else pd.DataFrame(columns=MAKER_COLUMNS)).assign(link_id=None)
    m = makers.copy(deep=False)
    m["link_id"] = link = _map_by_unique(m["product_id"].astype(object), link_of)
    known = link.notna().to_numpy(bool)
    if not known.all():   # (stores answer for the products asked: usually every row has its link)
        m = m[known]
    if len(m) and not _strictly_sorted(m["link_id"], m["enterprise_id"]):
        m["_direct"] = m["product_id"] == m["link_id"]
        m["_share"] = pd.to_numeric(m["revenue_share"], errors="coerce")
        m = m.sort_values(["link_id", "enterprise_id", "_direct", "_share"],
                          ascending=[True, True, False, False], na_position="last", kind="stable")
        m = m.drop_duplicates(["link_id", "enterprise_id"]).drop(columns=["_direct", "_share"])
    return m.reset_index(drop=True)


def _map_by_unique(s: pd.Series, mapping: dict) -> pd.Series:
    """``s.map(mapping)`` (same values and dtype), looked up once per distinct value."""
    if len(s) < 1000:
        return s.map(mapping)
    codes, uniq = pd.factorize(s.to_numpy(object))
    mapped = pd.Series(uniq, dtype=object).map(mapping)
    return pd.Series(mapped.array.take(codes, allow_fill=True), index=s.index, dtype=mapped.dtype)


def _strictly_sorted(link: pd.Series, ent: pd.Series) -> bool:
    """Are the rows already in (link, enterprise) order with no repeated pair? (Stores return makers
    by product then enterprise, so without subclasses attach_links need not sort.) Only for plain
    text keys, whose order is the same here and in sort_values."""
    if len(link) < 2:
        return False
    e = ent.to_numpy(object)
    if pd.api.types.infer_dtype(e, skipna=False) != "string" or \
            pd.api.types.infer_dtype(link, skipna=False) != "string":
        return False
    lc, _ = pd.factorize(link, sort=True)
    step = np.diff(lc)
    same = step == 0
    return bool((step >= 0).all() and (e[1:][same] > e[:-1][same]).all())


def link_counts(counts: pd.DataFrame, link_of: dict[str, str]) -> pd.DataFrame:
    """Columns ``product_id`` (the link), ``makers`` summed over the link and its subclasses."""
    if len(counts) and pd.api.types.is_integer_dtype(counts["makers"].dtype):  # what stores return
        total: dict = {}
        for pid, n in zip(counts["product_id"].tolist(), counts["makers"].tolist()):
            link = link_of.get(pid) if pid.__class__ is str or not _missing(pid) else None
            if link is not None and not _missing(link):
                total[link] = total.get(link, 0) + n
        if total and all(k.__class__ is str for k in total):
            keys = sorted(total)   # groupby's (sorted) key order
            return pd.DataFrame({"product_id": pd.Series(keys, dtype="str"),
                                 "makers": np.array([total[k] for k in keys], dtype=np.int64)})
    c = counts.copy() if len(counts.columns) else pd.DataFrame(columns=["product_id", "makers"])
    c["product_id"] = c["product_id"].astype(object).map(link_of)
    c["makers"] = pd.to_numeric(c["makers"], errors="coerce").fillna(0).astype(int)
    return c.dropna(subset=["product_id"]).groupby("product_id", as_index=False)["makers"].sum()


def is_large(makers: pd.DataFrame) -> pd.Series:
    """规上 or larger: tag 规上, or scale 大型/中型."""
    return has_tag(makers["tags"], "规上") | makers["scale"].isin(LARGE_SCALES)


def scale_unknown(makers: pd.DataFrame) -> pd.Series:
    """No scale and no 规上 tag: whether it is 规上/大中型 is unknown (never counted as small)."""
    return makers["scale"].isna().to_numpy(bool) & ~has_tag(makers["tags"], "规上").to_numpy(bool)


def _join(items, sep="、") -> str:
    return sep.join(str(i) for i in items)


def _first(names: str, k: int = 3) -> str:
    """The first ``k`` of a 、-joined name list, with 等 when there are more."""
    items = [x for x in str(names).split("、") if x and not x.startswith("…")]
    return "、".join(items[:k]) + ("等" if len(items) > k else "")


# --- classification --------------------------------------------------------------
def classify_links(view: ChainView, local: pd.DataFrame, counts: pd.DataFrame,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS, graph: ChainGraph | None = None,
                   unknown: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """One row per chain product with its status, local makers, neighbours and reason.

    local:  local makers with ``link_id`` (see :func:`attach_links`); counts: ``product_id``,
    ``makers`` anywhere (see :func:`link_counts`); unknown: makers whose location is unknown for
    the place (graph.analysis.location), with ``link_id``. Returns (links, notes); links has every
    column of :data:`LINK_COLUMNS` (priority columns zero until :func:`score_links`).
    """
    out, notes = link_columns(view, local, counts, thresholds, graph, unknown)
    return pd.DataFrame({c: out[c] for c in LINK_COLUMNS}), notes


def link_columns(view: ChainView, local: pd.DataFrame, counts: pd.DataFrame,
                 thresholds: Thresholds = DEFAULT_THRESHOLDS, graph: ChainGraph | None = None,
                 unknown: pd.DataFrame | None = None) -> tuple[dict, list[str]]:
    """:func:`classify_links` as (column -> Series on one RangeIndex, notes), before the frame is
    built (graph.analysis.gaps.build_report adds the priority columns, then builds it once)."""
    t = thresholds
    cg = graph or ChainGraph.from_view(view)
    base, ups, downs = cg.memo("link_columns", lambda: _chain_columns(view, cg))   # (the same for every place)
    out = _Columns(base, base["product_id"].index)
    pids = out["product_id"].tolist()
    n_links = len(pids)
    agg = _local_by_link(local, pids)
    local_ids = set(local["enterprise_id"].tolist()) if len(local) else set()
    unk = _unknown_by_link(unknown, local_ids)
    for col in ("local_makers", "local_large", "local_share_sum", "local_share_known"):
        out[col] = agg[col]
    total = dict(zip(counts["product_id"].tolist(), counts["makers"].tolist())) if len(counts) else {}
    n, u = agg["local_makers"], np.array([unk[p][0] if p in unk else 0 for p in pids], dtype=np.int64)
    mt = np.array([_int_or_zero(total.get(p)) for p in pids], dtype=np.int64)
    out["makers_total"] = np.maximum(mt, n + u)
    out["local_maker_names"] = pd.Series(agg["local_maker_names"], dtype=object)
    out["local_maker_ids"] = pd.Series(agg["local_maker_ids"], dtype=object)
    out["unknown_makers"] = u
    udt = object if unk else "str"   # (as the frame-based version: object once any link has unknowns)
    unames = [unk[p][1] if p in unk else "" for p in pids]
    out["unknown_maker_names"] = pd.Series(unames, dtype=udt)
    out["unknown_maker_ids"] = pd.Series([unk[p][2] if p in unk else "" for p in pids], dtype=udt)
    out["local_scale_unknown"] = agg["local_scale_unknown"]

    rules = weak_rules(n, u, agg["local_large"], agg["local_scale_unknown"], agg["local_share_sum"],
                       agg["local_share_known"], t)
    status = link_status(out["makers_total"].to_numpy(), n, u, rules).tolist()
    status_cn = [STATUS_CN[x] for x in status]
    out["status"] = pd.Series(status, dtype="str")
    out["status_cn"] = pd.Series(status_cn, dtype="str")

    has_local = dict(zip(pids, (n > 0).tolist()))
    name = cg.name
    broken = [st in ("missing", "weak") and any(has_local.get(x, False) for x in up)
              and any(has_local.get(x, False) for x in d) for st, up, d in zip(status, ups, downs)]
    out["broken"] = np.array(broken, dtype=bool)
    out["label"] = _texts([("断链·" + cn) if b else cn for b, cn in zip(broken, status_cn)], empty=object)

    keys = ["local_makers", "status", "makers_total", "local_large", "local_share_sum", "local_share_known",
            "broken", "key_link", "unknown_makers", "unknown_maker_names", "local_scale_unknown"]
    cols = {"status": status, "broken": broken, "unknown_maker_names": unames}
    records = [dict(zip(keys, vals)) for vals in zip(*(cols[k] if k in cols else out[k].tolist() for k in keys))]
    flags = [dict(zip(rules, vals)) for vals in zip(*(v.tolist() for v in rules.values()))]
    out["reason"] = _texts([
        _reason(r, t, f, [name(x) for x in up if has_local.get(x)], [name(x) for x in d if has_local.get(x)])
        for r, f, up, d in zip(records, flags, ups, downs)])
    zeros = np.zeros(n_links, dtype=np.int64)
    out["local_demand"] = zeros
    out["leader_consumers"] = pd.Series([""] * n_links, dtype="str")
    out["leader_consumer_count"] = zeros
    out["leader_consumers_local"] = zeros
    for c in ("p_status", "p_broken", "p_key", "p_demand", "p_leaders", "p_centrality", "priority"):
        out[c] = np.zeros(n_links)
    out["grade"] = pd.Series([""] * n_links, dtype="str")

    notes = []
    names = out["name"].tolist()
    nd = [nm for nm, st in zip(names, status) if st == "no_data"]
    if len(nd):
        notes.append(f"{len(nd)} 个环节在全部数据中没有任何生产企业（无数据），属数据未知，未计为缺链："
                     + _join(nd))
    unknown_share = int(((n > 0) & (agg["local_share_known"] == 0)).sum())
    if unknown_share and t.min_revenue_share > 0:
        notes.append(f"{unknown_share} 个环节的本地企业均无产品营收占比数据，未按营收占比判断弱链。")
    unverified = [nm for nm, st in zip(names, status) if st == "unverified"]
    if unverified:
        notes.append(f"{len(unverified)} 个环节待核实：判断取决于所在地未知的生产企业，未计为缺链或弱链："
                     + _join(unverified))
    scale_skipped = int((rules["scale_skipped"]).sum())
    if scale_skipped:
        notes.append(f"{scale_skipped} 个环节有规模未知的本地企业，未按规模判断弱链。")
    return out, notes


def _chain_columns(view: ChainView, cg: ChainGraph) -> tuple[dict, list, list]:
    """The links columns that depend on the chain alone (products in stage order, stage_cn, key_link,
    neighbours, centrality), with each product's upstream and downstream ids."""
    out = _link_frame(view.products)
    pids = out["product_id"].tolist()
    n_links = len(pids)
    out["key_link"] = out["key_link"].fillna(False).astype(bool)
    out["stage_cn"] = out["stage"].map(schema.STAGE_LABELS).fillna("")
    ups = [cg.upstream(pid) for pid in pids]
    downs = [cg.downstream(pid) for pid in pids]
    name = cg.name
    out["upstream_ids"] = _texts([";".join(x) for x in ups])
    out["downstream_ids"] = _texts([";".join(x) for x in downs])
    out["upstream"] = _texts([_join(name(x) for x in y) for y in ups])
    out["downstream"] = _texts([_join(name(x) for x in y) for y in downs])
    cf = cg.centrality_frame()
    cf_rows = cf.reindex(out["product_id"].to_numpy()) if len(cf) else None
    for c in ("betweenness", "degree", "centrality"):
        out[c] = cf_rows[c].fillna(0.0).astype(float).to_numpy() if len(cf) else np.zeros(n_links)
    for c in ("segment", "source", "as_of", "illustrative"):
        if c not in out.columns:
            out[c] = pd.Series([None] * n_links, dtype=object)
    return dict(out), ups, downs


def link_status(makers_total, n, u, rules: dict) -> np.ndarray:
    """Each link's status from its makers anywhere, local makers ``n``, makers of unknown location
    ``u`` and :func:`weak_rules`: no_data, unverified (待核实), missing, weak or covered.

    >>> r = weak_rules(np.array([0, 0, 1, 3]), np.array([0, 2, 0, 0]), np.array([0, 0, 0, 2]),
    ...                np.zeros(4, int), np.full(4, np.nan), np.zeros(4, int), Thresholds(min_revenue_share=0))
    >>> link_status(np.array([0, 5, 4, 9]), np.array([0, 0, 1, 3]), np.array([0, 2, 0, 0]), r).tolist()
    ['no_data', 'unverified', 'weak', 'covered']
    """
    certain = rules["few"] | rules["small"] | rules["low"]
    maybe = rules["few_maybe"] | rules["small_maybe"] | rules["low_maybe"]
    return np.select([np.asarray(makers_total) == 0, (n == 0) & (u > 0), n == 0, certain, maybe],
                     ["no_data", "unverified", "missing", "weak", "unverified"], "covered")


def weak_rules(n, u, large, scale_unk, share_sum, share_known, t: Thresholds) -> dict[str, np.ndarray]:
    """The weak-link rules judged on what is known (n local makers, u makers of unknown location).

    ``few``/``small``/``low`` fire for certain (even if every unknown maker were local);
    ``*_maybe`` would fire on the known local makers alone but the unknowns could lift them (the link
    is then 待核实); the scale rule needs every local maker's scale and the share rule every local
    maker's share (``scale_skipped``/``share_skipped``: the rule would fire on the known ones but is
    not applied)."""
    has = n > 0
    few_known = has & (n < t.min_makers)
    few = has & (n + u < t.min_makers)
    small_known = has & (large < t.min_large)
    scale_ok = scale_unk == 0
    small = small_known & scale_ok & (large + u < t.min_large)
    share_on = t.min_revenue_share > 0
    share_sum = np.nan_to_num(np.asarray(share_sum, dtype=float), nan=0.0)
    low_known = has & share_on & (share_known > 0) & (share_sum < t.min_revenue_share)
    share_ok = share_known >= n
    low = low_known & share_ok & (u == 0)
    return {"few": few, "few_maybe": few_known & ~few,
            "small": small, "small_maybe": small_known & scale_ok & ~small,
            "low": low, "low_maybe": low_known & share_ok & ~low,
            "scale_skipped": small_known & ~scale_ok,
            "share_skipped": has & share_on & ~share_ok & (share_sum < t.min_revenue_share)}


def _reason(r: dict, t: Thresholds, f: dict, up: list[str], down: list[str]) -> str:
    n, u, status = r["local_makers"], r["unknown_makers"], r["status"]
    unknown = f"{u} 家生产企业所在地待核实（{_first(r['unknown_maker_names'])}）" if u else ""
    if status == "no_data":
        return "全部数据中无该产品的生产企业：数据未知，不作为缺链"
    if status == "missing":
        text = f"本地无生产企业（数据中共 {r['makers_total']} 家，均在区域外）"
    elif status == "unverified" and n == 0:
        text = (f"本地暂无已知生产企业；{unknown}，核实前不判为缺链"
                f"（数据中共 {r['makers_total']} 家，{r['makers_total'] - u} 家在区域外）")
    else:
        parts = []
        if f["few"]:
            parts.append(f"本地仅 {n} 家生产企业（阈值 {t.min_makers}）")
        elif f["few_maybe"]:
            parts.append(f"本地已知 {n} 家生产企业（阈值 {t.min_makers}），未满阈值但另有{unknown}")
        if f["small"]:
            parts.append(f"规上或大中型企业 {r['local_large']} 家（阈值 {t.min_large}）")
        elif f["small_maybe"]:
            parts.append(f"已知规上或大中型企业 {r['local_large']} 家（阈值 {t.min_large}），"
                         "所在地待核实的企业可能补足")
        if f["scale_skipped"]:
            parts.append(f"规模未知 {r['local_scale_unknown']} 家，未按规模判断弱链")
        if f["low"]:
            parts.append(f"本地企业该产品营收占比合计 {r['local_share_sum']:.2f}，低于 {t.min_revenue_share:.2f}")
        elif f["low_maybe"]:
            parts.append(f"已知本地营收占比合计 {r['local_share_sum']:.2f}，低于 {t.min_revenue_share:.2f}，"
                         "所在地待核实的企业可能补足")
        if status == "covered":
            parts.append(f"本地 {n} 家生产企业，其中规上或大中型 {r['local_large']} 家")
            if r["local_share_known"]:
                parts.append(f"营收占比合计 {r['local_share_sum']:.2f}")
        if t.min_revenue_share > 0 and r["local_share_known"] == 0:
            parts.append("营收占比未知，未按占比判断")
        elif f["share_skipped"]:
            parts.append(f"营收占比未知 {n - r['local_share_known']} 家，未按占比判断")
        if u and not f["few_maybe"]:
            parts.append(f"另有{unknown}")
        text = "；".join(parts)
    if r["broken"]:
        text += f"；断链：上游（{_join(up)}）与下游（{_join(down)}）本地均有企业，本环节使本地链条中断"
    if r["key_link"] and status in ("missing", "weak"):
        text += "；关键环节"
    return text
