"""Credit rules as actions: record a penalty on an overdue case, approve its credit record, withdraw
it (end of period or credit repair), apply for and decide credit repair, retry a dead letter; and
the lists that the regulators', the enterprise's and the public pages read.

Services take the acting user and plain values, check role, region and state, change rows, write
the audit log and raise domain errors in Chinese. They never commit.
"""
import hashlib
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..core import access
from ..core.scheduler.models import SchedulerJobRun
from ..core.auditlog.services import diff, record as audit
from ..audits.models import OPEN_CASE_STATES, Case
from ..audits.rules import Penalty, penalty_for
from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from ..enterprises.uscc import validate as validate_uscc
from ..core.errors import NotFound, PermissionDenied, ValidationError, collect, text
from ..core.extensions import db
from ..core import uploads
from ..core.models_base import utcnow
from . import rules
from .channel import LONG_TERM, wan_yuan
from .models import CreditDelivery, CreditRecord, PenaltyDecision, RepairApplication
from ..core.dates import beijing_today, working_days_between
from ..core.access import SYSTEM

# Fixed for ever: a record's idempotency key is derived from its decision number with it.
KEY_NAMESPACE = uuid.UUID("5b0e1f4e-8f0c-4d7a-9a55-2f6f3c1d0a26")
CASE_STATE_AFTER_PENALTY = "penalized"
COMMITMENT_TEMPLATE = (
    "本企业郑重承诺：已纠正失信行为，履行行政处罚决定规定的义务；所提交的信用修复材料真实、有效；"
    "如有虚假，愿意承担相应法律责任并接受失信惩戒。本企业同意公开本承诺。"
)


def record_key(decision_no: str) -> str:
    return f"gxcp-{uuid.uuid5(KEY_NAMESPACE, decision_no)}"


# --- who may act ---------------------------------------------------------------------------------

def last_publish_run():
    """The publishing job's last run, for the dashboard (when the channel was last reached)."""
    return db.session.scalar(select(SchedulerJobRun).where(SchedulerJobRun.job_id == "credit_publish")
                             .order_by(SchedulerJobRun.id.desc()).limit(1))


def _regulator_only(user) -> None:
    if not access.is_person(user, "regulator", "admin"):
        raise PermissionDenied("只有监管部门可以查看信用记录的办理情况。")


def get_record(user, record_id: int) -> CreditRecord:
    """A record for its regulators (their region), admins, and — once approved — the enterprise itself."""
    if not access.is_person(user, "enterprise"):
        _regulator_only(user)
    record = db.session.get(CreditRecord, record_id)
    if record is None:
        raise NotFound("未找到该信用记录。")
    if not access.is_system(user) and user.role == "enterprise":
        if record.enterprise_id != user.enterprise_id or record.state == "pending":
            raise NotFound("未找到该信用记录。")
        return record
    if not access.sees_enterprise(user, record.enterprise):
        raise NotFound("未找到该信用记录。")
    return record


def get_repair(user, repair_id: int) -> RepairApplication:
    repair = db.session.get(RepairApplication, repair_id)
    if repair is None:
        raise NotFound("未找到该信用修复申请。")
    get_record(user, repair.record_id)
    return repair


def get_delivery(user, delivery_id: int) -> CreditDelivery:
    _regulator_only(user)
    delivery = db.session.get(CreditDelivery, delivery_id)
    if delivery is None or not access.sees_enterprise(user, delivery.record.enterprise):
        raise NotFound("未找到该报送记录。")
    return delivery


# --- input checks ------------------------------------------------------------------------------------

def parse_fine(value, penalty: Penalty) -> Decimal:
    """A fine in yuan, to the fen, within the range the case's cause allows (促进法 第三十六条: none
    or up to 10万; 第三十九条: 5万–50万)."""
    lowest, highest = rules.fine_range(penalty.fine)
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        if lowest == 0:
            return Decimal("0.00")  # 第三十六条: ordering publication without a fine is lawful
        raise ValidationError("请填写罚款金额（元）。", "fine_yuan")
    try:
        fine = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(f"罚款金额“{value}”不是有效的数字，请以元为单位填写。", "fine_yuan") from None
    if not fine.is_finite():
        raise ValidationError("罚款金额不是有效的数字。", "fine_yuan")
    if not lowest <= fine <= highest:
        # Range first: quantize() fails on 1e30, and formatting 1e999999999 would write a billion digits.
        written = f"{fine:,.2f}" if fine.adjusted() < 15 else str(value).strip()[:40]
        allowed = (f"不超过 {wan_yuan(highest)} 万元（可以不罚款）" if lowest == 0
                   else f"在 {wan_yuan(lowest)} 万元至 {wan_yuan(highest)} 万元之间")
        raise ValidationError(f"罚款金额应{allowed}（{penalty.article}），填写的是 {written} 元。", "fine_yuan")
    if fine != fine.quantize(Decimal("0.01")):
        raise ValidationError("罚款金额以元为单位，最多保留两位小数。", "fine_yuan")
    return fine.quantize(Decimal("0.01"))


def _valid_until(value, decided_on):
    """处罚有效期 (双公示): when the decision stops being in force; 2099-12-31 means 长期."""
    def check():
        if value in (None, ""):
            return LONG_TERM
        if not isinstance(value, date):
            raise ValidationError("处罚有效期应为日期（YYYY-MM-DD）；长期有效请留空。", "valid_until")
        if isinstance(decided_on, date) and value < decided_on:
            raise ValidationError(f"处罚有效期不能早于处罚决定日期（{decided_on.isoformat()}）。", "valid_until")
        return value
    return check


def _decided_on(value, case: Case, today: date, penalty: Penalty):
    def check():
        if not isinstance(value, date):
            raise ValidationError("请填写处罚决定日期（YYYY-MM-DD）。", "decided_on")
        if value > today:
            raise ValidationError(f"处罚决定日期不能晚于今天（{today.isoformat()}）。", "decided_on")
        deadline = case.rectification_deadline
        if penalty.needs_refusal and deadline and value <= deadline:
            raise ValidationError(f"处罚决定日期应晚于整改期限（{deadline.isoformat()}）。", "decided_on")
        return value
    return check


def _decision_no(value):
    def check():
        number = " ".join(str(value or "").split())
        if not number:
            raise ValidationError("请填写行政处罚决定书文号。", "decision_no")
        if len(number) > 100:
            raise ValidationError("行政处罚决定书文号不能超过 100 个字符。", "decision_no")
        if db.session.scalar(select(exists().where(PenaltyDecision.decision_no == number))):
            raise ValidationError(f"行政处罚决定书文号“{number}”已登记，请核对。", "decision_no")
        return number
    return check


def _severity(value):
    def check():
        severity = value or rules.DEFAULT_SEVERITY.value
        if severity not in rules.SEVERITIES:
            raise ValidationError("失信程度应为轻微、一般或严重。", "severity")
        return severity
    return check


def _office_uscc(value):
    def check():
        return validate_uscc(value, "office_uscc") if (value or "").strip() else None
    return check


# --- penalty decision -> credit record ---------------------------------------------------------------

def record_penalty(actor, case: Case, *, decision_no, decided_on, facts, legal_basis, fine_yuan,
                   severity: str | None = None, office_name: str | None = None, office_uscc: str | None = None,
                   violation_type: str | None = None, remarks: str | None = None, valid_until=None,
                   today: date | None = None) -> PenaltyDecision:
    """行政处罚决定 on a case: the decision, its credit record (awaiting approval), and the case moved
    on to 已处罚. Under 促进法 第三十九条 only a refusal to correct is fined, so the case's rectification
    order must have run out; under 第三十六条 the order to publish and the fine may come together."""
    access.require_regulator_of(actor, case.enterprise.city_code)
    penalty = penalty_for(case.cause)
    if penalty.needs_refusal and case.state != "overdue":
        raise ValidationError(f"依{penalty.article}，责令限期改正后拒不改正的方可处罚；只有“逾期未整改”的案件才能"
                              f"记录处罚决定，该案件当前为“{case.state_label}”。", "case")
    if case.state not in OPEN_CASE_STATES:
        raise ValidationError(f"该案件当前为“{case.state_label}”，不能记录处罚决定。", "case")
    today = today or beijing_today()
    values = collect({
        "decision_no": _decision_no(decision_no),
        "decided_on": _decided_on(decided_on, case, today, penalty),
        "violation_type": text(violation_type, "violation_type", "违法行为类型", 200, default=penalty.violation_type, required=True),
        "facts": text(facts, "facts", "违法事实", 5000, required=True),
        "legal_basis": text(legal_basis, "legal_basis", "处罚依据", 2000, default=penalty.legal_basis, required=True),
        "fine_yuan": lambda: parse_fine(fine_yuan, penalty),
        "valid_until": _valid_until(valid_until, decided_on),
        "severity": _severity(severity),
        "office_name": text(office_name, "office_name", "处罚机关", 200,
                             default=getattr(actor, "display_name", None), required=True),
        "office_uscc": _office_uscc(office_uscc),
        "remarks": text(remarks, "remarks", "备注", 2000, required=False),
    })
    enterprise = case.enterprise
    decision = PenaltyDecision(case=case, enterprise=enterprise, decided_by_id=getattr(actor, "id", None), **values)
    period = rules.publication_period(values["severity"], values["decided_on"])
    credit = CreditRecord(decision=decision, enterprise=enterprise, idempotency_key=record_key(values["decision_no"]),
                          state="pending", subject_name=enterprise.name, subject_uscc=enterprise.uscc,
                          legal_representative=enterprise.legal_representative,
                          online_due=rules.online_due(values["decided_on"]), min_until=period.min_until,
                          publish_until=period.until)
    case_before = case.state
    case.state = CASE_STATE_AFTER_PENALTY
    db.session.add_all([decision, credit])
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a concurrent request took the number (or the case) first
        raise ValidationError(f"行政处罚决定书文号“{values['decision_no']}”或该案件的处罚决定已登记。",
                              "decision_no") from None
    division = enterprise.city_code
    audit(actor, "penalty.create", "penalty_decision", decision.id, after=decision.snapshot(), division_code=division)
    audit(actor, f"case.{CASE_STATE_AFTER_PENALTY}", "case", case.id, before={"state": case_before},
          after={"state": case.state}, division_code=division, note=f"行政处罚决定书 {decision.decision_no}")
    audit(actor, "credit_record.create", "credit_record", credit.id, after=credit.snapshot(), division_code=division)
    return decision


def approve(actor, record: CreditRecord, *, note: str = "", today: date | None = None,
            now: datetime | None = None) -> CreditDelivery:
    """A regulator other than the one who entered the decision approves the record; the publishing
    job then delivers it. Nothing reaches the channel without this step."""
    access.require_regulator_of(actor, record.enterprise.city_code)
    if record.state != "pending":
        raise ValidationError(f"该信用记录当前为“{record.state_label}”，不能再次审核。", "state")
    if not access.is_system(actor) and actor.id == record.decision.decided_by_id:
        raise PermissionDenied("录入处罚决定的人员不能审核本人录入的信用记录，请由另一名监管人员审核。")
    today, now = today or beijing_today(), now or utcnow()
    if record.period.expired_on(today):
        raise ValidationError(f"该记录的公示期已于 {record.publish_until.isoformat()} 届满，不再公示。", "state")
    note = (note or "").strip()
    if not rules.SEVERITIES[record.severity].published_by_default and not note:
        raise ValidationError("轻微失信信息原则上不予公示；确有必要公示的，请写明理由。", "note")
    before = record.snapshot()
    record.state, record.approved_by_id, record.approved_at = "approved", getattr(actor, "id", None), now
    record.approval_note = note or None
    delivery = CreditDelivery(record=record, kind="publish", idempotency_key=record.idempotency_key,
                              status="pending", attempts=0, next_attempt_at=now)
    db.session.add(delivery)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # another regulator approved it a moment ago: one publication only
        raise ValidationError("该信用记录已由其他监管人员审核。", "state") from None
    old, new = diff(before, record.snapshot())
    audit(actor, "credit_record.approve", "credit_record", record.id, before=old, after=new,
          division_code=record.enterprise.city_code, note=note or None)
    return delivery


def withdraw(actor, record: CreditRecord, *, reason: str, on: date, now: datetime | None = None) -> None:
    """Take a record off the public pages at once, and tell the channel if it may hold the record.

    A publication never attempted is simply cancelled; one that was sent, or attempted (a timeout
    may have reached the channel), gets a withdrawal message, which waits until the publication
    is settled so that the channel never sees them in the wrong order.
    """
    now = now or utcnow()
    before = record.snapshot()
    record.state, record.withdrawn_on, record.withdrawal_reason = "withdrawn", on, reason
    publish = record.delivery("publish")
    tell_channel = False
    if publish is not None:
        if publish.status == "pending":
            cancelled = db.session.execute(
                update(CreditDelivery).where(CreditDelivery.id == publish.id, CreditDelivery.status == "pending",
                                             or_(CreditDelivery.claimed_until.is_(None),
                                                 CreditDelivery.claimed_until < now))
                .values(status="cancelled", claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)).rowcount
            db.session.expire(publish)
            tell_channel = not cancelled or publish.attempts > 0  # in flight right now, or tried before
        else:
            tell_channel = publish.status == "sent" or publish.attempts > 0
    if tell_channel and record.delivery("withdraw") is None:
        db.session.add(CreditDelivery(record=record, kind="withdraw", idempotency_key=f"{record.idempotency_key}-withdraw",
                                      status="pending", attempts=0, next_attempt_at=now))
    old, new = diff(before, record.snapshot())
    audit(actor, "credit_record.withdraw", "credit_record", record.id, before=old, after=new,
          division_code=record.enterprise.city_code)


def expire_publications(as_of: date, now: datetime | None = None) -> int:
    """Withdraw every record whose maximum publication period ended before `as_of` (idempotent)."""
    due = db.session.scalars(select(CreditRecord).where(
        CreditRecord.state.in_(("pending", "approved", "published")), CreditRecord.publish_until < as_of)
        .order_by(CreditRecord.id))
    count = 0
    for record in due:
        withdraw(SYSTEM, record, reason="expired", on=as_of, now=now)
        count += 1
    return count


# --- credit repair -------------------------------------------------------------------------------------

def apply_for_repair(actor, record: CreditRecord, *, correction: str, commitment: str, commitment_public: bool,
                     data: bytes, filename: str, paid_yuan=None, paid_on=None, voucher: bytes = b"",
                     voucher_filename: str = "", today: date | None = None) -> RepairApplication:
    """信用修复 (信用修复办法): after the minimum period, with proof that the violation was corrected, that
    the penalty was performed in full (for a fine, the payment voucher of exactly its amount), and a
    public commitment."""
    if not access.is_person(actor, "enterprise") or actor.enterprise_id != record.enterprise_id:
        raise PermissionDenied("只有受处罚的企业本身可以申请信用修复。")
    if record.state not in ("approved", "published"):
        raise ValidationError(f"该信用记录当前为“{record.state_label}”，无需申请信用修复。", "state")
    today = today or beijing_today()
    if not record.period.repairable_on(today):
        raise ValidationError(
            f"最短公示期至 {record.min_until.isoformat()} 届满，{(record.min_until + timedelta(days=1)).isoformat()} "
            "起方可申请信用修复（《信用修复管理办法》）。", "state")
    if db.session.scalar(select(exists().where(RepairApplication.record_id == record.id,
                                               RepairApplication.state == "pending"))):
        raise ValidationError("该记录已有待审核的信用修复申请，请等待监管部门审核。", "state")

    def public_commitment():
        if not commitment_public:
            raise ValidationError("信用修复须公开作出信用承诺，请勾选同意公开。", "commitment_public")
        return True

    fine = Decimal(record.decision.fine_yuan)
    values = collect({
        "correction": text(correction, "correction", "失信行为纠正情况", 5000, required=True),
        "commitment": text(commitment, "commitment", "信用承诺", 5000, required=True),
        "commitment_public": public_commitment,
        "proof": lambda: _check_pdf(data, filename),
        "paid_yuan": lambda: _paid_amount(paid_yuan, fine),
        "paid_on": lambda: _paid_on(paid_on, fine, record.decision.decided_on, today),
        "voucher": lambda: _check_voucher(voucher, voucher_filename, fine),
    })
    stored_name = uploads.store("credit-repair", data)
    voucher_name = uploads.store("credit-repair", voucher) if values["voucher"] else None
    repair = RepairApplication(
        record=record, enterprise_id=record.enterprise_id, applicant_id=actor.id, applied_on=today,
        correction=values["correction"], commitment=values["commitment"], proof_stored_name=stored_name,
        proof_original_name=values["proof"], proof_sha256=hashlib.sha256(data).hexdigest(), proof_size=len(data),
        paid_yuan=values["paid_yuan"], paid_on=values["paid_on"], voucher_stored_name=voucher_name,
        voucher_original_name=values["voucher"],
        voucher_sha256=hashlib.sha256(voucher).hexdigest() if voucher_name else None, state="pending")
    db.session.add(repair)
    db.session.flush()
    audit(actor, "credit_repair.apply", "credit_repair", repair.id, division_code=record.enterprise.city_code,
          after={"record_id": record.id, "proof": repair.proof_original_name, "sha256": repair.proof_sha256})
    return repair


def decide_repair(actor, repair: RepairApplication, *, approved: bool, reason: str = "", today: date | None = None,
                  now: datetime | None = None) -> None:
    """The regulator grants repair (the record is withdrawn everywhere) or refuses it with a reason."""
    access.require_regulator_of(actor, repair.enterprise.city_code)
    if repair.state != "pending":
        raise ValidationError(f"该申请已{repair.state_label}，不能再次审核。", "state")
    reason = (reason or "").strip()
    if not approved and not reason:
        raise ValidationError("不予修复须写明理由。", "reason")
    record = repair.record
    if approved and record.state not in ("approved", "published"):
        raise ValidationError(f"该信用记录当前为“{record.state_label}”，无需修复。", "state")
    today = today or beijing_today()
    repair.state = "approved" if approved else "rejected"
    repair.decided_by_id, repair.decided_on = getattr(actor, "id", None), today
    repair.decision_reason = reason or "材料齐全，准予信用修复。"
    audit(actor, f"credit_repair.{repair.state}", "credit_repair", repair.id, division_code=repair.enterprise.city_code,
          after={"state": repair.state, "reason": repair.decision_reason})
    if approved:
        withdraw(actor, record, reason="repaired", on=today, now=now)


def _paid_amount(value, fine: Decimal) -> Decimal | None:
    if fine == 0:
        return None  # a decision without a fine has nothing to pay
    text = str(value if value is not None else "").replace(",", "").strip()
    if not text:
        raise ValidationError(f"请填写缴款凭证上的金额（罚款 {fine:,.2f} 元）。", "paid_yuan")
    try:
        paid = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"缴款金额“{str(value)[:40]}”不是有效的数字，请以元为单位填写。", "paid_yuan") from None
    if not paid.is_finite() or paid.adjusted() > 15 or paid != fine:
        written = f"{paid:,.2f}" if paid.is_finite() and paid.adjusted() <= 15 else text[:40]
        raise ValidationError(f"缴款凭证金额（{written} 元）与处罚决定的罚款金额（{fine:,.2f} 元）不一致，"
                              "须全额缴纳罚款后方可申请信用修复。", "paid_yuan")
    return fine


def _paid_on(value, fine: Decimal, decided_on: date, today: date) -> date | None:
    if fine == 0:
        return None
    if not isinstance(value, date):
        raise ValidationError("请填写缴款日期（YYYY-MM-DD）。", "paid_on")
    if value > today:
        raise ValidationError(f"缴款日期不能晚于今天（{today.isoformat()}）。", "paid_on")
    if value < decided_on:
        raise ValidationError(f"缴款日期不能早于处罚决定日期（{decided_on.isoformat()}）。", "paid_on")
    return value


def _check_voucher(data: bytes, filename: str, fine: Decimal) -> str | None:
    if fine == 0:
        return None
    if not data or not uploads.client_filename(filename):
        raise ValidationError("请上传罚款缴款凭证（PDF）。", "voucher")
    return uploads.check_pdf(data, filename, label="缴款凭证", field="voucher")


def _check_pdf(data: bytes, filename: str) -> str:
    if not uploads.client_filename(filename):
        raise ValidationError("请上传证明材料（PDF）。", "proof")
    return uploads.check_pdf(data, filename, label="证明材料", field="proof")


def proof_path(user, repair_id: int) -> tuple[RepairApplication, Path]:
    repair = get_repair(user, repair_id)
    return repair, uploads.stored_file("credit-repair", repair.proof_stored_name)


def voucher_path(user, repair_id: int) -> tuple[RepairApplication, Path | None]:
    repair = get_repair(user, repair_id)
    if repair.voucher_stored_name is None:
        return repair, None
    return repair, uploads.stored_file("credit-repair", repair.voucher_stored_name)


# --- the outbox, as regulators see it -------------------------------------------------------------------

def retry_delivery(actor, delivery: CreditDelivery, now: datetime | None = None) -> None:
    """Send a dead letter again (after the cause has been fixed): the same key, so never a duplicate."""
    access.require_regulator_of(actor, delivery.record.enterprise.city_code)
    if delivery.status != "dead":
        raise ValidationError(f"该报送当前为“{delivery.status_label}”，只有失败的报送可以重试。", "status")
    if delivery.kind == "publish" and delivery.record.state == "withdrawn":
        raise ValidationError("该信用记录已撤下，不再报送公示。", "status")
    before = {"status": delivery.status, "attempts": delivery.attempts, "last_error": delivery.last_error}
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, now or utcnow()
    delivery.claimed_by = delivery.claimed_until = None
    audit(actor, "credit_delivery.retry", "credit_delivery", delivery.id, before=before,
          after={"status": "pending", "attempts": 0}, division_code=delivery.record.enterprise.city_code)


# --- lists ----------------------------------------------------------------------------------------------

def _scoped_records(user):
    _regulator_only(user)
    return (select(CreditRecord).join(Enterprise, Enterprise.id == CreditRecord.enterprise_id)
            .where(enterprises.scope_clause(user)))


def records_for_regulator(user, *, state: str = "", q: str = ""):
    query = _scoped_records(user).join(PenaltyDecision, PenaltyDecision.id == CreditRecord.decision_id)
    if state:
        query = query.where(CreditRecord.state == state)
    q = (q or "").strip()
    if q:
        query = query.where(or_(CreditRecord.subject_name.icontains(q, autoescape=True),
                                CreditRecord.subject_uscc == q.upper(),
                                PenaltyDecision.decision_no.icontains(q, autoescape=True)))
    return query.order_by(PenaltyDecision.decided_on.desc(), CreditRecord.id.desc())


def at_risk(user, as_of: date) -> list[dict]:
    """Records not yet online whose 7-working-day deadline is near or past, the most urgent first."""
    waiting = db.session.scalars(_scoped_records(user).where(CreditRecord.state.in_(("pending", "approved")))
                                 .order_by(CreditRecord.online_due, CreditRecord.id))
    out = []
    for record in waiting:
        left = working_days_between(as_of, record.online_due)
        if left <= rules.AT_RISK_WORKING_DAYS.value:
            out.append({"record": record, "due": record.online_due, "working_days_left": left, "missed": left < 0})
    return out


def dead_letters(user):
    _regulator_only(user)
    return (select(CreditDelivery).join(CreditRecord, CreditRecord.id == CreditDelivery.record_id)
            .join(Enterprise, Enterprise.id == CreditRecord.enterprise_id)
            .where(CreditDelivery.status == "dead", enterprises.scope_clause(user))
            .order_by(CreditDelivery.id))


def pending_repairs(user):
    _regulator_only(user)
    return (select(RepairApplication).join(Enterprise, Enterprise.id == RepairApplication.enterprise_id)
            .where(RepairApplication.state == "pending", enterprises.scope_clause(user))
            .order_by(RepairApplication.applied_on, RepairApplication.id))


def records_of_enterprise(user) -> list[CreditRecord]:
    """The enterprise's own records once approved (what it may see and repair)."""
    if not access.is_person(user, "enterprise"):
        raise PermissionDenied("只有企业用户可以查看本企业的信用记录。")
    return list(db.session.scalars(select(CreditRecord).where(
        CreditRecord.enterprise_id == user.enterprise_id, CreditRecord.state != "pending")
        .order_by(CreditRecord.id.desc())))


def public_records(q: str = "", as_of: date | None = None, city: str = ""):
    """What the public sees: records delivered to the channel and within their publication period."""
    as_of = as_of or beijing_today()
    query = (select(CreditRecord).join(PenaltyDecision, PenaltyDecision.id == CreditRecord.decision_id)
             .join(Enterprise, Enterprise.id == CreditRecord.enterprise_id)
             .where(CreditRecord.state == "published", CreditRecord.publish_until >= as_of))
    if city:
        query = query.where(Enterprise.city_code == city)
    q = (q or "").strip()
    if q:
        query = query.where(or_(
            CreditRecord.subject_name.icontains(q, autoescape=True), Enterprise.name.icontains(q, autoescape=True),
            CreditRecord.subject_uscc == q.upper()))
    return query.order_by(PenaltyDecision.decided_on.desc(), CreditRecord.id.desc())


def public_by_city(as_of: date | None = None) -> dict[str, int]:
    """City code -> credit records on public view."""
    shown = public_records(as_of=as_of).with_only_columns(Enterprise.city_code).order_by(None).subquery()
    return dict(db.session.execute(select(shown.c.city_code, func.count()).group_by(shown.c.city_code)).all())


def public_record(key: str, as_of: date | None = None) -> CreditRecord:
    record = db.session.scalar(public_records(as_of=as_of).where(CreditRecord.idempotency_key == key))
    if record is None:
        raise NotFound("未找到该信用记录，或其公示期已结束。")
    return record


def published_records_of(enterprise_id: int, as_of: date | None = None) -> list[CreditRecord]:
    return list(db.session.scalars(public_records(as_of=as_of).where(CreditRecord.enterprise_id == enterprise_id)))
