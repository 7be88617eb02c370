"""Administrative divisions by name: :class:`RegionIndex` resolves province/city/county names
(full or short: 山西/山西省, 运城/运城市) to 6-digit division codes; :func:`missing_region_rows`
gives the reference ``regions`` rows a batch must carry for the codes it uses.
"""
from __future__ import annotations

import re

import pandas as pd

from graph.settings import REPO_ROOT
from loaders.batch_tables import table_frame
from graph.text import isin, norm_key, norm_text

REFERENCE_REGIONS = REPO_ROOT / "seeds" / "reference" / "china_regions.csv"
REFERENCE_COUNTIES = REPO_ROOT / "seeds" / "reference" / "china_counties.csv"   # for resolving names only

_PROVINCE_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|省|市)$")
_ETHNIC = re.compile(r"(土家族|苗族|侗族|布依族|彝族|白族|哈尼族|傣族|景颇族|傈僳族|藏族|羌族|回族|蒙古族|蒙古|"
                     r"柯尔克孜|哈萨克|朝鲜族|壮族|黎族|瑶族|纳西族|达斡尔族|鄂温克族)+$")


def short_forms(name: str, level: str) -> list[str]:
    """Short spellings people write for a division name (山西省 → 山西, 运城市 → 运城).

    >>> short_forms("广西壮族自治区", "province"), short_forms("恩施土家族苗族自治州", "city")
    (['广西'], ['恩施州', '恩施'])
    """
    out = []
    if level == "province":
        out.append(_PROVINCE_SUFFIX.sub("", name))
    else:
        base = re.sub(r"(自治州|地区|盟|林区|市|自治县|县|区|旗)$", "", name)
        if name.endswith("自治州") or name.endswith("自治县"):
            base = _ETHNIC.sub("", base)
            out.append(base + name[-1])     # 恩施州, 长阳县
        out.append(base)
    return [s for s in out if len(s) >= 2 and s != name]


class RegionIndex:
    """Resolve division names to codes within a regions table (code, name, level, parent)."""

    def __init__(self, regions: pd.DataFrame):
        df = regions[["code", "name", "level", "parent"]].copy()
        df["code"] = df["code"].astype("string").str.strip()
        df["parent"] = df["parent"].astype("string").fillna("").str.strip()
        self.frame = df.reset_index(drop=True)
        self.codes = set(df["code"].dropna())
        self.parent = dict(zip(df["code"], df["parent"]))
        self.level = dict(zip(df["code"], df["level"]))
        self.has_counties = {p for p, lv in zip(df["parent"], df["level"]) if lv == "county"}
        self._by: dict[tuple[str, str], list[str]] = {}
        for code, name, level in zip(df["code"], df["name"], df["level"]):
            for key in [norm_key(name), *short_forms(norm_key(name), str(level))]:
                self._by.setdefault((str(level), key), []).append(code)

    @classmethod
    def reference(cls, extra: pd.DataFrame | None = None) -> "RegionIndex":
        """The bundled national reference (provinces, cities and county-level units, so that
        县级市 such as 介休市 resolve) plus ``extra`` rows (e.g. the store's regions); ``extra``
        wins on a code present in both."""
        ref = load_reference_regions(counties=True) if REFERENCE_REGIONS.exists() \
            else pd.DataFrame(columns=["code", "name", "level", "parent"])
        if extra is not None and len(extra):
            ext = extra.astype({"code": "string"})
            ref = pd.concat([ext, ref[~ref["code"].isin(ext["code"])]], ignore_index=True)
        return cls(ref)

    def _find(self, level: str, value: str, within: str | None) -> list[str]:
        hits = self._by.get((level, norm_key(value)), [])
        if within:
            hits = [c for c in hits if self._under(c, within)]
        return hits

    def _under(self, code: str, ancestor: str) -> bool:
        seen = 0
        while code and seen < 5:
            if code == ancestor:
                return True
            code, seen = self.parent.get(code, ""), seen + 1
        return False

    def resolve(self, province: str = "", city: str = "", county: str = "") -> tuple[str | None, list[str]]:
        """The most precise code the names give, and the columns (province/city/county) whose
        value was not found. A value given as a 6-digit code is taken when known."""
        bad: list[str] = []
        code = None
        for level, value in (("province", province), ("city", city), ("county", county)):
            value = norm_text(value)
            if not value:
                continue
            if re.fullmatch(r"\d{6}", value) and value in self.codes:
                code = value
                continue
            hits = self._find(level, value, code)
            if not hits and level == "city":       # a 县级市 written as the city (介休市, 仙桃市)
                below = self._find("county", value, code)
                if len(below) == 1:
                    code = below[0]
                    continue
            if not hits and level == "city" and code and self.level.get(code) == "province":
                # 直辖市: 北京市 / 市辖区 written as the city of 北京
                if norm_key(value) in ("市辖区", "市辖县") or self._find("province", value, None) == [code]:
                    continue
            if not hits and level == "county" and code is None:
                hits = self._find(level, value, None)
            if not hits and level == "county" and code and code not in self.has_counties:
                continue        # counties of this area are not in the atlas: keep the city
            if len(hits) == 1:
                code = hits[0]
            else:
                bad.append(level)
        return code, bad

    def rows_for(self, codes, full: pd.DataFrame) -> pd.DataFrame:
        """Rows of ``full`` (a regions table) for ``codes`` and all their ancestors."""
        want: set[str] = set()
        for c in codes:
            while c and c not in want:
                want.add(c)
                c = self.parent.get(c, "")
        return full[full["code"].astype("string").isin(want)]


def load_reference_regions(counties: bool = False) -> pd.DataFrame:
    """The bundled reference regions (all import columns, text): provinces and cities, and with
    ``counties`` also the county-level units (县, 区, 县级市, 旗) of seeds/reference/china_counties.csv."""
    ref = pd.read_csv(REFERENCE_REGIONS, dtype=str, encoding="utf-8")
    if counties and REFERENCE_COUNTIES.exists():
        ref = pd.concat([ref, pd.read_csv(REFERENCE_COUNTIES, dtype=str, encoding="utf-8")], ignore_index=True)
    return ref


def missing_region_rows(index: RegionIndex, used, known: pd.DataFrame | None, as_of: str) -> pd.DataFrame:
    """The ``regions`` table rows a batch must carry: reference rows for the ``used`` codes and
    their ancestors that are not already ``known`` (the store's regions table)."""
    known_codes = set() if known is None or not len(known) else set(known["code"].astype(str).tolist())
    rows = index.rows_for(set(used) - known_codes, load_reference_regions(counties=True))
    rows = rows[~isin(rows["code"], known_codes)].copy()
    for c in ("lon", "lat"):
        rows[c] = pd.to_numeric(rows[c], errors="coerce")
    rows["parent"] = rows["parent"].replace("", None)
    return table_frame("regions", rows, as_of=as_of)
