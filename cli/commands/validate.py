"""``chainatlas validate PATH``: check an input file and list every problem; writes nothing."""
from __future__ import annotations

import click

from cli.common import dumps, store_from_env
from graph.errors import ChainAtlasError, ValidationFailed


@click.command("validate")
@click.argument("path", type=click.Path(exists=False))
@click.option("--standalone", is_flag=True,
              help="不对照已载入的数据（引用只能指向本文件）。Check the file alone, without the store.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="问题列表格式 Output format of the problem list.")
def command(path, standalone, fmt):
    """校验数据 Validate a workbook, CSV folder or zip without writing anything.

    References may point at rows already loaded in the store (CHAINATLAS_DB) unless
    --standalone is given. Exit code 1 when there is any problem.
    """
    from loaders.workbook import check_path

    try:
        if standalone:
            batch = check_path(path)
        else:
            with store_from_env() as store:
                batch = check_path(path, existing=store)
    except ValidationFailed as err:
        if fmt != "json":
            raise
        click.echo(dumps({"ok": False, "error": str(err), "hint": err.hint, "total": err.total,
                          "problems": [p.as_dict() for p in err.problems], "omitted": err.omitted}))
        raise SystemExit(1) from None
    except ChainAtlasError as err:      # unsupported input, store unavailable …: still JSON
        if fmt != "json":
            raise
        click.echo(dumps({"ok": False, "error": str(err), "hint": err.hint, "problems": []}))
        raise SystemExit(1) from None
    counts = {name: len(df) for name, df in batch.tables.items() if len(df)}
    if fmt == "json":
        click.echo(dumps({"ok": True, "rows": counts, "warnings": batch.warnings}))
        return
    for message in batch.warnings:
        click.echo(f"警告 warning: {message}", err=True)
    detail = ", ".join(f"{k} {v}" for k, v in counts.items()) or "no data rows"
    click.echo(f"校验通过 valid: {batch.rows()} rows ({detail})")
