"""Recruitment targets (招商目标) for the gaps of a :class:`~graph.analysis.gaps.GapReport`.

:func:`rank_targets` makes three store calls whatever the number of candidates (outside makers of
the gap products, supply ties of the local enterprises, the regions/parks tables) and scores the
candidates with :func:`score_targets` (a numpy shortlist, then the exact scores of
:mod:`graph.analysis.target_score`). The score parts are documented on :class:`graph.options.Weights`.
A repeat call with the same inputs on unchanged data gets a copy of the earlier ranking.
"""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd


from graph.analysis import gap_rules
from graph.analysis.frame_utils import StoreLRU
from graph.analysis.target_score import _features, _pairs, _score, _str_values, _tie_sets
from graph.options import DEFAULT_WEIGHTS, Weights

#: Columns of the targets DataFrame, in order.
TARGET_COLUMNS = [
    "gap_product_id", "gap_product", "gap_label", "gap_grade", "gap_priority",  # the gap (link)
    "rank",                     # 1 = best, per gap
    "enterprise_id", "name", "made_product_id",  # the candidate; the product (or subclass) it makes
    "region", "region_name", "province", "province_name", "park",
    "scale", "revenue", "revenue_share", "listed", "tags", "role",  # tags 、-joined; role 链主/链核/""
    "location",                 # 区域外, or 待核实 (location unknown for the place: only with include_unverified)
    "distance_km",              # between region centroids; NaN when the location is unknown
    "same_province", "neighbour_province", "eastern",  # bools (eastern: in 东部地区)
    "supplies_local", "supplies_leader", "buys_local",  # existing ties with local enterprises
    "s_role_tags", "s_scale", "s_revenue", "s_share", "s_distance", "s_province", "s_transfer", "s_ties",
    "score",                    # sum of the s_* parts
    "reason",                   # one line, Chinese: every scored part with its points, adding up to score
    "source", "as_of", "illustrative",  # of the MAKES fact
]
def rank_targets(store, report, weights: Weights = DEFAULT_WEIGHTS, top: int = 10,
                 products: list[str] | None = None, tree=None, include_unverified: bool = False,
                 gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Top ``top`` enterprises outside the report's place per gap (missing/weak link), best first.

    Enterprises whose location is unknown for the place (graph.analysis.location: they may be
    local) are never targets: they are counted in a note and listed by
    :func:`graph.analysis.verify.verification_list`. ``include_unverified`` ranks them too, with
    ``location`` 待核实 and the reason starting 待核实.

    products: restrict to these link product ids (any status; a no-data link has no makers).
    Returns TARGET_COLUMNS; ``df.attrs["notes"]`` holds remarks in Chinese (e.g. how many
    candidates have an unknown location); ``df.attrs["unverified"]`` the count of those enterprises.
    gaps: ``report.gaps()`` if the caller has it already (read only; ignored with ``products``).
    """
    links = report.links
    if products:
        gaps = links[links["product_id"].isin(products)]
    elif gaps is None:
        gaps = report.gaps()
    if gaps.empty:
        return _empty(["本区域该产业链无缺链或弱链环节，无需招商目标。"] if not products else [])
    maker_ids = _maker_ids(report)
    if tree is not None:
        return _rank(store, report, gaps, weights, top, tree, include_unverified, maker_ids)
    return _TARGETS.get(store, _inputs_key(report, gaps, weights, top, include_unverified, maker_ids),
                        lambda: _rank(store, report, gaps, weights, top, None, include_unverified, maker_ids),
                        copy=_copy_frame)


#: Recent rankings per process, keyed by store, data generation and every input read from the
#: report (so a changed report never gets a stale answer); each caller gets a copy.
_TARGETS = StoreLRU(16)


def _inputs_key(report, gaps: pd.DataFrame, weights: Weights, top, include_unverified: bool,
                maker_ids: list[str]) -> tuple:
    """Everything :func:`_rank` reads from the report, as a hashable key."""
    leaders = report.leaders
    return (tuple(zip(*(gaps[c].tolist() for c in ("product_id", "name", "label", "grade", "priority")))),
            tuple(sorted(report.link_of.items())) if report.link_of else None,
            report.scope, tuple(sorted(report.region.items())),
            tuple(maker_ids),
            tuple(zip(leaders["enterprise_id"].tolist(), leaders["is_local"].tolist())) if len(leaders) else (),
            tuple(zip(report.roles["enterprise_id"].tolist(), report.roles["role"].tolist()))
            if len(report.roles) else (), weights, top, bool(include_unverified))


def _maker_ids(report) -> list[str]:
    """The report's local makers' enterprise ids as text, distinct and sorted (``astype(str)`` per
    value: a pyarrow string column's per-value iteration costs more than the rest)."""
    return sorted(set(_str_values(report.makers["enterprise_id"]))) if len(report.makers) else []


def _copy_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.attrs = copy.deepcopy(df.attrs)
    return out


def _rank(store, report, gaps: pd.DataFrame, weights: Weights, top: int, tree, include_unverified: bool,
          maker_ids: list[str]) -> pd.DataFrame:
    from graph.analysis import location
    from graph.analysis.scope import RegionTree
    wanted = set(gaps["product_id"])
    link_of = {p: l for p, l in report.link_of.items() if l in wanted} \
        if report.link_of else {p: p for p in gaps["product_id"]}
    tree = tree or RegionTree.from_store(store)
    cands = gap_rules.attach_links(store.makers(sorted(link_of), report.scope, side="outside"), link_of)
    unknown = _unknown_location(tree, report, cands)
    n_unknown = int(cands.loc[unknown, "enterprise_id"].nunique()) if unknown.any() else 0
    if n_unknown and include_unverified:   # (without the column every candidate counts as 区域外)
        cands["location"] = np.where(unknown, location.LOCATION_CN[location.UNKNOWN],
                                     location.LOCATION_CN[location.OUTSIDE])
    elif n_unknown:
        cands = cands[~unknown].reset_index(drop=True)
    leaders = report.leaders
    local_leaders = set(leaders.loc[leaders["is_local"], "enterprise_id"].astype(str)) if len(leaders) else set()
    local_ids = sorted(set(maker_ids) | local_leaders)
    pairs = getattr(store, "supply_pairs", store.supplies)  # only supplier/customer are scored
    ties = pairs(local_ids) if local_ids else pd.DataFrame(columns=["supplier", "customer", "product"])
    out = score_targets(cands, gaps, report.region, tree, ties, report.roles, set(local_ids), local_leaders,
                        weights, top)
    if n_unknown:
        place = report.region.get("name") or report.region.get("id")
        out.attrs["notes"] = [n for n in out.attrs.get("notes", []) if "所在地区未知" not in n] + [
            f"{n_unknown} 家生产企业所在地对“{place}”待核实（可能就在本地），" + (
                "已按选项列入并标注“待核实”，招引前请先核实。" if include_unverified else
                "未列为招商目标；见待核实企业/核实清单（chainatlas verify-list），或用 --include-unverified 列入。")]
    out.attrs["unverified"] = n_unknown
    return out


def _unknown_location(tree, report, cands: pd.DataFrame) -> np.ndarray:
    """Bool per candidate: is its location unknown for the report's place? (location.classify, once
    per distinct (region, park))"""
    from graph.analysis import location
    if not len(cands):
        return np.zeros(0, dtype=bool)
    region, park = cands["region"].to_numpy(object), cands["park"].to_numpy(object)
    at, first = _pairs(region, park)
    where = location.classify(tree, report.region, report.scope, pd.Series(region[first], dtype=object),
                              pd.Series(park[first], dtype=object))
    return (where.to_numpy(object) == location.UNKNOWN)[at]


def _empty(notes: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(columns=TARGET_COLUMNS)
    df.attrs["notes"] = notes
    return df


#: Above this many candidates, :func:`score_targets` first shortlists them (see :func:`_shortlist`).
SHORTLIST_FROM = 2000
#: How far below a gap's top-th approximate score a candidate may be and still be shortlisted. The
#: exact score rounds each of the 8 parts and the sum to 0.01, so it is within 0.045 of the
#: approximate (unrounded) one; any margin above twice that keeps every candidate that can rank.
_SLACK = 0.2


def score_targets(cands: pd.DataFrame, gaps: pd.DataFrame, place: dict, tree, ties: pd.DataFrame,
                  roles: pd.DataFrame, local_ids: set[str], local_leaders: set[str],
                  weights: Weights = DEFAULT_WEIGHTS, top: int = 10) -> pd.DataFrame:
    """Pure and vectorised: score outside makers (with ``link_id``) and keep the top per gap.

    Every candidate's score parts are worked out on arrays; with many candidates (a national store
    gives ~100k) only those that can rank are shortlisted (:func:`_shortlist`) for the exact scores
    and the reason lines; the result is the same."""
    if cands.empty:
        return _empty(["区域外也没有这些环节的生产企业，暂无招商目标。"])
    feats = _features(cands, place, tree, _tie_sets(ties, local_ids, local_leaders), roles, weights)
    keep = None
    if len(cands) > SHORTLIST_FROM and isinstance(top, (int, np.integer)) and top >= 1:
        keep = _shortlist(feats["parts"], cands["link_id"], int(top))
    return _score(cands, gaps, place, tree, feats, weights, top, keep)


def _shortlist(parts: dict, link_id: pd.Series, top: int) -> np.ndarray:
    """The candidates that can rank in the top ``top`` of their gap: those whose unrounded score
    (the sum of ``parts``) is within ``_SLACK`` of the gap's top-th (and those of no known gap)."""
    approx = np.nansum(np.vstack(list(parts.values())), axis=0)
    g, uniq = pd.factorize(link_id)
    ng = len(uniq)
    g = np.where(g < 0, ng, g)  # unknown gap: kept
    order = np.lexsort((-approx, g))
    counts = np.bincount(g, minlength=ng + 1)
    kth = np.cumsum(counts) - counts + np.minimum(counts, top) - 1
    thr = np.where(counts > 0, approx[order][np.clip(kth, 0, max(len(order) - 1, 0))], -np.inf)
    thr[ng] = -np.inf
    return (approx >= thr[g] - _SLACK) | np.isnan(approx)
