"""CKG companies → enterprises: stock codes normalised into ids (``000826.SZ``), renamed
companies merged (their other names become ``aliases``: 简称 and 曾用名), Shenwan industry paths
attached, and companies already stored under another id matched to that id.

Rows sharing a code but listed on another date (``time``) are not a rename: the public file puts
big companies under small companies' codes (688078 named 中国交通建设). Per code the rows are
grouped by listing date and one group is kept, the one most consistent with the code
(:func:`consistency`); the others are reported as conflicts and dropped, never merged.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders.batch_tables import merge_stored
from loaders.ckg_read import CkgReport, read_jsonl
from graph.text import norm_key, norm_series

EXCHANGES = {"深圳": "SZ", "上海": "SH", "北京": "BJ"}
# first listing date of each board by code prefix: a row listed earlier cannot carry that code
BOARD_START = {"688": "2019-07-22", "689": "2019-07-22", "300": "2009-10-30", "301": "2020-08-24",
               "002": "2004-06-25", "003": "2020-01-01", "605": "2020-01-01", "603": "2011-01-01",
               "601": "2000-01-01"}


def normalize_codes(codes: pd.Series, location: pd.Series | None = None) -> pd.Series:
    """Stock codes as ``NNNNNN.XX`` (SZ/SH/BJ); the exchange from a suffix/prefix, the listing
    place, else the number range. Unparseable codes become <NA>.

    >>> normalize_codes(pd.Series(["000826.sz", "301079", "SH600010", "x"])).tolist()
    ['000826.SZ', '301079.SZ', '600010.SH', <NA>]
    """
    c = norm_series(codes).str.upper().str.replace(" ", "")
    m = c.str.extract(r"^(?:(SH|SZ|BJ|SS)\.?)?(\d{6})(?:\.(SH|SZ|BJ|SS))?$")
    exch = m[2].fillna(m[0]).replace("SS", "SH")
    if location is not None:
        loc = norm_series(location)
        for word, ex in EXCHANGES.items():
            exch = exch.mask(exch.isna() & loc.str.contains(word), ex)
    d = m[1]
    guess = pd.Series(pd.NA, index=c.index, dtype="string")
    guess = guess.mask(d.str.match(r"^[023]").fillna(False), "SZ").mask(d.str.match(r"^[69]").fillna(False), "SH")
    guess = guess.mask(d.str.match(r"^(?:[48]|92)").fillna(False), "BJ")
    return (d + "." + exch.fillna(guess)).astype("string")


def consistency(code: str, time: str, names: set[str], industry_names: set[str], elsewhere: set[str]) -> int:
    """How well a group of company.json rows (one listing date, its names) fits its stock code:
    +2 listed on or after its board opened (688… from 2019-07-22, 300… from 2009-10-30 …),
    +1 a name that company_industry.json gives for the code, −2 a name also listed under another
    code with this date (the row belongs there).

    >>> consistency("688078.SH", "2012-03-09", {"中国交建"}, {"龙软科技"}, {"中国交建"})
    -2
    >>> consistency("688078.SH", "2019-12-30", {"龙软科技"}, {"龙软科技"}, set())
    3
    """
    start = BOARD_START.get(code[:3])
    score = 2 if not time or not start or time >= start else 0
    score += 1 if names & industry_names else 0
    return score - (2 if names & elsewhere else 0)


def _keep_consistent(co: pd.DataFrame, ci: pd.DataFrame, rep: CkgReport) -> pd.DataFrame:
    """Per code, the rows of the most consistent listing date (rows without a date go with it);
    the other dates are reported as conflicts and dropped."""
    f = "company.json"
    dated = co[co["time"] != ""]
    times = dated.groupby("eid")["time"].nunique()
    clash = set(times[times > 1].index)
    if not clash:
        return co
    ind_names: dict[str, set[str]] = {}
    if len(ci) and "company_name" in ci.columns:
        for eid, n in zip(normalize_codes(ci["company_code"]).tolist(), norm_series(ci["company_name"]).tolist()):
            if isinstance(eid, str):
                ind_names.setdefault(eid, set()).add(n)
    where: dict[tuple[str, str], set[str]] = {}       # (name, time) -> codes
    for eid, t, n, full in dated[["eid", "time", "name", "full"]].itertuples(index=False):
        for x in (n, full):
            where.setdefault((x, t), set()).add(eid)
    drop = []
    for eid, grp in dated[dated["eid"].isin(clash)].groupby("eid", sort=True):
        scored = []
        for t, g in grp.groupby("time", sort=False):
            names = set(g["name"]) | set(g["full"])
            elsewhere = {x for x in names if where.get((x, t), set()) - {eid}}
            scored.append((-consistency(eid, t, names, ind_names.get(eid, set()), elsewhere), int(g["_line"].min()), t, g))
        scored.sort(key=lambda s: s[:2])
        keep = scored[0]
        kept_txt = "、".join(dict.fromkeys(keep[3]["name"])) + f"（上市 {keep[2]}）"
        for score, _, t, g in scored[1:]:
            drop.append(g)
            why = "same score: kept the earlier line" if score == scored[0][0] else "less consistent with the code"
            rep.conflicts.append({"code": eid, "kept": kept_txt, "dropped": "、".join(dict.fromkeys(g["name"]))
                                  + f"（上市 {t}）", "why": why, "line": int(g["_line"].min())})
    gone = pd.concat(drop)
    rep.drop(f, "same code, other listing date (conflict, not merged)",
             gone.assign(raw=gone["code"] + " " + gone["name"] + " " + gone["time"]), "raw")
    return co.drop(index=gone.index)


def company_table(read: dict, folder: Path, rep: CkgReport) -> tuple[pd.DataFrame, dict[str, str]]:
    """Enterprises (one per normalised stock code) and a name/full-name -> id lookup."""
    f = "company.json"
    co = read["company.json"]
    for col in ("name", "fullname", "code", "location", "time"):
        co[col] = norm_series(co[col]) if col in co.columns else ""
    co["eid"] = normalize_codes(co["code"], co["location"])
    rep.drop(f, "bad stock code", co[co["eid"].isna()], "code")
    co = co[co["eid"].notna()].copy()
    co["full"] = co["fullname"].mask(co["fullname"] == "", co["name"])
    co = _keep_consistent(co, read["company_industry.json"], rep)
    first = co.drop_duplicates("eid").set_index("eid")
    rep.merged["renamed companies merged"] = len(co) - len(first)
    rep.use(f, "enterprises", len(first))
    rep.use(f, "renamed companies merged (曾用名)", len(co) - len(first))
    former = co[co.duplicated("eid")].groupby("eid")["full"].agg(lambda s: "、".join(dict.fromkeys(s)))
    evidence = "简称 " + first["name"] + ("；曾用名 " + former).reindex(first.index).fillna("")
    alias_of: dict[str, list[str]] = {}
    for eid, n, full in co[["eid", "name", "full"]].itertuples(index=False):
        alias_of.setdefault(eid, [])
        alias_of[eid] += [x for x in (n, full) if x and x not in alias_of[eid]]
    aliases = [[a for a in alias_of.get(e, []) if a != full] for e, full in zip(first.index, first["full"])]
    name_to_id: dict[str, str] = {}
    for col in ("full", "name"):
        for key, eid in zip(co[col].map(norm_key).tolist(), co["eid"].tolist()):
            if key:
                name_to_id.setdefault(key, eid)
    industries = _industries(read["company_industry.json"], folder, set(first.index), rep)
    ent = pd.DataFrame({"enterprise_id": first.index, "name": first["full"].values, "region": None,
                        "listed": True, "stock_code": first.index, "evidence": evidence.values})
    ent["aliases"] = aliases
    ent["tags"] = [["上市"] for _ in range(len(ent))]
    ent["industries"] = [industries.get(e, []) for e in ent["enterprise_id"]]
    return ent, name_to_id


def _industries(ci: pd.DataFrame, folder: Path, known: set[str], rep: CkgReport) -> dict[str, list[str]]:
    """Enterprise id -> Shenwan paths from company_industry.json; rows of unknown companies and
    empty paths are reported, repeated ones counted as merged."""
    f = "company_industry.json"
    industries: dict[str, list[str]] = {}
    if not len(ci):
        return industries
    paths = industry_paths(folder, rep)
    ci = ci.assign(eid=normalize_codes(ci.get("company_code", pd.Series("", index=ci.index)).astype(str)))
    name = norm_series(ci["industry_name"]) if "industry_name" in ci.columns else pd.Series("", index=ci.index)
    path = ci["industry_code"].astype(str).map(paths).astype(object)
    ci["path"] = path.where(path.notna(), name.astype(object)).fillna("").astype(str)
    ci["raw"] = ci.get("company_code", "").astype(str) + " " + ci.get("company_name", "").astype(str)
    unknown = ~ci["eid"].isin(list(known))
    rep.drop(f, "unknown company", ci[unknown], "raw")
    ci = ci[~unknown]
    empty = ci["path"].str.strip("/ ") == ""
    rep.drop(f, "empty industry path", ci.assign(raw=ci["raw"] + " " + ci["industry_code"].astype(str))[empty], "raw")
    ci = ci[~empty]
    dup = ci.duplicated(["eid", "path"])
    rep.use(f, "industries attached", int((~dup).sum()))
    rep.use(f, "same company and industry again (merged)", int(dup.sum()))
    for eid, path in ci.loc[~dup, ["eid", "path"]].itertuples(index=False):
        industries.setdefault(eid, []).append(path)
    return industries


def industry_paths(folder: Path, report: CkgReport) -> dict[str, str]:
    """Shenwan industry code -> ``level1/level2/level3`` name path."""
    names, parent = {}, {}
    if (folder / "industry.json").exists():
        ind = read_jsonl(folder / "industry.json", report)
        report.use("industry.json", "industry names", len(ind))
        if len(ind):
            names = dict(zip(ind["code"].astype(str), norm_series(ind["name"])))
    if (folder / "industry_industry.json").exists():
        ii = read_jsonl(folder / "industry_industry.json", report)
        report.use("industry_industry.json", "industry parents", len(ii))
        if len(ii):
            parent = dict(zip(ii["from_code"].astype(str), ii["to_code"].astype(str)))
            names.update({k: v for k, v in zip(ii["to_code"].astype(str), norm_series(ii["to_industry"]))
                          if k not in names})

    def up(code: str) -> str | None:
        if code in parent:
            return parent[code]
        if code.isdigit() and len(code) == 6 and code[4:] != "00":
            return code[:4] + "00"
        if code.isdigit() and len(code) == 6 and code[2:4] != "00":
            return code[:2] + "0000"
        return None

    paths = {}
    for code in names:
        chain, c = [], code
        while c and c in names and len(chain) < 4:
            chain.append(names[c])
            c = up(c)
        paths[code] = "/".join(reversed(chain))
    return paths


def match_enterprises(ent: pd.DataFrame, name_to_id: dict, stored: pd.DataFrame | None,
                       rep: CkgReport) -> tuple[pd.DataFrame, dict]:
    """Reuse stored ids for companies already in the store under another id."""
    if stored is None or not len(stored):
        return ent, name_to_id
    ids = stored["enterprise_id"].astype(str).tolist()
    codes = normalize_codes(stored["stock_code"].astype(object).fillna("")).tolist()
    by_code = {c: i for c, i in zip(codes, ids) if isinstance(c, str) and c != i}
    by_name = {norm_key(n): i for n, i in zip(stored["name"].tolist(), ids) if isinstance(n, str) and n}
    remap: dict[str, str] = {}
    for eid, name in zip(ent["enterprise_id"].tolist(), ent["name"].tolist()):
        hit = by_code.get(eid) or by_name.get(norm_key(name))
        if hit and hit != eid and hit not in remap.values():
            remap[eid] = hit
    rep.merged["enterprises matched to stored enterprises"] = len(remap)
    if not remap:
        return ent, name_to_id
    ent = ent.assign(enterprise_id=[remap.get(e, e) for e in ent["enterprise_id"].tolist()])
    hit = ent["enterprise_id"].isin(list(remap.values()))
    ent = pd.concat([ent[~hit], merge_stored(ent[hit], stored, prefer="stored")]).sort_index()
    return ent, {k: remap.get(v, v) for k, v in name_to_id.items()}
