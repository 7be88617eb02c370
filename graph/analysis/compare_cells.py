"""The regional comparison's per-child classification, every child region at once.

:func:`child_links` gives, for each child region (group) and each chain link, what
:func:`graph.analysis.gap_rules.classify_links` decides for that child's makers — local makers,
status, 断链, label — on (group x link) arrays: the same aggregations (pandas' group sum of the
revenue shares, rows in the same order), the same rules. Makers without an id or a link make it
answer ``None`` (graph.analysis.compare then classifies child by child).

>>> import pandas as pd
>>> _codes(pd.Series(["b", "a", "b"]), {"a": 0, "b": 1}).tolist()
[1, 0, 1]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph.analysis import gap_rules
from graph.analysis.maker_rows import _int_or_zero, _texts
from graph.options import DEFAULT_THRESHOLDS, Thresholds


def _codes(values: pd.Series, pos: dict) -> np.ndarray:
    """Position of each value in ``pos`` (-1 if absent), looked up once per distinct value."""
    codes, uniq = pd.factorize(values.to_numpy(object))
    return np.array([pos.get(v, -1) for v in uniq.tolist()] + [-1], dtype=np.int64)[codes]


def child_links(base: dict, ups: list, downs: list, m: pd.DataFrame, groups: list, unknown: pd.DataFrame,
                vague: pd.DataFrame, counts: pd.DataFrame, thresholds: Thresholds = DEFAULT_THRESHOLDS):
    """Per (group, link), groups in order, links in ``base`` order (gap_rules' chain columns), flat:
    local_makers, status, broken, label, plus per group the local enterprises; ``m``: the local
    makers with ``child`` (a group); ``unknown``: makers of unknown location for every group;
    ``vague``: those counted unknown in every group but "" (未细分)."""
    frames = [m, unknown, vague]
    if any(len(f) and (pd.isna(f["enterprise_id"]).any() or pd.isna(f["link_id"]).any()) for f in frames):
        return None
    pids = base["product_id"].tolist()
    K, C = len(pids), len(groups)
    pos = {p: i for i, p in enumerate(pids)}
    ent, _ = pd.factorize(np.concatenate([f["enterprise_id"].to_numpy(object) if len(f) else np.empty(0, object)
                                          for f in frames]))
    n_ent = int(ent.max(initial=0)) + 1
    me, ue, ve = np.split(ent, np.cumsum([len(m), len(unknown)]))
    lp = _codes(m["link_id"], pos) if len(m) else np.empty(0, np.int64)
    ci = _codes(m["child"], {g: i for i, g in enumerate(groups)}) if len(m) else np.empty(0, np.int64)
    ok = (lp >= 0) & (ci >= 0)
    g = (ci * K + lp)[ok]
    tagged = gap_rules.has_tag(m["tags"], "规上").to_numpy(bool) if len(m) else np.zeros(0, bool)
    large = (tagged | m["scale"].isin(gap_rules.LARGE_SCALES).to_numpy(bool))[ok] if len(m) else tagged
    scale_unk = (m["scale"].isna().to_numpy(bool) & ~tagged)[ok] if len(m) else tagged
    share = pd.to_numeric(m["revenue_share"], errors="coerce").to_numpy(float)[ok] if len(m) \
        else np.zeros(0)
    size = C * K

    def count(flags: np.ndarray) -> np.ndarray:
        return np.bincount(g, weights=flags, minlength=size).astype(np.int64)
    n = np.bincount(np.unique(g * n_ent + me[ok]) // n_ent, minlength=size)
    sums = pd.Series(share).groupby(g).sum(min_count=1).reindex(range(size)).to_numpy(float)
    local_pairs = np.unique(ci[ci >= 0] * n_ent + me[ci >= 0])    # (group, enterprise) of the local makers
    u = np.zeros(size, dtype=np.int64)
    ul, vl = (_codes(f["link_id"], pos) if len(f) else np.empty(0, np.int64) for f in (unknown, vague))
    for i, code in enumerate(groups):
        links, ents = (ul, ue) if code == "" or not len(vague) else \
            (np.concatenate([ul, vl]), np.concatenate([ue, ve]))
        fresh = (links >= 0) & ~np.isin(i * n_ent + ents, local_pairs)
        u[i * K:(i + 1) * K] = np.bincount(np.unique(links[fresh] * n_ent + ents[fresh]) // n_ent, minlength=K)
    total = dict(zip(counts["product_id"].tolist(), counts["makers"].tolist())) if len(counts) else {}
    mt = np.tile(np.array([_int_or_zero(total.get(p)) for p in pids], dtype=np.int64), C)
    rules = gap_rules.weak_rules(n, u, count(large), count(scale_unk), sums, count(~np.isnan(share)), thresholds)
    status = gap_rules.link_status(np.maximum(mt, n + u), n, u, rules)
    has = (n > 0).reshape(C, K).astype(float)
    up, down = np.zeros((K, K)), np.zeros((K, K))   # up[x, p]: x is a direct input of p
    for p, (us, ds) in enumerate(zip(ups, downs)):
        up[[pos[x] for x in us], p] = 1.0
        down[[pos[x] for x in ds], p] = 1.0
    broken = ((status == "missing") | (status == "weak")) & ((has @ up) > 0).ravel() & ((has @ down) > 0).ravel()
    cn = [gap_rules.STATUS_CN[x] for x in status.tolist()]
    label = [("断链·" + c) if b else c for b, c in zip(broken.tolist(), cn)]
    return {"local_makers": n.astype(np.int64), "status": status.astype(object), "broken": broken,
            "label": label, "local_enterprises": np.bincount(local_pairs // n_ent, minlength=C)}


def cells_frame(base: dict, groups: list, names: list, got: dict, columns: list) -> pd.DataFrame:
    """The comparison's cells (``columns``): each group's links in turn."""
    K, C = len(base["product_id"]), len(groups)
    at = np.tile(np.arange(K), C)

    def col(c):
        return base[c].take(at).reset_index(drop=True)
    out = {"code": pd.Series(np.repeat(np.array(groups, dtype=object), K), dtype="str"),
           "name": pd.Series(np.repeat(np.array(names, dtype=object), K), dtype="str"),
           "product_id": col("product_id"), "product": col("name"), "stage": col("stage"),
           "key_link": col("key_link"), "local_makers": got["local_makers"],
           "status": pd.Series(got["status"].tolist(), dtype="str"), "broken": got["broken"],
           "label": _texts(got["label"], empty=object)}
    return pd.DataFrame(out, columns=columns)


def matrix_frame(base: dict, groups: list, names: list, got: dict, products: pd.DataFrame) -> pd.DataFrame:
    """The comparison's matrix: ``code``, ``name``, then each link's local makers (header = the
    product's name), one row per group (what a pivot of the cells gives)."""
    pids = base["product_id"].tolist()
    label = dict(zip(products["product_id"].astype(str), products["name"]))
    data = got["local_makers"].reshape(len(groups), len(pids))
    out = pd.concat([pd.DataFrame({"code": pd.Series(groups, dtype="str"), "name": pd.Series(names, dtype="str")}),
                     pd.DataFrame(data, columns=[label.get(p, p) for p in pids])], axis=1)
    return out
