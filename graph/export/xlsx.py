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
xlsx-safe, formula-like or not) and each cell's style registered in the workbook; after openpyxl
has saved, the package is re-zipped with the rows' XML — exactly the XML openpyxl writes for such
cells (inline strings, ``t="n"`` numbers, ``s`` style ids) — spliced into each sheet's
``<sheetData>``, built and compressed :data:`BLOCK` rows at a time.
"""
from __future__ import annotations

import io
import json
import math
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from graph.export.safe import RISKY_START, XLSX_CELL_LIMIT, append_row, column_width, is_risky, new_workbook, \
    save_workbook, xlsx_text
from graph.export.tables import GRADE_COLUMNS, HEADERS, NUMBER_FORMATS, SHEETS, display_column
from graph.export.snapshot import SNAPSHOT_SHEET

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

# Vectorised equivalents of graph.export.safe (RE2 syntax): XML-illegal control characters,
# formula-like starts, and the characters Python's str.strip() removes (openpyxl marks text with
# such an edge as xml:space="preserve" unless it is all whitespace).
_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_MARKUP = "[&<>]"
_SPECIAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\r&<>]"  # any of the above, CR or markup
_RISKY_SET = pa.array(list(RISKY_START), pa.string())
_SPACES = pa.array([chr(c) for c in range(0x3001) if chr(c).isspace()], pa.string())  # none above U+3000
_ERRORS = pa.array(ERROR_CODES, pa.string())
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


def _texts(raw: pa.Array) -> tuple[np.ndarray, pa.Array, np.ndarray, bool]:
    """A text column (null = no value): graph.export.safe.xlsx_text and is_risky, vectorised; and
    whether any text holds XML markup characters (& < >)."""
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
    return present.astype(np.int8) * 2, text, risky & present, special and _any(pc.match_substring_regex(text, _MARKUP))


def _column(s: pd.Series) -> tuple[np.ndarray, pa.Array, np.ndarray, bool]:
    """kinds, payload (string array), risky flags and whether any text holds & < > of a display
    column: vectorised for numeric and all-text columns, value by value otherwise."""
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":
        return (*_numbers(s.to_numpy()), False)
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty") and \
            all(v is None or isinstance(v, float) for v in s[s.isna()]):  # not pd.NA/NaT: those are text
        return _texts(pa.array(s.to_numpy(), pa.string(), from_pandas=True))
    kinds, payload, risky = _classify(list(s))  # iteration gives what itertuples gives
    payload = pa.array(payload, pa.string())
    return kinds, payload, risky, _any(pc.match_substring_regex(payload, _MARKUP))


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


class _Column:
    """One column of a sheet's data rows: its values classified and each cell's style attribute,
    settled before the workbook is saved; the XML is made a block of rows at a time."""

    def __init__(self, letter: str, col: str, kinds: np.ndarray, payload: pa.Array, risky: np.ndarray, markup: bool,
                 styles: _Styles):
        self.letter, self.kinds, self.payload, self.risky, self.markup = letter, kinds, payload, risky, markup
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
            rest = [' t="inlineStr"><is><t', _preserve(payload, text), ">", esc, "</t></is></c>"]
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


def _preserve(payload: pa.Array, text: np.ndarray):
    """` xml:space="preserve"` where openpyxl sets it: text with whitespace at an end that is not
    all whitespace (as Python's str.strip sees whitespace)."""
    edge = _mask(pc.or_(pc.is_in(pc.utf8_slice_codeunits(payload, 0, 1), value_set=_SPACES),
                        pc.is_in(pc.utf8_slice_codeunits(payload, -1), value_set=_SPACES))) & text
    if not edge.any():
        return ""
    where = np.zeros(len(edge), dtype=bool)
    at = np.flatnonzero(edge)
    where[at] = [bool(v.strip()) for v in payload.take(pa.array(at)).to_pylist()]
    return pc.if_else(pa.array(where), ' xml:space="preserve"', "")


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
        else:
            values = display_column(s)
            sample = values.iloc[:WIDTH_SAMPLE]
            parts = _column(values) if n else None
        ws.column_dimensions[letter].width = column_width(HEADERS[key][col], sample, maximum=_WIDE.get(col, 30),
                                                          sample=WIDTH_SAMPLE)
        if n:
            body.columns.append(_Column(letter, col, *parts, styles))
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
