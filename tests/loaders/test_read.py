"""Reading inputs as text: workbooks, CSV folders in several encodings, zips, and bad inputs."""
from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest

from graph.errors import UnsupportedInput, ValidationFailed
from loaders.read import read_tables


def test_workbook_cells_become_text_with_row_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "regions"
    ws.append(["code", "name", "Level ", "lon", "as_of", "source", "备注"])
    ws.append([140800, " 运城市\u3000", "市", 111.007, dt.datetime(2024, 4, 9), "s", "x"])
    ws.append([None] * 7)                                   # blank row 3 is skipped
    ws.append([140802.0, "盐湖区", "区", None, dt.date(2023, 1, 2), "s", ""])
    wb.create_sheet("说明").append(["doc"])
    wb.create_sheet("Sheet9").append(["x"])
    path = tmp_path / "in.xlsx"
    wb.save(path)

    raw = read_tables(path)
    rt = raw.tables["regions"]
    assert rt.columns == ["code", "name", "level", "lon", "as_of", "source"]
    assert [n for n, _ in rt.rows] == [2, 4]
    first = rt.rows[0][1]
    assert first["code"] == "140800" and first["name"] == "运城市" and first["lon"] == "111.007"
    assert first["as_of"] == "2024-04-09"
    assert rt.rows[1][1]["code"] == "140802" and rt.rows[1][1]["as_of"] == "2023-01-02"
    assert any("Sheet9" in w for w in raw.warnings)
    assert any("备注" in w for w in raw.warnings)
    assert not any("说明" in w for w in raw.warnings)
    assert raw.problems == []


def test_chinese_label_is_accepted_as_sheet_name(write_xlsx, sample):
    path = write_xlsx(sample, sheet_names={"enterprises": "企业", "chain_roles": "链主、链核"})
    raw = read_tables(path)
    assert raw.tables["enterprises"].sheet == "企业"
    assert len(raw.tables["chain_roles"].rows) == 1


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_folder_encodings(write_csv_dir, sample, encoding):
    raw = read_tables(write_csv_dir(sample, encoding=encoding))
    assert raw.problems == []
    names = [vals["name"] for _, vals in raw.tables["enterprises"].rows]
    assert names == ["大运汽车股份有限公司", "运城正极材料有限公司"]
    assert raw.tables["enterprises"].columns[0] == "enterprise_id"   # BOM not glued to the header
    assert raw.tables["regions"].rows[0][0] == 2


def test_zip_of_csv(write_zip, sample):
    raw = read_tables(write_zip(sample))
    assert set(raw.tables) == set(sample)
    assert raw.tables["products"].file.endswith("products.csv")


def test_zip_with_gbk_member_names(tmp_path):
    path = tmp_path / "gbk.zip"
    with zipfile.ZipFile(path, "w") as zf:      # as zip tools on Chinese Windows write it: GBK, no flag
        zf.writestr("XXXX.csv", "enterprise_id,name\nE1,某公司\n".encode("gb18030"))
    path.write_bytes(path.read_bytes().replace(b"XXXX.csv", "企业.csv".encode("gb18030")))
    raw = read_tables(path)
    assert raw.tables["enterprises"].rows[0][1]["name"] == "某公司"


def test_empty_csv_file_is_a_problem_naming_the_file(write_csv_dir, sample):
    folder = write_csv_dir(sample)
    (folder / "chains.csv").write_bytes(b"")
    raw = read_tables(folder)
    [p] = raw.problems
    assert p.file.endswith("chains.csv") and "empty" in p.message and p.row is None


def test_undecodable_csv(write_csv_dir, sample):
    folder = write_csv_dir(sample)
    (folder / "chains.csv").write_bytes(b"chain_id,name\n\xff\xfe\xff,x\n")
    [p] = read_tables(folder).problems
    assert "decode" in p.message and p.file.endswith("chains.csv")


def test_empty_workbook_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(ValidationFailed) as err:
        read_tables(path)
    assert err.value.problems[0].file == "empty.xlsx"


def test_corrupt_workbook(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(ValidationFailed, match="bad.xlsx"):
        read_tables(path)


@pytest.mark.parametrize("name,hint", [("data.xls", ".xlsx"), ("data.json", "CSV 文件夹"), ("one.csv", "--table")])
def test_unsupported_types(tmp_path, name, hint):
    path = tmp_path / name
    path.write_text("x")
    with pytest.raises(UnsupportedInput) as err:
        read_tables(path)
    assert name in str(err.value) and hint in err.value.hint


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(UnsupportedInput, match="nope"):
        read_tables(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UnsupportedInput, match="no .csv"):
        read_tables(tmp_path / "empty")


def test_sheet_without_header_and_duplicate_column(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "chains"
    ws = wb.create_sheet("products")
    ws.append(["product_id", "name", "name"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    raw = read_tables(path)
    messages = {(p.sheet, p.column): p.message for p in raw.problems}
    assert "header" in messages[("chains", None)]
    assert "twice" in messages[("products", "name")]
    assert not raw.tables["chains"].ok


def test_wrong_sheet_dimension_does_not_truncate(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "chains"
    for row in (["chain_id", "name"], [], ["A", "甲"], ["B", "乙"]):
        wb.active.append(row)
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    wb.save(good)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:   # as some exporters write it
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("sheet1.xml"):
                data = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1"/>', data)
            zout.writestr(info, data)
    rt = read_tables(bad).tables["chains"]
    assert rt.columns == ["chain_id", "name"]
    assert [(n, v["name"]) for n, v in rt.rows] == [(3, "甲"), (4, "乙")]
