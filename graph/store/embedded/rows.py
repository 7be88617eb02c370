"""One import table's rows on their way into SQLite, column by column, and the bulk INSERT.

A batch's table comes either as a DataFrame (import columns, :mod:`graph.model`) or column-wise
from the validator: per column the values of its distinct cells and, per row, the index of its
cell (``batch.tables.columnar(name)``, see :class:`Rows`). The column-wise form is encoded for
SQLite once per distinct value, never builds a Python object per cell beyond the tuples SQLite
binds, and tells constant columns at a glance.

:func:`insert` writes ``K`` rows per statement (multi-row ``VALUES``; the per-row overhead of
``executemany`` is most of the time of a bulk load) and puts a column whose value is the same on
every row of a chunk (source, as_of, an empty list …) into the statement as a literal instead of
binding it per row. Results are exactly those of one ``INSERT … VALUES (?, …)`` per row, in order
(a repeated key: the last row wins).

>>> literal("2024-12-31"), literal("it's"), literal(None), literal(1), literal(0.5)
("'2024-12-31'", "'it''s'", 'NULL', '1', None)
"""
from __future__ import annotations

from collections import Counter
from itertools import repeat

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph import schema
from graph.store.embedded.codec import cols_sql, encode_columns, encode_values, q

CHUNK = 50_000          # rows per chunk (and per progress call)
PARAMS = 30_000         # bound values per statement at most (SQLite allows 32,766)
ROWS_PER_STATEMENT = 256


def literal(v) -> str | None:
    """``v`` as an SQL literal when it can stand in the statement exactly (text, integers, NULL);
    None for what must be bound (floats: SQLite's parsing of a decimal may differ in the last bit)."""
    if v is None:
        return "NULL"
    if type(v) is int:
        return str(v)
    if type(v) is str and "\x00" not in v:
        return "'" + v.replace("'", "''") + "'"
    return None


class Rows:
    """The rows of one import table, as SQLite values per column.

    ``columnar`` maps column -> ``(codes, values)`` (``values``: the import values of the distinct
    cells, ``codes``: per row the index into them); otherwise ``df`` holds the import columns."""

    def __init__(self, table: schema.Table, df: pd.DataFrame | None = None, columnar: dict | None = None):
        self.table = table
        self.df = df
        self.columnar = columnar
        self.coded = None
        if columnar is not None:
            self.coded = [(np.asarray(codes), encode_values(values, c.kind)) for c, (codes, values)
                          in ((c, columnar[c.name]) for c in table.columns)]
            self.n = len(self.coded[0][0]) if self.coded else 0
            if len(table.key) > 1:
                self._sort_by_key()
        else:
            self.n = len(df)

    def __len__(self) -> int:
        return self.n

    def frame(self):
        """The rows as import values: ``df``, or for column-wise rows a read-only stand-in for it
        (``len``, ``columns``, ``index``, ``[column]``) that makes each column only when asked."""
        return self.df if self.columnar is None else _ColumnFrame(self.table, self.columnar)

    def _sort_by_key(self) -> None:
        """Put the rows in key order (stable: rows with the same key keep their order, so the last
        still wins). A table with a composite key is stored WITHOUT ROWID, ordered by its key:
        rows in that order are appended instead of inserted all over the B-tree."""
        names = self.table.column_names
        ranks = []
        for k in self.table.key:
            codes, values = self.coded[names.index(k)]
            try:
                texts = pa.array(values, pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                return
            if texts.null_count:
                return
            rank = np.arange(len(texts), dtype=np.int64)
            if len(texts) > 1 and not pc.all(pc.less(texts.slice(0, len(texts) - 1), texts.slice(1))).as_py():
                rank[pc.sort_indices(texts).to_numpy()] = np.arange(len(texts))   # (not already in order)
            ranks.append(rank[codes])
        if self.n < 2:
            return
        combined = ranks[0]
        for r in ranks[1:]:
            combined = combined * (int(r.max()) + 1) + r
        if (np.diff(combined) >= 0).all():
            return                                  # already in key order (e.g. a sorted export)
        perm = np.argsort(combined, kind="stable")
        self.coded = [(codes[perm], values) for codes, values in self.coded]

    def chunk(self, start: int, stop: int) -> list[tuple[bool, object]]:
        """Per column ``(constant, value)`` for rows ``start:stop``: ``(True, v)`` when every row holds
        ``v``, else ``(False, per-row values)``."""
        if self.coded is not None:
            out = []
            for codes, values in self.coded:
                c = codes[start:stop]
                if len(c) and c.min() == c.max():
                    out.append((True, values[c[0]]))
                else:
                    out.append((False, values.take(c)))
            return out
        return [(_constant(col), col[0] if _constant(col) else col)
                for col in encode_columns(self.table, self.df.iloc[start:stop])]

    def distinct(self, column: str) -> list:
        """The distinct SQLite values of ``column`` in these rows (None among them when a cell is empty)."""
        i = self.table.column_names.index(column)
        if self.coded is not None:
            codes, values = self.coded[i]
            return values[np.bincount(codes, minlength=len(values)) > 0].tolist() if len(codes) else []
        if column not in self.df.columns:
            return [None] if self.n else []
        return list(set(encode_columns(self.table, self.df[[column]])[i]))


class _ColumnFrame:
    """Just enough of a DataFrame over column-wise rows (see :meth:`Rows.frame`): text columns as
    Arrow strings and number columns as float64 when every value is one (taken per distinct value,
    not made per row), anything else as objects."""

    def __init__(self, table: schema.Table, columnar: dict):
        self.columns, self._columnar, self._kinds = table.column_names, columnar, {c.name: c.kind for c in table.columns}
        self.index = pd.RangeIndex(len(columnar[self.columns[0]][0]) if self.columns else 0)

    def __len__(self) -> int:
        return len(self.index)

    def coded(self, name: str) -> tuple[np.ndarray, pd.Series]:
        """(per row the index of its cell, the column's distinct cells as ``self[name]`` types them)."""
        codes, values = self._columnar[name]
        one = _ColumnFrame.__new__(_ColumnFrame)
        one.columns, one._kinds = [name], self._kinds
        one._columnar, one.index = {name: (np.arange(len(values)), values)}, pd.RangeIndex(len(values))
        return np.asarray(codes), one[name]

    def __getitem__(self, name: str) -> pd.Series:
        codes, values = self._columnar[name]
        kind, vals = self._kinds[name], values.tolist()
        if kind not in ("list", "bool", "int", "float", "share") and all(type(v) is str or v is None for v in vals):
            arr = pa.array(vals, pa.string()).take(pa.array(codes))
            return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=self.index, copy=False)
        if kind in ("int", "float", "share") and all(type(v) in (int, float) or v is None for v in vals):
            nums = np.array([np.nan if v is None else v for v in vals], dtype=np.float64)
            return pd.Series(nums.take(codes), index=self.index, copy=False)
        return pd.Series(values.take(codes) if len(codes) else np.empty(0, dtype=object), index=self.index,
                         dtype=object, copy=False)


def _constant(col: list) -> bool:
    return bool(col) and col.count(col[0]) == len(col) and literal(col[0]) is not None


def _statement(target: str, table: schema.Table, consts: dict[int, str], rows: int) -> str:
    names = table.column_names
    one = "(" + ", ".join(consts.get(i, "?") for i in range(len(names))) + ")"
    return (f"INSERT INTO {target} ({cols_sql(names)}) VALUES {', '.join(repeat(one, rows))} "
            f"ON CONFLICT ({cols_sql(table.key)}) DO UPDATE SET "
            + ", ".join(f"{q(c)} = excluded.{q(c)}" for c in names if c not in table.key))


def _prepare(rows: Rows, target: str, start: int, stop: int) -> tuple[list, Counter]:
    """The statements and parameters writing rows ``start:stop``, and their provenance counts."""
    table, n = rows.table, stop - start
    parts = rows.chunk(start, stop)
    consts = {i: literal(v) for i, (const, v) in enumerate(parts) if const and literal(v) is not None}
    bound = [i for i in range(len(table.columns)) if i not in consts]
    work = []
    if not bound:
        work.append((_statement(target, table, consts, 1), [()] * n))
    else:
        grid = np.empty((n, len(bound)), dtype=object)
        for j, i in enumerate(bound):
            grid[:, j] = parts[i][1]
        k = max(1, min(ROWS_PER_STATEMENT, PARAMS // len(bound)))
        full = n // k * k
        if full:
            work.append((_statement(target, table, consts, k), grid[:full].reshape(full // k, k * len(bound)).tolist()))
        if full < n:
            work.append((_statement(target, table, consts, 1), grid[full:].tolist()))
    prov_at = [table.column_names.index(c) for c in ("source", "as_of", "illustrative")]
    if all(parts[i][0] for i in prov_at):
        prov = Counter({tuple(parts[i][1] for i in prov_at): n})
    else:
        prov = Counter(zip(*(repeat(parts[i][1], n) if parts[i][0] else parts[i][1] for i in prov_at)))
    return work, prov


def insert(conn, target: str, rows: Rows, progress) -> Counter:
    """Insert ``rows`` into ``target`` (a table laid out as ``rows.table``); a repeated key: the last
    row wins. Returns the rows per ``(source, as_of, illustrative)`` of what was sent."""
    table, total = rows.table, len(rows)
    prov: Counter = Counter()
    progress(table.name, 0, total)
    for start in range(0, total, CHUNK):
        stop = min(total, start + CHUNK)
        work, counted = _prepare(rows, target, start, stop)
        for sql, params in work:
            conn.executemany(sql, params)
        prov.update(counted)
        progress(table.name, stop, total)
    return prov
