import click
from flask import Flask
from flask.cli import AppGroup

from ..enterprises import services as enterprises
from ..core.cli import unit_of_work
from ..core.errors import ValidationError
from . import services
from .models import DEPARTMENTS, ROLES
from ..core.access import SYSTEM

users = AppGroup("users", help="账号管理")


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--name", "display_name", default=None, help="姓名或单位名称")
@click.option("--city", "division_code", default=None, help="监管部门的行政区划代码：450000 为全区，否则为设区市代码")
@click.option("--department", type=click.Choice(list(DEPARTMENTS)), default=None,
              help="监管部门账号所属部门（默认 ecology_environment 生态环境）：" + "、".join(f"{k} {v}" for k, v in DEPARTMENTS.items()))
@click.option("--enterprise", "enterprise_uscc", default=None, help="企业账号关联的统一社会信用代码")
@click.option("--token", is_flag=True, help="同时签发 API 访问令牌并打印")
def create(username, password, role, display_name, division_code, department, enterprise_uscc, token):
    """创建账号（可选签发 API 令牌）。"""
    with unit_of_work():
        enterprise_id = None
        if enterprise_uscc:
            enterprise = enterprises.by_uscc(enterprise_uscc)
            if enterprise is None:
                raise ValidationError(f"未找到统一社会信用代码为 {enterprise_uscc} 的企业。", "enterprise")
            enterprise_id = enterprise.id
        user = services.create_user(SYSTEM, username=username, password=password, role=role,
                                    display_name=display_name, division_code=division_code,
                                    enterprise_id=enterprise_id, department=department)
        plain = services.issue_token(SYSTEM, user, "cli") if token else None
    click.echo(f"已创建账号 {user.username}（{ROLES[role]}）。")
    if plain:
        click.echo(plain)


def register(app: Flask) -> None:
    app.cli.add_command(users)
