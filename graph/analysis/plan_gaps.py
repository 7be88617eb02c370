"""What a recruitment plan (graph.analysis.plan) needs of each chain's diagnosis, for many chains at once.

:func:`chain_gaps` gives, per chain, a :class:`ChainGaps` — the few fields of a
:class:`graph.analysis.gaps.GapReport` that :func:`graph.analysis.plan.optimise` reads (chain,
region, scope, options, ``link_of`` and, per link, product_id, name, status, status_cn, key_link,
priority) — from the engine's own rules and store calls, shared for every chain (region tree,
place, scope, one makers prefetch, one read of the 链主's products) and without what only the full
report shows (maker names and ids, reasons, neighbours' names, stages, leaders' locations, notes,
provenance) — the reads of :func:`graph.analysis.chain_inputs.chain_inputs`; link statuses as the one-pass overview works them out
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
    from graph.analysis.chain_inputs import chain_inputs
    from graph.analysis.overview_counts import _link_counts

    _, place, sc, chains = chain_inputs(store, chain_ids, region, enclave_attribution, count_subclasses)
    out = []
    for _, c in chains:
        cg = ChainGraph.from_view(c.view)
        links = _link_counts(c.view, c.local, c.unknown, c.counts, thresholds, cg)
        out.append(ChainGaps(chain=dict(c.view.chain), region=dict(place), scope=sc, thresholds=thresholds,
                             priority=priority, links=_scored(c.view, links, c.local, c.leader_products, sc, cg,
                                                              c.link_of, priority),
                             link_of=dict(c.link_of)))
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
