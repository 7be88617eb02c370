"""Chains, products and flows of the synthetic data set.

``n_chains`` chains; the largest has ``products_per_chain`` products, the others linearly fewer
down to a third of that. Products sit in layers; stage (上游/中游/下游) and segment follow the
layer; about 10% of links are key links; flows only go from a layer to a later one (and a product
shared between chains keeps one global position), so the flows are acyclic.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph import schema
from loaders import synth_vocab as V
from loaders.synth_arrays import frame
from loaders.synth_geo import Geo

# Knobs (changing one changes every seed's output).
SHARED_PRODUCTS = 0.08      # share of a chain's products borrowed from other chains
KEY_LINKS = 0.10


@dataclass
class Chains:
    """The chains, products, chain_products and product_flows tables, with the index arrays the
    later steps (parks, enterprises, makes, supplies) draw from."""

    table: pd.DataFrame
    ids: np.ndarray
    words: list[tuple[str, ...]]
    industry: np.ndarray        # object, per chain
    weight: np.ndarray          # share of enterprises per chain (by size)
    layers: np.ndarray          # layer count per chain
    products: pd.DataFrame
    product_ids: np.ndarray
    cp: pd.DataFrame            # chain_products (raw)
    cp_chain: np.ndarray        # per chain_products row, sorted by chain, layer, product
    cp_prod: np.ndarray
    cp_layer: np.ndarray
    flows: pd.DataFrame
    flow_from: np.ndarray
    flow_to: np.ndarray


def build_chains(n_chains: int, per_chain: int, geo: Geo, rng: np.random.Generator) -> Chains:
    """Every chain-side table; draws from ``rng`` in a fixed order (chains, products,
    memberships, key links, flows)."""
    sizes = _chain_sizes(n_chains, per_chain)
    table, ids, words, industry = _chain_table(n_chains, geo, rng)
    shared = np.rint(sizes * SHARED_PRODUCTS).astype(np.int64) if n_chains > 1 else np.zeros(n_chains, np.int64)
    home = sizes - shared
    layers = np.clip(np.rint(np.log2(sizes)), 3, 8).astype(np.int64)
    layers = np.minimum(layers, home)
    products, product_ids, p_chain, p_layer, pos = _home_products(home, layers, words, rng)
    cp_chain, cp_prod, cp_layer = _memberships(p_chain, p_layer, pos, shared, layers, rng)
    cp = _chain_products(ids, product_ids, cp_chain, cp_prod, cp_layer, layers, rng)
    f_from, f_to = _flows(cp_chain, cp_prod, cp_layer, layers, len(product_ids), rng)
    flows = frame({"from_product": product_ids[f_from], "to_product": product_ids[f_to],
                   "cycle_ok": np.zeros(len(f_from), dtype=bool)})
    return Chains(table, ids, words, industry, sizes / sizes.sum(), layers,
                  products, product_ids, cp, cp_chain, cp_prod, cp_layer, flows, f_from, f_to)


def _chain_sizes(n_chains: int, per_chain: int) -> np.ndarray:
    """Products per chain: ``per_chain`` down to a third of it, linearly (at least 3)."""
    if n_chains == 1:
        return np.array([per_chain])
    sizes = np.rint(np.linspace(per_chain, per_chain / 3, n_chains)).astype(np.int64)
    return np.maximum(sizes, 3)


def _chain_table(n_chains: int, geo: Geo, rng: np.random.Generator):
    """The chains table from the templates (a numbered copy once they run out), the chain ids,
    the company-name words and the industries label per chain."""
    n_tmpl = len(V.CHAIN_TEMPLATES)
    names, words, industry = [], [], []
    for i in range(n_chains):
        base, w, ind = V.CHAIN_TEMPLATES[i % n_tmpl]
        names.append(base if i < n_tmpl else f"{base}-{i // n_tmpl + 1}")
        words.append(w)
        industry.append(ind)
    width = max(3, len(str(n_chains)))
    ids = np.array([f"SYN-C{i + 1:0{width}d}" for i in range(n_chains)], dtype=object)
    table = frame({
        "chain_id": ids, "name": np.array(names, dtype=object), "chief": np.full(n_chains, None, dtype=object),
        "chief_title": np.full(n_chains, "副省长", dtype=object),
        "lead_unit": np.full(n_chains, "省工业和信息化厅", dtype=object),
        "batch": np.array(V.CHAIN_BATCHES, dtype=object)[rng.integers(0, len(V.CHAIN_BATCHES), n_chains)],
        "year": rng.integers(2021, 2025, n_chains),
        "province": geo.prov_code[rng.choice(len(geo.prov_code), n_chains, p=geo.prov_weight)],
    })
    return table, ids, words, np.array(industry, dtype=object)


def _home_products(home: np.ndarray, layers: np.ndarray, words: list[tuple[str, ...]],
                   rng: np.random.Generator):
    """Home products, chain by chain, ordered by layer: the products table, their ids, and per
    product its chain, layer and global position in [0, 1)."""
    p_chain, p_layer = [], []
    for c in range(len(home)):
        lay = np.concatenate([np.arange(layers[c]), rng.integers(0, layers[c], home[c] - layers[c])])
        p_chain.append(np.full(home[c], c))
        p_layer.append(np.sort(lay))
    p_chain = np.concatenate(p_chain)
    p_layer = np.concatenate(p_layer)
    n_products = len(p_chain)
    pos = (p_layer + rng.uniform(0.02, 0.98, n_products)) / layers[p_chain]
    stage = np.minimum(3 * p_layer // layers[p_chain], 2)
    width = max(5, len(str(n_products)))
    product_ids = np.array([f"SYN-P{i + 1:0{width}d}" for i in range(n_products)], dtype=object)
    products = frame({
        "product_id": product_ids, "name": _product_names(stage, p_chain, words, rng),
        "aliases": np.full(n_products, "", dtype=object), "gbt4754": np.full(n_products, None, dtype=object),
    })
    return products, product_ids, p_chain, p_layer, pos


def _product_names(stages: np.ndarray, home: np.ndarray, words: list[tuple[str, ...]],
                   rng: np.random.Generator) -> np.ndarray:
    """Unique names: qualifier + noun of the stage; once those run out, the same with a use of
    the home chain in front (半导体用高纯靶材); any clash left gets a variant (二型, 三型 …)."""
    names = np.empty(len(stages), dtype=object)
    for s, nouns in enumerate(V.PRODUCT_NOUNS):
        where = np.flatnonzero(stages == s)
        combos = [q + n for q in V.PRODUCT_QUALIFIERS for n in nouns]
        combos = [combos[i] for i in rng.permutation(len(combos))]
        out = []
        for k, p in enumerate(where):
            round_, i = divmod(k, len(combos))
            use = words[home[p]][(round_ - 1) % len(words[home[p]])] + "用" if round_ else ""
            out.append(use + combos[i])
        names[where] = out
    seen: set[str] = set()
    for p, name in enumerate(names):
        k, base = 1, name
        while name in seen:
            name = base + (V.PRODUCT_VARIANTS[k] if k < len(V.PRODUCT_VARIANTS) else f"{k + 1}型")
            k += 1
        seen.add(name)
        names[p] = name
    return names


def _memberships(p_chain: np.ndarray, p_layer: np.ndarray, pos: np.ndarray, shared: np.ndarray,
                 layers: np.ndarray, rng: np.random.Generator):
    """Chain membership (chain, product, layer per row, sorted by chain, layer, product): own
    products plus a few borrowed ones placed by their global position."""
    cp_chain, cp_prod, cp_layer = [p_chain], [np.arange(len(p_chain))], [p_layer]
    for c in range(len(shared)):
        if shared[c] == 0:
            continue
        others = np.flatnonzero(p_chain != c)
        take = np.sort(rng.choice(others, size=min(shared[c], len(others)), replace=False))
        cp_chain.append(np.full(len(take), c))
        cp_prod.append(take)
        cp_layer.append(np.minimum((pos[take] * layers[c]).astype(np.int64), layers[c] - 1))
    cp_chain, cp_prod, cp_layer = (np.concatenate(a) for a in (cp_chain, cp_prod, cp_layer))
    order = np.lexsort((cp_prod, cp_layer, cp_chain))
    return cp_chain[order], cp_prod[order], cp_layer[order]


def _chain_spans(cp_chain: np.ndarray, n_chains: int) -> tuple[np.ndarray, np.ndarray]:
    """First and past-the-end membership row of each chain."""
    chains = np.arange(n_chains)
    return np.searchsorted(cp_chain, chains), np.searchsorted(cp_chain, chains, side="right")


def _chain_products(ids: np.ndarray, product_ids: np.ndarray, cp_chain: np.ndarray, cp_prod: np.ndarray,
                    cp_layer: np.ndarray, layers: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """The chain_products table: stage and segment from the layer, key links at random (at least
    one per chain)."""
    cp_layers = layers[cp_chain]
    cp_stage = np.minimum(3 * cp_layer // cp_layers, 2)
    # segment: the position of the layer among the layers of its stage
    first_of_stage = np.ceil(cp_stage * cp_layers / 3).astype(np.int64)
    next_stage = np.minimum(np.ceil((cp_stage + 1) * cp_layers / 3).astype(np.int64), cp_layers)
    span = np.maximum(next_stage - first_of_stage, 1)
    seg_i = np.minimum((cp_layer - first_of_stage) * 3 // span, 2)
    segments = np.array([s for stage_segs in V.SEGMENTS for s in stage_segs], dtype=object)
    key = rng.random(len(cp_chain)) < KEY_LINKS
    starts, ends = _chain_spans(cp_chain, len(layers))
    for c in range(len(layers)):
        if not key[starts[c]:ends[c]].any():
            key[starts[c] + rng.integers(0, ends[c] - starts[c])] = True
    stage_names = np.array(list(schema.STAGES), dtype=object)
    return frame({"chain": ids[cp_chain], "product": product_ids[cp_prod], "stage": stage_names[cp_stage],
                  "segment": segments[cp_stage * 3 + seg_i], "key_link": key})


def _flows(cp_chain: np.ndarray, cp_prod: np.ndarray, cp_layer: np.ndarray, layers: np.ndarray,
           n_products: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Flows (from, to product index) inside each chain from one layer to the next (sometimes
    the one after); every product of a layer feeds something; duplicates dropped."""
    starts, ends = _chain_spans(cp_chain, len(layers))
    f_from, f_to = [], []
    for c in range(len(layers)):
        members = [cp_prod[starts[c]:ends[c]][cp_layer[starts[c]:ends[c]] == l] for l in range(layers[c])]
        for l in range(1, layers[c]):
            cur, prev = members[l], members[l - 1]
            m = rng.choice(np.array([1, 2, 3]), size=len(cur), p=[0.5, 0.35, 0.15])
            to = np.repeat(cur, m)
            inputs = prev[rng.integers(0, len(prev), len(to))]
            f_from.append(inputs)
            f_to.append(to)
            if l >= 2:
                skip = cur[rng.random(len(cur)) < 0.1]
                before = members[l - 2]
                f_from.append(before[rng.integers(0, len(before), len(skip))])
                f_to.append(skip)
            # every product of the previous layer feeds something
            orphans = prev[~np.isin(prev, inputs)]
            f_from.append(orphans)
            f_to.append(cur[rng.integers(0, len(cur), len(orphans))])
    f_from, f_to = np.concatenate(f_from), np.concatenate(f_to)      # every chain has >= 3 layers
    _, first_idx = np.unique(f_from * n_products + f_to, return_index=True)
    keep = np.sort(first_idx)
    return f_from[keep], f_to[keep]
