"""Cell safety and sizing for the gap-list exports (xlsx and CSV).

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

import itertools
import math
import unicodedata

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
    """Excel column width for a header and (a sample of) its values."""
    widths = [text_width(header)] + [text_width(v) for v in itertools.islice(values, sample)]
    return float(min(maximum, max(minimum, max(widths) + 2)))
