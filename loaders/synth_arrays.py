"""Array helpers shared by the synthetic-data modules (:mod:`loaders.synth` and its parts)."""
from __future__ import annotations

import numpy as np
import pandas as pd

LIST_JOIN = ";"     # list cells (tags, industries, aliases) as raw text


def frame(columns: dict) -> pd.DataFrame:
    """A DataFrame that keeps object arrays as object columns (no conversion to pandas' str
    dtype: the values stay Python str/None, as an ImportBatch holds them)."""
    return pd.DataFrame({k: pd.Series(v, dtype=object) if isinstance(v, np.ndarray) and v.dtype == object else v
                         for k, v in columns.items()})


def pick(start: np.ndarray, count: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index of a uniform pick in [start, start + count) per element (count > 0)."""
    return start + np.minimum((u * count).astype(np.int64), count - 1)


def cn_number(k: int) -> str:
    """``k`` in Chinese numerals below 100 (二, 十一, 九十九), else in digits.

    >>> [cn_number(k) for k in (2, 10, 11, 20, 99, 100)]
    ['二', '十', '十一', '二十', '九十九', '100']
    """
    digits = "零一二三四五六七八九"
    if k < 10:
        return digits[k]
    tens, ones = divmod(k, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "") if k < 100 else str(k)
