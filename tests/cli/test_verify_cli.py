"""CLI faces of #11 on the honest world: 待核实 in gaps/overview/targets, ``verify-list`` and its
fill-in workbook loaded back with ``chainatlas load``."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from gapworld import honest_world  # (tests/graph is on sys.path via conftest)


@pytest.fixture
def run(make_run):
    return make_run(honest_world())


def test_gaps_shows_unverified_and_the_coverage_range(run):
    r = run("gaps", "--chain", "新能源汽车", "--region", "运城市")
    assert r.exit_code == 0, r.output
    assert "本地配套率 75.0%（待核实 2 个环节，上限 100.0%）（6/8 个有数据环节）" in r.output
    assert "待核实 3" in r.output and "待核实环节 unverified（3 个" in r.output
    assert "山西焦化" in r.output and "均在区域外" not in r.output
    assert "3 家生产企业的所在地对“运城市”未知" in r.output
    d = json.loads(run("gaps", "--chain", "C-NEV", "--region", "运城市", "--format", "json", "--all").output)
    st = {x["product_id"]: x["status"] for x in d["links"]}
    assert st["P-CAT"] == "unverified" and "missing" not in st.values()


def test_overview_shows_the_range(run):
    r = run("overview", "--region", "运城市")
    assert r.exit_code == 0, r.output
    assert "75%（待核实 2 个环节，上限 100%）" in r.output and "verify-list" in r.output
    df = pd.read_json(io.StringIO(run("overview", "--region", "运城市", "--format", "json").output))
    assert df.set_index("chain_id").at["C-NEV", "unverified"] == 3


def test_targets_leave_out_unknown_location_firms_unless_asked(run):
    r = run("targets", "--chain", "C-NEV", "--region", "运城市", "--product", "正极材料")
    assert r.exit_code == 0, r.output
    assert "山西焦化" not in r.output and "待核实企业 1 家（未列入" in r.output
    assert "不是确认的缺口" in r.output
    r = run("targets", "--chain", "C-NEV", "--region", "运城市", "--product", "正极材料", "--include-unverified")
    assert "山西焦化" in r.output and "待核实企业 1 家（已列入并标注）" in r.output


def test_verify_list_and_fill_in_round_trip(run, tmp_path):
    r = run("verify-list", "--chain", "新能源汽车", "--region", "运城市")
    assert r.exit_code == 0, r.output
    rows = [ln.split()[1] for ln in r.output.splitlines()[2:5]]
    assert rows == ["山西焦化", "山西电池包", "某电控"]
    book = tmp_path / "待核实企业.xlsx"
    r = run("verify-list", "--all-chains", "--region", "运城市", "--format", "csv", "--fill-in", book)
    df = pd.read_csv(io.StringIO(r.output.lstrip("\ufeff")))
    assert df["enterprise_id"].tolist() == ["E-CAT-U", "E-PACK-SX", "E-BMS-U"]
    wb = load_workbook(book)
    ws = wb["enterprises"]
    header = [c.value for c in ws[1]]
    col = header.index("region") + 1
    for row, code in zip(range(2, 5), ["140800", "320500", "410100"]):
        ws.cell(row=row, column=col, value=code)
    wb.save(book)
    r = run("load", book)
    assert r.exit_code == 0, r.output
    d = json.loads(run("gaps", "--chain", "C-NEV", "--region", "运城市", "--format", "json", "--all").output)
    st = {x["product_id"]: x["status"] for x in d["links"]}
    assert (st["P-CAT"], st["P-BMS"], st["P-PACK"]) == ("weak", "covered", "missing")
    r = run("verify-list", "--all-chains", "--region", "运城市")
    assert "没有待核实环节" in r.output


def test_verify_list_needs_chains(run):
    r = run("verify-list", "--region", "运城市")
    assert r.exit_code == 2 and "--all-chains" in r.output
