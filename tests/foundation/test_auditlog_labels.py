"""The audit log reads in Chinese: every action a service logs and every field it records has a
name; states, roles, cities and people show by what they stand for. It is filtered from lists,
paged, and exported with its filter in the file's title row and name."""
import ast
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from foundation_helpers import text
from platform.core.auditlog import labels
from platform.enterprises import services
from platform.core.extensions import db

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
LOGGING_CALLS = {"record", "audit", "log", "_log"}


def _logged_actions():
    """Every action a service passes to the audit log: literal ones, both sides of a conditional,
    and f-strings as patterns (each formatted part stands for a word)."""
    found = set()

    def add(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.IfExp):
            add(node.body), add(node.orelse)
        elif isinstance(node, ast.JoinedStr):
            found.add(re.compile("".join(re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+"
                                         for v in node.values) + "$"))

    for path in PLATFORM.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in LOGGING_CALLS and len(node.args) >= 2:
                    add(node.args[1])
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        add(keyword.value)
            elif isinstance(node, ast.FunctionDef):
                for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults):
                    if arg.arg == "action" and default is not None:
                        add(default)
    return found


def test_every_action_a_service_logs_has_a_chinese_name():
    actions = _logged_actions()
    assert len(actions) > 50
    literal = {a for a in actions if isinstance(a, str)}
    assert literal - set(labels.ACTIONS) == set(), "actions without a name in platform/core/auditlog/labels.py"
    for pattern in actions - literal:
        assert any(pattern.match(code) for code in labels.ACTIONS), f"no named action matches {pattern.pattern}"


def test_every_dynamic_action_has_a_name_for_each_value_it_takes():
    from platform.audits.models import CASE_STATES, STATES
    from platform.catalogue.services import TRANSITIONS
    from platform.credit.models import REPAIR_STATES
    from platform.experts.services import DECISIONS

    expected = ({f"round.{s}" for s in STATES} | {f"case.{s}" for s in CASE_STATES if s != "open"}
                | {f"technology.{a}" for a in TRANSITIONS} | {f"expert.{a}" for a in DECISIONS}
                | {f"credit_repair.{s}" for s in REPAIR_STATES if s != "pending"})
    assert expected - set(labels.ACTIONS) == set()


def _logged_fields():
    """Columns of the rows whose snapshots are logged, and the keys of dicts passed as before/after."""
    tables = ["audit_rounds", "penalty_decisions", "credit_records", "enterprises", "schemes", "experts",
              "service_orgs", "technologies", "cases", "credit_repairs", "scheme_revisions", "panels"]
    fields = {c.name for t in tables for c in db.metadata.tables[t].columns}
    fields -= {"id", "created_at", "updated_at", "password_hash", "before", "after"}
    for path in PLATFORM.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in LOGGING_CALLS:
                for keyword in node.keywords:
                    if keyword.arg in ("before", "after") and isinstance(keyword.value, ast.Dict):
                        fields |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
    return fields


def test_every_logged_field_has_a_chinese_name(app):
    missing = {f for f in _logged_fields() if f not in labels.FIELDS}
    assert missing == set(), "fields without a name in platform/core/auditlog/labels.py"


@pytest.fixture
def logged(world):
    services.update(world.regulator_a, world.ent_a, {"name": "南宁甲钢铁集团有限公司"})
    db.session.commit()


def test_codes_show_by_what_they_stand_for(world, logged, client_for):
    html = text(client_for(world.admin).get("/admin/audit-log/?action=user.create"))
    assert "<dt>角色</dt><dd>监管部门</dd>" in html
    assert "<dt>行政区划</dt><dd>南宁市（450100）</dd>" in html
    assert "role</" not in html and "division_code" not in html.split("<main")[1].split("<form")[0]


def test_the_filters_are_lists_and_a_filter_can_be_cleared(world, logged, client_for):
    html = text(client_for(world.admin).get("/admin/audit-log/?object_type=enterprise"))
    assert '<select name="action">' in html and '<select name="object_type">' in html and '<select name="actor_name">' in html
    assert '<option value="enterprise" selected>企业</option>' in html
    assert f'<option value="{world.regulator_a.username}" >' in html
    assert "清除筛选" in html
    assert "创建账号</td>" not in html and "修改企业信息</td>" in html
    assert "清除筛选" not in text(client_for(world.admin).get("/admin/audit-log/"))


def test_a_wrong_date_is_ignored_not_an_error(world, logged, client_for):
    response = client_for(world.admin).get("/admin/audit-log/?date_from=2026-13-40")
    assert response.status_code == 200


def test_dates_filter_by_beijing_day(world, logged, client_for):
    http = client_for(world.admin)
    assert "修改企业信息</td>" not in text(http.get("/admin/audit-log/?date_to=2000-01-01"))
    assert "修改企业信息</td>" in text(http.get("/admin/audit-log/?date_from=2000-01-01"))


def test_the_log_is_paged_twenty_entries_a_page(world, logged, client_for):
    for n in range(25):
        services.update(world.regulator_a, world.ent_a, {"name": f"南宁甲钢铁集团有限公司{n}"})
        db.session.commit()
    html = text(client_for(world.admin).get("/admin/audit-log/?action=enterprise.update"))
    assert html.count('<td title="enterprise.update">') == 20
    assert "第 1 / 2 页，共 26 条" in html and "action=enterprise.update&amp;page=2" in html


def test_the_export_holds_the_filtered_log_with_a_title_row_and_a_named_file(world, logged, client_for):
    response = client_for(world.admin).get("/admin/audit-log/export.xlsx?action=enterprise.update")
    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97_" in response.headers["Content-Disposition"]
    from urllib.parse import unquote

    name = unquote(response.headers["Content-Disposition"].split("''")[1])
    assert re.fullmatch(r"审计日志_修改企业信息_截至\d{4}-\d{2}-\d{2}\.xlsx", name), name
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("审计日志（修改企业信息；数据截至 ")
    assert rows[1][:5] == ("时间（北京时间）", "操作人", "操作人角色", "操作", "操作代码")
    assert [r[4] for r in rows[2:]] == ["enterprise.update"]
    assert "名称：南宁甲钢铁集团有限公司" in rows[2][9]
    assert sheet.freeze_panes == "A3"


@pytest.mark.parametrize("role", ["regulator_a", "province", "enterprise_a", "expert"])
def test_nobody_but_the_admin_exports_the_log(world, client_for, role):
    assert client_for(getattr(world, role)).get("/admin/audit-log/export.xlsx").status_code == 403
