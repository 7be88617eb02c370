"""The gap rules as pure functions over DataFrames (no store access).

The rules and their thresholds are documented in :mod:`graph.options`. Work is vectorised over
makers; the only Python loops are over the chain's products (a few hundred at most).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph import schema
from graph.analysis.chain_graph import ChainGraph
from graph.analysis.frame_utils import as_lists, has_tag, in_scope, tag_flags  # noqa: F401  (re-exported)
from graph.options import DEFAULT_THRESHOLDS, Thresholds
from graph.store import MAKER_COLUMNS, ChainView

STATUS_CN = {"covered": "已配套", "weak": "弱链", "missing": "缺链", "unverified": "待核实", "no_data": "无数据"}
LARGE_SCALES = ("大型", "中型")

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
    m["link_id"] = _map_by_unique(m["product_id"].astype(object), link_of)
    m = m[m["link_id"].notna()]
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


def maker_labels(makers: pd.DataFrame) -> pd.Series:
    """``名称(大型·规上·专精特新)`` per maker row."""
    labels = _labels(makers["scale"].tolist(), [_tag_list(v) for v in makers["tags"].tolist()],
                     makers["name"].tolist(), makers["enterprise_id"].tolist())
    if labels is not None:
        return pd.Series(labels, index=makers.index, dtype="str")
    scale = makers["scale"].astype(object).where(makers["scale"].notna(), "")
    tags = as_lists(makers["tags"]).map("·".join)
    inner = (scale.astype(str) + "·" + tags).str.strip("·")
    name = makers["name"].astype(object).where(makers["name"].notna(), makers["enterprise_id"]).astype(str)
    return name + inner.map(lambda s: f"({s})" if s else "")


def _labels(scales: list, tag_lists: list[list], names: list, ids: list) -> list[str] | None:
    """maker_labels as a list when every tag is text (else None: the frame version decides)."""
    if not all(t.__class__ is str or isinstance(t, str) for tags in tag_lists for t in tags):
        return None
    out = []
    for sc, tags, nm, eid in zip(scales, tag_lists, names, ids):
        inner = (("" if _missing(sc) else str(sc)) + "·" + "·".join(tags)).strip("·")
        out.append(str(eid if _missing(nm) else nm) + (f"({inner})" if inner else ""))
    return out


def _above(tags) -> bool:
    """has_tag(…, "规上") of one value: a list-like holding 规上, or the text 规上 itself."""
    if isinstance(tags, (list, tuple, set, frozenset, np.ndarray)):
        return any(isinstance(t, str) and t == "规上" for t in tags)
    return isinstance(tags, str) and tags == "规上"


def _tag_list(v) -> list:
    """One value of a tags column as a list (as :func:`as_lists`)."""
    if v.__class__ is list:
        return v
    if isinstance(v, (list, tuple, np.ndarray)):
        return list(v)
    return [] if v is None or (isinstance(v, float) and np.isnan(v)) else [str(v)]


def _missing(v) -> bool:
    if v.__class__ is str:
        return False
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _join(items, sep="、") -> str:
    return sep.join(str(i) for i in items)


def _first(names: str, k: int = 3) -> str:
    """The first ``k`` of a 、-joined name list, with 等 when there are more."""
    items = [x for x in str(names).split("、") if x and not x.startswith("…")]
    return "、".join(items[:k]) + ("等" if len(items) > k else "")


NAMES_CAP = 50  # names/ids listed per link; the full list is GapReport.makers (keeps Excel cells small)


def _capped(items: list[str], sep: str) -> str:
    more = len(items) - NAMES_CAP
    return sep.join(items[:NAMES_CAP]) + (f"{sep}…等 {len(items)} 家" if more > 0 else "")


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
    t = thresholds
    cg = graph or ChainGraph.from_view(view)
    out = _link_frame(view.products)
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
    certain = rules["few"] | rules["small"] | rules["low"]
    maybe = rules["few_maybe"] | rules["small_maybe"] | rules["low_maybe"]
    status = np.select([out["makers_total"].to_numpy() == 0, (n == 0) & (u > 0), n == 0, certain, maybe],
                       ["no_data", "unverified", "missing", "weak", "unverified"], "covered").tolist()
    status_cn = [STATUS_CN[x] for x in status]
    out["status"] = pd.Series(status, dtype="str")
    out["status_cn"] = pd.Series(status_cn, dtype="str")
    out["key_link"] = out["key_link"].fillna(False).astype(bool)
    out["stage_cn"] = out["stage"].map(schema.STAGE_LABELS).fillna("")

    has_local = dict(zip(pids, (n > 0).tolist()))
    ups = [cg.upstream(pid) for pid in pids]
    downs = [cg.downstream(pid) for pid in pids]
    name = cg.name
    out["upstream_ids"] = _texts([";".join(x) for x in ups])
    out["downstream_ids"] = _texts([";".join(x) for x in downs])
    out["upstream"] = _texts([_join(name(x) for x in y) for y in ups])
    out["downstream"] = _texts([_join(name(x) for x in y) for y in downs])
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
    cf = cg.centrality_frame()
    cf_rows = cf.reindex(out["product_id"].to_numpy()) if len(cf) else None
    for c in ("betweenness", "degree", "centrality"):
        out[c] = cf_rows[c].fillna(0.0).astype(float).to_numpy() if len(cf) else np.zeros(n_links)
    for c in ("p_status", "p_broken", "p_key", "p_demand", "p_leaders", "p_centrality", "priority"):
        out[c] = np.zeros(n_links)
    out["grade"] = pd.Series([""] * n_links, dtype="str")
    for c in ("segment", "source", "as_of", "illustrative"):
        if c not in out.columns:
            out[c] = pd.Series([None] * n_links, dtype=object)

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
    return pd.DataFrame({c: out[c] for c in LINK_COLUMNS}), notes


def _texts(values: list[str], empty=float) -> pd.Series:
    """A text column as the frame-based version made it: str, or ``empty`` dtype with no rows."""
    return pd.Series(values, dtype="str" if values else empty)


def _int_or_zero(v) -> int:
    return 0 if v is None or _missing(v) else int(v)


def _link_frame(products: pd.DataFrame) -> dict:
    """The chain's products as columns (product_id as str, first row per id, in stage order, stable)."""
    ids = products["product_id"].astype(str)
    seen: set = set()
    first = [i for i, pid in enumerate(ids.tolist()) if not (pid in seen or seen.add(pid))]
    order = [schema.STAGE_ORDER.get(st, 9) if not _missing(st) else 9 for st in products["stage"].tolist()]
    pos = sorted(first, key=lambda i: order[i])
    index = pd.RangeIndex(len(pos))
    out = {c: products[c].iloc[pos].set_axis(index) for c in products.columns if c != "product_id"}
    out["product_id"] = ids.iloc[pos].set_axis(index)
    return _Columns(out, index)


class _Columns(dict):
    """Columns being assembled into the links frame (arrays and lists become Series on the index)."""
    def __init__(self, cols: dict, index: pd.RangeIndex):
        super().__init__(cols)
        self.index = index

    def __setitem__(self, key, value):
        if not isinstance(value, pd.Series):
            value = pd.Series(value, index=self.index)
        super().__setitem__(key, value)

    @property
    def columns(self):
        return list(self)


def _local_by_link(local: pd.DataFrame, pids: list[str]) -> dict:
    """Per chain product (in ``pids`` order): distinct local makers, of which large, share sum
    (NaN if none known; pandas' group sum) and known, scale unknown, capped names and ids."""
    acc: dict = {}
    n_links = len(pids)
    if len(local):
        links, eids = local["link_id"].tolist(), local["enterprise_id"].tolist()
        scales = local["scale"].tolist()
        tag_lists = [_tag_list(v) for v in local["tags"].tolist()]
        above = [_above(v) for v in local["tags"].tolist()]
        large = [a or (isinstance(sc, str) and sc in LARGE_SCALES) for a, sc in zip(above, scales)]
        scale_unk = [not a and _missing(sc) for a, sc in zip(above, scales)]
        share = pd.to_numeric(local["revenue_share"], errors="coerce")
        labels = _labels(scales, tag_lists, local["name"].tolist(), eids)
        labels = maker_labels(local).tolist() if labels is None else labels
        known = share.notna().tolist()
        for link, eid, lg, su, kn, lab in zip(links, eids, large, scale_unk, known, labels):
            if link.__class__ is not str and _missing(link):  # groupby leaves out missing keys
                continue
            a = acc.get(link)
            if a is None:
                a = acc[link] = [set(), 0, 0, 0, [], []]
            if eid.__class__ is str or not _missing(eid):
                a[0].add(eid)
            a[1] += lg
            a[2] += kn
            a[3] += su
            a[4].append(lab)
            a[5].append(eid if eid.__class__ is str else str(eid))
        sums = share.groupby(np.asarray(links, dtype=object)).sum(min_count=1).to_dict() if acc else {}
    else:
        sums = {}
    empty = (set(), 0, 0, 0, None, None)
    rows = [acc.get(p, empty) for p in pids]
    return {
        "local_makers": np.array([len(r[0]) for r in rows], dtype=np.int64),
        "local_large": np.array([r[1] for r in rows], dtype=np.int64),
        "local_share_known": np.array([r[2] for r in rows], dtype=np.int64),
        "local_scale_unknown": np.array([r[3] for r in rows], dtype=np.int64),
        "local_share_sum": np.array([sums.get(p, np.nan) for p in pids], dtype=float),
        "local_maker_names": ["" if r[4] is None else _capped(sorted(r[4]), "、") for r in rows],
        "local_maker_ids": ["" if r[5] is None else _capped(sorted(r[5]), ";") for r in rows],
    } if n_links else {k: np.zeros(0, dtype=np.int64) for k in ("local_makers", "local_large",
                                                                 "local_share_known", "local_scale_unknown")} | {
        "local_share_sum": np.zeros(0), "local_maker_names": [], "local_maker_ids": []}


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


def _unknown_by_link(unknown: pd.DataFrame | None, local_ids: set) -> dict[str, tuple[int, str, str]]:
    """Per link: (count, names, ids) of the makers whose location is unknown (not local ones)."""
    if unknown is None or len(unknown) == 0:
        return {}
    names: dict = {}
    for link, eid, nm in zip(unknown["link_id"].tolist(), unknown["enterprise_id"].tolist(),
                             unknown["name"].tolist()):
        if not pd.isna(link) and eid not in local_ids:
            names.setdefault(link, {})[str(eid)] = str(eid if _missing(nm) else nm)
    return {k: (len(v), _capped([v[e] for e in sorted(v)], "、"), _capped(sorted(v), ";")) for k, v in names.items()}


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
