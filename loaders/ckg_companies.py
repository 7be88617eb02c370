"""CKG companies → enterprises: stock codes normalised into ids (``000826.SZ``), renamed
companies merged, Shenwan industry paths attached, and companies already stored under another
id matched to that id."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders.batch_tables import merge_stored
from loaders.ckg_read import CkgReport, read_jsonl
from graph.text import norm_key, norm_series

EXCHANGES = {"深圳": "SZ", "上海": "SH", "北京": "BJ"}


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


def company_table(read: dict, folder: Path, rep: CkgReport) -> tuple[pd.DataFrame, dict[str, str]]:
    """Enterprises (one per normalised stock code) and a name/full-name -> id lookup."""
    co = read["company.json"]
    for col in ("name", "fullname", "code", "location"):
        co[col] = norm_series(co[col]) if col in co.columns else ""
    co["eid"] = normalize_codes(co["code"], co["location"])
    rep.drop("company.json", "bad stock code", co[co["eid"].isna()], "code")
    co = co[co["eid"].notna()]
    co["full"] = co["fullname"].mask(co["fullname"] == "", co["name"])
    first = co.drop_duplicates("eid").set_index("eid")
    rep.merged["renamed companies merged"] = len(co) - len(first)
    former = co[co.duplicated("eid")].groupby("eid")["full"].agg(lambda s: "、".join(dict.fromkeys(s)))
    evidence = "简称 " + first["name"] + ("；曾用名 " + former).reindex(first.index).fillna("")
    name_to_id: dict[str, str] = {}
    for col in ("full", "name"):
        for key, eid in zip(co[col].map(norm_key).tolist(), co["eid"].tolist()):
            if key:
                name_to_id.setdefault(key, eid)
    industries: dict[str, list[str]] = {}
    ci = read["company_industry.json"]
    if len(ci):
        paths = industry_paths(folder, rep)
        ci["eid"] = normalize_codes(ci["company_code"])
        ci["path"] = ci["industry_code"].astype(str).map(paths).fillna(norm_series(ci["industry_name"]))
        for eid, path in ci.dropna(subset=["eid"])[["eid", "path"]].drop_duplicates().itertuples(index=False):
            industries.setdefault(eid, []).append(path)
    ent = pd.DataFrame({"enterprise_id": first.index, "name": first["full"].values, "region": None,
                        "listed": True, "stock_code": first.index, "evidence": evidence.values})
    ent["tags"] = [["上市"] for _ in range(len(ent))]
    ent["industries"] = [industries.get(e, []) for e in ent["enterprise_id"]]
    return ent, name_to_id


def industry_paths(folder: Path, report: CkgReport) -> dict[str, str]:
    """Shenwan industry code -> ``level1/level2/level3`` name path."""
    names, parent = {}, {}
    if (folder / "industry.json").exists():
        ind = read_jsonl(folder / "industry.json", report)
        if len(ind):
            names = dict(zip(ind["code"].astype(str), norm_series(ind["name"])))
    if (folder / "industry_industry.json").exists():
        ii = read_jsonl(folder / "industry_industry.json", report)
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
