"""Scheme rules: who enters and sees schemes, validation of amounts, units and dates, the plausibility
of the figures, and the per-round totals that statistics read (rewritten in the same transaction as
every scheme write).

An enterprise enters its own schemes while its audit is under way (审核中); the CLI operator (actor
None) loads them for a round that has not reached its report either. From the submission of the
audit report on, the round's schemes are the ones the report, the evaluation and the acceptance
describe: they are frozen, and change only through schemes/review.py — a revision a regulator
approves, or the enterprise's own progress report, each kept with the version it replaced.

Regulators, admins and the enterprise see schemes by the registry's region rule
(enterprises.services.scope_clause).

A figure above its plausible ceiling (schemes/rules.py) is accepted but held out of the statistics —
the totals below, and so every figure of platform/stats — until a regulator confirms it (`assess`,
`settle_review`).
"""
import functools
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import BigInteger, and_, bindparam, case, cast, delete, func, insert, or_, select

from ..audits.models import STATES, AuditRound
from ..audits import services as audits
from ..core import access
from ..core.auditlog.services import diff, record
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from ..core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError, collect, text
from ..core.extensions import db
from ..core.tabular import parse_date
from . import rules
from .models import AMOUNTS, CATEGORIES, MAX_AMOUNT, SCALE, STATUSES, Metric, Scheme, SchemeTotals, figures_counted
from ..core.dates import beijing_today
from ..core.access import SYSTEM

# The enterprise proposes and revises its schemes while its audit is under way; the operator may load
# them from the listing on. From the report's submission on the schemes are frozen (FROZEN_STATES):
# the report, the evaluation and the acceptance all describe them.
EDITABLE_STATES = ("auditing",)
OPERATOR_STATES = ("listed", "disclosed", "auditing")
FROZEN_STATES = ("report_submitted", "evaluation", "evaluation_passed", "evaluation_failed", "acceptance",
                 "acceptance_failed", "accepted",
                 # the simplified procedure's combined review (audits/procedures.py)
                 "review", "review_failed")

CATEGORY_WORDS = {
    "low_cost": ("low_cost", "无/低费", "无低费", "无费", "低费", "无/低费方案", "无低费方案"),
    "high_cost": ("high_cost", "中/高费", "中高费", "中费", "高费", "中/高费方案", "中高费方案"),
}
STATUS_WORDS = {
    "planned": ("planned", "计划实施", "计划", "拟实施", "未实施", "未开始"),
    "implementing": ("implementing", "实施中", "在实施", "正在实施", "在建"),
    "completed": ("completed", "已完成", "完成", "已实施", "已建成"),
    "abandoned": ("abandoned", "已放弃", "放弃", "取消", "不实施"),
}
# What may follow a number in a cell: the column's own unit, spelled as people spell it.
UNIT_SPELLINGS = {
    "t": ("t", "吨"),
    "tce": ("tce", "吨标煤", "吨标准煤"),
    "kWh": ("kwh", "千瓦时", "度"),
    "万元": ("万元",),
    "万元/年": ("万元/年", "万元"),
}
NUMBER = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)")
EXCEL_DIGITS = 15


# --- who sees and who writes -------------------------------------------------------------------

def get_visible(user, scheme_id: int) -> Scheme:
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None or not access.sees_enterprise(user, scheme.enterprise):
        raise NotFound("未找到该清洁生产方案。")
    return scheme


def visible(user, *, q: str = "", city: str = "", status: str = "", category: str = "", round_id: int | None = None):
    """A select of the schemes `user` may see, filtered, newest rounds first (for lists and exports)."""
    if not access.is_person(user, "regulator", "admin", "enterprise"):
        raise PermissionDenied("您无权查看清洁生产方案。")
    query = (select(Scheme).join(Enterprise, Enterprise.id == Scheme.enterprise_id)
             .where(enterprises.scope_clause(user)))
    q = (q or "").strip()
    if q:
        query = query.where(or_(enterprises.name_or_code(q), Scheme.name.contains(q, autoescape=True)))
    if city:
        query = query.where(Enterprise.city_code == city)
    if status in STATUSES:
        query = query.where(Scheme.status == status)
    if category in CATEGORIES:
        query = query.where(Scheme.category == category)
    if round_id is not None:
        query = query.where(Scheme.round_id == round_id)
    return query.order_by(Scheme.round_id.desc(), Scheme.code, Scheme.id)


def can_write(user, round_: AuditRound) -> bool:
    return (not access.is_system(user) and getattr(user, "is_authenticated", False) and user.role == "enterprise"
            and user.enterprise_id == round_.enterprise_id and round_.state in EDITABLE_STATES)


def is_frozen(round_: AuditRound) -> bool:
    return round_.state in FROZEN_STATES


def frozen_message(state: str) -> str:
    return (f"该审核轮次当前为“{STATES[state]}”，方案已冻结：自提交审核报告起，方案不能直接新增、修改或删除。"
            "如需变更，请提交修订申请（写明理由），经监管部门批准后生效；方案实施进展可在方案页面登记。")


def lock_round(round_: AuditRound) -> str:
    """Lock the round's row, so that two writers of one round's schemes take turns (their totals
    would otherwise be computed from each other's uncommitted work); returns its state."""
    return db.session.execute(select(AuditRound.state).where(AuditRound.id == round_.id)
                              .with_for_update()).scalar_one()


def _require_author(actor, round_: AuditRound) -> str:
    """Who may write the round's schemes at all (the enterprise itself, or the CLI operator), with the
    round locked; returns its state."""
    state = lock_round(round_)
    if state == "cancelled":
        raise ValidationError("该审核轮次已撤销，不能登记方案。", "round")
    if access.is_system(actor):  # the CLI operator loading records
        return state
    if not getattr(actor, "is_authenticated", False) or actor.role != "enterprise":
        raise PermissionDenied("清洁生产方案由企业本身填报，监管部门可以查看。")
    if actor.enterprise_id != round_.enterprise_id:
        raise PermissionDenied("只能填报本企业的清洁生产方案。")
    return state


def _require_open(actor, state: str) -> None:
    """Direct writes happen before the report: after it, only through a revision (schemes/review.py)."""
    if state in FROZEN_STATES:
        raise ValidationError(frozen_message(state), "round")
    if state not in (OPERATOR_STATES if access.is_system(actor) else EDITABLE_STATES):
        raise ValidationError(f"该审核轮次当前为“{STATES[state]}”，方案不能修改：方案在审核开始后、提交审核报告前填报。",
                              "round")


def _require_writer(actor, round_: AuditRound) -> None:
    _require_open(actor, _require_author(actor, round_))


# --- validation --------------------------------------------------------------------------------

def parse_amount(value, metric: Metric) -> Decimal:
    """A non-negative amount in the metric's unit, with at most SCALE decimals. Blank means 0.

    A number may carry the column's own unit ("12.5 吨" in a t column); any other unit is refused,
    because "12 kg" in a tonnes column is a mistake by a factor of a thousand.
    """
    field, label = metric.key, f"{metric.label}（{metric.unit}）"
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(0).quantize(Decimal(1).scaleb(-SCALE))
    if isinstance(value, bool):
        raise ValidationError(f"{label}应为数字。", field)
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = str(value).strip()
        match = NUMBER.fullmatch(text.replace(",", ""))
        if match is None:
            raise ValidationError(f"{label}应为数字，“{text}”不是数字。", field)
        number_text, unit = match.groups()
        if unit and unit.strip().lower() not in UNIT_SPELLINGS[metric.unit]:
            raise ValidationError(f"{label}的单位应为 {metric.unit}，“{text}”的单位不符；请换算为 {metric.unit} 后只填数字。",
                                  field)
        try:
            number = Decimal(number_text)
        except InvalidOperation:
            raise ValidationError(f"{label}应为数字，“{text}”不是数字。", field) from None
    if not number.is_finite():
        raise ValidationError(f"{label}应为数字。", field)
    if number < 0:
        raise ValidationError(f"{label}不能为负数。", field)
    if number >= MAX_AMOUNT:
        raise ValidationError(f"{label}数值过大，请核对单位（应以 {metric.unit} 计）。", field)
    digits = number.as_tuple()
    if len(digits.digits) > EXCEL_DIGITS and digits.exponent < 0 and number.adjusted() >= -SCALE:
        # A computed spreadsheet cell (0.1 + 0.2 = 0.30000000000000004) carries binary noise past
        # the 15 significant digits that Excel itself keeps; read it as Excel shows it. (A number below
        # the smallest unit is refused below either way, and quantizing 1.2…e-999999999 would fail.)
        number = number.quantize(Decimal(1).scaleb(number.adjusted() - EXCEL_DIGITS + 1)).normalize()
    if number.as_tuple().exponent < -SCALE:
        raise ValidationError(f"{label}最多保留 {SCALE} 位小数。", field)
    return number.quantize(Decimal(1).scaleb(-SCALE))


def _choice(value, words: dict, field: str, label: str, labels: dict) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError(f"请填写{label}。", field)
    for key, spellings in words.items():
        if text in spellings or text.lower() == key:
            return key
    raise ValidationError(f"{label}应为{'、'.join(labels.values())}之一，“{text}”无法识别。", field)


def parse_category(value) -> str:
    return _choice(value, CATEGORY_WORDS, "category", "方案类别", CATEGORIES)


def parse_status(value) -> str:
    return _choice(value, STATUS_WORDS, "status", "方案状态", STATUSES)


def clean(raw: dict, round_: AuditRound, *, today: date | None = None) -> dict:
    """Validate a scheme from a form, an import row or the demo loader; every wrong field is named."""
    today = today or beijing_today()
    checks = {
        "code": text(raw.get("code"), "code", "方案编号", 30, required=True),
        "name": text(raw.get("name"), "name", "方案名称", 200, required=True),
        "category": lambda: parse_category(raw.get("category")),
        "status": lambda: parse_status(raw.get("status")),
        "planned_completion_on": lambda: parse_date(raw.get("planned_completion_on"), "planned_completion_on",
                                                    "计划完成日期"),
        "completed_on": lambda: parse_date(raw.get("completed_on"), "completed_on", "完成日期"),
    }
    for metric in AMOUNTS:
        checks[metric.key] = (lambda m: lambda: parse_amount(raw.get(m.key), m))(metric)
    try:
        values = collect(checks)
    except InvalidFields as exc:
        values, errors = None, dict(exc.errors)
    else:
        errors = {}
    if values is not None:
        completed_on = values["completed_on"]
        if values["status"] == "completed":
            if completed_on is None:
                errors["completed_on"] = "方案状态为“已完成”时须填写完成日期。"
            elif completed_on > today:
                errors["completed_on"] = f"完成日期不能晚于今天（{today.isoformat()}）。"
            elif (started := audits.declared_on(round_, "auditing")) and completed_on < started:
                errors["completed_on"] = f"完成日期不能早于本轮审核开始日期（{started.isoformat()}）。"
        elif completed_on is not None:
            errors["completed_on"] = "只有“已完成”的方案填写完成日期；未完成的方案请填写计划完成日期。"
    if errors:
        raise InvalidFields(errors)
    return values


# --- plausibility ---------------------------------------------------------------------------------

def assess(values: dict, *, evaluated: dict | None = None, after_acceptance: bool = False) -> dict[str, str]:
    """Why the figures `values` need a regulator's review before they count: field -> reason (empty if none).

    Every figure is held to its ceiling (rules.CEILINGS). A completion reported after the round's
    report (`evaluated`: the figures the evaluation saw, or the last approved revision) is held to
    rules.COMPLETION_FACTOR times them; one reported after acceptance (`after_acceptance`) is always
    reviewed when rules.REVIEW_AFTER_ACCEPTANCE says so, since no panel will see it."""
    reasons = {}
    for metric in AMOUNTS:
        value = Decimal(values.get(metric.key) or 0)
        ceiling = rules.CEILINGS[metric.key].value
        if value > ceiling:
            reasons[metric.key] = (f"{metric.label} {plain(value)} {metric.unit} 超过单个方案的合理上限 "
                                   f"{plain(ceiling)} {metric.unit}")
        elif evaluated is not None and value > 0:
            before = Decimal(evaluated.get(metric.key) or 0)
            factor = rules.COMPLETION_FACTOR.value
            if before == 0:
                reasons[metric.key] = f"{metric.label}评估时为 0，完成时报告 {plain(value)} {metric.unit}"
            elif value > before * factor:
                reasons[metric.key] = (f"{metric.label}完成时报告 {plain(value)} {metric.unit}，超过评估时数值 "
                                       f"{plain(before)} {metric.unit} 的 {plain(factor)} 倍")
    if after_acceptance and rules.REVIEW_AFTER_ACCEPTANCE.value and any(
            Decimal(values.get(m.key) or 0) > 0 for m in AMOUNTS):
        reasons["status"] = "验收合格后登记完成，绩效未经验收核实"
    return reasons


def settle_review(actor, scheme: Scheme, reasons: dict[str, str], changed) -> None:
    """Put the scheme's figures up for review, or clear them, after a write that changed `changed`.

    Figures a regulator already confirmed (or refused) keep that decision while they stay as they
    were; a new or changed implausible figure waits for review again, and is held out of the totals."""
    if not reasons:
        if scheme.review_status is not None:
            scheme.review_status = scheme.review_reasons = scheme.review_note = None
            scheme.reviewed_by_id = scheme.reviewed_at = None
        return
    decided = scheme.review_status in ("confirmed", "rejected")
    if decided and set(reasons) <= set(scheme.review_reasons or {}) and not set(reasons) & set(changed):
        return
    if scheme.review_status == "pending" and scheme.review_reasons == reasons:
        return
    scheme.review_status, scheme.review_reasons = "pending", reasons
    scheme.reviewed_by_id = scheme.reviewed_at = scheme.review_note = None
    db.session.flush()
    record(actor, "scheme.review_flag", "scheme", scheme.id, after={"review_status": "pending", "reasons": reasons},
           division_code=scheme.enterprise.city_code, note="数值超出合理范围，待监管部门核实，核实前不计入统计")


# --- changes -----------------------------------------------------------------------------------

def _code_taken(round_id: int, code: str, scheme_id: int | None = None) -> bool:
    query = select(Scheme.id).where(Scheme.round_id == round_id, Scheme.code == code)
    if scheme_id is not None:
        query = query.where(Scheme.id != scheme_id)
    return db.session.scalar(query) is not None


def insert_scheme(actor, round_: AuditRound, values: dict, *, action: str = "scheme.create", note: str | None = None):
    """Add a validated scheme (`values` from `clean`), assess its figures and refresh the round's totals."""
    if _code_taken(round_.id, values["code"]):
        raise ValidationError(f"本轮审核已有编号为 {values['code']} 的方案。", "code")
    scheme = Scheme(round_id=round_.id, enterprise_id=round_.enterprise_id, **values)
    db.session.add(scheme)
    db.session.flush()
    record(actor, action, "scheme", scheme.id, after=scheme.snapshot(), division_code=round_.enterprise.city_code,
           note=note)
    settle_review(actor, scheme, assess(values), set(values))
    refresh_totals(round_.id)
    return scheme


def apply_values(actor, scheme: Scheme, values: dict, *, action: str = "scheme.update", note: str | None = None,
                 reasons: dict | None = None) -> dict:
    """Write the changed fields of `values` to the scheme; returns the fields that changed (their old values).
    `reasons`: the plausibility assessment, when the caller's differs from the ceilings alone."""
    if values["code"] != scheme.code and _code_taken(scheme.round_id, values["code"], scheme.id):
        raise ValidationError(f"本轮审核已有编号为 {values['code']} 的方案。", "code")
    old = scheme.snapshot()
    before, after = diff(old, values)
    if not after:
        return {}
    for field, value in values.items():
        setattr(scheme, field, value)
    db.session.flush()
    record(actor, action, "scheme", scheme.id, before=before, after=after,
           division_code=scheme.enterprise.city_code, note=note)
    settle_review(actor, scheme, assess(values) if reasons is None else reasons, set(after))
    refresh_totals(scheme.round_id)
    return {field: old[field] for field in after}


def create(actor, round_: AuditRound, raw: dict, *, today: date | None = None) -> Scheme:
    _require_writer(actor, round_)
    return insert_scheme(actor, round_, clean(raw, round_, today=today))


def load_entered(round_: AuditRound, raw: dict, *, today: date | None = None) -> Scheme:
    """The demo loader only (schemes/demo.py): a scheme as the enterprise entered it during its audit,
    for a round the demo has already taken past its report. Held to the same validation and ceilings."""
    if lock_round(round_) == "cancelled":
        raise ValidationError("该审核轮次已撤销，不能登记方案。", "round")
    return insert_scheme(SYSTEM, round_, clean(raw, round_, today=today))


def update(actor, scheme: Scheme, raw: dict, *, today: date | None = None) -> bool:
    """Apply the changed fields of `raw` (fields it leaves out keep their values); True if any changed.
    Unchanged values are no change, even in a frozen round (re-importing the same file changes nothing)."""
    round_ = scheme.round
    state = _require_author(actor, round_)
    values = clean({**scheme.snapshot(), **raw}, round_, today=today)
    if not diff(scheme.snapshot(), values)[1]:
        return False
    _require_open(actor, state)
    if scheme.withdrawn_at is not None:
        raise ValidationError("该方案已撤回，不能修改。", "round")
    return bool(apply_values(actor, scheme, values))


def delete_scheme(actor, scheme: Scheme) -> None:
    """Remove a scheme entered by mistake while the audit is under way (a scheme given up is marked
    abandoned instead; after the report, a scheme is withdrawn through an approved revision)."""
    round_ = scheme.round
    _require_writer(actor, round_)
    record(actor, "scheme.delete", "scheme", scheme.id, before=scheme.snapshot(),
           division_code=round_.enterprise.city_code)
    db.session.delete(scheme)
    db.session.flush()
    refresh_totals(round_.id)


# --- the per-round totals ------------------------------------------------------------------------

def _e4(amount):
    """Sum of an amount as an exact integer of 10^-SCALE units, on SQLite (REAL) and PostgreSQL alike."""
    return func.coalesce(func.sum(cast(func.round(amount * 10 ** SCALE), BigInteger)), 0)


@functools.cache
def totals_select():
    """The SchemeTotals columns computed from the scheme rows, grouped by round (a select; built
    once, as statements are immutable: every scheme write refreshes its round's totals with it).

    A withdrawn scheme does not count at all; one whose figures await or were refused review counts
    as a scheme (and in schemes_under_review) but adds none of its figures."""
    completed = Scheme.status == "completed"
    counted = figures_counted()

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    columns = [
        Scheme.round_id.label("round_id"),
        func.count(Scheme.id).label("schemes_total"),
        count(completed).label("schemes_completed"),
        count(Scheme.status == "abandoned").label("schemes_abandoned"),
        count(Scheme.category == "low_cost").label("schemes_low_cost"),
        count(Scheme.category == "high_cost").label("schemes_high_cost"),
        count(~counted).label("schemes_under_review"),
        _e4(case((and_(Scheme.status != "abandoned", counted), Scheme.investment_wan_yuan), else_=0))
        .label("investment_planned_wan_yuan_e4"),
    ]
    columns += [_e4(case((and_(completed, counted), getattr(Scheme, m.key)), else_=0)).label(f"{m.key}_e4")
                for m in AMOUNTS]
    return select(*columns).where(Scheme.withdrawn_at.is_(None)).group_by(Scheme.round_id)


def _write_totals(where=None):
    """INSERT … SELECT of the totals (of the rows matching ``where``)."""
    source = totals_select()
    if where is not None:
        source = source.where(where)
    names = [c.name for c in source.selected_columns]
    return insert(SchemeTotals).from_select(names, source)


@functools.cache
def _round_statements():
    """The two statements that refresh one round (``round_id`` bound at execution), built once: every
    scheme write runs them, and a statement built anew costs more than running it."""
    return (delete(SchemeTotals).where(SchemeTotals.round_id == bindparam("round_id")),
            _write_totals(Scheme.round_id == bindparam("round_id")))


def refresh_totals(round_id: int) -> None:
    """Recompute one round's totals from its schemes, in the caller's transaction."""
    db.session.flush()
    connection = db.session.connection()  # Core statements: a parameter dict is not an ORM bulk write here
    for statement in _round_statements():
        connection.execute(statement, {"round_id": round_id})


def rebuild_totals() -> int:
    """Recompute every round's totals from the rows (after a bulk load; `flask schemes rebuild-totals`)."""
    db.session.execute(delete(SchemeTotals))
    db.session.execute(_write_totals())
    return db.session.scalar(select(func.count()).select_from(SchemeTotals))


def totals_mismatches() -> list[int]:
    """Rounds whose stored totals differ from their rows (none, unless rows were written around the service)."""
    fresh = totals_select().subquery()
    stored = SchemeTotals.__table__
    columns = [c.name for c in fresh.columns if c.name != "round_id"]
    differs = or_(*(fresh.c[name] != stored.c[name] for name in columns))
    missing = select(fresh.c.round_id).outerjoin(stored, stored.c.round_id == fresh.c.round_id).where(
        or_(stored.c.round_id.is_(None), differs))
    orphans = select(stored.c.round_id).outerjoin(fresh, fresh.c.round_id == stored.c.round_id).where(
        fresh.c.round_id.is_(None))
    return sorted(set(db.session.scalars(missing)) | set(db.session.scalars(orphans)))


def plain(value):
    """12.5000 -> 12.5 and 3.0000 -> 3, for files and pages (the value is unchanged)."""
    if value is None:
        return None
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
