"""Vectorised helpers over store DataFrames: list columns (tags), Scope membership; a per-store memo
of small derived objects (region tree, small tables) kept until the store's data changes."""
from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict

import numpy as np
import pandas as pd

from graph.store import AtlasStore, Scope

_MEMO: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_MEMO_LOCK = threading.Lock()


def store_generation(store):
    """The store's data generation when it is exact (changes on every write, from any process), else
    None. The contract's default (derived from counts) misses loads that only change properties, so
    stores that keep it get no memo."""
    gen = getattr(type(store), "generation", None)
    if gen is None or gen is AtlasStore.generation:
        return None
    try:
        return store.generation()
    except Exception:  # noqa: BLE001  (a store that cannot tell: just don't memoise)
        return None


def memo(store, key, compute):
    """``compute()``, memoised per store object and ``key`` until ``store.generation()`` changes.

    The generation is read before computing, so a write racing the computation can only make the
    entry look older than it is (recomputed next time), never serve stale data. Values are shared:
    callers must not mutate them."""
    gen = store_generation(store)
    if gen is None:
        return compute()
    try:
        with _MEMO_LOCK:
            slot = _MEMO.setdefault(store, {})
    except TypeError:  # not weak-referenceable
        return compute()
    hit = slot.get(key)
    if hit is not None and hit[0] == gen:
        return hit[1]
    value = compute()
    with _MEMO_LOCK:
        if len(slot) > 256:
            slot.clear()
        slot[key] = (gen, value)
    return value


class StoreLRU:
    """The last ``size`` results of a computation over a store, keyed by the store object, its exact
    data generation and ``key``; each caller gets ``copy(value)``, so changing a result cannot change
    the memo. Stores without an exact generation, and unhashable keys, are never memoised."""

    def __init__(self, size: int):
        self.size = size
        self._items: "OrderedDict[tuple, tuple]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store, key, compute, copy, keep=lambda value: True):
        gen = store_generation(store)
        full = (id(store), gen, key)
        try:
            hit = self._items.get(full) if gen is not None else None
        except TypeError:  # unhashable key
            return compute()
        if hit is not None and hit[0]() is store:
            return copy(hit[1])
        value = compute()   # (the generation was read before: a racing write only makes it look older)
        if gen is not None and keep(value):
            try:
                ref = weakref.ref(store)
            except TypeError:  # not weak-referenceable
                return value
            with self._lock:
                self._items[full] = (ref, copy(value))
                self._items.move_to_end(full)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every kept result (bench/measure.py times the engine's own work this way)."""
        with self._lock:
            self._items.clear()


def as_lists(s: pd.Series) -> pd.Series:
    """A list column with None/NaN/str turned into lists."""
    return s.map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else
                 ([] if v is None or (isinstance(v, float) and np.isnan(v)) else [str(v)]))


def has_tag(tags: pd.Series, *wanted: str) -> pd.Series:
    """Vectorised: does each row's tag list contain any of ``wanted``?"""
    if len(tags) == 0:
        return pd.Series(False, index=tags.index, dtype=bool)
    vals = tags.to_numpy(object)
    if set(map(type, vals)) == {list}:  # what stores return: plain Python per row, one list per tag set
        want = set(wanted)
        first, at = distinct_objects(vals)      # each distinct list object asked once
        try:
            found = np.array([any(t in want for t in vals[i]) for i in first.tolist()], dtype=bool)[at]
        except TypeError:  # unhashable elements
            pass
        else:
            return pd.Series(found, index=tags.index, dtype=bool)
    ex = tags.reset_index(drop=True).explode()  # lists -> one row each; None stays NaN
    hit = ex.isin(list(wanted))
    found = hit.groupby(level=0).any().reindex(range(len(tags)), fill_value=False).to_numpy(bool)
    return pd.Series(found, index=tags.index, dtype=bool)


def _flat_lists(tags: pd.Series):
    """(row position, element) arrays when every value is a list (what stores return), else None."""
    vals = tags.to_numpy(object)
    if set(map(type, vals)) != {list}:
        return None
    lens = np.fromiter(map(len, vals), dtype=np.intp, count=len(vals))
    flat = np.fromiter(itertools.chain.from_iterable(vals), dtype=object, count=int(lens.sum()))
    return np.repeat(np.arange(len(vals)), lens), flat


def distinct_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position of the first row of each distinct object, each row's distinct object) — by
    identity, so it works for unhashable values; stores share one list object per distinct tag list.

    >>> a, b = [1], [2]
    >>> first, at = distinct_objects(np.array([a, b, a, None] + [None], dtype=object)[:4])
    >>> first.tolist(), at.tolist()
    ([0, 1, 3], [0, 1, 0, 2])
    """
    at, first = first_rows(pd.factorize(np.fromiter(map(id, values), dtype=np.int64, count=len(values)))[0])
    return first, at


def first_rows(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, the first row of each code) for ``pd.factorize`` codes without missing values
    (numbered in order of first appearance: a first row is where the running maximum grows).

    >>> [x.tolist() for x in first_rows(np.array([0, 1, 0, 2, 1]))]
    [[0, 1, 0, 2, 1], [0, 1, 3]]
    """
    codes = np.asarray(codes).astype(np.intp, copy=False)
    if len(codes) == 0:
        return codes, np.zeros(0, dtype=np.intp)
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return codes, np.flatnonzero(new)


def map_objects(values, f, dtype=object) -> np.ndarray:
    """``np.array([f(v) for v in values], dtype)``, calling ``f`` once per distinct object (f pure).

    >>> map_objects(np.array([None, True, None], dtype=object), lambda v: v is True, bool).tolist()
    [False, True, False]
    """
    vals = values.to_numpy(object) if hasattr(values, "to_numpy") else np.asarray(values, dtype=object)
    if len(vals) == 0:
        return np.zeros(0, dtype=dtype)
    first, at = distinct_objects(vals)
    out = np.empty(len(first), dtype=dtype)
    out[:] = [f(vals[i]) for i in first] if dtype == object else np.array([f(vals[i]) for i in first], dtype=dtype)
    return out[at]


def tag_arrays(tags, wanted) -> dict[str, np.ndarray] | None:
    """:func:`tag_flags` as bool arrays when every value is a list of hashable items (what stores
    return), worked out once per distinct list object; else None."""
    vals = tags.to_numpy(object) if hasattr(tags, "to_numpy") else np.asarray(tags, dtype=object)
    if len(vals) == 0:
        return {tag: np.zeros(0, dtype=bool) for tag in wanted}
    first, at = distinct_objects(vals)
    reps = [vals[i] for i in first]
    if not all(r.__class__ is list for r in reps):
        return None
    try:
        sets = [set(r) for r in reps]
    except TypeError:  # unhashable elements
        return None
    return {tag: np.fromiter((tag in s for s in sets), dtype=bool, count=len(sets))[at] for tag in wanted}


def tag_flags(tags: pd.Series, wanted) -> dict[str, pd.Series]:
    """Vectorised: for each tag in ``wanted``, does each row's tag list contain it? (one explode)"""
    fast = tag_arrays(tags, wanted)
    if fast is not None:
        return {tag: pd.Series(v, index=tags.index, dtype=bool) for tag, v in fast.items()}
    if len(tags) <= 1000:  # few rows: plain Python beats explode
        vals = tags.to_numpy(object)
        if set(map(type, vals)) <= {list}:
            try:
                sets = [set(v) for v in vals]
            except TypeError:  # unhashable elements
                pass
            else:
                return {tag: pd.Series([tag in s for s in sets], index=tags.index, dtype=bool) for tag in wanted}
    flat = _flat_lists(tags) if len(tags) > 1000 else None
    if flat is not None:
        pos, values = flat
        try:
            codes, uniq = pd.factorize(values)
        except TypeError:  # unhashable elements
            flat = None
    out = {}
    if flat is not None:
        for tag in wanted:
            hit = np.array([u == tag for u in uniq] + [False], dtype=bool)
            found = np.zeros(len(tags), dtype=bool)
            found[pos[hit[codes]]] = True  # code -1 (missing) -> the final False
            out[tag] = pd.Series(found, index=tags.index, dtype=bool)
        return out
    ex = tags.reset_index(drop=True).explode()
    pos = ex.index.to_numpy()
    for tag in wanted:
        found = np.zeros(len(tags), dtype=bool)
        found[pos[(ex == tag).fillna(False).to_numpy(bool)]] = True
        out[tag] = pd.Series(found, index=tags.index, dtype=bool)
    return out


def member(values, wanted) -> np.ndarray:
    """``Series.isin(wanted)`` as a bool array by plain set look-ups (pandas' isin on pyarrow strings
    converts every wanted value to a pyarrow scalar first: slow for a few thousand ids).

    >>> member(pd.Series(["a", None, "c"], dtype="str"), {"a", "b"}).tolist()
    [True, False, False]
    """
    vals = values.to_numpy(object) if hasattr(values, "to_numpy") else np.asarray(values, dtype=object)
    if not wanted or len(vals) == 0:
        return np.zeros(len(vals), dtype=bool)
    wanted = wanted if isinstance(wanted, (set, frozenset, dict)) else set(wanted)
    if any(v is None or (isinstance(v, float) and v != v) for v in wanted):  # missing matches missing
        return pd.Series(vals, dtype=object).isin(list(wanted)).to_numpy(bool)
    return np.fromiter(map(wanted.__contains__, vals.tolist()), dtype=bool, count=len(vals))


def in_scope(region: pd.Series, park: pd.Series, scope: Scope) -> pd.Series:
    """Vectorised Scope membership (same rule as the stores)."""
    if region.index.equals(park.index):
        park_in = member(park, scope.include_parks)
        park_out = member(park, scope.exclude_parks)
        return pd.Series(park_in | (member(region, scope.region_codes) & ~park_out), index=park.index, dtype=bool)
    park_in = park.isin(list(scope.include_parks))
    park_out = park.isin(list(scope.exclude_parks))
    return (park_in | (region.isin(list(scope.region_codes)) & ~park_out)).astype(bool)
