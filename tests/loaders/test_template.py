"""The import template: Chinese headers and keys, dropdowns, example rows, and a round trip
(write the template, fill it in with Chinese headers and values, load it)."""
from __future__ import annotations

import openpyxl
import pytest

from graph import schema
from loaders.read import read_tables
from loaders.template import sheet_title, write_template
from loaders.workbook import load_path


@pytest.fixture
def template(tmp_path):
    return write_template(tmp_path / "模板.xlsx")


def test_sheets_speak_chinese_and_keep_the_keys(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[0] == "说明"
    ws = wb[sheet_title("enterprises")]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["企业编号*", "企业名称*", "简称/曾用名", "统一社会信用代码"]
    assert [c.value for c in ws[2]] == schema.TABLES["enterprises"].column_names
    assert str(ws["A3"].value).startswith("【示例】")
    doc = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    assert any(r[2] == "规模" and r[3] == "scale" and "大型" in r[4] for r in doc if len(r) > 4)


def test_every_enum_and_yes_no_column_has_a_dropdown(template):
    wb = openpyxl.load_workbook(template)
    for t in schema.TABLES.values():
        ws = wb[sheet_title(t.name)]
        lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
        for i, c in enumerate(t.columns, start=1):
            wanted = c.kind == "bool" or c.kind.startswith("enum:")
            cell = f"{openpyxl.utils.get_column_letter(i)}3"
            assert (cell in lists) == wanted, (t.name, c.name)
    stage = openpyxl.utils.get_column_letter(schema.TABLES["chain_products"].column_names.index("stage") + 1)
    dvs = wb[sheet_title("chain_products")].data_validations.dataValidation
    assert [dv.formula1 for dv in dvs if str(dv.sqref).startswith(stage)] == ['"上游,中游,下游"']


def test_empty_template_reads_as_empty_tables(template):
    raw = read_tables(template)
    assert not raw.problems and not raw.warnings
    assert set(raw.tables) == set(schema.TABLES) and all(len(rt) == 0 for rt in raw.tables.values())


def _fill(path, tables: dict) -> None:
    """Write rows under the template's example row, placing each value by its Chinese header."""
    wb = openpyxl.load_workbook(path)
    for table, rows in tables.items():
        ws = wb[sheet_title(table)]
        at = {str(c.value).rstrip("*"): c.column for c in ws[1]}
        for r in rows:
            line = ws.max_row + 1
            for key, value in r.items():
                ws.cell(row=line, column=at[schema.column_label(table, key)], value=value)
    wb.save(path)


def test_round_trip_fill_in_chinese_and_load(template, sample, embedded_store):
    _fill(template, sample)
    report = load_path(embedded_store, template)
    assert report.added > 0
    ents = embedded_store.table("enterprises")
    assert sorted(ents["enterprise_id"]) == ["E-CATH", "E-DAYUN"]           # the example row was skipped
    assert not any(str(v).startswith("【示例】") for t in schema.NODE_TABLES
                   for v in embedded_store.table(t)[schema.TABLES[t].key[0]])
    by_id = ents.set_index("enterprise_id")
    assert by_id.at["E-DAYUN", "scale"] == "大型" and by_id.at["E-DAYUN", "revenue"] == 1_200_000
    stages = embedded_store.table("chain_products").set_index("product")["stage"].to_dict()
    assert stages == {"P-CATH": "upstream", "P-BATT": "midstream", "P-CAR": "downstream"}
    assert load_path(embedded_store, template).added == 0                   # loading again changes nothing


def test_chinese_headers_in_a_csv_folder(tmp_path, sample, embedded_store):
    folder = tmp_path / "csv"
    folder.mkdir()
    for table, rows in sample.items():
        cols = schema.TABLES[table].column_names
        lines = [",".join(schema.column_label(table, c) for c in cols)]
        lines += [",".join('"%s"' % r.get(c, "").replace('"', '""') for c in cols) for r in rows]
        (folder / f"{table}.csv").write_text("\n".join(lines), encoding="utf-8-sig")
    raw = read_tables(folder)
    assert not raw.warnings and raw.tables["enterprises"].columns == schema.TABLES["enterprises"].column_names
    load_path(embedded_store, folder)
    assert len(embedded_store.table("enterprises")) == 2
