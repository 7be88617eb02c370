"""招商项目 in the app (#16), with AppTest on the hand-made gap world: a lead created from a target on
the gap page, moved through the stages on the 招商项目 page, the overdue filter, and the editing
permission (the same rule as data loading)."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest

from uihelp import no_errors

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
from gapworld import world  # noqa: E402

Q = {"chain": "新能源汽车", "city": "运城市"}


@pytest.fixture
def db(env, tmp_path):
    from graph.store.embedded.store import EmbeddedStore
    path = tmp_path / "atlas"
    with EmbeddedStore(str(path)) as s:
        s.apply(world())
    env(CHAINATLAS_DB=path, CHAINATLAS_SEED="none", CHAINATLAS_EDITING="open")
    return path


def projects(db):
    from graph.store.embedded.store import EmbeddedStore
    with EmbeddedStore(str(db)) as s:
        return s.projects(), s.project_history()


def table(at, key, column):
    hits = [d for d in at.dataframe if d.key == key] or [d for d in at.dataframe if column in d.value.columns]
    assert hits, key
    return hits[0].value


def test_create_a_lead_from_a_target_on_the_gap_page(db, app):
    at = app("gaps", **Q)
    no_errors(at)
    at.selectbox(key="gap").select("P-CAT").run()
    at.text_input(key="gap_lead_unit").input("运城市商务局").run()
    at.text_input(key="gap_lead_by").input("张三").run()
    at.button(key="gap_lead_create").click().run()
    no_errors(at)
    assert any("已创建招商线索 PJ-0001" in s.value for s in at.success)
    p, h = projects(db)
    row = p.iloc[0]
    assert (row["enterprise_id"], row["products"], row["chains"], row["region"], row["unit"]) == \
        ("E-CAT-JS", ["P-CAT"], ["C-NEV"], "140800", "运城市商务局")
    assert h[["by", "to_stage"]].values.tolist() == [["张三", "线索"]]
    at.run()
    gaps = table(at, "gap_table", "招商项目")
    assert gaps.set_index("环节").loc["正极材料", "招商项目"] == "缺链 · 线索 1"


def test_move_a_project_through_the_stages(db, app):
    from graph.analysis.projects import create_project
    from graph.store.embedded.store import EmbeddedStore
    with EmbeddedStore(str(db)) as s:
        create_project(s, {"enterprise": "苏州电池包", "products": ["P-PACK"], "region": "140800"})
    at = app("projects")
    no_errors(at)
    at.text_input(key="pj_by").input("李四").run()
    for stage in ("已接洽", "已考察", "洽谈中", "已签约", "已落地"):
        at.selectbox(key="pj_move_to").select(stage).run()
        at.button(key="pj_move_go").click().run()
        no_errors(at)
        assert any(f"已变更为“{stage}”" in s.value for s in at.success)
    p, h = projects(db)
    assert p.iloc[0]["stage"] == "已落地" and p.iloc[0]["landed_on"] == datetime.now().strftime("%Y-%m-%d")
    assert h["to_stage"].tolist() == ["线索", "已接洽", "已考察", "洽谈中", "已签约", "已落地"]
    assert h["by"].tolist()[1:] == ["李四"] * 5
    # a landed project cannot move; the page says why instead of failing
    at.selectbox(key="pj_move_to").select("已终止").run()
    at.text_input(key="pj_move_reason").input("x").run()
    at.button(key="pj_move_go").click().run()
    assert any("已落地项目不能再变更阶段" in e.value for e in at.error) and not at.exception


def test_the_overdue_filter(db, app):
    from graph.analysis.projects import create_project, move_project
    from graph.store.embedded.store import EmbeddedStore
    with EmbeddedStore(str(db)) as s:
        create_project(s, {"enterprise": "甲企业", "products": ["P-PACK"], "next_date": "2020-01-01"})
        create_project(s, {"enterprise": "乙企业", "products": ["P-CAT"], "next_date": "2999-01-01"})
        create_project(s, {"enterprise": "丙企业", "products": ["P-CAT"], "next_date": "2020-01-01"})
        move_project(s, "PJ-0003", "已终止", reason="不再跟进")
    at = app("projects")
    no_errors(at)
    assert len(table(at, "pj_table", "下一步日期")) == 3
    assert at.metric[4].value == "1"
    at.toggle(key="pj_overdue").set_value(True).run()
    t = table(at, "pj_table", "下一步日期")
    assert t["编号"].tolist() == ["PJ-0001"] and t["逾期"].tolist() == ["逾期"]


@pytest.mark.parametrize("mode", ["off", "password"])
def test_editing_needs_editor_rights(db, env, app, mode):
    env(CHAINATLAS_DB=db, CHAINATLAS_SEED="none", CHAINATLAS_EDITING=mode, CHAINATLAS_EDITOR_PASSWORD="s3cret")
    at = app("projects")
    no_errors(at)
    assert not [b for b in at.button if b.key in ("pj_move_go", "pj_new_go")]
    at = app("gaps", **Q)
    assert not [b for b in at.button if b.key == "gap_lead_create"]
    if mode == "password":
        at.text_input(key="editor_password_input").input("wrong").run()
        assert not [b for b in at.button if b.key == "gap_lead_create"]
        at.text_input(key="editor_password_input").input("s3cret").run()
        assert [b for b in at.button if b.key == "gap_lead_create"]
    else:
        assert any("CHAINATLAS_EDITING=off" in i.value for i in at.info)


def test_new_project_form_and_flagged_project_after_a_reload(db, app):
    at = app("projects", **Q)
    no_errors(at)
    at.text_input(key="pj_new_ent").input("新来的电池包企业").run()
    at.text_input(key="pj_new_prod").input("电池包").run()
    at.text_input(key="pj_new_date").input("2020-02-02").run()
    at.button(key="pj_new_go").click().run()
    no_errors(at)
    p, _ = projects(db)
    assert (p.iloc[0]["products"], p.iloc[0]["region"], p.iloc[0]["next_date"]) == (["P-PACK"], "140800", "2020-02-02")
    from graph.store.embedded.store import EmbeddedStore
    with EmbeddedStore(str(db)) as s:       # a reload without 电池包
        s.clear()
        s.apply(world(products=[dict(product_id="P-CAR", name="整车")],
                      chain_products=[dict(chain="C-NEV", product="P-CAR", stage="downstream")],
                      product_flows=[], enterprise_products=[], supplies=[], chain_roles=[]))
    at = app("projects", **Q)
    no_errors(at)
    t = table(at, "pj_table", "提示")
    assert t["提示"].tolist() == ["环节已不在数据中：电池包（P-PACK）"] and t["逾期"].tolist() == ["逾期"]


def test_create_a_lead_from_the_panorama_link_detail(db, app):
    at = app("panorama", **Q)
    no_errors(at)
    at.selectbox(key="link").select("P-PACK").run()
    at.button(key="pano_lead_create").click().run()
    no_errors(at)
    p, _ = projects(db)
    assert (p.iloc[0]["enterprise_id"], p.iloc[0]["products"]) == ("E-PACK-JS", ["P-PACK"])
    at.run()
    assert any("招商项目：缺链 · 线索 1" in c.value for c in at.caption)
