"""Exact scoring of recruitment candidates for :mod:`graph.analysis.targets` (the shortlist's few hundred
rows): numpy arrays and lists, one frame built at the end; the reason line per kept row.

>>> _money(2_000_000), _money(3000), _points(4.50)
('200亿元', '3,000万元', '4.5')
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph.analysis import frame_utils, geo
from graph.analysis.frame_utils import member
from graph.options import Weights
from graph.schema import SCALE_RANK, region_label

_TAG_WEIGHTS = (("500强", "fortune500"), ("小巨人", "little_giant"), ("专精特新", "specialised"),
                ("规上", "above_scale"), ("高新技术", "high_tech"))

_PARTS = ["s_role_tags", "s_scale", "s_revenue", "s_share", "s_distance", "s_province", "s_transfer", "s_ties"]


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


def _memberships(ids, sets: list[set]) -> list[np.ndarray]:
    """``ids.isin(S)`` for each S, with one pass over the (many) ids for all the (small) sets."""
    vals = ids.to_numpy(object) if hasattr(ids, "to_numpy") else np.asarray(ids, dtype=object)
    out = [np.zeros(len(vals), dtype=bool) for _ in sets]
    union = set().union(*sets)
    if union:
        hit = np.flatnonzero(member(vals, union))
        got = vals[hit].tolist()
        for flag, wanted in zip(out, sets):
            if wanted:
                flag[hit] = [v in wanted for v in got]
    return out


def _map_unique(s: pd.Series, mapping: dict) -> np.ndarray:
    """``s.map(mapping)`` as an object array, looked up once per distinct value (missing -> NaN)."""
    pos, uniq = pd.factorize(s.to_numpy(object))
    vals = np.array([mapping.get(u, np.nan) for u in uniq] + [np.nan], dtype=object)
    return vals[np.where(pos < 0, len(uniq), pos)]


def _floats(s: pd.Series) -> np.ndarray:
    """``pd.to_numeric(s, errors="coerce").astype(float)`` as an array."""
    if s.dtype == np.float64:
        return s.to_numpy(dtype=float)
    return pd.to_numeric(s, errors="coerce").astype(float).to_numpy()


def _features(cands: pd.DataFrame, place: dict, tree, tie_sets: list[set], roles: pd.DataFrame,
              w: Weights) -> dict:
    """Every candidate's score parts (unrounded, in _PARTS order) and what the rows and the reason
    lines show, as arrays over the rows of ``cands``; ``unknown``: how many distinct enterprises
    have an unknown location (no region, none from the park, not in the region tree)."""
    n = len(cands)
    ids = cands["enterprise_id"].to_numpy(object)
    if n and pd.api.types.infer_dtype(ids, skipna=False) != "string":   # (stores give text ids)
        ids = np.array(_str_values(cands["enterprise_id"]), dtype=object)
    role_map = dict(zip(roles["enterprise_id"].astype(str), roles["role"])) if len(roles) else {}
    leader, core, sup_local, sup_leader, buy_local = _memberships(ids, [
        {e for e, r in role_map.items() if r == "链主"}, {e for e, r in role_map.items() if r == "链核"}, *tie_sets])
    wanted = [tag for tag, _ in _TAG_WEIGHTS] + ["上市"]
    flags = frame_utils.tag_arrays(cands["tags"], wanted)
    if flags is None:
        flags = {k: v.to_numpy(bool) for k, v in frame_utils.tag_flags(cands["tags"], wanted).items()}
    listed = frame_utils.map_objects(cands["listed"], lambda v: False if _missing_value(v) else bool(v), bool) \
        | flags["上市"]
    pts = np.where(leader, w.leader, 0.0) + np.where(core, w.core, 0.0) + np.where(listed, w.listed, 0.0)
    for tag, attr in _TAG_WEIGHTS:
        pts = pts + np.where(flags[tag], getattr(w, attr), 0.0)
    parts = {"s_role_tags": np.minimum(pts, w.tags_cap)}
    rank = np.asarray(_map_unique(cands["scale"], SCALE_RANK), dtype=float) if n else np.zeros(0)
    parts["s_scale"] = np.where(np.isnan(rank), 0.0, rank) / 4 * w.scale
    rev, share = _floats(cands["revenue"]), _floats(cands["revenue_share"])
    span = np.log10(w.revenue_full / w.revenue_floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip(np.log10(np.where(rev > 0, rev, np.nan) / w.revenue_floor) / span, 0, 1)
    parts["s_revenue"] = np.where(np.isnan(frac), 0.0, frac) * w.revenue
    parts["s_share"] = np.clip(np.where(np.isnan(share), 0.0, share), 0, 1) * w.product_share
    # location: the region, else the park's region — worked out once per distinct (region, park)
    at, first = _pairs(cands["region"].to_numpy(object), cands["park"].to_numpy(object))
    region = cands["region"].to_numpy(object)[first]
    if tree.parks and len(first):
        park = cands["park"].to_numpy(object)[first]
        region = np.where(pd.isna(region), _map_unique(pd.Series(park, dtype=object),
                                                       {k: v.get("region") for k, v in tree.parks.items()}), region)
    no_region = pd.isna(region) if len(first) else np.zeros(0, dtype=bool)
    region = np.where(no_region, None, region).astype(object)
    lon, lat, province = tree.locate_values(region)
    plon, plat = place.get("lon"), place.get("lat")
    if plon is None or plat is None or pd.isna(plon) or pd.isna(plat):
        km = np.full(len(first), np.nan)
    else:
        km = np.round(geo.haversine_km(plon, plat, lon, lat), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = w.distance * np.clip(1 - km / w.distance_full, 0, 1)
    home = place.get("province")
    known = np.array([not _missing_value(p) for p in province.tolist()], dtype=bool)
    if home:
        same = np.array([p == home for p in province.tolist()], dtype=bool) & known
        near = np.array([p in geo.NEIGHBOURS.get(home, ()) for p in province.tolist()], dtype=bool) & known
    else:
        same = near = np.zeros(len(first), dtype=bool)
    east = np.array([p in geo.EASTERN and p != home for p in province.tolist()], dtype=bool) & known
    unknown = ~known & no_region
    region, province, km, same, near, east, unknown, d = (
        v[at] for v in (region, province, km, same, near, east, unknown, d))
    parts["s_distance"] = np.where(np.isnan(d), 0.0, d)
    parts["s_province"] = np.select([same, near], [w.same_province, w.neighbour_province], 0.0)
    parts["s_transfer"] = np.where(east & w.eastern_transfer, w.eastern, 0.0)
    parts["s_ties"] = (np.where(sup_local, w.supplies_local, 0.0) + np.where(sup_leader, w.supplies_leader, 0.0)
                       + np.where(buy_local, w.buys_local, 0.0))
    return {"parts": parts, "flags": flags, "listed": listed, "rev": rev, "share": share, "region": region,
            "province": province, "km": km, "same": same, "near": near, "east": east,
            "ties": {"supplies_local": sup_local, "supplies_leader": sup_leader, "buys_local": buy_local},
            "role_map": role_map, "unknown": len({e for e in ids[unknown].tolist() if not _missing_value(e)})}


def _pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each row's distinct (a, b) pair, the first row of each pair); missing values (None, NaN) are
    one value each column.

    >>> at, first = _pairs(np.array(["x", "x", None, "x"], dtype=object), np.array([1, 1, 2, 2], dtype=object))
    >>> at.tolist(), first.tolist()
    ([0, 0, 1, 2], [0, 2, 3])
    """
    ac, _ = pd.factorize(a)
    bc, bu = pd.factorize(b)
    return frame_utils.first_rows(pd.factorize((ac.astype(np.int64) + 1) * (len(bu) + 1) + (bc + 1))[0])


def _score(cands: pd.DataFrame, gaps: pd.DataFrame, place: dict, tree, feats: dict, weights: Weights, top: int,
           keep: np.ndarray | None = None) -> pd.DataFrame:
    """Score the candidates (those in the ``keep`` mask, if given) from their :func:`_features` and
    keep the top per gap. Works on numpy arrays and lists (a few hundred rows: pandas' per-call cost
    would dominate); one frame built at the end."""
    w = weights
    notes: list[str] = []
    pos = np.flatnonzero(keep) if keep is not None else np.arange(len(cands))
    n = len(pos)
    eid = [v if isinstance(v, str) else str(v) for v in cands["enterprise_id"].to_numpy(object)[pos].tolist()]
    has_location = "location" in cands.columns
    location = cands["location"].to_numpy(object)[pos] if has_location else np.array(["区域外"] * n, dtype=object)
    role_map = feats["role_map"]
    role = np.array(["" if _missing_value(r) else r for r in (role_map.get(e, np.nan) for e in eid)], dtype=object)
    flags = {k: v[pos] for k, v in feats["flags"].items()}
    listed, rev, share, km = (feats[k][pos] for k in ("listed", "rev", "share", "km"))
    region, province, same, near, east = (feats[k][pos] for k in ("region", "province", "same", "near", "east"))
    tie = {k: v[pos] for k, v in feats["ties"].items()}
    plon, plat = place.get("lon"), place.get("lat")
    if plon is None or plat is None or pd.isna(plon) or pd.isna(plat):
        notes.append(f"“{place.get('name')}”没有经纬度（本级与上级均无），未计算距离分。")
    if feats["unknown"]:
        notes.append(f"{feats['unknown']} 家候选企业所在地区未知：不会被视为本地企业，"
                     "也不计距离与省份分。")
    pf = {p: np.round(feats["parts"][p][pos].astype(float), 2) for p in _PARTS}
    score = pf[_PARTS[0]]
    for p in _PARTS[1:]:   # the parts' sum in column order, as DataFrame.sum(axis=1)
        score = score + pf[p]
    score = np.round(score, 2)
    # the gap columns and the ranking
    link = cands["link_id"]
    links = link.to_numpy(object)[pos].tolist()
    by_gap = {k: dict(zip(gaps["product_id"].tolist(), gaps[k].tolist())) for k in ("name", "label", "grade", "priority")}
    gap_priority = np.array([by_gap["priority"].get(x, np.nan) for x in links], dtype=float)
    order = sorted(range(n), key=_rank_key(gap_priority.tolist(), links, score.tolist(), rev.tolist(), eid))
    seen: dict = {}
    kept = []
    ranks = []
    for i in order:
        g = links[i]
        if _missing_value(g):
            continue
        r = seen[g] = seen.get(g, 0) + 1
        if r <= top:
            kept.append(i)
            ranks.append(r)
    kept = np.array(kept, dtype=np.intp)
    k = cands.take(pos[kept])
    cols = {
        **{p: pf[p][kept] for p in _PARTS},
        "scale": k["scale"].tolist(), "revenue": rev[kept].tolist(), "revenue_share": share[kept].tolist(),
        "distance_km": km[kept].tolist(), "same_province": same[kept].tolist(),
        "neighbour_province": near[kept].tolist(), "role": role[kept].tolist(), "listed": listed[kept].tolist(),
        **{name: v[kept].tolist() for name, v in tie.items()},
        "location": location[kept].tolist()}
    reasons = _reasons(cols, {f: v[kept] for f, v in flags.items()}, w)
    kept_links = [links[i] for i in kept]
    names = tree.frame()["name"]
    name_of = dict(zip(names.index.tolist(), names.tolist()))
    kept_region = region[kept].tolist()
    src = k["region_source"].tolist() if "region_source" in k.columns else [None] * len(kept)
    kept_prov = province[kept]
    index = pd.RangeIndex(len(kept))
    out = pd.DataFrame({
        "gap_product_id": link.take(pos[kept]).set_axis(index),
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
        "location": k["location"].set_axis(index) if has_location
        else pd.Series(["区域外"] * len(kept), dtype="str"),
        "distance_km": km[kept], "same_province": same[kept], "neighbour_province": near[kept],
        "eastern": east[kept], **{name: v[kept] for name, v in tie.items()},
        **{p: cols[p] for p in _PARTS}, "score": score[kept],
        "reason": pd.Series(reasons, dtype=object),
        **{col: k[col].set_axis(index) for col in ("source", "as_of", "illustrative")},
    }, index=index)
    out.attrs["notes"] = notes
    return out


def _rank_key(priority: list, links: list, score: list, revenue: list, eid: list):
    """Sort key of a row position: gap priority, gap, score, revenue (each missing last), enterprise
    id — as ``sort_values(["p", "g", "s", "r", "e"], ascending=[False, True, False, False, True],
    na_position="last", kind="stable")``."""
    def down(x):
        return (True, 0.0) if x != x else (False, -x)

    def key(i):
        g = links[i]
        return (down(priority[i]), (True, "") if _missing_value(g) else (False, g), down(score[i]),
                down(revenue[i]), eid[i])
    return key


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
    shown: dict = {}   # (label, points, cap) -> the part's text, "" when the points round to 0

    def part(label: str, pts, cap: str = "") -> str:
        if not label:
            return ""
        key = (label, pts, cap)
        hit = shown.get(key)
        if hit is None:
            hit = shown[key] = f"{label}（{cap}{_points(pts)}分）" if round(pts, 2) else ""
        return hit

    lines = []
    names = ("s_role_tags", "s_scale", "s_revenue", "s_share", "s_distance", "s_province", "s_transfer", "scale",
             "revenue", "revenue_share", "distance_km", "same_province", "neighbour_province", "supplies_local",
             "supplies_leader", "buys_local")
    sup_both = w.supplies_leader + w.supplies_local
    for i, (s_tags, s_scale, s_revenue, s_share, s_distance, s_province, s_transfer, scale, revenue, share, km,
            same, near, sup_local, sup_leader, buys) in enumerate(zip(*(cols[k] for k in names))):
        tags = [(label, pts) for label, mask, pts in tag_cols if mask[i]]
        if tags and sum(p for _, p in tags) > s_tags + 0.005:     # capped
            text = [part("、".join(label for label, _ in tags), s_tags, "封顶")]
        else:
            text = [part(label, pts) for label, pts in tags]
        text.append(part(_text(scale), s_scale))
        money = _money(revenue)
        text.append(part(f"营收{money}" if money else "", s_revenue))
        if _known(share):
            text.append(part(f"产品占营收{round(share * 100)}%", s_share))
        located = _known(km)
        if located:
            text.append(part(f"距离{round(km)}km", s_distance))
        text.append(part("同省" if same else "邻省" if near else "", s_province))
        text.append(part("东部产业转移", s_transfer))
        if sup_leader:
            text.append(part("已向本地链主供货", sup_both if sup_local else w.supplies_leader + 0))
        elif sup_local:
            text.append(part("已向本地企业供货", w.supplies_local))
        if buys:
            text.append(part("已从本地采购", w.buys_local))
        text = [t for t in text if t]
        if unverified[i]:
            text.insert(0, "待核实（所在地未知，可能在本地）")
        if not located:
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
