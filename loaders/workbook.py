"""Load an input into a store: read, validate against what is stored, then plan or apply.

A validation failure raises before anything touches the store, so a failed load writes nothing.
A folder of CSV files into a store that can take a stream (the embedded store) is read and
validated table by table while the tables before are written, in the store's one transaction
(loaders.stream); at any problem that transaction is rolled back and the input is read and
validated again the classic way, which reports it exactly as before.
"""
from __future__ import annotations

import time
from typing import Callable

from graph.errors import StoreLocked
from graph.model import ImportBatch, LoadReport
from graph.store import AtlasStore, Progress
from loaders.read import read_tables
from loaders.stream import Fallback, folder_stream
from loaders.validate import validate


RECHECK = "rolled back, recheck"   # progress step: a streamed load met a problem, wrote nothing,
                                   # and the input is read and checked again to report it


def check_path(path, existing: AtlasStore | None = None, *, tables: dict[str, str] | None = None,
               name: str | None = None) -> ImportBatch:
    """Read and validate ``path`` (against ``existing`` when given); writes nothing.
    ``tables``/``name`` as for :func:`loaders.read.read_tables`. Raises ValidationFailed / UnsupportedInput."""
    return validate(read_tables(path, tables=tables, name=name), existing=existing, release=True)


def load_path(store: AtlasStore, path, *, dry_run: bool = False, progress: Progress | None = None,
              warn: Callable[[str], None] | None = None, tables: dict[str, str] | None = None,
              name: str | None = None) -> LoadReport:
    """Read ``path``, validate it against ``store`` and apply it (or, with ``dry_run``, only
    plan it). ``warn`` receives each non-fatal warning (ignored sheets/columns …); ``tables`` and
    ``name`` as for :func:`loaders.read.read_tables`. Tables absent from the input stay as stored."""
    started = time.perf_counter()
    stream = folder_stream(path, store, tables=tables, name=name) \
        if not dry_run and hasattr(store, "apply_stream") else None
    if stream is not None:           # read and validated table by table while the store writes
        for step in ("read", "validate"):
            if progress:
                progress(step, 0, 1)
                progress(step, 1, 1)
        try:
            report = store.apply_stream(stream, progress=progress)
        except Fallback:                 # a problem: rolled back, nothing written; the classic path
            if progress:                 # reports it as always
                progress(RECHECK, 1, 1)
        except StoreLocked:              # another writer: the classic path reports the problems first
            pass
        else:
            for message in stream.warnings:
                if warn:
                    warn(message)
            report.seconds = time.perf_counter() - started
            return report
    raw = _step(progress, "read", lambda: read_tables(path, tables=tables, name=name))
    batch = _step(progress, "validate", validate, raw, existing=store, release=True)
    del raw                      # the text of every table: not needed once validated (peak memory of big loads)
    if hasattr(batch.tables, "drop_written"):
        batch.tables.drop_written = True     # nobody looks at a table once it is written
    for message in batch.warnings:
        if warn:
            warn(message)
    report = store.plan(batch) if dry_run else store.apply(batch, progress=progress)
    report.seconds = time.perf_counter() - started
    return report


def _step(progress: Progress | None, name: str, func, *args, **kwargs):
    """Run one phase, reporting it as a progress step (finished even when it raises)."""
    if progress:
        progress(name, 0, 1)
    try:
        return func(*args, **kwargs)
    finally:
        if progress:
            progress(name, 1, 1)
