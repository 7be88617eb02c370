"""#12: hostile and broken inputs — ranges, mojibake, bounds, merged names, determinism."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.errors import ValidationFailed
from loaders.read import read_tables
from loaders.validate import validate

ROOT = Path(__file__).resolve().parents[2]


def problems_of(raw):
    with pytest.raises(ValidationFailed) as info:
        validate(raw)
    return info.value.problems


# --- item 8: validate --format json always prints JSON; cycles start deterministically ----------
def test_validate_json_for_unsupported_inputs(tmp_path):
    from cli.main import main
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0junk")
    inner = tmp_path / "has_xlsx.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("data.xlsx", b"PK")
    env = {"CHAINATLAS_SEED": "none", "CHAINATLAS_DB": str(tmp_path / "db")}
    for path in (xls, inner, tmp_path / "missing.xlsx"):
        r = CliRunner().invoke(main, ["validate", str(path), "--standalone", "--format", "json"], env=env)
        assert r.exit_code == 1
        doc = json.loads(r.stdout)
        assert doc["ok"] is False and doc["error"] and doc["hint"] and doc["problems"] == []


def test_cycle_message_is_the_same_in_every_run(write_csv_dir, sample):
    flows = sample["product_flows"]
    extra = [{"product_id": f"P-Z{i}", "name": f"零件{i}", **{k: flows[0][k] for k in ("source", "as_of")}}
             for i in range(8)]
    sample["products"] += extra
    flows += [{**flows[0], "from_product": p["product_id"], "to_product": "P-BATT"} for p in extra]
    flows.append({**flows[0], "from_product": "整车", "to_product": "正极材料"})
    folder = write_csv_dir(sample)
    code = ("from loaders.read import read_tables; from loaders.validate import validate\n"
            "try:\n validate(read_tables(%r))\nexcept Exception as e:\n"
            " print([p.value for p in e.problems if p.sheet == 'product_flows'])" % str(folder))
    seen = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
        seen.add(out.stdout.strip())
    assert len(seen) == 1, seen
    assert seen.pop().startswith("['动力电池(P-BATT) →")     # the smallest id starts the cycle


# --- item 3: ranges, thousands separators, decimal commas -------------------------------------------
def test_numbers_out_of_range_are_rejected(write_csv_dir, sample):
    sample["regions"][1].update(lon="111,007", lat="95")
    sample["regions"][2].update(lon="1000", lat="35")
    sample["enterprises"][0].update(revenue="-500", employees="-3")
    sample["enterprises"][1].update(revenue="1,5")
    sample["chains"][0].update(year="22")
    got = {(p.sheet, p.row, p.column): p for p in problems_of(read_tables(write_csv_dir(sample)))}
    lon = got[("regions", 3, "lon")]
    assert "经度超出中国范围" in lon.message and "decimal comma: write 111.007" in lon.fix
    assert "纬度超出中国范围" in got[("regions", 3, "lat")].message
    assert "经度" in got[("regions", 4, "lon")].message
    assert "营收不能为负" in got[("enterprises", 2, "revenue")].message
    assert "人数不能为负" in got[("enterprises", 2, "employees")].message
    dec = got[("enterprises", 3, "revenue")]
    assert "decimal comma" in dec.message and "1.5" in dec.fix
    assert "year" in got[("chains", 2, "year")].message


def test_thousands_separators_only_where_they_group(write_csv_dir, sample):
    from loaders.cells import BadCell, parse_cell
    from graph import schema
    rev = schema.TABLES["enterprises"].column("revenue")
    assert [parse_cell(rev, t) for t in ("1,200,000", "12,345.5", "１，２００", "0", "1200")] == \
        [1200000, 12345.5, 1200, 0, 1200]
    for bad in ("1,20,000", "12,34", "1,2345", ",100", "100,"):
        with pytest.raises(BadCell):
            parse_cell(rev, bad)
    lon = schema.TABLES["regions"].column("lon")
    assert parse_cell(lon, "111.007") == 111.007 and parse_cell(lon, "135.0") == 135.0
    batch = validate(read_tables(write_csv_dir(sample)))     # the sample's 1,200,000 still loads
    assert batch["enterprises"]["revenue"].tolist()[0] == 1200000


# --- item 2: no silent mojibake ---------------------------------------------------------------------
def test_utf8_with_a_stray_byte_is_rejected_with_its_position(write_csv_dir, sample):
    folder = write_csv_dir(sample)
    path = folder / "enterprises.csv"
    data = path.read_bytes()
    at = data.index("大运汽车".encode("utf-8"))
    path.write_bytes(data[:at] + b"\xff" + data[at:])        # one stray byte before 大运汽车
    raw = read_tables(folder)
    (p,) = [p for p in raw.problems if p.sheet == "enterprises"]
    line = data[:at].count(b"\n") + 1
    assert f"line {line}, byte offset {at}" in p.message and "UTF-8" in p.message
    assert not any("GB18030" in w for w in raw.warnings)
    with pytest.raises(ValidationFailed):
        validate(raw)


def test_gb18030_is_read_when_plausible_and_said(write_csv_dir, sample):
    raw = read_tables(write_csv_dir(sample, encoding="gb18030"))
    assert not raw.problems
    assert any("GB18030" in w for w in raw.warnings)
    batch = validate(raw)
    assert "大运汽车股份有限公司" in batch["enterprises"]["name"].tolist()
    assert any("GB18030" in w for w in batch.warnings)
    utf8 = read_tables(write_csv_dir(sample))
    assert not any("GB18030" in w for w in utf8.warnings)


def test_mojibake_prone_bytes_are_not_guessed():
    from loaders.encoding import sniff
    text = "名称,地区\n大运汽车,运城\n" * 20
    broken = text.encode("utf-8").replace("运城".encode("utf-8"), "运城".encode("utf-8")[:-1], 1)
    got = sniff(broken)
    assert got.text is None and got.line == 2 and "UTF-8" in got.reason
    assert sniff(bytes(range(128, 256)) * 3).text is None                # junk: no guess
    assert sniff(text.encode("gb18030")).text == text                    # real GB18030
    assert sniff(b"\xef\xbb\xbf" + text.encode("gb18030")).text is None  # a BOM promises UTF-8


# --- item 5: names that merge silently; over-long names ----------------------------------------------
def test_zero_width_clash_is_reported(write_csv_dir, write_xlsx, sample, fake_store):
    sample["enterprises"].append({**sample["enterprises"][1], "enterprise_id": "E-ZW",
                                  "name": "运城正极材料\u200b有限公司"})
    for write in (write_csv_dir, write_xlsx):
        batch = validate(read_tables(write(sample)))           # valid (ids are distinct) but said
        (w,) = [w for w in batch.warnings if "零宽" in w]
        assert "运城正极材料有限公司" in w and "E-CATH" in w and "E-ZW" in w
    # referenced by that name: ambiguous, and the clash is listed as the reason
    sample["enterprise_products"][1]["enterprise"] = "运城正极材料有限公司"
    problems = problems_of(read_tables(write_csv_dir(sample)))
    assert any("多个匹配" in p.message for p in problems) and any("零宽" in p.message for p in problems)
    # a name already stored counts too; a plain duplicate name without zero-width is no such warning
    one = {k: v for k, v in sample.items()}
    one["enterprises"] = [sample["enterprises"][0], sample["enterprises"][2]]
    one["enterprise_products"] = sample["enterprise_products"][:1]
    stored = validate(read_tables(write_csv_dir({**sample, "enterprise_products": sample["enterprise_products"][:1]
                                                  , "enterprises": sample["enterprises"][:2]})))
    batch = validate(read_tables(write_csv_dir(one)), existing=fake_store(stored))
    assert any("零宽" in w and "E-CATH" in w for w in batch.warnings)


def test_overlong_names_are_rejected(write_csv_dir, sample):
    sample["enterprises"][0]["name"] = "大" * 50_000
    sample["enterprise_products"][0]["enterprise"] = "E-DAYUN"
    sample["products"][0]["source"] = "s" * 6000
    problems = problems_of(read_tables(write_csv_dir(sample)))
    name = [p for p in problems if p.column == "name"]
    assert len(name) == 1 and "50,000" in name[0].message and "at most 200" in name[0].message
    assert len(name[0].value) < 200                          # the problem does not carry the whole text
    assert any(p.column == "source" and "at most 5,000" in p.message for p in problems)
