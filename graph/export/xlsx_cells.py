"""How each value of a table becomes an xlsx cell, column by column (graph.export.xlsx writes the rows).

Each value is classified as openpyxl would store it — a number (written with ``%.16g``), text
made xlsx-safe (graph.export.safe.xlsx_text), formula-like (graph.export.safe.is_risky) or not —
with ``pyarrow.compute`` over a whole column; a text column with few distinct values is worked out
once per distinct value.

>>> import pyarrow as pa
>>> p = _texts(pa.array(["=1+1", " 甲", None, "a&b"]))
>>> p.kinds.tolist(), p.payload.to_pylist(), p.risky.tolist(), p.markup, p.edge.tolist()
([2, 2, 0, 2], ['=1+1', ' 甲', '', 'a&b'], [True, False, False, False], True, [False, True, False, False])
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.cell.cell import ERROR_CODES

from graph.export.safe import RISKY_START, XLSX_CELL_LIMIT, is_risky, xlsx_text

# Vectorised equivalents of graph.export.safe (RE2 syntax): XML-illegal control characters,
# formula-like starts, and the characters Python's str.strip() removes (openpyxl marks text with
# such an edge as xml:space="preserve" unless it is all whitespace).
_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_MARKUP = "[&<>]"
_SPECIAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\r&<>]"  # any of the above, CR or markup
_RISKY_SET = pa.array(list(RISKY_START), pa.string())
_SPACES = pa.array([chr(c) for c in range(0x3001) if chr(c).isspace()], pa.string())  # none above U+3000
_ERRORS = pa.array(ERROR_CODES, pa.string())
DISTINCT_MIN = 1000  # text columns at least this long with few distinct values are worked out per distinct value
DISTINCT_SHARE = 2   # "few": at most one distinct value in this many rows (names of makers listed per link: ~1 in 4)


def _classify(values) -> tuple[np.ndarray, list, np.ndarray]:
    """Value by value, exactly as the row would be handed to openpyxl: kind (0 nothing, 1 number,
    2 text), the number as openpyxl writes it or the xlsx-safe text, and whether that text is
    risky. Python bools are 是/否; anything else is text (``str``)."""
    kinds = np.zeros(len(values), dtype=np.int8)
    payload = [""] * len(values)
    risky = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if v is None or v is np.nan:
            continue
        if isinstance(v, (np.integer, int)) and not isinstance(v, (bool, np.bool_)):
            kinds[i], payload[i] = 1, _number(int(v))
        elif isinstance(v, (float, np.floating)):
            if not math.isnan(v):
                kinds[i], payload[i] = 1, _number(float(v))
        elif isinstance(v, (bool, np.bool_)):
            kinds[i], payload[i] = 2, "是" if v else "否"
        else:
            text = xlsx_text(str(v))
            kinds[i], payload[i], risky[i] = 2, text, is_risky(v) or is_risky(text)
    return kinds, payload, risky


def _number(v) -> str:
    """A number as openpyxl writes it (openpyxl.compat.safe_string): ``%.16g``, infinities empty."""
    return "" if isinstance(v, float) and math.isinf(v) else "%.16g" % v


def _numbers(arr: np.ndarray) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """A numeric column: integers (and integral floats below 1e16, where ``%.16g`` prints all
    digits) cast in bulk, other floats formatted one by one."""
    n = len(arr)
    if arr.dtype.kind in "iu":
        ints = arr.astype(np.int64) if arr.dtype.kind == "i" or arr.max(initial=0) < 2 ** 63 else None
        if ints is not None and np.abs(ints).max(initial=0) < 10 ** 16:
            return np.ones(n, dtype=np.int8), pc.cast(pa.array(ints), pa.string()), np.zeros(n, dtype=bool)
        return np.ones(n, dtype=np.int8), pa.array([_number(v) for v in arr.tolist()], pa.string()), \
            np.zeros(n, dtype=bool)
    arr = arr.astype(np.float64)
    ok = ~np.isnan(arr)
    with np.errstate(invalid="ignore"):
        integral = ok & (np.abs(arr) < 1e16) & (arr == np.floor(arr)) & ~((arr == 0) & np.signbit(arr))
    text = pc.cast(pa.array(np.where(integral, arr, 0).astype(np.int64)), pa.string())
    other = ok & ~integral
    if other.any():  # fractions, -0.0, infinities, huge values: each distinct one formatted once
        distinct, where = np.unique(arr[other], return_inverse=True)
        slow = np.full(n, None, dtype=object)
        slow[other] = np.array([_number(v) for v in distinct.tolist()], dtype=object)[where.ravel()]
        text = pc.if_else(pa.array(other), pa.array(slow, pa.string()), text)
    return ok.astype(np.int8), text, np.zeros(n, dtype=bool)


class _Parts(NamedTuple):
    """A column's cells, classified: kind (0 nothing, 1 number, 2 text), the number as openpyxl
    writes it or the xlsx-safe text, risky (formula-like) flags, whether any text holds & < >,
    and the texts openpyxl marks ``xml:space="preserve"`` (None: not worked out yet)."""
    kinds: np.ndarray
    payload: pa.Array
    risky: np.ndarray
    markup: bool
    edge: np.ndarray | None = None


def _texts(raw: pa.Array) -> _Parts:
    """A text column (null = no value): graph.export.safe.xlsx_text and is_risky, vectorised (each
    distinct text once when there are few)."""
    if len(raw) >= DISTINCT_MIN:
        enc = pc.dictionary_encode(raw)
        if 0 < len(enc.dictionary) <= len(raw) // DISTINCT_SHARE:
            return _expand(_texts(enc.dictionary), enc.indices)
    present = _mask(pc.is_valid(raw))
    raw = pc.fill_null(raw, "")
    text = raw
    special = _any(pc.match_substring_regex(raw, _SPECIAL))  # one scan; most columns have none
    if special and _any(pc.match_substring_regex(raw, _ILLEGAL)):
        text = pc.replace_substring_regex(text, _ILLEGAL, "")
    if special and _any(pc.match_substring(text, "\r")):
        text = pc.replace_substring(pc.replace_substring(text, "\r\n", "\n"), "\r", "\n")
    if _any(pc.greater(pc.binary_length(text), XLSX_CELL_LIMIT)):  # bytes >= characters
        long = _mask(pc.greater(pc.utf8_length(text), XLSX_CELL_LIMIT))
    else:
        long = np.zeros(len(text), dtype=bool)
    if long.any():  # rare: cut exactly as export_safe does
        cut = text.to_pylist()
        for i in np.flatnonzero(long).tolist():
            cut[i] = xlsx_text(cut[i])
        text = pa.array(cut, pa.string())
    risky = _mask(pc.is_in(pc.utf8_slice_codeunits(raw, 0, 1), value_set=_RISKY_SET))
    if text is not raw:
        risky |= _mask(pc.is_in(pc.utf8_slice_codeunits(text, 0, 1), value_set=_RISKY_SET))
    kinds = present.astype(np.int8) * 2
    return _Parts(kinds, text, risky & present, special and _any(pc.match_substring_regex(text, _MARKUP)),
                  _edges(text, kinds == 2))


def _expand(distinct: _Parts, indices: pa.Array) -> _Parts:
    """The parts of the distinct texts, at each row's index (null index: no value)."""
    present = _mask(pc.is_valid(indices))
    at = _mask(pc.fill_null(indices, 0)).astype(np.int64)
    payload = distinct.payload.take(pa.array(at))
    if not present.all():
        payload = pc.if_else(pa.array(present), payload, "")
    keep = lambda flags: flags[at] & present  # noqa: E731
    return _Parts(np.where(present, distinct.kinds[at], 0).astype(np.int8), payload, keep(distinct.risky),
                  distinct.markup, keep(distinct.edge))


def _object_parts(s: pd.Series, sample: int) -> tuple[np.ndarray, _Parts] | None:
    """(the first ``sample`` display values, the parts) of a non-empty object column of text or of
    bools (missing values allowed) — what graph.export.tables.display_column then :func:`_column`
    give (missing as no value, bools as 是/否), without building the display column; None for
    any other column.

    >>> _, p = _object_parts(pd.Series([True, None, False], dtype=object), 10)
    >>> p.kinds.tolist(), p.payload.to_pylist()
    ([2, 0, 2], ['是', '', '否'])
    """
    inferred = pd.api.types.infer_dtype(s, skipna=True) if len(s) else ""
    if inferred not in ("string", "boolean"):
        return None
    values = s.to_numpy(object)
    missing = pd.isna(values)
    if inferred == "boolean":   # display_column: 是/否, missing NaN
        out = np.full(len(values), np.nan, dtype=object)
        out[~missing] = np.where(values[~missing].astype(bool), "是", "否")
        values = out
    elif missing.any():         # display_column: missing as None
        values = values.copy()
        values[missing] = None
    return values[:sample], _texts(pa.array(values, pa.string(), from_pandas=True))


def _column(s: pd.Series) -> _Parts:
    """kinds, payload (string array), risky flags and whether any text holds & < > of a display
    column: vectorised for numeric and all-text columns, value by value otherwise."""
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":
        return _Parts(*_numbers(s.to_numpy()), False)
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty") and \
            all(v is None or isinstance(v, float) for v in s[s.isna()]):  # not pd.NA/NaT: those are text
        return _texts(pa.array(s.to_numpy(), pa.string(), from_pandas=True))
    kinds, payload, risky = _classify(list(s))  # iteration gives what itertuples gives
    payload = pa.array(payload, pa.string())
    return _Parts(kinds, payload, risky, _any(pc.match_substring_regex(payload, _MARKUP)))


def _arrow(s: pd.Series) -> pa.Array:
    """The strings of a pyarrow-backed string column (missing values null)."""
    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string())


def _mask(arr) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _any(arr) -> bool:
    return bool(pc.any(arr).as_py())


def _edges(payload: pa.Array, text: np.ndarray) -> np.ndarray:
    """Where openpyxl sets ``xml:space="preserve"``: text with whitespace at an end that is not all
    whitespace (as Python's str.strip sees whitespace)."""
    where = np.zeros(len(payload), dtype=bool)
    if not text.any():
        return where
    edge = _mask(pc.or_(pc.is_in(pc.utf8_slice_codeunits(payload, 0, 1), value_set=_SPACES),
                        pc.is_in(pc.utf8_slice_codeunits(payload, -1), value_set=_SPACES))) & text
    at = np.flatnonzero(edge)
    if len(at):
        where[at] = [bool(v.strip()) for v in payload.take(pa.array(at)).to_pylist()]
    return where
