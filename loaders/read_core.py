"""What every reader of import tables shares: the raw tables (text cells with their row numbers),
cell cleaning, matching sheets/files and headers to the schema, and file-level problems."""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from graph import schema
from graph.errors import InputProblem, ValidationFailed
from graph.settings import Settings
from loaders.encoding import sniff
from loaders.read_hints import LOOKAHEAD, delimiter as csv_delimiter, header_row_below

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

    def released(self) -> "RawTable":
        """A copy naming the same table, file, sheet and columns, without the cells."""
        return RawTable(self.table, self.file, self.sheet, list(self.columns), [], self.ok)

    def release(self) -> None:
        """Drop the cells, for a caller that is done with them (the table then has no rows)."""
        self._rows, self._data, self._numbers = [], None, None

    def drop(self, column: str) -> None:
        """Let the cells of ``column`` go (Arrow-backed tables; the column reads as empty after)."""
        if self._rows is None and column in self._data.column_names:
            self._data = self._data.drop_columns([column])

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
