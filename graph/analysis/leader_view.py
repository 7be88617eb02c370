"""链主供需对接清单: for each 链主 of a chain, its input products, which of them are made in the
place and which are not, and the candidate suppliers elsewhere for each missing or weak one —
the list a chain-chief office hands to the 链主. Pure: it reads a GapReport (its ``leaders`` and
``links``) and the ranked targets of :func:`graph.analysis.targets.rank_targets`.

An input whose link has no maker anywhere in the data (no_data) is "unknown", never "not local":
it gets no verdict and no candidates.

>>> import pandas as pd
>>> from types import SimpleNamespace as NS
>>> links = pd.DataFrame({"product_id": ["P1", "P2"], "name": ["电芯", "隔膜"], "stage_cn": ["中游", "上游"],
...     "status": ["missing", "covered"], "label": ["缺链", "已配套"], "local_makers": [0, 2],
...     "local_maker_names": ["", "甲、乙"]})
>>> leaders = pd.DataFrame({"enterprise_id": ["E1"], "name": ["大运"], "is_local": [True], "input_ids": ["P1;P2"],
...     "source": ["s"], "as_of": ["2024"]})
>>> targets = pd.DataFrame({"gap_product_id": ["P1"], "rank": [1], "enterprise_id": ["E9"], "name": ["宁德"],
...     "province_name": ["福建省"], "score": [8.0]})
>>> m = leader_matching(NS(leaders=leaders, links=links), targets)
>>> m[["input", "verdict", "local_suppliers", "candidates"]].values.tolist()
[['电芯', '本地无', '', '宁德（福建省）'], ['隔膜', '本地有', '甲、乙', '']]
"""
from __future__ import annotations

import pandas as pd

MATCH_COLUMNS = ["leader_id", "leader", "leader_local", "input_id", "input", "stage_cn", "status", "status_cn",
                 "verdict", "local_count", "local_suppliers", "candidates", "candidate_ids", "advice",
                 "source", "as_of"]
_LEADER_FIELDS = ["enterprise_id", "name", "is_local", "input_ids", "source", "as_of"]
_LINK_FIELDS = ["product_id", "name", "stage_cn", "status", "label", "local_makers", "local_maker_names"]
VERDICT = {"covered": "本地有", "weak": "本地有（偏弱）", "missing": "本地无", "no_data": "未知（无数据）"}
ADVICE = {"covered": "本地已有供应，可优先对接本地企业",
          "weak": "本地供应偏弱：对接本地企业，同时引进下列候选补强",
          "missing": "本地没有生产企业：对接下列外地候选供应商或招商引进",
          "no_data": "数据中没有任何生产企业，无法判断本地有无，不作结论；请补充数据"}


def leader_matching(report, targets: pd.DataFrame, per_input: int = 3) -> pd.DataFrame:
    """One row per (链主, input product) of ``report``: MATCH_COLUMNS, leaders in report order,
    inputs upstream first. ``candidates`` (``企业（省份）``, best first, at most ``per_input``) come
    from ``targets`` for missing and weak inputs only."""
    leaders, links = report.leaders, report.links
    if leaders is None or not len(leaders) or not len(links):
        return pd.DataFrame(columns=MATCH_COLUMNS)
    values = {c: links[c].tolist() for c in _LINK_FIELDS if c in links.columns}
    at = {str(p): i for i, p in enumerate(values["product_id"])}  # the last row of an id, as a dict of records
    by_id = _Rows(values, at)
    order = {pid: i for i, pid in enumerate(at)}
    lf = [c for c in _LEADER_FIELDS if c in leaders.columns]
    lv = {c: leaders[c].tolist() for c in lf}   # column lists: no to_dict("records") (its per-value boxing)
    leader_rows = [{c: lv[c][i] for c in lf} for i in range(len(leaders))]
    wanted = {p for ld in leader_rows for p in str(ld.get("input_ids") or "").split(";")
              if p in by_id and str(by_id[p].get("status")) in ("missing", "weak")}
    best = _candidates(targets, wanted, per_input) if wanted and targets is not None and len(targets) else {}
    cols: dict[str, list] = {c: [] for c in MATCH_COLUMNS}   # one list per column: no dict per row
    for ld in leader_rows:
        inputs = [p for p in str(ld.get("input_ids") or "").split(";") if p in by_id]
        for pid in sorted(inputs, key=order.get):
            link = by_id[pid]
            status = str(link.get("status"))
            cands, ids = best.get(pid, ("", "")) if status in ("missing", "weak") else ("", "")
            for c, v in zip(MATCH_COLUMNS, (
                    ld.get("enterprise_id"), ld.get("name"), "是" if ld.get("is_local") else "否",
                    pid, link.get("name"), link.get("stage_cn"),
                    status, link.get("label"), VERDICT.get(status, status),
                    int(link.get("local_makers") or 0) if status != "no_data" else None,
                    _text(link.get("local_maker_names")) if status in ("covered", "weak") else "",
                    cands, ids, ADVICE.get(status, ""), ld.get("source"), ld.get("as_of"))):
                cols[c].append(v)
    if not cols["leader_id"]:
        return pd.DataFrame([], columns=MATCH_COLUMNS)
    return pd.DataFrame(cols, columns=MATCH_COLUMNS)


def _candidates(targets: pd.DataFrame, wanted: set, per_input: int) -> dict[str, tuple[str, str]]:
    """gap product id -> (``企业（省份）`` texts, ``;``-joined enterprise ids) of its best
    ``per_input`` targets by rank (ties in the targets' order), for the products in ``wanted``."""
    gap = targets["gap_product_id"].astype(str).tolist()
    rank, names = targets["rank"].tolist(), targets["name"].tolist()
    provinces, ids = targets["province_name"].tolist(), targets["enterprise_id"].astype(str).tolist()
    rows: dict[str, list[int]] = {}
    for i, pid in enumerate(gap):
        if pid in wanted:
            rows.setdefault(pid, []).append(i)
    out = {}
    for pid, at in rows.items():
        top = sorted(at, key=lambda i: (rank[i] != rank[i], rank[i]))[:per_input]  # missing last; stable
        out[pid] = ("、".join(f"{names[i]}（{_text(provinces[i]) or '所在地未知'}）" for i in top),
                    ";".join(ids[i] for i in top))
    return out


class _Rows:
    """Rows of a frame by id, read from its column lists on demand (``by_id[pid].get(column)``)."""

    def __init__(self, values: dict[str, list], at: dict[str, int]):
        self.values, self.at = values, at

    def __contains__(self, pid) -> bool:
        return pid in self.at

    def __getitem__(self, pid) -> dict:
        i = self.at[pid]
        return {c: v[i] for c, v in self.values.items()}


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(value)
