"""The 总览 of a whole province's chains in one pass: only the counts the overview shows.

:func:`chain_summaries` gives, per chain, the same ``summary`` dict as
:func:`graph.analysis.gaps.diagnose` (the fields :func:`graph.analysis.overview.overview_frame`
reads) and the same per-link ``status``/``broken`` — from the same rules
(:func:`graph.analysis.gap_rules.weak_rules`, :func:`graph.analysis.gap_summary.summarise`) and the
same store calls, but shared for every chain (region tree, place, scope, two makers calls for all
the chains' products, what depends on the chains alone kept per store: see
:mod:`graph.analysis.overview_batch`, which works column-wise over every chain's links) and without
what only the full report shows (maker names and ids, reasons, neighbours' names).
:func:`per_chain` / :func:`summarise_chain` are the chain-by-chain way (the fallback, and the
recruitment plan's link counts). A link's priority is only worked out as far as its grade needs:
the chain's betweenness is computed only when a gap's grade hinges on it (bounds from the degrees
decide the rest).

tests/graph/analysis/test_overview_counts.py checks that it equals the full diagnosis for every chain.

>>> sorted(ChainSummary.__dataclass_fields__)
['links', 'summary']
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.analysis import gap_rules, gap_summary
from graph.analysis.chain_graph import ChainGraph
from graph.analysis.overview_batch import _centrality_bounds, _grade_needs_centrality
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, PriorityWeights, Thresholds



@dataclass
class ChainSummary:
    """What the overview needs of one chain's diagnosis: ``summary`` (GapReport.summary) and
    ``links`` (product_id, stage, key_link, status, broken, local_makers, grade)."""

    summary: dict
    links: pd.DataFrame


def chain_summaries(store, chain_ids: list[str], region: str, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                    enclave_attribution: bool = True, priority: PriorityWeights = DEFAULT_PRIORITY,
                    count_subclasses: bool = True) -> dict[str, ChainSummary]:
    """chain id -> :class:`ChainSummary` of each chain in ``region`` (code/name or park), equal to
    what ``diagnose`` reports for it: every chain at once (graph.analysis.overview_batch), or chain
    by chain (:func:`per_chain`) when the makers do not suit the column-wise path."""
    from graph.analysis import location, lookup, overview_batch
    from graph.analysis import scope as scope_mod
    fx = overview_batch.fixed_inputs(store, chain_ids, count_subclasses)
    tree = scope_mod.RegionTree.from_store(store)
    place = lookup.resolve_place(store, region, tree=tree)
    sc = scope_mod.scope_for(tree, place, enclave_attribution=enclave_attribution)
    local = store.makers(fx.products, sc, side="inside")
    unknown = store.makers(fx.products, location.with_unknown(tree, place, sc), side="unknown")
    got = overview_batch.batch_links(fx, local, unknown, thresholds, priority)
    if got is None:
        return per_chain(store, chain_ids, region, thresholds, enclave_attribution, priority, count_subclasses)
    out = {}
    every = pd.DataFrame({"product_id": fx.pid, "stage": fx.stage, "key_link": fx.key, "local_makers": got["n"],
                          "status": got["status"], "broken": got["broken"], "grade": got["grade"]})
    for i, cid in enumerate(fx.ids):
        s = slice(fx.start[i], fx.start[i + 1])
        links = every.iloc[s].reset_index(drop=True)
        summary, _ = gap_summary.summary_of(got["status"][s].tolist(), got["n"][s] > 0, fx.key[s],
                                            int(got["broken"][s].sum()), got["grade"][s].tolist(), thresholds)
        summary["local_enterprises"] = int(got["local_ents"][i])
        summary["unknown_enterprises"] = int(got["unknown_ents"][i])
        out[cid] = ChainSummary(summary, links)
    return out


def per_chain(store, chain_ids: list[str], region: str, thresholds: Thresholds = DEFAULT_THRESHOLDS,
              enclave_attribution: bool = True, priority: PriorityWeights = DEFAULT_PRIORITY,
              count_subclasses: bool = True) -> dict[str, ChainSummary]:
    """:func:`chain_summaries` chain by chain (:func:`summarise_chain` on each chain's frames)."""
    from graph.analysis.chain_inputs import chain_inputs
    _, _, sc, chains = chain_inputs(store, chain_ids, region, enclave_attribution, count_subclasses)
    return {cid: summarise_chain(c.view, c.local, c.unknown, c.counts, c.leader_products, c.link_of, sc, thresholds,
                                 priority) for cid, c in chains}


def summarise_chain(view, local: pd.DataFrame, unknown: pd.DataFrame, counts: pd.DataFrame,
                    leader_products: pd.DataFrame, link_of: dict, scope, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                    priority: PriorityWeights = DEFAULT_PRIORITY) -> ChainSummary:
    """Pure: the counts of :func:`graph.analysis.gaps.build_report` from the same frames."""
    cg = ChainGraph.from_view(view)
    links = _link_counts(view, local, unknown, counts, thresholds, cg)
    leaders = gap_summary.leader_sourcing(view, links, leader_products, scope, graph=cg, link_of=link_of)
    links["grade"] = _grades(links, cg, local, leaders, priority)
    summary, _ = gap_summary.summarise(links, thresholds)
    summary["local_enterprises"] = int(local["enterprise_id"].nunique()) if len(local) else 0
    summary["unknown_enterprises"] = int(unknown["enterprise_id"].nunique()) if len(unknown) else 0
    return ChainSummary(summary, links)


def _link_counts(view, local: pd.DataFrame, unknown: pd.DataFrame, counts: pd.DataFrame, t: Thresholds,
                 cg: ChainGraph) -> pd.DataFrame:
    """status, broken, local_makers … per chain product, as gap_rules.classify_links decides them
    (the same aggregations; arrays rather than frame columns in between)."""
    ids = view.products["product_id"].astype(str)
    first = ~ids.duplicated().to_numpy(bool)
    pids = ids.to_numpy(object)[first]
    stage = view.products["stage"].to_numpy(object)[first]
    key = view.products["key_link"].fillna(False).astype(bool).to_numpy(bool)[first]
    zeros = np.zeros(len(pids), dtype=int)
    n, large, known, scale_unk, share = zeros, zeros, zeros, zeros, np.full(len(pids), np.nan)
    if len(local):
        n, large, known, scale_unk, share = _local_aggregates(local, pids)
    u = _unknown_counts(unknown, set(local["enterprise_id"].tolist()) if len(local) else set(), pids)
    total = dict(zip(counts["product_id"].tolist(), counts["makers"].tolist())) if len(counts) else {}
    makers_total = np.maximum(np.array([int(total.get(p, 0)) for p in pids], dtype=int), n + u)
    rules = gap_rules.weak_rules(n, u, large, scale_unk, share, known, t)
    status = gap_rules.link_status(makers_total, n, u, rules).astype(object)
    has_local = dict(zip(pids.tolist(), (n > 0).tolist()))
    gap = (status == "missing") | (status == "weak")
    up_ok = [any(has_local.get(x, False) for x in cg.upstream(pid)) for pid in pids]
    down_ok = [any(has_local.get(x, False) for x in cg.downstream(pid)) for pid in pids]
    broken = gap & np.asarray(up_ok, dtype=bool) & np.asarray(down_ok, dtype=bool)
    return pd.DataFrame({"product_id": pids, "stage": stage, "key_link": key, "local_makers": n,
                         "status": status, "broken": broken})


def _local_aggregates(local: pd.DataFrame, pids: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per link of ``pids``: distinct local makers, large ones, shares known, scale unknown (ints)
    and the sum of the known revenue shares (NaN when none) — classify_links' groupby, on integer
    codes (the share sum is still pandas' groupby sum: the same summation, the same float).

    >>> loc = pd.DataFrame({"link_id": ["b", "b", "a"], "enterprise_id": ["e1", "e2", "e1"],
    ...                     "tags": [[], ["规上"], []], "scale": [None, "小型", "大型"],
    ...                     "revenue_share": [0.5, None, 0.25]})
    >>> [a.tolist() for a in _local_aggregates(loc, np.array(["a", "b", "c"], dtype=object))]
    [[1, 2, 0], [1, 1, 0], [1, 1, 0], [0, 1, 0], [0.25, 0.5, nan]]
    """
    k = len(pids)
    pos = {p: i for i, p in enumerate(pids.tolist())}
    code = np.fromiter((pos.get(x, -1) for x in local["link_id"].tolist()), dtype=np.int64, count=len(local))
    ok = code >= 0
    tagged = gap_rules.has_tag(local["tags"], "规上").to_numpy(bool)
    large = tagged | local["scale"].isin(gap_rules.LARGE_SCALES).to_numpy(bool)
    scale_unk = local["scale"].isna().to_numpy(bool) & ~tagged
    share = pd.to_numeric(local["revenue_share"], errors="coerce").to_numpy(float)
    ents, _ = pd.factorize(local["enterprise_id"].to_numpy(object))   # missing ids: -1, not counted
    both = ok & (ents >= 0)
    pairs = np.unique(code[both] * (int(ents.max(initial=0)) + 1) + ents[both])
    n = np.bincount(pairs // (int(ents.max(initial=0)) + 1), minlength=k)

    def count(flags: np.ndarray) -> np.ndarray:
        return np.bincount(code[ok], weights=flags[ok], minlength=k).astype(int)
    sums = pd.Series(share[ok]).groupby(code[ok]).sum(min_count=1).reindex(range(k)).to_numpy(float)
    return n.astype(int), count(large), count(~np.isnan(share)), count(scale_unk), sums


def _unknown_counts(unknown: pd.DataFrame, local_ids: set, pids: np.ndarray) -> np.ndarray:
    """Distinct makers of unknown location per link, leaving out the chain's local makers."""
    if unknown is None or len(unknown) == 0:
        return np.zeros(len(pids), dtype=int)
    seen: dict = {}
    for link, eid in zip(unknown["link_id"].tolist(), unknown["enterprise_id"].tolist()):
        if not pd.isna(link) and eid not in local_ids:
            seen.setdefault(link, set()).add(str(eid))
    return np.array([len(seen.get(p, ())) for p in pids], dtype=int)


def _grades(links: pd.DataFrame, cg: ChainGraph, local: pd.DataFrame, leaders: pd.DataFrame,
            w: PriorityWeights) -> np.ndarray:
    """The grade of each link as gap_summary.score_links gives it (priority parts, the same sums)."""
    pids = links["product_id"].to_numpy(object)
    status = links["status"].to_numpy(object)
    gap = (status == "missing") | (status == "weak")
    if not gap.any():
        return np.full(len(links), "", dtype=object)
    demand = np.zeros(len(links), dtype=float)
    if len(local):
        ents, _ = pd.factorize(local["enterprise_id"].to_numpy(object))
        lcodes, luniq = pd.factorize(local["link_id"].to_numpy(object))   # missing links: -1, left out
        order = np.argsort(lcodes, kind="stable")
        bounds = np.searchsorted(lcodes[order], np.arange(len(luniq) + 1))
        pos = {link: k for k, link in enumerate(luniq.tolist())}
        for i in np.flatnonzero(gap):
            downs = [ents[order[bounds[pos[d]]:bounds[pos[d] + 1]]] for d in cg.downstream(pids[i]) if d in pos]
            demand[i] = len(np.unique(np.concatenate(downs))) if downs else 0
    consumers: dict[str, int] = {}      # product -> 链主 taking it as a direct input (as score_links counts)
    for ids in leaders["input_ids"].tolist() if len(leaders) else []:
        for pid in str(ids).split(";"):
            if pid:
                consumers[pid] = consumers.get(pid, 0) + 1
    leaders_n = np.array([consumers.get(p, 0) for p in pids], dtype=float)
    missing, weak = status == "missing", status == "weak"
    broken, key = links["broken"].to_numpy(bool), links["key_link"].to_numpy(bool)

    def priority(centrality) -> np.ndarray:
        return gap_summary.priority_sum(gap_summary.priority_parts(
            missing, weak, broken, key, demand, leaders_n, centrality, w)).to_numpy()
    cent_low, cent_high = _centrality_bounds(cg, pids)
    low, high = priority(cent_low), priority(cent_high)
    exempt = gap & key & missing
    if min(w.status_missing, w.status_weak, w.broken, w.key_link, w.demand_per_maker, w.demand_cap,
           w.leader_per, w.leaders_cap, w.centrality) < 0 or \
            _grade_needs_centrality(low[gap & ~exempt], high[gap & ~exempt], w.urgent_at) or \
            _grade_needs_centrality(low[gap & ~exempt], high[gap & ~exempt], w.important_at):
        cf = cg.centrality_frame()
        cent = cf["centrality"].reindex(pids).fillna(0.0).astype(float).to_numpy() if len(cf) \
            else np.zeros(len(pids))
        prio = priority(cent)
    else:
        prio = low
    return gap_summary.grades(prio, gap, exempt, w).astype(object)
