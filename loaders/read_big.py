"""A big CSV file read by Arrow straight from its path, block by block: its bytes are never all in
memory at once (a national load's peak). The file is first scanned in blocks for what the classic
read (:func:`loaders.read_csv._add_csv`) looks at in the bytes; a file it would change or treat
differently (a BOM, odd spaces or zero-width characters, a blank start, not a regular UTF-8 grid)
is left to the classic read, so the table read is the same either way.

>>> import tempfile, pathlib
>>> from loaders.read_core import RawTables
>>> f = pathlib.Path(tempfile.mkdtemp()) / "chains.csv"
>>> _ = f.write_text("id,name\\nC1, 链 \\n", encoding="utf-8")
>>> raw = RawTables(source="x")
>>> add_big_csv(raw, "chains.csv", "chains", f)
True
>>> raw.tables["chains"].text()[1]["name"].to_pylist()
['链']
"""
from __future__ import annotations

from pathlib import Path

from graph.settings import Settings
from loaders.read_core import RawTables, table_for
from loaders.read_csv import _ODD_BYTES, _add_arrow_source, _header_width, check_rows, semicolon_warning
from loaders.read_hints import delimiter as csv_delimiter

BLOCK = 1 << 24
HEAD = 65536
_ODD_SEQS = tuple(seq for pairs in _ODD_BYTES.values() for seq, _ in pairs)   # (zero-width ones too)
_LEADS = tuple(bytes([lead]) for lead in _ODD_BYTES)
_SPAN = max(map(len, _ODD_SEQS)) - 1       # bytes of a sequence that can sit in the block before


def scan(path: Path) -> tuple[bytes, bool, bool] | None:
    """``(first HEAD bytes, holds a quote, holds a tab)`` of the file, or None when the classic
    read would change its bytes (a BOM, odd spaces, zero-width characters)."""
    head, quote, tab, tail = None, False, False, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(BLOCK):
            if head is None:
                head = chunk[:HEAD]
                if head.startswith(b"\xef\xbb\xbf"):
                    return None
            # (memchr first: the sequences are rare; a sequence may begin in the last block's tail)
            if any(lead in chunk or lead in tail for lead in _LEADS):
                buf = tail + chunk if tail else chunk
                if any(seq in buf for seq in _ODD_SEQS):
                    return None
            quote = quote or b'"' in chunk
            tab = tab or b"\t" in chunk
            tail = (tail + chunk)[-_SPAN:] if len(chunk) < _SPAN else chunk[-_SPAN:]
    return (head or b""), quote, tab


def add_big_csv(raw: RawTables, display: str, stem: str, path: Path, limits: Settings | None = None,
                table: str | None = None) -> bool:
    """Add the file's table to ``raw`` as the classic read would; False (``raw`` untouched) when the
    file is one to read the classic way."""
    table = table or table_for(stem)
    found = scan(path) if table else None
    if found is None:
        return False
    head, quoted, tab = found
    if not head.strip() or b"\n" not in head:
        return False
    delimiter = csv_delimiter(head[:head.find(b"\n")].decode("utf-8", errors="replace"))
    at = len(raw.warnings)
    if not _add_arrow_source(raw, display, stem, [str(path)], delimiter, _header_width(head, delimiter),
                             quoted, quoted or (delimiter == "," and tab), table):
        return False
    if delimiter == ";":
        raw.warnings.insert(at, semicolon_warning(display))
    check_rows(raw, display, stem, table, limits)
    return True
