"""Loaders: read import files as text, validate them into an ImportBatch, load into a store.

Public API::

    read_tables(path) -> RawTables
    validate(raw, existing=None) -> ImportBatch          # raises ValidationFailed
    check_path(path, existing=None) -> ImportBatch       # read + validate, writes nothing
    load_path(store, path, *, dry_run=False, progress=None, warn=None) -> LoadReport
    ensure_seeded(store, settings) -> LoadReport | None
    write_template(path) -> Path;  schema_markdown() -> str
"""
from loaders.read import RawTable, RawTables, read_tables
from loaders.seed import ensure_seeded
from loaders.template import schema_markdown, write_template
from loaders.validate import validate
from loaders.workbook import check_path, load_path

__all__ = ["RawTable", "RawTables", "read_tables", "validate", "check_path", "load_path",
           "ensure_seeded", "write_template", "schema_markdown"]
