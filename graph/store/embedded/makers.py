"""Columnar snapshots of MAKES + enterprise attributes, for fast ``makers()``.

``makers(product_ids, scope, side)`` is asked for the ~300 products of one chain, first
inside a scope, then (for targets) outside it, often again and again for the same chain.
So the store keeps a few :class:`MakersIndex` objects, each holding every MAKES row of a
set of products plus the attributes of those makers as numpy arrays; a request whose
products are all covered by a cached index is answered by array ``take``s (milliseconds
with a million enterprises); otherwise one index for exactly those products is built,
driven by the product index in SQL. Indexes are dropped when the data generation changes.

Lists in the ``tags`` column are shared with the index: treat them as read-only.

>>> _empty_codes(["a", "", "b", "a"])
(array([ 0, -1,  1,  0], dtype=int32), ['a', 'b'])
"""
from __future__ import annotations

import json
import threading

import numpy as np
import pandas as pd

from graph.store import MAKER_COLUMNS, Scope
from graph.store.embedded import derived
from graph.store.embedded.codec import columns_frame
from graph.store.embedded.derived import take_text

SEP = "\x1f"
_IN_PRODUCTS = "(SELECT value FROM json_each(:products))"
# (table, WHERE, SQL expression per column): each value comes out as text, NULL as '' (or 'nan').
_ENT = ("enterprises", f"enterprise_id IN (SELECT enterprise FROM enterprise_products WHERE product IN {_IN_PRODUCTS})",
        ["enterprise_id", "name", "ifnull(region, '')", "ifnull(park, '')", "ifnull(scale, '')",
         "ifnull(revenue, 'nan')", "ifnull(employees, '')", "ifnull(listed, '')", "ifnull(tags, '[]')",
         "ifnull(region_source, '')"])
_MAKES = ("enterprise_products", f"product IN {_IN_PRODUCTS}",
          ["enterprise", "product", "ifnull(revenue_share, 'nan')",
           "ifnull(source, '') || char(30) || ifnull(as_of, '') || char(30) || ifnull(illustrative, '')"])
_BOOL = {"1": True, "0": False, "": None}
_LISTED = {"0": 0, "1": 1, "": 2}                       # listed as int8 codes: False, True, unknown
_LISTED_OUT = np.array([False, True, None], dtype=object)
KEEP = 4   # indexes kept per store


def export(conn, table: str, where: str, exprs: list[str], params: dict) -> list[list[str]]:
    """Columns of the matching rows as lists of str. One ``group_concat`` per column is several
    times faster than fetching rows one by one; if a value contains the separator, rows are
    fetched instead."""
    aggs = ", ".join(f"group_concat({e}, char(31))" for e in exprs)
    n, *texts = conn.execute(f"SELECT count(*), {aggs} FROM {table} WHERE {where}", params).fetchone()
    if n == 0:
        return [[] for _ in exprs]
    cols = [t.split(SEP) for t in texts]
    if all(len(c) == n for c in cols):
        return cols
    rows = conn.execute(f"SELECT {', '.join(exprs)} FROM {table} WHERE {where}", params).fetchall()
    return [[str(v) for v in col] for col in zip(*rows)]


def _empty_codes(values):
    """Factorize text values, '' meaning missing: (codes with -1 for missing, uniques)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    uniques = list(uniques)
    if "" in uniques:
        blank = uniques.index("")
        codes = np.where(codes == blank, -1, codes - (codes > blank))
        del uniques[blank]
    return codes.astype(np.int32), uniques


def _with_none(values: list) -> np.ndarray:
    """Object array of the uniques with None last, so code -1 maps to None."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:len(values)] = values
    out[-1] = None
    return out


def _ints(values: np.ndarray) -> np.ndarray:
    """Object array of Python ints, None where NaN (the employees column)."""
    out = np.full(len(values), None, dtype=object)
    ok = ~np.isnan(values)
    out[ok] = values[ok].astype(np.int64).astype(object)
    return out


def _flag(uniques: np.ndarray, wanted: frozenset) -> np.ndarray:
    return np.fromiter((u in wanted for u in uniques), dtype=bool, count=len(uniques))


class MakersIndex:
    """Every MAKES row of ``products`` (sorted by product) and its makers' attributes.

    Built either from the row tables (``MakersIndex(conn, generation, products)``) or from the
    derived columnar tables (:meth:`from_derived`, see graph.store.embedded.derived); both hold
    the same arrays: ``ent_*`` per enterprise position, ``mk_*`` per MAKES row."""

    parts: frozenset | None = None      # the derived parts it holds (None: every maker of ``covers``)

    def __init__(self, conn, generation: int, products: list[str]):
        self.generation = generation
        self.covers = frozenset(products)
        params = {"products": json.dumps(sorted(self.covers), ensure_ascii=False)}
        self._load_enterprises(export(conn, *_ENT, params))
        self._load_makes(export(conn, *_MAKES, params))

    @classmethod
    def from_derived(cls, conn, dicts: dict, generation: int, products: list[str], parts: frozenset | None = None):
        """The index of ``products`` from the derived per-product tables (graph.store.embedded.derived);
        ``dicts``: their code dictionaries; ``parts``: only the makers in these parts (None: all, see
        derived.parts_for). Each MAKES row is its own enterprise slot."""
        self = cls.__new__(cls)
        self.generation = generation
        self.covers = frozenset(products)
        self.parts = parts
        have, cols, sizes, order = derived.fetch(conn, sorted(self.covers), parts, dicts)
        n = int(sizes.sum())
        if not n:
            cols = {"enterprise_id": np.empty(0, dtype=object), "name": np.empty(0, dtype=object),
                    **{k: np.empty(0, dtype=np.int32) for k in derived.CODED}, "listed": np.empty(0, dtype=np.int8),
                    **{k: np.empty(0) for k in ("revenue", "employees", "share")}}
        self.ent_id, self.ent_name = cols["enterprise_id"], cols["name"]
        self.ent_cat = {k: (cols[k], dicts[k]) for k in ("region", "park", "scale")}
        self.ent_cat["region_source"] = (cols["region_source"], dicts["region_source"])
        self.ent_revenue, self.ent_employees, self.ent_listed = cols["revenue"], cols["employees"], cols["listed"]
        self.ent_tag_codes, self.ent_tag_lists = cols["tags"], dicts["tags"]
        self.mk_ent = order                   # enterprise slot = stored row; MAKES rows in product order
        self.mk_share = cols["share"][order]
        v_codes, prov = cols["prov"][order], dicts["prov"]
        self.mk_cat = {"source": (v_codes, _with_none([p[0] for p in prov])),
                       "as_of": (v_codes, _with_none([p[1] for p in prov]))}
        self.mk_ill = _with_none([p[2] for p in prov])[v_codes]
        self.products = _with_none(have)
        self.mk_prod = np.repeat(np.arange(len(have), dtype=np.int32), sizes)
        self.prod_pos = {p: i for i, p in enumerate(have)}
        self.offsets = np.concatenate([[0], np.cumsum(sizes)])
        return self

    def _load_enterprises(self, cols) -> None:
        ids, names, region, park, scale, revenue, employees, listed, tags, region_source = cols
        self.ent_pos = pd.Index(ids, dtype=object)
        self.ent_id = np.asarray(ids, dtype=object)
        self.ent_name = np.asarray(names, dtype=object)
        self.ent_cat = {}
        for name, values in (("region", region), ("park", park), ("scale", scale), ("region_source", region_source)):
            codes, uniques = _empty_codes(values)
            self.ent_cat[name] = (codes, _with_none(uniques))
        self.ent_revenue = np.asarray(revenue, dtype=float)
        self.ent_employees = np.asarray([float(v) if v else np.nan for v in employees], dtype=float)
        self.ent_listed = np.asarray([_LISTED[v] for v in listed], dtype=np.int8)
        t_codes, t_uniq = pd.factorize(np.asarray(tags, dtype=object))
        self.ent_tag_codes = t_codes.astype(np.int32)
        self.ent_tag_lists = np.empty(len(t_uniq), dtype=object)
        self.ent_tag_lists[:] = [json.loads(t) for t in t_uniq]

    def _load_makes(self, cols) -> None:
        ent, prod, share, prov = cols
        ents = self.ent_pos.get_indexer(pd.Index(ent, dtype=object)).astype(np.int32)
        p_codes, p_uniq = pd.factorize(np.asarray(prod, dtype=object))
        v_codes, v_uniq = pd.factorize(np.asarray(prov, dtype=object))
        order = np.argsort(p_codes, kind="stable")
        self.mk_ent = ents[order]
        self.mk_share = np.asarray(share, dtype=float)[order]
        src, asof, ill = zip(*(u.split("\x1e") for u in v_uniq)) if len(v_uniq) else ((), (), ())
        v_codes = v_codes.astype(np.int32)[order]
        self.mk_cat = {"source": (v_codes, _with_none([x or None for x in src])),
                       "as_of": (v_codes, _with_none([x or None for x in asof]))}
        self.mk_ill = _with_none([_BOOL[x] for x in ill])[v_codes]
        self.products = _with_none(list(p_uniq))
        self.mk_prod = p_codes.astype(np.int32)[order]
        self.prod_pos = {p: i for i, p in enumerate(p_uniq)}
        self.offsets = np.concatenate([[0], np.cumsum(np.bincount(p_codes, minlength=len(p_uniq)))])

    def _rows(self, product_ids: list[str]) -> np.ndarray:
        codes = np.array([self.prod_pos[p] for p in product_ids if p in self.prod_pos], dtype=np.int64)
        if not len(codes):
            return np.empty(0, dtype=np.int64)
        starts = self.offsets[codes].astype(np.int64)
        lens = self.offsets[codes + 1].astype(np.int64) - starts
        ends = np.cumsum(lens)   # (each product's rows in turn: the ranges concatenated)
        return np.repeat(starts - (ends - lens), lens) + np.arange(ends[-1] if len(ends) else 0, dtype=np.int64)

    def local(self, ents: np.ndarray, scope: Scope) -> np.ndarray:
        """Bool per enterprise position: is it local to ``scope``? (see graph.store.Scope)"""
        r_codes, r_uniq = self.ent_cat["region"]
        p_codes, p_uniq = self.ent_cat["park"]
        in_region = _flag(r_uniq, scope.region_codes)[r_codes[ents]]
        pc = p_codes[ents]
        return _flag(p_uniq, scope.include_parks)[pc] | (in_region & ~_flag(p_uniq, scope.exclude_parks)[pc])

    def settled(self, ents: np.ndarray, scope: Scope) -> np.ndarray:
        """Bool per enterprise position: does its park or region settle where it is?"""
        r_codes, r_uniq = self.ent_cat["region"]
        p_codes, p_uniq = self.ent_cat["park"]
        return _flag(r_uniq, scope.settled_regions)[r_codes[ents]] | _flag(p_uniq, scope.settling_parks)[p_codes[ents]]

    def _text(self, attr: str, ents: np.ndarray) -> np.ndarray:
        """``take_text`` of an enterprise text column; an Arrow column asked for many of its rows is
        kept as an object array from then on (later calls are plain takes)."""
        arr = self.__dict__.get("_as_objects_" + attr)
        if arr is None:
            arr = getattr(self, attr)
            if not isinstance(arr, np.ndarray) and 4 * len(ents) >= len(arr):
                arr = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
                setattr(self, "_as_objects_" + attr, arr)
        return take_text(arr, ents)

    def makers(self, product_ids: list[str], scope: Scope | None, side: str) -> pd.DataFrame:
        rows = self._rows(product_ids)
        ents = self.mk_ent[rows]
        if side != "all":
            sc = scope or Scope()
            keep = self.local(ents, sc)
            keep = keep if side == "inside" else ~keep & ~self.settled(ents, sc) if side == "unknown" else ~keep
            rows, ents = rows[keep], ents[keep]
        data = {
            "enterprise_id": self._text("ent_id", ents), "product_id": self.products[self.mk_prod[rows]],
            "revenue_share": self.mk_share[rows], "name": self._text("ent_name", ents),
            **{k: u[c[ents]] for k, (c, u) in self.ent_cat.items()},
            "revenue": self.ent_revenue[ents], "employees": _ints(self.ent_employees[ents]),
            "listed": _LISTED_OUT[self.ent_listed[ents]], "tags": self.ent_tag_lists[self.ent_tag_codes[ents]],
            **{k: u[c[rows]] for k, (c, u) in self.mk_cat.items()},
            "illustrative": self.mk_ill[rows],
        }
        if not len(rows):   # (often: makers of unknown location) a copy of the empty frame of these dtypes
            key = tuple(data[c].dtype for c in MAKER_COLUMNS)
            empty = _EMPTY.get(key)
            if empty is None:
                empty = _EMPTY[key] = _frame(data)
            return empty.copy()
        return _frame(data)


_EMPTY: dict = {}   # column dtypes -> the empty makers frame of them


def _frame(data: dict) -> pd.DataFrame:
    return columns_frame([data[c] for c in MAKER_COLUMNS], MAKER_COLUMNS)


class MakersCache:
    """The last few :class:`MakersIndex` objects of the current data generation."""

    def __init__(self):
        self._indexes: list[MakersIndex] = []
        self._dicts: tuple[int, dict] | None = None
        self._lock = threading.Lock()

    def makers(self, conn, generation: int, product_ids, scope: Scope | None, side: str) -> pd.DataFrame:
        if side not in ("inside", "outside", "unknown", "all"):
            raise ValueError(f"side must be inside, outside, unknown or all, not {side!r}")
        ids = list(dict.fromkeys(str(p) for p in product_ids))
        return self._index(conn, generation, ids, scope, side).makers(ids, scope, side)

    def prefetch(self, conn, generation: int, product_ids) -> None:
        """Make sure one index covers ``product_ids`` (built now if none does) — from the row tables
        only: with current derived tables each later call reads just the parts it needs, which
        costs less than one read of every maker of every product."""
        if not derived.current(conn, generation):
            self._index(conn, generation, list(dict.fromkeys(str(p) for p in product_ids)))

    def _index(self, conn, generation: int, ids: list[str], scope: Scope | None = None,
               side: str = "all") -> MakersIndex:
        """An index covering ``ids`` and every maker ``side`` can return for ``scope``: a cached one, or
        one read now — from the derived tables only the parts the request can touch (plus those
        of a cached index of the same products, so a diagnosis' inside and unknown calls share one)."""
        for idx in list(self._indexes):
            if idx.generation == generation and idx.covers.issuperset(ids) and idx.parts is None:
                return idx
        with self._lock:
            if not derived.current(conn, generation):  # a store written before the derived tables: the row tables
                idx = MakersIndex(conn, generation, ids)
            else:
                dicts = self._dictionaries(conn, generation)
                need = derived.parts_for(dicts, scope, side)
                for old in self._indexes:
                    if old.generation == generation and old.covers.issuperset(ids) and need is not None \
                            and old.parts is not None and old.parts >= need:
                        return old
                if need is not None:
                    need = need.union(*(o.parts for o in self._indexes if o.parts is not None
                                        and o.generation == generation and o.covers == frozenset(ids)))
                idx = MakersIndex.from_derived(conn, dicts, generation, ids, need)
            self._indexes = [idx] + [i for i in self._indexes if i.generation == generation][:KEEP - 1]
        return idx

    def _dictionaries(self, conn, generation: int) -> dict:
        if self._dicts is None or self._dicts[0] != generation:
            self._dicts = (generation, derived.dictionaries(conn))
        return self._dicts[1]

    def drop(self) -> None:
        self._indexes = []
        self._dicts = None
