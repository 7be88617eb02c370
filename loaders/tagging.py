"""Tag enterprises with the atlas's products from free text (经营范围, 主营产品).

A :class:`ProductTagger` holds one Aho–Corasick automaton (pyahocorasick) over every product
name and alias. Matching is on normalised text (NFKC, no spaces, ASCII lower case); at
overlapping positions the longest name wins (``iter_long``).

Each mention is read within its item (text between ；;。，, and line breaks) and given a
*mode* from the verbs that govern it — the verb group right after the product (``锂电池制造``,
``锂电池、电机的研发、生产和销售``) or, when none follows, right before it (``生产锂电池``,
``销售：锂电池、电机``). Only other products and fillers (、及和与的 …) may stand between:

- ``make``: the group has a manufacturing verb (生产/制造/加工/研发 …), even with 销售 beside it;
- ``trade``: only trade verbs (销售/批发/零售/代理/经销/进出口 …) — the enterprise sells it;
- ``service``: only service verbs (维修/修理/租赁) — it services it;
- ``mention``: no governing verb.

Confidence (0–1) of a making tag: 主营产品 item equal to the product name 0.95, other 主营产品
mentions 0.9; 经营范围 ``make`` 0.85, plain mention 0.6; 0.05 less when matched by an alias.
``trade``/``service`` mentions never make a tag that makes the product (``makes`` false).

>>> t = ProductTagger(pd.DataFrame({"product_id": ["P1", "P2"], "name": ["锂电池", "汽车零部件"],
...                                 "aliases": [[], []]}))
>>> [(m.product_id, m.mode) for m in t.mentions("锂电池制造；汽车零部件销售", "经营范围")]
[('P1', 'make'), ('P2', 'trade')]
>>> [(m.product_id, m.mode) for m in t.mentions("销售：锂电池、汽车零部件", "经营范围")]
[('P1', 'trade'), ('P2', 'trade')]
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import ahocorasick
import pandas as pd

from loaders import normalize as nz

SCOPE, MAIN = "经营范围", "主营产品"
MAKE_VERBS = ("生产", "制造", "加工", "研发", "研制", "组装", "装配", "冶炼", "铸造", "制备", "锻造", "轧制")
TRADE_VERBS = ("销售", "批发", "零售", "代理", "经销", "进出口", "进口", "出口", "贸易", "购销", "分销", "经营")
SERVICE_VERBS = ("维修", "修理", "租赁")
_VERB = re.compile("|".join(sorted(MAKE_VERBS + TRADE_VERBS + SERVICE_VERBS, key=len, reverse=True)))
_KIND = {**{v: "make" for v in MAKE_VERBS}, **{v: "trade" for v in TRADE_VERBS},
         **{v: "service" for v in SERVICE_VERBS}}
_ITEM_END = re.compile(r"[；;。，,\n!?！？]")
_FILLER = re.compile(r"^(?:[、/及和与的以其并或等:：\s]|其他|其它|相关|配套|产品|配件|零部件|部件|系列)*$")
_GROUP_GLUE = re.compile(r"^[、/及和与并或:：]*$")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
CONFIDENCE = {("主营产品", "exact"): 0.95, ("主营产品", "make"): 0.9, ("主营产品", "mention"): 0.9,
              ("经营范围", "make"): 0.85, ("经营范围", "mention"): 0.6}
ALIAS_PENALTY = 0.05
TAG_COLUMNS = ["row", "enterprise_id", "enterprise", "product_id", "product", "phrase", "field", "context",
               "mode", "confidence", "makes"]


def match_key(text) -> str:
    """Text as matched: NFKC, no whitespace, ASCII lower case (length kept for CJK)."""
    return nz.norm_text(text).replace(" ", "").translate(_ASCII_LOWER)


@dataclass(frozen=True)
class Mention:
    product_id: str
    phrase: str         # the text matched
    field: str          # 经营范围 / 主营产品
    context: str        # the item it stands in
    mode: str           # make / trade / service / mention
    confidence: float   # of "this enterprise makes the product" (0 for trade/service)
    via_alias: bool

    @property
    def makes(self) -> bool:
        return self.mode in ("make", "mention", "exact")


class ProductTagger:
    """Multi-pattern matcher over ``products`` (product_id, name, aliases)."""

    def __init__(self, products: pd.DataFrame, min_len: int = 2):
        ids = products["product_id"].astype(str).tolist()
        self.names: dict[str, str] = dict(zip(ids, products["name"].astype(str).tolist()))
        aliases = products["aliases"].tolist() if "aliases" in products.columns else [[]] * len(ids)
        spell = pd.DataFrame({"pid": ids, "text": products["name"].tolist(), "alias": False})
        extra = [(pid, a) for pid, al in zip(ids, aliases) if isinstance(al, (list, tuple)) for a in al]
        if extra:
            spell = pd.concat([spell, pd.DataFrame(extra, columns=["pid", "text"]).assign(alias=True)],
                              ignore_index=True)
        spell["key"] = nz.norm_series(spell["text"]).str.replace(" ", "").str.translate(_ASCII_LOWER)
        spell = spell[(spell["key"].str.len() >= min_len) & ~nz.generic_mask(spell["key"])]
        spell = spell.drop_duplicates(["key", "pid"])
        entries: dict[str, list[tuple[str, bool]]] = {}
        for key, pid, via_alias in zip(spell["key"].tolist(), spell["pid"].tolist(), spell["alias"].tolist()):
            entries.setdefault(key, []).append((pid, bool(via_alias)))
        auto = ahocorasick.Automaton()
        for key, hits in entries.items():
            # a product's own name beats another's alias of the same spelling
            own = [h for h in hits if not h[1]]
            auto.add_word(key, (key, own or hits))
        self.size = len(entries)
        if entries:
            auto.make_automaton()
        self._auto = auto if entries else None

    def mentions(self, text, field: str = SCOPE) -> list[Mention]:
        """Every product mention in ``text`` with its mode and confidence."""
        key = match_key(text)
        if not key or self._auto is None:
            return []
        found = [(end - len(k) + 1, end + 1, hits) for end, (k, hits) in self._auto.iter_long(key)]
        if not found:
            return []
        masked = list(key)
        for s, e, _ in found:
            masked[s:e] = "\0" * (e - s)
        masked = "".join(masked)        # the text with product names blanked out
        verbs = [(m.start(), m.end(), _KIND[m.group()]) for m in _VERB.finditer(key)
                 if "\0" not in masked[m.start():m.end()]]
        cuts = [m.start() for m in _ITEM_END.finditer(key)]
        out = []
        for s, e, hits in found:
            i = bisect.bisect_left(cuts, s)
            lo = cuts[i - 1] + 1 if i > 0 else 0
            hi = cuts[i] if i < len(cuts) else len(key)
            item = key[lo:hi]
            mode = self._mode(key, masked, s, e, lo, hi, verbs)
            if field == MAIN and mode in ("make", "mention") and item.strip("、:：") == key[s:e]:
                mode = "exact"
            for pid, via_alias in hits:
                conf = 0.0
                if mode in ("make", "mention", "exact"):
                    conf = CONFIDENCE.get((field, mode), CONFIDENCE.get((field, "make"), 0.6))
                    conf = round(conf - (ALIAS_PENALTY if via_alias else 0.0), 4)
                out.append(Mention(pid, key[s:e], field, item, mode, conf, via_alias))
        return out

    @staticmethod
    def _gap_ok(masked: str, a: int, b: int) -> bool:
        """Only fillers and other product names between positions a and b."""
        return bool(_FILLER.match(masked[a:b].replace("\0", "")))

    def _mode(self, key, masked, s, e, lo, hi, verbs) -> str:
        inside = [v for v in verbs if lo <= v[0] and v[1] <= hi]
        right = [v for v in inside if v[0] >= e]
        if right and self._gap_ok(masked, e, right[0][0]):
            group = [right[0]]
            for v in right[1:]:
                if _GROUP_GLUE.match(key[group[-1][1]:v[0]]):
                    group.append(v)
                else:
                    break
            tail = key[group[-1][1]:hi]
            if not tail or _FILLER.match(tail) or _VERB.match(tail):
                return _group_kind(group)
        left = [v for v in inside if v[1] <= s]
        if left and self._gap_ok(masked, left[-1][1], s):
            group = [left[-1]]
            for v in reversed(left[:-1]):
                if _GROUP_GLUE.match(key[v[1]:group[-1][0]]):
                    group.append(v)
                else:
                    break
            return _group_kind(group)
        return "mention"


def _group_kind(group) -> str:
    kinds = {k for _, _, k in group}
    return "make" if "make" in kinds else "trade" if "trade" in kinds else "service"


def tag_rows(tagger: ProductTagger, rows: pd.DataFrame) -> pd.DataFrame:
    """One tag per (row, product): columns TAG_COLUMNS. ``rows`` has ``row``, ``enterprise_id``,
    ``enterprise`` and the text columns 经营范围 / 主营产品 (either may be absent).

    A product mentioned several times keeps its best mention: a making mention beats a
    trade/service one, then the highest confidence; ``makes`` is false only when every mention
    is trade/service (``mode`` then says which)."""
    best: dict[tuple, tuple] = {}
    fields = [f for f in (MAIN, SCOPE) if f in rows.columns]
    cols = [rows[c].tolist() for c in ("row", "enterprise_id", "enterprise")]
    texts = [rows[f].tolist() for f in fields]
    for i, (row, eid, name) in enumerate(zip(*cols)):
        for f, values in zip(fields, texts):
            for m in tagger.mentions(values[i], f):
                k = (row, m.product_id)
                rank = (m.makes, m.confidence)
                if k not in best or rank > best[k][0]:
                    best[k] = (rank, (row, eid, name, m.product_id, tagger.names.get(m.product_id, ""),
                                      m.phrase, f, m.context, m.mode, m.confidence, m.makes))
    return pd.DataFrame([v for _, v in best.values()], columns=TAG_COLUMNS)
