"""The 招商项目 workbook (#16): round trip, Chinese headers, formula-safe cells, validation naming
sheet/row/column, all-or-nothing, stage changes recorded on import."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gapworld import world  # noqa: E402

from graph.analysis.projects import create_project, move_project  # noqa: E402
from graph.errors import ValidationFailed  # noqa: E402
from graph.export.project_book import HEADERS, SHEET, import_workbook, workbook_bytes  # noqa: E402

T0 = datetime(2025, 1, 2, 9, 0, 0)


@pytest.fixture
def atlas(store):
    store.apply(world())
    create_project(store, {"enterprise": "苏州电池包", "products": ["电池包"], "region": "运城市", "unit": "运城市商务局",
                           "person": "张三", "investment": 120000, "next_step": "=HYPERLINK(\"http://x\")",
                           "next_date": "2025-03-01", "notes": "+1 备注"}, by="张三", now=T0)
    p = create_project(store, {"enterprise": "郑州正极", "products": ["P-CAT"], "park": "运城经济技术开发区"}, now=T0)
    move_project(store, p["project_id"], "洽谈中", by="李四", now=T0)
    return store


def write(tmp_path, data: bytes, name="项目.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_export_has_chinese_headers_and_no_formula_cells(atlas, tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path, workbook_bytes(atlas)))
    assert wb.sheetnames == ["招商项目", "阶段记录", "说明"]
    ws = wb[SHEET]
    assert [c.value for c in ws[1]] == list(HEADERS.values())
    assert all(c.data_type != "f" for row in wb[SHEET].iter_rows() for c in row)
    row = {h: c.value for h, c in zip(HEADERS.values(), ws[2])}
    assert row["下一步"] == '=HYPERLINK("http://x")' and row["目标环节"] == "电池包" and row["区划代码"] == "140800"
    assert row["计划投资（万元）"] == 120000 and row["阶段"] == "线索"
    assert [c.value for c in wb["阶段记录"][4]][3:6] == ["李四", "线索", "洽谈中"]


def test_round_trip_into_an_empty_project_list(atlas, tmp_path):
    before = atlas.projects()
    path = write(tmp_path, workbook_bytes(atlas))
    assert import_workbook(atlas, path) == {"added": 0, "changed": 0, "unchanged": 2, "moved": 0}
    atlas.clear_projects()
    assert import_workbook(atlas, path, now=T0)["added"] == 2
    after = atlas.projects()
    same = [c for c in before.columns if c not in ("source",)]
    pd.testing.assert_frame_equal(after[same], before[same])


def test_an_edited_stage_is_a_recorded_move(atlas, tmp_path):
    path = write(tmp_path, workbook_bytes(atlas))
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    col = list(HEADERS.values()).index("阶段") + 1
    ws.cell(row=3, column=col, value="已签约")
    ws.append(["", "", "新线索企业", "", "", "", "", "", "", "", "", "线索"])
    wb.save(path)
    assert import_workbook(atlas, path, by="王五") == {"added": 1, "changed": 1, "unchanged": 1, "moved": 1}
    h = atlas.project_history(["PJ-0002"])
    assert h[["by", "from_stage", "to_stage"]].values.tolist()[-1] == ["王五", "洽谈中", "已签约"]
    assert atlas.projects()["project_id"].tolist() == ["PJ-0001", "PJ-0002", "PJ-0003"]


def test_problems_name_sheet_row_column_and_nothing_is_written(atlas, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["项目编号", "目标企业", "目标环节", "阶段", "下一步日期", "计划投资(万元)"])
    ws.append(["", "好企业", "电池包", "线索", "2025-05-01", 100])
    ws.append(["", "", "不存在环节", "签约了", "下周", "很多"])
    ws.append(["PJ-0002", "郑州正极", "正极材料", "已接洽", "", ""])     # backwards
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    before = atlas.projects()
    with pytest.raises(ValidationFailed) as info:
        import_workbook(atlas, path)
    got = {(p.sheet, p.row, p.column) for p in info.value.problems}
    assert got == {(SHEET, 3, "目标企业"), (SHEET, 3, "目标环节"), (SHEET, 3, "阶段"), (SHEET, 3, "下一步日期"),
                   (SHEET, 3, "计划投资（万元）"), (SHEET, 4, "阶段")}
    assert all(p.file == "bad.xlsx" and p.fix for p in info.value.problems)
    assert atlas.projects().equals(before) and len(atlas.project_history()) == 3
