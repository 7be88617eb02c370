"""Pure helpers of the Neo4j store: values in and out, batch rows, diffs, DataFrames.

No driver here, so everything is tested without a server (tests/graph/store/test_cypher.py).

>>> to_value("list", []) is None, from_value("list", None)
(True, [])
>>> batch_rows("chain_roles", pd.DataFrame([{"chain": "C", "enterprise": "E", "role": "链主",
...     "evidence": None, "source": "s", "as_of": "2024", "illustrative": False}]))
{('E', 'C'): {'role': '链主', 'evidence': None, 'source': 's', 'as_of': '2024', 'illustrative': False}}
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from graph import schema

from graph.store.neo4j import cypher
from graph.errors import InputProblem
from graph.model import TableChange

EXAMPLES = 3            # changed-row examples kept per table
MAX_REF_PROBLEMS = 20   # dangling references reported per column
KIND = {(t.name, c.name): c.kind for t in schema.TABLES.values() for c in t.columns}


def is_missing(v) -> bool:
    return v is None or (pd.api.types.is_scalar(v) and bool(pd.isna(v)))


def to_value(kind: str, v):
    """A batch or stored value as written to Neo4j: missing -> None; lists -> list of str
    (empty -> None, Neo4j has no untyped empty list); numbers and bools as plain Python types."""
    if not isinstance(v, (str, bytes, dict)) and hasattr(v, "__iter__"):
        items = [str(x) for x in v if not is_missing(x)]
        return items or None
    if is_missing(v):
        return None
    if kind == "list":
        return [str(v)]
    if kind == "int":
        return int(v)
    if kind in ("float", "share"):
        return float(v)
    if kind == "bool":
        return bool(v)
    return str(v)


def from_value(kind: str, v):
    """A stored value as returned in a DataFrame (list columns: ``[]`` when none)."""
    if kind == "list":
        return list(v) if v else []
    return v


def key_columns(table: str) -> tuple[str, ...]:
    """Key columns in graph order: the id, or (source column, target column) of a relationship."""
    if table in cypher.REL_ENDPOINTS:
        src_col, _, _, dst_col, _ = cypher.REL_ENDPOINTS[table]
        return src_col, dst_col
    return schema.TABLES[table].key


def batch_rows(table: str, df: pd.DataFrame | None) -> dict:
    """``{key: {non-key column: value}}`` of a batch table; the key is the id for node tables and
    (source id, target id) for relationship tables. A repeated key keeps its last row.
    Converted column by column (a national load has millions of rows)."""
    if df is None or not len(df):
        return {}
    keys = key_columns(table)
    others = [c for c in schema.TABLES[table].column_names if c not in keys]
    key_values = [column_values("str", df[c]) if c in df.columns else [None] * len(df) for c in keys]
    values = [column_values(KIND[table, c], df[c]) if c in df.columns else [None] * len(df) for c in others]
    out = {}
    single = len(keys) == 1
    for key, vals in zip(zip(*key_values), zip(*values)):
        if None not in key:
            out[key[0] if single else key] = dict(zip(others, vals))
    return out


def column_values(kind: str, column: pd.Series) -> list:
    """:func:`to_value` of every value of a column, in one pass."""
    values = column.tolist()
    if kind == "list" or column.dtype == object and any(isinstance(v, (list, tuple)) for v in values[:1]):
        return [to_value(kind, v) for v in values]
    missing = pd.isna(column).tolist()
    conv = {"int": int, "float": float, "share": float, "bool": bool}.get(kind)
    if conv is None:
        return [None if m else (v if type(v) is str else str(v)) for v, m in zip(values, missing)]
    return [None if m else conv(v) for v, m in zip(values, missing)]


def key_text(table: str, key) -> str:
    """A row key as the embedded store shows it: the key columns in table order joined by '|'."""
    if isinstance(key, str):
        return key
    by_column = dict(zip(key_columns(table), key))
    return "|".join(by_column[c] for c in schema.TABLES[table].key)


def diff(table: str, new: dict, old: dict) -> TableChange:
    """Added / changed / unchanged of the ``new`` batch rows against the ``old`` stored ones."""
    change = TableChange(table)
    for key, props in new.items():
        if key not in old:
            change.added += 1
            continue
        fields = {}
        for col, value in props.items():
            before = to_value(KIND[table, col], old[key].get(col))
            if before != value:
                fields[col] = [from_value(KIND[table, col], before), from_value(KIND[table, col], value)]
        if not fields:
            change.unchanged += 1
            continue
        change.changed += 1
        if len(change.examples) < EXAMPLES:
            change.examples.append({"key": key_text(table, key), "fields": fields})
    return change


def references(tables: dict[str, dict]) -> dict[tuple[str, str], set[str]]:
    """``{(table, column): ids}`` referenced by the batch that the batch itself does not define
    (they must already be stored)."""
    defined = {t: set(tables.get(t, {})) for t in schema.NODE_TABLES}
    out = {}
    for table, rows in tables.items():
        keys = key_columns(table)
        for col in schema.TABLES[table].columns:
            if not col.kind.startswith("ref:"):
                continue
            target = col.kind.split(":", 1)[1]
            if col.name in keys and len(keys) > 1:
                values = {k[keys.index(col.name)] for k in rows}
            else:
                values = {p[col.name] for p in rows.values() if p[col.name] is not None}
            if values - defined[target]:
                out[table, col.name] = values - defined[target]
    return out


def ref_problems(missing: dict[tuple[str, str], list[str]], source: str) -> list[InputProblem]:
    """InputProblems (as the embedded store reports them) for ids found nowhere."""
    problems = []
    for (table, col), ids in missing.items():
        target = schema.TABLES[table].column(col).kind.split(":", 1)[1]
        for value in sorted(ids)[:MAX_REF_PROBLEMS]:
            problems.append(InputProblem(
                file=source, sheet=table, row=None, column=col, value=value,
                message=f"引用的 {target} “{value}” 不存在（本批数据和库中都没有）"
                        f"/ references a missing {target} id",
                fix=f"Add “{value}” to sheet {target}, or correct the reference"))
    return problems


def stored_record(table: str, key, props: dict) -> dict:
    """One import-table row from a stored node/relationship (key as from :func:`key_columns`)."""
    keys = key_columns(table)
    row = {c: from_value(KIND[table, c], props.get(c)) for c in schema.TABLES[table].column_names}
    row.update(zip(keys, key if isinstance(key, tuple) else (key,)))
    return row


def frame(records: list[dict], columns: list[str], floats: Iterable[str] = (),
          ints: Iterable[str] = ()) -> pd.DataFrame:
    """Exactly ``columns``; floats as float64 (NaN when missing), ``ints`` as int64, the rest
    object (None when missing) — the embedded store's conventions."""
    df = pd.DataFrame(records, columns=columns, dtype=object)
    for col in floats:
        df[col] = df[col].astype("float64")
    for col in ints:
        df[col] = df[col].astype("int64")
    return df


def float_columns(table: str) -> list[str]:
    return [c.name for c in schema.TABLES[table].columns if c.kind in ("float", "share")]


def ids(values: Iterable) -> list[str]:
    """Distinct ids as str, in the given order."""
    return list(dict.fromkeys(str(v) for v in (values if values is not None else []) if not is_missing(v)))


def chunks(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield i, rows[i:i + size]
