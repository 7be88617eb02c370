"""What a recruitment plan (graph.analysis.plan) needs of each chain's diagnosis, for many chains at once.

:func:`chain_gaps` gives, per chain, a :class:`ChainGaps` — the few fields of a
:class:`graph.analysis.gaps.GapReport` that :func:`graph.analysis.plan.optimise` reads (chain,
region, scope, options, ``link_of`` and, per link, product_id, name, status, status_cn, key_link,
priority) — from the engine's own rules and store calls, shared for every chain (region tree,
place, scope, one makers prefetch, one read of the 链主's products) and without what only the full
report shows (maker names and ids, reasons, neighbours' names, stages, leaders' locations, notes,
provenance): link statuses as the one-pass overview works them out
(:mod:`graph.analysis.overview_counts`), 链主 sourcing and priorities by the engine's
:func:`graph.analysis.gap_summary.leader_sourcing` and :func:`~graph.analysis.gap_summary.score_links`.

tests/graph/analysis/test_plan_gaps.py checks that the fields equal the full diagnosis for every chain.

>>> ChainGaps.__dataclass_fields__.keys() >= {"chain", "region", "scope", "links", "link_of"}
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graph.analysis import gap_rules, gap_summary
from graph.analysis.chain_graph import ChainGraph
from graph.options import DEFAULT_PRIORITY, DEFAULT_THRESHOLDS, PriorityWeights, Thresholds

#: The link columns a ChainGaps holds (those of GapReport.links that the plan reads).
COLUMNS = ["product_id", "name", "status", "status_cn", "key_link", "priority"]


@dataclass
class ChainGaps:
    """The part of one chain's GapReport a plan uses: chain (chains row), region (the place),
    scope, thresholds, priority (the options), links (COLUMNS, one row per chain product), link_of
    (product id -> the chain product it counts for)."""

    chain: dict
    region: dict
    scope: object
    thresholds: Thresholds
    priority: PriorityWeights
    links: pd.DataFrame
    link_of: dict = field(default_factory=dict)


def chain_gaps(store, chain_ids: list[str], region: str, thresholds: Thresholds = DEFAULT_THRESHOLDS,
               enclave_attribution: bool = True, priority: PriorityWeights = DEFAULT_PRIORITY,
               count_subclasses: bool = True) -> list[ChainGaps]:
    """One :class:`ChainGaps` per chain id (in order) in ``region`` (code/name or park), with the
    values :func:`graph.analysis.gaps.diagnose` gives for the same arguments."""
    from graph.analysis import lookup
    from graph.analysis import scope as scope_mod
    from graph.analysis.gaps import chain_links, local_and_unknown
    from graph.analysis.overview_counts import _link_counts
    from graph.analysis.plan_candidates import chain_products

    tree = scope_mod.RegionTree.from_store(store)
    place = lookup.resolve_place(store, region, tree=tree)
    sc = scope_mod.scope_for(tree, place, enclave_attribution=enclave_attribution)
    ids = [str(c) for c in chain_ids]
    prefetch = getattr(store, "prefetch_makers", None)
    if prefetch is not None and len(ids) > 1:
        products = chain_products(store, ids)
        prefetch(products)
        store.maker_counts(products)     # counted in one query; the store keeps the counts
    views = {cid: store.chain_view(cid) for cid in ids}
    leaders = {cid: v.roles.loc[v.roles["role"] == "链主", "enterprise_id"].astype(str).tolist()
               if len(v.roles) else [] for cid, v in views.items()}
    every = sorted({e for ids_ in leaders.values() for e in ids_})
    made = store.enterprise_products(every) if every else pd.DataFrame(columns=["enterprise_id", "product_id"])
    made_ids = made["enterprise_id"].astype(str)
    out = []
    for cid in ids:
        view = views[cid]
        link_of, all_links = chain_links(store, view, count_subclasses)
        local, unknown = local_and_unknown(store, tree, place, sc, link_of)
        counts = gap_rules.link_counts(store.maker_counts(sorted(all_links)), all_links)
        mine = made[made_ids.isin(leaders[cid])] if leaders[cid] else \
            pd.DataFrame(columns=["enterprise_id", "product_id"])
        cg = ChainGraph.from_view(view)
        links = _link_counts(view, local, unknown, counts, thresholds, cg)
        out.append(ChainGaps(chain=dict(view.chain), region=dict(place), scope=sc, thresholds=thresholds,
                             priority=priority, links=_scored(view, links, local, mine, sc, cg, link_of, priority),
                             link_of=dict(link_of)))
    return out


def _scored(view, links: pd.DataFrame, local: pd.DataFrame, leader_products: pd.DataFrame, scope, cg: ChainGraph,
            link_of: dict, priority: PriorityWeights) -> pd.DataFrame:
    """COLUMNS of the links, priorities as gap_summary.score_links gives them."""
    pids = links["product_id"].tolist()
    leaders = gap_summary.leader_sourcing(view, links, leader_products, scope, graph=cg, link_of=link_of)
    links["downstream_ids"] = [";".join(cg.downstream(p)) for p in pids]
    cf = cg.centrality_frame()
    links["centrality"] = cf["centrality"].reindex(pids).fillna(0.0).astype(float).to_numpy() if len(cf) \
        else np.zeros(len(pids))
    scored = gap_summary.score_links(links, leaders, local, priority)
    names = view.products.drop_duplicates("product_id")
    name_of = dict(zip(names["product_id"].astype(str).tolist(), names["name"].tolist()))
    status = scored["status"].tolist()
    return pd.DataFrame({"product_id": pids, "name": [name_of.get(p) for p in pids], "status": status,
                         "status_cn": [gap_rules.STATUS_CN[s] for s in status],
                         "key_link": scored["key_link"].to_numpy(bool), "priority": scored["priority"].to_numpy(float)})
