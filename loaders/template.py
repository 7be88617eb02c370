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
_DOC_HEADER = ("表 table", "表名 label", "列 column", "类型 kind", "必填 required", "说明 doc", "示例 example")


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


def _doc_rows():
    """One 说明 row per column of every table."""
    for t in schema.TABLES.values():
        for c in t.columns:
            yield (t.name, t.label, c.name, kind_text(c.kind), "是" if c.required else "",
                   c.doc, c.example)


def write_template(path) -> Path:
    """Write an empty .xlsx: one sheet per table (bold, frozen header row, no data rows) and a
    说明 sheet documenting every column. Returns the path written."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    wb = new_workbook()
    bold = Font(bold=True)
    for t in schema.TABLES.values():
        ws = wb.create_sheet(t.name)
        append_row(ws, t.column_names)
        for i, col in enumerate(t.columns, start=1):
            ws.cell(row=1, column=i).font = bold
            ws.column_dimensions[get_column_letter(i)].width = max(12, len(col.name) + 4)
        ws.freeze_panes = "A2"
    doc = wb.create_sheet(DOC_SHEET, 0)
    append_row(doc, _DOC_HEADER)
    for cell in doc[1]:
        cell.font = bold
    for row in _doc_rows():
        append_row(doc, row)
    for letter, width in zip("ABCDEFG", (20, 14, 16, 22, 8, 60, 24)):
        doc.column_dimensions[letter].width = width
    doc.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path)
    return path


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def schema_markdown() -> str:
    """Every import table and column as Markdown (for README.md)."""
    lines = ["Every table is one sheet of a workbook (sheet name = table name or its Chinese label) "
             "or one `<table>.csv` file in a folder or .zip. Row 1 is the header. Every row also "
             "carries `source`, `as_of` and `illustrative`. `ref` columns take an id or the exact "
             "name (products: also an alias) of a row in this file or already loaded. Lists are "
             f"separated by any of `{' '.join(schema.LIST_SEPARATORS)}`.", ""]
    for t in schema.TABLES.values():
        optional = " — optional（可省略）" if t.optional else ""
        lines += [f"### {t.name}（{t.label}）{optional}", "",
                  f"{_cell(t.doc)} Key: {', '.join(f'`{k}`' for k in t.key)}.", "",
                  "| column | kind | required | doc | example |", "|---|---|---|---|---|"]
        for c in t.columns:
            lines.append(f"| `{c.name}` | {_cell(kind_text(c.kind))} | {'yes' if c.required else ''} | "
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
