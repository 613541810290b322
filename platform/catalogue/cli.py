from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.cli import run_import
from .services import import_technologies
from ..core.access import SYSTEM

catalogue = AppGroup("catalogue", help="技术目录")


@catalogue.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="导入后直接发布（默认为草稿）")
def import_command(path: Path, publish: bool):
    """导入技术目录（.xlsx 或 .csv：技术名称、行业代码、类别、适用范围、技术原理、关键指标、典型案例、来源）。"""
    run_import(lambda data, filename, progress: import_technologies(SYSTEM, data, filename, publish=publish,
                                                                   progress=progress), path)


def register(app: Flask) -> None:
    app.cli.add_command(catalogue)
