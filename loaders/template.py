"""The empty import workbook and the Markdown table reference, both generated from
:data:`graph.schema.TABLES` so they never drift from what the loader accepts.

>>> md = schema_markdown()
>>> "### chains（产业链）" in md and "| `chain_id` |" in md
True
"""
from __future__ import annotations

from pathlib import Path

from graph import schema

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
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for t in schema.TABLES.values():
        ws = wb.create_sheet(t.name)
        ws.append(t.column_names)
        for i, col in enumerate(t.columns, start=1):
            ws.cell(row=1, column=i).font = bold
            ws.column_dimensions[get_column_letter(i)].width = max(12, len(col.name) + 4)
        ws.freeze_panes = "A2"
    doc = wb.create_sheet(DOC_SHEET, 0)
    doc.append(_DOC_HEADER)
    for cell in doc[1]:
        cell.font = bold
    for row in _doc_rows():
        doc.append(row)
    for letter, width in zip("ABCDEFG", (20, 14, 16, 22, 8, 60, 24)):
        doc.column_dimensions[letter].width = width
    doc.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def schema_markdown() -> str:
    """Every import table and column as Markdown (for README.md)."""
    lines = ["Every table is one sheet of a workbook (sheet name = table name or its Chinese label) "
             "or one `<table>.csv` file in a folder or .zip. Row 1 is the header. Every row also "
             "carries `source`, `as_of` and `illustrative`. `ref` columns take an id or the exact "
             "name (products, enterprises: also an alias) of a row in this file or already loaded. Lists are "
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
