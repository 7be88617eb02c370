"""A folder of CSV files loaded as a stream: each table is read and validated in a second thread
while the store's writer is still writing the tables before it (load order), inside the writer's
transaction and write lock.

Only a valid input goes this way to the end. At the first problem of any kind (a cell, a
reference, a duplicate key, a cycle, a file that cannot be read) the stream stops with
:class:`Fallback`: the writer rolls back (nothing is written) and :func:`loaders.workbook.load_path`
reads and validates the input the classic way, which reports every problem exactly as before. Each
table goes through the same steps as :func:`loaders.validate.validate` (parse by distinct text,
resolve references against the tables before it and the store, duplicate keys, cycles), and a
table only refers to tables before it in load order (or to itself), so a stream finds a problem
exactly when the classic validation does.

Memory: the thread reads a big file (:data:`BIG` bytes or more) only once the writer has taken
the big table before it (it reads while that one is written), so at most one big table is
read or waits while another is written. A big file smaller than one before it waits until the
writer has taken every table before it: the load's peak is the index build of its biggest
table, and a table made meanwhile would be held through it. A big file is read by Arrow block by block from its
path (:mod:`loaders.read_big`) and each column's text is let go once encoded.

>>> from graph import schema
>>> [n for n in schema.LOAD_ORDER if any(c.kind.startswith("ref:") and
...  schema.LOAD_ORDER.index(c.kind[4:]) > schema.LOAD_ORDER.index(n) for c in schema.TABLES[n].columns)]
[]
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

from graph import schema
from graph.errors import ValidationFailed
from graph.memory import trim
from graph.settings import Settings
from graph.store import AtlasStore
from loaders.problems import ProblemList
from loaders.read_core import RawTables, check_size, table_for
from loaders.read_big import add_big_csv
from loaders.read_csv import _add_csv
from loaders.refs import ParsedTable, Resolver, check_cycles, check_duplicates, invisible_clashes
from loaders.validate import _NO_TEXT, _parse_table, _warnings

BIG = 8 << 20          # bytes of a CSV file read only once the writer has taken the big table before it
KEEP_ROWS = 100_000    # a node table this long keeps only its ids for later references (see _Resolver)


class Fallback(Exception):
    """The stream stopped before writing anything it had not validated: load the classic way."""


def folder_stream(path, existing: AtlasStore | None, *, tables: dict[str, str] | None = None,
                  name: str | None = None, limits: Settings | None = None) -> TableStream | None:
    """A :class:`TableStream` of the folder ``path``; None when it is not a folder whose CSV files
    each name a different import table (those load the classic way)."""
    folder = Path(path)
    if not folder.is_dir():
        return None
    limits = limits or Settings.from_env()
    chosen = dict(tables or {})
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() == ".csv" and not f.name.startswith("."))
    source = name or folder.name or str(folder)
    try:
        check_size(source, sum(f.stat().st_size for f in files), limits)
    except ValidationFailed:
        return None
    by_table: dict[str, Path] = {}
    ignored: dict[Path, list[str]] = {}
    for f in files:
        table = chosen.get(f.name) or table_for(f.stem)
        if table is None:                    # not a table: the classic read only warns (read it the same way)
            raw = RawTables(source=source)
            _add_csv(raw, f.name if name else f"{folder.name}/{f.name}", f.stem, f.read_bytes(), limits)
            if raw.problems or raw.tables:
                return None
            ignored[f] = raw.warnings
        elif table in by_table:
            return None
        else:
            by_table[table] = f
    if not by_table:
        return None
    out = TableStream(folder, files, by_table, existing, limits, chosen, source, bool(name))
    out._file_warnings.update(ignored)
    return out


class _Resolver(Resolver):
    """A :class:`Resolver` whose long node tables keep only their ids: a reference to one of them by
    name or alias (its names were let go, memory of a national load) ends the stream."""

    def __init__(self, parsed: dict, existing):
        super().__init__(parsed, existing)
        self.names_dropped: set[str] = set()

    def pool(self, table: str):
        if table in self.names_dropped and table not in self.pools:
            raise Fallback(f"a reference to {table} by name")
        return super().pool(table)


class TableStream:
    """The tables of one folder, validated one by one (see module doc). :meth:`tables` yields them
    to the writer; :attr:`warnings` are the classic validation's once it has ended."""

    def __init__(self, folder: Path, files: list[Path], by_table: dict[str, Path], existing, limits: Settings,
                 chosen: dict[str, str], source: str, bare: bool):
        self.folder, self.files, self.by_table, self.existing = folder, files, by_table, existing
        self.limits, self.chosen, self.source, self.bare = limits, chosen, source, bare
        self.parsed: dict[str, ParsedTable] = {}
        self.resolver = _Resolver(self.parsed, existing)
        self._file_warnings: dict[Path, list[str]] = {}
        self._parks_warnings: list[str] = []
        self._clashes: dict[Path, list[str]] = {}
        self._held = self._taken = 0   # load-order position after the last big table made; tables taken
        self._cond = threading.Condition()
        self._stop = False

    @property
    def warnings(self) -> list[str]:
        """As :func:`loaders.validate.validate` gives them: the files' (in file order), then the parks'
        and the zero-width name clashes."""
        return ([w for f in self.files for w in self._file_warnings.get(f, [])] + self._parks_warnings
                + [w for f in self.files for w in self._clashes.get(f, [])])

    def tables(self, prepare):
        """``(name, [prepare(name, columns)])`` of every import table in load order (``columns``:
        column -> ``(codes, values)`` as ``ParsedFrames.columnar`` gives them, None for a table the
        folder does not hold), made in a second thread. Raises :class:`Fallback` at the first problem."""
        pool = ThreadPoolExecutor(1, thread_name_prefix="stream")
        try:       # one thread: the tables are made in load order, big ones held back by _make
            futures = [pool.submit(self._make, name, prepare) for name in schema.LOAD_ORDER]
            for i, name in enumerate(schema.LOAD_ORDER):
                made = futures[i].result()
                futures[i] = None
                with self._cond:
                    self._taken += 1
                    self._cond.notify_all()
                yield name, [made]
                del made
        finally:
            with self._cond:
                self._stop = True
                self._cond.notify_all()
            pool.shutdown(wait=True, cancel_futures=True)

    def _make(self, name: str, prepare):
        """Read, validate and prepare table ``name`` (in the stream's thread); any error: Fallback."""
        try:
            return self._make_one(name, prepare)
        except Fallback:
            raise
        except Exception as err:  # noqa: BLE001  (the classic path reports it as it always has)
            raise Fallback(f"{name}: {err!r}") from err

    def _make_one(self, name: str, prepare):
        f = self.by_table.get(name)
        if f is None:
            return prepare(name, None)
        size, at = f.stat().st_size, schema.LOAD_ORDER.index(name)
        big = size >= BIG
        if big:                              # wait until the writer has taken the big table before
            before = [g.stat().st_size for t, g in self.by_table.items() if schema.LOAD_ORDER.index(t) < at]
            after = self._held if size >= max(before, default=0) else at
            with self._cond:           # meanwhile what the writer let go of this thread's Arrow memory
                while not self._cond.wait_for(lambda: self._stop or self._taken >= after, 0.25):
                    pa.default_memory_pool().release_unused()         # goes back to the system
                if self._stop:
                    raise Fallback("stopped")
        raw = RawTables(source=self.source)
        display = f.name if self.bare else f"{self.folder.name}/{f.name}"
        if not (big and add_big_csv(raw, display, f.stem, f, self.limits, self.chosen.get(f.name))):
            _add_csv(raw, display, f.stem, f.read_bytes(), self.limits, self.chosen.get(f.name))
        pa.default_memory_pool().release_unused()
        self._file_warnings[f] = raw.warnings
        rt = raw.tables.get(name)
        if raw.problems or rt is None or not rt.ok:
            raise Fallback(name)
        problems = ProblemList(self.limits.max_problems)
        pt = _parse_table(rt, problems, release=True)
        rt.release()
        pa.default_memory_pool().release_unused()
        self.parsed[name] = pt
        self.resolver.resolve_table(pt, problems)
        check_duplicates(pt, problems)
        if name == "product_flows" and len(pt):
            check_cycles(pt, self.resolver, self.existing, problems)
        if problems:
            raise Fallback(name)
        self._late(raw, name, f, pt)
        made = prepare(name, {c: (pt.columns[c].codes, pt.columns[c].values) for c in schema.TABLES[name].column_names})
        self._keep_for_references(name, pt)
        if big:
            trim()                               # the read's garbage in the C heap: back to the system
            with self._cond:
                self._held = at + 1
        return made

    def _late(self, raw: RawTables, name: str, f: Path, pt: ParsedTable) -> None:
        """The warnings the classic validation adds after the files': parks, zero-width clashes."""
        if name == "parks":
            self._parks_warnings = _warnings(raw, {"parks": pt})
        self._clashes[f] = [str(p) for p in invisible_clashes(raw, {name: pt}, self.existing)]

    def _keep_for_references(self, name: str, pt: ParsedTable) -> None:
        """Keep of a node table only what later references are resolved with (ids, names, aliases);
        forget any other table."""
        t = schema.TABLES[name]
        if name not in schema.NODE_TABLES:
            self.parsed.pop(name, None)
            return
        self.resolver.batch_ids(name)
        if len(pt) >= KEEP_ROWS:
            self.parsed.pop(name, None)
            self.resolver.names_dropped.add(name)
            return
        keep = {t.key[0], t.name_column, "aliases"}
        pt.columns = {c: col for c, col in pt.columns.items() if c in keep}
        pt.rt = pt.rt.released()
        for col in pt.columns.values():
            col.distinct = _NO_TEXT
