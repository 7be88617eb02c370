"""Regions inferred from a registered name or an address, to the finest level that is certain.

A text is read from its start: a province, then a city inside it, then a county inside that,
each only where it follows directly (山西省太原市小店区…). Short forms (山西, 太原) count for
provinces and cities; counties only by their full name (介休市, 平遥县), since short county
names are common words. A phrase that names several places keeps what they share (吉林 is both
吉林省 and 吉林市 → 吉林省) and stops there; places that share nothing stop the reading. So a
name starting 山西 gives 山西省 only, never a city.

>>> inf = RegionInference(RegionIndex.reference())
>>> inf.infer("山西焦化股份有限公司"), inf.infer("太原重工股份有限公司")
(('140000', '山西'), ('140100', '太原'))
>>> inf.infer("山西省介休市义安镇"), inf.infer("吉林敖东药业集团股份有限公司"), inf.infer("中国联合网络通信股份有限公司")
(('140781', '山西省介休市'), ('220000', '吉林'), (None, ''))
"""
from __future__ import annotations

import pandas as pd

from graph.schema import GIVEN, INFERRED
from graph.text import norm_key
from loaders.region_index import RegionIndex, short_forms

LEVELS = ("province", "city", "county")
FIELD_LABELS = {"name": "名称", "address": "地址"}


class RegionInference:
    """Prefix reader of region names over a :class:`RegionIndex`."""

    def __init__(self, index: RegionIndex):
        self.index = index
        self.keys: dict[str, list[tuple[int, str]]] = {}       # key -> [(level rank, code)]
        for code, name, level in zip(index.frame["code"], index.frame["name"], index.frame["level"]):
            if level not in LEVELS or not isinstance(name, str):
                continue
            full = norm_key(name)
            spellings = [full] + (short_forms(full, str(level)) if level != "county" else [])
            for key in spellings:
                if len(key) >= 2:
                    self.keys.setdefault(key, []).append((LEVELS.index(level), code))
        self.longest = max((len(k) for k in self.keys), default=0)

    def _common(self, codes: list[str]) -> str | None:
        """The finest region containing every code (None when they share none)."""
        chains = []
        for c in codes:
            chain, seen = [], 0
            while c and seen < 6:
                chain.append(c)
                c, seen = self.index.parent.get(c, ""), seen + 1
            chains.append(chain[::-1])
        common = None
        for parts in zip(*chains):
            if len(set(parts)) != 1:
                break
            common = parts[0]
        return common

    def infer(self, text) -> tuple[str | None, str]:
        """(region code, the phrase it came from) for ``text``; (None, '') when nothing is certain."""
        t = norm_key(text)
        if t.startswith("中国"):
            t = t[2:] if not t.startswith("中国人民") else t
        code, pos, used = None, 0, ""
        while pos < len(t):
            found = None
            for n in range(min(self.longest, len(t) - pos), 1, -1):     # longest phrase first
                hits = self.keys.get(t[pos:pos + n])
                if not hits:
                    continue
                rank = max(LEVELS.index(self.index.level.get(code, "province")) + 1 if code else 0, 0)
                hits = [h for h in hits if h[0] >= rank and (code is None or self.index._under(h[1], code))]
                if hits:
                    found = (n, hits)
                    break
            if found is None:
                break
            n, hits = found
            best = self._common([c for _, c in hits])
            if best is None or (code is not None and best == code):
                break                                   # uncertain: several places sharing nothing finer
            code, pos, used = best, pos + n, t[:pos + n]
            if len(hits) > 1:
                break                                   # a shared ancestor: nothing finer is certain
        return code, used


def infer_regions(frame: pd.DataFrame, index: RegionIndex, fields=("address", "name")) -> pd.DataFrame:
    """Inferred ``region``, ``region_source`` and ``region_evidence`` for the rows of ``frame``
    whose ``region`` is empty; given regions are kept (source ``given``) and never overridden.
    ``fields`` are the text columns read, in order of trust (the first that yields a region wins).

    >>> df = pd.DataFrame({"name": ["山西焦化股份有限公司", "太原重工股份有限公司"], "region": [None, "140100"]})
    >>> infer_regions(df, RegionIndex.reference()).values.tolist()
    [['140000', 'inferred', '名称：山西'], ['140100', 'given', None]]
    """
    inf = RegionInference(index)
    given = frame["region"].notna() & (frame["region"].astype(str) != "") if "region" in frame.columns \
        else pd.Series(False, index=frame.index)
    out = pd.DataFrame({"region": frame["region"] if "region" in frame.columns else None,
                        "region_source": [GIVEN if g else None for g in given], "region_evidence": None},
                       index=frame.index).astype(object)
    cols = [f for f in fields if f in frame.columns]
    for i in frame.index[~given.to_numpy()]:
        for f in cols:
            val = frame.at[i, f]
            if not isinstance(val, str) or not val:
                continue
            code, phrase = inf.infer(val)
            if code:
                out.at[i, "region"], out.at[i, "region_source"] = code, INFERRED
                out.at[i, "region_evidence"] = f"{FIELD_LABELS.get(f, f)}：{phrase}"
                break
    return out



REVIEW_COLUMNS = ["decision", "enterprise_id", "enterprise", "region", "region_name", "evidence"]
DECISION_HELP = ("decision: accept/是 keeps the region (then counted as given), reject/否 leaves it unknown; "
                 "or write another region (name or code) in 'region'")


def review_table(ent: pd.DataFrame, index: RegionIndex) -> pd.DataFrame:
    """The inferred regions of ``ent`` (enterprise rows) for a person to check: one row each,
    ``decision`` empty (:data:`REVIEW_COLUMNS`)."""
    rows = ent[ent.get("region_source", pd.Series(None, index=ent.index)) == INFERRED]
    names = dict(zip(index.frame["code"], index.frame["name"]))
    return pd.DataFrame({"decision": "", "enterprise_id": rows["enterprise_id"].astype(str),
                         "enterprise": rows["name"], "region": rows["region"],
                         "region_name": rows["region"].map(names), "evidence": rows["region_evidence"]},
                        columns=REVIEW_COLUMNS).reset_index(drop=True)


def review_csv(review: pd.DataFrame) -> bytes:
    """The review as CSV bytes (UTF-8 with BOM, opens in Excel); text that a spreadsheet would run
    as a formula (= + - @ …) is written inert."""
    from graph.export.safe import csv_bytes

    return csv_bytes(review, lineterminator="\n")


def read_review(path_or_frame) -> pd.DataFrame:
    """A filled-in region review (CSV in UTF-8 or GB18030 as Excel saves it, or a frame), text."""
    import io
    from pathlib import Path

    from graph.errors import InputProblem, ValidationFailed
    from loaders.read import decode
    from graph.text import norm_header

    if isinstance(path_or_frame, pd.DataFrame):
        df, name = path_or_frame.astype(object), "review"
    else:
        name = Path(path_or_frame).name
        text = decode(Path(path_or_frame).read_bytes()) or ""
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False) if text.strip() else pd.DataFrame()
    df = df.rename(columns=norm_header)
    missing = [c for c in ("enterprise_id", "decision", "region") if c not in df.columns]
    if missing:
        raise ValidationFailed([InputProblem(name, "", 1, c, "", "区划审核表缺少列 region review lacks a column",
                                             "Pass back the file written by --region-review-out, with decision "
                                             "filled in.") for c in missing], source=name)
    return df


def apply_review(ent: pd.DataFrame, review, index: RegionIndex) -> tuple[pd.DataFrame, list]:
    """``ent`` with a person's decisions on inferred regions: accept → the region becomes given
    (evidence keeps what it was inferred from), reject → region unknown, another region written
    in ``region`` → that region, given. Returns the rows and InputProblems for unusable lines."""
    from graph.errors import InputProblem
    from loaders.cells import DECISIONS

    df = read_review(review)
    ent = ent.copy()
    for col in ("region_source", "region_evidence"):
        if col not in ent.columns:
            ent[col] = None
    ent[["region", "region_source", "region_evidence"]] = ent[["region", "region_source", "region_evidence"]].astype(object)
    pos = {str(e): i for i, e in zip(ent.index, ent["enterprise_id"])}
    problems = []
    for n, rec in enumerate(df.to_dict("records"), start=2):
        i = pos.get(str(rec["enterprise_id"]).strip())
        word = norm_key(rec.get("decision", ""))
        said = next((d for d, words in DECISIONS.items() if word in words), None)
        if i is None or (said is None and not word):
            continue
        was, text = ent.at[i, "region"], str(rec.get("region") or "").strip()
        if said == "reject":
            ent.loc[i, ["region", "region_source", "region_evidence"]] = [None, None, None]
            continue
        code = text if text in index.codes else (index.resolve(*_levels(text, index))[0] if text else None)
        if text and code is None:
            problems.append(InputProblem("region review", "", n, "region", text, "未知的行政区划 unknown region",
                                         "Write a region name or 6-digit code, e.g. 山西省 / 140800."))
            continue
        note = ent.at[i, "region_evidence"] if isinstance(ent.at[i, "region_evidence"], str) else ""
        ent.loc[i, ["region", "region_source", "region_evidence"]] = [
            code or was, GIVEN, ("人工核对" + (f"（推断自 {note}）" if note else "")) if (code or was) else None]
    return ent, problems


def _levels(text: str, index: RegionIndex) -> tuple[str, str, str]:
    """A region written by a person as (province, city, county) for :meth:`RegionIndex.resolve`,
    read with the inference reader (山西省运城市 → its parts)."""
    code, phrase = RegionInference(index).infer(text)
    if code and phrase == norm_key(text):
        return code, "", ""
    return "", text, ""
