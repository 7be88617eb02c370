"""Text normalisation shared by the real-world loaders (CKG, 企业名录) and the chain drafter.

- :func:`norm_text` / :func:`norm_series`: NFKC (full-width → half-width, ``Ⅴ`` → ``V``),
  every run of whitespace (``\\u3000``, NBSP, tabs, newlines) to one space, none next to a
  Chinese character (``锂 电池`` → ``锂电池``; ``Wi Fi`` keeps its space), stripped.
- :func:`norm_key` / :func:`norm_header`: matching keys for names and column headers (no
  spaces, lower case; a header also loses a unit suffix such as ``(万元)``).
- :func:`garbage_mask`: product names that are not products (empty, only punctuation/digits,
  accounting lines such as 分部间抵销, absurdly long); :func:`is_generic` / :func:`generic_mask`:
  names too generic to be a chain link.

>>> norm_text("  锂\u3000电池（ＬＦＰ）  ")
'锂电池(LFP)'
>>> norm_header(" 注册资本（万元） ")
'注册资本'
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

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
