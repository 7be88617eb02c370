"""Read import tables as text: an .xlsx workbook, a folder of ``<table>.csv`` files, or a .zip.

Nothing is interpreted here except layout: every cell becomes stripped text ('' when empty),
each row remembers its spreadsheet row number (the header is row 1), sheets and files are
matched to :data:`graph.schema.TABLES` by table name or Chinese label. Meaning (types, enums,
references) is checked by :mod:`loaders.validate`.

CSV files are parsed by Arrow into string columns (a million rows in seconds) and cleaned
column-wise exactly as the csv module path would; a file Arrow cannot take as a regular grid
(a row with more or fewer cells than the header) or that is GB18030 goes through the csv module
(GB18030 is re-encoded and tried with Arrow first).

>>> cell_text(140800.0), cell_text(" 运城市\u3000"), cell_text(None)
('140800', '运城市', '')
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from graph import schema
from graph.errors import InputProblem, UnsupportedInput, ValidationFailed
from graph.settings import Settings
from loaders.encoding import sniff
from loaders.read_hints import LOOKAHEAD, delimiter as csv_delimiter, header_row_below, sheet_states

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
EXAMPLE_MARK = "【示例】"                        # a row whose first cell starts with it is never loaded
DOC_SHEETS = ("说明", "readme", "notes")      # sheets the template adds for humans: skipped silently
_ODD_SPACES = {"\u3000": " ", "\xa0": " ", "\u200b": None, "\ufeff": None, "\u2002": " ", "\u2003": " "}
_SPACES = str.maketrans({**_ODD_SPACES, "\t": " ", "\r": " ", "\n": " "})
_ODD = str.maketrans(_ODD_SPACES)
_LABEL_NOISE = str.maketrans("", "", "/／_-、 ·")


class RawTable:
    """One table as found in the input: header names and text rows.

    ``rows`` holds ``(row_number, {column: text})`` with only the columns of the file's header
    (normalised to lower case); ``columns`` is the header in file order.

    A CSV file is kept column-wise (Arrow string columns plus the row numbers) and ``rows`` is
    built from it only when asked for; :meth:`text` gives the columns to the validator. Once
    ``rows`` has been built (and maybe edited), it is what :meth:`text` reads.
    """

    def __init__(self, table: str, file: str, sheet: str, columns: list[str],
                 rows: list[tuple[int, dict[str, str]]] | None = None, ok: bool = True, *,
                 data: pa.Table | None = None, numbers: np.ndarray | None = None):
        self.table, self.file, self.sheet, self.columns, self.ok = table, file, sheet, columns, ok
        self._data, self._numbers = data, numbers
        self._rows = None if data is not None else list(rows or [])

    def __repr__(self) -> str:
        return (f"RawTable({self.table!r}, file={self.file!r}, sheet={self.sheet!r}, "
                f"columns={self.columns!r}, rows={len(self)}, ok={self.ok})")

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else len(self._numbers)

    @property
    def rows(self) -> list[tuple[int, dict[str, str]]]:
        if self._rows is None:
            names = self._data.column_names
            cols = [self._data.column(c).to_pylist() for c in names]
            self._rows = [(n, dict(zip(names, vals))) for n, *vals in zip(self._numbers.tolist(), *cols)]
            self._data = self._numbers = None
        return self._rows

    @rows.setter
    def rows(self, value) -> None:
        self._rows, self._data, self._numbers = list(value), None, None

    def text(self) -> tuple[np.ndarray, dict[str, pa.ChunkedArray]]:
        """Row numbers and one Arrow string column per name in ``columns`` ('' when empty)."""
        if self._rows is None:
            have = set(self._data.column_names)
            blank = pa.chunked_array([pa.array([""] * len(self._numbers), pa.string())])
            return self._numbers, {c: self._data.column(c) if c in have else blank for c in self.columns}
        numbers = np.fromiter((n for n, _ in self._rows), dtype=np.int64, count=len(self._rows))
        cols = {c: pa.chunked_array([pa.array(["" if (v := vals.get(c)) is None else str(v)
                                               for _, vals in self._rows], pa.string())])
                for c in self.columns}
        return numbers, cols

    def frame(self) -> pd.DataFrame:
        """The rows as a text DataFrame with a leading ``_row`` column (for previews)."""
        numbers, cols = self.text()
        data = {"_row": numbers, **{c: a.to_numpy(zero_copy_only=False) for c, a in cols.items()}}
        return pd.DataFrame(data, columns=["_row", *self.columns])


@dataclass
class RawTables:
    """Everything read from one input: the tables found, plus layout warnings and problems."""

    source: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    invisible: dict[str, set[str]] = field(default_factory=dict)   # table -> cleaned cells that lost zero-width chars


def clean_text(text: str) -> str:
    """Normalise full-width/non-breaking spaces and strip.

    >>> clean_text("\u3000大运\u00a0汽车 ")
    '大运 汽车'
    """
    return text.translate(_SPACES).strip()


def cell_text(value) -> str:
    """An Excel/CSV cell as text: integral floats lose ``.0``, dates become ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return clean_text(str(value))


def table_for(name: str) -> str | None:
    """The schema table a sheet or file stem names (table name or Chinese label), else None.

    >>> table_for("Enterprises"), table_for("链主、链核"), table_for("产品"), table_for("其他")
    ('enterprises', 'chain_roles', 'products', None)
    """
    key = clean_text(name).lower().translate(_LABEL_NOISE)
    for t in schema.TABLES.values():
        if key in (t.name.translate(_LABEL_NOISE), t.label.translate(_LABEL_NOISE), *t.label.split("/")):
            return t.name
    return None


def read_tables(path, limits: Settings | None = None, *, tables: dict[str, str] | None = None,
                name: str | None = None) -> RawTables:
    """Read a workbook, one CSV file, a folder of CSV files or a .zip of CSV files into
    :class:`RawTables`. A file holding only some tables is fine (they merge into what is loaded).

    ``tables`` names the table of CSV files whose names are not table names (file name -> table,
    e.g. ``{"产品表.csv": "products"}``); ``name`` is what the user calls the input (an upload's own
    file name): files in a folder are then shown by their bare names.

    Raises :class:`UnsupportedInput` for a missing path or an unknown file type and
    :class:`ValidationFailed` when the file itself cannot be read (empty, corrupt).
    """
    p = Path(path)
    limits = limits or Settings.from_env()
    chosen = dict(tables or {})
    if not p.exists():
        raise UnsupportedInput(f"找不到输入 input not found: {p}",
                               "请给出 .xlsx 工作簿、<表名>.csv 文件、CSV 文件夹或 .zip 的路径。")
    if p.is_dir():
        return _read_folder(p, limits, chosen, name)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return _read_one_csv(p, limits, chosen, name)
    if suffix in WORKBOOK_SUFFIXES or suffix == ".zip":
        check_size(p.name, p.stat().st_size, limits)
        if p.stat().st_size == 0:
            raise ValidationFailed([file_problem(p.name, "文件为空 the file is empty",
                                                 "用 Excel 重新保存该工作簿，或使用导入模板（chainatlas template）。")],
                                   source=p.name)
        return _read_workbook(p, limits, name) if suffix != ".zip" else _read_zip(p, limits)
    hint = ("请另存为 .xlsx（Excel：另存为 → Excel 工作簿）。" if suffix in (".xls", ".et", ".ods", ".numbers")
            else "请使用 .xlsx 工作簿、<表名>.csv 文件、CSV 文件夹或其 .zip 压缩包。")
    raise UnsupportedInput(f"不支持的文件类型 unsupported input type '{suffix or '(none)'}': {p.name}", hint)


def check_size(name: str, size: int, limits: Settings) -> None:
    """Refuse an input larger than ``limits.max_input_mb``."""
    if size > limits.max_input_mb * 2**20:
        raise ValidationFailed([file_problem(
            name, f"文件过大 input too large ({size / 2**20:,.1f} MB; at most {limits.max_input_mb:,.0f} MB)",
            "请拆分成多个文件分批导入，或调大 CHAINATLAS_MAX_INPUT_MB split it into several loads, "
            "or raise CHAINATLAS_MAX_INPUT_MB")], source=name)


def file_problem(file: str, message: str, fix: str, sheet: str = "") -> InputProblem:
    """A problem about a whole file or sheet."""
    return InputProblem(file=file, sheet=sheet, row=None, column=None, value="", message=message, fix=fix)


def _match_header(raw: RawTables, file: str, sheet: str, header: list[str], table: str | None = None):
    """The schema table a sheet/file is for (``table`` when the user said which) and its kept
    columns ``{position: name}`` (headers: the column keys or their Chinese headers), reporting
    unknown (warning) and repeated (problem) columns; None when the sheet is not a table."""
    table = table or table_for(sheet)
    if table is None:
        if clean_text(sheet).lower() not in DOC_SHEETS:
            raw.warnings.append(f"{file}: 忽略未知的表 ignored unknown sheet/file '{sheet}' "
                                f"(known: {', '.join(schema.TABLES)})")
        return None
    if table in raw.tables:
        prev = raw.tables[table]
        raw.problems.append(file_problem(file, f"表 {table} 出现两次 table given twice "
                                         f"(also {prev.file} {prev.sheet})",
                                         "每张表只保留一个工作表或文件。keep one sheet/file per table", sheet))
        return None
    known = schema.header_names(table)
    names = [known.get(schema.header_key(clean_text(h)), clean_text(h).lower()) for h in header]
    keep: dict[int, str] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name not in known.values():
            raw.warnings.append(f"{file}, sheet {sheet}: 忽略未知的列 ignored unknown column '{header[i]}'")
        elif name in keep.values():
            raw.problems.append(InputProblem(file, sheet, 1, name, name, "列名重复 column given twice",
                                             "删除或改名其中一列。delete or rename one of the two columns"))
        else:
            keep[i] = name
    return table, keep, any(names)


def _finish(raw: RawTables, rt: RawTable, has_header: bool) -> None:
    if not has_header:
        rt.ok = False
        raw.problems.append(file_problem(rt.file, "没有表头 the sheet has no header row (row 1 is empty)",
                                         "第 1 行必须是表头（列名），见导入模板。row 1 must hold the column names", rt.sheet))
    raw.tables[rt.table] = rt


def is_key_row(cells: list[str], keep: dict[int, str]) -> bool:
    """Is this the template's second header row (the column keys under the Chinese headers)?"""
    return bool(keep) and all(i < len(cells) and str(cells[i]).strip().lower() == name for i, name in keep.items())


def add_table(raw: RawTables, file: str, sheet: str, header: list[str],
              records, table: str | None = None, is_csv: bool = False) -> None:
    """Match a sheet/file to a schema table and add its text rows to ``raw``.

    ``records`` iterates ``(row_number, [cell text, …])`` after the header row. A row with values
    beyond the header is a problem in a CSV file (its cells have shifted) and a warning in a sheet.
    """
    matched = _match_header(raw, file, sheet, header, table)
    if matched is None:
        return
    table, keep, has_header = matched
    records = iter(records)
    ahead = [r for _, r in zip(range(LOOKAHEAD), records)]
    if _header_misplaced(raw, file, sheet, table, keep, has_header, ahead):
        return
    rt = RawTable(table, file, sheet, list(keep.values()))
    rows = rt.rows
    width, extra = len(header), []
    for number, cells in itertools.chain(ahead, records):
        if number == 2 and is_key_row(cells, keep) or cells and str(cells[0]).startswith(EXAMPLE_MARK):
            continue
        if len(cells) > width and any(cells[width:]):
            extra.append((number, [c for c in cells[width:] if c]))
        if any(cells):
            rows.append((number, {name: cells[i] if i < len(cells) else "" for i, name in keep.items()}))
    _extra_cells(raw, rt, width, extra, is_csv)
    _finish(raw, rt, has_header)


def _header_misplaced(raw: RawTables, file: str, sheet: str, table: str, keep: dict, has_header: bool,
                      ahead) -> bool:
    """Report a header that is not in row 1 (a title row above it) or not recognisable at all."""
    if keep or not has_header:
        return False
    below = header_row_below(table, ahead)
    if below is not None:
        raw.problems.append(file_problem(
            file, f"表头不在第 1 行：第 {below} 行才像表头（上方可能有标题行或空行）",
            f"删除第 1–{below - 1} 行，让列名（如 {schema.column_label(table, schema.TABLES[table].key[0])}）位于第 1 行。",
            sheet))
    else:
        raw.problems.append(file_problem(
            file, "第 1 行没有可识别的列名 no known column in row 1",
            "第 1 行应为列名，如 " + "、".join(schema.column_label(table, c) for c in
                                          schema.TABLES[table].column_names[:3]) + "（见导入模板）。", sheet))
    raw.tables[table] = RawTable(table, file, sheet, [], ok=False)
    return True


def _extra_cells(raw: RawTables, rt: RawTable, width: int, extra: list, is_csv: bool) -> None:
    """Rows with more cells than the header: problems in a CSV (up to 20), one warning in a sheet."""
    if not extra:
        return
    if not is_csv:
        raw.warnings.append(f"{rt.file}，表 {rt.sheet}：第 {extra[0][0]} 行等 {len(extra)} 行在表头以外的列还有值，"
                            "已忽略；如需载入，请给这些列加上列名。")
        return
    for number, values in extra[:20]:
        raw.problems.append(InputProblem(
            rt.file, rt.sheet, number, None, "，".join(values[:3]),
            f"这一行比表头多 {len(values)} 个值 row has more cells than the header ({width})",
            "单元格里有逗号时，请用英文双引号把整个单元格括起来（如 \"规上,高新技术\"），或改用 、 分隔；"
            "也可能是多写了值，请删除。"))


def decode(data: bytes) -> str | None:
    """Decode CSV bytes: UTF-8 with BOM, UTF-8, then GB18030 only when plausible (see
    :mod:`loaders.encoding`); None if none fits.

    >>> decode("链主".encode("gb18030")), decode(b"\\xef\\xbb\\xbfa,b")
    ('链主', 'a,b')
    """
    return sniff(data).text


def csv_records(text: str):
    """Header and ``(row_number, cells)`` records of CSV text (comma; tab or ';' when the header has
    them but no commas)."""
    delimiter = csv_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text.translate(_ODD), newline=""), delimiter=delimiter)
    rows = list(reader)
    header = rows[0] if rows else []
    return header, [(i + 2, [clean_text(c) if "\n" in c or "\t" in c else c.strip() for c in cells])
                    for i, cells in enumerate(rows[1:])]


def _read_workbook(path: Path, limits: Settings, name: str | None = None) -> RawTables:
    """Every sheet of an .xlsx workbook, values as displayed-ish text (not formulas), read with
    calamine (Rust; openpyxl when it is not installed). The package is checked first
    (:func:`check_zip`: no part unpacks beyond the limits). A table read from a hidden sheet or
    from one with merged cells gets a warning."""
    shown = name or path.name
    raw = RawTables(source=shown)
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, path.name, limits)
            states = sheet_states(zf)
        if _HAVE_CALAMINE:
            for title, rows in _calamine_sheets(path):
                _add_grid(raw, shown, title, rows, limits.max_rows)
        else:
            for title, rows in _openpyxl_sheets(path):
                header = [cell_text(v) for v in next(rows, ())]
                found: set[str] = set()
                records = ((n, _row_text(cells, found)) for n, cells in enumerate(rows, start=2))
                add_table(raw, shown, title, header, _capped(raw, shown, title, records, limits.max_rows))
                if found and table_for(title):
                    raw.invisible.setdefault(table_for(title), set()).update(found)
    except (ValidationFailed, UnsupportedInput):
        raise
    except Exception as err:  # the readers raise many types for a corrupt/non-xlsx file
        raise ValidationFailed([file_problem(shown, f"无法读取工作簿 cannot open workbook ({err})",
                                             "用 Excel 打开并另存为 .xlsx。")],
                               source=shown) from err
    _sheet_warnings(raw, states, shown)
    return raw


def _sheet_warnings(raw: RawTables, states: dict, file: str) -> None:
    """Warn about each table read from a hidden sheet or from a sheet with merged cells."""
    for rt in raw.tables.values():
        hidden, merged = states.get(rt.sheet, (False, []))
        if hidden:
            raw.warnings.append(f"{file}：工作表“{rt.sheet}”是隐藏的，已照常读取；如不想载入，请删除该工作表。")
        if merged:
            raw.warnings.append(f"{file}，表 {rt.sheet}：有合并单元格（{'、'.join(merged)}）。合并后只有左上角一格有值，"
                                "其余读作空；请取消合并，并把值填到每一行。")


ZERO_WIDTH = ("\u200b", "\ufeff")          # what cleaning removes (so two names may become one)
_ZERO_WIDTH_BYTES = tuple(z.encode(enc) for z in ZERO_WIDTH for enc in ("utf-8", "gb18030"))


def _row_text(cells, found: set[str]) -> list[str]:
    """The cells as text; the cleaned text of those that held zero-width characters goes to ``found``."""
    out = [cell_text(v) for v in cells]
    for v, t in zip(cells, out):
        if v.__class__ is str and ("\u200b" in v or "\ufeff" in v) and t:
            found.add(t)
    return out


def _invisible_cells(text: str) -> set[str]:
    """Cleaned text of the CSV cells in ``text`` that hold zero-width characters."""
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return {clean_text(c) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for c in row if any(z in c for z in ZERO_WIDTH) and clean_text(c)}


try:
    from python_calamine import CalamineWorkbook
    _HAVE_CALAMINE = True
except ImportError:                     # pragma: no cover - calamine is a dependency
    _HAVE_CALAMINE = False


def _calamine_sheets(path: Path):
    """(title, rows) per worksheet; rows from sheet row 1 (calamine pads the empty rows above the
    first used one), cells from the first used column."""
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        yield name, iter(wb.get_sheet_by_name(name).iter_rows())


GRID_BLOCK = 20_000     # workbook rows turned into Arrow columns at a time


def _add_grid(raw: RawTables, file: str, sheet: str, rows, max_rows: int) -> None:
    """Add one worksheet read as rows of Python values (row 1 the header), column-wise: each block
    of rows becomes Arrow string columns cleaned as :func:`cell_text` would (text cells
    vectorised, other values one by one), so 200,000 rows take seconds and little memory."""
    header = [cell_text(v) for v in next(rows, ())]
    matched = _match_header(raw, file, sheet, header)
    if matched is None:
        return
    table, keep, has_header = matched
    ahead = list(itertools.islice(rows, LOOKAHEAD))
    texts = [(n, [cell_text(v) for v in r]) for n, r in enumerate(ahead, start=2)]
    if _header_misplaced(raw, file, sheet, table, keep, has_header, texts):
        return
    start = 2
    if texts and is_key_row(texts[0][1], keep):          # the template's row of column keys
        ahead, start = ahead[1:], 3
    rows = itertools.chain(ahead, rows)
    parts: dict[int, list[pa.Array]] = {i: [] for i in keep}
    numbers: list[np.ndarray] = []
    found: set[str] = set()
    width, first, too_many, beyond = len(header), start, False, []
    while True:
        block = list(itertools.islice(rows, GRID_BLOCK))
        if not block:
            break
        if start - first + len(block) > max_rows:
            block, too_many = block[:max_rows - (start - first)], True
        width = max(width, max(map(len, block)))
        filled = np.zeros(len(block), dtype=bool)
        example = np.zeros(len(block), dtype=bool)
        cols = {}
        for i, col in enumerate(itertools.zip_longest(*block, fillvalue="")):
            arr = _clean_cells(col, found)
            has = pc.not_equal(arr, "").to_numpy(zero_copy_only=False)
            filled |= has
            if i == 0:
                example = pc.starts_with(arr, EXAMPLE_MARK).to_numpy(zero_copy_only=False)
            if i >= len(header) and has.any():
                beyond += (np.flatnonzero(has) + start).tolist()
            if i in keep:
                cols[i] = arr
        filled &= ~example
        where = pa.array(filled)
        for i in keep:
            arr = cols.get(i)
            arr = pa.array([""] * len(block), pa.string()) if arr is None else arr
            parts[i].append(arr.filter(where))
        numbers.append(np.arange(start, start + len(block), dtype=np.int64)[filled])
        start += len(block)
        if too_many:
            raw.problems.append(too_many_rows(file, sheet, max_rows))
            break
    data = pa.table({keep[i]: pa.chunked_array(parts[i], pa.string()) for i in keep}) if keep else pa.table({})
    nums = np.concatenate(numbers) if numbers else np.empty(0, dtype=np.int64)
    rt = RawTable(table, file, sheet, list(keep.values()), data=data, numbers=nums)
    _extra_cells(raw, rt, len(header), [(n, []) for n in sorted(set(beyond))], is_csv=False)
    _finish(raw, rt, has_header)
    if found:
        raw.invisible.setdefault(table, set()).update(found)


_CLEAN_STEPS = [(ch, to or "") for ch, to in {**_ODD_SPACES, "\t": " ", "\r": " ", "\n": " "}.items()]
_CLEAN_ANY = "[" + "".join(ch for ch, _ in _CLEAN_STEPS) + "]"


def _clean_cells(values, found: set[str]) -> pa.Array:
    """A column of workbook values as cleaned text (exactly :func:`cell_text`); the cleaned text
    of cells that held zero-width characters goes to ``found``."""
    try:
        arr = pa.array(values, pa.string())         # all text (the usual case): one C call
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        arr = pa.array([v if v.__class__ is str else cell_text(v) for v in values], pa.string())
    invisible = None
    if not pc.any(pc.match_substring_regex(arr, _CLEAN_ANY)).as_py():
        return pc.utf8_trim(arr, characters=_WHITESPACE)
    for ch, to in _CLEAN_STEPS:
        hit = pc.match_substring(arr, ch)
        if pc.any(hit).as_py():
            if to == "":
                invisible = hit if invisible is None else pc.or_(invisible, hit)
            arr = pc.replace_substring(arr, ch, to)
    arr = pc.utf8_trim(arr, characters=_WHITESPACE)
    if invisible is not None:
        found.update(t for t in arr.filter(invisible).to_pylist() if t)
    return arr


def _openpyxl_sheets(path: Path):
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()   # some exporters write a wrong <dimension>, truncating reads
            yield ws.title, ws.iter_rows(values_only=True)
    finally:
        wb.close()


def _capped(raw: RawTables, file: str, sheet: str, records, max_rows: int):
    """``records`` up to ``max_rows`` data rows; past that a problem, and the rest is not read."""
    for i, rec in enumerate(records):
        if i >= max_rows:
            raw.problems.append(too_many_rows(file, sheet, max_rows))
            return
        yield rec


def too_many_rows(file: str, sheet: str, max_rows: int) -> InputProblem:
    return file_problem(file, f"行数超过上限 more than {max_rows:,} data rows in one table",
                        f"请拆分成多个文件分批导入，或调大 CHAINATLAS_MAX_ROWS split the table into several loads, "
                        f"or raise CHAINATLAS_MAX_ROWS (now {max_rows:,})", sheet)


def check_zip(zf: zipfile.ZipFile, name: str, limits: Settings, members=None) -> None:
    """Refuse a zip (or xlsx package) whose members would unpack beyond the limits — by their
    declared sizes, before anything is unpacked (:func:`read_member` also stops at the limit
    while unpacking, whatever the headers say)."""
    cap = limits.max_member_mb * 2**20
    for info in (members if members is not None else zf.infolist()):
        if info.file_size > cap:
            raise _bomb(name, info.filename, f"解压后 {info.file_size / 2**20:,.0f} MB，超过上限 "
                        f"{limits.max_member_mb:,.0f} MB unpacks to more than the limit",
                        "CHAINATLAS_MAX_MEMBER_MB")
        if info.file_size > 2**20 and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
            raise _bomb(name, info.filename, f"压缩比 {info.file_size / max(info.compress_size, 1):,.0f}:1 "
                        f"超过上限 {limits.max_zip_ratio:,.0f}:1 compression ratio above the limit (a zip bomb?)",
                        "CHAINATLAS_MAX_ZIP_RATIO")


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Settings) -> bytes:
    """A member's bytes, refusing it as soon as it unpacks beyond the limit."""
    cap = int(limits.max_member_mb * 2**20)
    try:
        with zf.open(info) as fh:
            data = fh.read(cap + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        raise ValidationFailed([file_problem(f"{name}/{info.filename}", f"zip 成员损坏，无法解压 corrupt member ({err})",
                                             "请重新压缩后上传 zip the files again.")], source=name) from err
    if len(data) > cap:
        raise _bomb(name, info.filename, f"解压后超过 {limits.max_member_mb:,.0f} MB unpacks to more than the limit",
                    "CHAINATLAS_MAX_MEMBER_MB")
    return data


def _bomb(name: str, member: str, what: str, setting: str) -> ValidationFailed:
    return ValidationFailed([file_problem(f"{name}/{member}", f"拒绝读取：{what} refused to unpack",
                                          f"检查文件来源；确需导入请拆分，或调大 {setting} check where the file "
                                          f"comes from; split it, or raise {setting} if it is genuine")],
                            source=name)


def _add_csv(raw: RawTables, display: str, stem: str, data: bytes, limits: Settings | None = None,
             table: str | None = None) -> None:
    """Decode one CSV file's bytes and add it (or a problem) to ``raw``; ``table`` when the user
    said which table the file is (its name is not a table name). A table of more than
    ``limits.max_rows`` data rows is a problem."""
    table = table or table_for(stem)
    _add_csv_table(raw, display, stem, data, table)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if table and any(z in body for z in _ZERO_WIDTH_BYTES):      # rare: look at the cells
        text = sniff(data).text
        if text:
            cells = _invisible_cells(text)
            if cells:
                raw.invisible.setdefault(table, set()).update(cells)
    max_rows = (limits or Settings.from_env()).max_rows
    rt = raw.tables.get(table) if table else None
    if rt is not None and rt.file == display and rt.ok and len(rt) > max_rows:
        rt.ok = False
        raw.problems.append(too_many_rows(display, stem, max_rows))


def _add_csv_table(raw: RawTables, display: str, stem: str, data: bytes, table: str | None) -> None:
    if table is None:
        add_table(raw, display, stem, [], [])      # only warns
        return
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    if _blank(body):
        raw.problems.append(file_problem(display, "文件为空 the file is empty",
                                         "至少写出表头行（列名），见导入模板。", stem))
        raw.tables.setdefault(table, RawTable(table, display, stem, [], ok=False))
        return
    first = body[:body.find(b"\n")] if b"\n" in body else body
    if csv_delimiter(first.decode("utf-8", errors="replace")) == ";":
        raw.warnings.append(f"{display}：用分号（;）分隔，已按分号读取。若读出的列不对，请在 Excel 中另存为"
                            "“CSV UTF-8（逗号分隔）”。")
    if _add_arrow_csv(raw, display, stem, body, table):    # valid UTF-8, a regular grid: the fast path
        return
    found = sniff(data)
    text, utf8 = found.text, found.encoding != "gb18030"
    if text is None:
        raw.problems.append(file_problem(
            display, f"无法识别编码：第 {found.line} 行，字节偏移 {found.offset} {found.reason} "
                     f"(cannot decode the file: line {found.line}, byte offset {found.offset})",
            "用 Excel 另存为“CSV UTF-8”，或修正该位置的字符 save it as CSV UTF-8 "
            "(Excel: 另存为 → CSV UTF-8) or fix the character at that position.", stem))
        raw.tables.setdefault(table, RawTable(table, display, stem, [], ok=False))
        return
    if not utf8:
        raw.warnings.append(f"{display}: 不是 UTF-8，已按 GB18030（简体中文 Windows）编码读取 "
                            "not UTF-8: read as GB18030; check the Chinese text looks right")
    if not utf8 and _add_arrow_csv(raw, display, stem, text.translate(_ODD).encode("utf-8"), table):
        return                                              # GB18030, re-encoded
    header, records = csv_records(text)
    add_table(raw, display, stem, [cell_text(h) for h in header], records, table, is_csv=True)


def _blank(body: bytes) -> bool:
    """Is the file empty or only whitespace (as text)?"""
    if not body.strip():
        return True
    if len(body) > 4096:
        return False
    text = decode(body)
    return text is not None and not text.strip()


# UTF-8 bytes of the odd spaces _ODD rewrites, by lead byte (checked with memchr first).
_ODD_BYTES = {}
for _ch, _to in _ODD_SPACES.items():
    _ODD_BYTES.setdefault(_ch.encode("utf-8")[0], []).append((_ch.encode("utf-8"), (_to or "").encode("utf-8")))
# Python's whitespace (what str.strip() removes), for Arrow's trim.
_WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())


def _odd_spaces(body: bytes) -> bytes:
    """``body`` (UTF-8) with the odd spaces of _ODD replaced, as translate(_ODD) does on text."""
    leads = [lead for lead in _ODD_BYTES if bytes([lead]) in body]
    if not leads:
        return body
    arr = np.frombuffer(body, dtype=np.uint8)
    for lead in leads:
        at = np.flatnonzero(arr == lead)
        for seq, repl in _ODD_BYTES[lead]:
            hit = at[at + len(seq) <= len(arr)]
            for k in range(1, len(seq)):
                hit = hit[arr[hit + k] == seq[k]]
            if len(hit):
                body = body.replace(seq, repl)
                arr = np.frombuffer(body, dtype=np.uint8)
                at = np.flatnonzero(arr == lead)
    return body


def _header_width(body: bytes, delimiter: str) -> int:
    head = body[:65536].decode("utf-8", errors="replace")
    return len(next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), []))


def _add_arrow_csv(raw: RawTables, display: str, stem: str, body: bytes, table: str | None = None) -> bool:
    """Parse UTF-8 CSV bytes with Arrow, column-wise, exactly as :func:`csv_records` would
    (cells stripped; cells holding a newline or tab cleaned with :func:`clean_text`). False when
    the bytes are not UTF-8 or a row has a different number of cells than the header; then the
    caller falls back to the csv module."""
    newline = body.find(b"\n")
    first = body if newline < 0 else body[:newline]
    delimiter = csv_delimiter(first.decode("utf-8", errors="replace"))
    body = _odd_spaces(body)
    width = _header_width(body, delimiter)
    quoted = b'"' in body
    messy = quoted or (delimiter == "," and b"\t" in body)    # cells that may hold a newline or a tab
    names = [f"c{i}" for i in range(width)]
    try:
        grid = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:     # not UTF-8, or a row with more or fewer cells than the header
        return False
    del body
    header = [cell_text(v) for v in (grid.column(n)[0].as_py() if len(grid) else "" for n in names)]
    matched = _match_header(raw, display, stem, header, table)
    if matched is None:
        return True
    table, keep, has_header = matched
    ahead = [(r + 1, [cell_text(grid.column(n)[r].as_py()) for n in names])
             for r in range(1, min(len(grid), LOOKAHEAD + 1))]
    if _header_misplaced(raw, display, stem, table, keep, has_header, ahead):
        return True
    first_row = 2 if ahead and is_key_row(ahead[0][1], keep) else 1     # skip the template's row of keys
    grid = grid.slice(first_row)
    cleaned, filled = {}, None
    for i, n in enumerate(names):
        col = _clean_column(grid.column(n), messy)
        if i in keep:
            cleaned[keep[i]] = col
        has = pc.not_equal(col, "")
        filled = has if filled is None else pc.or_(filled, has)
    if names and grid.num_rows:
        filled = pc.and_(filled, pc.invert(pc.starts_with(grid.column(names[0]), EXAMPLE_MARK)))
    numbers = np.arange(first_row + 1, grid.num_rows + first_row + 1, dtype=np.int64)
    data = pa.table(cleaned)
    if filled is not None and not pc.all(filled).as_py():
        keep_rows = filled.combine_chunks().to_numpy(zero_copy_only=False)
        data = data.filter(pa.array(keep_rows)) if cleaned else data
        numbers = numbers[keep_rows]
    _finish(raw, RawTable(table, display, stem, list(keep.values()), data=data, numbers=numbers), has_header)
    return True


def _clean_column(col: pa.ChunkedArray, messy: bool) -> pa.ChunkedArray:
    """Cells stripped (Python's whitespace); with ``messy`` also the cells holding a newline or a
    tab cleaned as :func:`clean_text` does."""
    out = pc.utf8_trim(col, characters=_WHITESPACE)
    if messy:
        odd = pc.match_substring_regex(col, "[\n\t]")
        if pc.any(odd).as_py():
            flat = out.combine_chunks().to_numpy(zero_copy_only=False).astype(object)
            raw_text = col.combine_chunks().to_numpy(zero_copy_only=False)
            mask = odd.combine_chunks().to_numpy(zero_copy_only=False)
            flat[mask] = [clean_text(t) for t in raw_text[mask]]
            out = pa.chunked_array([pa.array(flat, pa.string())])
    return out


def _read_one_csv(path: Path, limits: Settings, chosen: dict[str, str], name: str | None) -> RawTables:
    """One CSV file: the table its name (or ``chosen``) says."""
    shown = name or path.name
    table = chosen.get(path.name) or table_for(path.stem)
    if table is None:
        raise UnsupportedInput(f"无法判断 {shown} 是哪张表 cannot tell which table {shown} holds",
                               "把文件改名为 <表名>.csv（如 products.csv 或 企业.csv），或用 --table 指定表，如 "
                               "chainatlas load 产品表.csv --table products。")
    check_size(shown, path.stat().st_size, limits)
    raw = RawTables(source=shown)
    _add_csv(raw, shown, path.stem, path.read_bytes(), limits, table)
    return raw


def _read_folder(folder: Path, limits: Settings, chosen: dict[str, str] | None = None,
                 name: str | None = None) -> RawTables:
    """Every ``*.csv`` file directly in ``folder`` (``chosen``: file name -> table for the files
    whose names are not table names; with ``name``, files are shown by their bare names)."""
    chosen = chosen or {}
    raw = RawTables(source=name or folder.name or str(folder))
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() == ".csv" and not f.name.startswith("."))
    if not files:
        raise UnsupportedInput(f"文件夹里没有 CSV 文件 no .csv files in folder: {folder}",
                               "每张表放一个 <表名>.csv（如 products.csv、企业.csv）。")
    check_size(raw.source, sum(f.stat().st_size for f in files), limits)
    for f in files:
        _add_csv(raw, f.name if name else f"{folder.name}/{f.name}", f.stem, f.read_bytes(), limits,
                 chosen.get(f.name))
    return raw


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Member name, repairing GBK names that zip tools on Chinese Windows write without a flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _read_zip(path: Path, limits: Settings) -> RawTables:
    """Every ``*.csv`` member of a .zip (any folder inside it; macOS metadata skipped)."""
    raw = RawTables(source=path.name)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise ValidationFailed([file_problem(path.name, "不是有效的 zip 文件 not a valid zip file",
                                             "请重新压缩这些 CSV 文件。")], source=path.name) from err
    with zf:
        members = [(i, _zip_name(i)) for i in zf.infolist() if not i.is_dir()]
        members = [(i, n) for i, n in members if n.lower().endswith(".csv")
                   and "__MACOSX" not in n and not Path(n).name.startswith(".")]
        if not members:
            raise UnsupportedInput(f"zip 里没有 CSV 文件 no .csv files in {path.name}",
                                   "每张表压缩一个 <表名>.csv。")
        check_zip(zf, path.name, limits, [i for i, _ in members])
        for info, name in sorted(members, key=lambda m: m[1]):
            _add_csv(raw, f"{path.name}/{name}", Path(name).stem, read_member(zf, info, path.name, limits), limits)
    return raw
