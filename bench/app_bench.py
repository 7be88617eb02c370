"""App figures measured with the app's own pages: interactions (AppTest) and cold start (browser).

    python bench/app_bench.py interact --db DIR [--chain ID] [--province 140000] [--cities 4]
    python bench/app_bench.py cold-start --db DIR [--runs 2] [--unprepared] [--phases] [--profile DIR] [--entry serve.py]
    python bench/app_bench.py seed              # both on a fresh store of seeds/shanxi

- ``interact``: ``streamlit.testing.v1.AppTest`` runs app.py in this process on the store; for each
  page of ``--pages`` (default 产业链总览, 产业链全景图 and 缺链补链清单) it opens the page, then selects
  ``--cities`` cities of the province in the sidebar one after the other and times each rerun —
  the server-side time of that interaction, with the app's own caches (a city not seen before is
  a cache miss, as for a user). Also timed: switching from one page to the next, moving a weak-link
  threshold on the 总览 (every chain of the province diagnosed again), the 总览's other views (its
  gap bars, its map: a tab click) and back, and changing the chain.
  Reported: every time, the median and the worst per kind.
- ``cold-start``: ``streamlit run serve.py`` (headless) on the store, and /usr/bin/chromium (never
  downloaded) via Playwright opening the default page; the time from spawning the server to the
  first page fully rendered (:data:`RENDERED`: the page title drawn, no spinner, no running
  indicator, no element still a loading placeholder, every chart and table drawn), and the
  server's CPU seconds by then. ``--runs`` starts share one result cache (ui.result_cache) holding,
  at the first, only what ``chainatlas load`` leaves there (the first visit's 总览, made by
  ui.first_page.prepare outside the clock — the load's figure counts it): ``first_start_s`` is the
  first start after a load, ``later_start_s`` the next ones; ``--unprepared``: the first start with
  an empty cache (a store loaded without the result cache, or by an older version). ``--entry``:
  the file started, serve.py (the documented start, with the warm-up ui.warm) or app.py.
  ``--phases``: each start's phase table too (stderr, and ``phases`` in the JSON): the app's own
  marks (ui.timing, CHAINATLAS_TIMING: wall and server CPU at each step of the script) and the
  browser's (websocket connected, each element first drawn, last spinner), in seconds since the
  spawn. ``--profile DIR``: py-spy (a developer tool, not a dependency) samples each server.
- ``seed``: seeds/shanxi into a fresh temporary store, then both of the above (the chain with the
  most products, 山西省, every city of the province).

Each prints one ``BENCH-JSON`` line (bench/harness.py); bench/bench.py runs them in child
processes and checks the floors.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import harness

ROOT = harness.ROOT
APP = str(ROOT / "app.py")
CHROMIUM = "/usr/bin/chromium"
PAGES = {"overview": "产业链总览", "panorama": "产业链全景图", "gaps": "缺链补链清单"}
VIEWS = ["产业链一览", "缺口构成", "各地配套率地图"]     # the 总览's views (ui/pages/overview.py), the first drawn first
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1600, "height": 1200}


def _env(db: str) -> None:
    # no result cache kept between runs (ui.result_cache): a city is computed the first time it is
    # asked in a run, not read back from an earlier run's files
    os.environ.update(CHAINATLAS_DB=str(db), CHAINATLAS_SEED="none", CHAINATLAS_CACHE_DIR="none")


def _timed(at) -> tuple[float, float]:
    """(wall, process CPU) seconds of one rerun; CPU counts every thread (the script runs in its own)."""
    t, c = time.perf_counter(), time.process_time()
    at.run()
    if at.exception:
        raise RuntimeError(f"the app raised: {[e.message for e in at.exception]}")
    return time.perf_counter() - t, time.process_time() - c


def _stats(runs: list[tuple[float, float]]) -> dict:
    wall = [w for w, _ in runs]
    return {"median_s": round(statistics.median(wall), 3), "max_s": round(max(wall), 3),
            "runs_s": [round(x, 3) for x in wall], "cpu_median_s": round(statistics.median(c for _, c in runs), 3)}


def interact(db: str, chain: str | None, province: str, cities: int, pages: list[str],
             timeout: float = 300) -> dict:
    """Server-side seconds of app interactions (see module doc)."""
    _env(db)
    from streamlit.testing.v1 import AppTest

    from graph.analysis.scope import RegionTree
    from graph.settings import Settings
    from graph.store.factory import open_store

    with open_store(Settings.from_env()) as store:
        tree = RegionTree.from_store(store, cached=False)
        chains = store.table("chain_products")["chain"].astype(str).value_counts()
        chain = chain or str(chains.index[0])
        other = next((str(c) for c in chains.index if str(c) != chain), chain)
    picked = tree.children(province)[:cities]
    if not picked:
        raise RuntimeError(f"no city under {province} in the store's regions")
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(chain=chain, province=province)
    out = {"chain": chain, "province": province, "cities": [tree.name(c) for c in picked], "pages": {}}
    out["first_run_s"] = round(_timed(at)[0], 3)
    city, switch, threshold, views = [], [], [], []
    for i, page in enumerate(pages):
        at.switch_page(f"ui/pages/{page}.py")
        switch.append(_timed(at))
        for key, value in (("chain", chain), ("province", province)):   # a page switch here keeps no URL
            if at.selectbox(key=key).value != value:
                at.selectbox(key=key).select(value)
                _timed(at)
        runs = []
        for code in (picked if i % 2 == 0 else picked[::-1]):
            at.selectbox(key="city").select(code)
            runs.append(_timed(at))
        at.selectbox(key="city").select("")
        runs.append(_timed(at))
        out["pages"][page] = {"title": PAGES.get(page, page), **_stats(runs)}
        city += runs
        if page == "overview":      # a weak-link threshold moved: every chain of the province again
            slider = at.slider(key="min_makers")
            slider.set_value(slider.value + 1)
            threshold.append(_timed(at))
            for label in VIEWS[1:] + VIEWS[:1]:    # its other views (a tab click), the first one again
                at.session_state["view"] = label
                views.append(_timed(at))
    at.selectbox(key="chain").select(other)
    chain_change = _timed(at)
    out.update(interaction=_stats(city), page_switch=_stats(switch), chain_change=_stats([chain_change]))
    if threshold:
        out["threshold_change"] = _stats(threshold)
    if views:
        out["view_change"] = _stats(views)
    out["worst_interaction_s"] = round(max(w for w, _ in city + switch + threshold + views + [chain_change]), 3)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_starts(db: str, page: str = "", runs: int = 2, phases: bool = False, profile: str | None = None,
                entry: str = "serve.py", prepared: bool = True, returning: bool = False) -> dict:
    """``runs`` cold starts sharing one result cache (ui.result_cache): the first after a load
    (``prepared``: holding what ``chainatlas load`` leaves there, ui.first_page.prepare; else
    empty), then later starts (the first page's results read back).
    ``phases``: also the phase table of each start (:func:`phase_table`); ``profile``: a folder
    where py-spy (if installed) records each start's server (``start-N.txt``, collapsed stacks).
    ``returning``: the browser of someone who has used the app before — one browser profile kept
    across the starts, all on one port, after one visit before the clock (its own server, no
    result cache) that leaves Streamlit's JavaScript in the browser's cache (Streamlit serves it
    ``immutable``); by default each start has a browser with an empty profile (a first visit)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found (apt-get install chromium); no browser is downloaded")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as cache, \
            tempfile.TemporaryDirectory() as user_dir:
        kept = None
        if returning:
            kept = pw.chromium.launch_persistent_context(user_dir, executable_path=CHROMIUM, args=BROWSER_ARGS,
                                                         viewport=VIEWPORT)
        port = _free_port() if returning else None

        def start(i: int, cache_dir: str | None) -> dict:
            browser = kept or pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)  # before the clock
            try:
                return cold_start(db, page, browser, cache_dir=cache_dir, phases=phases, entry=entry, port=port,
                                  profile=str(Path(profile) / f"start-{i}.txt") if profile else None)
            finally:
                if browser is not kept:
                    browser.close()
        try:
            if returning:
                start(0, None)     # the earlier visit: fills the browser's cache, not the app's
            made = _prepare(db, cache) if prepared else None
            out = [start(i, cache) for i in range(max(runs, 1))]
        finally:
            if kept:
                kept.close()
    first = out[0]
    res = {**first, "first_start_s": first["cold_start_s"], "runs": out, "prepared_by_load_s": made,
           "browser": "returning (its cache kept)" if returning else "first visit (empty profile)"}
    if len(out) > 1:
        res["later_start_s"] = round(statistics.median(r["cold_start_s"] for r in out[1:]), 2)
    return res


def _prepare(db: str, cache: str) -> float:
    """What ``chainatlas load`` does for the app once its data is committed (ui.first_page.prepare),
    into ``cache``, in a child process; its seconds (the load's figure counts them)."""
    code = "from ui.first_page import prepare; print(prepare())"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINATLAS_")}
    env.update(CHAINATLAS_DB=str(db), CHAINATLAS_SEED="none", CHAINATLAS_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    seconds = out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else "None"
    if seconds == "None":
        raise RuntimeError(f"ui.first_page.prepare kept nothing: {out.stderr[-2000:]}")
    return round(float(seconds), 2)


def cold_start(db: str, page: str, browser, timeout: float = 600, cache_dir: str | None = None,
               phases: bool = False, profile: str | None = None, entry: str = "serve.py",
               port: int | None = None) -> dict:
    """Seconds from spawning ``streamlit run app.py`` to the first page rendered in ``browser`` (a
    Playwright browser or context, already running); ``cache_dir``: the app's result cache,
    CHAINATLAS_CACHE_DIR (None = none kept); ``port``: the server's (None = any free one)."""
    port = port or _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINATLAS_")}
    env.update(CHAINATLAS_DB=str(db), CHAINATLAS_SEED="none", PYTHONPATH=str(ROOT),
               CHAINATLAS_CACHE_DIR=cache_dir or "none")
    marks = tempfile.NamedTemporaryFile(prefix="chainatlas-timing-", suffix=".jsonl", delete=False).name
    if phases:
        env["CHAINATLAS_TIMING"] = marks      # the app's own marks (ui.timing)
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / entry), "--server.headless", "true",
           "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    if profile:   # a sampling profile of the server (py-spy, a developer tool: not a dependency)
        Path(profile).parent.mkdir(parents=True, exist_ok=True)
        cmd = ["py-spy", "record", "--threads", "-r", "200", "-f", "raw", "-o", profile, "--", *cmd]
    # The tab the user will type the address into, open before the clock, as a user's browser is
    # (a kept profile: a BrowserContext, sized at its launch; else a fresh browser). A new tab also
    # starts a Chromium WebUI renderer (its address-bar popup, chrome://omnibox-popup.top-chrome:
    # one core busy for ~1 s after the tab opens, seen in a Chromium trace): the browser's own
    # start, not the app's, so the clock starts once the browser is idle (:func:`_browser_settled`).
    pg = browser.new_page() if hasattr(browser, "pages") else browser.new_page(viewport=VIEWPORT)
    if phases:
        pg.add_init_script(BROWSER_MARKS)
    pg.set_default_timeout(timeout * 1000)
    settled = _browser_settled()     # a user's browser is idle when they start the app
    started = time.perf_counter()
    # the server is killed when measured (nothing to save); leaving the block waits for it
    spawned = time.time()
    with subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as proc:
        try:
            healthy = _wait_healthy(base, proc, started + timeout)
            pg.goto(f"{base}/{page}")
            pg.wait_for_selector("h1")
            pg.wait_for_function(RENDERED)
            rendered = time.perf_counter() - started
            cpu = _cpu_seconds(_server_pid(proc.pid) if profile else proc.pid)
            seen = pg.evaluate("window.__caMarks || {}") if phases else {}
            title = pg.locator("h1").first.inner_text()
            errors = pg.locator("[data-testid=stException], [data-testid=stAlertContentError]").count()
            pg.close()
        finally:
            if profile:   # py-spy writes its profile when the server ends
                os.kill(_server_pid(proc.pid), signal.SIGTERM)
                proc.wait(60)
            proc.kill()
    out = {"cold_start_s": round(rendered, 2), "server_ready_s": round(healthy, 2), "server_cpu_s": cpu,
           "browser_settle_s": settled,
           "title": title, "errors_on_page": int(errors), "page": page or "(default)",
           "load_average": list(os.getloadavg())}
    if phases:
        out["phases"] = phase_table(spawned, _read_marks(marks), seen, healthy, rendered)
    Path(marks).unlink(missing_ok=True)
    return out


# The page is rendered: nothing running (spinner, running indicator), no element still a placeholder
# (Streamlit draws a skeleton while an element's code loads: the metrics, table and charts of a
# first page), every chart and table drawn (svg/canvas).
RENDERED = """
!document.querySelector('[data-testid=stSpinner], [data-testid=stStatusWidget], [data-testid=stSkeleton]')
 && [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].every(c => c.querySelector('svg, canvas'))
 && [...document.querySelectorAll('[data-testid=stDataFrame]')].every(c => c.querySelector('canvas'))
"""

# Recorded in the page (epoch seconds): the websocket's first message, each element's first
# appearance, the last time a spinner or the running indicator was seen.
BROWSER_MARKS = """
(() => {
  const m = window.__caMarks = {};
  const now = () => (performance.timeOrigin + performance.now()) / 1000;
  const once = k => { if (!(k in m)) m[k] = now(); };
  once('browser: page script');
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...a) { super(...a); once('browser: websocket opened');
      this.addEventListener('open', () => once('browser: websocket connected'));
      this.addEventListener('message', () => once('browser: first message')); }
  };
  const probes = [['h1', 'title'], ['[data-testid=stMetric]', 'metrics'],
    ['[data-testid=stDataFrame] canvas', 'table'], ['[data-testid=stVegaLiteChart] svg, [data-testid=stVegaLiteChart] canvas', 'first chart'],
    ['[data-testid=stSidebar] [data-testid=stSelectbox]', 'sidebar']];
  const look = () => {
    for (const [sel, k] of probes) if (document.querySelector(sel)) once('browser: ' + k + ' drawn');
    const charts = document.querySelectorAll('[data-testid=stVegaLiteChart]');
    if (charts.length && [...charts].every(c => c.querySelector('svg, canvas'))) m['browser: every chart drawn'] = now();
    if (document.querySelector('[data-testid=stSpinner], [data-testid=stStatusWidget]')) m['browser: last busy'] = now();
    if (document.querySelector('[data-testid=stSkeleton]')) m['browser: last placeholder'] = now();
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
})();
"""


def _read_marks(path: str) -> list[dict]:
    try:
        return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError:
        return []


def phase_table(spawned: float, marks: list[dict], seen: dict, healthy: float, rendered: float) -> list[dict]:
    """Every mark as (phase, seconds since the spawn, server CPU then): the server's own marks
    (ui.timing) and the browser's, in time order.

    >>> phase_table(100.0, [{"mark": "script", "t": 101.5, "cpu": 1.2}], {"browser: title drawn": 102.0}, 0.8, 2.5)[1]
    {'phase': 'script', 'at_s': 1.5, 'server_cpu_s': 1.2}
    """
    rows = [{"phase": "server ready (health)", "at_s": round(healthy, 3), "server_cpu_s": None}]
    rows += [{"phase": m["mark"], "at_s": round(m["t"] - spawned, 3), "server_cpu_s": round(m["cpu"], 3)}
             for m in marks]
    rows += [{"phase": k, "at_s": round(t - spawned, 3), "server_cpu_s": None} for k, t in seen.items()]
    rows.append({"phase": "rendered (bench)", "at_s": round(rendered, 3), "server_cpu_s": None})
    return sorted(rows, key=lambda r: r["at_s"])


def _server_pid(pid: int) -> int:
    """The streamlit process: ``pid`` itself, or its child when py-spy started it."""
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pid
    return int(kids[0]) if kids else pid


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) the server process has used so far, with its ended children's
    (the warm-up's data process, ui.warm) (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round(sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, IndexError, ValueError):
        return None


def _descendants_cpu(root: int) -> float:
    """CPU seconds (user + system) of every live process under ``root`` (Linux /proc)."""
    parent, ticks = {}, {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                parent[int(d.name)], ticks[int(d.name)] = int(fields[1]), int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                continue      # (a process that ended meanwhile)
    total = 0
    for pid, t in ticks.items():
        p = parent.get(pid)
        while p and p != root:
            p = parent.get(p)
        if p == root:
            total += t
    return total / os.sysconf("SC_CLK_TCK")


def _browser_settled(window: float = 0.25, quiet: float = 0.025, limit: float = 15.0) -> float:
    """Wait until the browser (every process this bench started: Playwright's driver, Chromium's
    processes) has used at most ``quiet`` CPU seconds over ``window`` seconds — 10% of one core —
    or ``limit`` seconds have passed; returns the seconds waited."""
    t0 = time.perf_counter()
    before = _descendants_cpu(os.getpid())
    while time.perf_counter() - t0 < limit:
        time.sleep(window)
        now = _descendants_cpu(os.getpid())
        if now - before <= quiet:
            break
        before = now
    return round(time.perf_counter() - t0, 2)


def _wait_healthy(base: str, proc, deadline: float) -> float:
    t0 = time.perf_counter()
    while True:
        try:
            urllib.request.urlopen(base + "/_stcore/health", timeout=1)
            return time.perf_counter() - t0
        except OSError:
            if proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError("streamlit did not start")
            time.sleep(0.05)


def seed(folder: Path, cities: int) -> dict:
    """seeds/shanxi in a fresh store: the interactions and the cold start."""
    from graph.store.embedded.store import EmbeddedStore
    from loaders.workbook import load_path

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "db")
        with EmbeddedStore(db) as store:
            load_path(store, folder)
        out = {"interact": interact(db, None, "140000", cities, list(PAGES))}
        out["cold"] = cold_starts(db)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("interact")
    i.add_argument("--db", required=True)
    i.add_argument("--chain")
    i.add_argument("--province", default="140000")
    i.add_argument("--cities", type=int, default=4)
    i.add_argument("--pages", default=",".join(PAGES))
    c = sub.add_parser("cold-start")
    c.add_argument("--db", required=True)
    c.add_argument("--page", default="")
    c.add_argument("--runs", type=int, default=2, help="starts sharing one result cache (1st: empty)")
    c.add_argument("--phases", action="store_true", help="also each start's phase table (server and browser marks)")
    c.add_argument("--unprepared", action="store_true",
                   help="the first start with an empty result cache (default: what `chainatlas load` leaves in it)")
    c.add_argument("--entry", default="serve.py",
                   help="the file `streamlit run` starts: serve.py (with the warm-up, ui.warm) or app.py")
    c.add_argument("--profile", help="folder for a py-spy profile of each start's server (needs py-spy)")
    c.add_argument("--returning-browser", action="store_true",
                   help="a browser that has visited the app before (its cache kept; default: an empty profile)")
    s = sub.add_parser("seed")
    s.add_argument("--seeds", type=Path, default=ROOT / "seeds" / "shanxi")
    s.add_argument("--cities", type=int, default=11)
    a = p.parse_args(argv)
    if a.cmd == "interact":
        harness.emit(interact(a.db, a.chain, a.province, a.cities, a.pages.split(",")))
    elif a.cmd == "cold-start":
        res = cold_starts(a.db, a.page, a.runs, a.phases, a.profile, a.entry, not a.unprepared, a.returning_browser)
        for name, r in [(f"start {i + 1}", r) for i, r in enumerate(res["runs"])]:
            for row in r.get("phases", []):
                cpu = "" if row["server_cpu_s"] is None else f"cpu {row['server_cpu_s']:6.2f}"
                print(f"{name:10}  {row['at_s']:7.2f} s  {cpu:10}  {row['phase']}", file=sys.stderr)
        harness.emit(res)
    else:
        harness.emit(seed(a.seeds, a.cities))
    return 0


if __name__ == "__main__":
    sys.exit(main())
