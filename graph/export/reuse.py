"""A store view for one export: the outside makers rank_targets fetched per chain answer the plan.

An export ranks targets chain by chain — each call asks ``store.makers(gap products of the chain,
scope, side="outside")`` — and then the plan (graph.analysis.plan.optimise) asks the same store for
the outside makers of every chain's gap products at once. The rows of a product outside a scope do
not depend on which other products are asked with it, so :class:`ReusingStore` keeps the answers
it forwarded and answers a request covered by them from those rows (in the store's order: product
by product as requested, each product's rows as the store gave them). Anything else is forwarded.

>>> import pandas as pd
>>> class Store:
...     calls = 0
...     def makers(self, ids, scope=None, side="all"):
...         Store.calls += 1
...         return pd.DataFrame({"enterprise_id": [f"E{p}" for p in ids], "product_id": list(ids)})
>>> s = ReusingStore(Store())
>>> _ = s.makers(["b", "a"], None, side="outside"); _ = s.makers(["c"], None, side="outside")
>>> s.makers(["a", "c"], None, side="outside")["enterprise_id"].tolist(), Store.calls
(['Ea', 'Ec'], 2)
"""
from __future__ import annotations

import numpy as np
import pandas as pd


class ReusingStore:
    """``store`` with ``makers(..., side="outside")`` answers kept for the lifetime of this object."""

    def __init__(self, store):
        self._store = store
        self._kept: list[tuple[frozenset, object, pd.DataFrame]] = []   # (products, scope, rows)

    def __getattr__(self, name):
        return getattr(self._store, name)

    def makers(self, product_ids, scope=None, side: str = "all") -> pd.DataFrame:
        ids = list(dict.fromkeys(str(p) for p in product_ids))
        if side != "outside":
            return self._store.makers(ids, scope, side=side)
        mine = [(prods, rows) for prods, sc, rows in self._kept if sc == scope]
        if ids and set(ids) <= frozenset().union(*(p for p, _ in mine)):
            return _assemble(ids, mine)
        rows = self._store.makers(ids, scope, side=side)
        self._kept.append((frozenset(ids), scope, rows))
        return rows


def _assemble(ids: list[str], kept: list[tuple[frozenset, pd.DataFrame]]) -> pd.DataFrame:
    """The rows of ``ids`` from kept answers (each product from the first answer that asked it),
    ordered by product as ``ids`` lists them, a product's rows in their kept order: the answers
    used are put together once and the wanted rows taken in that order (one copy of the rows)."""
    index = pd.Index(ids, dtype=object)
    left, frames, rows_at, keys, base = set(ids), [], [], [], 0
    for prods, rows in kept:
        take = left & prods
        if not take:
            continue
        left -= take
        if len(rows):
            wanted = np.zeros(len(ids) + 1, dtype=bool)   # by position in ids; the last: not asked
            wanted[index.get_indexer(_objects(list(take)))] = True
            at = index.get_indexer(_objects(rows["product_id"].to_numpy(dtype=object)))
            mine = np.flatnonzero(wanted[at])
            if len(mine):
                frames.append(rows)
                rows_at.append(mine + base)
                keys.append(at[mine])
                base += len(rows)
        if not left:
            break
    if not frames:
        return kept[0][1].iloc[:0].reset_index(drop=True)
    every = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    order = np.concatenate(rows_at)[np.concatenate(keys).argsort(kind="stable")]
    return every.take(order).reset_index(drop=True)


def _objects(values) -> pd.Index:
    """An object Index of ``values`` (an object Index looks text up in its own hash table; a list
    or array would first be inferred as Arrow strings and converted back)."""
    return pd.Index(values, dtype=object, copy=False)
