"""The app's results kept on disk between app starts (the 总览, its map, the map's comparison);
``chainatlas load`` puts the first visit's 总览 of the new data here too (ui.first_page).

A fresh server process computes the overview of every chain once; this keeps that result in a
small pickle keyed by everything it depends on (:func:`cached`): the store (its path, its data generation and the
identity, size and modification time of its database file — a store deleted and loaded again
never matches), the engine's code (a hash of graph/ and this module's callers) and the query's
arguments. Anything that does not match is computed again; a file that cannot be read is ignored.
Files are written to a temporary name and renamed (readers never see half a file).
:func:`kept` does the same for results that do not depend on the store (the map's simplified
boundaries: a first start after a load reads them back instead of parsing the GeoJSON again).

Where: ``CHAINATLAS_CACHE_DIR`` (``none`` = off), else ``$XDG_CACHE_HOME/chainatlas`` or
``~/.cache/chainatlas``. Only for a store that is a folder on this machine (the embedded store).

>>> _digest(("a", 1)) == _digest(("a", 1)) != _digest(("a", 2))
True
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from graph.settings import Settings

log = logging.getLogger("chainatlas.ui")
ROOT = Path(__file__).resolve().parents[1]
KEEP = 64          # files kept per kind of result (the oldest go first)
_CODE: str | None = None


def cache_dir() -> Path | None:
    env = Settings.from_env().cache_dir     # read per call: tests and the bench set it per run
    if env.lower() in ("none", "off", "0"):
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chainatlas"


def store_stamp(db: str, generation: str) -> tuple | None:
    """What identifies the data of an embedded store at ``db`` (a folder), or None (not a folder)."""
    folder = Path(db)
    if not folder.is_dir():
        return None
    files = []
    for f in sorted(folder.iterdir()):
        if f.suffix in (".sqlite", ".db"):   # (a write still in the WAL has changed the generation)
            s = f.stat()
            files.append((f.name, s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns))
    return (str(folder.resolve()), str(generation), tuple(files)) if files else None


def code_version() -> str:
    """A hash of the engine's and the app's source (graph/, ui/): new code, new results."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha1()
        for sub in ("graph", "ui"):
            for f in sorted((ROOT / sub).rglob("*.py")):
                h.update(str(f.relative_to(ROOT)).encode())
                h.update(f.read_bytes())
        _CODE = h.hexdigest()
    return _CODE


def _digest(key) -> str:
    return hashlib.sha1(repr(key).encode()).hexdigest()


def cached(kind: str, db: str, generation: str, args: tuple, compute):
    """``compute()``, or its result kept from an earlier run with the same store, code and ``args``."""
    stamp = store_stamp(db, generation)
    if stamp is None:
        return compute()
    return kept(kind, (stamp, args), compute)


def kept(kind: str, args: tuple, compute):
    """``compute()``, or its result kept from an earlier run with the same code and ``args`` (for
    results that do not depend on the store: ``args`` names everything they depend on)."""
    where = cache_dir()
    if where is None:
        return compute()
    path = where / f"{kind}-{_digest((args, code_version()))}.pkl"
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 — a damaged or foreign file: compute again and replace it
        log.warning("ignoring an unreadable cached result %s", path, exc_info=True)
    value = compute()
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _prune(where, kind)
    except OSError:
        log.warning("could not keep the result in %s", where, exc_info=True)
    return value


def _prune(where: Path, kind: str) -> None:
    files = sorted(where.glob(f"{kind}-*.pkl"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
    for f in files[KEEP:]:
        try:
            f.unlink()
        except OSError:
            pass
