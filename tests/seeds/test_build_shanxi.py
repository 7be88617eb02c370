"""The seed builder reproduces the committed seed byte for byte from the facts and seeds/design/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT.parent / "shared" / "facts"


@pytest.mark.skipif(not (FACTS / "chain_segments.csv").exists(), reason=f"no facts folder at {FACTS}")
def test_rebuild_is_byte_identical(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "seeds" / "build_shanxi.py"), "--facts", str(FACTS),
                          "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    committed = sorted(p.name for p in (ROOT / "seeds" / "shanxi").glob("*.csv"))
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (ROOT / "seeds" / "shanxi" / name).read_bytes(), name


def test_design_tables_are_consistent():
    sys.path[:0] = [str(ROOT), str(ROOT / "seeds")]
    from builder import design

    used = {pid for rows in design.CHAIN_PRODUCTS.values() for pid, *_ in rows}
    assert used == set(design.PRODUCTS)
    assert all(a in design.PRODUCTS and b in design.PRODUCTS for a, b in design.FLOWS)
    assert all(e.startswith("E-L-") for e, *_ in design.LOCAL)
    assert set(design.POOL_SIZE) == set(design.DESIGN_CHAINS)
