"""What a cold start of the default page costs: its own timing marks, and no Altair on it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from uihelp import APP, find, no_errors

ROOT = Path(__file__).resolve().parents[2]


def test_timing_marks_follow_the_script_when_switched_on(seeded_env, app, monkeypatch, tmp_path):
    marks = tmp_path / "marks.jsonl"
    monkeypatch.setenv("CHAINATLAS_TIMING", str(marks))
    at = app()
    no_errors(at)
    got = [json.loads(line) for line in marks.read_text(encoding="utf-8").splitlines()]
    names = [m["mark"] for m in got]
    for a, b in [("script: start", "script: app imports"), ("script: store open", "script: sidebar"),
                 ("overview: data", "overview: metrics and table sent"), ("overview: metrics and table sent", "script: end")]:
        assert names.index(a) < names.index(b), names
    assert [m["t"] for m in got] == sorted(m["t"] for m in got)
    assert all(m["cpu"] >= 0 for m in got)


def _specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in find(at, "arrow_vega_lite_chart") + find(at, "vega_lite_chart")]


def test_the_first_page_draws_the_table_and_no_chart(seeded_env, app):
    # the chart library and the map load only when their view is chosen (~0.5 s of a cold start)
    at = app()
    no_errors(at)
    assert [t.label for t in find(at, "tab")] == ["产业链一览", "缺口构成", "各地配套率地图"]
    assert [d.key for d in at.dataframe] == ["overview_table"] and not _specs(at)
    unknown = app(view="<b>地图</b>")               # a view that does not exist: the table, the bad value dropped
    no_errors(unknown)
    assert [d.key for d in unknown.dataframe] == ["overview_table"] and "view" not in unknown.query_params


def test_overview_charts_are_plain_vega_lite_each_in_its_own_view(seeded_env, app):
    bars_view = app(view="缺口构成")
    no_errors(bars_view)
    (bars,) = _specs(bars_view)
    assert bars["encoding"]["x"]["stack"] is True and bars["encoding"]["color"]["scale"]["domain"] == ["断链", "缺链", "弱链"]
    assert not bars_view.dataframe                                  # the table is not drawn behind it
    map_view = app(view="各地配套率地图")
    no_errors(map_view)
    (spec,) = _specs(map_view)
    shapes = spec["layer"][0]
    assert shapes["mark"]["type"] == "geoshape" and all(f["type"] == "Feature" for f in shapes["data"]["values"])
    assert {"运城市", "太原市"} <= {f["properties"]["name"] for f in shapes["data"]["values"]}


def _fresh_process(code: str) -> str:
    """The last line ``code`` prints, run in a fresh Python (the app's modules not imported yet)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]


def test_the_default_page_does_not_import_altair(seeded_env):
    # in a fresh process: importing Altair (and validating its charts) was a third of a later start
    code = ("import sys\nfrom streamlit.testing.v1 import AppTest\n"
            f"at = AppTest.from_file({str(APP)!r}, default_timeout=300).run()\n"
            "assert not at.exception, [e.message for e in at.exception]\n"
            "assert at.title[0].value == '产业链总览', at.title\n"
            "print('altair' in sys.modules)\n")
    assert _fresh_process(code) == "False"


def test_the_warm_up_imports_what_the_default_page_would_import_while_it_runs(seeded_env):
    # in a fresh process: the warm-up's steps, then the page: the script imports nothing of its own
    # (Streamlit's emoji list for the page icon alone was ~0.08 s of a start's script)
    code = ("import sys\nfrom streamlit.testing.v1 import AppTest\n"
            f"at = AppTest.from_file({str(APP)!r}, default_timeout=300)\n"
            "from ui import warm\n"
            "for _, step in warm.STEPS:\n    step()\n"
            "before = set(sys.modules)\n"
            "at.run()\n"
            "assert not at.exception, [e.message for e in at.exception]\n"
            "print(sorted(set(sys.modules) - before))\n")
    new = eval(_fresh_process(code))         # a list of module names
    # AppTest's own runtime (the component scan: packaging) and two tiny modules may come late
    allowed = ("packaging", "streamlit.components.v2", "streamlit.testing", "streamlit.runtime.scriptrunner.magic_funcs",
               "ui.timing")
    assert [m for m in new if not m.startswith(allowed)] == [], new
