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
_SHEET = re.compile(r'<(?:\w+:)?sheet\s[^>]*>')
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_REL = re.compile(r'<(?:\w+:)?Relationship\s[^>]*>')


def sheet_states(zf, limit: int = 3) -> dict[str, tuple[bool, list[str]]]:
    """Per sheet title of an .xlsx package (an open ``zipfile.ZipFile``): whether it is hidden and
    up to ``limit`` of its merged ranges; {} when the package cannot be read this way."""
    from xml.sax.saxutils import unescape
    try:
        book = zf.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    except KeyError:
        return {}
    targets = {}
    for m in _REL.finditer(rels):
        a = dict(_ATTR.findall(m.group(0)))
        target = a.get("Target", "").lstrip("/")
        targets[a.get("Id")] = target if target.startswith("xl/") else "xl/" + target
    out = {}
    for m in _SHEET.finditer(book):
        a = dict(_ATTR.findall(m.group(0)))
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        merged: list[str] = []
        path = targets.get(rid)
        if path:
            try:
                with zf.open(path) as fh:
                    tail = b""
                    while len(merged) < limit and (chunk := fh.read(1 << 20)):
                        text = tail + chunk
                        merged += [r.decode() for r in _MERGE.findall(text) if r.decode() not in merged]
                        tail = text[-200:]
            except KeyError:
                pass
        out[unescape(a.get("name", ""), {"&quot;": '"', "&apos;": "'"})] = (a.get("state", "visible") != "visible",
                                                                          merged[:limit])
    return out
