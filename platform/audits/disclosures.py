"""The structured disclosure of a listed enterprise (《清洁生产审核办法》第十一条): one form per cause of
listing, each holding what the article's item for that cause names; a firm listed for several causes
fills each form (第（四）项).

A form is validated whole (every field, every line) and stored as one immutable version: nothing is
half-written, and a correction is a new version with its reason, the old one kept for the regulators.
The disclosure step of the round (services.disclose) counts only once every form the round asks for
is complete; the date the platform received the last of them is the earliest date it can vouch for.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from ..core.auditlog.services import record as log
from ..core.dates import beijing_today
from ..core.errors import InvalidFields, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from .models import DISCLOSURE_CAUSES, AuditRound, DisclosureForm

MAX_TEXT = 200
MAX_NOTE = 2000
MAX_ROWS = 50
MAX_AMOUNT = Decimal("1e13")  # fits Numeric(18, 4)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | note (long text) | amount (a number >= 0, kept exact as a string)
    unit: str = ""
    required: bool = True


@dataclass(frozen=True)
class Table:
    """Repeated lines of one kind (a pollutant, an energy source, a hazardous waste)."""
    key: str
    label: str
    fields: tuple
    min_rows: int = 1


@dataclass(frozen=True)
class FormSpec:
    cause: str
    label: str
    article: str
    fields: tuple  # scalar fields, after the common ones
    tables: tuple
    # at least one line in one of these tables (a toxic firm may use toxic materials or discharge them)
    one_of: tuple = ()
    one_of_message: str = ""


# 第十一条: every item starts with 企业名称、法人代表、企业所在地址. The legal representative is a
# published fact of the firm (营业执照), not private contact data.
COMMON = (
    Field("enterprise_name", "企业名称"),
    Field("legal_representative", "法定代表人"),
    Field("address", "企业所在地址"),
    Field("year", "数据年度", "text"),
)

FORMS = {
    # 第十一条第（一）项: 排放污染物名称、排放方式、排放浓度和总量、超标及超总量情况
    "over_discharge": FormSpec(
        "over_discharge", "污染物排放信息公开表", "《清洁生产审核办法》第十一条第（一）项",
        fields=(Field("exceedance_note", "超标及超总量排放情况说明", "note"),),
        tables=(Table("pollutants", "排放污染物", (
            Field("pollutant", "污染物名称"),
            Field("discharge_mode", "排放方式"),
            Field("concentration", "排放浓度", "amount"),
            Field("concentration_unit", "浓度单位"),
            Field("limit_value", "排放标准限值", "amount"),
            Field("annual_total_t", "年排放总量", "amount", "t"),
            Field("permitted_total_t", "许可排放量", "amount", "t", required=False),
        )),)),
    # 第十一条第（二）项: 主要能源品种及消耗量、单位产值能耗、单位产品能耗、超过单位产品能耗限额标准情况
    "over_energy": FormSpec(
        "over_energy", "能源消耗信息公开表", "《清洁生产审核办法》第十一条第（二）项",
        fields=(Field("total_tce", "综合能源消费量", "amount", "tce"),
                Field("output_value_consumption", "单位产值能耗", "amount", "tce/万元"),
                Field("over_quota_note", "超过单位产品能耗限额标准情况说明", "note")),
        tables=(
            Table("energy_sources", "主要能源品种及消耗量", (
                Field("energy", "能源品种"),
                Field("amount", "消耗量", "amount"),
                Field("unit", "计量单位"),
            )),
            Table("products", "单位产品能耗与限额", (
                Field("product", "产品"),
                Field("unit_consumption", "单位产品能耗", "amount"),
                Field("unit", "能耗单位"),
                Field("quota_value", "限额值", "amount"),
                Field("quota_standard", "限额标准"),
            )),
        )),
    # 第十一条第（三）项: 使用有毒有害原料的名称、数量、用途，排放有毒有害物质的名称、浓度和数量，
    # 危险废物的产生和处置情况，依法落实环境风险防控措施情况
    "toxic": FormSpec(
        "toxic", "有毒有害物质信息公开表", "《清洁生产审核办法》第十一条第（三）项",
        fields=(Field("risk_measures", "依法落实环境风险防控措施情况", "note"),),
        tables=(
            Table("toxic_materials", "使用的有毒有害原料", (
                Field("name", "原料名称"),
                Field("cas", "CAS 号", required=False),
                Field("amount_t", "年使用量", "amount", "t"),
                Field("purpose", "用途"),
            ), min_rows=0),
            Table("toxic_discharges", "排放的有毒有害物质", (
                Field("name", "物质名称"),
                Field("concentration", "排放浓度", "amount"),
                Field("concentration_unit", "浓度单位"),
                Field("amount_t", "年排放量", "amount", "t"),
            ), min_rows=0),
            Table("hazardous_wastes", "危险废物的产生和处置", (
                Field("name", "危险废物名称"),
                Field("code", "废物代码（如 HW17）", required=False),
                Field("generated_t", "年产生量", "amount", "t"),
                Field("disposed_t", "年处置量", "amount", "t"),
                Field("disposal", "处置方式及去向"),
            ), min_rows=0),
        ),
        one_of=("toxic_materials", "toxic_discharges"),
        one_of_message="请至少填写一种使用的有毒有害原料或排放的有毒有害物质。"),
}
assert set(FORMS) == set(DISCLOSURE_CAUSES)


# --- validation ----------------------------------------------------------------------------------

def _amount(raw, label: str) -> str:
    text = str(raw).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{label}应为数字。") from None
    if not value.is_finite():
        raise ValueError(f"{label}应为数字。")
    if value < 0:
        raise ValueError(f"{label}不能为负数。")
    if value >= MAX_AMOUNT:
        raise ValueError(f"{label}过大。")
    if value.as_tuple().exponent < -4:
        raise ValueError(f"{label}最多保留 4 位小数。")
    return format(value.normalize(), "f")  # 80, 1.5, 0.004: never 8E+1


def _value(field: Field, raw, label: str):
    """The field's stored value (None when left empty), or ValueError with a Chinese message."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        if field.required:
            raise ValueError(f"请填写{label}。")
        return None
    if field.kind == "amount":
        return _amount(text, label)
    limit = MAX_NOTE if field.kind == "note" else MAX_TEXT
    if len(text) > limit:
        raise ValueError(f"{label}最多 {limit} 个字符。")
    if field.key == "year" and not (text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100):
        raise ValueError(f"{label}应为四位年份，例如 2025。")
    return text


def _blank(row: dict) -> bool:
    return all(str(v or "").strip() == "" for v in row.values())


def validate(cause: str, data: dict) -> dict:
    """The form's content, checked whole: every error at once, keyed by field (`pollutants-2-concentration`
    for a line's field, 1-based), or the clean content."""
    spec = FORMS[cause]
    errors: dict[str, str] = {}
    content: dict = {}
    for field in COMMON + spec.fields:
        try:
            content[field.key] = _value(field, data.get(field.key), field.label)
        except ValueError as exc:
            errors[field.key] = str(exc)
    for table in spec.tables:
        rows = [r for r in (data.get(table.key) or []) if isinstance(r, dict) and not _blank(r)]
        if len(rows) > MAX_ROWS:
            errors[table.key] = f"{table.label}最多 {MAX_ROWS} 行。"
        if len(rows) < table.min_rows:
            errors[table.key] = f"请至少填写一行{table.label}。"
        clean_rows = []
        for i, row in enumerate(rows[:MAX_ROWS], start=1):
            clean = {}
            for field in table.fields:
                label = f"{table.label}第 {i} 行的{field.label}"
                try:
                    clean[field.key] = _value(field, row.get(field.key), label)
                except ValueError as exc:
                    errors[f"{table.key}-{i}-{field.key}"] = str(exc)
            clean_rows.append(clean)
        content[table.key] = clean_rows
    if spec.one_of and not any(content.get(k) for k in spec.one_of) and not any(k in errors for k in spec.one_of):
        errors[spec.one_of[0]] = spec.one_of_message
    if errors:
        raise InvalidFields(errors)
    return content


# --- facts derived from a form (shown beside the firm's own words) --------------------------------------

def _gt(a, b) -> bool:
    return a is not None and b is not None and Decimal(a) > Decimal(b)


def flags(cause: str, table: str, row: dict) -> list[str]:
    """What a line shows against its limit: 超标, 超总量, 超限额."""
    out = []
    if table in ("pollutants",) and _gt(row.get("concentration"), row.get("limit_value")):
        out.append("超标")
    if table == "pollutants" and _gt(row.get("annual_total_t"), row.get("permitted_total_t")):
        out.append("超总量")
    if table == "products" and _gt(row.get("unit_consumption"), row.get("quota_value")):
        out.append("超限额")
    return out


# --- reading -------------------------------------------------------------------------------------

def versions_of(round_: AuditRound) -> dict[str, list[DisclosureForm]]:
    """cause -> its versions, newest first, for the causes the round asks for."""
    rows = db.session.scalars(select(DisclosureForm).where(DisclosureForm.round_id == round_.id)
                              .order_by(DisclosureForm.cause, DisclosureForm.version.desc()))
    out: dict[str, list[DisclosureForm]] = {c: [] for c in round_.required_disclosures}
    for row in rows:
        out.setdefault(row.cause, []).append(row)
    return out


def current_forms(round_: AuditRound) -> dict[str, DisclosureForm | None]:
    return {cause: (rows[0] if rows else None) for cause, rows in versions_of(round_).items()}


def missing(round_: AuditRound) -> list[str]:
    return [c for c, form in current_forms(round_).items() if form is None and c in round_.required_disclosures]


def complete_on(round_: AuditRound) -> date | None:
    """The day the platform had every form the round asks for (their first versions): the earliest day
    it can vouch the disclosure was complete. None while one is missing, or when none is asked for."""
    required = round_.required_disclosures
    if not required:
        return None
    firsts = {}
    for cause, rows in versions_of(round_).items():
        if cause in required and rows:
            firsts[cause] = rows[-1].recorded_on
    return max(firsts.values()) if len(firsts) == len(required) else None


def summary(round_: AuditRound) -> dict:
    """For the pages and the API: the forms asked for, which are filled, whether complete."""
    forms = current_forms(round_)
    return {"required": round_.required_disclosures, "forms": forms,
            "missing": [c for c in round_.required_disclosures if forms.get(c) is None],
            "complete": bool(round_.required_disclosures) and all(forms.get(c) for c in round_.required_disclosures),
            "complete_on": complete_on(round_)}


def prefill(round_: AuditRound, cause: str) -> dict:
    """A new form starts from the latest version, or from the register's facts of the firm."""
    current = current_forms(round_).get(cause)
    if current is not None:
        return current.content
    e = round_.enterprise
    return {"enterprise_name": e.name, "legal_representative": e.legal_representative or "",
            "address": e.address or "", "year": str((round_.listed_on or beijing_today()).year - 1)}


# --- writing -------------------------------------------------------------------------------------

def save(actor, round_: AuditRound, cause: str, data: dict, *, correction_note: str = "",
         today: date | None = None) -> DisclosureForm:
    """File a form (a first version) or correct it (a new version, with the reason): checked whole,
    nothing kept on any error. Only the enterprise itself (or the CLI on its behalf) files its forms."""
    from .services import require_enterprise  # services reads this module's facts in disclose()

    require_enterprise(actor, round_)
    if cause not in round_.required_disclosures:
        raise ValidationError("该审核轮次的列入情形不要求填写此信息公开表。", "cause")
    if round_.state == "cancelled":
        raise ValidationError("该审核轮次已撤销，不能填写信息公开表。", "state")
    today = today or beijing_today()
    current = current_forms(round_).get(cause)
    note = (correction_note or "").strip()
    errors = {}
    try:
        content = validate(cause, data)
    except InvalidFields as exc:
        errors.update(exc.errors)
        content = None
    if current is not None and not note:
        errors["correction_note"] = "更正已公开的信息须写明更正说明。"
    elif len(note) > MAX_NOTE:
        errors["correction_note"] = f"更正说明最多 {MAX_NOTE} 个字符。"
    if errors:
        raise InvalidFields(errors)
    if current is not None and current.content == content:
        raise ValidationError("内容与已公开的版本相同，无需更正。", "correction_note")
    form = DisclosureForm(round_id=round_.id, cause=cause, version=(current.version + 1) if current else 1,
                          content=content, correction_note=note or None if current else None,
                          recorded_on=today, recorded_at=utcnow(), recorded_by_id=getattr(actor, "id", None),
                          recorder_role=getattr(actor, "role", None) or "system")
    db.session.add(form)
    db.session.flush()
    log(actor, "disclosure.correct" if current else "disclosure.file", "audit_round", round_.id,
        before={"cause": cause, "version": current.version} if current else None,
        after={"cause": cause, "version": form.version, "recorded_on": today},
        division_code=round_.enterprise.city_code, note=form.correction_note)
    return form


def public_json(round_: AuditRound) -> dict:
    """The disclosure as the public sees it (the API): the latest version of each form, with whether it
    was corrected; nothing private (the forms hold no contact data)."""
    info = summary(round_)
    forms = []
    for cause in info["required"]:
        form = info["forms"].get(cause)
        if form is None:
            continue
        forms.append({"cause": cause, "label": FORMS[cause].label, "article": FORMS[cause].article,
                      "version": form.version, "recorded_on": form.recorded_on.isoformat(),
                      "corrected": form.version > 1, "correction_note": form.correction_note,
                      "content": form.content,
                      "findings": {t.key: [flags(cause, t.key, row) for row in form.content.get(t.key, [])]
                                   for t in FORMS[cause].tables}})
    return {"required": info["required"], "required_labels": [DISCLOSURE_CAUSES[c] for c in info["required"]],
            "complete": info["complete"], "missing": info["missing"],
            "complete_on": info["complete_on"].isoformat() if info["complete_on"] else None, "forms": forms}
