"""``chainatlas template OUT.xlsx``: write the empty import workbook (or the Markdown reference)."""
from __future__ import annotations

from pathlib import Path

import click

from graph.errors import ChainAtlasError


@click.command("template")
@click.argument("out", required=False, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已存在的文件 Overwrite OUT if it exists.")
@click.option("--markdown", is_flag=True, help="输出表结构说明（Markdown）Print the table reference instead.")
def command(out, force, markdown):
    """生成导入模板 Write an empty import workbook: one sheet per table plus a 说明 sheet."""
    from loaders.template import schema_markdown, write_template

    if markdown:
        click.echo(schema_markdown())
        return
    if not out:
        raise ChainAtlasError("缺少输出文件 missing OUT.xlsx", "e.g. `chainatlas template 导入模板.xlsx`")
    target = Path(out)
    if target.suffix.lower() != ".xlsx":
        target = target.with_suffix(".xlsx")
    if target.exists() and not force:
        raise ChainAtlasError(f"文件已存在 file exists: {target}", "Pass --force to overwrite it.")
    written = write_template(target)
    click.echo(f"已生成模板 template written: {written}")
