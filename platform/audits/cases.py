"""Non-compliance cases (违规案件): what regulators do with them. The scan is in jobs.py."""
from datetime import date

from sqlalchemy import func, select

from ..core import access
from ..core.auditlog.services import diff, record
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from .models import CASE_STATES, OPEN_CASE_STATES, Case
from .rules import CAUSES
from ..core.dates import beijing_today

STATUS_FILTERS = {**CASE_STATES, "active": "全部未结"}


def open_by_city() -> dict[str, int]:
    """City code -> cases not yet settled (open, rectifying, overdue): a count only, for the public map."""
    return dict(db.session.execute(
        select(Enterprise.city_code, func.count(Case.id)).join(Enterprise, Enterprise.id == Case.enterprise_id)
        .where(Case.state.in_(OPEN_CASE_STATES)).group_by(Enterprise.city_code)).all())


def visible(user, status: str | None = None, q: str = "", city: str = ""):
    """A select of the cases `user` may see (regulators: their region), newest first."""
    if not access.is_person(user, "regulator", "admin"):
        raise PermissionDenied("只有监管部门可以查看违规案件。")
    query = select(Case).join(Enterprise, Enterprise.id == Case.enterprise_id).where(enterprises.scope_clause(user))
    if status == "active":
        query = query.where(Case.state.in_(("open", "rectifying", "overdue")))
    elif status:
        if status not in CASE_STATES:
            raise ValidationError(f"案件状态“{status}”不正确，应为 {', '.join(STATUS_FILTERS)} 之一。", "status")
        query = query.where(Case.state == status)
    if q:
        query = query.where(enterprises.name_or_code(q))
    if city:
        query = query.where(Enterprise.city_code == city)
    return query.order_by(Case.opened_on.desc(), Case.id.desc())


def get_case(user, case_id: int) -> Case:
    if not access.is_person(user, "regulator", "admin"):
        raise PermissionDenied("只有监管部门可以查看案件。")
    case = db.session.get(Case, case_id)
    if case is None or not access.sees_enterprise(user, case.enterprise):
        raise NotFound("未找到该案件。")
    return case


def open_case(actor, round_, *, cause: str, note: str = "", today: date | None = None) -> Case:
    """A regulator opens a case by hand (the scan opens the others); one open case per round and cause."""
    access.require_regulator_of(actor, round_.enterprise.city_code)
    if access.is_system(actor):
        raise PermissionDenied("只有监管部门可以立案。")
    if cause not in CAUSES:
        raise ValidationError("请选择违规情形。", "cause")
    if round_.kind != "mandatory":
        raise ValidationError("自愿性审核和评价认证不因期限立案。", "cause")
    existing = db.session.scalar(select(Case).where(Case.round_id == round_.id, Case.cause == cause,
                                                    Case.state.in_(("open", "rectifying", "overdue"))))
    if existing is not None:
        raise ValidationError(f"该轮次已有同一违规情形的未结案件（#{existing.id}）。", "cause")
    case = Case(enterprise_id=round_.enterprise_id, round_id=round_.id, cause=cause, state="open",
                opened_on=today or beijing_today(), opened_by_id=actor.id, rectification_note=(note or "").strip() or None)
    db.session.add(case)
    db.session.flush()
    record(actor, "case.open", "case", case.id, after={"round_id": round_.id, "cause": cause},
           division_code=round_.enterprise.city_code, note=note or None)
    return case


def _change(actor, case: Case, action: str, allowed: tuple, **values) -> None:
    access.require_regulator_of(actor, case.enterprise.city_code)
    if case.state not in allowed:
        raise ValidationError(f"案件当前为“{case.state_label}”，不能{action}。", "state")
    before = {k: getattr(case, k) for k in values}
    for key, value in values.items():
        setattr(case, key, value)
    old, new = diff(before, values)
    record(actor, f"case.{values.get('state', 'update')}", "case", case.id, before=old, after=new,
           division_code=case.enterprise.city_code)


def order_rectification(actor, case: Case, *, deadline, note: str = "", today: date | None = None) -> None:
    """责令限期整改: the enterprise must cure the cause by `deadline`."""
    today = today or beijing_today()
    if not isinstance(deadline, date):
        raise ValidationError("请填写整改期限（YYYY-MM-DD）。", "deadline")
    if deadline <= today:
        raise ValidationError(f"整改期限应晚于今天（{today.isoformat()}）。", "deadline")
    if (note or "").strip() == "" and case.rectification_note is None:
        note = f"责令于 {deadline.isoformat()} 前整改：{CAUSES[case.cause]}。"
    _change(actor, case, "责令整改", ("open", "overdue"), state="rectifying", rectification_deadline=deadline,
            rectification_note=(note or "").strip(), rectification_ordered_on=today)


def mark_rectified(actor, case: Case, *, note: str, today: date | None = None) -> None:
    if not (note or "").strip():
        raise ValidationError("请说明整改情况。", "note")
    _change(actor, case, "确认整改", ("open", "rectifying", "overdue"), state="rectified",
            cured_on=today or beijing_today(), closed_reason=note.strip())


def close(actor, case: Case, *, reason: str, today: date | None = None) -> None:
    if not (reason or "").strip():
        raise ValidationError("结案须写明理由。", "reason")
    _change(actor, case, "结案", ("open", "rectified", "overdue"), state="closed", closed_on=today or beijing_today(),
            closed_reason=reason.strip())
