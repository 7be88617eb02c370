"""#12 item 4: bounded resources — input and member sizes, zip ratio, rows per table, capped problems."""
from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from graph.errors import ValidationFailed
from graph.settings import Settings
from loaders.read import read_tables
from loaders.validate import validate

HEADER = "enterprise_id,name,region,park,scale,revenue,employees,source,as_of\n"


def _bomb(path, mb: int):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("enterprises.csv", HEADER + "E1,=1,,,,-5,-3,s,2024\n" * (mb * 2**20 // 22))
    return path


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    path = _bomb(tmp_path / "bomb.zip", 5)
    assert path.stat().st_size < 100_000
    with pytest.raises(ValidationFailed) as info:
        read_tables(path)
    (p,) = info.value.problems
    assert "压缩比" in p.message and "CHAINATLAS_MAX_ZIP_RATIO" in p.fix and p.file == "bomb.zip/enterprises.csv"
    raw = read_tables(path, Settings(max_zip_ratio=10_000))       # a raised limit lets it through
    assert len(raw.tables["enterprises"]) > 100_000


def test_member_that_unpacks_beyond_its_header_is_stopped(tmp_path):
    path = _bomb(tmp_path / "liar.zip", 3)
    data = bytearray(path.read_bytes())
    # shrink the declared sizes (local header and central directory) to 1,000 bytes
    for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.index(sig)
        data[i + at:i + at + 4] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ValidationFailed) as info:
        read_tables(path, Settings(max_member_mb=1))
    assert "zip 成员损坏" in info.value.problems[0].message      # zipfile stops at the declared size: CRC fails


def test_input_size_and_rows_per_table(tmp_path, write_csv_dir, write_xlsx, sample):
    folder = write_csv_dir(sample)
    with pytest.raises(ValidationFailed) as info:
        read_tables(folder, Settings(max_input_mb=0.001))
    assert "文件过大" in info.value.problems[0].message and "CHAINATLAS_MAX_INPUT_MB" in info.value.problems[0].fix
    for path in (folder, write_xlsx(sample)):
        raw = read_tables(path, Settings(max_rows=2))
        rows = [p for p in raw.problems if "行数超过上限" in p.message]
        assert sorted(p.sheet for p in rows) == ["chain_products", "products", "regions"], path   # the 3-row tables
        assert "CHAINATLAS_MAX_ROWS" in rows[0].fix
        with pytest.raises(ValidationFailed):
            validate(raw)


def test_problem_list_is_capped_with_counts(write_csv_dir, sample):
    base = sample["enterprises"][0]
    sample["enterprises"] = [{**base, "enterprise_id": f"E{i}", "name": f"企业{i}", "revenue": "-1",
                              "employees": "many"} for i in range(500)]
    sample["enterprise_products"] = []
    sample["chain_roles"] = []
    with pytest.raises(ValidationFailed) as info:
        validate(read_tables(write_csv_dir(sample)), max_problems=7)
    err = info.value
    assert err.total == 1000 and len(err.problems) == 14
    assert sorted((o["column"], o["count"]) for o in err.omitted) == [("employees", 493), ("revenue", 493)]
    assert "1,000 problems" in str(err) and "另有 493 个同类问题" in err.report()


def test_validate_json_lists_the_omitted_counts(tmp_path, write_csv_dir, sample):
    from cli.main import main
    sample["enterprises"] = [{**sample["enterprises"][0], "enterprise_id": f"E{i}", "name": f"企业{i}",
                              "revenue": "-1"} for i in range(30)]
    sample["enterprise_products"], sample["chain_roles"] = [], []
    env = {"CHAINATLAS_SEED": "none", "CHAINATLAS_DB": str(tmp_path / "db"), "CHAINATLAS_MAX_PROBLEMS": "4"}
    r = CliRunner().invoke(main, ["validate", str(write_csv_dir(sample)), "--standalone", "--format", "json"], env=env)
    doc = json.loads(r.stdout)
    assert r.exit_code == 1 and doc["total"] == 30 and len(doc["problems"]) == 4
    assert doc["omitted"][0]["count"] == 26 and doc["omitted"][0]["column"] == "revenue"
