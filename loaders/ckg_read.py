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

    def drop(self, file: str, reason: str, rows: pd.DataFrame, example_col: str) -> None:
        if len(rows):
            self.dropped.append({"file": file, "reason": reason, "rows": int(len(rows)),
                                 "example": str(rows[example_col].iloc[0])})

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
        lines += [f"dropped {d['rows']} from {d['file']}: {d['reason']} (e.g. {d['example']!r})"
                  for d in self.dropped]
        lines += [f"warning: {p}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"… and {len(self.problems) - 20} more warnings")
        return "\n".join(lines)


def read_jsonl(path: Path, report: CkgReport) -> pd.DataFrame:
    """A JSON-lines file as a frame with a ``_line`` column (1-based); bad lines are reported."""
    records, bad = [], []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rec = json.loads(line)
                    rec["_line"] = n
                    records.append(rec)
                except json.JSONDecodeError:
                    bad.append({"_line": n, "text": line[:60]})
    report.read[path.name] = len(records) + len(bad)
    report.drop(path.name, "invalid JSON line", pd.DataFrame(bad, columns=["_line", "text"]), "_line")
    return pd.DataFrame.from_records(records)
