"""Hints for common spreadsheet mistakes: title row above the header, merged cells, `;`-delimited
CSV, a row with more cells than the header, a hidden sheet; and one-table inputs."""
from __future__ import annotations

import openpyxl

from loaders.read import read_tables
from loaders.validate import validate

HEAD = ["企业编号", "企业名称", "所在地区", "来源", "数据日期"]
ROW = ["E-1", "甲公司", "运城市", "s", "2024"]


def _book(path, build):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业"
    build(wb, ws)
    wb.save(path)
    return path


def test_title_row_above_the_header_says_so(tmp_path):
    path = _book(tmp_path / "名单.xlsx", lambda wb, ws: [ws.append(r) for r in (["2024年企业名单"], [], HEAD, ROW)])
    raw = read_tables(path)
    [p] = raw.problems
    assert p.file == "名单.xlsx" and p.sheet == "企业"
    assert "第 3 行" in p.message and "删除第 1–2 行" in p.fix


def test_csv_title_row_and_unknown_header(tmp_path):
    (tmp_path / "enterprises.csv").write_text("企业名单\n" + ",".join(HEAD) + "\n" + ",".join(ROW) + "\n",
                                              encoding="utf-8")
    [p] = read_tables(tmp_path / "enterprises.csv").problems
    assert "第 2 行" in p.message
    (tmp_path / "products.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    [p] = read_tables(tmp_path / "products.csv").problems
    assert "没有可识别的列名" in p.message and "产品编号" in p.fix


def test_merged_cells_and_hidden_sheet_are_warned(tmp_path):
    def build(wb, ws):
        ws.append(HEAD)
        ws.append(ROW)
        ws.append(["E-2", "乙公司", None, "s", "2024"])
        ws.merge_cells("C2:C3")
        hidden = wb.create_sheet("产品")
        hidden.append(["产品编号", "产品名称", "来源", "数据日期"])
        hidden.sheet_state = "hidden"
    raw = read_tables(_book(tmp_path / "b.xlsx", build))
    assert any("合并单元格" in w and "C2:C3" in w for w in raw.warnings)
    assert any("隐藏" in w and "产品" in w for w in raw.warnings)


def test_semicolon_csv_is_read_with_a_warning(tmp_path):
    path = tmp_path / "enterprises.csv"
    path.write_text(";".join(HEAD) + "\n" + ";".join(ROW) + "\n", encoding="utf-8")
    raw = read_tables(path)
    assert any("分号" in w for w in raw.warnings) and not raw.problems
    assert raw.tables["enterprises"].rows[0][1]["region"] == "运城市"


def test_row_with_more_cells_than_the_header(tmp_path):
    path = tmp_path / "enterprises.csv"
    path.write_text(",".join(HEAD) + "\n" + ",".join(ROW) + "\nE-2,乙公司,运城市,s,2024,规上,高新\n", encoding="utf-8")
    [p] = read_tables(path).problems
    assert p.row == 3 and "多 2 个值" in p.message and "双引号" in p.fix and p.value == "规上，高新"


def test_user_file_name_and_chosen_table(tmp_path):
    folder = tmp_path / "chainatlas-load-x1y2"
    folder.mkdir()
    (folder / "产品表.csv").write_text("产品编号,产品名称,来源\nP-1,电池,s\n", encoding="utf-8")
    raw = read_tables(folder, tables={"产品表.csv": "products"}, name="产品表.csv")
    assert raw.source == "产品表.csv" and raw.tables["products"].file == "产品表.csv"
    problems = [p for p in __import__("pytest").raises(Exception, validate, raw).value.problems]
    assert all("chainatlas-load" not in p.file for p in problems) and problems[0].column == "as_of"


def test_one_table_is_a_whole_input(tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("产品编号,产品名称,来源,数据日期\nP-1,电池,s,2024\n", encoding="utf-8")
    batch = validate(read_tables(path))
    assert len(batch["products"]) == 1 and len(batch["enterprises"]) == 0


def test_nothing_recognisable_is_one_problem(tmp_path):
    path = _book(tmp_path / "x.xlsx", lambda wb, ws: setattr(ws, "title", "Sheet1"))
    import pytest
    from graph.errors import ValidationFailed
    err = pytest.raises(ValidationFailed, validate, read_tables(path)).value
    assert len(err.problems) == 1 and "没有找到可载入的表" in err.problems[0].message
