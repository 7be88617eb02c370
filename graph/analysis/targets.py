"""Recruitment targets (招商目标) for the gaps of a :class:`~graph.analysis.gaps.GapReport`.

:func:`rank_targets` makes three store calls whatever the number of candidates (outside makers of
the gap products, supply ties of the local enterprises, the regions/parks tables) and scores the
candidates with :func:`score_targets`, vectorised in pandas. The score parts are documented on
:class:`graph.options.Weights`.
"""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from graph.analysis import geo

from graph.analysis import gap_rules
from graph.analysis.frame_utils import StoreLRU, member
from graph.options import DEFAULT_WEIGHTS, Weights
from graph.schema import SCALE_RANK, region_label

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
_TAG_WEIGHTS = (("500强", "fortune500"), ("小巨人", "little_giant"), ("专精特新", "specialised"),
                ("规上", "above_scale"), ("高新技术", "high_tech"))


def rank_targets(store, report, weights: Weights = DEFAULT_WEIGHTS, top: int = 10,
                 products: list[str] | None = None, tree=None, include_unverified: bool = False) -> pd.DataFrame:
    """Top ``top`` enterprises outside the report's place per gap (missing/weak link), best first.

    Enterprises whose location is unknown for the place (graph.analysis.location: they may be
    local) are never targets: they are counted in a note and listed by
    :func:`graph.analysis.verify.verification_list`. ``include_unverified`` ranks them too, with
    ``location`` 待核实 and the reason starting 待核实.

    products: restrict to these link product ids (any status; a no-data link has no makers).
    Returns TARGET_COLUMNS; ``df.attrs["notes"]`` holds remarks in Chinese (e.g. how many
    candidates have an unknown location); ``df.attrs["unverified"]`` the count of those enterprises.
    """
    links = report.links
    gaps = links[links["product_id"].isin(products)] if products else report.gaps()
    if gaps.empty:
        return _empty(["本区域该产业链无缺链或弱链环节，无需招商目标。"] if not products else [])
    if tree is not None:
        return _rank(store, report, gaps, weights, top, tree, include_unverified)
    return _TARGETS.get(store, _inputs_key(report, gaps, weights, top, include_unverified),
                        lambda: _rank(store, report, gaps, weights, top, None, include_unverified), copy=_copy_frame)


#: Recent rankings per process, keyed by store, data generation and every input read from the
#: report (so a changed report never gets a stale answer); each caller gets a copy.
_TARGETS = StoreLRU(16)


def _inputs_key(report, gaps: pd.DataFrame, weights: Weights, top, include_unverified: bool) -> tuple:
    """Everything :func:`_rank` reads from the report, as a hashable key."""
    leaders = report.leaders
    return (tuple(zip(*(gaps[c].tolist() for c in ("product_id", "name", "label", "grade", "priority")))),
            tuple(sorted(report.link_of.items())) if report.link_of else None,
            report.scope, tuple(sorted(report.region.items())),
            tuple(sorted(set(report.makers["enterprise_id"].astype(str).tolist()))) if len(report.makers) else (),
            tuple(zip(leaders["enterprise_id"].tolist(), leaders["is_local"].tolist())) if len(leaders) else (),
            tuple(zip(report.roles["enterprise_id"].tolist(), report.roles["role"].tolist()))
            if len(report.roles) else (), weights, top, bool(include_unverified))


def _copy_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.attrs = copy.deepcopy(df.attrs)
    return out


def _rank(store, report, gaps: pd.DataFrame, weights: Weights, top: int, tree, include_unverified: bool
          ) -> pd.DataFrame:
    from graph.analysis import location
    from graph.analysis.scope import RegionTree
    wanted = set(gaps["product_id"])
    link_of = {p: l for p, l in report.link_of.items() if l in wanted} \
        if report.link_of else {p: p for p in gaps["product_id"]}
    tree = tree or RegionTree.from_store(store)
    cands = gap_rules.attach_links(store.makers(sorted(link_of), report.scope, side="outside"), link_of)
    where = location.classify(tree, report.region, report.scope, cands["region"], cands["park"]) \
        if len(cands) else pd.Series([], dtype=object)
    unknown = where.to_numpy(object) == location.UNKNOWN
    n_unknown = int(cands.loc[unknown, "enterprise_id"].nunique()) if unknown.any() else 0
    if n_unknown and include_unverified:   # (without the column every candidate counts as 区域外)
        cands["location"] = np.where(unknown, location.LOCATION_CN[location.UNKNOWN],
                                     location.LOCATION_CN[location.OUTSIDE])
    elif n_unknown:
        cands = cands[~unknown].reset_index(drop=True)
    local_ids = sorted(set(report.makers["enterprise_id"].astype(str)) if len(report.makers) else set())
    leaders = report.leaders
    local_leaders = set(leaders.loc[leaders["is_local"], "enterprise_id"].astype(str)) if len(leaders) else set()
    local_ids = sorted(set(local_ids) | local_leaders)
    ties = store.supplies(local_ids) if local_ids else pd.DataFrame(columns=["supplier", "customer", "product"])
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
_PARTS = ["s_role_tags", "s_scale", "s_revenue", "s_share", "s_distance", "s_province", "s_transfer", "s_ties"]


def score_targets(cands: pd.DataFrame, gaps: pd.DataFrame, place: dict, tree, ties: pd.DataFrame,
                  roles: pd.DataFrame, local_ids: set[str], local_leaders: set[str],
                  weights: Weights = DEFAULT_WEIGHTS, top: int = 10) -> pd.DataFrame:
    """Pure and vectorised: score outside makers (with ``link_id``) and keep the top per gap.

    With many candidates (a national store gives ~100k), they are first shortlisted with numpy
    (:func:`_shortlist`), and only the shortlist gets the full treatment; the result is the same."""
    if cands.empty:
        return _empty(["区域外也没有这些环节的生产企业，暂无招商目标。"])
    unknown = None
    if len(cands) > SHORTLIST_FROM and isinstance(top, (int, np.integer)) and top >= 1:
        keep, unknown = _shortlist(cands, place, tree, ties, roles, local_ids, local_leaders, weights, int(top))
        cands = cands[keep]
    return _score(cands, gaps, place, tree, ties, roles, local_ids, local_leaders, weights, top, unknown)


def _tie_sets(ties: pd.DataFrame, local_ids: set[str], local_leaders: set[str]) -> list[set]:
    """[suppliers of local enterprises, suppliers of local 链主, customers of local enterprises]
    (ids as str), from the supply ties of the local enterprises."""
    if not len(ties):
        return [set(), set(), set()]
    sup, cus = (_str_values(ties[c]) for c in ("supplier", "customer"))
    return [{s for s, c in zip(sup, cus) if c in local_ids}, {s for s, c in zip(sup, cus) if c in local_leaders},
            {c for s, c in zip(sup, cus) if s in local_ids}]


def _str_values(s: pd.Series) -> list:
    """``s.astype(str)`` as a list (missing values stay missing)."""
    return [v if isinstance(v, str) else v if _missing_value(v) else str(v) for v in s.to_numpy(object)]


def _missing_value(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _memberships(ids: pd.Series, sets: list[set]) -> list[np.ndarray]:
    """``ids.isin(S)`` for each S, with one pass over the (many) ids for all the (small) sets."""
    out = [np.zeros(len(ids), dtype=bool) for _ in sets]
    union = set().union(*sets)
    if union:
        hit = np.flatnonzero(member(ids, union))
        vals = ids.to_numpy(object)[hit].tolist()
        for flag, wanted in zip(out, sets):
            if wanted:
                flag[hit] = [v in wanted for v in vals]
    return out


def _role_tag_points(leader: np.ndarray, core: np.ndarray, listed_col: pd.Series, flags: dict,
                     w: Weights) -> np.ndarray:
    listed = listed_col.astype(object).where(listed_col.notna(), False).astype(bool).to_numpy(bool) \
        | flags["上市"].to_numpy(bool)
    pts = np.where(leader, w.leader, 0.0) + np.where(core, w.core, 0.0) + np.where(listed, w.listed, 0.0)
    for tag, attr in _TAG_WEIGHTS:
        pts = pts + np.where(flags[tag].to_numpy(bool), getattr(w, attr), 0.0)
    return np.minimum(pts, w.tags_cap)


def _map_unique(s: pd.Series, mapping: dict) -> np.ndarray:
    """``s.map(mapping)`` as an object array, looked up once per distinct value (missing -> NaN)."""
    pos, uniq = pd.factorize(s.to_numpy(object))
    vals = np.array([mapping.get(u, np.nan) for u in uniq] + [np.nan], dtype=object)
    return vals[np.where(pos < 0, len(uniq), pos)]


def _shortlist(cands: pd.DataFrame, place: dict, tree, ties: pd.DataFrame, roles: pd.DataFrame,
               local_ids: set[str], local_leaders: set[str], w: Weights, top: int) -> tuple[np.ndarray, int]:
    """(mask, unknown): the candidates that can rank in the top ``top`` of their gap — the same
    parts as :func:`_score` unrounded, kept when within ``_SLACK`` of the gap's top-th — and how many
    distinct enterprises among all candidates have an unknown location (for the note)."""
    eid = cands["enterprise_id"]
    if pd.api.types.infer_dtype(eid, skipna=False) != "string":  # ids from stores are already str
        eid = eid.astype(str)
    role_map = dict(zip(roles["enterprise_id"].astype(str), roles["role"])) if len(roles) else {}
    leader, core, sup_local, sup_leader, buy_local = _memberships(eid, [
        {e for e, r in role_map.items() if r == "链主"}, {e for e, r in role_map.items() if r == "链核"},
        *_tie_sets(ties, local_ids, local_leaders)])
    flags = gap_rules.tag_flags(cands["tags"], [tag for tag, _ in _TAG_WEIGHTS] + ["上市"])
    parts = [_role_tag_points(leader, core, cands["listed"], flags, w)]
    rank = pd.Series(_map_unique(cands["scale"], SCALE_RANK), dtype=object).astype(float).to_numpy()
    parts.append(np.where(np.isnan(rank), 0.0, rank) / 4 * w.scale)
    rev = pd.to_numeric(cands["revenue"], errors="coerce").astype(float).to_numpy()
    span = np.log10(w.revenue_full / w.revenue_floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip(np.log10(np.where(rev > 0, rev, np.nan) / w.revenue_floor) / span, 0, 1)
    parts.append(np.where(np.isnan(frac), 0.0, frac) * w.revenue)
    share = pd.to_numeric(cands["revenue_share"], errors="coerce").astype(float).to_numpy()
    parts.append(np.clip(np.where(np.isnan(share), 0.0, share), 0, 1) * w.product_share)
    # location
    eff = cands["region"].to_numpy(object)
    if tree.parks:
        eff = np.where(pd.isna(eff), _map_unique(cands["park"], {k: v.get("region") for k, v in tree.parks.items()}),
                       eff)
    no_region = pd.isna(eff)
    loc = tree.locate(pd.Series(np.where(no_region, None, eff), index=cands.index, dtype=object))
    plon, plat = place.get("lon"), place.get("lat")
    if plon is None or plat is None or pd.isna(plon) or pd.isna(plat):
        parts.append(np.zeros(len(cands)))
    else:
        km = np.round(geo.haversine_km(plon, plat, loc["lon"].to_numpy(float), loc["lat"].to_numpy(float)), 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = w.distance * np.clip(1 - km / w.distance_full, 0, 1)
        parts.append(np.where(np.isnan(d), 0.0, d))
    home = place.get("province")
    prov = loc["province"]
    pcodes, puniq = pd.factorize(prov.to_numpy(object))
    at = np.where(pcodes < 0, len(puniq), pcodes)
    if home:
        same = np.array([u == home for u in puniq] + [False], dtype=bool)[at]
        near = np.array([u in geo.NEIGHBOURS.get(home, ()) for u in puniq] + [False], dtype=bool)[at]
    else:
        same = near = np.zeros(len(cands), dtype=bool)
    parts.append(np.select([same, near], [w.same_province, w.neighbour_province], 0.0))
    east = np.array([u in geo.EASTERN and u != home for u in puniq] + [False], dtype=bool)[at]
    parts.append(np.where(east & w.eastern_transfer, w.eastern, 0.0))
    unknown_mask = (pcodes < 0) & no_region
    unknown = int(eid[unknown_mask].nunique()) if unknown_mask.any() else 0
    parts.append(np.where(sup_local, w.supplies_local, 0.0) + np.where(sup_leader, w.supplies_leader, 0.0)
                 + np.where(buy_local, w.buys_local, 0.0))
    approx = np.nansum(np.vstack(parts), axis=0)
    # per gap: the top-th best approximate score; keep everything within _SLACK of it
    g, uniq = pd.factorize(cands["link_id"])
    ng = len(uniq)
    g = np.where(g < 0, ng, g)  # unknown gap: kept
    order = np.lexsort((-approx, g))
    counts = np.bincount(g, minlength=ng + 1)
    kth = np.cumsum(counts) - counts + np.minimum(counts, top) - 1
    thr = np.where(counts > 0, approx[order][np.clip(kth, 0, max(len(order) - 1, 0))], -np.inf)
    thr[ng] = -np.inf
    keep = (approx >= thr[g] - _SLACK) | np.isnan(approx)
    return keep, unknown


def _score(cands: pd.DataFrame, gaps: pd.DataFrame, place: dict, tree, ties: pd.DataFrame,
           roles: pd.DataFrame, local_ids: set[str], local_leaders: set[str], weights: Weights, top: int,
           unknown_count: int | None) -> pd.DataFrame:
    """Score every candidate given; ``unknown_count``: the note's count when shortlisted. Works on
    numpy arrays and lists (a few hundred rows: pandas' per-call cost would dominate)."""
    w = weights
    notes: list[str] = []
    c = cands.reset_index(drop=True)
    n = len(c)
    eid = [v if isinstance(v, str) else str(v) for v in c["enterprise_id"].tolist()]
    location_col = c["location"] if "location" in c.columns else pd.Series(["区域外"] * n, dtype="str")
    # role and tags
    role_map = dict(zip(roles["enterprise_id"].astype(str), roles["role"])) if len(roles) else {}
    role = [role_map.get(e, np.nan) for e in eid]
    role = np.array(["" if _missing_value(r) else r for r in role], dtype=object)
    flags = {k: v.to_numpy(bool) for k, v in gap_rules.tag_flags(
        c["tags"], [tag for tag, _ in _TAG_WEIGHTS] + ["上市"]).items()}
    listed = np.array([False if _missing_value(v) else bool(v) for v in c["listed"].tolist()], dtype=bool) \
        | flags["上市"]
    pts = (np.where(role == "链主", w.leader, 0.0) + np.where(role == "链核", w.core, 0.0)
           + np.where(listed, w.listed, 0.0))
    for tag, attr in _TAG_WEIGHTS:
        pts = pts + np.where(flags[tag], getattr(w, attr), 0.0)
    parts = {"s_role_tags": np.minimum(pts, w.tags_cap)}
    # scale and revenue
    rank = pd.Series(_map_unique(c["scale"], SCALE_RANK), dtype=object).astype(float).to_numpy() if n else np.zeros(0)
    parts["s_scale"] = np.where(np.isnan(rank), 0.0, rank) / 4 * w.scale
    rev = pd.to_numeric(c["revenue"], errors="coerce").astype(float).to_numpy()
    span = np.log10(w.revenue_full / w.revenue_floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip(np.log10(np.where(rev > 0, rev, np.nan) / w.revenue_floor) / span, 0, 1)
    parts["s_revenue"] = np.where(np.isnan(frac), 0.0, frac) * w.revenue
    share = pd.to_numeric(c["revenue_share"], errors="coerce").astype(float).to_numpy()
    parts["s_share"] = np.clip(np.where(np.isnan(share), 0.0, share), 0, 1) * w.product_share
    # location
    region = c["region"].tolist()
    if tree.parks:
        park_region = {k: v.get("region") for k, v in tree.parks.items()}
        region = [park_region.get(pk) if _missing_value(r) else r for r, pk in zip(region, c["park"].tolist())]
    region = [None if _missing_value(r) else r for r in region]
    loc = tree.locate(pd.Series(region, dtype=object))
    province = loc["province"].to_numpy(object)
    plon, plat = place.get("lon"), place.get("lat")
    if plon is None or plat is None or pd.isna(plon) or pd.isna(plat):
        km = np.full(n, np.nan)
        notes.append(f"“{place.get('name')}”没有经纬度（本级与上级均无），未计算距离分。")
    else:
        km = np.round(geo.haversine_km(plon, plat, loc["lon"].to_numpy(float), loc["lat"].to_numpy(float)), 1)
    with np.errstate(invalid="ignore"):
        d = w.distance * np.clip(1 - km / w.distance_full, 0, 1)
    parts["s_distance"] = np.where(np.isnan(d), 0.0, d)
    home = place.get("province")
    known = np.array([not _missing_value(p) for p in province], dtype=bool)
    same = (province == home) & known if home else np.zeros(n, dtype=bool)
    near = member(province, set(geo.NEIGHBOURS.get(home, ()))) if home else np.zeros(n, dtype=bool)
    parts["s_province"] = np.select([same, near], [w.same_province, w.neighbour_province], 0.0)
    east = member(province, set(geo.EASTERN)) & (province != home)
    parts["s_transfer"] = np.where(east & w.eastern_transfer, w.eastern, 0.0)
    if unknown_count is None:
        unknown = ~known & np.array([r is None for r in region], dtype=bool)
        unknown_count = len({e for e, u in zip(eid, unknown) if u})
    if unknown_count:
        notes.append(f"{unknown_count} 家候选企业所在地区未知：不会被视为本地企业，"
                     "也不计距离与省份分。")
    # ties with local enterprises
    tie = dict(zip(("supplies_local", "supplies_leader", "buys_local"),
                   (member(eid, wanted) for wanted in _tie_sets(ties, local_ids, local_leaders))))
    parts["s_ties"] = (np.where(tie["supplies_local"], w.supplies_local, 0.0)
                       + np.where(tie["supplies_leader"], w.supplies_leader, 0.0)
                       + np.where(tie["buys_local"], w.buys_local, 0.0))
    pf = pd.DataFrame(parts).astype(float).round(2)
    score = pf.sum(axis=1).round(2).to_numpy()
    # the gap columns and the ranking
    link = c["link_id"]
    by_gap = {k: dict(zip(gaps["product_id"].tolist(), gaps[k].tolist())) for k in ("name", "label", "grade", "priority")}
    links = link.tolist()
    gap_priority = np.array([by_gap["priority"].get(x, np.nan) for x in links], dtype=float)
    order = pd.DataFrame({"p": gap_priority, "g": link, "s": score, "r": rev, "e": pd.Series(eid, dtype="str")}) \
        .sort_values(["p", "g", "s", "r", "e"], ascending=[False, True, False, False, True],
                     na_position="last", kind="stable").index.to_numpy()
    seen: dict = {}
    kept = []
    ranks = []
    for i in order.tolist():
        g = links[i]
        if _missing_value(g):
            continue
        r = seen[g] = seen.get(g, 0) + 1
        if r <= top:
            kept.append(i)
            ranks.append(r)
    kept = np.array(kept, dtype=np.intp)
    k = c.take(kept)
    cols = {
        **{p: pf[p].to_numpy()[kept] for p in _PARTS},
        "scale": k["scale"].tolist(), "revenue": rev[kept].tolist(), "revenue_share": share[kept].tolist(),
        "distance_km": km[kept].tolist(), "same_province": same[kept].tolist(),
        "neighbour_province": near[kept].tolist(), "role": role[kept].tolist(), "listed": listed[kept].tolist(),
        **{name: v[kept].tolist() for name, v in tie.items()},
        "location": location_col.to_numpy(object)[kept].tolist()}
    reasons = _reasons(cols, {f: v[kept] for f, v in flags.items()}, w)
    kept_links = [links[i] for i in kept]
    names = tree.frame()["name"]
    name_of = dict(zip(names.index.tolist(), names.tolist()))
    kept_region = [region[i] for i in kept]
    src = k["region_source"].tolist() if "region_source" in k.columns else [None] * len(kept)
    kept_prov = province[kept]
    index = pd.RangeIndex(len(kept))
    out = pd.DataFrame({
        "gap_product_id": link.take(kept).set_axis(index),
        "gap_product": _as_mapped([by_gap["name"].get(x, np.nan) for x in kept_links]),
        "gap_label": _as_mapped([by_gap["label"].get(x, np.nan) for x in kept_links]),
        "gap_grade": _as_mapped([by_gap["grade"].get(x, np.nan) for x in kept_links]),
        "gap_priority": gap_priority[kept], "rank": np.array(ranks, dtype=np.int64),
        "enterprise_id": pd.Series([eid[i] for i in kept], dtype="str"),
        "name": k["name"].set_axis(index), "made_product_id": k["product_id"].set_axis(index),
        "region": pd.Series(kept_region, dtype=object),
        "region_name": pd.Series([region_label(name_of.get(r, np.nan) if r is not None else np.nan, s)
                                  for r, s in zip(kept_region, src)], dtype="str" if len(kept) else object),
        "province": pd.Series(kept_prov, dtype=object),
        "province_name": pd.Series([geo.PROVINCES.get(p, "") if not _missing_value(p) else "" for p in kept_prov],
                                   dtype=object),
        "park": k["park"].set_axis(index), "scale": k["scale"].set_axis(index),
        "revenue": rev[kept], "revenue_share": share[kept], "listed": listed[kept],
        "tags": pd.Series([_joined(v) for v in k["tags"].tolist()], dtype=object),
        "role": pd.Series(role[kept], dtype=object),
        "location": location_col.take(kept).set_axis(index) if "location" in c.columns
        else pd.Series(["区域外"] * len(kept), dtype="str"),
        "distance_km": km[kept], "same_province": same[kept], "neighbour_province": near[kept],
        "eastern": east[kept], **{name: v[kept] for name, v in tie.items()},
        **{p: cols[p] for p in _PARTS}, "score": score[kept],
        "reason": pd.Series(reasons, dtype=object),
        **{col: k[col].set_axis(index) for col in ("source", "as_of", "illustrative")},
    }, index=index)
    out.attrs["notes"] = notes
    return out


def _as_mapped(values: list) -> pd.Series:
    """A column as ``Series.map`` would infer it."""
    return pd.Series(values) if values else pd.Series(values, dtype=object)


def _joined(tags) -> str:
    """``Series.str.join("、")`` of one value, missing (or not joinable) as ""."""
    if tags is None or isinstance(tags, float):
        return ""
    try:
        return "、".join(tags)
    except TypeError:
        return ""


def _reasons(c: dict, flags: dict, w: Weights) -> list[str]:
    """One line per row naming every part that scored, each with its points, so the points in the
    line add up to ``score`` (only for the kept rows, so plain Python per row; ``c``: column -> list)::

        上市（10分）·小巨人（12分）·大型（10分）·营收200亿元（8.6分）·产品占营收30%（4.5分）·距离1029km（4.71分）
    """
    role = c["role"]
    tag_labels = [("链主", [r == "链主" for r in role], w.leader), ("链核", [r == "链核" for r in role], w.core),
                  ("500强", flags["500强"], w.fortune500), ("上市", c["listed"], w.listed),
                  ("小巨人", flags["小巨人"], w.little_giant), ("专精特新", flags["专精特新"], w.specialised),
                  ("规上", flags["规上"], w.above_scale), ("高新技术", flags["高新技术"], w.high_tech)]
    tag_cols = [(label, np.asarray(mask, dtype=bool).tolist(), pts) for label, mask, pts in tag_labels if pts]
    unverified = [x == "待核实" for x in c["location"]]
    cols = {k: np.asarray(c[k]).tolist() if isinstance(c[k], np.ndarray) else list(c[k]) for k in ("s_role_tags", "s_scale", "s_revenue", "s_share", "s_distance",
                                    "s_province", "s_transfer", "scale", "revenue", "revenue_share",
                                    "distance_km", "same_province", "neighbour_province",
                                    "supplies_local", "supplies_leader", "buys_local")}
    lines = []
    for i in range(len(role)):
        row = {k: v[i] for k, v in cols.items()}
        parts = []
        tags = [(label, pts) for label, mask, pts in tag_cols if mask[i]]
        if tags and sum(p for _, p in tags) > row["s_role_tags"] + 0.005:     # capped
            parts.append(("、".join(label for label, _ in tags), row["s_role_tags"], "封顶"))
        else:
            parts += [(label, pts, "") for label, pts in tags]
        parts.append((_text(row["scale"]), row["s_scale"], ""))
        money = _money(row["revenue"])
        parts.append((f"营收{money}" if money else "", row["s_revenue"], ""))
        share = row["revenue_share"]
        parts.append((f"产品占营收{round(share * 100)}%" if _known(share) else "", row["s_share"], ""))
        km = row["distance_km"]
        if _known(km):
            parts.append((f"距离{round(km)}km", row["s_distance"], ""))
        label = "同省" if row["same_province"] else "邻省" if row["neighbour_province"] else ""
        parts.append((label, row["s_province"], ""))
        parts.append(("东部产业转移", row["s_transfer"], ""))
        if row["supplies_leader"]:
            parts.append(("已向本地链主供货", w.supplies_leader + (w.supplies_local if row["supplies_local"] else 0), ""))
        elif row["supplies_local"]:
            parts.append(("已向本地企业供货", w.supplies_local, ""))
        if row["buys_local"]:
            parts.append(("已从本地采购", w.buys_local, ""))
        text = [f"{label}（{cap}{_points(pts)}分）" for label, pts, cap in parts if label and round(pts, 2)]
        if unverified[i]:
            text.insert(0, "待核实（所在地未知，可能在本地）")
        if not _known(km):
            text.append("所在地未知（不计距离分）")
        lines.append("·".join(text))
    return lines


def _known(x) -> bool:
    return x is not None and not (isinstance(x, float) and np.isnan(x))


def _text(v) -> str:
    return str(v) if _known(v) and v is not pd.NA else ""


def _points(x: float) -> str:
    """Points as written in a reason: at most 2 decimals, no trailing zeros (``4.5``, ``10``)."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _money(wan) -> str:
    """An amount in 万元 as Chinese readers write it: ``200亿元``, ``5亿元``, ``3,000万元``."""
    if not _known(wan):
        return ""
    if wan >= 10_000:
        return f"{wan / 10_000:,.2f}".rstrip("0").rstrip(".") + "亿元"
    return f"{wan:,.0f}万元"
