"""A store with chains but no regions (e.g. a drafted CKG chain): the app says exactly that (not
"the atlas is empty") and one button loads the bundled national region reference."""
from __future__ import annotations

from uihelp import _build_batch, no_errors


def test_no_regions_is_said_and_one_button_loads_the_reference(tmp_path, env, app):
    from graph.store.embedded.store import EmbeddedStore

    db = tmp_path / "db"
    with EmbeddedStore(str(db)) as s:
        s.apply(_build_batch()(chains=[dict(chain_id="C-COKE", name="焦化")],
                               products=[dict(product_id="P1", name="焦炭")],
                               chain_products=[dict(chain="C-COKE", product="P1", stage="midstream")]))
    env(CHAINATLAS_DB=db, CHAINATLAS_SEED="none")
    at = app()
    said = " ".join(w.value for w in at.sidebar.warning)
    assert "尚未载入行政区划" in said and "1 条产业链" in said
    page = " ".join(str(e.value) for e in at.error) + " ".join(str(i.value) for i in at.info)
    assert "the atlas is empty" not in page and "尚未载入行政区划" in page
    button = [b for b in at.sidebar.button if b.key == "load_reference_regions"]
    assert len(button) == 1
    button[0].click().run()
    no_errors(at)
    with EmbeddedStore(str(db)) as s:
        assert s.counts()["Region"] == 364
    assert [w.value for w in at.sidebar.warning if "行政区划" in w.value] == []


def test_products_without_chains_are_not_an_empty_atlas(tmp_path, env, app):
    from graph.store.embedded.store import EmbeddedStore

    db = tmp_path / "db"
    with EmbeddedStore(str(db)) as s:
        s.apply(_build_batch()(products=[dict(product_id="P1", name="焦炭")],
                               enterprises=[dict(enterprise_id="E1", name="山西焦化股份有限公司")]))
    env(CHAINATLAS_DB=db, CHAINATLAS_SEED="none")
    at = app()
    page = " ".join(str(e.value) for e in at.error)
    assert "the atlas is empty" not in page
    assert "1 家企业" in page and "1 个产品" in page


def test_explorer_finds_an_alias_and_marks_an_inferred_region(tmp_path, env, app):
    from graph.store.embedded.store import EmbeddedStore

    db = tmp_path / "db"
    with EmbeddedStore(str(db)) as s:
        s.apply(_build_batch()(
            regions=[dict(code="140000", name="山西省", level="province")],
            chains=[dict(chain_id="C-COKE", name="焦化", province="140000")],
            products=[dict(product_id="P1", name="焦炭")],
            chain_products=[dict(chain="C-COKE", product="P1", stage="midstream")],
            enterprises=[dict(enterprise_id="600408.SH", name="山西安泰集团股份有限公司", aliases=["ST安泰"],
                              region="140000", region_source="inferred", region_evidence="名称：山西")],
            enterprise_products=[dict(enterprise="600408.SH", product="P1")]))
    env(CHAINATLAS_DB=db, CHAINATLAS_SEED="none")
    at = app("explorer", q="ST安泰")
    no_errors(at)
    [facts] = [d.value for d in at.dataframe if "项目" in d.value.columns]
    facts = facts.set_index("项目")["内容"]
    assert facts["所在地区"] == "山西省（推断）（依据 名称：山西）"
    assert facts["简称/曾用名"] == "ST安泰"
