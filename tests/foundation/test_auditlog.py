"""The audit log is append-only — in the ORM and in the database itself — and only admins read it."""
import pytest
from sqlalchemy import delete, text as sql, update
from sqlalchemy.exc import DBAPIError

from foundation_helpers import audit_count, audit_entries, text
from platform.core.auditlog.models import AppendOnlyError, AuditLog
from platform.core.auditlog.services import record
from platform.enterprises import services
from platform.core.extensions import db
from platform.core.access import SYSTEM


@pytest.fixture
def entry(world):
    services.update(world.regulator_a, world.ent_a, {"name": "南宁甲钢铁集团有限公司"})
    db.session.commit()
    return audit_entries("enterprise.update")[-1]


def test_an_entry_says_who_when_what_and_before_after(world, entry):
    assert (entry.actor_id, entry.actor_name, entry.actor_role) == (
        world.regulator_a.id, world.regulator_a.username, "regulator")
    assert (entry.action, entry.object_type, entry.object_id, entry.division_code) == (
        "enterprise.update", "enterprise", str(world.ent_a.id), "450100")
    assert entry.before == {"name": "南宁甲钢铁有限公司"} and entry.after == {"name": "南宁甲钢铁集团有限公司"}
    assert entry.at is not None


def test_the_command_line_is_logged_as_the_system(app):
    logged = record(SYSTEM, "demo.thing", "thing", 1)
    assert (logged.actor_id, logged.actor_name, logged.actor_role) == (None, "系统", "system")


def test_the_orm_refuses_to_change_an_entry(entry):
    entry.note = "事后补记"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditLog, entry.id).note is None


def test_the_orm_refuses_to_delete_an_entry(entry):
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert audit_count() == len(audit_entries())


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET note = 'tampered'",
    "UPDATE audit_log SET after = NULL WHERE action = 'enterprise.update'",
    "DELETE FROM audit_log",
])
def test_the_database_refuses_raw_sql_that_changes_or_deletes_entries(entry, statement):
    log = audit_count()
    with pytest.raises(DBAPIError) as caught:
        db.session.execute(sql(statement))
    assert "append-only" in str(caught.value)
    db.session.rollback()
    assert audit_count() == log
    assert db.session.get(AuditLog, entry.id).note is None


def test_the_database_refuses_bulk_orm_statements_too(entry):
    for statement in (update(AuditLog).values(note="x"), delete(AuditLog)):
        with pytest.raises(DBAPIError):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(AuditLog, entry.id) is not None


def test_the_admin_reads_the_log_with_before_and_after(world, entry, client_for):
    response = client_for(world.admin).get("/admin/audit-log/")
    assert response.status_code == 200
    html = text(response)
    assert '<td title="enterprise.update">修改企业信息</td>' in html and f"{world.regulator_a.username}（监管部门）" in html
    # before and after are read by people: field by field, by their Chinese names, not JSON escapes
    assert "<dt>名称</dt><dd>南宁甲钢铁有限公司</dd>" in html
    assert "<dt>名称</dt><dd>南宁甲钢铁集团有限公司</dd>" in html
    assert "\\u" not in html


def test_the_admin_filters_the_log_by_action(world, entry, client_for):
    html = text(client_for(world.admin).get("/admin/audit-log/?action=user.create"))
    assert "修改企业信息</td>" not in html
    assert '<td title="user.create">创建账号</td>' in html
    assert '<option value="user.create" selected>创建账号</option>' in html  # chosen from a list, not typed


@pytest.mark.parametrize("role", ["regulator_a", "province", "enterprise_a", "expert", "service_org"])
def test_nobody_but_the_admin_reads_the_log(world, entry, client_for, role):
    assert client_for(getattr(world, role)).get("/admin/audit-log/").status_code == 403
