"""The store reads of a diagnosis, for many chains of one place at once (shared set-up).

:func:`chain_inputs` resolves the place once (region tree, place, scope), warms the store for
every chain's products (one prefetch, maker counts in one query), reads every chain view and all
the chains' 链主 products in one call, then yields per chain the frames
:func:`graph.analysis.gaps.compute_diagnosis` reads — its local makers, makers of unknown location,
maker counts and 链主 products — for the overview's chain-by-chain path (overview_counts.per_chain) and
the recruitment plan (graph.analysis.plan_gaps).

>>> sorted(ChainInputs.__dataclass_fields__)
['counts', 'leader_products', 'link_of', 'local', 'unknown', 'view']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import pandas as pd

from graph.analysis import gap_rules


@dataclass
class ChainInputs:
    """One chain's frames, as compute_diagnosis fetches them: view (ChainView), link_of (product ->
    chain product), local / unknown makers (with link_id), counts (makers per chain product),
    leader_products (the 链主's enterprise_products rows)."""

    view: object
    link_of: dict
    local: pd.DataFrame
    unknown: pd.DataFrame
    counts: pd.DataFrame
    leader_products: pd.DataFrame


def chain_inputs(store, chain_ids: list[str], region: str, enclave_attribution: bool = True,
                 count_subclasses: bool = True) -> tuple[object, dict, object, Iterator[tuple[str, ChainInputs]]]:
    """(tree, place, scope, (chain id, ChainInputs) for each chain id in order — read as iterated)."""
    from graph.analysis import lookup
    from graph.analysis import scope as scope_mod
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
    return tree, place, sc, _each(store, ids, views, leaders, made, tree, place, sc, count_subclasses)


def _each(store, ids, views, leaders, made, tree, place, sc, count_subclasses) -> Iterator[tuple[str, ChainInputs]]:
    from graph.analysis.gaps import chain_links, local_and_unknown
    made_ids = made["enterprise_id"].astype(str)
    for cid in ids:
        view = views[cid]
        link_of, all_links = chain_links(store, view, count_subclasses)
        local, unknown = local_and_unknown(store, tree, place, sc, link_of)
        counts = gap_rules.link_counts(store.maker_counts(sorted(all_links)), all_links)
        leader_products = made[made_ids.isin(leaders[cid])] if leaders[cid] else \
            pd.DataFrame(columns=["enterprise_id", "product_id"])
        yield cid, ChainInputs(view, link_of, local, unknown, counts, leader_products)
