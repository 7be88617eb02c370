"""#12 item 4 on the 数据 page: an upload is validated once (not on every rerun), its problem list
is capped with counts of the rest, and uploads over the size limit are refused."""
from __future__ import annotations

import io
import zipfile

import pytest

from uihelp import sample_workbook, upload


@pytest.fixture
def counted(monkeypatch):
    import loaders.workbook as wbmod
    calls = []
    real = wbmod.check_path

    def check_path(path, existing=None, **kw):
        calls.append(str(path))
        return real(path, existing=existing, **kw)
    monkeypatch.setattr(wbmod, "check_path", check_path)
    return calls


def test_upload_is_validated_once(env, tmp_path, app, counted):
    env(CHAINATLAS_DB=str(tmp_path / "db"), CHAINATLAS_SEED="none", CHAINATLAS_EDITING="open")
    at = app("data")
    bad = sample_workbook(tmp_path / "bad.xlsx", broken=True)
    upload(at, "bad.xlsx", bad.read_bytes())
    assert len(counted) == 1 and any("校验未通过" in e.value for e in at.error)
    at.run()
    at.run()
    assert len(counted) == 1 and any("校验未通过" in e.value for e in at.error)   # reruns reuse the result
    good = sample_workbook(tmp_path / "good.xlsx")
    upload(at, "bad.xlsx", good.read_bytes())            # the fixed file dropped again replaces it
    at.run()
    assert len(counted) == 2 and not at.error


def test_many_problems_are_capped_with_counts(env, tmp_path, app):
    env(CHAINATLAS_DB=str(tmp_path / "db"), CHAINATLAS_SEED="none", CHAINATLAS_EDITING="open",
        CHAINATLAS_MAX_PROBLEMS="5")
    rows = "\n".join(f"E{i},名{i},,,,-{i}" for i in range(1, 400))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("enterprises.csv", "enterprise_id,name,region,park,scale,revenue\n" + rows + "\n")
    at = app("data")
    upload(at, "many.zip", buf.getvalue()).run()
    assert not at.exception
    table = [d.value for d in at.dataframe if "问题 problem" in d.value.columns][0]
    assert len(table) < 60                                 # 5 per column and kind, not 1,600
    assert any("另有 394 个同类问题" in c.value for c in at.caption)


def test_upload_over_the_size_limit_is_refused(env, tmp_path, app, counted):
    env(CHAINATLAS_DB=str(tmp_path / "db"), CHAINATLAS_SEED="none", CHAINATLAS_EDITING="open",
        CHAINATLAS_MAX_INPUT_MB="0.001")
    at = app("data")
    upload(at, "big.xlsx", sample_workbook(tmp_path / "g.xlsx").read_bytes()).run()
    assert not at.exception and counted == []
    assert any("上传文件过大" in e.value for e in at.error)
