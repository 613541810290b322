"""Writing and reading the audit log. Services call `record` inside their own transaction."""
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from .. import access
from ..dates import iso
from ..errors import PermissionDenied
from ..extensions import db
from .models import AuditLog

SYSTEM_ACTOR = "系统"


def _plain(value):
    if isinstance(value, (date, datetime, time)):
        return iso(value) if isinstance(value, (date, datetime)) else value.isoformat()  # moments in Beijing time
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: _plain(before.get(k)) for k in keys}, {k: _plain(after[k]) for k in keys}


def record(actor, action: str, obj_type: str, obj_id, *, before: dict | None = None,
           after: dict | None = None, division_code: str | None = None, note: str | None = None) -> AuditLog:
    """Append one entry. `actor` is a User, or access.SYSTEM for the scheduler and CLI jobs."""
    system = access.is_system(actor)
    entry = AuditLog(
        actor_id=None if system else actor.id,
        actor_name=SYSTEM_ACTOR if system else actor.username,
        actor_role="system" if system else actor.role,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        division_code=division_code,
        before=_plain(before) if before else None,
        after=_plain(after) if after else None,
        note=note,
    )
    db.session.add(entry)
    return entry


def search(actor, *, action: str | None = None, object_type: str | None = None, actor_name: str | None = None):
    """The log as admins read it, newest first (a select for pagination)."""
    if not access.is_person(actor, "admin"):
        raise PermissionDenied("只有系统管理员可以查看审计日志。")
    query = select(AuditLog).order_by(AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    if object_type:
        query = query.where(AuditLog.object_type == object_type)
    if actor_name:
        query = query.where(AuditLog.actor_name == actor_name)
    return query
