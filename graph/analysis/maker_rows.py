"""Per-link aggregation of maker rows for :mod:`graph.analysis.gap_rules` in plain Python (a chain has
a few hundred links and a place a few thousand local makers: pandas' per-call cost would dominate).

>>> _capped(["a", "b"], ";")
'a;b'
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from graph import schema
from graph.analysis.frame_utils import as_lists

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


def _per_object(f, values: list) -> list:
    """``[f(v) for v in values]``, called once per distinct object (a store's tag lists are shared
    objects: a few distinct ones for thousands of rows); ``values`` stay alive meanwhile.

    >>> _per_object(len, [[1], [1, 2], [1]])
    [1, 2, 1]
    """
    seen: dict = {}
    out = []
    for v in values:
        k = id(v)
        got = seen.get(k)
        if got is None:
            got = seen[k] = (f(v),)
        out.append(got[0])
    return out


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
    (NaN if none known; pandas' group sum) and known, scale unknown, capped names and ids."""
    acc: dict = {}
    n_links = len(pids)
    if len(local):
        links, eids = local["link_id"].tolist(), local["enterprise_id"].tolist()
        scales = local["scale"].tolist()
        tags = local["tags"].tolist()
        tag_lists = [_tag_list(v) for v in tags]
        above = _per_object(_above, tags)
        large = [a or (isinstance(sc, str) and sc in LARGE_SCALES) for a, sc in zip(above, scales)]
        scale_unk = [not a and _missing(sc) for a, sc in zip(above, scales)]
        share = pd.to_numeric(local["revenue_share"], errors="coerce")
        labels = _labels(scales, tag_lists, local["name"].tolist(), eids)
        labels = maker_labels(local).tolist() if labels is None else labels
        known = share.notna().tolist()
        for link, eid, lg, su, kn, lab in zip(links, eids, large, scale_unk, known, labels):
            if link.__class__ is not str and _missing(link):  # groupby leaves out missing keys
                continue
            a = acc.get(link)
            if a is None:
                a = acc[link] = [set(), 0, 0, 0, [], []]
            if eid.__class__ is str or not _missing(eid):
                a[0].add(eid)
            a[1] += lg
            a[2] += kn
            a[3] += su
            a[4].append(lab)
            a[5].append(eid if eid.__class__ is str else str(eid))
        sums = share.groupby(np.asarray(links, dtype=object)).sum(min_count=1).to_dict() if acc else {}
    else:
        sums = {}
    empty = (set(), 0, 0, 0, None, None)
    rows = [acc.get(p, empty) for p in pids]
    return {
        "local_makers": np.array([len(r[0]) for r in rows], dtype=np.int64),
        "local_large": np.array([r[1] for r in rows], dtype=np.int64),
        "local_share_known": np.array([r[2] for r in rows], dtype=np.int64),
        "local_scale_unknown": np.array([r[3] for r in rows], dtype=np.int64),
        "local_share_sum": np.array([sums.get(p, np.nan) for p in pids], dtype=float),
        "local_maker_names": ["" if r[4] is None else _capped(sorted(r[4]), "、") for r in rows],
        "local_maker_ids": ["" if r[5] is None else _capped(sorted(r[5]), ";") for r in rows],
    } if n_links else {k: np.zeros(0, dtype=np.int64) for k in ("local_makers", "local_large",
                                                                 "local_share_known", "local_scale_unknown")} | {
        "local_share_sum": np.zeros(0), "local_maker_names": [], "local_maker_ids": []}


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
