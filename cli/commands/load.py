"""``chainatlas load PATH [--dry-run]``: validate a workbook / CSV folder / zip and merge it."""
from __future__ import annotations

from pathlib import Path

import click

from cli.common import echo_frame, progress_printer, store_from_env
from graph import schema
from graph.model import LoadReport


def echo_report(report: LoadReport, examples: bool = False) -> None:
    """Per-table added/changed/unchanged, a totals line and (optionally) changed-field examples."""
    echo_frame(report.frame())
    verb = "已写入 written" if report.written else "预览，未写入 dry run, nothing written"
    click.echo(f"{verb}: added {report.added}, changed {report.changed}, unchanged {report.unchanged}"
               f" ({report.seconds:.1f} s)")
    if examples:
        for change in report.changes.values():
            for ex in change.examples:
                fields = "; ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in ex.get("fields", {}).items())
                click.echo(f"  {change.table} {ex.get('key', '')}: {fields}")


@click.command("load")
@click.argument("path", type=click.Path(exists=False))
@click.option("--dry-run", is_flag=True, help="只预览将新增/修改什么，不写入。Preview changes, write nothing.")
@click.option("--table", "table", type=click.Choice(list(schema.TABLES)), default=None,
              help="单个 CSV 的文件名不是表名时，指定它是哪张表。Which table a lone CSV file holds.")
def command(path, dry_run, table):
    """载入数据 Load an .xlsx workbook, one <table>.csv, a folder of <table>.csv files or a .zip of them.

    A file may hold only some tables (e.g. just products.csv): they are merged into what is
    loaded and the rest stays as it is. Everything is validated first (all problems are listed
    at once); if anything is wrong, nothing is written. Loading the same file again changes nothing.
    """
    from loaders.workbook import load_path

    tables = {Path(path).name: table} if table else None
    with store_from_env() as store:
        if not dry_run:
            store.check_writable()   # an unfinished Neo4j load must be recovered first
        report = load_path(store, path, dry_run=dry_run, tables=tables,
                           progress=None if dry_run else progress_printer(),
                           warn=lambda m: click.echo(f"警告 warning: {m}", err=True))
        echo_report(report, examples=dry_run)
    if report.written:
        _prepare_first_page()


def _prepare_first_page() -> None:
    """The app's first page (the 总览 a first visit sees) computed for the new data now, so the
    next app start reads it back (ui.first_page; embedded store, result cache on)."""
    from ui.first_page import prepare
    seconds = prepare(warn=lambda m: click.echo(f"警告 warning: {m}", err=True))
    if seconds is not None:
        click.echo(f"应用首页已按新数据准备好 the app's first page is prepared for the new data ({seconds:.1f} s)")
