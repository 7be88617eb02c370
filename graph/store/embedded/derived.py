"""Columnar copies of the makers data, rebuilt inside every load transaction.

A gap analysis asks ``makers()`` for the few hundred products of one chain; at national scale that
is ~170k MAKES rows and as many enterprises, which take about a second to pull out of the row
tables. So every write that changes data rebuilds, in the same transaction (so they can never
disagree with the tables), two derived tables:

- ``derived (name, data)``: ``ents`` — every enterprise in enterprise-id order as one Arrow IPC
  stream (id, name, region/park/scale/tags dictionary-encoded, revenue, employees, listed);
  ``prov`` — the distinct (source, as_of, illustrative) of MAKES facts (JSON); ``generation`` —
  the data generation they were built for.
- ``derived_makes (product, data)``: per product its MAKES rows in enterprise-id order as three
  packed arrays: enterprise position (int32), revenue_share (float64, NaN unknown), provenance
  code (int32, into ``prov``).

A reader checks ``generation`` against the store's in its read transaction and uses them only when
they match (stores written by an older version fall back to the row tables), so results are the
same either way; the tests compare both paths.

>>> import numpy as np
>>> pos, share, prov = unpack(pack(np.array([3, 1], np.int32), np.array([0.5, np.nan]), np.array([0, 0], np.int32)))
>>> pos.tolist(), share.tolist()[0], prov.tolist()
([3, 1], 0.5, [0, 0])
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa

DDL = ["CREATE TABLE IF NOT EXISTS derived (name TEXT PRIMARY KEY, data BLOB)",
       "CREATE TABLE IF NOT EXISTS derived_makes (product TEXT PRIMARY KEY, data BLOB)"]
TABLES = ("derived", "derived_makes")
_SEP = "\x1f"


def pack(pos: np.ndarray, share: np.ndarray, prov: np.ndarray) -> bytes:
    return (pos.astype("<i4").tobytes() + share.astype("<f8").tobytes() + prov.astype("<i4").tobytes())


def unpack(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(data) // 16
    pos = np.frombuffer(data, "<i4", n, 0)
    share = np.frombuffer(data, "<f8", n, 4 * n)
    prov = np.frombuffer(data, "<i4", n, 12 * n)
    return pos, share, prov


def _columns(conn, exprs: list[str], source: str) -> list[list[str]]:
    """Text columns of ``SELECT exprs FROM source`` as lists of str, in one scan (one ``group_concat``
    per column; rows one by one when a value holds the separator)."""
    inner = ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
    aggs = ", ".join(f"group_concat(c{i}, char(31))" for i in range(len(exprs)))
    n, *texts = conn.execute(f"SELECT count(*), {aggs} FROM (SELECT {inner} FROM {source})").fetchone()
    if not n:
        return [[] for _ in exprs]
    cols = [t.split(_SEP) for t in texts]
    if all(len(c) == n for c in cols):
        return cols
    rows = conn.execute(f"SELECT {inner} FROM {source}").fetchall()
    return [[str(v) for v in col] for col in zip(*rows)]


def _dictionary(values: list[str], empty_is_null: bool = True) -> pa.DictionaryArray:
    codes, uniq = pd.factorize(np.asarray(values, dtype=object))
    codes = codes.astype(np.int32)
    if empty_is_null:
        blank = np.flatnonzero(uniq == "")
        mask = codes == blank[0] if len(blank) else None
    else:
        mask = None
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=mask), pa.array(list(uniq), pa.string()))


def rebuild(conn, generation: int) -> None:
    """Recompute the derived tables from the row tables (inside the caller's write transaction)."""
    for t in TABLES:
        conn.execute(f"DELETE FROM {t}")
    ids, *rest = _columns(conn, ["enterprise_id", "ifnull(name, '')", "ifnull(region, '')", "ifnull(park, '')",
                                 "ifnull(scale, '')", "ifnull(revenue, 'nan')", "ifnull(employees, '')",
                                 "ifnull(listed, '')", "ifnull(tags, '[]')"], "enterprises ORDER BY enterprise_id")
    cols = dict(zip(["name", "region", "park", "scale", "revenue", "employees", "listed", "tags"], rest))
    if ids:
        employees = pd.to_numeric(pd.Series(cols["employees"], dtype=object).replace("", None), errors="coerce")
        listed = pd.Series(cols["listed"], dtype=object).map({"1": True, "0": False, "": None})
        ents = pa.table({
            "enterprise_id": pa.array(ids, pa.string()), "name": pa.array(cols["name"], pa.string()),
            "region": _dictionary(cols["region"]), "park": _dictionary(cols["park"]),
            "scale": _dictionary(cols["scale"]), "tags": _dictionary(cols["tags"], empty_is_null=False),
            "revenue": pa.array(np.asarray(cols["revenue"], dtype=float)),
            "employees": pa.array(employees.to_numpy(float), mask=employees.isna().to_numpy(bool)).cast(pa.int64()),
            "listed": pa.array(listed.tolist(), pa.bool_()),
        })
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, ents.schema) as w:
            w.write_table(ents)
        conn.execute("INSERT INTO derived VALUES ('ents', ?)", (sink.getvalue().to_pybytes(),))
    _rebuild_makes(conn, pd.Index(ids, dtype=object))
    conn.execute("INSERT INTO derived VALUES ('generation', ?)", (str(generation),))


def _rebuild_makes(conn, ent_index: pd.Index) -> None:
    prov_expr = "ifnull(source, '') || char(30) || ifnull(as_of, '') || char(30) || ifnull(illustrative, '')"
    product, ent, share, prov = _columns(conn, ["product", "enterprise", "ifnull(revenue_share, 'nan')", prov_expr],
                                         "enterprise_products")
    if not product:
        conn.execute("INSERT INTO derived VALUES ('prov', '[]')")
        return
    share = np.asarray(share, dtype=float)
    prov_codes, prov_uniq = pd.factorize(np.asarray(prov, dtype=object))
    pos = ent_index.get_indexer(pd.Index(ent, dtype=object)).astype(np.int32)
    p_codes, p_uniq = pd.factorize(np.asarray(product, dtype=object))
    order = np.lexsort((pos, p_codes))
    pos, share, prov_codes, p_codes = pos[order], share[order], prov_codes.astype(np.int32)[order], p_codes[order]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(p_codes, minlength=len(p_uniq)))])
    conn.executemany("INSERT INTO derived_makes VALUES (?, ?)", (
        (p, pack(pos[a:b], share[a:b], prov_codes[a:b])) for p, a, b in zip(p_uniq, bounds[:-1], bounds[1:])))
    prov = [[x or None for x in u.split("\x1e")[:2]] + [{"1": True, "0": False}.get(u.split("\x1e")[2])]
            for u in prov_uniq]
    conn.execute("INSERT INTO derived VALUES ('prov', ?)", (json.dumps(prov, ensure_ascii=False),))


def current(conn, generation: int) -> bool:
    """Are the derived tables there and built for ``generation``?"""
    try:
        row = conn.execute("SELECT data FROM derived WHERE name = 'generation'").fetchone()
    except Exception:  # noqa: BLE001  (a store made before the derived tables existed)
        return False
    return row is not None and str(row[0]) == str(generation)


class Enterprises:
    """Every enterprise's maker attributes as arrays, position = rank of the enterprise id."""

    def __init__(self, conn):
        row = conn.execute("SELECT data FROM derived WHERE name = 'ents'").fetchone()
        prov = conn.execute("SELECT data FROM derived WHERE name = 'prov'").fetchone()
        self.prov = json.loads(prov[0]) if prov else []
        t = pa.ipc.open_stream(pa.py_buffer(row[0])).read_all() if row else _EMPTY
        self.n = t.num_rows
        self.ids = _col(t, "enterprise_id")
        self.names = _col(t, "name")
        self.cat = {c: _codes(t.column(c).chunk(0)) for c in ("region", "park", "scale")}
        codes, tag_texts = _codes(_col(t, "tags"), none_last=False)
        tag_lists = np.empty(len(tag_texts), dtype=object)
        tag_lists[:] = [json.loads(x) for x in tag_texts]
        self.tag_codes, self.tag_lists = codes, tag_lists
        self.revenue = _col(t, "revenue").to_numpy(zero_copy_only=False)
        emp = _col(t, "employees")
        self.employees = emp.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        listed = _col(t, "listed")
        self.listed = np.where(listed.is_null().to_numpy(zero_copy_only=False), 2,
                               listed.fill_null(False).to_numpy(zero_copy_only=False).astype(np.int8)).astype(np.int8)


_TYPES = {"enterprise_id": pa.string(), "name": pa.string(), "region": pa.dictionary(pa.int32(), pa.string()),
          "park": pa.dictionary(pa.int32(), pa.string()), "scale": pa.dictionary(pa.int32(), pa.string()),
          "tags": pa.dictionary(pa.int32(), pa.string()), "revenue": pa.float64(), "employees": pa.int64(),
          "listed": pa.bool_()}
_EMPTY = pa.table({k: pa.array([], t) for k, t in _TYPES.items()})


def _col(t: pa.Table, name: str) -> pa.Array:
    return t.column(name).combine_chunks()


def _codes(arr: pa.DictionaryArray, none_last: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(codes with -1 for null, uniques as an object array — with None appended when none_last)."""
    codes = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    uniq = arr.dictionary.to_pylist()
    out = np.empty(len(uniq) + (1 if none_last else 0), dtype=object)
    out[:len(uniq)] = uniq
    return codes, out


def take_text(arr, idx: np.ndarray) -> np.ndarray:
    """Object array of ``arr[idx]`` (an Arrow string array or a numpy object array)."""
    if isinstance(arr, np.ndarray):
        return arr[idx]
    return arr.take(pa.array(idx, pa.int64())).to_numpy(zero_copy_only=False).astype(object)


def fetch_makes(conn, products: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """product -> (enterprise positions, revenue shares, provenance codes) for the stored products."""
    rows = conn.execute("SELECT product, data FROM derived_makes WHERE product IN (SELECT value FROM json_each(?))",
                        (json.dumps(products, ensure_ascii=False),)).fetchall()
    return {p: unpack(d) for p, d in rows}
