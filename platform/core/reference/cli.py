import click
from flask import Flask

from ..cli import unit_of_work
from .services import load_reference_data


@click.command("reference-load")
def reference_load():
    """载入行政区划和行业分类代码（data/ 目录）。"""
    with unit_of_work():
        written = load_reference_data()
    click.echo(f"参考数据已更新 {written} 行。")


def register(app: Flask) -> None:
    app.cli.add_command(reference_load)
