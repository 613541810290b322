"""The expert pool and the service organisations: registration, profile, approval, search, track record.

Review panels (draws, scoring, conclusions) are a feature of their own: platform/reviews.
"""
import re

from sqlalchemy import case, func, select

from search import SearchQuery

from ..core import access
from ..accounts import services as accounts
from ..accounts.models import User
from ..core.auditlog.services import diff, record
from ..audits.models import AuditRound, RoundEvent
from ..enterprises import uscc as uscc_rules
from ..enterprises.services import PHONE
from ..core.errors import collect, InvalidFields, NotFound, PermissionDenied, text, ValidationError
from ..core.extensions import db
from ..core.indexing.services import backend
from ..core.models_base import small_int, utcnow
from ..core.reference.models import Industry
from ..core.reference.services import parse_division, parse_industry
from .models import STATUSES, Expert, ExpertConflict, ExpertNotice, ServiceOrg
from ..core.access import SYSTEM

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SPLIT = re.compile(r"[;；,，、\s]+")
DIRECTORY_FACETS = ("specialty_codes",)
# The regulator's decisions on an expert: allowed from, to, label, whether a reason is required.
DECISIONS = {
    "approve": (("pending", "suspended"), "approved", "批准入库", False),
    "suspend": (("approved",), "suspended", "暂停", True),
    "retire": (("pending", "approved", "suspended"), "retired", "退出专家库", True),
}


# --- who may act (core.access decides) ---------------------------------------------------------

def expert_of(user) -> Expert | None:
    if not access.is_person(user, "expert"):
        return None
    return db.session.scalar(select(Expert).where(Expert.user_id == user.id))


def my_expert(user) -> Expert:
    """The signed-in expert's own profile; refused for an account without one."""
    expert = expert_of(user)
    if expert is None:
        raise PermissionDenied("您的账号尚未关联专家资料。")
    return expert


def get_expert(expert_id: int) -> Expert:
    expert = db.session.get(Expert, expert_id)
    if expert is None:
        raise NotFound("未找到该专家。")
    return expert


def _require_self(actor, expert: Expert) -> None:
    if not access.is_system(actor) and getattr(actor, "id", None) != expert.user_id:
        raise PermissionDenied("只能修改本人的专家资料。")


def notify(expert_id: int, message: str, panel_id: int | None = None) -> ExpertNotice:
    """Tell an expert: shown on their tasks page, and e-mailed by the notices job when SMTP is configured."""
    notice = ExpertNotice(expert_id=expert_id, panel_id=panel_id, message=message)
    db.session.add(notice)
    return notice


def notices_of(expert: Expert, limit: int = 50) -> list[ExpertNotice]:
    return list(db.session.scalars(select(ExpertNotice).where(ExpertNotice.expert_id == expert.id)
                                   .order_by(ExpertNotice.id.desc()).limit(limit)))


# --- profile -----------------------------------------------------------------------------------

def _industry_codes(raw: dict) -> list[str]:
    value = raw.get("industry_codes") or ""
    codes = value if isinstance(value, (list, tuple)) else SPLIT.split(str(value))
    codes = sorted({parse_industry(str(code).strip(), "industry_codes")[0] for code in codes if str(code).strip()})
    if not codes:
        raise ValidationError("请至少选择一个专业行业。", "industry_codes")
    return codes


def clean(raw: dict) -> dict:
    """Validate an expert's profile from a form or the demo loader; InvalidFields names every wrong field."""
    def years():
        value = str(raw.get("years_of_practice") if raw.get("years_of_practice") is not None else "").strip()
        years = small_int(value)
        if years is None or years > 70:
            raise ValidationError("从业年限应为 0–70 之间的整数。", "years_of_practice")
        return years

    def phone():
        value = str(raw.get("phone") or "").strip()
        if not value:
            raise ValidationError("请填写联系电话。", "phone")
        if not PHONE.match(value):
            raise ValidationError("联系电话格式不正确。", "phone")
        return value

    def email():
        value = str(raw.get("email") or "").strip()
        if value and (len(value) > 200 or not EMAIL.match(value)):
            raise ValidationError("电子邮箱格式不正确。", "email")
        return value or None

    return collect({
        "name": text(raw.get("name"), "name", "姓名", 50, required=True),
        "title": text(raw.get("title"), "title", "职称", 50, required=True),
        "employer": text(raw.get("employer"), "employer", "工作单位", 200, required=True),
        "employer_uscc": lambda: uscc_rules.validate(raw.get("employer_uscc"), "employer_uscc"),
        "industry_codes": lambda: _industry_codes(raw),
        "fields": text(raw.get("fields"), "fields", "专业领域", 300),
        "qualifications": text(raw.get("qualifications"), "qualifications", "执业资格与主要业绩", 5000),
        "years_of_practice": years,
        "phone": phone,
        "email": email,
    })


def _apply(expert: Expert, values: dict) -> None:
    codes = values.pop("industry_codes")
    for field, value in values.items():
        setattr(expert, field, value)
    if codes != expert.industry_codes:
        expert.industries = list(db.session.scalars(select(Industry).where(Industry.code.in_(codes))))
        # A change of specialties alone does not update the expert's row; touch it so that its
        # version (and with it the search document) moves on.
        expert.updated_at = utcnow()


def register(*, username: str, password: str, profile: dict, conflicts: list[dict] = (),
             confirm: str | None = None, conflict_lines: str | None = None) -> Expert:
    """Public sign-up: an expert account and a pending profile, in one transaction.

    Every wrong field is named at once — the profile, the account's name and password (with the
    repeated password when `confirm` is given), each wrong line of `conflict_lines` — so that the
    form comes back once, not once for each rule."""
    errors = {}
    try:
        values = clean(profile)
    except InvalidFields as exc:
        errors.update(exc.errors)
    errors.update(accounts.new_account_problems(username, password, confirm))
    if conflict_lines is not None:
        try:
            conflicts = parse_conflict_lines(conflict_lines)
        except ValidationError as exc:
            errors["conflicts"] = exc.message
    if errors:
        raise InvalidFields(errors)
    user = accounts.create_user(SYSTEM, username=username, password=password, role="expert",
                                display_name=values["name"])
    return add_profile(user, profile, conflicts)


def add_profile(user, profile: dict, conflicts: list[dict] = ()) -> Expert:
    """A pending expert profile for an account of role expert (sign-up, or an operator for an existing account)."""
    if user.role != "expert":
        raise ValidationError("只有专家账号可以登记专家资料。", "username")
    if db.session.scalar(select(Expert.id).where(Expert.user_id == user.id)):
        raise ValidationError("该账号已有专家资料。", "username")
    expert = Expert(user_id=user.id, status="pending")
    _apply(expert, clean(profile))
    db.session.add(expert)
    db.session.flush()
    for conflict in conflicts:
        declare_conflict(user, expert, **conflict)
    record(user, "expert.register", "expert", expert.id, after=_public_snapshot(expert))
    return expert


def create_by_operator(profile: dict, *, username: str, password: str, status: str = "approved",
                       reason: str | None = None) -> Expert:
    """The demo loader and the CLI: an expert already decided on."""
    expert = register(username=username, password=password, profile=profile)
    if status != "pending":
        decide(SYSTEM, expert, "approve")
    if status in ("suspended", "retired"):
        decide(SYSTEM, expert, {"suspended": "suspend", "retired": "retire"}[status], reason)
    return expert


def _public_snapshot(expert: Expert) -> dict:
    """What the audit log keeps of a change: never the contact data itself."""
    data = expert.snapshot()
    for field in ("phone", "email"):
        data[field] = "（已修改）" if data.get(field) else None
    return data


def update_profile(actor, expert: Expert, raw: dict) -> bool:
    """The expert edits their profile; True when anything changed or was asked for.

    A change of a key field sends an approved expert back for approval. A new name of an expert
    already decided on waits for the province regulator (pending_name): the name is on published
    panel records and in the public directory. An applicant's whole profile is under review anyway,
    so their new name applies at once.
    """
    _require_self(actor, expert)
    before = expert.snapshot()
    reviewed_name = expert.status != "pending" or expert.pending_name is not None
    values = clean({**before, "name": expert.pending_name or expert.name, **raw})
    name_asked = False
    if reviewed_name:
        name_asked = _ask_for_name(actor, expert, values.pop("name"))
        values["name"] = expert.name
    old, new = diff(before, {**before, **values})
    if not new:
        return name_asked
    _apply(expert, values)
    changed_keys = [f for f in Expert.KEY_FIELDS if f in new]
    note = None
    if changed_keys and expert.status == "approved":
        labels = {"title": "职称", "employer": "工作单位", "employer_uscc": "单位统一社会信用代码", "industry_codes": "专业行业"}
        note = f"修改了{'、'.join(labels[f] for f in changed_keys)}，待监管部门重新审核"
        expert.status = "pending"
        expert.status_reason = note
        expert.status_changed_at = utcnow()
        expert.status_changed_by_id = getattr(actor, "id", None)
    masked_old, masked_new = ({k: ("（已修改）" if k in ("phone", "email") else v) for k, v in d.items()}
                              for d in (old, new))
    record(actor, "expert.update", "expert", expert.id, before=masked_old, after=masked_new, note=note)
    return True


def _ask_for_name(actor, expert: Expert, wanted: str) -> bool:
    """Record (or withdraw) a request for a new name; True when the request changed."""
    asked = wanted if wanted != expert.name else None
    if asked == expert.pending_name:
        return False
    record(actor, "expert.name.request", "expert", expert.id, before={"pending_name": expert.pending_name},
           after={"name": expert.name, "pending_name": asked},
           note="待自治区监管部门审核" if asked else "撤回姓名变更申请")
    expert.pending_name, expert.pending_name_at = asked, utcnow() if asked else None
    return True


def decide_name(actor, expert: Expert, *, approve: bool, note: str = "") -> None:
    """The province regulator approves (the name changes now) or rejects an expert's new name."""
    access.require_province_regulator(actor, "只有自治区监管部门可以审核专家姓名变更。")
    if not expert.pending_name:
        raise ValidationError("该专家没有待审核的姓名变更。", "name")
    note = (note or "").strip()[:2000] or None
    asked = expert.pending_name
    if approve:
        record(actor, "expert.name.approve", "expert", expert.id, before={"name": expert.name},
               after={"name": asked}, note=note)
        expert.name = asked
    else:
        record(actor, "expert.name.reject", "expert", expert.id, before={"pending_name": asked},
               after={"name": expert.name}, note=note)
    expert.pending_name = expert.pending_name_at = None
    notify(expert.id, f"您申请将姓名改为“{asked}”，{'已获批准' if approve else '未获批准'}"
                      f"{'：' + note if note else ''}。")


def pending_names() -> list[Expert]:
    """Experts whose new name waits for the province regulator."""
    return list(db.session.scalars(select(Expert).where(Expert.pending_name.is_not(None))
                                   .order_by(Expert.pending_name_at, Expert.id).limit(200)))


def declare_conflict(actor, expert: Expert, *, uscc: str, organisation: str = "", note: str = "") -> ExpertConflict:
    _require_self(actor, expert)
    code = uscc_rules.validate(uscc, "conflict_uscc")
    organisation = (organisation or "").strip()[:200] or None
    note = (note or "").strip()[:300] or None
    if any(c.uscc == code for c in expert.conflicts):
        raise ValidationError(f"已申报过与 {code} 的利益冲突。", "conflict_uscc")
    conflict = ExpertConflict(uscc=code, organisation=organisation, note=note)
    expert.conflicts.append(conflict)
    db.session.flush()
    record(actor, "expert.conflict.declare", "expert", expert.id,
           after={"uscc": code, "organisation": organisation, "note": note})
    return conflict


def withdraw_conflict(actor, expert: Expert, conflict_id: int) -> None:
    _require_self(actor, expert)
    conflict = next((c for c in expert.conflicts if c.id == conflict_id), None)
    if conflict is None:
        raise NotFound("未找到该利益冲突申报。")
    record(actor, "expert.conflict.withdraw", "expert", expert.id,
           before={"uscc": conflict.uscc, "organisation": conflict.organisation})
    expert.conflicts.remove(conflict)


def parse_conflict_lines(text: str) -> list[dict]:
    """Registration's conflicts box: one per line, “统一社会信用代码 单位名称 说明”."""
    out, wrong = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.strip().split(maxsplit=2)
        if not parts:
            continue
        try:
            uscc_rules.validate(parts[0], "conflicts")
        except ValidationError as exc:
            wrong.append(f"第 {number} 行（{parts[0][:24]}）：{exc.message}")
            continue
        out.append({"uscc": parts[0], "organisation": parts[1] if len(parts) > 1 else "",
                    "note": parts[2] if len(parts) > 2 else ""})
    if wrong:
        raise ValidationError("；".join(wrong), "conflicts")
    return out


# --- the regulator's decisions -----------------------------------------------------------------

def decide(actor, expert: Expert, action: str, reason: str | None = None) -> None:
    access.require_province_regulator(actor, "只有自治区监管部门可以审核专家入库申请。")
    if action not in DECISIONS:
        raise ValidationError("不支持的操作。", "action")
    allowed, target, label, reason_required = DECISIONS[action]
    if expert.status not in allowed:
        raise ValidationError(f"该专家当前为“{expert.status_label}”，不能{label}。", "action")
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationError(f"{label}须写明理由。", "reason")
    record(actor, f"expert.{action}", "expert", expert.id, before={"status": expert.status},
           after={"status": target}, note=reason or None)
    expert.status = target
    expert.status_reason = reason or None
    expert.status_changed_at = utcnow()
    expert.status_changed_by_id = getattr(actor, "id", None)


def pool_query(actor, *, status: str = ""):
    """Regulators' list of the pool from the database (used where search is not needed)."""
    access.require_role(actor, *access.READERS, message="只有监管部门可以进行此操作。")
    query = select(Expert).order_by(Expert.id.desc())
    if status in STATUSES:
        query = query.where(Expert.status == status)
    return query


# --- search ------------------------------------------------------------------------------------

def directory(q: str = "", *, specialty: str = "", page: int = 1, per_page: int = 20):
    """The public directory: approved experts only. Raises search.SearchUnavailable when search is down."""
    filters = {"status": "approved"}
    if specialty:
        filters["specialty_codes"] = specialty
    return backend().search("experts", SearchQuery(text=q or "", filters=filters, facets=DIRECTORY_FACETS,
                                                   page=page, per_page=per_page))


def search_pool(actor, q: str = "", *, status: str = "", specialty: str = "", page: int = 1, per_page: int = 20):
    """The regulator's search of the whole pool: (result, experts in result order, contact data included)."""
    access.require_role(actor, *access.READERS, message="只有监管部门可以进行此操作。")
    filters = {}
    if status in STATUSES:
        filters["status"] = status
    if specialty:
        filters["specialty_codes"] = specialty
    result = backend().search("experts", SearchQuery(text=q or "", filters=filters,
                                                     facets=("status", "specialty_codes"), page=page,
                                                     per_page=per_page))
    ids = [int(i) for i in result.ids]
    rows = {e.id: e for e in db.session.scalars(select(Expert).where(Expert.id.in_(ids)))}
    return result, [rows[i] for i in ids if i in rows]


# --- service organisations ---------------------------------------------------------------------

def clean_service_org(raw: dict) -> dict:
    def city():
        return parse_division(str(raw.get("division_code") or ""), "division_code")[0]

    def contact_phone():
        value = str(raw.get("contact_phone") or "").strip()
        if value and not PHONE.match(value):
            raise ValidationError("联系电话格式不正确。", "contact_phone")
        return value or None

    def user_id():
        username = str(raw.get("username") or "").strip()
        if not username:
            return None
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or user.role != "service_org":
            raise ValidationError("未找到该服务机构账号（角色须为“服务机构”）。", "username")
        return user.id

    return collect({
        "name": text(raw.get("name"), "name", "机构名称", 200, required=True),
        "uscc": lambda: uscc_rules.validate(raw.get("uscc"), "uscc"),
        "city_code": city,
        "address": text(raw.get("address"), "address", "地址", 300),
        "contact_person": text(raw.get("contact_person"), "contact_person", "联系人", 50),
        "contact_phone": contact_phone,
        "user_id": user_id,
    })


def create_service_org(actor, raw: dict) -> ServiceOrg:
    """Register a consultancy in the registry (province regulator, or the CLI and demo loader)."""
    access.require_province_regulator(actor, "只有自治区监管部门可以登记服务机构。")
    values = clean_service_org(raw)
    if db.session.scalar(select(ServiceOrg.id).where(ServiceOrg.uscc == values["uscc"])):
        raise ValidationError(f"统一社会信用代码 {values['uscc']} 的服务机构已登记。", "uscc")
    if db.session.scalar(select(ServiceOrg.id).where(ServiceOrg.name == values["name"])):
        raise ValidationError("同名服务机构已登记。", "name")
    if values["user_id"] and db.session.scalar(select(ServiceOrg.id).where(ServiceOrg.user_id == values["user_id"])):
        raise ValidationError("该账号已关联其他服务机构。", "username")
    org = ServiceOrg(**values)
    db.session.add(org)
    db.session.flush()
    record(actor, "service_org.create", "service_org", org.id, after=org.snapshot())
    return org


def service_org_of(user) -> ServiceOrg | None:
    if not access.is_person(user, "service_org"):
        return None
    return db.session.scalar(select(ServiceOrg).where(ServiceOrg.user_id == user.id))


def get_service_org(org_id: int) -> ServiceOrg:
    org = db.session.get(ServiceOrg, org_id)
    if org is None:
        raise NotFound("未找到该服务机构。")
    return org


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def track_records(org_ids=None) -> dict[int, dict]:
    """Per organisation: rounds served, evaluations and acceptances concluded and passed (SQL aggregates).

    Each conclusion counts, so a report that failed evaluation and passed on revision counts once
    failed and once passed: the rate is that of the reviews the organisation's reports went through.
    """
    served = (select(AuditRound.service_org_id, func.count(AuditRound.id))
              .where(AuditRound.service_org_id.is_not(None), AuditRound.state != "cancelled")
              .group_by(AuditRound.service_org_id))

    def counted(*states):
        return func.coalesce(func.sum(case((RoundEvent.to_state.in_(states), 1), else_=0)), 0)

    reviews = (select(AuditRound.service_org_id,
                      counted("evaluation_passed", "evaluation_failed"), counted("evaluation_passed"),
                      counted("accepted", "acceptance_failed"), counted("accepted"))
               .join(RoundEvent, RoundEvent.round_id == AuditRound.id)
               .where(AuditRound.service_org_id.is_not(None))
               .group_by(AuditRound.service_org_id))
    if org_ids is not None:
        served = served.where(AuditRound.service_org_id.in_(list(org_ids)))
        reviews = reviews.where(AuditRound.service_org_id.in_(list(org_ids)))
    out: dict[int, dict] = {}
    blank = {"rounds": 0, "evaluations": 0, "evaluations_passed": 0, "acceptances": 0, "accepted": 0}
    for org_id, count in db.session.execute(served):
        out.setdefault(org_id, dict(blank))["rounds"] = count
    for org_id, evaluations, passed, acceptances, accepted in db.session.execute(reviews):
        out.setdefault(org_id, dict(blank)).update(evaluations=int(evaluations), evaluations_passed=int(passed),
                                                   acceptances=int(acceptances), accepted=int(accepted))
    for org_id in (org_ids or []):
        out.setdefault(org_id, dict(blank))
    for values in out.values():
        values["evaluation_pass_rate"] = _rate(values["evaluations_passed"], values["evaluations"])
        values["acceptance_pass_rate"] = _rate(values["accepted"], values["acceptances"])
    return out


def service_orgs_query(*, q: str = "", city: str = ""):
    query = select(ServiceOrg).where(ServiceOrg.active.is_(True)).order_by(ServiceOrg.name, ServiceOrg.id)
    if q:
        query = query.where(ServiceOrg.name.icontains(q, autoescape=True))
    if city:
        query = query.where(ServiceOrg.city_code == city)
    return query


def rounds_served(org: ServiceOrg, limit: int = 200) -> list[AuditRound]:
    return list(db.session.scalars(select(AuditRound).where(AuditRound.service_org_id == org.id)
                                   .order_by(AuditRound.id.desc()).limit(limit)))

