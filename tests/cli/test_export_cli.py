"""``chainatlas export`` and ``chainatlas diff`` through click."""
from __future__ import annotations

import json

import openpyxl

from graph.export.snapshot import load_snapshot


def test_export_xlsx(run, tmp_path):
    out = tmp_path / "gaps.xlsx"
    r = run("export", "--chain", "新能源汽车", "--region", "运城市", "--out", out)
    assert r.exit_code == 0, r.output
    assert "缺口 5" in r.output and str(out) in r.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["说明", "汇总", "缺口清单", "招商目标", "招商组合", "本地企业", "链主供需对接", "招商项目", "核实清单", "_snapshot"]
    assert wb["缺口清单"].max_row == 6


def test_export_options_reach_the_snapshot(run, tmp_path):
    out = tmp_path / "all.json"
    r = run("export", "--all-chains", "--region", "运城", "--min-makers", "3", "--no-enclave", "--top", "2",
            "-w", "distance=30", "--eastern-transfer", "--out", out)
    assert r.exit_code == 0, r.output
    snap = load_snapshot(out)
    o = snap["options"]
    assert [c["chain_id"] for c in snap["chains"]] == ["C-NEV", "C-STEEL"]
    assert o["thresholds"]["min_makers"] == 3 and o["enclave_attribution"] is False and o["top"] == 2
    assert o["weights"]["distance"] == 30 and o["weights"]["eastern_transfer"] is True
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert all(t["rank"] <= 2 for t in doc["tables"]["targets"])


def test_export_csv_folder_and_zip(run, tmp_path):
    r = run("export", "--chain", "C-NEV", "--chain", "新能源汽车", "--region", "运城市", "--out", tmp_path / "g.csv")
    assert r.exit_code == 0, r.output
    raw = (tmp_path / "g" / "缺口清单.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "环节编号" in raw.decode("utf-8-sig")
    r = run("export", "--chain", "C-NEV", "--region", "运城市", "--out", tmp_path / "g.zip")
    assert r.exit_code == 0 and (tmp_path / "g.zip").exists()


def test_export_errors(run, tmp_path):
    r = run("export", "--region", "运城市", "--out", tmp_path / "x.xlsx")
    assert r.exit_code == 2 and "--all-chains" in r.output
    r = run("export", "--chain", "新能原汽车", "--region", "运城市", "--out", tmp_path / "x.xlsx")
    assert r.exit_code == 1 and "新能源汽车" in r.output
    r = run("export", "--chain", "C-NEV", "--region", "运城市", "--out", tmp_path / "x.pdf")
    assert r.exit_code == 1 and ".xlsx" in r.output


def test_diff(run, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.json"
    assert run("export", "--chain", "C-NEV", "--region", "运城市", "--out", a).exit_code == 0
    assert run("export", "--chain", "C-NEV", "--region", "运城市", "--min-share", "0", "--min-large", "0",
               "--out", b).exit_code == 0
    r = run("diff", a, b)
    assert r.exit_code == 0, r.output
    # without the share and size rules 锂矿 (two local makers) and 电机 are covered
    assert "缺口关闭 2" in r.output and "锂矿" in r.output and "电机" in r.output
    assert "min_large 1→0" in r.output
    r = run("diff", a, b, "--format", "json")
    doc = json.loads(r.output)
    assert sorted(c["product_id"] for c in doc["changes"]) == ["P-LI", "P-MOTOR"]
    assert {c["change"] for c in doc["changes"]} == {"closed"}
    r = run("diff", a, b, "--format", "csv")
    assert r.stdout_bytes.startswith(b"\xef\xbb\xbf") and r.output.count("closed") == 2
    r = run("diff", a, a)
    assert r.exit_code == 0 and "(无 none)" in r.output
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    r = run("diff", a, tmp_path / "junk.xlsx")
    assert r.exit_code == 1 and "_snapshot" in r.output
