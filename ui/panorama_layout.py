"""Where each link of the panorama goes: stages as columns (上游 / 中游 / 下游), segments under
small headers in flow order, columns that wrap at ``capacity`` rows, products ordered to cross
less. Pure geometry on the link table; :mod:`ui.panorama` draws it."""
from __future__ import annotations

import math

import pandas as pd

from ui.layout import text

COL_W, ROW_H, STAGE_GAP = 184, 56, 56
STAGES = (("upstream", "上游"), ("midstream", "中游"), ("downstream", "下游"))

def _ids(cell) -> list[str]:
    return [p for p in text(cell).split(";") if p]


def depths(ids: list[str], downstream: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path depth from the flow's sources (cycle-safe: at most len(ids) rounds)."""
    depth = {p: 0 for p in ids}
    for _ in range(len(ids)):
        changed = False
        for u in ids:
            for v in downstream.get(u, ()):
                if v in depth and depth[v] < depth[u] + 1 and depth[u] + 1 < len(ids):
                    depth[v] = depth[u] + 1
                    changed = True
        if not changed:
            break
    return depth


def capacity_for(n: int) -> int:
    """Rows per column: taller columns for bigger chains, 8–16."""
    return max(8, min(16, math.ceil(n / 3) + 2))


def layered_layout(items: pd.DataFrame, capacity: int | None = None):
    """Positions for ``items`` (columns ``id``, ``name``, ``stage``, ``segment`` (may be empty: no
    headers), ``down`` (list of ids)). Returns (pos {id: (x, y)}, headers [(x, y, text)],
    bands [{stage, label, x0, x1, n}], rows) where rows is the tallest column's row count."""
    ids = items["id"].tolist()
    down = dict(zip(ids, items["down"]))
    up: dict[str, list[str]] = {}
    for u, vs in down.items():
        for v in vs:
            up.setdefault(v, []).append(u)
    depth = depths(ids, down)
    cap = capacity or capacity_for(len(ids))
    name = dict(zip(ids, items["name"]))
    pos: dict[str, tuple[float, float]] = {}
    headers, bands, columns = [], [], []      # columns: (stage, [("h", text) | ("n", id)])

    def close(stage, rows, col_index):
        x = col_index * COL_W + STAGE_ORDER[stage] * STAGE_GAP
        for i, (kind, val) in enumerate(rows):
            y = (i - (len(rows) - 1) / 2) * ROW_H
            if kind == "n":
                pos[val] = (x, y)
            else:
                headers.append((x, y, val))

    STAGE_ORDER = {s: i for i, (s, _) in enumerate(STAGES)}
    known = [s for s, _ in STAGES] + sorted(set(items["stage"]) - {s for s, _ in STAGES})
    for s in known:
        STAGE_ORDER.setdefault(s, len(STAGE_ORDER))
    col = 0
    for stage in known:
        part = items[items["stage"] == stage]
        if part.empty:
            continue
        first = col
        inner = set(part["id"])
        layer = depths(list(part["id"]), {p: [d for d in down[p] if d in inner] for p in part["id"]})
        groups: dict[tuple[int, str], list[str]] = {}
        for pid, seg in zip(part["id"], part["segment"]):
            groups.setdefault((layer[pid], text(seg)), []).append(pid)
        seen = list(dict.fromkeys(text(s) for s in part["segment"]))
        order = sorted(groups, key=lambda g: (g[0], sum(depth[p] for p in groups[g]) / len(groups[g]),
                                              seen.index(g[1])))
        rows: list = []
        last_layer = None
        for lay, seg in order:
            if rows and last_layer is not None and lay != last_layer:
                close(stage, rows, col)
                columns.append(rows)
                col += 1
                rows = []
            last_layer = lay
            def key(p):
                ys = [pos[u][1] for u in up.get(p, ()) if u in pos]
                return (0 if ys else 1, sum(ys) / len(ys) if ys else 0.0, depth[p], text(name[p]), p)
            members = sorted(groups[(lay, seg)], key=key)
            per = cap - 1 if seg else cap
            chunks = [members[i:i + per] for i in range(0, len(members), per)]
            for k, chunk in enumerate(chunks):
                block = ([("h", seg + ("（续）" if k else ""))] if seg else []) + [("n", p) for p in chunk]
                if rows and len(rows) + len(block) > cap:
                    close(stage, rows, col)
                    columns.append(rows)
                    col += 1
                    rows = []
                rows = rows + block
        if rows:
            close(stage, rows, col)
            columns.append(rows)
            col += 1
        x0 = first * COL_W + STAGE_ORDER[stage] * STAGE_GAP - COL_W / 2 + 8
        x1 = (col - 1) * COL_W + STAGE_ORDER[stage] * STAGE_GAP + COL_W / 2 - 8
        bands.append({"stage": stage, "label": dict(STAGES).get(stage, stage), "x0": x0, "x1": x1,
                      "n": int(len(part))})
    tallest = max((len(c) for c in columns), default=1)
    for b in bands:
        b["y0"] = -(tallest / 2 + 1.1) * ROW_H
        b["y1"] = (tallest / 2 + 0.3) * ROW_H
    return pos, headers, bands, tallest, col


# --- nodes -------------------------------------------------------------------------------------------
