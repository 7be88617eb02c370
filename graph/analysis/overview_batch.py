"""The 总览's counts of many chains in one place at once, column-wise over every chain's links.

:func:`fixed_inputs` gathers what depends on the chains alone (links, stages, key links, makers
anywhere, FEEDS edges, 链主 inputs, centrality bounds) — kept per store until its data changes;
:func:`batch_links` then answers a place with two ``makers`` calls for every chain's products at
once (inside the scope, of unknown location) and the rules of
:func:`graph.analysis.overview_counts.summarise_chain` on numpy arrays spanning every chain
(the same aggregations in the same order: the same numbers). Inputs it cannot treat that way
(a maker without an id) make it answer ``None``: the caller then takes the per-chain path.

>>> _ranges(np.array([0, 5]), np.array([2, 3])).tolist()
[0, 1, 5, 6, 7]
>>> _grade_needs_centrality(np.array([70.0]), np.array([80.0]), 60.0)
False
>>> _grade_needs_centrality(np.array([55.0]), np.array([65.0]), 60.0)
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graph.analysis import gap_rules, gap_summary
from graph.analysis.chain_graph import ChainGraph
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, PriorityWeights, Thresholds


@dataclass
class FixedInputs:
    """Every chain's links end to end: chain i's are ``start[i]:start[i+1]`` of the link arrays.

    products: every product asked of the store (links and the subclasses counted for them);
    m_prod / m_link: (position in ``products``, link) — which links a product's makers count for;
    edges: (upstream link, downstream link) of each FEEDS edge; leaders_n: 链主 taking the link
    as a direct input; cent_low/cent_high: bounds of its centrality; graphs: each chain's ChainGraph."""

    ids: list
    start: np.ndarray
    pid: np.ndarray
    stage: np.ndarray
    key: np.ndarray
    total: np.ndarray
    chain: np.ndarray
    products: list
    m_prod: np.ndarray
    m_link: np.ndarray
    e_src: np.ndarray
    e_dst: np.ndarray
    leaders_n: np.ndarray
    cent_low: np.ndarray
    cent_high: np.ndarray
    graphs: list
    centrality: dict = field(default_factory=dict)

    def cent(self, i: int) -> np.ndarray:
        """Chain i's centrality per link (computed on first need, kept)."""
        hit = self.centrality.get(i)
        if hit is None:
            pids = self.pid[self.start[i]:self.start[i + 1]]
            cf = self.graphs[i].centrality_frame()
            hit = self.centrality[i] = cf["centrality"].reindex(pids).fillna(0.0).astype(float).to_numpy() \
                if len(cf) else np.zeros(len(pids))
        return hit


def fixed_inputs(store, chain_ids: list[str], count_subclasses: bool = True) -> FixedInputs:
    """The chains' :class:`FixedInputs`, kept per store until its data changes (shared: read-only)."""
    from graph.analysis.frame_utils import memo
    ids = [str(c) for c in chain_ids]
    return memo(store, ("overview_fixed", tuple(ids), bool(count_subclasses)),
                lambda: _fixed(store, ids, count_subclasses))


def _fixed(store, ids: list[str], count_subclasses: bool) -> FixedInputs:
    from graph.analysis.frame_utils import memo
    from graph.analysis.gaps import chain_links
    views = [store.chain_view(c) for c in ids]
    maps = [chain_links(store, v, count_subclasses) for v in views]
    every = sorted({p for _, full in maps for p in full})
    counted = store.maker_counts(every) if every else pd.DataFrame({"product_id": [], "makers": []})
    made_by = dict(zip(counted["product_id"].tolist(), counted["makers"].tolist())) \
        if pd.api.types.is_integer_dtype(counted["makers"].dtype) else None   # (else link_counts' way)
    leaders = sorted({str(e) for v in views if len(v.roles) for r, e in
                      zip(v.roles["role"].tolist(), v.roles["enterprise_id"].tolist()) if r is not None and r == "链主"})
    made = store.enterprise_products(leaders) if leaders else pd.DataFrame(columns=["enterprise_id", "product_id"])
    cols: dict[str, list] = {k: [] for k in ("pid", "stage", "key", "total", "low", "high", "lead", "src", "dst")}
    graphs, start, prods, links = [], [0], {}, []
    for cid, view, (link_of, full) in zip(ids, views, maps):
        cg = memo(store, ("chain_graph", cid), lambda: ChainGraph.from_view(view))
        p = view.products
        first = ~p["product_id"].astype(str).duplicated().to_numpy(bool)
        pids = p["product_id"].astype(str).to_numpy(object)[first]
        pos = {x: start[-1] + i for i, x in enumerate(pids.tolist())}
        total = _link_totals(made_by, full) if made_by is not None else \
            _link_totals(None, full, gap_rules.link_counts(store.maker_counts(sorted(full)), full))
        cols["pid"].append(pids)
        cols["stage"].append(p["stage"].to_numpy(object)[first])
        cols["key"].append(p["key_link"].fillna(False).astype(bool).to_numpy(bool)[first])
        cols["total"].append(np.array([int(total.get(x, 0)) for x in pids], dtype=int))
        low, high = _centrality_bounds(cg, pids)
        cols["low"].append(low)
        cols["high"].append(high)
        cols["src"].append(np.array([pos[a] for a, _ in cg.edges], dtype=np.int64))
        cols["dst"].append(np.array([pos[b] for _, b in cg.edges], dtype=np.int64))
        consumers: dict[str, int] = {}      # product -> 链主 taking it as a direct input
        for inputs in gap_summary.leader_inputs(view, made, cg, link_of):
            for x in inputs:
                consumers[x] = consumers.get(x, 0) + 1
        cols["lead"].append(np.array([consumers.get(x, 0) for x in pids], dtype=float))
        for prod, link in link_of.items():
            links.append((prods.setdefault(prod, len(prods)), pos[link]))
        graphs.append(cg)
        start.append(start[-1] + len(pids))
    cat = {k: np.concatenate(v) if v else np.empty(0) for k, v in cols.items()}
    m = np.array(sorted(links), dtype=np.int64).reshape(-1, 2)
    return FixedInputs(ids=ids, start=np.array(start), pid=cat["pid"].astype(object), stage=cat["stage"].astype(object),
                       key=cat["key"].astype(bool), total=cat["total"].astype(int),
                       chain=np.repeat(np.arange(len(ids)), np.diff(start)), products=list(prods),
                       m_prod=m[:, 0], m_link=m[:, 1], e_src=cat["src"].astype(np.int64),
                       e_dst=cat["dst"].astype(np.int64), leaders_n=cat["lead"].astype(float),
                       cent_low=cat["low"].astype(float), cent_high=cat["high"].astype(float), graphs=graphs)


def _link_totals(made_by: dict | None, link_of: dict, counts: pd.DataFrame | None = None) -> dict:
    """link -> makers of it and its subclasses (gap_rules.link_counts' sums), from the makers per
    product (``made_by``, integers) or from link_counts' frame.

    >>> _link_totals({"a": 2, "a1": 3, "b": 1}, {"a": "a", "a1": "a"})
    {'a': 5}
    """
    if made_by is None:
        return dict(zip(counts["product_id"].tolist(), counts["makers"].tolist())) if len(counts) else {}
    total: dict = {}
    for pid, link in link_of.items():
        n = made_by.get(pid)
        if n is not None:
            total[link] = total.get(link, 0) + n
    return total


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The concatenated ``range(s, s + n)`` of each start and length."""
    lens = np.asarray(lens, dtype=np.int64)
    if not lens.sum():
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(lens)
    return np.repeat(np.asarray(starts, dtype=np.int64) - (ends - lens), lens) + np.arange(ends[-1])


def _expand(fx: FixedInputs, products: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(row, link) for each maker row and each link its product counts for."""
    codes, uniq = pd.factorize(products.to_numpy(object))
    pos = {p: i for i, p in enumerate(fx.products)}
    prow = np.array([pos.get(p, -1) for p in uniq.tolist()] + [-1], dtype=np.int64)[codes]
    bounds = np.searchsorted(fx.m_prod, np.arange(len(fx.products) + 1))
    ok = np.flatnonzero(prow >= 0)
    lens = bounds[prow[ok] + 1] - bounds[prow[ok]]
    return np.repeat(ok, lens), fx.m_link[_ranges(bounds[prow[ok]], lens)]


def _one_per_pair(row: np.ndarray, link: np.ndarray, local: pd.DataFrame, ents: np.ndarray,
                  pid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (row, link) pairs in (link, enterprise id) order, one per (link, enterprise): the direct
    product's row, else the one with the largest share (gap_rules.attach_links' choice and order).
    Stores hand makers out by product then enterprise, so usually a stable sort by link is all."""
    order = np.argsort(link, kind="stable")
    row, link = row[order], link[order]
    same = link[1:] == link[:-1]
    try:
        e = ents[row]
        if bool((e[1:][same] > e[:-1][same]).all()):
            return row, link
    except TypeError:    # (ids that do not compare: the general way)
        pass
    rank, _ = pd.factorize(ents, sort=True)
    share = pd.to_numeric(local["revenue_share"], errors="coerce").to_numpy(float)[row]
    direct = local["product_id"].to_numpy(object)[row] == pid[link]
    order = np.lexsort((np.where(np.isnan(share), np.inf, -share), ~direct, rank[row], link))
    row, link = row[order], link[order]
    keep = np.ones(len(row), dtype=bool)
    keep[1:] = (link[1:] != link[:-1]) | (rank[row][1:] != rank[row][:-1])
    return row[keep], link[keep]


def batch_links(fx: FixedInputs, local: pd.DataFrame, unknown: pd.DataFrame,
                thresholds: Thresholds = DEFAULT_THRESHOLDS, priority: PriorityWeights = DEFAULT_PRIORITY):
    """(links columns over every chain: n, status, broken, grade …; per chain local and unknown
    enterprise counts) from the makers of every chain's products in a place; ``None`` if some
    maker has no id or product (the per-chain path then answers)."""
    ids = [f["enterprise_id"].to_numpy(object) for f in (local, unknown)]
    if any(pd.isna(f["product_id"]).any() for f in (local, unknown)) or any(pd.isna(e).any() for e in ids):
        return None
    ent, _ = pd.factorize(np.concatenate(ids))
    le, ue = ent[:len(local)], ent[len(local):]
    n_ent, G = int(ent.max(initial=0)) + 1, len(fx.pid)
    row, link = _expand(fx, local["product_id"])
    row, link = _one_per_pair(row, link, local, ids[0], fx.pid)
    share = pd.to_numeric(local["revenue_share"], errors="coerce").to_numpy(float)[row]
    e = le[row]
    tagged = gap_rules.has_tag(local["tags"], "规上").to_numpy(bool)
    scale = local["scale"]
    large = (tagged | scale.isin(gap_rules.LARGE_SCALES).to_numpy(bool))[row]
    scale_unk = (scale.isna().to_numpy(bool) & ~tagged)[row]
    n = np.bincount(link, minlength=G)

    def count(flags: np.ndarray) -> np.ndarray:
        return np.bincount(link, weights=flags, minlength=G).astype(int)
    sums = pd.Series(share).groupby(link).sum(min_count=1).reindex(range(G)).to_numpy(float)
    local_pairs = np.unique(fx.chain[link] * n_ent + e)
    local_ents = np.bincount(local_pairs // n_ent, minlength=len(fx.ids))
    # makers of unknown location: distinct per link, leaving out the chain's local makers
    urow, ulink = _expand(fx, unknown["product_id"])
    upair = fx.chain[ulink] * n_ent + ue[urow]
    unknown_ents = np.bincount(np.unique(upair) // n_ent, minlength=len(fx.ids))
    fresh = ~np.isin(upair, local_pairs)
    u = np.bincount(np.unique(ulink[fresh] * n_ent + ue[urow][fresh]) // n_ent, minlength=G)
    total = np.maximum(fx.total, n + u)
    rules = gap_rules.weak_rules(n, u, count(large), count(scale_unk), sums, count(~np.isnan(share)), thresholds)
    status = gap_rules.link_status(total, n, u, rules).astype(object)
    has = (n > 0).astype(float)
    up_ok = np.bincount(fx.e_dst, weights=has[fx.e_src], minlength=G) > 0
    down_ok = np.bincount(fx.e_src, weights=has[fx.e_dst], minlength=G) > 0
    missing, weak = status == "missing", status == "weak"
    gap = missing | weak
    broken = gap & up_ok & down_ok
    grade = _grades(fx, gap, missing, weak, broken, link, e, n_ent, priority)
    return {"n": n.astype(int), "status": status, "broken": broken, "grade": grade,
            "local_ents": local_ents, "unknown_ents": unknown_ents}


def _grades(fx: FixedInputs, gap, missing, weak, broken, link, e, n_ent, w: PriorityWeights) -> np.ndarray:
    """The grade of every link (as overview_counts._grades, chain by chain)."""
    G = len(fx.pid)
    # local demand: distinct local makers of the direct downstream links (the gap links' only)
    bounds = np.searchsorted(link, np.arange(G + 1))
    on = gap[fx.e_src]
    src, dst = fx.e_src[on], fx.e_dst[on]
    lens = bounds[dst + 1] - bounds[dst]
    keys = np.unique(np.repeat(src, lens) * n_ent + e[_ranges(bounds[dst], lens)])
    demand = np.bincount(keys // n_ent, minlength=G).astype(float)

    def prio(cent: np.ndarray) -> np.ndarray:
        return gap_summary.priority_sum(gap_summary.priority_parts(
            missing, weak, broken, fx.key, demand, fx.leaders_n, cent, w)).to_numpy()
    low, high = prio(fx.cent_low), prio(fx.cent_high)
    exempt = gap & fx.key & missing
    judged = gap & ~exempt
    negative = min(w.status_missing, w.status_weak, w.broken, w.key_link, w.demand_per_maker, w.demand_cap,
                   w.leader_per, w.leaders_cap, w.centrality) < 0
    cent, exact = fx.cent_low, False
    for i in np.flatnonzero(np.bincount(fx.chain[gap], minlength=len(fx.ids))).tolist():
        s = slice(fx.start[i], fx.start[i + 1])
        m = judged[s]
        if negative or _grade_needs_centrality(low[s][m], high[s][m], w.urgent_at) or \
                _grade_needs_centrality(low[s][m], high[s][m], w.important_at):
            cent = cent.copy() if not exact else cent
            cent[s], exact = fx.cent(i), True
    return gap_summary.grades(prio(cent) if exact else low, gap, exempt, w).astype(object)


def _centrality_bounds(cg: ChainGraph, pids: np.ndarray, slack: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of each product's centrality (chain_graph: the mean of degree and betweenness, each
    over its maximum) without the betweenness: its part is in [0, 1], and 0 for a product with no
    input or no output in the chain (no shortest path passes through it)."""
    succ, pred = cg.succ, cg.pred
    n = len(cg.nodes)
    deg = np.array([len(succ[p]) + len(pred[p]) if p in succ else 0 for p in pids], dtype=float)
    top = max((len(succ[p]) + len(pred[p]) for p in succ), default=0)
    dpart = deg / top if n > 1 and top > 0 else np.zeros(len(pids))
    through = np.array([n > 2 and p in succ and len(pred[p]) > 0 and len(succ[p]) > 0 for p in pids], dtype=bool)
    low = np.clip(dpart / 2 - slack, 0.0, 1.0)
    high = np.clip((dpart + through) / 2 + slack, 0.0, 1.0)
    return low, high


def _grade_needs_centrality(low: np.ndarray, high: np.ndarray, cut: float) -> bool:
    """Does some gap's side of ``cut`` differ between no centrality and the most it can add?
    (A sum of non-negative parts only grows with one of them, and rounding keeps the order.)"""
    return bool(((low >= cut) != (high >= cut)).any())
