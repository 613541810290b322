import click
from flask import Flask
from flask.cli import AppGroup

from search import SearchUnavailable

from . import services

search = AppGroup("search", help="搜索索引")


@search.command("reindex")
@click.option("--index", "names", multiple=True, help="只重建指定索引（默认全部）")
def reindex_command(names):
    """从数据库重建索引：写入新的版本化索引后切换别名，不停机。"""
    for name in names or list(services.INDEXED_MODELS):
        try:
            physical = services.reindex(name)
        except SearchUnavailable as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{name}: 已重建为 {physical}")


@search.command("status")
def status_command():
    """比较数据库与搜索引擎中的文档数，并显示待同步队列。"""
    for row in services.status():
        engine = "不可用" if row["engine"] is None else row["engine"]
        flag = "一致" if row["engine"] == row["database"] and not row["queued"] else "不一致"
        if row["outdated"]:
            flag += "；索引映射版本过旧，请运行 flask search reindex（调度任务也会自动重建）"
        click.echo(f"{row['index']}: 数据库 {row['database']}，搜索引擎 {engine}，待同步 {row['queued']}（{flag}）")


@search.command("drain")
def drain_command():
    """把待同步队列发送到搜索引擎。"""
    result = services.drain()
    click.echo(f"已同步 {result['sent']} 条，失败 {result['failed']} 条，队列剩余 {result['queued']} 条。")
    if result["outdated"]:
        click.echo(f"索引映射版本过旧（{'、'.join(result['outdated'])}），其变更暂留队列：请运行 flask search reindex。")
    if result["unavailable"]:
        raise click.ClickException("搜索服务暂时不可用，队列保留，稍后自动重试。")


def register(app: Flask) -> None:
    app.cli.add_command(search)
