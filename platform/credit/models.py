"""Penalty decisions (行政处罚决定), the credit records made from them (信用记录), the outbox of
deliveries to the credit channel, and credit-repair applications (信用修复)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import TimestampMixin, utcnow
from . import rules

Money = Numeric(12, 2)  # yuan, to the fen

RECORD_STATES = {
    "pending": "待审核",
    "approved": "已审核，待报送",
    "published": "公示中",
    "withdrawn": "已撤下",
}
WITHDRAWAL_REASONS = {"expired": "公示期满", "repaired": "信用修复"}
DELIVERY_KINDS = {"publish": "公示", "withdraw": "撤下"}
DELIVERY_STATES = {
    "pending": "待报送",
    "sent": "已送达",
    "dead": "失败（需处理）",
    "cancelled": "已取消（从未报送）",
}
REPAIR_STATES = {"pending": "待审核", "approved": "已准予修复", "rejected": "未准予修复"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PenaltyDecision(db.Model):
    """A penalty decision on an overdue case: what the 行政处罚决定书 says. Never edited once recorded."""

    __tablename__ = "penalty_decisions"
    __table_args__ = (
        CheckConstraint("fine_yuan >= 0", name="fine_yuan"),
        CheckConstraint(_in("severity", rules.SEVERITIES), name="severity"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True, nullable=False)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    decision_no: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)  # 行政处罚决定书文号
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    violation_type: Mapped[str] = mapped_column(String(200), nullable=False)
    facts: Mapped[str] = mapped_column(Text, nullable=False)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)
    fine_yuan: Mapped[Decimal] = mapped_column(Money, nullable=False)
    # 处罚有效期 (双公示): the decision's own end, separate from the 公示截止期 of its record; 2099-12-31 = 长期.
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    severity: Mapped[str] = mapped_column(String(10), nullable=False)
    office_name: Mapped[str] = mapped_column(String(200), nullable=False)  # 处罚机关
    office_uscc: Mapped[str | None] = mapped_column(String(18))
    remarks: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    case = relationship("Case")
    enterprise = relationship("Enterprise")
    record = relationship("CreditRecord", back_populates="decision", uselist=False)

    @property
    def severity_label(self) -> str:
        return rules.SEVERITIES[self.severity].label

    def snapshot(self) -> dict:
        return {c.key: getattr(self, c.key) for c in self.__table__.columns if c.key != "created_at"}


class CreditRecord(TimestampMixin, db.Model):
    """The administrative-penalty record in the 双公示 field set, as it goes to the credit channel.

    The subject's name and legal representative are copied at creation, so that what is published
    is what was decided, whatever later happens to the registry.
    """

    __tablename__ = "credit_records"
    __table_args__ = (
        CheckConstraint(_in("state", RECORD_STATES), name="state"),
        # Nothing unapproved goes out: a record that is (or was) on its way has an approval.
        CheckConstraint("state NOT IN ('approved', 'published') OR approved_at IS NOT NULL", name="approved"),
        CheckConstraint("state <> 'withdrawn' OR (withdrawn_on IS NOT NULL AND withdrawal_reason IS NOT NULL)",
                        name="withdrawn"),
        CheckConstraint("withdrawal_reason IS NULL OR " + _in("withdrawal_reason", WITHDRAWAL_REASONS),
                        name="withdrawal_reason"),
        CheckConstraint("min_until <= publish_until", name="period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("penalty_decisions.id"), unique=True, nullable=False)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    subject_name: Mapped[str] = mapped_column(String(200), nullable=False)
    subject_uscc: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    legal_representative: Mapped[str | None] = mapped_column(String(50))
    online_due: Mapped[date] = mapped_column(Date, nullable=False)  # the 7-working-day rule
    min_until: Mapped[date] = mapped_column(Date, nullable=False)
    publish_until: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    approval_note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)  # first delivered to the channel
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(String(20))

    decision = relationship(PenaltyDecision, back_populates="record")
    enterprise = relationship("Enterprise")
    deliveries = relationship("CreditDelivery", back_populates="record", order_by="CreditDelivery.id")
    repairs = relationship("RepairApplication", back_populates="record", order_by="RepairApplication.id")

    @property
    def state_label(self) -> str:
        return RECORD_STATES[self.state]

    @property
    def severity(self) -> str:
        return self.decision.severity

    @property
    def period(self) -> rules.Period:
        return rules.Period(self.decision.decided_on, self.min_until, self.publish_until)

    @property
    def withdrawal_label(self) -> str:
        return WITHDRAWAL_REASONS.get(self.withdrawal_reason or "", "")

    def delivery(self, kind: str):
        return next((d for d in self.deliveries if d.kind == kind), None)

    def snapshot(self) -> dict:
        return {c.key: getattr(self, c.key) for c in self.__table__.columns if c.key not in ("created_at", "updated_at")}


class CreditDelivery(db.Model):
    """One message for the credit channel (outbox): publish a record, or withdraw it.

    A publisher claims pending rows with one UPDATE (claimed_by, claimed_until) before it sends
    them, so two publishers never send the same row; a claim that outlives its publisher expires.
    """

    __tablename__ = "credit_deliveries"
    __table_args__ = (
        CheckConstraint(_in("kind", DELIVERY_KINDS), name="kind"),
        CheckConstraint(_in("status", DELIVERY_STATES), name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_at"),
        UniqueConstraint("record_id", "kind", name="uq_credit_deliveries_record_kind"),
        Index("ix_credit_deliveries_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    record = relationship(CreditRecord, back_populates="deliveries")

    @property
    def kind_label(self) -> str:
        return DELIVERY_KINDS[self.kind]

    @property
    def status_label(self) -> str:
        return DELIVERY_STATES[self.status]


class RepairApplication(db.Model):
    """An enterprise's application for credit repair: proof of correction and a public credit commitment."""

    __tablename__ = "credit_repairs"
    __table_args__ = (
        CheckConstraint(_in("state", REPAIR_STATES), name="state"),
        CheckConstraint("proof_size > 0", name="proof_size"),
        CheckConstraint("state = 'pending' OR decided_on IS NOT NULL", name="decided"),
        # One application under review per record at a time.
        Index("uq_credit_repairs_pending_record", "record_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), nullable=False, index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_on: Mapped[date] = mapped_column(Date, nullable=False)
    correction: Mapped[str] = mapped_column(Text, nullable=False)  # how the violation was corrected
    commitment: Mapped[str] = mapped_column(Text, nullable=False)  # 信用承诺书, made public with the withdrawal
    proof_stored_name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    proof_original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    proof_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    proof_size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # 信用修复办法: the penalty performed — for a fine, the payment voucher (缴款凭证), whose amount matches it.
    paid_yuan: Mapped[Decimal | None] = mapped_column(Money)
    paid_on: Mapped[date | None] = mapped_column(Date)
    voucher_stored_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    voucher_original_name: Mapped[str | None] = mapped_column(String(255))
    voucher_sha256: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    record = relationship(CreditRecord, back_populates="repairs")
    enterprise = relationship("Enterprise")

    @property
    def state_label(self) -> str:
        return REPAIR_STATES[self.state]
