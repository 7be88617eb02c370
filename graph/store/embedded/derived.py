"""Columnar copies of the makers data, rebuilt inside every load transaction.

A gap analysis asks ``makers()`` for the few hundred products of one chain; at national scale that
is ~170k MAKES rows and as many enterprises, which take about a second to pull out of the row
tables. So every write that changes data rebuilds, in the same transaction (so they can never
disagree with the tables), two derived tables:

- ``derived_makes (product, data)``: per product, its MAKES rows in enterprise-id order with
  everything ``makers()`` returns about them, as one Arrow IPC stream: enterprise_id, name,
  region/park/scale/tags/provenance as int32 codes (-1 = missing) into the dictionaries below,
  revenue, employees (float, NaN = unknown), listed (int8: 0, 1, 2 = unknown), revenue_share.
  A chain's analysis reads only its products' rows (a few MB at a million enterprises).
- ``derived (name, data)``: ``dicts`` — the dictionaries (JSON: region, park, scale, tags as JSON
  text, prov as [source, as_of, illustrative]); ``generation`` — the data generation they were
  built for.

A reader checks ``generation`` against the store's in its read transaction and uses them only when
they match (stores written by an older version fall back to the row tables), so results are the
same either way; tests/graph/store/test_derived.py compares both paths.

>>> import pyarrow as pa
>>> _blank_null(pa.array(["a", ""])).to_pylist()
['a', None]
"""
from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DDL = ["CREATE TABLE IF NOT EXISTS derived (name TEXT PRIMARY KEY, data BLOB)",
       "CREATE TABLE IF NOT EXISTS derived_makes (product TEXT PRIMARY KEY, data BLOB)"]
TABLES = ("derived", "derived_makes")
SOURCES = ("enterprises", "enterprise_products")          # the row tables they are made from
CODED = ("region", "park", "scale", "tags", "prov")       # int32 codes into the ``dicts`` entry
_SEP = "\x1f"
BLOCK = 1 << 18          # MAKES rows per slab while writing derived_makes (bounds the build's memory)
_PROV = "ifnull(source, '') || char(30) || ifnull(as_of, '') || char(30) || ifnull(illustrative, '')"


# --- build (inside the write transaction) ----------------------------------------------------------
def _columns(conn, exprs: list[str], source: str) -> list[pa.StringArray]:
    """Text columns of ``SELECT exprs FROM source`` as Arrow string arrays, in one scan: one
    ``group_concat`` per column, split in Arrow (no Python string per value); rows one by one when a
    value holds the separator."""
    inner = ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
    aggs = ", ".join(f"group_concat(c{i}, char(31))" for i in range(len(exprs)))
    n, *texts = conn.execute(f"SELECT count(*), {aggs} FROM (SELECT {inner} FROM {source})").fetchone()
    if not n:
        return [pa.array([], pa.string()) for _ in exprs]
    cols = [pc.split_pattern(pa.array([t], pa.large_string()), _SEP).flatten().cast(pa.string()) for t in texts]
    del texts
    if all(len(c) == n for c in cols):
        return cols
    rows = conn.execute(f"SELECT {inner} FROM {source}").fetchall()
    return [pa.array([str(v) for v in col], pa.string()) for col in zip(*rows)]


def _blank_null(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def _encode(arr: pa.Array) -> tuple[np.ndarray, list]:
    """(int32 codes, -1 for null; the distinct values)."""
    d = pc.dictionary_encode(arr)
    return d.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32), d.dictionary.to_pylist()


def rebuild(conn, generation: int) -> None:
    """Recompute the derived tables from the row tables (inside the caller's write transaction)."""
    for t in TABLES:
        conn.execute(f"DELETE FROM {t}")
    ids, name, region, park, scale, revenue, employees, listed, tags = _columns(
        conn, ["enterprise_id", "ifnull(name, '')", "ifnull(region, '')", "ifnull(park, '')", "ifnull(scale, '')",
               "ifnull(revenue, 'nan')", "ifnull(employees, '')", "ifnull(listed, '')", "ifnull(tags, '[]')"],
        "enterprises")
    dicts, ent = {}, {"enterprise_id": ids, "name": name}
    for key, arr in (("region", _blank_null(region)), ("park", _blank_null(park)), ("scale", _blank_null(scale)),
                     ("tags", tags)):
        ent[key], dicts[key] = _encode(arr)
    ent["revenue"] = revenue.cast(pa.float64()).to_numpy(zero_copy_only=False)
    ent["employees"] = _blank_null(employees).cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
    ent["listed"] = np.where(pc.equal(listed, "").to_numpy(zero_copy_only=False), 2,
                             pc.equal(listed, "1").to_numpy(zero_copy_only=False)).astype(np.int8)
    del name, region, park, scale, revenue, employees, listed, tags
    product, who, share, prov = _columns(conn, ["product", "enterprise", "ifnull(revenue_share, 'nan')", _PROV],
                                         "enterprise_products ORDER BY enterprise, product")
    pos = pc.index_in(who, value_set=ids).to_numpy(zero_copy_only=False).astype(np.int64)
    del who
    prov_codes, prov_uniq = _encode(prov)
    dicts["prov"] = [[x or None for x in u.split("\x1e")[:2]] + [{"1": True, "0": False}.get(u.split("\x1e")[2])]
                     for u in prov_uniq]
    p_codes, p_uniq = _encode(product)
    del product
    order = np.argsort(p_codes, kind="stable")   # rows came by enterprise: now (product, enterprise)
    pos, p_codes, prov_codes = pos[order], p_codes[order], prov_codes[order]
    share = share.cast(pa.float64()).to_numpy(zero_copy_only=False)[order]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(p_codes, minlength=len(p_uniq)))])

    def blobs():   # products in groups of about BLOCK rows: the 3M-row columns are never built whole
        start = 0
        while start < len(p_uniq):
            stop = max(start + 1, int(np.searchsorted(bounds, bounds[start] + BLOCK, side="right")) - 1)
            a0, b0 = bounds[start], bounds[stop]
            at = pos[a0:b0]
            block = pa.table({
                "enterprise_id": ent["enterprise_id"].take(at), "name": ent["name"].take(at),
                **{k: ent[k][at] for k in ("region", "park", "scale", "tags", "revenue", "employees", "listed")},
                "share": share[a0:b0], "prov": prov_codes[a0:b0]})
            for i in range(start, stop):
                yield p_uniq[i], _ipc(block.slice(bounds[i] - a0, bounds[i + 1] - bounds[i]))
            start = stop
    conn.executemany("INSERT INTO derived_makes VALUES (?, ?)", blobs())
    conn.execute("INSERT INTO derived VALUES ('dicts', ?)", (json.dumps(dicts, ensure_ascii=False),))
    conn.execute("INSERT INTO derived VALUES ('generation', ?)", (str(generation),))


def retag(conn, generation: int) -> None:
    """Mark the derived tables as built for ``generation`` (a write that left SOURCES as they were)."""
    conn.execute("UPDATE derived SET data = ? WHERE name = 'generation'", (str(generation),))


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


# --- read ------------------------------------------------------------------------------------------
def current(conn, generation: int) -> bool:
    """Are the derived tables there and built for ``generation``?"""
    try:
        row = conn.execute("SELECT data FROM derived WHERE name = 'generation'").fetchone()
    except Exception:  # noqa: BLE001  (a store made before the derived tables existed)
        return False
    return row is not None and str(row[0]) == str(generation)


def dictionaries(conn) -> dict:
    """The code dictionaries: region, park, scale (object arrays with None last, so code -1 gives
    None), tags (object array of lists), prov (list of [source, as_of, illustrative])."""
    row = conn.execute("SELECT data FROM derived WHERE name = 'dicts'").fetchone()
    d = json.loads(row[0]) if row else {k: [] for k in CODED}
    out = {k: _with_none(d[k]) for k in ("region", "park", "scale")}
    out["tags"] = _objects([json.loads(t) for t in d["tags"]])
    out["prov"] = d["prov"]
    return out


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _with_none(values: list) -> np.ndarray:
    return _objects(list(values) + [None])


def fetch(conn, products: list[str]) -> tuple[list[str], dict[str, np.ndarray | pa.Array], np.ndarray]:
    """The stored MAKES rows of ``products`` (sorted; products without makers left out):
    (products found, columns over all their rows, rows per product)."""
    found = conn.execute("SELECT product, data FROM derived_makes WHERE product IN (SELECT value FROM json_each(?)) "
                         "ORDER BY product", (json.dumps(products, ensure_ascii=False),)).fetchall()
    tables = [pa.ipc.open_stream(pa.py_buffer(d)).read_all() for _, d in found]
    sizes = np.array([t.num_rows for t in tables], dtype=np.int64)
    if not tables:
        return [], {}, sizes
    t = pa.concat_tables(tables).combine_chunks()
    cols = {c: (t.column(c).combine_chunks() if c in ("enterprise_id", "name") else t.column(c).to_numpy())
            for c in t.column_names}
    return [p for p, _ in found], cols, sizes


def take_text(arr, idx: np.ndarray) -> np.ndarray:
    """Object array of ``arr[idx]`` (an Arrow string array or a numpy object array)."""
    if isinstance(arr, np.ndarray):
        return arr[idx]
    return arr.take(pa.array(idx, pa.int64())).to_numpy(zero_copy_only=False).astype(object)
