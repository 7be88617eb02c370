"""The one formula-safe writer of every CSV, TSV and xlsx the project writes, and cell sizing.

Every face that writes a table file goes through this module (``tests/test_writers.py`` greps the
source tree so a new writer cannot skip it):

- :func:`csv_bytes` / :func:`write_csv` — a DataFrame as CSV or TSV (UTF-8 with BOM by default);
  :func:`csv_rows_text` — rows of dicts/lists as CSV text; :func:`safe_frame` — the frame they write.
- :func:`new_workbook` / :func:`append_row` / :func:`save_workbook` — openpyxl workbooks: rows are
  appended as safe cells and, on saving, every cell is checked once more (no formula ever leaves).

Formula injection: a text cell starting with ``= + - @``, a tab or a carriage return may be run
as a formula when a spreadsheet opens the file. Every *text* value (numbers stay numbers) goes
through one of:

- :func:`csv_text` — CSV: such a value gets a leading apostrophe ``'``, so Excel/WPS/LibreOffice
  take it as text (``'=1+1`` shows as text, never computes).
- :func:`xlsx_text` + :func:`is_risky` — xlsx: the writer stores such a value as a *string*
  cell (``t="inlineStr"``, never ``<f>``) with the ``quotePrefix`` style, which is how Excel
  itself marks text typed after an apostrophe; editing the cell keeps it text. The text is kept
  exactly (no visible apostrophe), so names round-trip. Characters that XML cannot hold
  (control characters other than tab/LF/CR) are dropped, carriage returns become line feeds
  (XML readers, Excel included, normalise them so anyway) and over-long text is cut at Excel's
  32,767-character cell limit.

:func:`text_width` measures display width for column sizing (CJK and emoji count double).
"""
from __future__ import annotations

import csv
import io
import itertools
import math
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

RISKY_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32767


def is_risky(value) -> bool:
    """True for text a spreadsheet could take as a formula."""
    return isinstance(value, str) and value.startswith(RISKY_START)


def csv_text(value):
    """The value as written to CSV: risky text prefixed with an apostrophe; anything else as is."""
    return "'" + value if is_risky(value) else value


def xlsx_text(value: str) -> str:
    """Text an xlsx cell can hold: XML-illegal control characters dropped, CR as LF, cut at the
    cell limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > XLSX_CELL_LIMIT:
        text = text[:XLSX_CELL_LIMIT - 1] + "…"
    return text


def text_width(value) -> int:
    """Display width of the longest line of ``value``: East Asian wide/full-width characters and
    emoji count 2, everything else 1."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    if isinstance(value, float):
        value = f"{value:,.2f}"
    text = str(value)
    if text.isascii():
        return max((len(line) for line in text.splitlines()), default=0)
    best = 0
    for line in text.splitlines() or [""]:
        w = 0
        for ch in line:
            w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") or ord(ch) >= 0x1F000 else 1
        best = max(best, w)
    return best


def column_width(header: str, values, minimum: int = 6, maximum: int = 50, sample: int = 500) -> float:
    """Excel column width for a header and (a sample of) its values: the widest :func:`text_width`.

    >>> column_width("名称", ["ab", "山西太原市", None, 1234.5])
    12.0
    """
    texts = [_width_text(header)] + [_width_text(v) for v in itertools.islice(values, sample)]
    try:
        widest = _widest_line("\n".join(texts))  # a line break between values: no line spans two
    except UnicodeEncodeError:  # lone surrogates: value by value
        widest = max(text_width(t) for t in texts)
    return float(min(maximum, max(minimum, widest + 2)))


_LINE_BREAKS = np.array([ord(c) for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"], dtype=np.uint32)  # str.splitlines


def _width_text(value) -> str:
    """The text :func:`text_width` measures."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


def _widest_line(text: str) -> int:
    """max(text_width(line) for line in text.splitlines()), every character at once."""
    if text.isascii():
        return max((len(line) for line in text.splitlines()), default=0)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    distinct, where = np.unique(points, return_inverse=True)
    width = np.array([2 if unicodedata.east_asian_width(chr(c)) in ("W", "F") or c >= 0x1F000 else 1
                      for c in distinct.tolist()], dtype=np.int64)
    breaks = np.isin(points, _LINE_BREAKS)
    per_char = np.where(breaks, 0, width[where.ravel()])
    return int(np.bincount(np.cumsum(breaks), weights=per_char).max())


# --- CSV / TSV ------------------------------------------------------------------------------------
def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`csv_text` applied to every value, column by column: numbers
    untouched, text columns vectorised, categorical columns through their categories.

    >>> safe_frame(pd.DataFrame({"a": ["=1+1", "ok"], "n": [-1, 2]}))["a"].tolist()
    ["'=1+1", 'ok']
    """
    out = {}
    for j in range(frame.shape[1]):
        s = frame.iloc[:, j]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = s.cat.categories
            if cats.dtype == object and any(is_risky(c) for c in cats):
                s = s.cat.rename_categories([csv_text(c) for c in cats])
            out[j] = s
        elif s.dtype in (np.float64, np.int64):  # as they are (other number types: as objects below)
            out[j] = s
        elif s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            first = pc.utf8_slice_codeunits(pa.array(s.to_numpy(), pa.string(), from_pandas=True), 0, 1)
            risky = pc.fill_null(pc.is_in(first, value_set=pa.array(RISKY_START)), False).to_numpy(
                zero_copy_only=False)
            if risky.any():
                s = s.copy()
                s[risky] = "'" + s[risky]
            out[j] = s
        else:
            out[j] = s.astype(object).map(csv_text)
    safe = pd.concat(out, axis=1) if out else frame.copy()
    safe.columns = frame.columns
    return safe


def csv_bytes(frame: pd.DataFrame, *, sep: str = ",", bom: bool = True, lineterminator: str = "\r\n",
              na_rep: str = "") -> bytes:
    """``frame`` as formula-safe CSV (``sep="\\t"``: TSV) bytes: UTF-8, with a BOM unless ``bom=False``.

    >>> csv_bytes(pd.DataFrame({"名称": ["@SUM(A1:A2)"]}), bom=False)
    b"\xe5\x90\x8d\xe7\xa7\xb0\\r\\n'@SUM(A1:A2)\\r\\n"
    """
    text = safe_frame(frame).to_csv(index=False, sep=sep, lineterminator=lineterminator, na_rep=na_rep)
    return text.encode("utf-8-sig" if bom else "utf-8")


def write_csv(frame: pd.DataFrame, path, *, sep: str = ",", bom: bool = True, lineterminator: str = "\r\n",
              na_rep: str = "", chunksize: int | None = None) -> None:
    """Write ``frame`` to ``path`` as formula-safe CSV/TSV (see :func:`csv_bytes`), in chunks of
    ``chunksize`` rows when given (large synthetic tables)."""
    safe = safe_frame(frame)
    safe.to_csv(path, index=False, sep=sep, lineterminator=lineterminator, na_rep=na_rep,
                encoding="utf-8-sig" if bom else "utf-8", chunksize=chunksize)


def csv_rows_text(columns: list[str], rows, *, lineterminator: str = "\n") -> str:
    """Header ``columns`` and ``rows`` (dicts keyed by column, or sequences) as formula-safe CSV text.

    >>> csv_rows_text(["a"], [{"a": "=1"}, ["b"]])
    "a\\n'=1\\nb\\n"
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    w.writerow([csv_text(c) for c in columns])
    for row in rows:
        values = [row.get(c, "") for c in columns] if isinstance(row, dict) else list(row)
        w.writerow(["" if v is None else csv_text(v) for v in values])
    return buf.getvalue()


# --- xlsx (openpyxl) --------------------------------------------------------------------------------
def new_workbook():
    """An empty openpyxl workbook (no default sheet); save it with :func:`save_workbook`."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def text_cell(ws, value: str) -> Cell:
    """A string cell holding ``value`` exactly as text (made xlsx-safe; quotePrefix when risky)."""
    c = Cell(ws, value=None)
    c._value, c.data_type = xlsx_text(value), "s"
    if is_risky(c._value):
        c.quotePrefix = True
    return c


def append_row(ws, values) -> None:
    """Append ``values`` to ``ws``: text as :func:`text_cell` (never a formula), the rest as is."""
    ws.append([text_cell(ws, v) if isinstance(v, str) else v for v in values])


def neutralise(wb) -> int:
    """Turn every formula or formula-like text cell of ``wb`` into a quotePrefix string cell;
    returns how many were changed."""
    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c._value
                if isinstance(v, str) and (c.data_type == "f" or (is_risky(v) and not c.quotePrefix)):
                    c._value, c.data_type, c.quotePrefix = xlsx_text(v), "s", True
                    changed += 1
    return changed


def save_workbook(wb, target) -> None:
    """Save ``wb`` to ``target`` (path or binary file) after :func:`neutralise`."""
    neutralise(wb)
    wb.save(target)
