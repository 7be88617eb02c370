"""Reference checks of the embedded store's load transaction (graph.store.embedded.write).

Every ``ref:`` cell a load writes must name a row of the target table: one the load wrote
(:class:`Written` keeps their keys, as Arrow strings) or one already stored (looked up in SQL).
A load whose tables were validated inside the write lock (a streamed load) skips them.
"""
from __future__ import annotations

import json
from concurrent.futures import Future

import pyarrow as pa
import pyarrow.compute as pc

from graph import schema
from graph.errors import InputProblem
from graph.model import ImportBatch
from graph.store.embedded.codec import q
from graph.store.embedded.rows import Rows

MAX_REF_PROBLEMS = 20


def _refs(table: schema.Table):
    """(column, target table) for every ``ref:`` column."""
    return [(c.name, c.kind.split(":", 1)[1]) for c in table.columns if c.kind.startswith("ref:")]


def _texts(values) -> pa.Array | None:
    """``values`` as an Arrow string array; None when one is neither text nor None (Arrow infers
    binary for bytes among str, refuses numbers among str: those keep Python's equality).

    >>> _texts(["a", None]).to_pylist(), _texts(["a", b"b"]), _texts(["a", 1]), len(_texts([]))
    (['a', None], None, None, 0)
    """
    try:
        arr = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if pa.types.is_null(arr.type):
        return arr.cast(pa.string())
    return arr if pa.types.is_string(arr.type) else None


class Written:
    """The keys this load wrote, per node table (what a reference may point at besides the stored rows):
    an Arrow string array when they are all text (a million ids in a few MB, not a set of str objects)."""

    def __init__(self):
        self.rows: dict[str, Rows] = {}
        self._keys: dict[str, pa.Array | set] = {}

    def done(self, name: str, batch: ImportBatch | None) -> None:
        """Table ``name`` is written: keep the keys of a node table (later references point at
        them), let the rows go, and tell a batch that can drop what it holds of them."""
        if name in schema.NODE_TABLES:
            self.keys(name)
        self.rows.pop(name, None)
        release = getattr(getattr(batch, "tables", None), "written", None)
        if release is not None:
            release(name)

    def keys(self, table: str) -> pa.Array | set:
        if table not in self._keys:
            rows = self.rows.get(table)
            values = rows.distinct(schema.TABLES[table].key[0]) if rows is not None else []
            arr = _texts(values)
            self._keys[table] = arr if arr is not None else set(values)
        return self._keys[table]


def _unknown(values: list, keys: pa.Array | set) -> list:
    """The values (not None) missing from ``keys``, sorted by their text.

    >>> _unknown(["b", None, "a", "c"], pa.array(["a"])), _unknown([1, None, 2], {2})
    (['b', 'c'], [1])
    """
    arr = _texts(values) if isinstance(keys, pa.Array) else None
    if arr is not None:
        out = arr.filter(pc.invert(pc.is_in(arr, value_set=keys))).drop_null().to_pylist()
    else:
        out = set(values).difference(keys if isinstance(keys, set) else keys.to_pylist()).difference([None])
    return sorted(out, key=str)


def unknown_refs(rows: Rows, written: Written, pool=None) -> dict:
    """Per ``ref:`` column of ``rows`` the ids found nowhere among the rows this load wrote to the target
    table (:func:`_unknown`); with ``pool`` each a Future (Arrow's hashing runs outside the GIL, so
    the check goes on while SQLite writes)."""
    return {col: (pool.submit if pool else lambda f, *a: f(*a))(_unknown, rows.distinct(col), written.keys(target))
            for col, target in _refs(rows.table)}


def missing_refs(conn, rows: Rows, written: Written, also_temp: bool, source: str,
                  unknown: dict | None = None) -> list[InputProblem]:
    """Dangling references in ``rows``: ids found neither among the rows this load wrote to the
    target table nor in the stored target table (nor, with ``also_temp``, in the batch's temp
    copy of it). Checked per distinct id: the batch's own ids in memory (``unknown``: from
    :func:`unknown_refs`), the rest in SQL."""
    problems = []
    table = rows.table
    unknown = unknown_refs(rows, written) if unknown is None else unknown
    for col, target in _refs(table):
        todo = unknown[col].result() if isinstance(unknown[col], Future) else unknown[col]
        if not todo:
            continue
        key = q(schema.TABLES[target].key[0])
        cond = f"NOT EXISTS (SELECT 1 FROM {q(target)} x WHERE x.{key} = v.value)"
        if also_temp:
            cond += f" AND NOT EXISTS (SELECT 1 FROM temp.{q('_in_' + target)} x WHERE x.{key} = v.value)"
        found = conn.execute(f"SELECT v.value FROM json_each(?) v WHERE {cond} ORDER BY 1 LIMIT {MAX_REF_PROBLEMS}",
                             (json.dumps([str(v) for v in todo], ensure_ascii=False),)).fetchall()
        for (value,) in found:
            problems.append(InputProblem(
                file=source, sheet=table.name, row=None, column=col, value=str(value),
                message=f"引用的 {target} “{value}” 不存在（本批数据和库中都没有）/ references a missing {target} id",
                fix=f"Add “{value}” to sheet {target}, or correct the reference"))
    return problems
