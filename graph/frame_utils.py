"""Vectorised helpers over store DataFrames: list columns (tags), Scope membership."""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph.store import Scope


def as_lists(s: pd.Series) -> pd.Series:
    """A list column with None/NaN/str turned into lists."""
    return s.map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else
                 ([] if v is None or (isinstance(v, float) and np.isnan(v)) else [str(v)]))


def has_tag(tags: pd.Series, *wanted: str) -> pd.Series:
    """Vectorised: does each row's tag list contain any of ``wanted``?"""
    if len(tags) == 0:
        return pd.Series(False, index=tags.index, dtype=bool)
    ex = tags.reset_index(drop=True).explode()  # lists -> one row each; None stays NaN
    hit = ex.isin(list(wanted))
    found = hit.groupby(level=0).any().reindex(range(len(tags)), fill_value=False).to_numpy(bool)
    return pd.Series(found, index=tags.index, dtype=bool)


def tag_flags(tags: pd.Series, wanted) -> dict[str, pd.Series]:
    """Vectorised: for each tag in ``wanted``, does each row's tag list contain it? (one explode)"""
    ex = tags.reset_index(drop=True).explode()
    pos = ex.index.to_numpy()
    out = {}
    for tag in wanted:
        found = np.zeros(len(tags), dtype=bool)
        found[pos[(ex == tag).fillna(False).to_numpy(bool)]] = True
        out[tag] = pd.Series(found, index=tags.index, dtype=bool)
    return out


def in_scope(region: pd.Series, park: pd.Series, scope: Scope) -> pd.Series:
    """Vectorised Scope membership (same rule as the stores)."""
    park_in = park.isin(list(scope.include_parks))
    park_out = park.isin(list(scope.exclude_parks))
    return (park_in | (region.isin(list(scope.region_codes)) & ~park_out)).astype(bool)
