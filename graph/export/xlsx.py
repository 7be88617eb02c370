"""The gap-list workbook (缺链补链招商清单.xlsx) of a :class:`graph.export.build.GapExport`.

Sheets 说明, 汇总, 缺口清单, 招商目标, 本地企业 (Chinese headers), each with a frozen, bold header
row, an autofilter, column widths from the content (CJK counts double), numbers stored as numbers
with number formats, grades coloured (紧急 red, 重要 orange, 一般 grey), A4 landscape fitted to
the page width with the header repeated on every printed page; and the hidden, protected
``_snapshot`` sheet (JSON in column A, split into cells of at most 30,000 characters).
Text that could be taken for a formula is stored as a string cell with quotePrefix
(see graph.export.safe).

How it is written (national exports reach millions of cells; openpyxl without lxml spends
~30 µs on each): openpyxl builds the workbook — styles, header rows, widths, panes, filters, page
setup, properties and the snapshot sheet. The data rows are done here, column by column with
``pyarrow.compute``: first each value is classified as openpyxl would store it (number, text made
xlsx-safe, formula-like or not; graph.export.xlsx_cells) and each cell's style registered in the workbook; after openpyxl
has saved, the package is re-zipped with the rows' XML — exactly the XML openpyxl writes for such
cells (inline strings, ``t="n"`` numbers, ``s`` style ids) — spliced into each sheet's
``<sheetData>``, built and compressed :data:`BLOCK` rows at a time.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from graph.export.safe import append_row, column_width, new_workbook, save_workbook
from graph.export.tables import GRADE_COLUMNS, HEADERS, NUMBER_FORMATS, SHEETS, display_column
from graph.export.snapshot import SNAPSHOT_SHEET
from graph.export.xlsx_cells import _ERRORS, _MARKUP, _RISKY_SET, _SPACES, _Parts, _any, _arrow, _column, _edges, \
    _mask, _object_parts, _texts  # noqa: F401 (_RISKY_SET, _SPACES: the sets tests check)

GRADE_STYLES = {  # fill, font colour
    "紧急": ("FFC7CE", "9C0006"),
    "重要": ("FCD5B4", "974706"),
    "一般": ("EDEDED", "404040"),
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
CHUNK = 30000  # characters per _snapshot cell
BLOCK = 20000  # data rows serialised and compressed at a time
LEVEL = 1      # deflate level of the data sheets: 3-4x faster than the default, files ~25 % larger
_WIDE = {"reason": 60, "local_maker_names": 60, "sources": 60, "value": 60, "note": 50, "leader_consumers": 40}
WIDTH_SAMPLE = 500  # values measured for a column's width
_SHEET_DATA_END = "</sheetData>"
_DIMENSION = re.compile(r'<dimension ref="[^"]*"')


def workbook_bytes(export) -> bytes:
    wb = new_workbook()
    meta = export.meta
    wb.properties.title = f"缺链补链招商清单 · {meta['region'].get('name')}"
    wb.properties.creator = f"ChainAtlas {meta['tool_version']}"
    fills = {g: (PatternFill("solid", fgColor=f), Font(color=c)) for g, (f, c) in GRADE_STYLES.items()}
    bodies = []
    for key, sheet in SHEETS.items():
        ws = wb.create_sheet(sheet)
        bodies.append((ws, _write_table(ws, key, export.tables[key], fills)))
        _page_setup(ws, f"{sheet} · {meta['region'].get('name')}")
    _write_snapshot(wb, export.snapshot)
    buf = io.BytesIO()
    save_workbook(wb, buf)  # sets each sheet's part name (ws.path)
    return _splice(buf.getvalue(), {ws.path.lstrip("/"): body for ws, body in bodies if body.rows})


# --- the data rows ---------------------------------------------------------------------------
class _Styles:
    """Cell style ids of the workbook, registered on demand (before the workbook is saved)."""

    def __init__(self, ws, fills):
        self.ws, self.fills, self.ids = ws, fills, {}

    def attr(self, fmt=None, grade=None, wide=False, quote=False) -> str:
        """`` s="N"`` for a cell with these styles; "" for an unstyled one."""
        key = (fmt, grade, wide, quote)
        if key not in self.ids:
            if not (fmt or grade or wide or quote):
                self.ids[key] = ""
            else:
                c = Cell(self.ws)
                if fmt:
                    c.number_format = fmt
                if grade:
                    c.fill, c.font = self.fills[grade]
                if wide:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
                if quote:
                    c.quotePrefix = True
                self.ids[key] = f' s="{c.style_id}"'
        return self.ids[key]


class _Body:
    """A sheet's data rows (rows 2 …): their XML, a block of rows at a time."""

    def __init__(self, n: int, last: str):
        self.rows, self.last = n, last
        self.columns: list[_Column] = []
        self.numbers = pc.cast(pa.array(np.arange(2, n + 2, dtype=np.int64)), pa.string())

    def blocks(self, size: int = BLOCK):
        for start in range(0, self.rows, size):
            stop = min(start + size, self.rows)
            numbers = self.numbers[start:stop]
            parts = ['<row r="', numbers, '">']
            for col in self.columns:
                parts += col.xml(start, stop, numbers)
            yield _utf8(_join(parts + ["</row>"]))


def _join(parts: list) -> pa.Array:
    """The element-wise concatenation of string arrays and Python strings (adjacent strings merged):
    one pass that writes each row once."""
    merged: list = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif not (isinstance(p, str) and not p):
            merged.append(p)
    if not any(isinstance(p, pa.Array) for p in merged):
        raise ValueError("no array among the parts")
    return pc.binary_join_element_wise(*merged, "")


def _utf8(arr: pa.Array) -> memoryview:
    """The concatenated UTF-8 of a string array without nulls, straight from its buffers."""
    width = 8 if pa.types.is_large_string(arr.type) else 4
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if width == 8 else np.int32,
                            count=len(arr) + 1, offset=arr.offset * width)
    data = arr.buffers()[2]
    return memoryview(b"") if data is None else memoryview(data)[offsets[0]:offsets[-1]]


class _Column:
    """One column of a sheet's data rows: its values classified and each cell's style attribute,
    settled before the workbook is saved; the XML is made a block of rows at a time."""

    def __init__(self, letter: str, col: str, parts: _Parts, styles: _Styles):
        kinds, payload, risky = parts.kinds, parts.payload, parts.risky
        self.letter, self.kinds, self.payload, self.risky, self.markup = letter, kinds, payload, risky, parts.markup
        self.edge = parts.edge if parts.edge is not None else _edges(payload, kinds == 2)
        fmt, wide = NUMBER_FORMATS.get(col), col in _WIDE
        number, text = kinds == 1, kinds == 2
        attrs = [styles.attr(wide=wide)]  # codes into this list
        codes = np.zeros(len(kinds), dtype=np.int8)

        def use(mask, attr):
            if mask.any():
                attrs.append(attr)
                codes[mask] = len(attrs) - 1
        use(number, styles.attr(fmt=fmt, wide=wide))
        if col in GRADE_COLUMNS and text.any():
            for g in styles.fills:
                use(text & _mask(pc.equal(payload, g)), styles.attr(grade=g, wide=wide))
        use(risky, styles.attr(wide=wide, quote=True))
        self.attrs, self.codes = pa.array(attrs, pa.string()), codes
        self.texts = bool(text.any())
        self.errors = self.texts and _any(pc.is_in(payload, value_set=_ERRORS))

    def xml(self, start: int, stop: int, numbers: pa.Array) -> list:
        """The cells of rows start … stop - 1 as openpyxl writes them ("" where it writes no cell): the
        parts (string arrays and Python strings) whose element-wise concatenation they are."""
        kinds, payload, risky = self.kinds[start:stop], self.payload[start:stop], self.risky[start:stop]
        number, text, nothing = kinds == 1, kinds == 2, kinds == 0
        if text.any():
            esc = payload
            if self.markup and _any(pc.match_substring_regex(payload, _MARKUP)):
                for ch, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
                    esc = pc.replace_substring(esc, ch, entity)
            edge = self.edge[start:stop]
            preserve = pc.if_else(pa.array(edge), ' xml:space="preserve"', "") if edge.any() else ""
            rest = [' t="inlineStr"><is><t', preserve, ">", esc, "</t></is></c>"]
            empty = text & _mask(pc.equal(payload, ""))
            if empty.any():
                rest = [pc.if_else(pa.array(empty), ' t="inlineStr" />', _join(rest))]
            error = text & ~risky & _mask(pc.is_in(payload, value_set=_ERRORS)) if self.errors else None
            if error is not None and error.any():  # openpyxl stores these texts as error values
                rest = [pc.if_else(pa.array(error), _join([' t="e"><v>', payload, "</v></c>"]), _join(rest))]
            if number.any():
                rest = [pc.if_else(pa.array(number), _join(_values(payload)), _join(rest))]
        else:
            rest = _values(payload)
        if nothing.any():
            rest = [pc.if_else(pa.array(nothing), ' t="n" />', _join(rest))]
        codes = self.codes[start:stop]
        attr = self.attrs[0].as_py() if len(self.attrs) == 1 else self.attrs.take(pa.array(codes))
        cells = [f'<c r="{self.letter}', numbers, '"', attr] + rest
        skip = nothing & (codes == 0) if self.attrs[0].as_py() == "" else None  # no value, no style: no cell
        return [pc.if_else(pa.array(skip), "", _join(cells))] if skip is not None and skip.any() else cells


def _values(payload: pa.Array) -> list:
    """Number cells' type and value (an infinity has an empty value, as openpyxl writes it), as parts."""
    rest = [' t="n"><v>', payload, "</v></c>"]
    blank = pc.equal(payload, "")
    return [pc.if_else(blank, ' t="n"><v /></c>', _join(rest))] if _any(blank) else rest


def _write_table(ws, key: str, df, fills) -> _Body:
    cols = list(HEADERS[key])
    append_row(ws, list(HEADERS[key].values()))
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    n = len(df)
    body, styles = _Body(n, get_column_letter(len(cols))), _Styles(ws, fills)
    for j, col in enumerate(cols, start=1):
        letter, s = get_column_letter(j), df[col]
        if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
            # display values are these strings (missing: None); skip the round trip through objects
            sample = display_column(s.iloc[:WIDTH_SAMPLE])
            parts = _texts(_arrow(s)) if n else None
        elif s.dtype == object and (fast := _object_parts(s, WIDTH_SAMPLE)) is not None:
            sample, parts = fast   # text or bools: the display values' parts without the display column
        else:
            values = display_column(s)
            sample = values.iloc[:WIDTH_SAMPLE]
            parts = _column(values) if n else None
        ws.column_dimensions[letter].width = column_width(HEADERS[key][col], sample, maximum=_WIDE.get(col, 30),
                                                          sample=WIDTH_SAMPLE)
        if n:
            body.columns.append(_Column(letter, col, parts, styles))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
    return body


def _splice(data: bytes, bodies: dict[str, _Body]) -> bytes:
    """Re-zip the package openpyxl wrote, with the data rows in each table sheet's sheetData."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info)
            body = bodies.get(info.filename)
            if body is None:
                dst.writestr(zipfile.ZipInfo(info.filename, info.date_time), part, zipfile.ZIP_DEFLATED)
                continue
            head, tail = part.decode("utf-8").split(_SHEET_DATA_END)
            head = _DIMENSION.sub(f'<dimension ref="A1:{body.last}{body.rows + 1}"', head, count=1)
            target = zipfile.ZipInfo(info.filename, info.date_time)
            target.compress_type = zipfile.ZIP_DEFLATED
            try:
                target.compress_level = LEVEL        # Python >= 3.13
            except AttributeError:
                target._compresslevel = LEVEL        # its name before 3.13
            with dst.open(target, "w", force_zip64=True) as fh:
                fh.write(head.encode("utf-8"))
                for block in _ahead(body.blocks()):
                    fh.write(block)  # compresses (zlib lets other threads run meanwhile)
                fh.write((_SHEET_DATA_END + tail).encode("utf-8"))
    return out.getvalue()


def _ahead(blocks):
    """The items of ``blocks``, each next one made in a worker thread while the caller uses the
    current one (pyarrow and zlib both release the GIL, so making and compressing overlap)."""
    with ThreadPoolExecutor(1) as pool:
        it = iter(blocks)
        pending = pool.submit(next, it, None)
        while (block := pending.result()) is not None:
            pending = pool.submit(next, it, None)
            yield block


def _page_setup(ws, title: str) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"


def _write_snapshot(wb, snapshot: dict) -> None:
    ws = wb.create_sheet(SNAPSHOT_SHEET)
    text = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))
    for i in range(0, len(text), CHUNK) or [0]:
        c = Cell(ws, value=None)
        c._value, c.data_type = text[i:i + CHUNK], "s"
        ws.append([c])
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
