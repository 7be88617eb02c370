"""Reading a ChainKnowledgeGraph folder's JSON-lines files, and :class:`CkgReport`: what an
import read, kept, merged and dropped (per file and reason)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graph.errors import InputProblem

SOURCE = "ChainKnowledgeGraph"
SOURCE_PREFIX = "CKG:"          # product ids: CKG:<normalised name>


@dataclass
class CkgReport:
    """What an import read, kept and dropped (per file and reason)."""

    read: dict[str, int] = field(default_factory=dict)      # file -> lines read
    kept: dict[str, int] = field(default_factory=dict)      # import table -> rows in the batch
    dropped: list[dict] = field(default_factory=list)       # {file, reason, rows, example}
    merged: dict[str, int] = field(default_factory=dict)    # what was merged/added/marked, by kind
    cycle_ok: int = 0                                        # flows marked cycle_ok
    problems: list[InputProblem] = field(default_factory=list)  # warnings (e.g. unknown regions)
    used: dict[str, dict[str, int]] = field(default_factory=dict)  # file -> outcome -> input lines
    conflicts: list[dict] = field(default_factory=list)     # company.json: same code, other listing date
    region_review: pd.DataFrame | None = None               # inferred regions to check (infer_regions)

    def drop(self, file: str, reason: str, rows: pd.DataFrame, example_col: str) -> None:
        if len(rows):
            self.dropped.append({"file": file, "reason": reason, "rows": int(len(rows)),
                                 "example": str(rows[example_col].iloc[0])})

    def use(self, file: str, outcome: str, lines: int) -> None:
        """Account ``lines`` input lines of ``file`` as kept or merged (``outcome`` says how)."""
        if lines:
            self.used.setdefault(file, {})[outcome] = self.used.get(file, {}).get(outcome, 0) + int(lines)

    def balance(self) -> pd.DataFrame:
        """Per file: lines read, used (kept or merged), dropped, and ``unaccounted`` (read − used −
        dropped; 0 when every input line is accounted for)."""
        rows = []
        for f, n in self.read.items():
            used, dropped = sum(self.used.get(f, {}).values()), self.dropped_count(f)
            rows.append({"file": f, "read": n, "used": used, "dropped": dropped, "unaccounted": n - used - dropped})
        return pd.DataFrame(rows, columns=["file", "read", "used", "dropped", "unaccounted"])

    def dropped_count(self, file: str | None = None, reason: str | None = None) -> int:
        return sum(d["rows"] for d in self.dropped
                   if (file is None or d["file"] == file) and (reason is None or d["reason"] == reason))

    def frame(self) -> pd.DataFrame:
        """Dropped rows per file and reason."""
        return pd.DataFrame(self.dropped, columns=["file", "reason", "rows", "example"])

    def summary(self) -> str:
        lines = ["read: " + ", ".join(f"{f} {n}" for f, n in self.read.items()),
                 "kept: " + ", ".join(f"{t} {n}" for t, n in self.kept.items()),
                 "merged/marked: " + ", ".join(f"{k} {n}" for k, n in self.merged.items())]
        lines += [f"{f}: " + ", ".join(f"{k} {n}" for k, n in out.items()) for f, out in self.used.items()]
        lines += [f"dropped {d['rows']} from {d['file']}: {d['reason']} (e.g. {d['example']!r})"
                  for d in self.dropped]
        lines += [f"conflict {c['code']}: kept {c['kept']}; dropped {c['dropped']} ({c['why']})"
                  for c in self.conflicts[:20]]
        lines += [f"warning: {p}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"… and {len(self.problems) - 20} more warnings")
        return "\n".join(lines)


def read_jsonl(path: Path, report: CkgReport) -> pd.DataFrame:
    """A JSON-lines file as a frame with a ``_line`` column (1-based); bad lines and exact
    duplicate lines (the same text as an earlier line) are reported and left out."""
    records, bad, dup, seen = [], [], [], set()
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                text = line.strip()
                if text in seen:
                    dup.append({"_line": n, "text": text[:80]})
                    continue
                seen.add(text)
                try:
                    rec = json.loads(line)
                    rec["_line"] = n
                    records.append(rec)
                except json.JSONDecodeError:
                    bad.append({"_line": n, "text": line[:60]})
    report.read[path.name] = len(records) + len(bad) + len(dup)
    report.drop(path.name, "invalid JSON line", pd.DataFrame(bad, columns=["_line", "text"]), "text")
    report.drop(path.name, "exact duplicate line", pd.DataFrame(dup, columns=["_line", "text"]), "text")
    return pd.DataFrame.from_records(records)
