"""kill -9 in the middle of a streamed load (a CSV folder into the embedded store: loaders.stream)
leaves the store as it was: nothing of the load is seen, the file is intact, the lock is free."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from killed_writer import assert_as_before, kill_9  # noqa: E402

from graph.store.embedded.store import EmbeddedStore  # noqa: E402
from loaders import synth  # noqa: E402
from loaders.workbook import load_path  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _loader_main(directory: str, folder: str) -> None:
    """Run in a subprocess: load ``folder`` (streamed) and stop inside the transaction once
    enterprise_products rows are being written; reports on stdout."""
    store = EmbeddedStore(directory)
    store.write_cache_mb = 1        # dirty pages spill to the WAL early, as in a national load
    streamed = store.apply_stream

    def apply_stream(*a, **k):
        print("STREAM", flush=True)
        return streamed(*a, **k)
    store.apply_stream = apply_stream

    def progress(step, done, total):
        print(f"PROGRESS {step} {done} {total}", flush=True)
        if step == "enterprise_products" and done > 0:
            time.sleep(600)
    load_path(store, folder, progress=progress)
    print("DONE", flush=True)


def _start(directory: Path, folder: Path) -> subprocess.Popen:
    code = (f"import runpy, sys; sys.path.insert(0, {str(REPO)!r}); "
            f"runpy.run_path({__file__!r})['_loader_main'](*sys.argv[1:])")
    return subprocess.Popen([sys.executable, "-c", code, str(directory), str(folder)],
                            stdout=subprocess.PIPE, text=True, cwd=REPO)


@pytest.mark.parametrize("before", ["empty store", "loaded store"])
def test_kill_9_mid_streamed_load_keeps_the_previous_state(tmp_path, before):
    big = tmp_path / "big"
    synth.synthesize(big, 30_000, 6, 40, seed=4)
    d = tmp_path / "atlas"
    with EmbeddedStore(str(d)) as s:
        if before == "loaded store":
            small = tmp_path / "small"
            synth.synthesize(small, 2_000, 6, 40, seed=4)   # the same chains, fewer firms
            load_path(s, small)
        counts, ents = s.counts(), s.table("enterprises")
    proc = _start(d, big)
    seen = []
    try:
        deadline = time.monotonic() + 180
        for line in proc.stdout:
            seen.append(line.split()[:2])
            if seen[-1] == ["PROGRESS", "enterprise_products"] and int(line.split()[2]) > 0:
                break
            assert time.monotonic() < deadline, "the load took too long"
        else:
            raise AssertionError(f"the load ended (rc={proc.wait()}) before writing enterprise_products")
        assert ["STREAM"] in seen                                  # the streamed path, not the classic one
        kill_9(proc, d, 1_000_000)
    finally:
        proc.kill()
        proc.wait()

    def load_again(s):
        load_path(s, big)
        assert s.counts()["Enterprise"] == 30_000          # (the small set's ids are among the big one's)
    assert_as_before(d, counts, ents, load_again)
