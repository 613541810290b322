import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..cli import unit_of_work
from .services import import_technologies

catalogue = AppGroup("catalogue", help="技术目录")


@catalogue.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="导入后直接发布（默认为草稿）")
def import_command(path: Path, publish: bool):
    """导入技术目录（.xlsx 或 .csv：技术名称、行业代码、类别、适用范围、技术原理、关键指标、典型案例、来源）。"""
    with unit_of_work():
        with click.progressbar(length=1, label="导入中", file=sys.stderr) as bar:
            def progress(done, total):
                bar.length = total
                bar.update(done - bar.pos)

            report = import_technologies(None, path.read_bytes(), path.name, publish=publish, progress=progress)
    for row, column, reason in report.errors:
        click.echo(f"第 {row} 行 [{column}]：{reason}", err=True)
    click.echo(report.summary())
    if report.errors:
        sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(catalogue)
