"""``chainatlas import-ckg DIR [--regions FILE] [--as-of DATE] [--dry-run]``: load a
ChainKnowledgeGraph (产业链知识图谱) JSON-lines folder."""
from __future__ import annotations

import time

import click

from cli.common import echo_frame, progress_printer, store_from_env


@click.command("import-ckg")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--regions", "regions_csv", type=click.Path(exists=True, dir_okay=False),
              help="CSV code,province,city giving each stock code's region (else region unknown).")
@click.option("--as-of", help="数据日期 YYYY-MM-DD (default: the date of company.json).")
@click.option("--dry-run", is_flag=True, help="只预览，不写入。Preview changes, write nothing.")
def command(folder, regions_csv, as_of, dry_run):
    """导入产业链知识图谱 Import a ChainKnowledgeGraph folder (company.json, product.json,
    company_product.json, product_product.json, industry files).

    Companies become listed enterprises (id = stock code), products are normalised and merged,
    上游材料/下游产品 become product flows and 产品小类 product subclasses. Dropped rows are
    reported per file and reason.
    """
    from cli.commands.load import echo_report
    from loaders.ckg import import_ckg

    started = time.perf_counter()
    with store_from_env() as store:
        batch, report = import_ckg(folder, regions_csv, as_of=as_of, known_regions=store.table("regions"),
                                   known_products=store.table("products"),
                                   known_enterprises=store.table("enterprises"))
        click.echo(report.summary(), err=True)
        if len(report.frame()):
            echo_frame(report.frame())
        result = store.plan(batch) if dry_run else store.apply(batch, progress=progress_printer())
        result.seconds = time.perf_counter() - started
        echo_report(result, examples=dry_run)
