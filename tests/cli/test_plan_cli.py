"""``chainatlas plan`` and ``chainatlas whatif`` through click, on the gap world."""
from __future__ import annotations

import io
import json

import pandas as pd


def test_plan_table_csv_json(run):
    r = run("plan", "--region", "运城市", "--k", "5")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "招商组合 · 运城市 · 2 条产业链 · k = 5 · 候选企业 5 家"  # E-CAT-X (苏州) is known and outside since #11
    assert "苏州电池包" in r.output and "1 − 1/e" in r.output
    r = run("plan", "--region", "运城市", "--chain", "新能源汽车", "--k", "2", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("\ufeff")
    df = pd.read_csv(io.StringIO(r.output.lstrip("\ufeff")))
    assert df["enterprise_id"].tolist() == ["E-PACK-JS", "E-CAT-HN"]
    # weights: with key links worth nothing and missing links 0, only 电机 (weak) is left worth anything first
    r = run("plan", "--region", "140800", "--all-chains", "--k", "1", "--weights", "status_missing=0,key_link=0",
            "--weights", "broken=0", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["picks"][0]["enterprise_id"] == "E-TY" and doc["options"]["k"] == 1
    r = run("plan", "--region", "运城市", "--k", "3", "--exclude", "苏州电池包", "--exclude-province", "河南",
            "--format", "csv")
    df = pd.read_csv(io.StringIO(r.output.lstrip("\ufeff")))
    assert "E-PACK-JS" not in set(df["enterprise_id"]) and 410000 not in set(df["province"])


def test_plan_bad_input(run):
    r = run("plan", "--region", "运城市", "--weights", "nope=1")
    assert r.exit_code == 2 and "NAME=NUMBER" in r.output
    r = run("plan", "--region", "运城市", "--k", "0")
    assert r.exit_code == 2
    r = run("plan", "--region", "火星市")
    assert r.exit_code == 1 and "Traceback" not in r.output and "未找到" in r.output


def test_whatif_save_list_rerun(run, tmp_path):
    r = run("whatif", "--region", "运城市", "-e", "E-PACK-JS", "-e", "郑州正极", "--at", "盐湖区", "--save", "电池方案")
    assert r.exit_code == 0, r.output
    assert "假如引进 · 新能源汽车 · 盐湖区" in r.output and "缺链→弱链" in r.output
    assert "本地配套率    75%   100%" in r.output
    assert "链主" in r.output and "2/3" in r.output and "3/3" in r.output   # 大运汽车's local inputs
    r = run("whatif", "--list")
    assert r.exit_code == 0 and "电池方案" in r.output
    r = run("whatif", "--scenario", "电池方案", "--format", "json")
    doc = json.loads(r.output)
    assert [c["product_id"] for c in doc[0]["changes"]] == ["P-CAT", "P-PACK"]
    r = run("whatif", "--region", "运城市", "-e", "E-PACK-JS", "--at", "郑州市")
    assert r.exit_code == 1 and "不在" in r.output and "Traceback" not in r.output
