"""``chainatlas gaps`` and ``chainatlas targets`` through click."""
from __future__ import annotations

import io
import json

import pandas as pd



def test_gaps_table(run):
    r = run("gaps", "--chain", "新能源汽车", "--region", "运城市")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "产业链 新能源汽车（C-NEV） · 运城市（140800，city） · 飞地归属 开"
    assert lines[1].startswith("本地配套率 75.0%（6/8 个有数据环节） · 关键环节加权 69.2%")
    assert "紧急 2 · 重要 1 · 一般 2" in r.output
    rows = [ln for ln in lines if ln.startswith(("紧急", "重要", "一般")) and "优先级" not in ln][1:]
    assert [ln.split()[2] for ln in rows] == ["电池包", "正极材料", "电机", "电池管理系统", "锂矿"]
    assert "链主本地配套" in r.output and "66.7%" in r.output
    assert "充电桩" in r.output   # the no-data note


def test_gaps_csv_json_and_options(run):
    r = run("gaps", "--chain", "C-NEV", "--region", "140800", "--format", "csv", "--all")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.output.lstrip("\ufeff")))
    assert len(df) == 9 and df.set_index("product_id").at["P-CELL", "status"] == "covered"
    r = run("gaps", "--chain", "C-NEV", "--region", "140800", "--format", "csv", "--all", "--no-enclave")
    df = pd.read_csv(io.StringIO(r.output.lstrip("\ufeff")))
    assert df.set_index("product_id").at["P-CELL", "status"] == "weak"
    r = run("gaps", "--chain", "C-NEV", "--region", "运城", "--format", "json", "--top", "2",
            "--min-makers", "1", "--min-large", "0", "--min-share", "0")
    d = json.loads(r.output)
    assert [x["product_id"] for x in d["links"]] == ["P-PACK", "P-CAT"]
    assert d["summary"]["weak"] == 0 and d["options"]["thresholds"]["min_makers"] == 1


def test_gaps_compare(run):
    r = run("gaps", "--chain", "C-NEV", "--region", "山西省", "--compare", "--format", "json")
    assert r.exit_code == 0, r.output
    cov = {x["name"]: x["local_rate"] for x in json.loads(r.output)["comparison"]["coverage"]}
    assert cov == {"太原市": 0.25, "运城市": 0.75}


def test_unknown_names_get_suggestions(run):
    r = run("gaps", "--chain", "新能原汽车", "--region", "运城市")
    assert r.exit_code == 1
    assert "未找到产业链“新能原汽车”" in r.output and "您是不是要找：新能源汽车" in r.output
    r = run("targets", "--chain", "新能源汽车", "--region", "运成市")
    assert r.exit_code == 1 and "运城市" in r.output


def test_targets(run):
    r = run("targets", "--chain", "新能源汽车", "--region", "运城市", "--product", "正极材料", "--top", "2")
    assert r.exit_code == 0, r.output
    assert "苏州正极" in r.output and "郑州正极" in r.output and "未知正极" not in r.output
    r = run("targets", "--chain", "C-NEV", "--region", "运城市", "--product", "P-CAT", "-w", "distance=100",
            "--format", "csv")
    df = pd.read_csv(io.StringIO(r.output.lstrip("\ufeff")))
    assert df["enterprise_id"].tolist() == ["E-CAT-HN", "E-CAT-JS", "E-CAT-X"]
    r = run("targets", "--chain", "C-NEV", "--region", "运城市", "--eastern-transfer", "--format", "json")
    d = json.loads(r.output)
    js = next(t for t in d["targets"] if t["enterprise_id"] == "E-CAT-JS")
    assert js["s_transfer"] == 8 and d["weights"]["eastern_transfer"] is True
    assert not any("待核实" in n for n in d["notes"])      # every candidate's location is known here


def test_targets_bad_input(run):
    r = run("targets", "--chain", "C-NEV", "--region", "运城市", "-w", "nonsense=1")
    assert r.exit_code == 2 and "NAME=NUMBER" in r.output
    r = run("targets", "--chain", "C-NEV", "--region", "运城市", "--product", "钢材")
    assert r.exit_code == 1 and "未找到产品“钢材”" in r.output


def test_overview_lists_every_chain(run):
    r = run("overview", "--region", "运城市", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert {row["chain_id"] for row in rows} == {"C-NEV", "C-STEEL"}
    table = run("overview", "--region", "运城市")
    assert table.exit_code == 0 and "新能源汽车" in table.output and "本地配套率" in table.output
