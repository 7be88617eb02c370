"""Text normalisation shared by the real-world loaders (CKG, 企业名录) and the chain drafter.

- :func:`norm_text` / :func:`norm_series`: NFKC (full-width → half-width, ``Ⅴ`` → ``V``),
  every run of whitespace (``\\u3000``, NBSP, tabs, newlines) to one space, none next to a
  Chinese character (``锂 电池`` → ``锂电池``; ``Wi Fi`` keeps its space), stripped.
- :func:`norm_header`: a column header reduced for matching (no spaces, no unit suffix such as
  ``(万元)``, lower case).
- :func:`garbage_mask`: product names that are not products (empty, only punctuation/digits,
  accounting lines such as 分部间抵销, absurdly long).
- :class:`RegionIndex`: province/city/county names (full or short: 山西/山西省, 运城/运城市)
  resolved to 6-digit division codes.

>>> norm_text("  锂\u3000电池（ＬＦＰ）  ")
'锂电池(LFP)'
>>> norm_header(" 注册资本（万元） ")
'注册资本'
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from graph.settings import REPO_ROOT

REFERENCE_REGIONS = REPO_ROOT / "seeds" / "reference" / "china_regions.csv"

# Names too generic to be a link of a chain (also used by the drafter).
GENERIC_NAMES = frozenset({
    "其他", "其它", "产品", "服务", "业务", "其他业务", "其他产品", "其他服务", "其它业务", "主营业务",
    "其他主营业务", "其他行业", "其他业务收入", "合计", "小计", "总计", "补充", "其他(补充)", "商品", "材料",
    "原材料", "设备", "技术", "工程", "贸易", "销售", "项目", "收入", "零售", "批发", "加工", "制造", "其他项目",
})
# Lines of a revenue breakdown that are not products at all (dropped on import).
JUNK_NAMES = frozenset({"其他", "其它", "合计", "小计", "总计", "补充", "其他(补充)", "其他业务", "其它业务",
                        "其他业务收入", "其他主营业务", "其他产品", "其他行业", "其他项目"})
_ACCOUNTING = re.compile(r"抵销|抵消|平衡项目|^合计|^小计|^总计|分部间|内部交易")
_HAS_LETTER = "[A-Za-z\u3400-\u9fff]"      # literal characters: runs on the Arrow fast path
_SPACE_RUN = re.compile(r"\s+")
_CJK_SPACE = r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])\s+|\s+(?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])"
_CJK_SPACE_RE = re.compile(_CJK_SPACE)
MAX_NAME = 40


def norm_text(value) -> str:
    """One value as normalised text ('' for None/NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = _SPACE_RUN.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()
    return _CJK_SPACE_RE.sub("", text)


def norm_series(s: pd.Series) -> pd.Series:
    """:func:`norm_text` for a whole column, vectorised (missing values become '')."""
    s = s.astype("string").fillna("")
    # after NFKC every Unicode space is U+0020; a literal class keeps this on the Arrow fast path
    s = s.str.normalize("NFKC").str.replace("[ \t\n\r\f\v\x1c-\x1f\x85\u2028\u2029]+", " ", regex=True).str.strip()
    spaced = s.str.contains(" ", regex=False)
    if spaced.any():        # the look-around regex runs in Python: only where it can matter
        s = s.copy()
        s[spaced] = s[spaced].str.replace(_CJK_SPACE, "", regex=True)
    return s


def isin(s: pd.Series, values) -> pd.Series:
    """``s.isin(values)`` without the per-value cost of Arrow-backed strings (pandas 3)."""
    vals = values if isinstance(values, (list, pd.Series)) else list(values)
    return s.astype(object).isin(pd.Series(vals, dtype=object))


def norm_key(value) -> str:
    """A matching key: normalised, spaces removed, lower case (for names and headers)."""
    return norm_text(value).replace(" ", "").lower()


def norm_header(value) -> str:
    """A header for matching: normalised, no spaces, no trailing ``(单位)``, lower case.

    >>> norm_header("Name "), norm_header("所属城市\u3000"), norm_header("注册资本(万元人民币)")
    ('name', '所属城市', '注册资本')
    """
    key = norm_key(value)
    key = re.sub(r"\([^()]*\)$|\[[^\[\]]*\]$", "", key)
    return key.strip("*:：")


def garbage_mask(names: pd.Series) -> pd.Series:
    """True where a (normalised) product name is not a usable product name."""
    names = names.astype("string").fillna("")
    bad = ~names.str.contains(_HAS_LETTER)
    bad |= names.str.contains(_ACCOUNTING.pattern) | (names.str.len() > MAX_NAME)
    bad |= isin(names, JUNK_NAMES)
    return bad.fillna(True).astype(bool)


def generic_mask(names: pd.Series) -> pd.Series:
    """:func:`is_generic` for a column of normalised names, vectorised."""
    names = names.astype("string").fillna("")
    return ((names.str.len() < 2) | isin(names, GENERIC_NAMES) | names.str.contains(_ACCOUNTING.pattern)).astype(bool)


def is_generic(name: str) -> bool:
    """Too short or too generic to be a chain link (其他, 产品, 服务, one character …)."""
    key = norm_text(name)
    return len(key) < 2 or key in GENERIC_NAMES or bool(_ACCOUNTING.search(key))


# --- regions -----------------------------------------------------------------------------
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
        """The bundled national reference (provinces, cities) plus ``extra`` rows (e.g. the
        store's regions, which add counties); ``extra`` wins on a code present in both."""
        ref = pd.read_csv(REFERENCE_REGIONS, dtype=str, encoding="utf-8") if REFERENCE_REGIONS.exists() \
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


def load_reference_regions() -> pd.DataFrame:
    """The bundled reference regions (all import columns, text)."""
    return pd.read_csv(Path(REFERENCE_REGIONS), dtype=str, encoding="utf-8")


def missing_region_rows(index: RegionIndex, used, known: pd.DataFrame | None, as_of: str) -> pd.DataFrame:
    """The ``regions`` table rows a batch must carry: reference rows for the ``used`` codes and
    their ancestors that are not already ``known`` (the store's regions table)."""
    known_codes = set() if known is None or not len(known) else set(known["code"].astype(str).tolist())
    rows = index.rows_for(set(used) - known_codes, load_reference_regions())
    rows = rows[~isin(rows["code"], known_codes)].copy()
    for c in ("lon", "lat"):
        rows[c] = pd.to_numeric(rows[c], errors="coerce")
    rows["parent"] = rows["parent"].replace("", None)
    return table_frame("regions", rows, as_of=as_of)


# --- building normalised import tables ------------------------------------------------------
def table_frame(table: str, data: pd.DataFrame | None = None, *, source: str = "", as_of: str = "",
                illustrative: bool = False) -> pd.DataFrame:
    """``data`` shaped as the import table ``table`` of an ImportBatch: exactly its columns (in
    order), object dtype, missing values ``None``, list columns as lists, provenance filled in
    where ``data`` lacks it."""
    from graph import schema

    t = schema.TABLES[table]
    data = pd.DataFrame() if data is None else data.reset_index(drop=True)
    n = len(data)
    defaults = {"source": source, "as_of": as_of, "illustrative": illustrative}
    out = {}
    for col in t.columns:
        if col.name in data.columns and col.kind == "list":
            values = pd.Series([v if isinstance(v, list) else [] for v in data[col.name].tolist()], dtype=object)
        elif col.name in data.columns:
            obj = data[col.name].astype(object)
            values = obj.where(obj.notna(), None)
        elif col.kind == "list":
            values = pd.Series([[] for _ in range(n)], dtype=object)
        else:
            values = pd.Series([defaults.get(col.name)] * n, dtype=object)
        out[col.name] = values
    return pd.DataFrame(out, columns=t.column_names)


def merge_stored(new: pd.DataFrame, stored: pd.DataFrame | None, table: str = "enterprises",
                 prefer: str = "new") -> pd.DataFrame:
    """Rows of ``new`` whose key is already ``stored``, completed from the stored row: a scalar
    column takes ``prefer``'s value when it has one, else the other's; list columns (tags,
    industries, aliases) are the union, stored items first. Provenance columns stay ``new``'s.

    >>> old = pd.DataFrame({"enterprise_id": ["E1"], "name": ["甲"], "region": ["140800"], "tags": [["规上"]]})
    >>> new = pd.DataFrame({"enterprise_id": ["E1"], "name": ["甲公司"], "region": [None], "tags": [["上市"]]})
    >>> merge_stored(new, old)[["name", "region", "tags"]].values.tolist()
    [['甲公司', '140800', ['规上', '上市']]]
    """
    from graph import schema

    if stored is None or not len(stored) or not len(new):
        return new
    t = schema.TABLES[table]
    key = t.key[0]
    old = stored.drop_duplicates(key).set_index(stored[key].astype(str).rename(None))
    ids = new[key].astype(str).tolist()
    out = new.copy()
    for col in t.columns:
        c = col.name
        if c == key or c in ("source", "as_of", "illustrative") or c not in old.columns:
            continue
        prev = [old.at[i, c] if i in old.index else None for i in ids]
        mine = out[c].tolist() if c in out.columns else [None] * len(out)
        if col.kind == "list":
            out[c] = [list(dict.fromkeys((p if isinstance(p, list) else []) + (m if isinstance(m, list) else [])))
                      for m, p in zip(mine, prev)]
            continue
        blank = lambda v: v is None or v is pd.NA or (isinstance(v, float) and v != v)  # noqa: E731
        first, second = (mine, prev) if prefer == "new" else (prev, mine)
        out[c] = pd.Series([b if blank(a) else a for a, b in zip(first, second)], index=out.index, dtype=object)
    return out


def check_batch(batch, known: dict[str, set[str]] | None = None, file: str = "") -> list:
    """Contract checks on a batch built without :func:`loaders.validate.validate` (vectorised):
    required cells filled, keys unique, every ``ref:`` id present in the batch or in ``known``
    (ids already stored, per node table). Returns InputProblems (empty when consistent)."""
    from graph import schema
    from graph.errors import InputProblem

    known = known or {}
    ids = {t: list(set(batch[t][schema.TABLES[t].key[0]].dropna().astype(str).tolist())
                   | set(known.get(t, ()))) for t in schema.NODE_TABLES}
    out = []
    for name, df in batch.tables.items():
        if not len(df):
            continue
        t = schema.TABLES[name]
        for col in t.columns:
            bad = pd.Series(False, index=df.index)
            if col.required:
                bad |= df[col.name].isna()
            if col.kind.startswith("ref:"):
                target = col.kind.split(":", 1)[1]
                vals = df[col.name].astype(object)
                bad |= vals.notna() & ~isin(vals.map(str, na_action="ignore"), ids[target])
            for i in df.index[bad][:20]:
                out.append(InputProblem(file or batch.source, name, None, col.name, str(df.at[i, col.name]),
                                        "缺少值或引用未知 missing value or unknown reference",
                                        f"Load the referenced {col.kind[4:] or 'value'} first."))
        dup = df.duplicated(list(t.key), keep="first")
        for i in df.index[dup][:20]:
            out.append(InputProblem(file or batch.source, name, None, ", ".join(t.key),
                                    " / ".join(str(df.at[i, k]) for k in t.key), "重复的键 duplicate key",
                                    "Each key may appear once."))
    return out
