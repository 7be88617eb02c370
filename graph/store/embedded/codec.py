"""SQLite layout of the embedded store and the conversion of values in and out.

One SQLite table per import table (same name, same columns, the natural key as primary key).
Lists are JSON text, bools 0/1, floats REAL. Identifiers are always quoted and come from
graph.schema only.

>>> q("supplies")
'"supplies"'
>>> df = pd.DataFrame({"code": ["140800"], "name": ["运城市"], "level": ["city"], "parent": [None],
...                    "lon": [111.0], "lat": [None], "source": ["s"], "as_of": ["2024"], "illustrative": [False]})
>>> encode_chunk(schema.TABLES["regions"], df)
[('140800', '运城市', 'city', None, 111.0, None, 's', '2024', 0)]
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from graph import schema

SCHEMA_VERSION = 1

# Secondary indexes: one per query path (the key already indexes its leading column).
INDEXES = {
    "regions": [("parent",)],
    "products": [("name",)],
    "chain_products": [("product",)],
    "product_flows": [("to_product",)],
    "product_subclasses": [("parent",)],
    "parks": [("region",), ("counted_for",)],
    "park_chains": [("chain",)],
    "enterprises": [("region",), ("park",), ("name",)],
    "enterprise_products": [("product", "enterprise")],
    "chain_roles": [("enterprise",)],
    "supplies": [("customer",)],
}


def q(ident: str) -> str:
    """Quote an identifier taken from graph.schema."""
    return '"' + ident.replace('"', '""') + '"'


def cols_sql(names, prefix: str = "") -> str:
    return ", ".join(prefix + q(n) for n in names)


def sql_type(kind: str) -> str:
    if kind in ("float", "share"):
        return "REAL"
    if kind in ("int", "bool"):
        return "INTEGER"
    return "TEXT"


def create_table_sql(table: schema.Table, name: str | None = None, temp: bool = False) -> str:
    cols = ", ".join(f"{q(c.name)} {sql_type(c.kind)}" for c in table.columns)
    rowid = "" if len(table.key) == 1 else " WITHOUT ROWID"
    return (f"CREATE {'TEMP ' if temp else ''}TABLE IF NOT EXISTS {q(name or table.name)} "
            f"({cols}, PRIMARY KEY ({cols_sql(table.key)})){rowid}")


def index_sql(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every secondary index of ``table``."""
    out = []
    for cols in INDEXES.get(table, []):
        name = q("ix_" + table + "_" + "_".join(cols))
        out.append((name, f"CREATE INDEX IF NOT EXISTS {name} ON {q(table)} ({cols_sql(cols)})"))
    return out


def ddl() -> list[str]:
    """Statements creating every table and index (idempotent). ``provenance`` keeps the
    sources() summary up to date on every write, so it never scans a million rows."""
    out = ["CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v)",
           "CREATE TABLE IF NOT EXISTS provenance (tbl TEXT, source TEXT, as_of TEXT, rows INTEGER, "
           "illustrative_rows INTEGER, PRIMARY KEY (tbl, source, as_of))"]
    from graph.store.embedded.derived import DDL
    out += DDL
    for t in schema.TABLES.values():
        out.append(create_table_sql(t))
        out += [sql for _, sql in index_sql(t.name)]
    return out


# --- batch -> tuples ---------------------------------------------------------------------------
def _dump_lists(vals: list) -> list[str]:
    """JSON text per list value; repeated lists (tags) are encoded once."""
    memo: dict[tuple, str] = {(): "[]"}
    out = []
    for v in vals:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            v = ()
        elif isinstance(v, str):
            v = (v,)
        key = tuple(v)
        text = memo.get(key)
        if text is None:
            text = memo[key] = json.dumps([str(x) for x in key], ensure_ascii=False)
        out.append(text)
    return out


def _encode_column(s: pd.Series, kind: str) -> list:
    """Plain Python values for one column (None for missing)."""
    if kind == "list":
        return _dump_lists(s.tolist())
    missing = s.isna().to_numpy()
    if kind in ("float", "share"):
        if s.dtype == np.float64:   # NaN -> None, the rest Python floats, without a call per value
            return s.astype(object).where(~missing, None).tolist()
        conv = float
    elif kind == "int":
        conv = int
    elif kind == "bool":
        conv = lambda v: 1 if v else 0  # noqa: E731
    else:
        if isinstance(s.dtype, pd.StringDtype) or pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            return s.astype(object).where(~missing, None).tolist() if missing.any() else s.astype(object).tolist()
        conv = lambda v: v if type(v) is str else str(v)  # noqa: E731
    vals = s.tolist()
    if not missing.any():
        return [conv(v) for v in vals]
    return [None if m else conv(v) for v, m in zip(vals, missing.tolist())]


def encode_columns(table: schema.Table, df: pd.DataFrame) -> list[list]:
    """The columns of ``df`` (import columns) as lists of plain Python values."""
    return [_encode_column(df[c.name], c.kind) if c.name in df.columns else [None] * len(df) for c in table.columns]


def encode_values(values, kind: str) -> np.ndarray:
    """Object array of the SQLite values of ``values`` (import values of one column, e.g. the
    distinct cells of a column): the same, value by value, as :func:`encode_columns`.

    >>> encode_values(np.array([["a", "b"], [], None], dtype=object), "list").tolist()
    ['["a", "b"]', '[]', '[]']
    """
    out = np.empty(len(values), dtype=object)
    if len(values):
        out[:] = _encode_column(pd.Series(values, dtype=object), kind)
    return out


def encode_chunk(table: schema.Table, df: pd.DataFrame) -> list[tuple]:
    """Rows of ``df`` (import columns) as tuples ready for ``executemany``."""
    return list(zip(*encode_columns(table, df)))


# --- rows -> DataFrame ----------------------------------------------------------------------
def decode_value(kind: str, v):
    if kind == "list":
        return json.loads(v) if v else []
    if kind == "bool":
        return None if v is None else bool(v)
    if kind in ("float", "share"):
        return float("nan") if v is None else float(v)
    return v


def _decode_lists(vals) -> list[list]:
    """JSON lists decoded once per distinct text; each row still gets its own list."""
    memo: dict = {None: [], "": []}
    out = []
    for v in vals:
        got = memo.get(v)
        if got is None:
            got = memo[v] = json.loads(v)
        out.append(list(got))
    return out


_BOOLS = {None: None, 0: False, 1: True}


def frame(rows: list[tuple], columns: list[str], kinds: dict[str, str] | None = None) -> pd.DataFrame:
    """A DataFrame with exactly ``columns``: floats as float64 (NaN), everything else object
    (None for missing, lists decoded, bools as bool). ``kinds`` maps column -> schema kind.

    Built straight from one array per column (no Series per column, no alignment): the store's
    reads are many small frames, where pandas' per-column overhead was most of the cost.

    >>> frame([("a", 1.5), (None, None)], ["id", "x"], {"x": "float"}).dtypes.astype(str).tolist()
    ['object', 'float64']
    """
    kinds = kinds or {}
    n = len(rows)
    arrays = []
    for name, vals in zip(columns, zip(*rows) if rows else [()] * len(columns)):
        kind = kinds.get(name, "str")
        if kind in ("float", "share"):
            arrays.append(np.array(vals, dtype=float))  # None -> NaN
        elif kind == "list":
            arrays.append(np.fromiter(_decode_lists(vals), dtype=object, count=n))
        elif kind == "bool":
            arrays.append(np.fromiter((_BOOLS.get(v, bool(v)) for v in vals), dtype=object, count=n))
        else:
            arrays.append(np.fromiter(vals, dtype=object, count=n))
    return columns_frame(arrays, columns)


def columns_frame(arrays: list, columns: list[str]) -> pd.DataFrame:
    """The DataFrame of these column arrays (numpy arrays of one length, kept as they are: no
    dtype inference, no alignment; a RangeIndex), as ``pd.DataFrame(dict(zip(columns, (pd.Series(a,
    dtype=a.dtype) for a in arrays))))`` would build it, at a fraction of the cost for small frames.

    >>> columns_frame([np.array(["a"], dtype=object), np.array([1.5])], ["id", "x"]).dtypes.astype(str).tolist()
    ['object', 'float64']
    """
    n = len(arrays[0]) if arrays else 0
    try:    # pandas' own constructor for this case (2.2-3.1); private, so a plain build stands behind it
        return pd.DataFrame._from_arrays(arrays, columns=pd.Index(columns), index=pd.RangeIndex(n),
                                         verify_integrity=False)
    except (AttributeError, TypeError):
        return pd.DataFrame({c: pd.Series(a, dtype=a.dtype) for c, a in zip(columns, arrays)},
                            columns=columns, index=pd.RangeIndex(n))


def kinds_of(table: str, rename: dict[str, str] | None = None) -> dict[str, str]:
    """Column kinds of an import table, optionally under other output names."""
    rename = rename or {}
    return {rename.get(c.name, c.name): c.kind for c in schema.TABLES[table].columns}

