"""The loader commands through click: template, validate, load, stats."""
from __future__ import annotations

import importlib.util
import json

import openpyxl
import pytest
from click.testing import CliRunner

from cli.main import main

P = "source,as_of"
FILES = {
    "regions": ["code,name,level,parent," + P, "140000,山西省,省,,s,2024", "140800,运城市,市,山西省,s,2024"],
    "chains": ["chain_id,name,province," + P, "SX-NEV,新能源汽车,山西省,s,2024"],
    "products": ["product_id,name,aliases," + P, "P-BATT,动力电池,锂电池,s,2024", "P-CAR,整车,,s,2024"],
    "chain_products": ["chain,product,stage," + P, "新能源汽车,锂电池,中游,s,2024", "SX-NEV,整车,下游,s,2024"],
    "product_flows": ["from_product,to_product," + P, "动力电池,整车,s,2024"],
    "parks": ["park_id,name,kind,region," + P],
    "enterprises": ["enterprise_id,name,region,scale," + P, "E-DAYUN,大运汽车,运城市,大型,s,2024"],
    "enterprise_products": ["enterprise,product,revenue_share," + P, "大运汽车,整车,0.6,s,2024"],
    "chain_roles": ["chain,enterprise,role," + P, "新能源汽车,大运汽车,链主,s,2024"],
}
needs_store = pytest.mark.skipif(importlib.util.find_spec("graph.store.embedded.store") is None,
                                 reason="graph/store/embedded/store.py not written yet")


@pytest.fixture
def run(tmp_path):
    env = {"CHAINATLAS_DB": str(tmp_path / "atlas"), "CHAINATLAS_SEED": "none"}
    return lambda *args: CliRunner().invoke(main, list(map(str, args)), env=env)


def csv_folder(tmp_path, name="data", **changes):
    folder = tmp_path / name
    folder.mkdir()
    for table, lines in {**FILES, **changes}.items():
        (folder / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="gb18030")
    return folder


def test_template(run, tmp_path):
    out = tmp_path / "模板.xlsx"
    result = run("template", out)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "说明" and "企业" in wb.sheetnames
    ws = wb["产业链"]
    assert ws.max_row == 3 and ws["A1"].value == "产业链编号*" and ws["A1"].font.bold and ws.freeze_panes == "A3"
    assert ws["A2"].value == "chain_id" and ws["A3"].value.startswith("【示例】")
    docs = [r for r in wb["说明"].iter_rows(min_row=2, values_only=True)]
    assert any(r[:4] == ("产业链", "chains", "产业链编号", "chain_id") for r in docs)
    again = run("template", out)
    assert again.exit_code == 1 and "--force" in again.output and "Traceback" not in again.output
    assert run("template", out, "--force").exit_code == 0
    md = run("template", "--markdown")
    assert md.exit_code == 0 and "### enterprises（企业）" in md.output


def test_template_is_a_valid_empty_input(run, tmp_path):
    out = tmp_path / "t.xlsx"
    run("template", out)
    result = run("validate", out, "--standalone")
    assert result.exit_code == 0 and "valid: 0 rows" in result.output


def test_validate_lists_every_problem(run, tmp_path):
    folder = csv_folder(tmp_path, chain_roles=["chain,enterprise,role," + P, "新能原汽车,大运汽车,老大,s,2024"],
                        enterprises=["enterprise_id,name,region,scale," + P, "E-DAYUN,大运汽车,运城市,巨型,s,"])
    result = run("validate", folder, "--standalone")
    assert result.exit_code == 1
    err = result.stderr
    assert "4 problems" in err and "新能源汽车 (SX-NEV)" in err and "Traceback" not in result.output
    for where in ("列 chain", "列 role", "列 scale", "列 as_of"):
        assert where in err
    js = run("validate", folder, "--standalone", "--format", "json")
    data = json.loads(js.stdout)
    assert js.exit_code == 1 and data["ok"] is False and len(data["problems"]) == 4
    assert {p["row"] for p in data["problems"]} == {2}


def test_validate_good_folder_and_missing_path(run, tmp_path):
    ok = run("validate", csv_folder(tmp_path), "--standalone")
    assert ok.exit_code == 0 and "valid: 11 rows" in ok.output
    missing = run("validate", tmp_path / "nope.xlsx", "--standalone")
    assert missing.exit_code == 1 and "错误 error" in missing.stderr and "Traceback" not in missing.output


@needs_store
def test_load_dry_run_load_and_stats(run, tmp_path):
    folder = csv_folder(tmp_path)
    dry = run("load", folder, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.stdout and "enterprises" in dry.stdout
    assert json.loads(run("stats", "--format", "json").stdout)["nodes"]["Chain"] == 0
    loaded = run("load", folder)
    assert loaded.exit_code == 0, loaded.output
    assert "written: added 11" in loaded.stdout
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert stats["nodes"]["Chain"] == 1 and stats["relationships"]["INCLUDES"] == 2
    assert stats["sources"] and {"source", "as_of", "table", "rows"} <= set(stats["sources"][0])
    table = run("stats")
    assert table.exit_code == 0 and "Enterprise" in table.stdout and "FEEDS" in table.stdout
    again = run("load", folder)
    assert "added 0, changed 0" in again.stdout


@needs_store
def test_failed_load_writes_nothing(run, tmp_path):
    run("load", csv_folder(tmp_path))
    before = run("stats", "--format", "json").stdout
    bad = csv_folder(tmp_path, "bad", products=["product_id,name," + P, "P-X,新产品,s,2024", "P-X,重复,s,2024"])
    result = run("load", bad)
    assert result.exit_code == 1 and "duplicate key" in result.stderr and "nothing was written" in result.stderr
    assert run("stats", "--format", "json").stdout == before


@needs_store
def test_load_one_csv_merges_into_what_is_loaded(run, tmp_path):
    assert run("load", csv_folder(tmp_path)).exit_code == 0
    one = tmp_path / "products.csv"
    one.write_text("产品编号,产品名称,来源,数据日期\nP-BATT,动力电池系统,s,2024\nP-MOTOR,驱动电机,s,2024\n",
                   encoding="utf-8")
    result = run("load", one)
    assert result.exit_code == 0, result.output
    assert "added 1, changed 1" in result.output
    nodes = json.loads(run("stats", "--format", "json").output)["nodes"]
    assert nodes["Enterprise"] == 1 and nodes["Product"] == 3 and nodes["Chain"] == 1


@needs_store
def test_load_one_csv_with_another_name_needs_its_table(run, tmp_path):
    assert run("load", csv_folder(tmp_path)).exit_code == 0
    odd = tmp_path / "产品表.csv"
    odd.write_text("产品编号,产品名称,来源,数据日期\nP-MOTOR,驱动电机,s,2024\n", encoding="utf-8")
    refused = run("load", odd)
    assert refused.exit_code == 1 and "--table" in refused.output and "Traceback" not in refused.output
    assert run("load", odd, "--table", "products").exit_code == 0
