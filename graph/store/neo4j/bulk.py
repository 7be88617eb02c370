"""The offline bulk path: a validated ImportBatch as ``neo4j-admin database import full`` CSV files.

For a first national load into an empty database (tens of millions of rows), the offline importer
writes the store files directly, far faster than any transactional load; ``chainatlas load``
stays the way to add and change data incrementally. The files hold exactly the storage model of
:mod:`graph.store.neo4j.cypher` — key under ``id``, the other import columns as properties, one
relationship per relationship-table row, the derived relationships (LOCATED_IN, IN_PARK, PARK_IN,
COUNTED_FOR, PART_OF) from the ``ref:`` columns — so the database answers the same queries as one
loaded by ``chainatlas load`` (the next connect adds the constraints and indexes).

Per node table ``<table>.header.csv`` (``id:ID(<Label>)``, typed properties, ``:LABEL``) and
``<table>.csv``; per relationship table and derived relationship a header with
``:START_ID(<Label>)``, ``:END_ID(<Label>)``, properties and ``:TYPE``. Every label is its own ID
space. Lists are ``string[]`` joined by ``;`` (ARRAY_DELIMITER); text is RFC 4180 quoted (commas,
quotes doubled, newlines inside quotes: ``--multiline-fields=true``); UTF-8 without BOM, as the
importer reads it.

>>> from graph.model import ImportBatch
>>> header(["name", "tags", "revenue", "listed"], {"name": "str", "tags": "list", "revenue": "float", "listed": "bool"})
['name', 'tags:string[]', 'revenue:double', 'listed:boolean']
"""
from __future__ import annotations

import csv
import shlex
from pathlib import Path

from graph import schema
from graph.errors import ChainAtlasError
from graph.model import ImportBatch
from graph.store.neo4j import cypher as q
from graph.store.neo4j import rows

ARRAY_DELIMITER = ";"
TYPES = {"int": "long", "float": "double", "share": "double", "bool": "boolean", "list": "string[]"}


def header(columns: list[str], kinds: dict[str, str]) -> list[str]:
    """Property columns with the importer's type suffix (strings need none)."""
    return [f"{c}:{TYPES[kinds[c]]}" if kinds[c] in TYPES else c for c in columns]


def cell(value, where: str) -> str | None:
    """One value as the importer reads it; None = no property."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        bad = [v for v in value if ARRAY_DELIMITER in v]
        if bad:
            raise ChainAtlasError(f"{where}: list item “{bad[0]}” contains the array delimiter “{ARRAY_DELIMITER}”",
                                  "Split the item or remove the delimiter from it, then write the files again.")
        return ARRAY_DELIMITER.join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write(path: Path, head: list[str], body) -> int:
    """Header file + data file; returns the data rows written."""
    with open(path.with_suffix(".header.csv"), "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(head)
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        for record in body:
            w.writerow(record)
            n += 1
    return n


def write_import_files(batch: ImportBatch, out_dir, database: str = "neo4j",
                       admin: str = "neo4j-admin") -> dict:
    """Write the import files of ``batch`` into ``out_dir``; returns ``{"files": {name: rows},
    "nodes": [(header, data)], "relationships": [(header, data)], "command": str}``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files, nodes, rels = {}, [], []
    tables = {t: rows.batch_rows(t, batch.tables.get(t)) for t in schema.LOAD_ORDER}

    def add(kind: list, name: str, head: list[str], body) -> None:
        path = out / f"{name}.csv"
        files[path.name] = _write(path, head, body)
        if files[path.name]:
            kind.append((str(path.with_suffix(".header.csv")), str(path)))

    for table in schema.NODE_TABLES:
        label, cols = schema.LABEL_OF_TABLE[table], [c for c in schema.TABLES[table].column_names
                                                     if c not in schema.TABLES[table].key]
        kinds = {c: rows.KIND[table, c] for c in cols}
        add(nodes, table, [f"id:ID({label})", *header(cols, kinds), ":LABEL"],
            ([key, *(cell(props[c], f"{table} {key} {c}") for c in cols), label]
             for key, props in tables[table].items()))
    for table, col, rel, dst in q.DERIVED:
        src = schema.LABEL_OF_TABLE[table]
        add(rels, f"{table}.{col}.{rel.lower()}", [f":START_ID({src})", f":END_ID({dst})", ":TYPE"],
            ([key, props[col], rel] for key, props in tables[table].items() if props[col] is not None))
    for table in schema.REL_TABLES:
        _, src, rel, _, dst = q.REL_ENDPOINTS[table]
        keys = rows.key_columns(table)
        cols = [c for c in schema.TABLES[table].column_names if c not in keys]
        kinds = {c: rows.KIND[table, c] for c in cols}
        add(rels, table, [f":START_ID({src})", f":END_ID({dst})", *header(cols, kinds), ":TYPE"],
            ([a, b, *(cell(props[c], f"{table} {a}|{b} {c}") for c in cols), rel]
             for (a, b), props in tables[table].items()))
    args = [admin, "database", "import", "full", database, "--overwrite-destination=true",
            "--id-type=string", f"--array-delimiter={ARRAY_DELIMITER}", "--multiline-fields=true",
            "--ignore-empty-strings=true"]
    args += [f"--nodes={h},{d}" for h, d in nodes] + [f"--relationships={h},{d}" for h, d in rels]
    return {"files": files, "nodes": nodes, "relationships": rels, "command": shlex.join(args)}
