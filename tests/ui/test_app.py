"""Every page of the app, driven with streamlit.testing.v1.AppTest on the Shanxi seed."""
from __future__ import annotations

import json

import pytest

from uihelp import SEED, XSS, find, graph_page, no_errors


# st.dataframe keys reach AppTest only for selectable tables: the others are found by a column.
TABLE_COLUMN = {"gap_table": "优先级", "target_table": "距离分", "pano_local": "营收占比", "pano_targets": "理由",
                "search_hits": "所在/说明", "ent_facts": "项目", "ent_chains": "角色", "ent_products": "产品",
                "park_ents": "企业", "cov_table": "本地配套率", "sources_table": "其中示意数据",
                "problems_table": "修改建议 fix", "plan_table": "新增"}


def _rows(at, key):
    hits = [d for d in at.dataframe if d.key == key] or \
        [d for d in at.dataframe if TABLE_COLUMN.get(key) in d.value.columns]
    assert hits, f"no table {key}"
    return hits[0].value


def _has(at, key) -> bool:
    return any(d.key == key or TABLE_COLUMN.get(key) in d.value.columns for d in at.dataframe)


def test_first_start_seeds_and_shows_the_overview(env, tmp_path, app):
    # a store of its own: the session's seeded store may have been seeded by an earlier test
    env(CHAINATLAS_DB=tmp_path / "db", CHAINATLAS_SEED=str(SEED), CHAINATLAS_EDITING="open")
    at = app()
    no_errors(at)
    assert any("首次启动" in s.value and "自动载入" in s.value for s in at.success)
    assert at.title[0].value == "产业链总览"
    table = _rows(at, "overview_table")
    assert len(table) >= 10 and {"产业链", "链长", "链主", "本地配套率", "缺链", "弱链", "断链"} <= set(table.columns)
    assert int(at.metric[0].value.split()[0]) == len(table)
    # later sessions are not told again
    assert not any("首次启动" in s.value for s in app().success)


def test_overview_opens_a_chain_on_the_panorama(seeded_env, app):
    at = app()
    at.selectbox(key="overview_open").select("SX-NEV").run()
    at.button(key="overview_go").click().run()
    no_errors(at)
    assert at.title[0].value == "产业链全景图"
    assert at.selectbox(key="chain").value == "SX-NEV"
    assert at.query_params["chain"] in (["SX-NEV"], "SX-NEV")


def test_shared_link_restores_chain_and_region(seeded_env, app):
    at = app("panorama", chain="新能源汽车", city="运城市")       # names typed by hand still work
    no_errors(at)
    assert at.selectbox(key="chain").value == "SX-NEV"
    assert at.selectbox(key="city").value == "140800"
    assert any("新能源汽车 · 运城市" in m.value for m in at.markdown)


def _param(at, key):
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_shared_link_carries_ids(seeded_env, app):
    at = app("panorama", chain="SX-NEV", city="140800")
    no_errors(at)
    assert at.selectbox(key="chain").value == "SX-NEV" and at.selectbox(key="city").value == "140800"
    at.selectbox(key="link").set_value("P-SEPARATOR").run()
    assert _param(at, "chain") == "SX-NEV" and _param(at, "city") == "140800" and _param(at, "link") == "P-SEPARATOR"
    again = app("panorama", chain="SX-NEV", city="140800", link="P-SEPARATOR")     # the shared link
    no_errors(again)
    assert again.selectbox(key="link").value == "P-SEPARATOR"
    by_name = app("panorama", chain="SX-NEV", link="隔膜")                          # a name typed by hand
    assert by_name.selectbox(key="link").value == "P-SEPARATOR"


def test_unknown_values_in_a_link_say_so(seeded_env, app):
    at = app("panorama", chain="不存在的链", city="999999", link="P-NOPE")
    assert not at.exception
    notices = [w.value for w in at.warning]
    assert any("产业链“不存在的链”不存在" in w for w in notices)
    assert any("城市“999999”不存在" in w for w in notices)
    assert any("环节“P-NOPE”不存在" in w for w in notices)


def test_panorama_graph_and_link_details(seeded_env, app):
    at = app("panorama", chain="新能源汽车")
    no_errors(at)
    html = graph_page(at)
    assert "vis.Network" in html and "上游" in html and "★ 关键环节" in html
    assert "无本地企业" not in html
    links = _engine_links("SX-NEV")
    missing = links.loc[links["status"] == "missing", "product_id"].iloc[0]
    at.selectbox(key="link").select(missing).run()
    no_errors(at)
    assert _has(at, "pano_targets")          # targets next to the link
    assert f'"id": "{missing}"' in graph_page(at)
    covered = links.loc[links["status"] == "covered", "product_id"].iloc[0]
    at.selectbox(key="link").select(covered).run()
    assert len(_rows(at, "pano_local")) >= 1


def _engine_links(chain):
    from graph.analysis.gaps import diagnose
    from graph.settings import Settings
    from graph.store.factory import open_store
    with open_store(Settings.from_env()) as store:
        return diagnose(store, chain, "140000").links


def test_threshold_and_weight_change_the_tables(seeded_env, app):
    at = app("gaps", chain="新能源汽车")
    no_errors(at)
    before = _rows(at, "gap_table")
    assert len(before) > 0 and list(before["等级"])[0] == "紧急"
    at.slider(key="min_makers").set_value(1).run()
    at.slider(key="min_share").set_value(0.0).run()
    after = _rows(at, "gap_table")
    assert len(after) < len(before)                      # fewer weak links with looser thresholds
    targets = _rows(at, "target_table")
    assert len(targets) > 0
    at.slider(key="w_distance").set_value(0).run()
    at.slider(key="w_leader").set_value(40).run()
    changed = _rows(at, "target_table")
    assert (changed["距离分"] == 0).all()
    assert list(changed["得分"]) != list(targets["得分"])
    at.slider(key="min_makers").set_value(2).run()
    at.slider(key="min_share").set_value(0.3).run()


def test_gap_filters(seeded_env, app):
    at = app("gaps", chain="新能源汽车")
    at.multiselect(key="f_stage").select("上游").run()
    assert set(_rows(at, "gap_table")["阶段"]) == {"上游"}
    at.multiselect(key="f_stage").unselect("上游").run()
    at.toggle(key="f_key").set_value(True).run()
    assert _rows(at, "gap_table")["关键环节"].all()
    at.multiselect(key="f_status").select("断链").run()
    assert all(s.startswith("断链") for s in _rows(at, "gap_table")["状态"])
    labels = [b.label for b in find(at, "download_button")]
    assert any("Excel" in x for x in labels) and any("CSV" in x for x in labels) and any("JSON" in x for x in labels)


def test_gap_list_download_bytes(seeded_env, app):
    """The download buttons' callables produce real files (graph.export.build)."""
    app()                                              # opens (and seeds) the store
    from graph.options import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS
    from graph.store.factory import open_store
    from graph.settings import Settings
    from ui import downloads
    with open_store(Settings.from_env()) as store:
        ex = downloads.build(store, ("t",), "SX-NEV", "140000", DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, 5, True)
        from graph.export import build as export
        assert export.to_xlsx_bytes(ex)[:2] == b"PK"
        assert "缺" in export.to_csv_bytes(ex, "gaps").decode("utf-8-sig")
        assert export.to_json_bytes(ex).startswith(b"{")


def test_explorer_search_profile_and_expand(seeded_env, app):
    at = app("explorer")
    at.text_input(key="q").input("太原钢铁").run()
    no_errors(at)
    assert len(_rows(at, "search_hits")) >= 1
    node = at.selectbox(key="node")
    ent = [k for k in node.options if "企业" in k]
    assert ent
    facts = _rows(at, "ent_facts")
    assert {"所在地区", "来源", "数据日期"} <= set(facts["项目"])
    assert len(_rows(at, "ent_chains")) >= 1 and len(_rows(at, "ent_products")) >= 1
    nodes_before = find(at, "iframe")[0].proto.srcdoc.count('"physics": false')
    at.button(key="expand_go").click().run()
    no_errors(at)
    assert find(at, "iframe")[0].proto.srcdoc.count('"physics": false') > nodes_before
    assert any("已展开 2 个节点" in m.value for m in at.markdown)
    at.button(key="expand_reset").click().run()
    assert any("已展开 1 个节点" in m.value for m in at.markdown)


def test_park_profile(seeded_env, app):
    at = app("explorer", q="综合改革示范区")
    no_errors(at)
    from graph.settings import Settings
    from graph.store.factory import open_store
    with open_store(Settings.from_env()) as store:
        hits = store.search("综合改革示范区")
    park = hits.loc[hits["label"] == "Park", "id"].iloc[0]
    at.selectbox(key="node").select(f"Park|{park}").run()
    no_errors(at)
    assert _has(at, "park_ents")


def test_regions_page(seeded_env, app):
    at = app("regions", chain="新能源汽车")
    no_errors(at)
    cov = _rows(at, "cov_table")
    assert "运城市" in set(cov["地区"]) and len(cov) >= 11
    charts = find(at, "arrow_vega_lite_chart") + find(at, "vega_lite_chart")
    assert not find(at, "deck_gl_json_chart")                  # no basemap component at all
    spec = next(json.loads(c.proto.spec) for c in charts if "geoshape" in c.proto.spec)
    shapes = spec["layer"][0]["data"]["values"]
    assert {"运城市", "太原市"} <= {f["properties"]["name"] for f in shapes}    # real boundaries, named
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in shapes)
    assert '"url"' not in json.dumps(spec) and spec["layer"][0].get("projection", spec.get("projection"))
    at.selectbox(key="map_link").set_value("P-SEPARATOR").run()
    no_errors(at)
    charts = find(at, "arrow_vega_lite_chart") + find(at, "vega_lite_chart")
    assert any("隔膜 本地企业数" in json.loads(c.proto.spec)["layer"][0]["encoding"]["tooltip"][1]["title"]
               for c in charts if "geoshape" in c.proto.spec)


def test_data_page_counts_and_sources(seeded_env, app):
    at = app("data")
    no_errors(at)
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["企业"].replace(",", "")) > 100
    assert len(_rows(at, "sources_table")) > 0
    assert len(at.get("file_uploader")) >= 1


# --- editing, uploads and failures (their own stores) ---------------------------------------------------
@pytest.fixture
def empty_env(env, tmp_path):
    env(CHAINATLAS_DB=str(tmp_path / "empty"), CHAINATLAS_SEED="none", CHAINATLAS_EDITING="open")


def test_empty_store_explains_what_to_do(empty_env, app):
    at = app()
    assert not at.exception
    assert any("还没有产业链数据" in e.value for e in at.error)
    assert any("数据" in i.value for i in at.info)


def test_upload_bad_then_good_workbook(empty_env, app, tmp_path):
    from uihelp import sample_workbook, upload
    at = app("data")
    assert {m.label: m.value for m in at.metric}["产业链"] == "0"
    bad = sample_workbook(tmp_path / "bad.xlsx", broken=True)
    upload(at, "数据.xlsx", bad.read_bytes())
    assert not at.exception
    problems = _rows(at, "problems_table")
    assert len(problems) >= 2
    assert {"文件 file", "表 sheet", "行 row", "列 column", "值 value", "问题 problem", "修改建议 fix"} <= set(problems.columns)
    assert set(problems["文件 file"]) == {"数据.xlsx"} and "None" not in problems.to_string()
    assert any("发现" in e.value and "处问题" in e.value for e in at.error)
    good = sample_workbook(tmp_path / "good.xlsx")
    upload(at, "数据.xlsx", good.read_bytes())              # the fixed file, dropped again: replaces the old one
    no_errors(at)
    assert any("替换" in i.value for i in at.info)
    assert len([b for b in at.button if b.key and b.key.startswith("tray_remove_")]) == 1
    plan = _rows(at, "plan_table")
    assert plan["新增"].sum() > 0
    at.button(key="load_go").click().run()
    no_errors(at)
    assert any("已载入" in s.value for s in at.success)
    assert {m.label: m.value for m in at.metric}["产业链"] == "1"
    at.switch_page("ui/pages/overview.py").run()
    no_errors(at)
    assert list(_rows(at, "overview_table")["产业链"]) == ["新能源汽车"]


def test_editing_off_hides_upload(env, seeded_db, app):
    env(CHAINATLAS_DB=seeded_db, CHAINATLAS_EDITING="off")
    at = app("data")
    assert not at.exception
    assert len(at.get("file_uploader")) == 0
    assert any("已关闭" in i.value for i in at.info)


def test_editing_password(env, seeded_db, app):
    env(CHAINATLAS_DB=seeded_db, CHAINATLAS_EDITING="password", CHAINATLAS_EDITOR_PASSWORD="s3cret")
    at = app("data")
    assert len(at.get("file_uploader")) == 0
    at.text_input(key="editor_password_input").input("wrong").run()
    assert any("密码不正确" in e.value for e in at.error) and len(at.get("file_uploader")) == 0
    at.text_input(key="editor_password_input").input("s3cret").run()
    assert len(at.get("file_uploader")) >= 1


def test_store_down_shows_message_not_traceback(env, tmp_path, app):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    env(CHAINATLAS_DB=str(blocker / "db"), CHAINATLAS_SEED="none")
    at = app()
    assert not at.exception
    assert any("无法打开图谱" in e.value for e in at.error)
    assert any("处理建议" in i.value for i in at.info)


def test_xss_names_render_as_text(env, xss_store, app):
    env(CHAINATLAS_DB=xss_store.location, CHAINATLAS_SEED="none")
    at = app("panorama")
    no_errors(at)
    html = graph_page(at)
    assert "<img" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html.replace("\\u0026", "&")
    at = app("explorer", q="onerror")
    no_errors(at)
    assert XSS in set(_rows(at, "search_hits")["名称"])          # shown as text in the table
    assert "<img" not in find(at, "iframe")[0].proto.srcdoc
    for m in at.markdown:                                           # HTML-enabled markdown is escaped
        assert not (m.proto.allow_html and "<img" in m.value)


def test_leader_view_lists_inputs_and_candidates(seeded_env, app):
    at = app("leaders", chain="SX-NEV")
    no_errors(at)
    table = [d.value for d in at.dataframe if "候选供应商（外地，按得分）" in d.value.columns][0]
    assert len(table) >= 5 and {"本地有", "本地无"} <= set(table["本地能否配套"])
    missing = table[table["本地能否配套"] == "本地无"]
    assert (missing["候选供应商（外地，按得分）"] != "").all() and (missing["本地供应企业"] == "").all()
    unknown = table[table["本地能否配套"].str.startswith("未知")]
    assert (unknown["候选供应商（外地，按得分）"] == "").all()             # unknown is never a gap
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["上游投入品"]) == len(table)
    assert _param(at, "leader") == at.selectbox(key="leader").value      # the 链主's id is in the URL
    assert any(b.label.startswith("⬇ 下载供需对接清单") for b in at.get("download_button"))


def test_banner_for_a_running_or_interrupted_neo4j_load(empty_env, app, monkeypatch):
    """A Neo4j load commits in batches: the app says so while one runs and when one was killed."""
    from graph.store.embedded.store import EmbeddedStore
    loads = [{"id": "ab12", "source": "全国<b>.xlsx", "pid": 4242, "host": "h1", "batches": 7, "stale": False,
              "started": 0.0, "status": "running"}]
    monkeypatch.setattr(EmbeddedStore, "pending_loads", lambda self: loads)
    at = app()
    assert not at.exception
    assert any("正在载入数据" in w.value and "已提交 7 批" in w.value for w in at.warning)
    loads[0]["stale"] = True
    at = app()
    assert any("上次数据载入未完成" in e.value and "chainatlas recover" in e.value for e in at.error)
