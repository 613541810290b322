"""Training: plans, sessions, enrolment within capacity, attendance, certificates and the hours an expert
has completed (which the panel draw reads, reviews/services.py).

Who does what. A regulator organises: a province regulator keeps the province's plans, a city
regulator its city's; only the organiser adds sessions, enrols people on their behalf and records
attendance. Experts, enterprise users and service-organisation users enrol themselves in the plans
for their own audience (models.ROLE_AUDIENCE); a city's plan is for that city's enterprises and
organisations. Anyone, signed in or not, checks a certificate by its code.
"""
import secrets
from base64 import b32encode
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core import access
from ..core.auditlog.services import record
from ..core.dates import add_months, beijing_date, beijing_today
from ..core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError, collect, text
from ..core.extensions import db
from ..core.models_base import small_int, utcnow
from ..core.reference.models import Division
from ..experts.models import Expert, ServiceOrg
from . import rules
from .models import AUDIENCES, ROLE_AUDIENCE, Enrolment, TrainingPlan, TrainingSession

CERTIFICATE_BYTES = 10  # 80 random bits: 16 base-32 characters, printed in four groups


# --- reading -----------------------------------------------------------------------------------------

def plans_query(*, year: int | None = None, audience: str = ""):
    """Every plan (plans, sessions, places and seats are public; who enrolled is not)."""
    query = select(TrainingPlan).order_by(TrainingPlan.year.desc(), TrainingPlan.id.desc())
    if year:
        query = query.where(TrainingPlan.year == year)
    if audience in AUDIENCES:
        query = query.where(TrainingPlan.audience == audience)
    return query


def get_plan(plan_id: int) -> TrainingPlan:
    plan = db.session.get(TrainingPlan, plan_id)
    if plan is None:
        raise NotFound("未找到该培训计划。")
    return plan


def get_session(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise NotFound("未找到该培训班次。")
    return session


def organises(actor, plan: TrainingPlan) -> bool:
    """A regulator of the plan's region (the province's regulators keep every plan)."""
    return access.is_system(actor) or (access.is_person(actor, "regulator")
                                       and access.regulates_city(actor, plan.division_code))


def _require_organiser(actor, plan: TrainingPlan) -> None:
    if not access.has_role(actor, "regulator"):
        raise PermissionDenied("只有组织培训的监管部门可以进行此操作。")
    if not organises(actor, plan):
        raise NotFound("未找到该培训计划。")  # another region's plan reads as missing here


def enrolments_of_session(actor, session: TrainingSession) -> list[Enrolment]:
    """The roll of a session: for its organiser only."""
    _require_organiser(actor, session.plan)
    return list(session.enrolments)


def get_enrolment(actor, enrolment_id: int) -> Enrolment:
    """The holder, or the organiser of its session; anyone else is told it does not exist."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not (getattr(actor, "id", None) == enrolment.user_id
                                 or organises(actor, enrolment.session.plan)):
        raise NotFound("未找到该报名记录。")
    return enrolment


def my_enrolments(user) -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id)
                                   .options(selectinload(Enrolment.session).selectinload(TrainingSession.plan))
                                   .order_by(Enrolment.id.desc())))


def enrolment_of(user, session: TrainingSession) -> Enrolment | None:
    if not access.signed_in(user) or access.is_system(user):
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.session_id == session.id,
                                                     Enrolment.user_id == user.id))


# --- plans and sessions ------------------------------------------------------------------------------

def _hours(value, field: str, label: str, highest: int) -> Decimal:
    try:
        hours = Decimal(str(value if value is not None else "").strip())
    except InvalidOperation:
        raise ValidationError(f"{label}应为数字。", field) from None
    if not hours.is_finite() or hours <= 0 or hours > highest:
        raise ValidationError(f"{label}应大于 0 且不超过 {highest}。", field)
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError(f"{label}最多保留一位小数。", field)
    return hours


def create_plan(actor, raw: dict) -> TrainingPlan:
    """A regulator adds a plan for its own region (the province's, or its city's)."""
    if not access.has_role(actor, "regulator"):
        raise PermissionDenied("只有监管部门可以制定培训计划。")

    def audience():
        value = str(raw.get("audience") or "")
        if value not in AUDIENCES:
            raise ValidationError("请选择培训对象（行政管理人员、专家、审核咨询服务机构从业人员或企业负责人）。", "audience")
        return value

    def year():
        value = small_int(raw.get("year"))
        if value is None or not 2000 <= value <= 2100:
            raise ValidationError("年度应为四位数年份（2000–2100）。", "year")
        return value

    values = collect({"title": text(raw.get("title"), "title", "计划名称", 200, required=True),
                      "audience": audience, "year": year,
                      "hours": lambda: _hours(raw.get("hours"), "hours", "计划学时", 1000),
                      "content": text(raw.get("content"), "content", "培训内容", 5000)})
    division = Division.PROVINCE if access.is_system(actor) else actor.division_code
    plan = TrainingPlan(**values, division_code=division, created_by_id=getattr(actor, "id", None))
    db.session.add(plan)
    db.session.flush()
    record(actor, "training.plan.create", "training_plan", plan.id, division_code=division,
           after={"title": plan.title, "audience": plan.audience, "year": plan.year, "hours": plan.hours})
    return plan


def add_session(actor, plan: TrainingPlan, raw: dict) -> TrainingSession:
    """The organiser adds a class to its plan: dates within the plan's year, a place, a capacity and hours."""
    _require_organiser(actor, plan)

    def day(field: str, label: str):
        def check():
            value = raw.get(field)
            if not isinstance(value, date):
                try:
                    value = date.fromisoformat(str(value or "").strip())
                except ValueError:
                    raise ValidationError(f"请按 YYYY-MM-DD 填写{label}。", field) from None
            if value.year != plan.year:
                raise ValidationError(f"{label}应在计划年度（{plan.year} 年）内。", field)
            return value
        return check

    def capacity():
        value = small_int(raw.get("capacity"))
        if value is None or not 1 <= value <= 10000:
            raise ValidationError("名额应为 1–10000 的整数。", "capacity")
        return value

    values = collect({"title": text(raw.get("title"), "title", "班次名称", 200, required=True),
                      "starts_on": day("starts_on", "开始日期"), "ends_on": day("ends_on", "结束日期"),
                      "place": text(raw.get("place"), "place", "培训地点", 200, required=True),
                      "capacity": capacity, "hours": lambda: _hours(raw.get("hours"), "hours", "学时", 200)})
    if values["ends_on"] < values["starts_on"]:
        raise InvalidFields({"ends_on": "结束日期不能早于开始日期。"})
    session = TrainingSession(plan=plan, enrolled=0, **values)
    db.session.add(session)
    db.session.flush()
    record(actor, "training.session.create", "training_session", session.id, division_code=plan.division_code,
           after={"plan": plan.id, "title": session.title, "starts_on": session.starts_on,
                  "ends_on": session.ends_on, "place": session.place, "capacity": session.capacity,
                  "hours": session.hours})
    return session


# --- enrolment ---------------------------------------------------------------------------------------

def _holder(user: User) -> tuple[str, str | None]:
    """The name and unit a certificate is printed with."""
    if user.role == "expert":
        expert = db.session.scalar(select(Expert).where(Expert.user_id == user.id))
        if expert is not None:
            return expert.name, expert.employer
    if user.role == "service_org":
        org = db.session.scalar(select(ServiceOrg).where(ServiceOrg.user_id == user.id))
        return user.display_name, org.name if org else None
    if user.role == "enterprise" and user.enterprise is not None:
        return user.display_name, user.enterprise.name
    return user.display_name, None


def _user_city(user: User) -> str | None:
    if user.role == "enterprise" and user.enterprise is not None:
        return user.enterprise.city_code
    if user.role == "service_org":
        org = db.session.scalar(select(ServiceOrg).where(ServiceOrg.user_id == user.id))
        return org.city_code if org else None
    if user.role == "regulator":
        return user.division_code
    return None  # experts and admins serve the whole province


def _require_eligible(user: User, session: TrainingSession) -> None:
    plan = session.plan
    audience = ROLE_AUDIENCE.get(user.role)
    if audience != plan.audience:
        raise ValidationError(f"该培训计划面向{plan.audience_label}，“{user.display_name}”不属于培训对象。", "user")
    if plan.division_code != Division.PROVINCE and user.role != "expert" and _user_city(user) != plan.division_code:
        raise ValidationError(f"该培训计划面向{plan.division.name}的{plan.audience_label}。", "user")


def _enrol(actor, session: TrainingSession, user: User, today: date) -> Enrolment:
    _require_eligible(user, session)
    if today > session.starts_on:
        raise ValidationError(f"该班次已于 {session.starts_on.isoformat()} 开班，不能再报名。", "session")
    if enrolment_of(user, session) is not None:
        raise ValidationError(f"“{user.display_name}”已报名该班次。", "user")
    # The seat first, by one conditional UPDATE: when the class is full nothing is written at all.
    taken = db.session.execute(update(TrainingSession).where(TrainingSession.id == session.id,
                                                             TrainingSession.enrolled < TrainingSession.capacity)
                               .values(enrolled=TrainingSession.enrolled + 1)
                               .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        db.session.refresh(session)
        raise ValidationError(f"该班次名额已满（共 {session.capacity} 人），未能报名；请选择其他班次。", "session")
    name, unit = _holder(user)
    enrolment = Enrolment(session_id=session.id, user_id=user.id, holder_name=name, holder_unit=unit,
                          enrolled_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
            db.session.flush()
    except IntegrityError:  # the same person enrolled at the same instant from another request
        raise ValidationError(f"“{user.display_name}”已报名该班次。", "user") from None
    db.session.refresh(session)
    record(actor, "training.enrol", "training_session", session.id, division_code=session.plan.division_code,
           after={"user_id": user.id, "enrolment": enrolment.id})
    return enrolment


def enrol_self(actor, session: TrainingSession, *, today: date | None = None) -> Enrolment:
    """An expert, an enterprise user or a service organisation's user takes a seat."""
    if not access.is_person(actor, "expert", "enterprise", "service_org"):
        raise PermissionDenied("专家、企业和服务机构用户可以自行报名；其他人员由组织培训的监管部门代为报名。")
    return _enrol(actor, session, actor, today or beijing_today())


def enrol_by_organiser(actor, session: TrainingSession, username: str, *, today: date | None = None) -> Enrolment:
    """The organiser enrols a person by their account name."""
    _require_organiser(actor, session.plan)
    username = (username or "").strip()
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    if user is None or not user.active:
        raise ValidationError("未找到该账号（请填写平台登录名）。", "username")
    return _enrol(actor, session, user, today or beijing_today())


# --- attendance and certificates -----------------------------------------------------------------------

def new_certificate_code() -> str:
    raw = b32encode(secrets.token_bytes(CERTIFICATE_BYTES)).decode("ascii")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalize_code(code: str) -> str | None:
    """A code as people type it (any case, with or without dashes or spaces), or None if it cannot be one."""
    plain = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    if len(plain) != 16 or not all(ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for ch in plain):
        return None
    return "-".join(plain[i:i + 4] for i in range(0, 16, 4))


def record_attendance(actor, enrolment: Enrolment, attended: bool, *, today: date | None = None) -> Enrolment:
    """The organiser records whether the person attended; attending issues the certificate."""
    session = enrolment.session
    _require_organiser(actor, session.plan)
    today = today or beijing_today()
    if today < session.starts_on:
        raise ValidationError(f"该班次 {session.starts_on.isoformat()} 开班，开班后方可登记出勤。", "attended")
    if enrolment.certificate_code:
        raise ValidationError("已为该学员出具培训证书，不能再更改出勤记录。", "attended")
    before = enrolment.attended
    enrolment.attended = bool(attended)
    enrolment.attendance_recorded_by_id = getattr(actor, "id", None)
    enrolment.attendance_recorded_at = utcnow()
    if enrolment.attended:
        enrolment.certificate_code = new_certificate_code()
        enrolment.certificate_issued_at = utcnow()
    record(actor, "training.attendance", "training_session", session.id, division_code=session.plan.division_code,
           before={"enrolment": enrolment.id, "attended": before},
           after={"enrolment": enrolment.id, "user_id": enrolment.user_id, "attended": enrolment.attended,
                  "certificate": bool(enrolment.certificate_code)})
    return enrolment


def certificate(actor, enrolment_id: int) -> Enrolment:
    """A certificate for its holder or the organiser to download."""
    enrolment = get_enrolment(actor, enrolment_id)
    if not enrolment.certificate_code:
        raise NotFound("该报名记录尚无培训证书（出勤登记后出具）。")
    return enrolment


def verify(code: str) -> Enrolment | None:
    """The certificate with this code, for anyone; None when no certificate has it."""
    normal = normalize_code(code)
    if normal is None:
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.certificate_code == normal))


def verification(enrolment: Enrolment) -> dict:
    """What a certificate's public check shows: who, which training, how many hours, issued when."""
    session = enrolment.session
    return {"code": enrolment.certificate_code, "holder": enrolment.holder_name, "unit": enrolment.holder_unit,
            "plan": session.plan.title, "audience": session.plan.audience_label, "session": session.title,
            "starts_on": session.starts_on, "ends_on": session.ends_on, "place": session.place,
            "hours": session.hours, "issued_on": beijing_date(enrolment.certificate_issued_at),
            "organiser": session.plan.division.name}


# --- the experts' hours (the draw reads these) --------------------------------------------------------------

def period_start(on: date) -> date:
    """The first day counted for a draw on `on`: the period is the months before it, `on` included."""
    return add_months(on, -rules.EXPERT_PERIOD_MONTHS.value)


def expert_hours(user_ids, on: date) -> dict[int, Decimal]:
    """Hours of expert training attended in the period ending on `on`, by user id (SQL aggregate)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.user_id, func.sum(TrainingSession.hours))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .join(TrainingPlan, TrainingPlan.id == TrainingSession.plan_id)
        .where(Enrolment.user_id.in_(ids), Enrolment.attended.is_(True), TrainingPlan.audience == "experts",
               TrainingSession.ends_on > period_start(on), TrainingSession.ends_on <= on)
        .group_by(Enrolment.user_id))
    return {user_id: Decimal(total or 0) for user_id, total in rows}


def in_first_period(expert: Expert, on: date) -> bool:
    """An expert who registered less than one period before `on` has that period to train."""
    registered = beijing_date(expert.created_at)
    return registered is None or registered > period_start(on)


def short_of_training(experts, on: date) -> set[int]:
    """The ids of the experts who lack the training hours a draw on `on` requires (rules.EXPERT_HOURS)."""
    required = Decimal(rules.EXPERT_HOURS.value)
    if required <= 0:
        return set()
    subject = [e for e in experts if not in_first_period(e, on)]
    hours = expert_hours([e.user_id for e in subject], on)
    return {e.id for e in subject if hours.get(e.user_id, Decimal(0)) < required}


def training_status(expert: Expert, on: date | None = None) -> dict:
    """An expert's standing against the requirement, for their profile and the pool."""
    on = on or beijing_today()
    hours = expert_hours([expert.user_id], on).get(expert.user_id, Decimal(0))
    required = Decimal(rules.EXPERT_HOURS.value)
    return {"hours": hours, "required": required, "months": rules.EXPERT_PERIOD_MONTHS.value,
            "since": period_start(on), "first_period": in_first_period(expert, on),
            "short": expert.id in short_of_training([expert], on)}
