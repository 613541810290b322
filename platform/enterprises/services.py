"""Enterprise registry rules: who sees which enterprise, validation, creation and editing."""
import re

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from ..core import access
from ..core.auditlog.services import diff, record
from ..core.errors import NotFound, PermissionDenied, ValidationError, collect, text
from ..core.extensions import db
from ..core.models_base import small_int
from ..core.reference.services import city_of, parse_division, parse_industry
from . import uscc as uscc_rules
from .models import FLAGS, PERMIT_CLASSES, Enterprise, Park

# Fields an enterprise keeps itself; the flags, codes and name are the regulator's.
SELF_SERVICE_FIELDS = ("legal_representative", "address", "contact_person", "contact_phone")
PHONE = re.compile(r"^[0-9+\-() ]{7,30}$")


# --- who sees what ---------------------------------------------------------------------------

def scope_clause(user):
    """SQL condition on Enterprise for the enterprises `user` may see (access.enterprise_scope)."""
    return access.enterprise_scope(user, Enterprise.city_code, Enterprise.id)


def get_visible(user, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not access.sees_enterprise(user, enterprise):
        raise NotFound("未找到该企业。")  # outside the scope reads as missing (errors.NotFound)
    return enterprise


def get_editable(user, enterprise_id: int) -> Enterprise:
    """An enterprise whose registry entry `user` keeps (its city's or the province's regulators, admins)."""
    enterprise = get_visible(user, enterprise_id)
    if not access.manages_city(user, enterprise.city_code):
        raise PermissionDenied("该企业不在您的管辖范围内。")
    return enterprise


def by_uscc(code) -> Enterprise | None:
    """The enterprise registered under `code`, normalised as every form and file is (uscc.normalize);
    the one lookup by code."""
    code = uscc_rules.normalize(code)
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == code)) if code else None


def by_usccs(codes) -> dict[str, Enterprise]:
    """Code -> enterprise, for the codes of a list that are registered."""
    codes = {uscc_rules.normalize(c) for c in codes} - {""}
    return {e.uscc: e for e in db.session.scalars(select(Enterprise).where(Enterprise.uscc.in_(codes)))}


def name_or_code(q: str):
    """SQL condition: the name contains `q` (any case, % and _ literal), or `q` is the code."""
    q = (q or "").strip()
    return or_(Enterprise.name.icontains(q, autoescape=True), Enterprise.uscc == uscc_rules.normalize(q))


def find_public(q: str):
    """The public register's search: every enterprise by name or code, in a stable order."""
    return select(Enterprise).where(name_or_code(q)).order_by(Enterprise.name, Enterprise.id)


def search(user, *, q: str = "", city: str = "", industry: str = "", flag: str = ""):
    """A select of the enterprises `user` may see, filtered, in a stable order (for pagination)."""
    if not access.is_person(user, "regulator", "admin"):
        raise PermissionDenied("只有监管部门可以查询企业名录。")
    query = select(Enterprise).where(scope_clause(user))
    q = (q or "").strip()
    if q:
        # icontains: case-insensitive on every database (PostgreSQL's LIKE is not), % and _ literal.
        query = query.where(name_or_code(q))
    if city:
        query = query.where(Enterprise.city_code == city)
    if industry:
        query = query.where(Enterprise.industry_code == industry)
    if flag in FLAGS:
        query = query.where(getattr(Enterprise, flag).is_(True))
    return query.order_by(Enterprise.city_code, Enterprise.name, Enterprise.id)


# --- validation --------------------------------------------------------------------------------

def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "on", "是", "√"}


def clean(raw: dict, *, allow_bad_check: bool = False) -> dict:
    """Validate an enterprise's fields from a form, the API or an import row.

    Raises InvalidFields naming every wrong field with its reason; returns model-ready values.
    """
    def division():
        return parse_division(str(raw.get("division_code") or ""), "division_code")

    def industry():
        return parse_industry(str(raw.get("industry_code") or ""), "industry_code")

    def permit_class():
        value = str(raw.get("permit_class") or "").strip()
        if not value:
            return None
        for key, label in PERMIT_CLASSES.items():
            if value in (key, label):
                return key
        raise ValidationError("排污许可管理类别应为重点管理、简化管理或登记管理。", "permit_class")

    def phone():
        value = str(raw.get("contact_phone") or "").strip()
        if value and not PHONE.match(value):
            raise ValidationError("联系电话格式不正确。", "contact_phone")
        return value or None

    def park():
        value = str(raw.get("park_id") or "").strip()
        if value in ("", "0"):
            return None
        chosen = db.session.get(Park, small_int(value)) if small_int(value) is not None else None
        if chosen is None:
            raise ValidationError("所选园区不存在。", "park_id")
        city = city_of(str(raw.get("division_code") or "").strip())
        if city is not None and chosen.city_code != city:
            raise ValidationError(f"所选园区位于{chosen.city.name}，与企业所在地不符。", "park_id")
        return chosen.id

    values = collect({
        "name": text(raw.get("name"), "name", "企业名称", 200, required=True),
        "uscc": lambda: uscc_rules.validate(raw.get("uscc"), "uscc", allow_bad_check=allow_bad_check),
        "division": division,
        "industry": industry,
        "legal_representative": text(raw.get("legal_representative"), "legal_representative", "法定代表人", 50),
        "address": text(raw.get("address"), "address", "地址", 300),
        "permit_no": text(raw.get("permit_no"), "permit_no", "排污许可证编号", 40),
        "permit_class": permit_class,
        "mandatory_reason": text(raw.get("mandatory_reason"), "mandatory_reason", "强制审核原因", 2000),
        "contact_person": text(raw.get("contact_person"), "contact_person", "联系人", 50),
        "contact_phone": phone,
        "park_id": park,
    })
    values["city_code"], values["county_code"] = values.pop("division")
    values["county_code"] = values["county_code"] or None
    values["industry_code"], values["industry_class"] = values.pop("industry")
    for flag in FLAGS:
        values[flag] = _bool(raw.get(flag))
    return values


def _check_override(actor, raw_uscc: str, allow_bad_check: bool) -> bool:
    """True when the code is kept only thanks to the pilot-code override."""
    if not allow_bad_check:
        return False
    if not access.is_person(actor, "regulator", "admin"):
        raise PermissionDenied("只有监管部门可以登记校验位不符的早期试点代码。")
    return not uscc_rules.is_valid(raw_uscc)


def as_raw(enterprise: Enterprise) -> dict:
    """An enterprise's fields in the shape `clean` takes (forms are filled from it too)."""
    raw = enterprise.snapshot()
    raw["division_code"] = enterprise.division_code
    raw["industry_code"] = enterprise.industry_class
    return raw


# --- changes -----------------------------------------------------------------------------------

def create(actor, raw: dict, *, allow_bad_check: bool = False) -> Enterprise:
    values = clean(raw, allow_bad_check=allow_bad_check)
    overridden = _check_override(actor, values["uscc"], allow_bad_check)
    if not access.manages_city(actor, values["city_code"]):
        raise PermissionDenied("您只能登记本辖区的企业。", "division_code")
    if by_uscc(values["uscc"]) is not None:
        raise ValidationError(f"统一社会信用代码 {values['uscc']} 已登记。", "uscc")
    enterprise = Enterprise(uscc_check_overridden=overridden, **values)
    db.session.add(enterprise)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # registered by a concurrent request since the check above
        raise ValidationError(f"统一社会信用代码 {values['uscc']} 已登记。", "uscc") from None
    record(actor, "enterprise.create", "enterprise", enterprise.id, after=enterprise.snapshot(),
           division_code=enterprise.city_code,
           note="早期试点代码，校验位不符，经监管部门确认登记" if overridden else None)
    return enterprise


def update(actor, enterprise: Enterprise, raw: dict, *, allow_bad_check: bool = False) -> bool:
    """Apply a regulator's edit; returns whether anything changed."""
    if not access.manages_city(actor, enterprise.city_code):
        raise PermissionDenied("该企业不在您的管辖范围内。")
    values = clean({**as_raw(enterprise), **raw}, allow_bad_check=allow_bad_check or enterprise.uscc_check_overridden)
    if values["uscc"] != enterprise.uscc:
        raise ValidationError("统一社会信用代码登记后不能修改；如登记有误，请联系系统管理员。", "uscc")
    if not access.manages_city(actor, values["city_code"]):
        raise PermissionDenied("不能把企业移出您的管辖范围。", "division_code")
    for flag in FLAG_EVIDENCE:
        if getattr(enterprise, flag) and not values[flag]:
            for holds, message in FLAG_EVIDENCE[flag].values():
                if holds(enterprise.id):
                    raise ValidationError(message, flag)
    return _apply(actor, enterprise, values, "enterprise.update")


# --- flags that evidence holds ----------------------------------------------------------------------
# A procedure flag (audits.rules.STRICT_CRITERIA reads it) that records kept by another feature hold
# true: a 两高 project in the register (two_high), a declared priority chemical (toxic_substances). The
# feature sets the flag with `hold_flag` in the transaction that records the evidence, and registers
# with `flag_held_by` how to tell that the evidence still stands, so that `update` refuses to clear
# the flag meanwhile. flag -> {name of the test: (test(enterprise_id) -> bool, message)}.
FLAG_EVIDENCE: dict[str, dict[str, tuple]] = {}


def flag_held_by(flag: str, holds, message: str) -> None:
    """Register `holds(enterprise_id)`: while it is true, a regulator cannot clear `flag` (`message` says why)."""
    if flag not in FLAGS:
        raise ValueError(f"unknown enterprise flag {flag}")
    FLAG_EVIDENCE.setdefault(flag, {})[f"{holds.__module__}.{holds.__qualname__}"] = (holds, message)


def hold_flag(actor, enterprise: Enterprise, flag: str, note: str) -> bool:
    """Set `flag` because evidence now stands, written to the audit log as an enterprise update by
    `actor` (the one who recorded the evidence); returns whether it changed."""
    if getattr(enterprise, flag):
        return False
    setattr(enterprise, flag, True)
    record(actor, "enterprise.update", "enterprise", enterprise.id, division_code=enterprise.city_code,
           before={flag: False}, after={flag: True}, note=note)
    return True


def update_own_profile(actor, enterprise: Enterprise, raw: dict) -> bool:
    """The enterprise keeps its representative, address and contact data."""
    if not access.is_person(actor, "enterprise") or actor.enterprise_id != enterprise.id:
        raise PermissionDenied("只能修改本企业的资料。")
    merged = {**as_raw(enterprise), **{k: raw.get(k) for k in SELF_SERVICE_FIELDS}}
    values = clean(merged, allow_bad_check=enterprise.uscc_check_overridden)
    return _apply(actor, enterprise, {k: values[k] for k in SELF_SERVICE_FIELDS}, "enterprise.update_profile")


def _apply(actor, enterprise: Enterprise, values: dict, action: str) -> bool:
    before, after = diff(enterprise.snapshot(), {**enterprise.snapshot(), **values})
    if not after:
        return False
    for field, value in values.items():
        setattr(enterprise, field, value)
    record(actor, action, "enterprise", enterprise.id, before=before, after=after, division_code=enterprise.city_code)
    return True


def park_choices(city_code: str | None = None) -> list[Park]:
    query = select(Park).order_by(Park.city_code, Park.name)
    if city_code:
        query = query.where(Park.city_code == city_code)
    return list(db.session.scalars(query))
