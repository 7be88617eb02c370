"""The 数据 page's other imports: 企业名录 with tag review, chain drafting, ChainKnowledgeGraph zip."""
from __future__ import annotations

import io
import zipfile

import pytest

from uihelp import ROOT

from tests.conftest import CKG_SAMPLE as CKG  # noqa: E402
REGISTRY_CSV = ("企业名称,统一社会信用代码,所属省份,所属城市,经营范围,主营产品,企业规模\n"
                "运城示例电池有限公司,,山西省,运城市,动力电池的研发、生产和销售,动力电池,中型企业\n"
                "运城示例服务有限公司,,山西省,运城市,整车技术咨询服务,,小型\n")


def test_registry_import_with_review_and_load(loaded_env):
    at = loaded_env
    at.file_uploader(key="registry_upload").upload("名录.csv", REGISTRY_CSV.encode("utf-8")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("enterprises" in t.value for t in at.text)           # the import summary
    go = at.button(key="go_registry")
    go.click().run()
    assert not at.exception
    assert any("已载入" in s.value for s in at.success)
    assert int({m.label: m.value for m in at.metric}["企业"]) == 3


def test_chain_draft_preview_and_download(loaded_env):
    at = loaded_env
    at.multiselect(key="draft_core").select("P-BATT").run()
    assert not at.exception and not at.error
    preview = [d.value for d in at.dataframe if "层级" in d.value.columns][0]
    assert "动力电池" in set(preview["名称"])
    assert any(b.label.endswith("下载产业链草稿工作簿") for b in at.get("download_button"))


@pytest.mark.skipif(not (CKG / "company.json").exists(), reason=f"CKG sample not found at {CKG}")
def test_ckg_zip_import_preview(loaded_env):
    at = loaded_env
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in CKG.glob("*.json"):
            zf.write(f, f"ckg/{f.name}")
    at.file_uploader(key="ckg_upload").upload("ckg.zip", buf.getvalue()).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("kept:" in t.value for t in at.text)
    assert at.button(key="go_ckg").disabled is False


def test_ckg_bad_zip_is_a_message(loaded_env):
    at = loaded_env
    at.file_uploader(key="ckg_upload").upload("broken.zip", b"not a zip").run()
    assert not at.exception
    assert any("zip" in e.value for e in at.error)
