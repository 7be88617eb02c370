"""The 招商组合 page through AppTest on the Shanxi seed: plan table, curve, before/after."""
from __future__ import annotations

from uihelp import find, no_errors


def _table(at, column):
    hits = [d for d in at.dataframe if column in d.value.columns]
    assert hits, f"no table with {column}"
    return hits[0].value


def test_plan_page_table_curve_and_before_after(seeded_env, app):
    at = app("recruit", city="运城市")
    no_errors(at)
    assert at.title[0].value == "招商组合"
    picks = _table(at, "增益")
    assert 1 <= len(picks) <= 10 and picks["序"].tolist() == list(range(1, len(picks) + 1))
    assert picks["增益"].is_monotonic_decreasing or len(picks) == 1
    assert picks["累计覆盖缺口"].is_monotonic_increasing
    assert len(find(at, "vega_lite_chart")) == 1        # the coverage curve
    changes = _table(at, "引进后")
    assert len(changes) >= 1 and (changes["本地企业(后)"] > changes["本地企业(前)"]).all()
    assert all(changes["引进企业"].str.len() > 0)
    html = find(at, "iframe")[0].proto.srcdoc
    assert "▲" in html or "\\u25b2" in html
    # fewer picks when k is lowered
    at.number_input(key="plan_k").set_value(2).run()
    no_errors(at)
    assert len(_table(at, "增益")) == 2


def test_plan_page_weights_and_exclusions(seeded_env, app):
    at = app("recruit", city="运城市")
    first = _table(at, "增益")["省份"].tolist()
    at.text_input(key="plan_exclude_prov").input(first[0]).run()
    no_errors(at)
    assert first[0] not in set(_table(at, "增益")["省份"])
    top = _table(at, "增益")["企业"].iloc[0]
    at.text_input(key="plan_exclude_ent").input(top).run()
    no_errors(at)
    assert top not in set(_table(at, "增益")["企业"])
    at.slider(key="plan_quality").set_value(1.0).run()
    no_errors(at)
    assert len(_table(at, "增益")) >= 1


def test_plan_page_extra_enterprise_and_saved_scenario(seeded_env, app, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINATLAS_SCENARIOS", str(tmp_path / "sc"))
    at = app("recruit", city="运城市")
    before = _table(at, "引进后")
    at.text_input(key="plan_extra").input("不存在的企业甲").run()
    assert any("未找到" in e.value for e in at.error)          # a clear message, no traceback
    assert not at.exception
    at.text_input(key="plan_extra").input("").run()
    no_errors(at)
    assert len(_table(at, "引进后")) == len(before)
    at.text_input(key="plan_scenario_name").input("运城测试方案").run()
    at.button(key="plan_scenario_save").click().run()
    no_errors(at)
    assert any("已保存情景" in s.value for s in at.success)
    from graph.analysis.scenarios import list_scenarios
    assert list_scenarios(tmp_path / "sc")["name"].tolist() == ["运城测试方案"]
