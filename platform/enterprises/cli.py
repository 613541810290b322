from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.cli import run_import
from ..audits.importer import import_register
from ..core.access import SYSTEM

enterprises = AppGroup("enterprises", help="企业名录")


@enterprises.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path):
    """导入企业名录（.xlsx 或 .csv，第一行为中文表头）。有行被拒绝时以非零状态退出。"""
    run_import(lambda data, filename, progress: import_register(SYSTEM, data, filename, progress=progress), path)


def register(app: Flask) -> None:
    app.cli.add_command(enterprises)
