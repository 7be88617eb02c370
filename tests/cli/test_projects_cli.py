"""``chainatlas projects add|list|move|export|import`` through click (#16)."""
from __future__ import annotations

import openpyxl


def test_add_move_list_and_overdue(run):
    r = run("projects", "add", "--enterprise", "苏州电池包", "--product", "电池包", "--region", "运城市",
            "--unit", "运城市商务局", "--next-date", "2020-01-01", "--by", "张三")
    assert r.exit_code == 0, r.output
    assert "PJ-0001 · 苏州电池包 · 电池包 · 线索" in r.output
    r = run("projects", "add", "--enterprise", "某新企业", "--product", "P-CAT", "--next-date", "2999-01-01")
    assert r.exit_code == 0, r.output
    r = run("projects", "move", "PJ-0001", "已接洽", "--by", "李四")
    assert r.exit_code == 0 and "线索 → 已接洽" in r.output, r.output
    r = run("projects", "list", "--overdue", "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 2 and "PJ-0001" in lines[1]
    r = run("projects", "list", "--link", "正极材料")
    assert "某新企业" in r.output and "苏州电池包" not in r.output
    r = run("projects", "list", "--funnel")
    assert r.exit_code == 0 and "新能源汽车" in r.output, r.output


def test_bad_moves_and_names_are_friendly_errors(run):
    run("projects", "add", "--enterprise", "苏州电池包", "--product", "电池包")
    r = run("projects", "move", "PJ-0001", "已落地")
    assert r.exit_code == 1 and "只有已签约项目才能落地" in r.output and "Traceback" not in r.output
    r = run("projects", "move", "PJ-0001", "已终止")
    assert r.exit_code == 1 and "原因" in r.output
    r = run("projects", "move", "PJ-9", "已接洽")
    assert r.exit_code == 1 and "PJ-9" in r.output
    r = run("projects", "add", "--enterprise", "x", "--product", "不存在的环节")
    assert r.exit_code == 1 and "未找到" in r.output


def test_export_then_import_round_trip(run, tmp_path):
    run("projects", "add", "--enterprise", "苏州电池包", "--product", "电池包", "--investment", "5000")
    out = tmp_path / "p.xlsx"
    r = run("projects", "export", "--out", out)
    assert r.exit_code == 0 and "1 个项目" in r.output, r.output
    wb = openpyxl.load_workbook(out)
    ws = wb["招商项目"]
    ws.cell(row=2, column=[c.value for c in ws[1]].index("阶段") + 1, value="已考察")
    wb.save(out)
    r = run("projects", "import", out)
    assert r.exit_code == 0 and "更新 1（其中阶段变更 1）" in r.output, r.output
    r = run("projects", "list", "--stage", "已考察", "--format", "json")
    assert '"PJ-0001"' in r.output


def test_diff_of_two_months_shows_the_stage_changes_exactly(run, tmp_path):
    import json
    for ent, prod in (("苏州电池包", "电池包"), ("苏州正极", "正极材料"), ("郑州正极", "正极材料")):
        assert run("projects", "add", "--enterprise", ent, "--product", prod, "--region", "运城市").exit_code == 0
    run("projects", "move", "PJ-0002", "已接洽")
    oct_, nov = tmp_path / "清单-10月.xlsx", tmp_path / "清单-11月.xlsx"
    assert run("export", "--chain", "新能源汽车", "--region", "运城市", "--out", oct_).exit_code == 0
    wb = openpyxl.load_workbook(oct_)
    assert [r[2] for r in wb["招商项目"].iter_rows(min_row=2, values_only=True)] == ["PJ-0002", "PJ-0001", "PJ-0003"]
    run("projects", "move", "PJ-0001", "洽谈中")
    run("projects", "move", "PJ-0002", "已签约")
    run("projects", "add", "--enterprise", "新企业", "--product", "电机", "--region", "盐湖区")
    assert run("export", "--chain", "新能源汽车", "--region", "运城市", "--out", nov).exit_code == 0
    r = run("diff", oct_, nov, "--format", "json")
    assert r.exit_code == 0, r.output
    got = [(c["change"], c["project_id"], c["old_stage"], c["new_stage"])
           for c in json.loads(r.output)["project_changes"]]
    assert got == [("stage", "PJ-0001", "线索", "洽谈中"), ("stage", "PJ-0002", "已接洽", "已签约"),
                   ("new", "PJ-0004", "", "线索")]
    r = run("diff", oct_, nov)
    assert "招商项目 projects: 阶段变化 2 · 新增 1 · 移出 0" in r.output and "已接洽 → 已签约" in r.output


def test_gaps_shows_the_projects_per_gap(run):
    run("projects", "add", "--enterprise", "苏州正极", "--product", "正极材料", "--region", "运城市")
    run("projects", "add", "--enterprise", "郑州正极", "--product", "正极材料", "--region", "运城市", "--stage", "已签约")
    r = run("gaps", "--chain", "新能源汽车", "--region", "运城市")
    assert r.exit_code == 0, r.output
    assert "正极材料：缺链 · 线索 1 · 已签约 1（PJ-0001、PJ-0002）" in r.output
