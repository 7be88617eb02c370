"""The optional ``code,province,city[,county]`` CSV of a CKG import: a region per stock code."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from graph.errors import InputProblem, ValidationFailed
from loaders.ckg_companies import normalize_codes
from loaders.ckg_read import CkgReport
from loaders.read import csv_records, decode
from loaders.region_index import RegionIndex
from graph.text import norm_header


def _read_region_csv(path: Path) -> pd.DataFrame:
    """The region CSV as text columns (normalised headers) plus ``_line``; it must have ``code``."""
    text = decode(Path(path).read_bytes())
    if text is None:
        raise ValidationFailed([InputProblem(Path(path).name, "", None, None, "", "无法识别编码 cannot decode",
                                             "Save it as CSV UTF-8.")], source=Path(path).name)
    header, records = csv_records(text)
    cols = [norm_header(h) for h in header]
    df = pd.DataFrame([c + [""] * (len(cols) - len(c)) for _, c in records], columns=cols, dtype=object)
    df["_line"] = [n for n, _ in records]
    if "code" not in df.columns:
        raise ValidationFailed([InputProblem(Path(path).name, "", 1, "code", "", "缺少 code 列 no code column",
                                             "The region file needs columns code, province, city.")])
    return df


def enterprise_regions(path, ids: pd.Series, index: RegionIndex, report: CkgReport) -> pd.Series:
    """Region code per enterprise id (stock code) from a ``code,province,city[,county]`` CSV.
    County-level cities resolve (介休市 written as the city). Unreadable, duplicate (the first line
    wins) and unknown stock codes are reported."""
    df = _read_region_csv(Path(path))
    name = Path(path).name
    df["stock"] = normalize_codes(df["code"])
    known = set(ids.astype(str))
    out, first = {}, {}

    def warn(rec, col, message, fix):
        report.problems.append(InputProblem(name, Path(name).stem, int(rec["_line"]), col, str(rec.get(col, "")),
                                            message, fix))
    for rec in df.to_dict("records"):
        stock = rec["stock"]
        if pd.isna(stock):
            warn(rec, "code", "无法识别的股票代码 unreadable stock code (line skipped)",
                 "Write a 6-digit code, e.g. 600740 or 600740.SH.")
            continue
        if stock in first:
            warn(rec, "code", f"重复的股票代码 duplicate stock code: same as line {first[stock]} (line skipped)",
                 "Keep one line per stock code.")
            continue
        first[stock] = int(rec["_line"])
        if stock not in known:
            warn(rec, "code", "股票代码不在 company.json 中 unknown stock code (line not used)",
                 "Check the code against company.json.")
            continue
        code, bad = index.resolve(rec.get("province", ""), rec.get("city", ""), rec.get("county", ""))
        for col in bad:
            report.problems.append(InputProblem(
                name, Path(name).stem, int(rec["_line"]), col, str(rec.get(col, "")),
                "未知的行政区划 unknown region (left unknown)",
                "Write the full or short name of a province/city, e.g. 山西省 / 运城市."))
        if code and not pd.isna(rec["stock"]):
            out[rec["stock"]] = code
    return ids.map(out)
