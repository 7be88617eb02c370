"""Tables as JSON values, column by column: what ``graph.analysis.gaps.json_safe(df)`` gives
(records, NaN/NA as None, numpy scalars as Python ones) without visiting each value in Python.

>>> import pandas as pd
>>> json_records(pd.DataFrame({"a": [1.5, float("nan")], "b": ["x", None], "c": [True, False]}))
[{'a': 1.5, 'b': 'x', 'c': True}, {'a': None, 'b': None, 'c': False}]
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def json_columns(df: pd.DataFrame) -> dict[str, list] | None:
    """Each column's values as ``graph.analysis.gaps.json_safe(df.to_dict("records"))`` has them; None when a
    value is not a JSON scalar (lists, dicts …)."""
    if len(df) and not len(df.columns):
        return None
    out = {}
    for j, col in enumerate(df.columns):
        values = json_values(df.iloc[:, j])
        if values is None:
            return None
        out[str(col)] = values
    return out


def json_values(s: pd.Series) -> list | None:
    """One column's values as :func:`json_columns` gives them (None when one is not a JSON scalar).

    >>> json_values(pd.Series([1.0, None])), json_values(pd.Series([[1], None]))
    ([1.0, None], None)
    """
    from graph.analysis.gaps import json_safe
    if s.dtype == np.float64:
        values = s.to_numpy().astype(object)
        values[s.isna().to_numpy()] = None
        return values.tolist()
    if s.dtype in (np.int64, np.bool_):
        return s.tolist()
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) == "boolean":
        objects = s.to_numpy()
        have = ~pd.isna(objects)
        values = np.full(len(objects), None, dtype=object)
        values[have] = objects[have].astype(bool).astype(object)  # Python bools, as item() gives
        return values.tolist()
    if isinstance(s.dtype, pd.StringDtype) or (
            s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")
            and all(v is None or isinstance(v, float) or v is pd.NA or v is pd.NaT for v in s[s.isna()])):
        return s.astype(object).where(s.notna(), None).tolist()
    values = [json_safe(v) for v in s]  # iteration boxes numpy scalars as to_dict does
    return values if all(v is None or isinstance(v, (str, int, float)) for v in values) else None


def json_records(df: pd.DataFrame) -> list[dict]:
    """``json_safe(df)`` (a list of records), built column-wise when every value is a JSON scalar."""
    from graph.analysis.gaps import json_safe
    cols = json_columns(df)
    if cols is None or len(cols) != len(df.columns):  # nested values, or duplicate column names
        return json_safe(df)
    keys = list(cols)
    return [dict(zip(keys, row)) for row in zip(*cols.values())]
