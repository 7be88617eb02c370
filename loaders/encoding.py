"""Which encoding a CSV file is in: UTF-8 (with or without BOM) or, only when that is plausible,
GB18030 — never a silent guess that turns ``大运汽车`` into ``澶ц繍姹借溅``.

A file that is not valid UTF-8 is read as GB18030 only when

- it is *not* mostly valid UTF-8 (a UTF-8 file with a stray byte or two is damaged UTF-8, not
  GB18030: it is rejected, naming the line and byte offset of the first bad byte), and
- it decodes as GB18030 without error, and
- the decoded non-ASCII text is mostly common Chinese (GB2312 hanzi and CJK punctuation).

Otherwise :func:`sniff` says where the first undecodable byte is.

>>> sniff("链主,大运汽车".encode("gb18030")).encoding
'gb18030'
>>> bad = sniff("名称\\n大运汽车".encode("utf-8")[:-1] + b",x")
>>> bad.text is None, bad.line, bad.offset
(True, 2, 16)
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

BOM = b"\xef\xbb\xbf"
MOSTLY_UTF8 = 0.5      # share of the non-ASCII sequences that are valid UTF-8 above which a file is damaged UTF-8
COMMON_CJK = 0.8       # share of the non-ASCII characters that must be common Chinese to accept GB18030
SAMPLE = 200_000       # characters looked at for the plausibility check


@dataclass(frozen=True)
class Sniffed:
    """The decoded ``text`` and its ``encoding``; or ``text`` None with the ``line`` (1-based) and
    byte ``offset`` (0-based, in the whole file) of the first byte that does not decode, and
    ``reason``."""

    text: str | None
    encoding: str = ""
    line: int = 0
    offset: int = 0
    reason: str = ""


def _where(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _first_error(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as err:
        return err.start
    return -1


def _common(ch: str) -> bool:
    code = ord(ch)
    if not (0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF
            or ch in "·—…‘’“”"):
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return 0xFF00 <= code <= 0xFFEF
    return True


def plausible_chinese(text: str) -> bool:
    """Is the non-ASCII part of ``text`` (a sample of it) mostly common Chinese characters?

    >>> plausible_chinese("大运汽车,运城"), plausible_chinese("澶ц繍姹借溅")
    (True, False)
    """
    counts = Counter(ch for ch in text[:SAMPLE] if ord(ch) > 127)
    total = sum(counts.values())
    if not total:
        return True
    good = sum(n for ch, n in counts.items() if _common(ch))
    return good >= COMMON_CJK * total


def sniff(data: bytes) -> Sniffed:
    """Decode CSV bytes (see the module doc)."""
    if data.startswith(BOM):
        body = data[len(BOM):]
        at = _first_error(body, "utf-8")
        if at < 0:
            return Sniffed(body.decode("utf-8"), "utf-8-sig")
        return Sniffed(None, line=_where(body, at), offset=at + len(BOM),
                       reason="带 UTF-8 BOM 但含无效字节 has a UTF-8 BOM but invalid UTF-8 bytes")
    at = _first_error(data, "utf-8")
    if at < 0:
        return Sniffed(data.decode("utf-8"), "utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    leads = int(np.count_nonzero(arr >= 0xC0))                  # starts of multi-byte sequences (or junk)
    bad = data.decode("utf-8", errors="replace").count("\ufffd")
    valid = max(0, leads - bad)
    if valid and valid >= MOSTLY_UTF8 * (valid + bad):
        return Sniffed(None, line=_where(data, at), offset=at,
                       reason=f"是 UTF-8 但有 {bad} 处无效字节 UTF-8 with {bad} invalid byte(s)")
    gb_at = _first_error(data, "gb18030")
    if gb_at >= 0:
        return Sniffed(None, line=_where(data, at), offset=at,
                       reason="既不是 UTF-8 也不是 GB18030 neither UTF-8 nor GB18030")
    text = data.decode("gb18030")
    if not plausible_chinese(text):
        return Sniffed(None, line=_where(data, at), offset=at,
                       reason="不是 UTF-8，按 GB18030 读出的也不像中文 not UTF-8, and as GB18030 it is not "
                              "plausible Chinese")
    return Sniffed(text, "gb18030")


def decode(data: bytes) -> str | None:
    """The text of CSV bytes (UTF-8 with or without BOM, or plausible GB18030); None otherwise.

    >>> decode("链主".encode("gb18030")), decode(b"\\xef\\xbb\\xbfa,b")
    ('链主', 'a,b')
    """
    return sniff(data).text
