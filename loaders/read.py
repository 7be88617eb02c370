"""Read import tables as text: an .xlsx workbook, a folder of ``<table>.csv`` files, or a .zip.

Nothing is interpreted here except layout: every cell becomes stripped text ('' when empty),
each row remembers its spreadsheet row number (the header is row 1), sheets and files are
matched to :data:`graph.schema.TABLES` by table name or Chinese label. Meaning (types, enums,
references) is checked by :mod:`loaders.validate`.

>>> cell_text(140800.0), cell_text(" 运城市\u3000"), cell_text(None)
('140800', '运城市', '')
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graph import schema
from graph.errors import InputProblem, UnsupportedInput, ValidationFailed

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
DOC_SHEETS = ("说明", "readme", "notes")      # sheets the template adds for humans: skipped silently
_ODD_SPACES = {"\u3000": " ", "\xa0": " ", "\u200b": None, "\ufeff": None, "\u2002": " ", "\u2003": " "}
_SPACES = str.maketrans({**_ODD_SPACES, "\t": " ", "\r": " ", "\n": " "})
_ODD = str.maketrans(_ODD_SPACES)
_LABEL_NOISE = str.maketrans("", "", "/／_-、 ·")


@dataclass
class RawTable:
    """One table as found in the input: header names and text rows.

    ``rows`` holds ``(row_number, {column: text})`` with only the columns of the file's header
    (normalised to lower case); ``columns`` is the header in file order.
    """

    table: str
    file: str
    sheet: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    ok: bool = True   # False when the sheet/file itself is unusable (a problem says why)

    def frame(self) -> pd.DataFrame:
        """The rows as a text DataFrame with a leading ``_row`` column (for previews)."""
        data = [{"_row": n, **vals} for n, vals in self.rows]
        return pd.DataFrame(data, columns=["_row", *self.columns])


@dataclass
class RawTables:
    """Everything read from one input: the tables found, plus layout warnings and problems."""

    source: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


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

    >>> table_for("Enterprises"), table_for("链主、链核"), table_for("其他")
    ('enterprises', 'chain_roles', None)
    """
    key = clean_text(name).lower().translate(_LABEL_NOISE)
    for t in schema.TABLES.values():
        if key in (t.name.translate(_LABEL_NOISE), t.label.translate(_LABEL_NOISE)):
            return t.name
    return None


def read_tables(path) -> RawTables:
    """Read a workbook, a folder of CSV files or a .zip of CSV files into :class:`RawTables`.

    Raises :class:`UnsupportedInput` for a missing path or an unknown file type and
    :class:`ValidationFailed` when the file itself cannot be read (empty, corrupt).
    """
    p = Path(path)
    if not p.exists():
        raise UnsupportedInput(f"找不到输入 input not found: {p}",
                               "Give the path of an .xlsx workbook, a folder of <table>.csv files or a .zip.")
    if p.is_dir():
        return _read_folder(p)
    suffix = p.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES or suffix == ".zip":
        if p.stat().st_size == 0:
            raise ValidationFailed([file_problem(p.name, "文件为空 the file is empty",
                                                 "Save the workbook again from Excel or use `chainatlas template`.")],
                                   source=p.name)
        return _read_workbook(p) if suffix != ".zip" else _read_zip(p)
    hint = ("Save it as .xlsx (Excel: 另存为 → Excel 工作簿)." if suffix in (".xls", ".et", ".ods", ".numbers")
            else "Put the CSV files in a folder (or a .zip) named <table>.csv, one per table."
            if suffix == ".csv" else "Use an .xlsx workbook, a folder of <table>.csv files or a .zip of them.")
    raise UnsupportedInput(f"不支持的文件类型 unsupported input type '{suffix or '(none)'}': {p.name}", hint)


def file_problem(file: str, message: str, fix: str, sheet: str = "") -> InputProblem:
    """A problem about a whole file or sheet."""
    return InputProblem(file=file, sheet=sheet, row=None, column=None, value="", message=message, fix=fix)


def add_table(raw: RawTables, file: str, sheet: str, header: list[str],
              records) -> None:
    """Match a sheet/file to a schema table and add its text rows to ``raw``.

    ``records`` iterates ``(row_number, [cell text, …])`` after the header row.
    """
    table = table_for(sheet)
    if table is None:
        if clean_text(sheet).lower() not in DOC_SHEETS:
            raw.warnings.append(f"{file}: 忽略未知的表 ignored unknown sheet/file '{sheet}' "
                                f"(known: {', '.join(schema.TABLES)})")
        return
    if table in raw.tables:
        prev = raw.tables[table]
        raw.problems.append(file_problem(file, f"表 {table} 出现两次 table given twice "
                                         f"(also {prev.file} {prev.sheet})",
                                         "Keep one sheet/file per table.", sheet))
        return
    known = set(schema.TABLES[table].column_names)
    names = [clean_text(h).lower() for h in header]
    keep: dict[int, str] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name not in known:
            raw.warnings.append(f"{file}, sheet {sheet}: 忽略未知的列 ignored unknown column '{header[i]}'")
        elif name in keep.values():
            raw.problems.append(InputProblem(file, sheet, 1, name, name, "列名重复 column given twice",
                                             "Delete or rename one of the two columns."))
        else:
            keep[i] = name
    rt = RawTable(table, file, sheet, list(keep.values()))
    for number, cells in records:
        if any(cells):
            rt.rows.append((number, {name: cells[i] if i < len(cells) else "" for i, name in keep.items()}))
    if not any(names):
        rt.ok = False
        raw.problems.append(file_problem(file, "没有表头 the sheet has no header row (row 1 is empty)",
                                         "Row 1 must hold the column names; see `chainatlas template`.", sheet))
    raw.tables[table] = rt


def decode(data: bytes) -> str | None:
    """Decode CSV bytes: UTF-8 with BOM, UTF-8, then GB18030 (strict); None if none fits.

    >>> decode("链主".encode("gb18030")), decode(b"\\xef\\xbb\\xbfa,b")
    ('链主', 'a,b')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "gb18030")
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def csv_records(text: str):
    """Header and ``(row_number, cells)`` records of CSV text (comma, or tab when the header has
    tabs but no commas)."""
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text.translate(_ODD), newline=""), delimiter=delimiter)
    rows = list(reader)
    header = rows[0] if rows else []
    return header, [(i + 2, [clean_text(c) if "\n" in c or "\t" in c else c.strip() for c in cells])
                    for i, cells in enumerate(rows[1:])]


def _read_workbook(path: Path) -> RawTables:
    """Every sheet of an .xlsx workbook, values as displayed-ish text (not formulas)."""
    import openpyxl

    raw = RawTables(source=path.name)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a corrupt/non-xlsx file
        raise ValidationFailed([file_problem(path.name, f"无法读取工作簿 cannot open workbook ({err})",
                                             "Open it in Excel and save it again as .xlsx.")],
                               source=path.name) from err
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()   # some exporters write a wrong <dimension>, truncating reads
            rows = ws.iter_rows(values_only=True)
            header = [cell_text(v) for v in next(rows, ())]
            records = ((n, [cell_text(v) for v in cells]) for n, cells in enumerate(rows, start=2))
            add_table(raw, path.name, ws.title, header, records)
    finally:
        wb.close()
    return raw


def _add_csv(raw: RawTables, display: str, stem: str, data: bytes) -> None:
    """Decode one CSV file's bytes and add it (or a problem) to ``raw``."""
    if table_for(stem) is None:
        add_table(raw, display, stem, [], [])      # only warns
        return
    text = decode(data)
    if text is None:
        raw.problems.append(file_problem(display, "无法识别编码 cannot decode the file (not UTF-8 or GB18030)",
                                         "Save it as CSV UTF-8 (Excel: 另存为 → CSV UTF-8).", stem))
        raw.tables.setdefault(table_for(stem), RawTable(table_for(stem), display, stem, [], ok=False))
    elif not text.strip():
        raw.problems.append(file_problem(display, "文件为空 the file is empty",
                                         "Write at least the header row (column names); "
                                         "see `chainatlas template`.", stem))
        raw.tables.setdefault(table_for(stem), RawTable(table_for(stem), display, stem, [], ok=False))
    else:
        header, records = csv_records(text)
        add_table(raw, display, stem, [cell_text(h) for h in header], records)


def _read_folder(folder: Path) -> RawTables:
    """Every ``*.csv`` file directly in ``folder``."""
    raw = RawTables(source=folder.name or str(folder))
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() == ".csv" and not f.name.startswith("."))
    if not files:
        raise UnsupportedInput(f"文件夹里没有 CSV 文件 no .csv files in folder: {folder}",
                               "Put one <table>.csv per table in it (e.g. chains.csv, products.csv).")
    for f in files:
        _add_csv(raw, f"{folder.name}/{f.name}", f.stem, f.read_bytes())
    return raw


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Member name, repairing GBK names that zip tools on Chinese Windows write without a flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _read_zip(path: Path) -> RawTables:
    """Every ``*.csv`` member of a .zip (any folder inside it; macOS metadata skipped)."""
    raw = RawTables(source=path.name)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise ValidationFailed([file_problem(path.name, "不是有效的 zip 文件 not a valid zip file",
                                             "Zip the CSV files again.")], source=path.name) from err
    with zf:
        members = [(i, _zip_name(i)) for i in zf.infolist() if not i.is_dir()]
        members = [(i, n) for i, n in members if n.lower().endswith(".csv")
                   and "__MACOSX" not in n and not Path(n).name.startswith(".")]
        if not members:
            raise UnsupportedInput(f"zip 里没有 CSV 文件 no .csv files in {path.name}",
                                   "Zip one <table>.csv per table.")
        for info, name in sorted(members, key=lambda m: m[1]):
            _add_csv(raw, f"{path.name}/{name}", Path(name).stem, zf.read(info))
    return raw
