"""Writing and reading the audit log. Services call `record` inside their own transaction."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from .. import access
from ..dates import format_moment, iso, utc_of_beijing_midnight
from ..errors import PermissionDenied
from ..extensions import db
from . import labels
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


FILTERS = ("action", "object_type", "actor_name", "division_code", "date_from", "date_to")
EXPORT_LIMIT = 50_000  # rows in one download; a narrower filter gets the rest


def _require_reader(actor) -> None:
    if not access.is_person(actor, "admin"):
        raise PermissionDenied("只有系统管理员可以查看审计日志。")


def search(actor, *, action: str | None = None, object_type: str | None = None, actor_name: str | None = None,
           division_code: str | None = None, date_from: date | None = None, date_to: date | None = None):
    """The log as admins read it, newest first (a select for pagination). Dates are Beijing days."""
    _require_reader(actor)
    query = select(AuditLog).order_by(AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    if object_type:
        query = query.where(AuditLog.object_type == object_type)
    if actor_name:
        query = query.where(AuditLog.actor_name == actor_name)
    if division_code:
        query = query.where(AuditLog.division_code == division_code)
    if date_from:
        query = query.where(AuditLog.at >= utc_of_beijing_midnight(date_from))
    if date_to:
        query = query.where(AuditLog.at < utc_of_beijing_midnight(date_to + timedelta(days=1)))
    return query


def filter_choices(actor) -> dict:
    """What the filter dropdowns offer: every action and object type the platform logs (by their
    Chinese names, grouped by object), and the people who appear in the log."""
    _require_reader(actor)
    logged_actions = set(db.session.scalars(select(AuditLog.action).distinct()))
    logged_types = set(db.session.scalars(select(AuditLog.object_type).distinct()))
    groups: dict[str, list] = {}
    for code in sorted(set(labels.ACTIONS) | logged_actions):
        group = labels.object_label(code.split(".")[0]) if code.split(".")[0] in labels.OBJECT_TYPES else "其他"
        groups.setdefault(group, []).append((code, labels.action_label(code)))
    actors = list(db.session.scalars(select(AuditLog.actor_name).distinct().order_by(AuditLog.actor_name)))
    return {
        "actions": groups,
        "object_types": sorted(((code, labels.object_label(code)) for code in set(labels.OBJECT_TYPES) | logged_types),
                               key=lambda item: item[1]),
        "actors": actors,
    }


@dataclass
class Shown:
    """One entry as a person reads it."""

    entry: AuditLog
    action: str
    object: str
    division: str
    before: list = field(default_factory=list)  # [(field name, value shown)]
    after: list = field(default_factory=list)


def present(entries) -> list[Shown]:
    """Entries with Chinese names for the action, the object and each field, and coded values
    (states, roles, cities, user ids) by what they mean; people and places are looked up once."""
    from ..reference.models import Division

    entries = list(entries)
    user_ids, codes = set(), set()
    for entry in entries:
        codes.add(entry.division_code)
        for values in (entry.before or {}, entry.after or {}):
            for key, value in values.items():
                if key in labels.USER_FIELDS and isinstance(value, int):
                    user_ids.add(value)
                elif key in labels.DIVISION_FIELDS and isinstance(value, str):
                    codes.add(value)
    users = labels.people(user_ids) if user_ids else {}
    places = dict(db.session.execute(select(Division.code, Division.name).where(
        Division.code.in_([c for c in codes if c]))).all())

    def shown(object_type: str, key: str, value):
        if key in labels.USER_FIELDS and isinstance(value, int):
            return users.get(value, f"账号 {value}")
        if key in labels.DIVISION_FIELDS and isinstance(value, str):
            return f"{places[value]}（{value}）" if value in places else value
        names = labels.value_names(object_type, key)
        if isinstance(value, list):
            return "、".join(str(names.get(v, v)) if isinstance(v, str) else str(v) for v in value) or "（无）"
        if isinstance(value, str) and value in names:
            return names[value]
        if isinstance(value, dict):
            return "；".join(f"{labels.field_label(k)}：{shown(object_type, k, v)}" for k, v in value.items())
        return value

    def fields(object_type: str, values: dict | None) -> list:
        return [(labels.field_label(k), shown(object_type, k, v)) for k, v in (values or {}).items()]

    return [Shown(entry=e, action=labels.action_label(e.action), object=labels.object_label(e.object_type),
                  division=places.get(e.division_code, e.division_code or ""),
                  before=fields(e.object_type, e.before), after=fields(e.object_type, e.after)) for e in entries]


EXPORT_HEADERS = ["时间（北京时间）", "操作人", "操作人角色", "操作", "操作代码", "对象", "对象编号", "行政区划",
                  "变更前", "变更后", "说明"]


def export_rows(actor, **filters):
    """The filtered log for a spreadsheet, newest first, at most EXPORT_LIMIT rows."""
    roles = labels.value_names(None, "role")
    query = search(actor, **filters).limit(EXPORT_LIMIT)
    for batch in _batches(db.session.scalars(query)):
        for s in present(batch):
            e = s.entry
            yield [format_moment(e.at, seconds=True), e.actor_name, roles.get(e.actor_role, "系统"), s.action, e.action,
                   s.object, e.object_id, s.division, _joined(s.before), _joined(s.after), e.note or ""]


def _batches(rows, size: int = 500):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _joined(pairs) -> str:
    return "；".join(f"{name}：{_text(value)}" for name, value in pairs)


def _text(value) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None or value == "":
        return "（空）"
    return str(value)
