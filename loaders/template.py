"""The empty import workbook and the Markdown table reference, both generated from
:data:`graph.schema.TABLES` so they never drift from what the loader accepts.

>>> md = schema_markdown()
>>> "### chains（产业链）" in md and "| `chain_id` |" in md
True
"""
from __future__ import annotations

from pathlib import Path

from graph import schema
from graph.export.safe import append_row, new_workbook, save_workbook
from graph.model import ImportBatch

DOC_SHEET = "说明"
EXAMPLE_MARK = "【示例】"      # = loaders.read.EXAMPLE_MARK: the reader skips a row whose first cell starts with it
MAX_ROWS = 5000               # rows the dropdown lists cover
_KIND_CN = {"str": "文本", "int": "整数", "float": "数字", "share": "比例 0–1（或百分数）", "bool": "是/否",
            "date": "日期 YYYY-MM-DD / YYYY-MM / YYYY", "list": "列表（用 ; 或 、 分隔）", "code6": "6 位行政区划代码"}
_GUIDE = (
    "ChainAtlas 产业链图谱 · 数据导入模板",
    "1. 每个工作表是一张表；第 1 行是中文表头（带 * 的列必填），第 2 行是系统列名，请勿修改或删除这两行。",
    "2. 第 3 行是示例（第一格以“【示例】”开头，灰色），载入时自动跳过；可以直接在其下方填写，也可以覆盖它。",
    "3. 带下拉箭头的列只能选列表里的值（阶段、规模、园区类型、角色、是/否）。",
    "4. “引用”列填写编号或准确名称，可引用本文件中的行，也可引用系统里已载入的数据。",
    "5. 每行都要填写来源（网址或文件名）和数据日期；没有公开来源的示意数据，请在“示意数据”列选“是”。",
    "6. 可以只填写、只上传其中一张表（例如只有企业表），其余数据保持不变。",
)
_DOC_HEADER = ("工作表", "表名", "列名（表头）", "系统列名", "类型", "必填", "说明", "示例")


def kind_text(kind: str) -> str:
    """A human description of a column kind.

    >>> kind_text("ref:chains"), kind_text("enum:ROLES")
    ('ref → chains', 'enum: 链主 | 链核')
    """
    if kind.startswith("ref:"):
        return f"ref → {kind[4:]}"
    if kind.startswith("enum:"):
        return "enum: " + " | ".join(schema.enum_values(kind))
    return kind


def choices(kind: str) -> list[str] | None:
    """The dropdown values of a column kind (Chinese spellings), None when it has no list.

    >>> choices("enum:STAGES"), choices("bool"), choices("str")
    (['上游', '中游', '下游'], ['是', '否'], None)
    """
    if kind == "bool":
        return ["是", "否"]
    if kind.startswith("enum:"):
        values = schema.enum_values(kind)
        shown = {"STAGES": schema.STAGE_LABELS,
                 "REGION_LEVELS": {"province": "省", "city": "市", "county": "县"}}.get(kind[5:], {})
        return [shown.get(v, v) for v in values]
    return None


def kind_cn(kind: str) -> str:
    """A column kind in Chinese (the 说明 sheet).

    >>> kind_cn("ref:chains"), kind_cn("enum:ROLES")
    ('引用 → 产业链', '可选值：链主 / 链核')
    """
    if kind.startswith("ref:"):
        return f"引用 → {schema.TABLES[kind[4:]].label}"
    if kind.startswith("enum:"):
        return "可选值：" + " / ".join(choices(kind))
    return _KIND_CN[kind]


def sheet_title(table: str) -> str:
    """The template's sheet name for a table: its Chinese label (no '/', which Excel forbids)."""
    return schema.TABLES[table].label.replace("/", "、")


def _doc_rows():
    """One 说明 row per column of every table."""
    for t in schema.TABLES.values():
        for c in t.columns:
            yield (sheet_title(t.name), t.name, schema.column_label(t.name, c.name), c.name, kind_cn(c.kind),
                   "是" if c.required else "", c.doc, c.example)


def _example(t, c) -> str:
    text = c.example if c.example not in ("", "https://…") else ("https://www.example.gov.cn/notice"
                                                                if c.name == "source" else "")
    return text


def write_template(path) -> Path:
    """Write the import workbook: a 说明 sheet (how to fill it in, every column explained in
    Chinese) and one sheet per table with a Chinese header row, the column keys in row 2, one
    example row (skipped on load) and dropdown lists for every enum and yes/no column.
    Returns the path written."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    wb = new_workbook()
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    head_fill = PatternFill("solid", fgColor="F3E9E2")
    for t in schema.TABLES.values():
        ws = wb.create_sheet(sheet_title(t.name))
        append_row(ws, [schema.column_label(t.name, c.name) + ("*" if c.required else "") for c in t.columns])
        append_row(ws, t.column_names)
        append_row(ws, [(EXAMPLE_MARK if i == 0 else "") + _example(t, c) for i, c in enumerate(t.columns)])
        for i, col in enumerate(t.columns, start=1):
            letter = get_column_letter(i)
            ws.cell(row=1, column=i).font, ws.cell(row=1, column=i).fill = bold, head_fill
            ws.cell(row=2, column=i).font = ws.cell(row=3, column=i).font = grey
            ws.column_dimensions[letter].width = max(14, 2 * len(schema.column_label(t.name, col.name)) + 4)
            values = choices(col.kind)
            if values:
                dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                    showErrorMessage=True, errorStyle="warning", errorTitle="不在列表中",
                                    error="请从下拉列表中选择：" + "、".join(values))
                dv.add(f"{letter}3:{letter}{MAX_ROWS}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A3"
    doc = wb.create_sheet(DOC_SHEET, 0)
    for line in _GUIDE:
        append_row(doc, [line])
    doc["A1"].font = Font(bold=True, size=14)
    doc.append([])
    append_row(doc, _DOC_HEADER)
    for cell in doc[doc.max_row]:
        cell.font = bold
    for row in _doc_rows():
        append_row(doc, row)
    for letter, width in zip("ABCDEFGH", (16, 20, 18, 16, 30, 6, 60, 24)):
        doc.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path)
    return path


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def schema_markdown() -> str:
    """Every import table and column as Markdown (for README.md)."""
    lines = ["Every table is one sheet of a workbook (sheet name = table name or its Chinese label) "
             "or one `<table>.csv` file in a folder or .zip. Row 1 is the header: the column key or its "
             "Chinese header (中文表头) below; the template's row of keys under the Chinese headers and rows "
             "whose first cell starts with `【示例】` are skipped. A file may hold only some tables: they "
             "are merged into what is loaded. Every row also "
             "carries `source`, `as_of` and `illustrative`. `ref` columns take an id or the exact "
             "name (products, enterprises: also an alias) of a row in this file or already loaded. Lists are "
             f"separated by any of `{' '.join(schema.LIST_SEPARATORS)}`.", ""]
    for t in schema.TABLES.values():
        optional = " — optional（可省略）" if t.optional else ""
        lines += [f"### {t.name}（{t.label}）{optional}", "",
                  f"{_cell(t.doc)} Key: {', '.join(f'`{k}`' for k in t.key)}.", "",
                  "| column | 中文表头 | kind | required | doc | example |", "|---|---|---|---|---|---|"]
        for c in t.columns:
            lines.append(f"| `{c.name}` | {schema.column_label(t.name, c.name)} | {_cell(kind_text(c.kind))} | {'yes' if c.required else ''} | "
                         f"{_cell(c.doc)} | {_cell(c.example)} |")
        lines.append("")
    return "\n".join(lines)


def _draft_cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return value


def write_draft_workbook(batch: ImportBatch, path) -> Path:
    """Write ``batch`` as an import workbook: every required table (header only when empty) and
    the optional ones that have rows, header = column names, lists joined with ``;``, bools 是/否."""
    from openpyxl.styles import Font

    path = Path(path)
    wb = new_workbook()
    doc = wb.create_sheet("说明")
    append_row(doc, ["草稿 draft: 由产品流向自动生成，请核对环节（stage/segment）、删去无关产品后再导入。"])
    append_row(doc, ["Generated from product flows: check stages, drop unrelated products, then "
                            "`chainatlas load` this workbook."])
    for name in schema.LOAD_ORDER:
        t, df = schema.TABLES[name], batch.tables[name]
        if t.optional and not len(df):
            continue
        ws = wb.create_sheet(name)
        append_row(ws, t.column_names)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for rec in df[t.column_names].itertuples(index=False):
            append_row(ws, [_draft_cell(v) for v in rec])
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path)
    return path
