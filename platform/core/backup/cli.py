import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from . import services

backup = AppGroup("backup", help="备份与恢复（单机 SQLite 部署；PostgreSQL 见 README.md）")


@backup.command("create")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="备份文件路径或目录（默认 instance/backups/gxcp-年月日-时分秒.tar.gz）")
def create_command(output):
    """备份数据库（运行中也可，取已提交数据的一致快照）、上传文件和信用报送目录，生成一个带校验清单的归档文件。"""
    try:
        result = services.create(output)
    except services.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"备份已完成：{result.path}")
    for line in summary(result.manifest):
        click.echo(line)


@backup.command("restore")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="不再询问，直接恢复")
def restore_command(path, yes):
    """用备份替换当前数据库和上传目录。先校验清单和每个文件的校验和，不通过则不做任何更改。恢复前请停止网站和调度器。"""
    try:
        with services.staged_restore(path) as staged:
            click.echo(f"备份 {path} 校验通过。")
            for line in summary(staged.manifest):
                click.echo(line)
            click.echo(f"将用它替换数据库 {staged.database} 和上传目录 {staged.targets['uploads']}，"
                       "当前数据将全部被替换。请确认网站和调度器已停止。")
            if not yes and not click.confirm("确定要恢复吗？", default=False):
                click.echo("已取消，未做任何更改。")
                sys.exit(1)
            report = staged.apply()
    except services.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"已恢复数据库和上传目录（上传文件 {report.uploads} 个）。")
    if report.credit_drop_added:
        click.echo(f"信用报送目录补回缺失文件 {report.credit_drop_added} 个（已有文件保持不变）。")
    if report.upgraded_from:
        click.echo(f"备份的数据库结构版本 {report.upgraded_from} 较旧，已升级到当前程序的版本。")
    if report.reindexed is None:
        click.echo("搜索服务暂不可用，索引未重建：请在搜索服务恢复后执行 flask --app wsgi search reindex。")
    else:
        click.echo(f"搜索索引已按恢复后的数据重建：{'、'.join(report.reindexed) or '无'}。")


def summary(manifest: dict) -> list[str]:
    """What an archive holds, for the operator: when, which schema, every table's rows, how many files."""
    tables = manifest["tables"]
    members = manifest["members"]
    lines = [f"创建时间：{manifest['created_at']}", f"数据库结构版本：{manifest['alembic_revision']}",
             f"数据表 {len(tables)} 张，共 {sum(tables.values())} 行："]
    width = max(map(len, tables), default=0)
    lines += [f"  {name:<{width}}  {count:>8} 行" for name, count in tables.items()]
    for folder, label in (("uploads", "上传文件"), ("credit-drop", "信用报送文件")):
        files = [m for name, m in members.items() if name.startswith(folder + "/")]
        lines.append(f"{label} {len(files)} 个，共 {sum(m['size'] for m in files) / 1024 / 1024:.1f} MB。")
    return lines


def register(app: Flask) -> None:
    app.cli.add_command(backup)
