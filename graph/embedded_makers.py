"""In-memory columnar index of MAKES + enterprise attributes, for fast ``makers()``.

Built once per data generation (the store rebuilds it after any write) from a consistent
read snapshot: makes rows are sorted by product, so the makers of a product are one slice.
With a million enterprises a 300-product query is a few array ``take`` calls.

Lists in the ``tags`` column are shared with the index: treat them as read-only.

>>> import numpy as np
>>> _codes(["a", None, "b", "a"], {})
(array([ 0, -1,  1,  0], dtype=int32), ['a', 'b'])
"""
from __future__ import annotations

import json
import threading

import numpy as np
import pandas as pd

from graph.store import MAKER_COLUMNS, Scope

_ENT_SQL = ("SELECT enterprise_id, name, region, park, scale, revenue, employees, listed, tags "
            "FROM enterprises")
_MAKES_SQL = "SELECT enterprise, product, revenue_share, source, as_of, illustrative FROM enterprise_products"
FETCH = 200_000


def _codes(values, lookup: dict, uniques: list | None = None):
    """Integer codes for ``values`` (None -> -1), extending ``lookup``/``uniques`` in place."""
    uniques = [] if uniques is None else uniques
    local, inv = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    table = np.empty(len(inv) + 1, dtype=np.int32)
    table[-1] = -1
    for i, v in enumerate(inv.tolist()):
        if v not in lookup:
            lookup[v] = len(uniques)
            uniques.append(v)
        table[i] = lookup[v]
    return table[local], uniques


def _with_none(values: list) -> np.ndarray:
    """Object array of the uniques with None last, so code -1 maps to None."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:len(values)] = values
    out[-1] = None
    return out


def _flag(uniques: np.ndarray, wanted: frozenset) -> np.ndarray:
    return np.fromiter((u in wanted for u in uniques), dtype=bool, count=len(uniques))


class MakersIndex:
    def __init__(self, conn, generation: int):
        self.generation = generation
        self._load_enterprises(conn)
        self._load_makes(conn)

    def _load_enterprises(self, conn) -> None:
        cols = [[] for _ in range(9)]
        cur = conn.execute(_ENT_SQL)
        while rows := cur.fetchmany(FETCH):
            for store, values in zip(cols, zip(*rows)):
                store.extend(values)
        ids, names, region, park, scale, revenue, employees, listed, tags = cols
        self.ent_pos = pd.Index(ids, dtype=object)
        self.ent_id = np.array(ids, dtype=object)
        self.ent_name = np.array(names, dtype=object)
        self.ent_cat = {}
        for name, values in (("region", region), ("park", park), ("scale", scale)):
            codes, uniques = _codes(values, {})
            self.ent_cat[name] = (codes, _with_none(uniques))
        self.ent_revenue = np.array([np.nan if v is None else v for v in revenue], dtype=float)
        self.ent_employees = np.array(employees, dtype=object)
        self.ent_listed = np.array([None if v is None else bool(v) for v in listed], dtype=object)
        memo: dict[str, list] = {}
        self.ent_tags = np.empty(len(ids), dtype=object)
        self.ent_tags[:] = [memo[t] if t in memo else memo.setdefault(t, json.loads(t) if t else [])
                            for t in tags]

    def _load_makes(self, conn) -> None:
        ent, share, ill = [], [], []
        prod = {"lookup": {}, "uniques": [], "codes": []}
        cats = {k: {"lookup": {}, "uniques": [], "codes": []} for k in ("source", "as_of")}
        cur = conn.execute(_MAKES_SQL)
        while rows := cur.fetchmany(FETCH):
            e, p, s, src, asof, il = zip(*rows)
            ent.append(self.ent_pos.get_indexer(pd.Index(e, dtype=object)).astype(np.int32))
            share.append(np.array([np.nan if v is None else v for v in s], dtype=float))
            ill.append(np.array([None if v is None else bool(v) for v in il], dtype=object))
            for store, values in ((prod, p), (cats["source"], src), (cats["as_of"], asof)):
                store["codes"].append(_codes(values, store["lookup"], store["uniques"])[0])
        cat = lambda parts: np.concatenate(parts) if parts else np.empty(0, np.int32)  # noqa: E731
        p_codes = cat(prod["codes"])
        order = np.argsort(p_codes, kind="stable")
        self.mk_ent = cat(ent)[order]
        self.mk_share = (np.concatenate(share) if share else np.empty(0))[order]
        self.mk_ill = (np.concatenate(ill) if ill else np.empty(0, dtype=object))[order]
        self.mk_cat = {k: (cat(v["codes"])[order], _with_none(v["uniques"])) for k, v in cats.items()}
        self.products = _with_none(prod["uniques"])
        self.mk_prod = p_codes[order]
        self.prod_pos = prod["lookup"]
        self.offsets = np.concatenate([[0], np.cumsum(np.bincount(p_codes, minlength=len(prod["uniques"])))])

    def _rows(self, product_ids) -> np.ndarray:
        codes = [self.prod_pos[p] for p in dict.fromkeys(map(str, product_ids)) if p in self.prod_pos]
        if not codes:
            return np.empty(0, dtype=np.int64)
        return np.concatenate([np.arange(self.offsets[c], self.offsets[c + 1]) for c in codes])

    def local(self, ents: np.ndarray, scope: Scope) -> np.ndarray:
        """Bool per enterprise position: is it local to ``scope``? (see graph.store.Scope)"""
        r_codes, r_uniq = self.ent_cat["region"]
        p_codes, p_uniq = self.ent_cat["park"]
        in_region = _flag(r_uniq, scope.region_codes)[r_codes[ents]]
        pc = p_codes[ents]
        return _flag(p_uniq, scope.include_parks)[pc] | (in_region & ~_flag(p_uniq, scope.exclude_parks)[pc])

    def makers(self, product_ids, scope: Scope | None, side: str) -> pd.DataFrame:
        if side not in ("inside", "outside", "all"):
            raise ValueError(f"side must be inside, outside or all, not {side!r}")
        rows = self._rows(product_ids)
        ents = self.mk_ent[rows]
        if side != "all":
            keep = self.local(ents, scope or Scope())
            rows, ents = rows[keep if side == "inside" else ~keep], ents[keep if side == "inside" else ~keep]
        ecat = {k: u[c[ents]] for k, (c, u) in self.ent_cat.items()}
        mcat = {k: u[c[rows]] for k, (c, u) in self.mk_cat.items()}
        data = {
            "enterprise_id": self.ent_id[ents], "product_id": self.products[self.mk_prod[rows]],
            "revenue_share": self.mk_share[rows], "name": self.ent_name[ents], **ecat,
            "revenue": self.ent_revenue[ents], "employees": self.ent_employees[ents],
            "listed": self.ent_listed[ents], "tags": self.ent_tags[ents], **mcat,
            "illustrative": self.mk_ill[rows],
        }
        return pd.DataFrame({c: pd.Series(data[c], dtype=data[c].dtype, copy=False) for c in MAKER_COLUMNS})

    def counts(self, product_ids) -> pd.DataFrame:
        ids = list(dict.fromkeys(map(str, product_ids)))
        n = [int(self.offsets[self.prod_pos[p] + 1] - self.offsets[self.prod_pos[p]])
             if p in self.prod_pos else 0 for p in ids]
        return pd.DataFrame({"product_id": pd.Series(ids, dtype=object), "makers": pd.Series(n, dtype="int64")})


class MakersCache:
    """Holds the current :class:`MakersIndex`; rebuilds it when the generation moved."""

    def __init__(self):
        self._index: MakersIndex | None = None
        self._lock = threading.Lock()

    def get(self, conn, generation: int) -> MakersIndex:
        idx = self._index
        if idx is not None and idx.generation == generation:
            return idx
        with self._lock:
            if self._index is None or self._index.generation != generation:
                self._index = MakersIndex(conn, generation)
            return self._index

    def drop(self) -> None:
        self._index = None
