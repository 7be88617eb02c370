"""End to end: ``streamlit run serve.py`` (the app with its start-up warm-up) in a subprocess (fresh store, first-start seed), driven by
headless Chromium through playwright. Screenshots go to test-artifacts/ (gitignored).

Uses the system Chromium at /usr/bin/chromium; it never downloads a browser.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from uihelp import ROOT

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the "
                    "end-to-end test; no browser is downloaded")
    pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINATLAS_")}
    env.update(CHAINATLAS_DB=str(tmp_path_factory.mktemp("e2e") / "db"), CHAINATLAS_EDITING="open")
    log = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
                                 "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"streamlit did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1600, "height": 1700}, accept_downloads=True)
        pg.set_default_timeout(90_000)
        pg.outside = []                  # every request that would leave the machine
        pg.on("request", lambda r: pg.outside.append(r.url) if not _local(r.url) else None)
        yield pg
        browser.close()


def _local(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname
    return url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost", "::1")


def _graph_frame(pg):
    """The panorama's graph frame (ui/graph_frame.py): the frame whose page defines ``network``."""
    for _ in range(300):
        for f in pg.frames:
            try:
                if f != pg.main_frame and f.evaluate("typeof network !== 'undefined'"):
                    return f
            except Exception:  # noqa: BLE001 — a frame detached while we looked
                continue
        pg.wait_for_timeout(200)
    raise AssertionError("no graph frame")


def _settle(pg):
    """Wait until the app has finished running (no spinner, no running indicator)."""
    pg.wait_for_selector("h1")
    pg.wait_for_function("!document.querySelector('[data-testid=stSpinner]')"
                         " && !document.querySelector('[data-testid=stStatusWidget]')")
    pg.wait_for_timeout(800)


def test_panorama_renders_its_graph(server, page):
    page.goto(f"{server}/panorama?chain=新能源汽车")
    _settle(page)
    assert "产业链全景图" in page.locator("h1").first.inner_text()
    frame = _graph_frame(page)
    frame.locator("#mynetwork canvas").wait_for()
    assert frame.locator("#legend").inner_text().count("关键环节") == 1
    page.wait_for_timeout(1200)          # let vis fit and draw
    page.screenshot(path=str(ARTIFACTS / "panorama.png"), full_page=True)
    assert page.get_by_text("无本地企业").count() == 0


def test_gap_table_and_download(server, page):
    page.goto(f"{server}/gaps?chain=新能源汽车")
    _settle(page)
    assert page.get_by_text("缺口清单").first.is_visible()
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "gaps.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="Excel 清单").click()
    download = info.value
    target = ARTIFACTS / download.suggested_filename
    download.save_as(target)
    assert target.suffix == ".xlsx" and target.read_bytes()[:2] == b"PK"


def _scrolled(pg) -> int:
    return pg.evaluate("document.querySelector('[data-testid=stMain]').scrollTop")


def test_wheel_scrolls_the_page_and_a_node_click_selects_its_link(server, page):
    page.set_viewport_size({"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/panorama?chain=SX-NEV")
        _settle(page)
        frame = _graph_frame(page)
        frame.locator("#mynetwork canvas").wait_for()
        page.wait_for_timeout(1500)                                     # vis fits the graph once drawn
        before = _scrolled(page)
        for _ in range(3):                                              # a busy machine may drop a wheel
            box = frame.frame_element().bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, min(box["y"] + 150, 850))
            page.mouse.wheel(0, 300)
            page.wait_for_timeout(800)
            if _scrolled(page) > before:
                break
        assert _scrolled(page) > before                      # the page scrolled, the graph did not zoom
        for _ in range(3):
            box = frame.frame_element().bounding_box()
            spot = frame.evaluate("""(() => { const p = network.canvasToDOM(network.getPositions(['P-SEPARATOR'])['P-SEPARATOR']);
                                     const r = document.getElementById('mynetwork').getBoundingClientRect();
                                     return {x: p.x + r.left, y: p.y + r.top}; })()""")
            page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
            try:
                page.wait_for_function("location.search.includes('link=P-SEPARATOR')", timeout=20_000)
                break
            except Exception:  # noqa: BLE001 — clicked while the page was still moving: try again
                frame = _graph_frame(page)
        assert "link=P-SEPARATOR" in page.url
        _settle(page)
        assert "隔膜" in page.locator("[data-testid=stMain]").inner_text()       # its detail panel
        page.screenshot(path=str(ARTIFACTS / "panorama-1440.png"))
    finally:
        page.set_viewport_size({"width": 1600, "height": 1700})


def test_overview_shows_its_table_first_and_draws_the_map_when_its_view_is_chosen(server, page):
    page.goto(f"{server}/?chain=SX-NEV")
    _settle(page)
    page.locator("[data-testid=stDataFrame] canvas").first.wait_for()       # the chains' table, drawn
    assert page.locator("[data-testid=stVegaLiteChart]").count() == 0      # no chart drawn behind the tabs
    page.get_by_role("tab", name="各地配套率地图").click()
    page.wait_for_function("decodeURIComponent(location.search).includes('view=各地配套率地图')")
    svg = page.locator("[data-testid=stVegaLiteChart] svg").first
    svg.wait_for()
    assert {"太原市", "运城市"} <= set(svg.locator("text").all_text_contents())
    assert page.locator("[data-testid=stDataFrame]").count() == 0        # one view at a time
    page.goto(f"{server}/?chain=SX-NEV&view=缺口构成")                       # a shared address opens that view
    _settle(page)
    bars = page.locator("[data-testid=stVegaLiteChart] svg").first
    bars.wait_for()
    assert "断链" in bars.text_content()


def test_map_draws_named_boundaries_offline(server, page):
    page.goto(f"{server}/regions?chain=SX-NEV")
    _settle(page)
    svg = page.locator("[data-testid=stVegaLiteChart]").last.locator("svg").first    # the map, below the heatmap
    svg.wait_for()
    assert "本地配套率" in svg.text_content()                    # its legend
    names = svg.locator("text").all_text_contents()
    assert {"太原市", "运城市", "大同市", "晋中市"} <= set(names)
    assert svg.locator("path").count() >= 11                   # one filled boundary per city (and more)
    page.screenshot(path=str(ARTIFACTS / "regions-map.png"), full_page=True)
    label = svg.locator("text").filter(has_text="运城市").last.bounding_box()
    page.mouse.click(label["x"] + label["width"] / 2, label["y"] + label["height"] / 2)
    page.wait_for_function("location.search.includes('city=140800')")   # clicking a division selects it
    _settle(page)
    assert not page.outside, page.outside                       # nothing left the machine, on any page


def test_streamlits_files_come_from_memory_as_the_package_has_them(server, page):
    import re

    from ui.static_files import CACHE_CONTROL, streamlit_static_root
    html = urllib.request.urlopen(f"{server}/", timeout=10).read().decode("utf-8")
    names = re.findall(r'\./(static/js/[^"/]+\.js)', html)
    assert names, "no script in Streamlit's page"
    # the page's scripts and the element code the first page loaded (in the browser, above)
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    names += [urllib.parse.urlsplit(u).path.lstrip("/") for u in loaded if "/static/js/" in u][:20]
    for name in dict.fromkeys(names):
        with urllib.request.urlopen(f"{server}/{name}", timeout=10) as r:
            assert r.read() == (streamlit_static_root() / name).read_bytes(), name
            assert r.headers["Cache-Control"] == CACHE_CONTROL.decode() and "javascript" in r.headers["Content-Type"]
            assert r.headers.get("ETag") is None     # ours (Streamlit's StaticFiles adds one): served from memory
