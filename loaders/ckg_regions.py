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
    """Region code per enterprise id (stock code) from a ``code,province,city[,county]`` CSV."""
    df = _read_region_csv(Path(path))
    name = Path(path).name
    df["stock"] = normalize_codes(df["code"])
    out = {}
    for rec in df.to_dict("records"):
        code, bad = index.resolve(rec.get("province", ""), rec.get("city", ""), rec.get("county", ""))
        for col in bad:
            report.problems.append(InputProblem(
                name, Path(name).stem, int(rec["_line"]), col, str(rec.get(col, "")),
                "未知的行政区划 unknown region (left unknown)",
                "Write the full or short name of a province/city, e.g. 山西省 / 运城市."))
        if code and not pd.isna(rec["stock"]):
            out[rec["stock"]] = code
    return ids.map(out)
