"""Every CSV/TSV/xlsx writer of the project goes through graph/export/safe.py (#12).

The source tree is grepped for the ways Python writes a table file; outside the safe module a
hit fails the test, so a new writer cannot skip formula safety. Tests and benchmarks write
hostile *inputs* on purpose and are not scanned.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("graph", "loaders", "cli", "ui", "seeds", "app.py")
SAFE = ROOT / "graph" / "export" / "safe.py"
# Files only a machine reads, where escaping would change the data. Each entry says why.
MACHINE_ONLY = {
    "graph/store/neo4j/bulk.py": "neo4j-admin import files: values must reach the database unchanged",
}
WRITERS = re.compile(r"\.to_csv\(|\bcsv\.writer\(|\bcsv\.DictWriter\(|\bWorkbook\(|ExcelWriter|\.to_excel\("
                     r"|xlsxwriter|\bwb\.save\(|\.save\(\s*(path|buf|target|out)")


def _sources():
    for name in SCANNED:
        p = ROOT / name
        yield from ([p] if p.is_file() else sorted(p.rglob("*.py")))


def test_no_writer_skips_the_safe_module():
    hits = []
    for path in _sources():
        if path == SAFE or str(path.relative_to(ROOT)) in MACHINE_ONLY:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WRITERS.search(line) and not line.lstrip().startswith("#"):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == [], "write CSV/TSV/xlsx through graph.export.safe:\n" + "\n".join(hits)


def test_the_scan_sees_writers():
    """The pattern catches each way of writing (so the test above could fail)."""
    for line in ("df.to_csv(path)", "w = csv.writer(fh)", "csv.DictWriter(f, x)", "wb = Workbook()",
                 "pd.ExcelWriter(p)", "df.to_excel(x)", "wb.save(path)"):
        assert WRITERS.search(line), line
    assert len(list(_sources())) > 50
    assert WRITERS.search(SAFE.read_text(encoding="utf-8"))
