"""Candidates of a recruitment plan (graph.analysis.plan): which outside makers may be picked, and the
(enterprise, gap) pairs they serve — vectorised over the makers (hundreds of thousands at national scale).

>>> import pandas as pd
>>> codes, pairs = _pair_codes(pd.Series(["140800", None, "140800"]), pd.Series([None, "PK", None]))
>>> codes.tolist(), pairs
([0, 1, 0], [('140800', None), (None, 'PK')])
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pac
import pandas as pd

from graph.analysis import geo
from graph.analysis.location import UNKNOWN, classify


def _pair_codes(region: pd.Series, park: pd.Series) -> tuple[np.ndarray, list]:
    """(code per row, distinct (region, park) pairs with None for missing) — vectorised."""
    rc, ru = pd.factorize(region.to_numpy(object))
    pc, pu = pd.factorize(park.to_numpy(object))
    ru = [None if v == "" else v for v in ru] + [None]
    pu = [None if v == "" else v for v in pu] + [None]
    rc = np.where(rc < 0, len(ru) - 1, rc).astype(np.int64)
    pc = np.where(pc < 0, len(pu) - 1, pc).astype(np.int64)
    inverse, keys = pd.factorize(rc * len(pu) + pc)
    return inverse, [(ru[k // len(pu)], pu[k % len(pu)]) for k in np.asarray(keys).tolist()]


def _distinct_rows(region: pd.Series, park: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, first row of each code) for the distinct (region, park) values; missing
    values (None/NaN, never a member of any code set) share one code.

    >>> codes, first = _distinct_rows(pd.Series(["A", None, "A", "B"]), pd.Series([None, "P", None, None]))
    >>> codes.tolist(), first.tolist()
    ([0, 1, 0, 2], [0, 1, 3])
    """
    rc, ru = pd.factorize(region.to_numpy(object))
    pc, pu = pd.factorize(park.to_numpy(object))
    inverse, _ = pd.factorize((rc.astype(np.int64) + 1) * (len(pu) + 1) + (pc + 1))
    return inverse, np.unique(inverse, return_index=True)[1]


def _sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize(values, sort=True) for text: Arrow's dense rank (UTF-8 byte order, which is
    code point order), sorting in C++; values that are not all str take the numpy path.

    >>> codes, uniq = _sorted_codes(np.array(["b", "a", "b", "c"], dtype=object))
    >>> codes.tolist(), uniq.tolist()
    ([1, 0, 1, 2], ['a', 'b', 'c'])
    """
    try:
        arr = pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = None
    if arr is not None and arr.null_count == 0 and len(arr):
        rank = pac.rank(arr, sort_keys="ascending", tiebreaker="dense").to_numpy().astype(np.int64) - 1
        uniq = np.empty(int(rank.max()) + 1, dtype=object)
        uniq[rank] = values
        return rank, uniq
    codes, uniq = pd.factorize(values)
    uniq = np.asarray(uniq, dtype=object)
    order = np.argsort(uniq.astype(str), kind="stable")   # fixed-width text sorts faster than objects
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], uniq[order]


def eff_region(region, park, tree):
    """The region an enterprise stands in: its own, else its park's."""
    if region is not None and not (isinstance(region, float) and np.isnan(region)) and region != "":
        return str(region)
    if park is None or (isinstance(park, float) and np.isnan(park)) or park == "":
        return None
    p = (tree.park(park) or {}).get("region")
    return None if p is None or (isinstance(p, float) and np.isnan(p)) else str(p)


def candidate_filter(makers: pd.DataFrame, place: dict, tree, exclude, exclude_provinces, store, scope):
    """(mask of the makers that may be picked, counts of those left out and why). A maker whose
    location is unknown for the place (the engine's rule: :func:`graph.analysis.location.classify`)
    is never a candidate."""
    from graph.analysis import lookup
    if makers.empty:
        return np.zeros(0, dtype=bool), {"unknown_location": 0}
    inverse, first = _distinct_rows(makers["region"], makers["park"])   # classify each place once
    some = makers.iloc[first]
    unknown = (classify(tree, place, scope, some["region"], some["park"]) == UNKNOWN).to_numpy(bool)[inverse]
    eid = makers["enterprise_id"].to_numpy(object)
    counts = {"unknown_location": len(set(eid[unknown].tolist()))}
    keep = ~unknown
    if exclude:
        ids = {lookup.resolve_enterprise(store, e)["enterprise_id"] for e in exclude}
        hit = keep & np.fromiter((e in ids for e in eid), dtype=bool, count=len(eid))
        counts["excluded_enterprises"] = len(set(eid[hit].tolist()))
        keep &= ~hit
    if exclude_provinces:
        wanted = {_province_code(p, tree) for p in exclude_provinces}
        codes, uniq = _pair_codes(makers["region"], makers["park"])
        flag = np.array([tree.province(eff_region(r, p, tree)) in wanted for r, p in uniq], dtype=bool)
        hit = keep & flag[codes]
        counts["excluded_provinces"] = len(set(eid[hit].tolist()))
        keep &= ~hit
    return keep, counts


def chain_products(store, chain_ids: list[str]) -> list[str]:
    """Every product the engine may ask makers of for these chains (their products and subclasses)."""
    from graph.analysis import gap_rules
    from graph.analysis.gaps import table_or_empty
    cp = table_or_empty(store, "chain_products")
    ids = cp.loc[cp["chain"].astype(str).isin(chain_ids), "product"].astype(str).unique().tolist()
    return sorted(gap_rules.link_products(ids, table_or_empty(store, "product_subclasses")))


def made_gaps(reports, gaps: pd.DataFrame) -> dict[str, list[int]]:
    """product id (a gap link or a subclass of one) -> the gaps (rows of ``gaps``) its makers serve."""
    out: dict[str, list[int]] = {}
    by_chain: dict[int, dict] = {}
    for ci, pid, g in zip(gaps["chain_pos"].tolist(), gaps["product_id"].tolist(), gaps["gap"].tolist()):
        by_chain.setdefault(ci, {})[pid] = g
    for ci, r in enumerate(reports):
        gap_of = by_chain.get(ci)
        if not gap_of:
            continue
        link_of = r.link_of or {}
        for p, link in link_of.items():
            g = gap_of.get(link)
            if g is not None:
                out.setdefault(str(p), []).append(int(g))
        for p, g in gap_of.items():   # a gap link missing from link_of counts for itself
            if p not in link_of:
                out.setdefault(str(p), []).append(int(g))
    return out


def pairs_of(cands: pd.DataFrame, made: dict, n_gaps: int) -> pd.DataFrame:
    """One row per (enterprise, gap) it serves: enterprise_id, gap, value (1.0), sorted."""
    if cands.empty:
        return pd.DataFrame({"enterprise_id": pd.Series(dtype=object), "gap": pd.Series(dtype=np.int64),
                             "value": pd.Series(dtype=float)})
    pcodes, puniq = pd.factorize(cands["product_id"].to_numpy(object))
    lists = [made.get(p, []) for p in puniq]
    size = np.array([len(x) for x in lists], dtype=np.int64)
    flat = np.array([g for x in lists for g in x], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    rep = size[pcodes]
    rows = np.repeat(np.arange(len(pcodes)), rep)
    within = np.arange(int(rep.sum())) - np.repeat(np.cumsum(rep) - rep, rep)
    gap = flat[np.repeat(start[pcodes], rep) + within]
    ecodes, euniq = _sorted_codes(cands["enterprise_id"].to_numpy(object))
    key = np.sort(ecodes[rows].astype(np.int64) * max(n_gaps, 1) + gap)
    key = key[np.append(True, key[1:] != key[:-1])] if len(key) else key
    ent = np.asarray(euniq, dtype=object)[key // max(n_gaps, 1)]
    return pd.DataFrame({"enterprise_id": pd.Series(ent, dtype=object), "gap": key % max(n_gaps, 1),
                         "value": np.ones(len(key))})


def _province_code(text, tree) -> str:
    from graph.errors import NotFound
    t = str(text).strip()
    for code, name in geo.PROVINCES.items():
        if t in (code, name) or (len(t) >= 2 and str(name).startswith(t)):
            return code
    for code in tree.regions:
        if tree.level(code) == "province" and t in (code, tree.name(code)):
            return code
    raise NotFound("省份", t, list(geo.PROVINCES.values())[:6])
