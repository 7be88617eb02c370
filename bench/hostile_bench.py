"""Hostile inputs (#12): a 200,000-row junk workbook and zip bombs, each validated in a fresh
child process (wall time, peak RSS from ``wait4``).

Floors: the junk workbook validates (and is rejected with a capped problem list) in < 10 s and
< 500 MB; a zip bomb is refused in < 1 s and < 200 MB. The refusal time is measured inside the
child from the call of ``check_path`` (the child's own start-up — Python, pandas, pyarrow — is
shown as ``wall_s`` beside it).

```bash
python bench/hostile_bench.py                 # inputs cached in bench/.cache/hostile
python bench/hostile_bench.py --rows 20000    # a smaller junk workbook
```
"""
from __future__ import annotations

import argparse

import random
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (DEFAULT_CACHE, child_json, emit, print_floors, floor_status, run_child,  # noqa: E402
                     save_json, table)

JUNK = ["=cmd|' /C calc'!A0", "-500", "abc", "１２,３", "95", "", "@SUM(A1)", "x" * 80, "是否", "2024-13-45",
        "运城\u200b锂电", "1,5", "null", "+1", "ﾃｽﾄ"]


def junk_workbook(path: Path, rows: int) -> Path:
    """An .xlsx with an enterprises sheet of ``rows`` rows of junk in every column (and no other
    table), written with openpyxl's write-only mode."""
    from openpyxl import Workbook
    from graph import schema
    if path.exists():
        return path
    rnd = random.Random(12)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("enterprises")
    cols = schema.TABLES["enterprises"].column_names
    ws.append(cols)
    for i in range(rows):
        ws.append([f"E{i}" if j == 0 else rnd.choice(JUNK) for j in range(len(cols))])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    tmp.rename(path)
    return path


def zip_bomb(path: Path, mb: int) -> Path:
    """A .zip holding enterprises.csv: a header and ``mb`` MB of one repeated junk line."""
    if path.exists():
        return path
    line = b"E1,=1+1,140800,,huge,-5,-3,x,y,z,2024,src,2024-01-01,no\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("enterprises.csv", "w", force_zip64=True) as fh:
            fh.write(b"enterprise_id,name,region,park,scale,revenue,employees,uscc,tags,listed,founded,source,"
                     b"as_of,illustrative\n")
            block = line * (1 << 20 // len(line))
            for _ in range(mb * (1 << 20) // len(block)):
                fh.write(block)
    return path


def child(path: str) -> None:
    """Validate ``path`` standalone; emit the seconds check_path took, its outcome and problem count."""
    from graph.errors import ChainAtlasError, ValidationFailed
    from loaders.workbook import check_path
    started = time.perf_counter()
    try:
        check_path(path)
        outcome, shown, total = "valid", 0, 0
    except ValidationFailed as err:
        refused = len(err.problems) == 1 and "拒绝读取" in err.problems[0].message
        outcome, shown, total = "refused" if refused else "rejected", len(err.problems), err.total
        text = err.report()
    except ChainAtlasError as err:
        outcome, shown, total, text = "refused", 0, 0, str(err)
    seconds = time.perf_counter() - started
    emit({"check_s": seconds, "outcome": outcome, "problems_shown": shown, "problems_total": total,
          "message": (text if outcome != "valid" else "")[:300], "report_chars": len(text) if outcome != "valid" else 0})


def measure(name: str, path: Path) -> dict:
    res = run_child([sys.executable, __file__, "--child", str(path)], timeout=600)
    out = child_json(res)
    return {"case": name, "size_kb": path.stat().st_size / 1024, **out, "wall_s": res["wall_s"],
            "cpu_s": res["cpu_s"], "peak_rss_mb": res["peak_rss_mb"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE / "hostile")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--fresh", action="store_true", help="rebuild the cached inputs")
    a = ap.parse_args(argv)
    if a.child:
        child(a.child)
        return 0
    if a.fresh:
        for f in a.cache.glob("*"):
            f.unlink()
    cases = [("junk workbook", junk_workbook(a.cache / f"junk_{a.rows}.xlsx", a.rows)),
             ("zip bomb 10 MB", zip_bomb(a.cache / "bomb_10mb.zip", 10)),
             ("zip bomb 100 MB", zip_bomb(a.cache / "bomb_100mb.zip", 100))]
    rows = [measure(name, path) for name, path in cases]
    print(table(rows, [("case", "case", "{}"), ("size_kb", "input KB", "{:,.1f}"), ("outcome", "outcome", "{}"),
                       ("problems_shown", "shown", "{:,}"), ("problems_total", "problems", "{:,}"),
                       ("check_s", "check s", "{:.2f}"), ("wall_s", "wall s", "{:.2f}"), ("cpu_s", "cpu s", "{:.2f}"),
                       ("peak_rss_mb", "peak MB", "{:,.0f}")]))
    floors = []
    for r in rows:
        if r["case"].startswith("junk"):
            ok = r["outcome"] == "rejected"
            floors += [{"floor": f"{a.rows:,}-row junk workbook validates < 10 s (child wall)",
                        "status": floor_status(r["wall_s"], "<", 10) if ok else "NOT MET",
                        "detail": f"{r['wall_s']:.2f} s (CPU {r['cpu_s']:.2f} s), {r['outcome']}, "
                                  f"{r['problems_total']:,} problems, {r['size_kb'] / 1024:.1f} MB input"},
                       {"floor": "… and < 500 MB peak RSS", "status": floor_status(r["peak_rss_mb"], "<", 500),
                        "detail": f"{r['peak_rss_mb']:,.0f} MB"}]
        else:
            ok = r["outcome"] == "refused"
            floors += [{"floor": f"{r['case']} refused < 1 s (check_path)",
                        "status": floor_status(r["check_s"], "<", 1) if ok else "NOT MET",
                        "detail": f"{r['check_s']:.3f} s ({r['outcome']}; child wall {r['wall_s']:.2f} s)"},
                       {"floor": "… and < 200 MB peak RSS", "status": floor_status(r["peak_rss_mb"], "<", 200),
                        "detail": f"{r['peak_rss_mb']:,.0f} MB"}]
    print_floors("Floors", floors)
    for r in rows:
        print(f"\n{r['case']}: {r['message'][:200]}")
    print(f"\nsaved {save_json({'hostile': rows, 'hostile_floors': floors}, 'hostile')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
