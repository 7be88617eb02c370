"""``chainatlas import-ckg DIR [--regions FILE] [--infer-regions [--region-review-out FILE]
[--region-accept FILE]] [--as-of DATE] [--dry-run]``: load a ChainKnowledgeGraph (产业链知识图谱)
JSON-lines folder."""
from __future__ import annotations

import time

import click

from cli.common import (check_region_options, echo_frame, echo_region_review, progress_printer,
                        region_inference_options, store_from_env)


@click.command("import-ckg")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--regions", "regions_csv", type=click.Path(exists=True, dir_okay=False),
              help="CSV code,province,city[,county] giving each stock code's region (else region unknown).")
@region_inference_options("their registered name")
@click.option("--as-of", help="数据日期 YYYY-MM-DD (default: the latest listing date in company.json).")
@click.option("--dry-run", is_flag=True, help="只预览，不写入。Preview changes, write nothing.")
def command(folder, regions_csv, infer_regions, region_review_out, region_accept, as_of, dry_run):
    """导入产业链知识图谱 Import a ChainKnowledgeGraph folder (company.json, product.json,
    company_product.json, product_product.json, industry files).

    Companies become listed enterprises (id = stock code; 简称/曾用名 become searchable aliases),
    products are normalised and merged, 上游材料/下游产品 become product flows and 产品小类 product
    subclasses. Rows sharing a stock code but listed on another date are reported as conflicts and
    left out. Every input line is accounted for: kept, merged, or dropped by reason.
    """
    from cli.commands.load import echo_report
    from loaders.ckg import import_ckg

    check_region_options(infer_regions, region_review_out, region_accept)
    started = time.perf_counter()
    with store_from_env() as store:
        batch, report = import_ckg(folder, regions_csv, as_of=as_of, known_regions=store.table("regions"),
                                   known_products=store.table("products"),
                                   known_enterprises=store.table("enterprises"), infer_regions=infer_regions,
                                   region_review=region_accept)
        click.echo(report.summary(), err=True)
        if len(report.frame()):
            echo_frame(report.frame())
        echo_region_review(report.region_review, region_review_out)
        result = store.plan(batch) if dry_run else store.apply(batch, progress=progress_printer())
        result.seconds = time.perf_counter() - started
        echo_report(result, examples=dry_run)
