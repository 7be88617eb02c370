"""``chainatlas neo4j-import-files PATH DIR``: the offline bulk path for a first national load."""
from __future__ import annotations

import click


@click.command("neo4j-import-files")
@click.argument("path", type=click.Path(exists=False))
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--database", default="neo4j", show_default=True, help="Database the command imports into.")
@click.option("--admin", default="neo4j-admin", show_default=True, help="The neo4j-admin executable to name.")
def command(path, out_dir, database, admin):
    """离线批量导入文件 Write PATH (workbook / CSV folder / zip) as neo4j-admin import CSV files.

    PATH is validated on its own (references must point into it, as for a fresh database). Then
    stop Neo4j and run the printed `neo4j-admin database import full` command: it REPLACES the
    database. For adding to or changing a database in use, use `chainatlas load` instead.
    """
    from graph.store.neo4j.bulk import write_import_files
    from loaders.workbook import check_path

    batch = check_path(path)
    for message in batch.warnings:
        click.echo(f"警告 warning: {message}", err=True)
    result = write_import_files(batch, out_dir, database=database, admin=admin)
    for name, n in result["files"].items():
        click.echo(f"  {name}: {n:,} rows")
    click.echo(f"已写入 written to {out_dir}. Stop Neo4j, then run (replaces database {database!r}):")
    click.echo(result["command"])
    click.echo("Start Neo4j again; the first `chainatlas` command adds the constraints and indexes.")
