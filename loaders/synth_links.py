"""Links of the synthetic data set: what enterprises make (about 3 products each, clustered in
their home chain and neighbouring layers, revenue shares summing to at most 1), 1–3 链主 and 3–8
链核 per chain among its largest makers, and about 0.5 supply ties per enterprise between makers
of products joined by a flow."""
from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.synth_arrays import frame, pick
from loaders.synth_chains import Chains

# Knobs (changing one changes every seed's output).
MAKES_EXTRA_MEAN = 2.15     # products per enterprise = 1 + Poisson(this), capped
MAKES_CAP = 8
CROSS_CHAIN = 0.10          # a non-anchor product from another chain
SUPPLIES_PER_ENTERPRISE = 0.5


def build_makes(n: int, ids: np.ndarray, home: np.ndarray, ch: Chains, rng: np.random.Generator):
    """The enterprise_products table, and its enterprise and product index per row (sorted by
    enterprise, product): an anchor product in the home chain, more in its neighbouring layers
    (sometimes in another chain)."""
    n_chains, lmax = len(ch.ids), int(ch.layers.max())
    c_start = np.searchsorted(ch.cp_chain, np.arange(n_chains))
    c_count = np.searchsorted(ch.cp_chain, np.arange(n_chains), side="right") - c_start
    cl_key = ch.cp_chain * lmax + ch.cp_layer
    cl_start = np.searchsorted(cl_key, np.arange(n_chains * lmax))
    cl_count = np.searchsorted(cl_key, np.arange(n_chains * lmax), side="right") - cl_start

    anchor = pick(c_start[home], c_count[home], rng.random(n))
    a_prod, a_layer = ch.cp_prod[anchor], ch.cp_layer[anchor]
    extra = np.minimum(rng.poisson(MAKES_EXTRA_MEAN, n), MAKES_CAP - 1)
    e_other = np.repeat(np.arange(n), extra)
    m = len(e_other)
    cross = rng.random(m) < CROSS_CHAIN
    other_chain = rng.choice(n_chains, m, p=ch.weight)
    delta = rng.choice(np.array([-1, 0, 1]), m, p=[0.2, 0.6, 0.2])
    u = rng.random(m)
    c = home[e_other]
    layer = np.clip(a_layer[e_other] + delta, 0, ch.layers[c] - 1)
    near = pick(cl_start[c * lmax + layer], cl_count[c * lmax + layer], u)
    far = pick(c_start[other_chain], c_count[other_chain], u)
    o_prod = ch.cp_prod[np.where(cross, far, near)]

    ent = np.concatenate([np.arange(n), e_other])
    prod = np.concatenate([a_prod, o_prod])
    is_anchor = np.concatenate([np.ones(n, dtype=bool), np.zeros(m, dtype=bool)])
    n_products = len(ch.product_ids)
    _, first = np.unique(ent.astype(np.int64) * n_products + prod, return_index=True)
    ent, prod, is_anchor = ent[first], prod[first], is_anchor[first]   # sorted by enterprise, product

    weight = rng.gamma(1.0, 1.0, len(ent)) + 1.5 * is_anchor
    total = np.bincount(ent, weights=weight, minlength=n)
    covered = rng.uniform(0.5, 0.95, n)
    share = np.floor(weight / total[ent] * covered[ent] * 1000) / 1000
    share = np.maximum(share, 0.001)
    table = frame({"enterprise": ids[ent], "product": ch.product_ids[prod], "revenue_share": share})
    return table, ent, prod


def build_roles(n: int, ids: np.ndarray, revenue: np.ndarray, ent: np.ndarray, prod: np.ndarray, ch: Chains,
                rng: np.random.Generator) -> pd.DataFrame:
    """The chain_roles table: per chain its largest makers (by revenue), the first 1–3 链主, the
    next 3–8 链核."""
    n_chains, n_products = len(ch.ids), len(ch.product_ids)
    by_prod = np.argsort(ch.cp_prod, kind="stable")
    p_chain = ch.cp_chain[by_prod]
    p_start = np.searchsorted(ch.cp_prod[by_prod], np.arange(n_products))
    p_count = np.bincount(ch.cp_prod, minlength=n_products)
    rep = p_count[prod]
    offs = np.arange(rep.sum()) - np.repeat(np.cumsum(rep) - rep, rep)
    chain_of = p_chain[np.repeat(p_start[prod], rep) + offs]
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-revenue, kind="stable")] = np.arange(n)
    keys = np.unique(chain_of.astype(np.int64) * max(n, 1) + rank[np.repeat(ent, rep)])
    k_chain, k_rank = keys // max(n, 1), keys % max(n, 1)
    start = np.searchsorted(k_chain, np.arange(n_chains))
    count = np.searchsorted(k_chain, np.arange(n_chains), side="right") - start
    by_rank = np.argsort(rank)
    leads = rng.integers(1, 4, n_chains)
    cores = rng.integers(3, 9, n_chains)
    rows_c, rows_e, rows_r = [], [], []
    for c in range(n_chains):
        top = by_rank[k_rank[start[c]:start[c] + min(count[c], leads[c] + cores[c])]]
        nl = min(leads[c], len(top))
        rows_c.append(np.full(len(top), c))
        rows_e.append(top)
        rows_r.append(np.where(np.arange(len(top)) < nl, "链主", "链核"))
    rc, re_, rr = (np.concatenate(a) for a in (rows_c, rows_e, rows_r))
    return frame({"chain": ch.ids[rc], "enterprise": ids[re_],
                  "role": rr.astype(object), "evidence": np.full(len(rc), "合成数据：按营收排名", dtype=object)})


def build_supplies(n: int, ids: np.ndarray, ent: np.ndarray, prod: np.ndarray, ch: Chains,
                   rng: np.random.Generator) -> pd.DataFrame:
    """The supplies table: ties between a maker of a flow's input and a maker of its output,
    flows drawn by how many makers both ends have; no self-ties, no repeated pairs."""
    empty = frame({"supplier": np.zeros(0, dtype=object), "customer": np.zeros(0, dtype=object),
                   "product": np.zeros(0, dtype=object)})
    target = int(round(n * SUPPLIES_PER_ENTERPRISE))
    if target == 0 or len(ch.flow_from) == 0:
        return empty
    n_products = len(ch.product_ids)
    order = np.argsort(prod, kind="stable")
    maker = ent[order]
    m_start = np.searchsorted(prod[order], np.arange(n_products))
    m_count = np.bincount(prod, minlength=n_products)
    a, b = ch.flow_from, ch.flow_to
    w = np.sqrt(m_count[a] * m_count[b].astype(float))
    if w.sum() == 0:
        return empty
    draw = int(target * 1.3) + 10
    f = rng.choice(len(a), draw, p=w / w.sum())
    sup = maker[pick(m_start[a[f]], m_count[a[f]], rng.random(draw))]
    cus = maker[pick(m_start[b[f]], m_count[b[f]], rng.random(draw))]
    ok = sup != cus
    sup, cus, via = sup[ok], cus[ok], a[f][ok]
    _, first = np.unique(sup.astype(np.int64) * n + cus, return_index=True)
    first = np.sort(first)[:target]
    return frame({"supplier": ids[sup[first]], "customer": ids[cus[first]],
                  "product": ch.product_ids[via[first]]})
