"""Per-link aggregation of maker rows for :mod:`graph.analysis.gap_rules` in plain Python (a chain has
a few hundred links and a place a few thousand local makers: pandas' per-call cost would dominate).

>>> _capped(["a", "b"], ";")
'a;b'
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph import schema
from graph.analysis.frame_utils import as_lists, distinct_objects, first_rows

LARGE_SCALES = ("大型", "中型")


def maker_labels(makers: pd.DataFrame) -> pd.Series:
    """``名称(大型·规上·专精特新)`` per maker row."""
    labels = _labels(makers["scale"].tolist(), [_tag_list(v) for v in makers["tags"].tolist()],
                     makers["name"].tolist(), makers["enterprise_id"].tolist())
    if labels is not None:
        return pd.Series(labels, index=makers.index, dtype="str")
    scale = makers["scale"].astype(object).where(makers["scale"].notna(), "")
    tags = as_lists(makers["tags"]).map("·".join)
    inner = (scale.astype(str) + "·" + tags).str.strip("·")
    name = makers["name"].astype(object).where(makers["name"].notna(), makers["enterprise_id"]).astype(str)
    return name + inner.map(lambda s: f"({s})" if s else "")


def _labels(scales: list, tag_lists: list[list], names: list, ids: list) -> list[str] | None:
    """maker_labels as a list when every tag is text (else None: the frame version decides). The
    ``(规模·标签)`` part is made once per distinct (scale, tag list) object pair."""
    joined: dict = {}
    for tags in tag_lists:
        if id(tags) not in joined:
            if not all(t.__class__ is str or isinstance(t, str) for t in tags):
                return None
            joined[id(tags)] = "·".join(tags)
    inners: dict = {}
    out = []
    for sc, tags, nm, eid in zip(scales, tag_lists, names, ids):
        key = (id(sc), id(tags))
        inner = inners.get(key)
        if inner is None:
            inner = (("" if _missing(sc) else str(sc)) + "·" + joined[id(tags)]).strip("·")
            inner = inners[key] = f"({inner})" if inner else ""
        out.append((nm if nm.__class__ is str else str(eid if _missing(nm) else nm)) + inner)
    return out


def _above(tags) -> bool:
    """has_tag(…, "规上") of one value: a list-like holding 规上, or the text 规上 itself."""
    if isinstance(tags, (list, tuple, set, frozenset, np.ndarray)):
        return any(isinstance(t, str) and t == "规上" for t in tags)
    return isinstance(tags, str) and tags == "规上"


def _tag_list(v) -> list:
    """One value of a tags column as a list (as :func:`as_lists`)."""
    if v.__class__ is list:
        return v
    if isinstance(v, (list, tuple, np.ndarray)):
        return list(v)
    return [] if v is None or (isinstance(v, float) and np.isnan(v)) else [str(v)]


def _missing(v) -> bool:
    if v.__class__ is str:
        return False
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


NAMES_CAP = 50  # names/ids listed per link; the full list is GapReport.makers (keeps Excel cells small)


def _capped(items: list[str], sep: str) -> str:
    more = len(items) - NAMES_CAP
    return sep.join(items[:NAMES_CAP]) + (f"{sep}…等 {len(items)} 家" if more > 0 else "")


def _texts(values: list[str], empty=float) -> pd.Series:
    """A text column as the frame-based version made it: str, or ``empty`` dtype with no rows."""
    return pd.Series(values, dtype="str" if values else empty)


def _int_or_zero(v) -> int:
    return 0 if v is None or _missing(v) else int(v)


def _link_frame(products: pd.DataFrame) -> dict:
    """The chain's products as columns (product_id as str, first row per id, in stage order, stable)."""
    ids = products["product_id"].astype(str)
    seen: set = set()
    first = [i for i, pid in enumerate(ids.tolist()) if not (pid in seen or seen.add(pid))]
    order = [schema.STAGE_ORDER.get(st, 9) if not _missing(st) else 9 for st in products["stage"].tolist()]
    pos = sorted(first, key=lambda i: order[i])
    index = pd.RangeIndex(len(pos))
    out = {c: products[c].iloc[pos].set_axis(index) for c in products.columns if c != "product_id"}
    out["product_id"] = ids.iloc[pos].set_axis(index)
    return _Columns(out, index)


class _Columns(dict):
    """Columns being assembled into the links frame (arrays and lists become Series on the index)."""
    def __init__(self, cols: dict, index: pd.RangeIndex):
        super().__init__(cols)
        self.index = index

    def __setitem__(self, key, value):
        if not isinstance(value, pd.Series):
            value = pd.Series(value, index=self.index)
        super().__setitem__(key, value)

    @property
    def columns(self):
        return list(self)


def _local_by_link(local: pd.DataFrame, pids: list[str]) -> dict:
    """Per chain product (in ``pids`` order): distinct local makers, of which large, share sum
    (NaN if none known; pandas' group sum) and known, scale unknown, capped names and ids. Rows are
    grouped by link with numpy (counts by ``bincount``, names in order by one ``lexsort``)."""
    n_links = len(pids)
    if not n_links:
        return {k: np.zeros(0, dtype=np.int64) for k in ("local_makers", "local_large", "local_share_known",
                                                           "local_scale_unknown")} | {
            "local_share_sum": np.zeros(0), "local_maker_names": [], "local_maker_ids": []}
    if not len(local):
        zeros = np.zeros(n_links, dtype=np.int64)
        return {"local_makers": zeros, "local_large": zeros.copy(), "local_share_known": zeros.copy(),
                "local_scale_unknown": zeros.copy(), "local_share_sum": np.full(n_links, np.nan),
                "local_maker_names": [""] * n_links, "local_maker_ids": [""] * n_links}
    links = local["link_id"].to_numpy(object)
    lc, luniq = pd.factorize(links)           # missing links (left out, as by groupby) -> -1
    eids = local["enterprise_id"].tolist()
    large, scale_unk, labels = _flags_and_labels(local, eids)
    share = pd.to_numeric(local["revenue_share"], errors="coerce")
    ids = [e if e.__class__ is str else str(e) for e in eids]
    valid = lc >= 0
    k = len(luniq)
    lv = lc[valid]

    def count(flags) -> np.ndarray:
        return np.bincount(lv, weights=flags[valid], minlength=k).astype(np.int64) if k else np.zeros(0, np.int64)
    rows_per = np.bincount(lv, minlength=k)
    has_eid = np.array([e.__class__ is str or not _missing(e) for e in eids], dtype=bool)
    if len(set(zip(lc.tolist(), eids))) == len(eids):   # each (link, maker) once: distinct = rows
        distinct = count(has_eid)
    else:
        seen: dict = {}
        for c, e, h in zip(lc.tolist(), eids, has_eid.tolist()):
            if c >= 0 and h:
                seen.setdefault(c, set()).add(e)
        distinct = np.array([len(seen.get(c, ())) for c in range(k)], dtype=np.int64)
    per_link = {"local_makers": distinct, "local_large": count(large), "local_share_known": count(share.notna().to_numpy()),
                "local_scale_unknown": count(scale_unk)}
    names = _sorted_per_link(lc, rows_per, labels, "、")
    id_text = _sorted_per_link(lc, rows_per, ids, ";")
    at = {u: i for i, u in enumerate(luniq.tolist())}
    pos = [at.get(p, -1) for p in pids]
    if k:   # pandas' group sum (compensated), grouped by the link codes
        sums = share[valid].groupby(lv).sum(min_count=1).reindex(range(k)).to_numpy(float)
        share_sum = np.array([sums[i] if i >= 0 else np.nan for i in pos], dtype=float)
    else:
        share_sum = np.full(n_links, np.nan)
    out = {key: np.array([v[i] if i >= 0 else 0 for i in pos], dtype=np.int64) for key, v in per_link.items()}
    out["local_share_sum"] = share_sum
    out["local_maker_names"] = [names[i] if i >= 0 else "" for i in pos]
    out["local_maker_ids"] = [id_text[i] if i >= 0 else "" for i in pos]
    return {key: out[key] for key in ("local_makers", "local_large", "local_share_known", "local_scale_unknown",
                                      "local_share_sum", "local_maker_names", "local_maker_ids")}


def _flags_and_labels(local: pd.DataFrame, eids: list) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(large, scale unknown, maker_labels) per row, worked out once per distinct (scale, tags) pair
    of objects (a store shares them: a few dozen pairs for thousands of rows)."""
    scales, tags = local["scale"].to_numpy(object), local["tags"].to_numpy(object)
    s_first, s_at = distinct_objects(scales)
    t_first, t_at = distinct_objects(tags)
    at, first = first_rows(pd.factorize(s_at.astype(np.int64) * (len(t_first) + 1) + t_at)[0])
    sc, tg = scales[first].tolist(), tags[first].tolist()
    above = [_above(t) for t in tg]
    large = np.array([a or (isinstance(x, str) and x in LARGE_SCALES) for a, x in zip(above, sc)], dtype=bool)[at]
    unknown = np.array([not a and _missing(x) for a, x in zip(above, sc)], dtype=bool)[at]
    lists = [_tag_list(t) for t in tg]
    if not all(t.__class__ is str or isinstance(t, str) for tl in lists for t in tl):
        return large, unknown, maker_labels(local).tolist()
    inner = [(("" if _missing(x) else str(x)) + "·" + "·".join(tl)).strip("·") for x, tl in zip(sc, lists)]
    inner = np.array([f"({x})" if x else "" for x in inner], dtype=object)[at].tolist()
    return large, unknown, [(nm if nm.__class__ is str else str(e if _missing(nm) else nm)) + x
                            for nm, e, x in zip(local["name"].tolist(), eids, inner)]


def _sorted_per_link(lc: np.ndarray, rows_per: np.ndarray, texts: list[str], sep: str) -> list[str]:
    """Per link code: its rows' texts sorted and :func:`_capped` (rows taken link by link)."""
    if len(lc) > 1 and (lc[1:] >= lc[:-1]).all():   # already grouped (attach_links' order)
        ordered, start = texts, int((lc < 0).sum())
    else:
        order = np.argsort(lc, kind="stable")
        ordered, start = [texts[i] for i in order.tolist()], int((lc < 0).sum())
    out = []
    for n in rows_per.tolist():
        items = sorted(ordered[start:start + n])
        out.append(sep.join(items[:NAMES_CAP]) + (f"{sep}…等 {n} 家" if n > NAMES_CAP else ""))
        start += n
    return out


def _unknown_by_link(unknown: pd.DataFrame | None, local_ids: set) -> dict[str, tuple[int, str, str]]:
    """Per link: (count, names, ids) of the makers whose location is unknown (not local ones)."""
    if unknown is None or len(unknown) == 0:
        return {}
    names: dict = {}
    for link, eid, nm in zip(unknown["link_id"].tolist(), unknown["enterprise_id"].tolist(),
                             unknown["name"].tolist()):
        if not pd.isna(link) and eid not in local_ids:
            names.setdefault(link, {})[str(eid)] = str(eid if _missing(nm) else nm)
    return {k: (len(v), _capped([v[e] for e in sorted(v)], "、"), _capped(sorted(v), ";")) for k, v in names.items()}
