"""Normalised ImportBatch tables built in code (CKG, 企业名录, the chain drafter) rather than
through :func:`loaders.validate.validate`: :func:`table_frame` shapes rows as an import table,
:func:`merge_stored` completes rows from the store, :func:`check_batch` checks the contract.
"""
from __future__ import annotations

import pandas as pd

from graph import schema
from graph.errors import InputProblem
from graph.model import table_frame  # noqa: F401  (re-exported for the loaders)
from graph.text import isin

def merge_stored(new: pd.DataFrame, stored: pd.DataFrame | None, table: str = "enterprises",
                 prefer: str = "new") -> pd.DataFrame:
    """Rows of ``new`` whose key is already ``stored``, completed from the stored row: a scalar
    column takes ``prefer``'s value when it has one, else the other's; list columns (tags,
    industries, aliases) are the union, stored items first. Provenance columns stay ``new``'s.

    >>> old = pd.DataFrame({"enterprise_id": ["E1"], "name": ["甲"], "region": ["140800"], "tags": [["规上"]]})
    >>> new = pd.DataFrame({"enterprise_id": ["E1"], "name": ["甲公司"], "region": [None], "tags": [["上市"]]})
    >>> merge_stored(new, old)[["name", "region", "tags"]].values.tolist()
    [['甲公司', '140800', ['规上', '上市']]]
    """
    if stored is None or not len(stored) or not len(new):
        return new
    t = schema.TABLES[table]
    key = t.key[0]
    old = stored.drop_duplicates(key).set_index(stored[key].astype(str).rename(None))
    ids = new[key].astype(str).tolist()
    out = new.copy()
    for col in t.columns:
        c = col.name
        if c == key or c in ("source", "as_of", "illustrative") or c not in old.columns:
            continue
        prev = [old.at[i, c] if i in old.index else None for i in ids]
        mine = out[c].tolist() if c in out.columns else [None] * len(out)
        if col.kind == "list":
            out[c] = [list(dict.fromkeys((p if isinstance(p, list) else []) + (m if isinstance(m, list) else [])))
                      for m, p in zip(mine, prev)]
            continue
        blank = lambda v: v is None or v is pd.NA or (isinstance(v, float) and v != v)  # noqa: E731
        first, second = (mine, prev) if prefer == "new" else (prev, mine)
        out[c] = pd.Series([b if blank(a) else a for a, b in zip(first, second)], index=out.index, dtype=object)
    return out


def check_batch(batch, known: dict[str, set[str]] | None = None, file: str = "") -> list:
    """Contract checks on a batch built without :func:`loaders.validate.validate` (vectorised):
    required cells filled, keys unique, every ``ref:`` id present in the batch or in ``known``
    (ids already stored, per node table). Returns InputProblems (empty when consistent)."""
    known = known or {}
    ids = {t: list(set(batch[t][schema.TABLES[t].key[0]].dropna().astype(str).tolist())
                   | set(known.get(t, ()))) for t in schema.NODE_TABLES}
    out = []
    for name, df in batch.tables.items():
        if not len(df):
            continue
        t = schema.TABLES[name]
        for col in t.columns:
            bad = pd.Series(False, index=df.index)
            if col.required:
                bad |= df[col.name].isna()
            if col.kind.startswith("ref:"):
                target = col.kind.split(":", 1)[1]
                vals = df[col.name].astype(object)
                bad |= vals.notna() & ~isin(vals.map(str, na_action="ignore"), ids[target])
            for i in df.index[bad][:20]:
                out.append(InputProblem(file or batch.source, name, None, col.name, str(df.at[i, col.name]),
                                        "缺少值或引用未知 missing value or unknown reference",
                                        f"Load the referenced {col.kind[4:] or 'value'} first."))
        dup = df.duplicated(list(t.key), keep="first")
        for i in df.index[dup][:20]:
            out.append(InputProblem(file or batch.source, name, None, ", ".join(t.key),
                                    " / ".join(str(df.at[i, k]) for k in t.key), "重复的键 duplicate key",
                                    "Each key may appear once."))
    return out
