"""Hints for the common spreadsheet mistakes the reader meets: a title row above the header, a
`;`-delimited CSV, merged cells. Pure functions; :mod:`loaders.read` turns them into warnings and
problems.

>>> delimiter("企业编号;企业名称;规模"), delimiter("a,b"), delimiter("a\\tb")
(';', ',', '\\t')
"""
from __future__ import annotations

import re

from graph import schema

LOOKAHEAD = 6        # rows below row 1 searched for the real header


def delimiter(first_line: str) -> str:
    """The CSV delimiter a header line uses: tab or ';' when there is no comma, else ','."""
    if "," in first_line:
        return ","
    if "\t" in first_line:
        return "\t"
    return ";" if ";" in first_line else ","


def known_headers(table: str, cells) -> int:
    """How many cells of a row are headers of ``table`` (keys or Chinese headers)."""
    names = schema.header_names(table)
    return sum(1 for c in cells if c and schema.header_key(str(c)) in names)


def header_row_below(table: str, rows) -> int | None:
    """The row number, among ``rows`` = ``[(number, cells)]`` just below row 1, that looks like
    the real header (two or more known column names), else None."""
    for number, cells in rows:
        if known_headers(table, cells) >= 2:
            return number
    return None


_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"')


def merged_ranges(wb, ws, limit: int = 3) -> list[str]:
    """Up to ``limit`` merged ranges of a read-only worksheet ([] when none or unknown)."""
    try:
        source = wb._archive.open(ws._worksheet_path)      # openpyxl read-only: the sheet's XML
    except (AttributeError, KeyError, OSError):
        return []
    found: list[str] = []
    tail = b""
    with source:
        while len(found) < limit and (chunk := source.read(1 << 20)):
            text = tail + chunk
            found += [m.decode() for m in _MERGE.findall(text) if m.decode() not in found]
            tail = text[-200:]
    return found[:limit]
