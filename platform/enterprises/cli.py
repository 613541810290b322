import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..cli import unit_of_work
from .importer import import_enterprises

enterprises = AppGroup("enterprises", help="企业名录")


@enterprises.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path):
    """导入企业名录（.xlsx 或 .csv，第一行为中文表头）。有行被拒绝时以非零状态退出。"""
    with unit_of_work():
        with click.progressbar(length=1, label="导入中", file=sys.stderr) as bar:
            def progress(done, total):
                bar.length = total
                bar.update(done - bar.pos)

            report = import_enterprises(None, path.read_bytes(), path.name, progress=progress)
    for row, column, reason in report.errors:
        click.echo(f"第 {row} 行 [{column}]：{reason}", err=True)
    click.echo(report.summary())
    if report.errors:
        sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(enterprises)
