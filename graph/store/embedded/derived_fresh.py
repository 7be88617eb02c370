"""The derived makers tables built from the frames a load has just written, not read back.

When a load bulk-inserts ``enterprises`` and ``enterprise_products`` into empty tables with no
repeated key, the stored rows are exactly the frames' rows, encoded by graph.store.embedded.codec.
Reading three million rows back out of SQLite costs seconds; so the load hands the frames to a
:class:`Fresh` as it writes them, which keeps only the columns the derived tables need (as Arrow
arrays and numpy, not the frames), and :func:`graph.store.embedded.derived.rebuild` takes them from
there — giving the same values the row tables would give: text as stored, floats through SQLite's
own text form (what the row-table read sees), ints truncated, bools 1/0, lists as their JSON text.
tests/graph/store/test_derived.py compares both builds.

>>> import pandas as pd
>>> _text(pd.Series(["a", None, 3], dtype=object)).to_pylist()
['a', '', '3']
"""
from __future__ import annotations

import queue
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.store.embedded.codec import _dump_lists, _encode_column

NEEDED = ("enterprises", "enterprise_products")


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``df``, all missing when the frame has none (as codec.encode_columns writes it)."""
    return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)


def _text(s: pd.Series) -> pa.Array:
    """The stored text of a str column, '' where missing (``ifnull(col, '')``)."""
    try:
        arr = pa.array(s.to_numpy(object) if s.dtype == object else s, pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):     # not all str: as codec.encode_columns writes them
        arr = pa.array(_encode_column(s, "str"), pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.fill_null("")


def _tags(s: pd.Series) -> pa.Array:
    """The stored JSON text of a list column (codec._dump_lists), worked out once per distinct list."""
    try:
        lists = pa.array(s.to_numpy(object), pa.list_(pa.string()), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):     # e.g. a bare str: as codec writes it
        return pa.array(_dump_lists(s.tolist()), pa.string())
    n = pc.list_value_length(lists).fill_null(0)
    key = pc.binary_join_element_wise(pc.binary_join(lists, "\x1f").fill_null(""), n.cast(pa.string()), "\x1e")
    d = pc.dictionary_encode(key)
    texts = []
    for k in d.dictionary.to_pylist():
        joined, count = k.rsplit("\x1e", 1)
        items = joined.split("\x1f") if int(count) else []
        if len(items) != int(count):                 # an element holding the separator
            return pa.array(_dump_lists(s.tolist()), pa.string())
        texts.append(_dump_lists([items])[0])
    return pa.array(texts, pa.string()).take(d.indices)


def _floats(s: pd.Series) -> np.ndarray:
    """float64, NaN where missing, as stored (REAL) before SQLite's text round trip."""
    try:
        return s.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        return np.array([np.nan if v is None else v for v in _encode_column(s, "float")], dtype=float)


def _unchanged(u: np.ndarray) -> np.ndarray:
    """Bool per value: surely the same after SQLite's 15-digit text (it is the double nearest a
    decimal of at most 15 significant digits, found by an exact division or product by 10**k).

    >>> _unchanged(np.array([180.8, 0.1 + 0.2, 1 / 3, 0.0, -0.0, 1e300])).tolist()
    [True, False, False, True, False, False]
    """
    with np.errstate(all="ignore"):
        k = 14 - np.floor(np.log10(np.abs(u)))
        ok = np.isfinite(k) & (np.abs(k) <= 22)
        k = np.where(ok, k, 0)
        scale = 10.0 ** np.abs(k)
        y = np.round(np.where(k >= 0, u * scale, u / scale))
        back = np.where(k >= 0, y / scale, y * scale)
    return (ok & (back == u) & (np.abs(y) < 1e15)) | ((u == 0) & ~np.signbit(u))


def _as_read(conn, values: np.ndarray) -> np.ndarray:
    """``values`` as the row tables give them back: SQLite's text of each REAL (15 significant
    digits), parsed — by SQLite itself, once per distinct value that may change."""
    inv, uniq = pd.factorize(values)          # NaN: code -1
    uniq = np.asarray(uniq, dtype=float)
    odd = np.flatnonzero(~_unchanged(uniq))
    if not len(odd):
        return values
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _derived_floats (i INTEGER PRIMARY KEY, x REAL)")
    conn.execute("DELETE FROM temp._derived_floats")
    conn.executemany("INSERT INTO temp._derived_floats VALUES (?, ?)", enumerate(uniq[odd].tolist()))
    (text,) = conn.execute("SELECT group_concat(x, char(31)) FROM (SELECT x FROM temp._derived_floats ORDER BY i)"
                           ).fetchone()
    conn.execute("DROP TABLE temp._derived_floats")
    uniq[odd] = pc.split_pattern(pa.array([text], pa.large_string()), "\x1f").flatten().cast(pa.float64()).to_numpy()
    out = values.copy()
    ok = inv >= 0
    out[ok] = uniq[inv[ok]]
    return out


def _bools(s: pd.Series) -> np.ndarray:
    """int8: 0/1 as stored (truthiness), 2 where missing."""
    missing = s.isna().to_numpy()
    vals = s.to_numpy(object).copy()
    vals[missing] = False
    return np.where(missing, 2, vals.astype(bool)).astype(np.int8)


def _each(df, name: str, f, repetitive: bool = False):
    """``f(column name of df)`` for an elementwise ``f`` (the value of a row depends on its cell only).
    A column-wise frame (graph.store.embedded.rows, ``df.coded``) gives its distinct cells and per row
    the index of its cell: ``f`` then runs once per distinct cell and the result is taken per row —
    the same values without making a million cells; ``repetitive`` text stays dictionary-coded
    (as :func:`_compact`)."""
    coded = getattr(df, "coded", None)
    if coded is None or name not in df.columns:
        out = f(_col(df, name))
        return _compact(out, True) if repetitive else out
    codes, distinct = coded(name)
    out = f(distinct)
    if isinstance(out, np.ndarray):
        return out[codes]
    if repetitive:
        return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), out)
    return out.take(pa.array(codes, pa.int32()))


def _provenance(df: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Per row a code of its (source, as_of, illustrative); the texts ``source\x1eas_of\x1e1/0/''``."""
    parts, combined = [], np.zeros(len(df), dtype=np.int64)
    for col in ("source", "as_of"):
        d = [None]

        def indices(s: pd.Series) -> np.ndarray:      # of each (distinct) cell's text among the texts
            d[0] = pc.dictionary_encode(_text(s))
            return d[0].indices.to_numpy(zero_copy_only=False)
        at = _each(df, col, indices)
        parts.append(d[0].dictionary.to_pylist())
        combined = combined * len(parts[-1]) + at
    codes, uniq = pd.factorize(combined * 3 + _each(df, "illustrative", _bools))
    n_asof = len(parts[1])
    return codes.astype(np.int32), [f"{parts[0][c // 3 // n_asof]}\x1e{parts[1][c // 3 % n_asof]}\x1e{'01'[c % 3:c % 3 + 1]}"
                                    for c in np.asarray(uniq).tolist()]


def _compact(arr: pa.Array, repetitive: bool) -> pa.Array:
    """``arr`` dictionary-encoded when ``repetitive`` (regions, products, tags …: a few distinct values)."""
    return pc.dictionary_encode(arr) if repetitive else arr


def _plain(arr: pa.Array) -> pa.Array:
    """The plain string array of :func:`_compact`'s result."""
    return arr.dictionary.take(arr.indices) if pa.types.is_dictionary(arr.type) else arr


class Fresh:
    """The makers columns of the frames a load bulk-inserted (see module doc). ``add`` them as the
    tables are written; :meth:`complete` says whether every makers table came this way."""

    def __init__(self):
        self.ent: dict | None = None
        self.makes: dict | None = None

    def add(self, name: str, df: pd.DataFrame) -> None:
        """``df``: every row now in table ``name``, which was empty before (no repeated key).
        Repetitive text is kept dictionary-encoded until :meth:`columns` (the load's peak memory
        is while the batch is still held; the derived build comes after)."""
        if name == "enterprises":
            self.ent = {c: _each(df, c, _text, c != "name" and c != "enterprise_id")
                        for c in ("enterprise_id", "name", "region", "park", "scale", "region_source")
                        if c in df.columns}
            self.ent["tags"] = _each(df, "tags", _tags, True)
            self.ent["revenue"] = _each(df, "revenue", _floats)
            self.ent["employees"] = np.trunc(_each(df, "employees", _floats))    # stored as int: exact text
            self.ent["listed"] = _each(df, "listed", _bools)
        elif name == "enterprise_products":
            self.makes = {"product": _each(df, "product", _text, True), "enterprise": _each(df, "enterprise", _text, True),
                          "share": _each(df, "revenue_share", _floats), "prov": _provenance(df)}

    def complete(self) -> bool:
        return self.ent is not None and self.makes is not None

    def columns(self, conn):
        """(enterprise text columns, enterprise numbers, MAKES columns) as derived.rebuild takes them."""
        n = len(self.ent["enterprise_id"])
        text = {k: _plain(self.ent[k]) if k in self.ent else pa.array([""] * n, pa.string())
                for k in ("enterprise_id", "name", "region", "park", "scale", "tags", "region_source")}
        num = {"revenue": _as_read(conn, self.ent["revenue"]), "employees": self.ent["employees"],
               "listed": self.ent["listed"]}
        m = self.makes
        makes = (_plain(m.pop("product")), _plain(m.pop("enterprise")), _as_read(conn, m["share"]), *m["prov"], False)
        self.ent = self.makes = None
        return text, num, makes



class Building:
    """The derived tables of a first load made in a second thread while SQLite goes on writing (its
    index builds and inserts run outside the GIL): :meth:`add` each fresh frame as soon as its rows
    are inserted, :meth:`start` once both are in; the writer :meth:`drain` s what is made between
    its own chunks (so the thread seldom waits) and :meth:`finish` es before COMMIT.

    The rows of derived_parts come through a small bounded queue (all of them are hundreds of MB);
    :meth:`close` stops the thread and lets everything go (on success and on error). Floats are put
    through SQLite's text on a private in-memory connection: the same library, the same values."""

    ROWS_PER_ITEM, ITEMS = 2000, 16

    def __init__(self):
        self.fresh = Fresh()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="derived")
        self._added: dict[str, Future] = {}
        self._made: Future | None = None
        self._queue: queue.Queue = queue.Queue(self.ITEMS)
        self._stop = threading.Event()
        self._rest = None
        self._ended = False

    @property
    def started(self) -> bool:
        return self._made is not None

    def add(self, name: str, frame) -> None:
        """``frame``: every row now in table ``name`` (as :meth:`Fresh.add`), taken in the thread."""
        self._added[name] = self._pool.submit(self.fresh.add, name, frame)

    def ready(self) -> bool:
        """Were both makers tables added (and the build not started yet)?"""
        return not self.started and all(n in self._added for n in NEEDED)

    def start(self, conn) -> None:
        """Empty the derived tables and begin the build (on the writer's connection, in its transaction)."""
        from graph.store.embedded import derived

        derived.clear(conn)
        self._made = self._pool.submit(self._make, derived.regions_of(conn))

    def _make(self, regions: dict) -> None:
        from graph.store.embedded import derived

        for added in self._added.values():
            added.result()                  # (done before this task: one thread) an add's error is the build's
        floats = sqlite3.connect(":memory:")
        try:
            cols = self.fresh.columns(floats)
        finally:
            floats.close()
        parts, counts, dicts = derived.layout(regions, *cols)
        del cols
        self._put((counts, dicts))
        chunk = []
        for row in parts:
            chunk.append(row)
            if len(chunk) >= self.ROWS_PER_ITEM:
                self._put(chunk)
                chunk = []
        self._put(chunk)
        self._put(None)

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue
        raise RuntimeError("derived build stopped")

    def _take(self, conn, item) -> None:
        if item is None:
            self._ended = True
        elif isinstance(item, tuple):
            self._rest = item
        elif item:
            from graph.store.embedded import derived
            derived.write_parts(conn, item)

    def drain(self, conn) -> None:
        """Write the rows made so far (never waits)."""
        while self.started and not self._ended:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                if self._made.done():
                    self._made.result()      # the thread's error
                return
            self._take(conn, item)

    def finish(self, conn, generation: int) -> None:
        """Write the rest of the derived tables, tagged for ``generation`` (waits for the thread)."""
        from graph.store.embedded import derived

        while not self._ended:
            try:
                self._take(conn, self._queue.get(timeout=0.2))
            except queue.Empty:
                if self._made.done():
                    self._made.result()
                    raise RuntimeError("derived build ended early") from None
        self._made.result()
        derived.write_rest(conn, generation, *self._rest)

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True)
