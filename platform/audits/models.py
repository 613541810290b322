"""Audit rounds (审核轮次), the mandatory lists that start them, their reports, cases and notices."""
from datetime import date, datetime

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String,
                        Text, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import TimestampMixin, utcnow

KINDS = {"mandatory": "强制性审核", "voluntary": "自愿性审核", "certification": "评价认证"}
PROCEDURES = {"full": "完整审核", "simplified": "简化审核"}
STATES = {
    "listed": "列入名单",
    "disclosed": "企业信息已公开",
    "auditing": "审核中",
    "report_submitted": "报告已提交",
    "evaluation": "评估中",
    "evaluation_passed": "评估通过",
    "evaluation_failed": "评估不通过",
    "acceptance": "验收中",
    "accepted": "验收合格",
    "acceptance_failed": "验收不合格",
    "cancelled": "已撤销",
}
CLOSED_STATES = ("accepted", "cancelled")
CASE_STATES = {
    "open": "待处理",
    "rectifying": "限期整改中",
    "overdue": "逾期未整改",
    "rectified": "已整改",
    "closed": "已结案",
    "penalized": "已处罚",  # a penalty decision was recorded (platform/credit); the case is not open
}
OPEN_CASE_STATES = ("open", "rectifying", "overdue")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ListBatch(db.Model):
    """One published mandatory-audit list (强制性清洁生产审核名单): public once published."""

    __tablename__ = "list_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    document_no: Mapped[str | None] = mapped_column(String(100))  # 文号
    published_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    division_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False)
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    division = relationship("Division")
    rounds = relationship("AuditRound", back_populates="batch", order_by="AuditRound.id")


class ParkRound(db.Model):
    """A park or industrial cluster audited as a whole (园区/产业集群整体审核)."""

    __tablename__ = "park_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    park = relationship("Park")
    rounds = relationship("AuditRound", back_populates="park_round", order_by="AuditRound.id")


class AuditRound(TimestampMixin, db.Model):
    __tablename__ = "audit_rounds"
    __table_args__ = (
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("procedure", PROCEDURES), name="procedure"),
        CheckConstraint("kind <> 'mandatory' OR listed_on IS NOT NULL", name="mandatory_listed"),
        # At most one open round per enterprise.
        Index("uq_audit_rounds_open_enterprise", "enterprise_id", unique=True,
              sqlite_where=text(f"NOT {_in('state', CLOSED_STATES)}"),
              postgresql_where=text(f"NOT {_in('state', CLOSED_STATES)}")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    procedure: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    carbon_in_scope: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("list_batches.id"), index=True)
    park_round_id: Mapped[int | None] = mapped_column(ForeignKey("park_rounds.id"), index=True)
    # The consultancy doing the audit (its experts may not review it); see experts.services.
    service_org_id: Mapped[int | None] = mapped_column(ForeignKey("service_orgs.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why the enterprise was listed
    # Dates of each step, and the deadlines derived from them by rules.py.
    listed_on: Mapped[date | None] = mapped_column(Date)
    disclosure_due: Mapped[date | None] = mapped_column(Date, index=True)
    disclosed_on: Mapped[date | None] = mapped_column(Date)
    disclosure_url: Mapped[str | None] = mapped_column(String(500))
    start_due: Mapped[date | None] = mapped_column(Date, index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    report_due: Mapped[date | None] = mapped_column(Date, index=True)
    report_submitted_on: Mapped[date | None] = mapped_column(Date)
    evaluation_started_on: Mapped[date | None] = mapped_column(Date)
    evaluation_concluded_on: Mapped[date | None] = mapped_column(Date)
    acceptance_due: Mapped[date | None] = mapped_column(Date, index=True)
    acceptance_requested_on: Mapped[date | None] = mapped_column(Date)
    acceptance_concluded_on: Mapped[date | None] = mapped_column(Date)
    next_round_due: Mapped[date | None] = mapped_column(Date, index=True)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)

    enterprise = relationship("Enterprise")
    batch = relationship(ListBatch, back_populates="rounds")
    park_round = relationship(ParkRound, back_populates="rounds")
    reports = relationship("ReportFile", back_populates="round", order_by="ReportFile.id")
    events = relationship("RoundEvent", back_populates="round", order_by="RoundEvent.id")

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def procedure_label(self) -> str:
        return PROCEDURES[self.procedure]

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    def snapshot(self) -> dict:
        return {c.key: getattr(self, c.key) for c in self.__table__.columns if c.key not in ("created_at", "updated_at")}


class RoundEvent(db.Model):
    """The round's public timeline: one row per transition, with its date and who did it."""

    __tablename__ = "round_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    round = relationship(AuditRound, back_populates="events")

    @property
    def to_label(self) -> str:
        return STATES[self.to_state]


class ReportFile(db.Model):
    """An uploaded audit report: stored outside static/ and served only after a permission check."""

    __tablename__ = "report_files"
    __table_args__ = (CheckConstraint("size > 0", name="size"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    stored_name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    round = relationship(AuditRound, back_populates="reports")


class Case(db.Model):
    """A non-compliance case (违规案件): opened by the daily scan or by a regulator."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_in("state", CASE_STATES), name="state"),
        CheckConstraint("state <> 'rectifying' OR rectification_deadline IS NOT NULL", name="rectification_deadline"),
        # At most one open case per round and cause: the scan can never open a second.
        Index("uq_cases_open_round_cause", "round_id", "cause", unique=True,
              sqlite_where=text(_in("state", OPEN_CASE_STATES)),
              postgresql_where=text(_in("state", OPEN_CASE_STATES))),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    cause: Mapped[str] = mapped_column(String(30), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    due_on: Mapped[date | None] = mapped_column(Date)  # the deadline that was missed
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the compliance scan
    rectification_deadline: Mapped[date | None] = mapped_column(Date)
    rectification_note: Mapped[str | None] = mapped_column(Text)
    rectification_ordered_on: Mapped[date | None] = mapped_column(Date)
    cured_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    enterprise = relationship("Enterprise")
    round = relationship(AuditRound)

    @property
    def state_label(self) -> str:
        return CASE_STATES[self.state]

    @property
    def cause_label(self) -> str:
        from .rules import CAUSES

        return CAUSES[self.cause]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CASE_STATES


class Notice(db.Model):
    """A reminder in the platform (and by e-mail when SMTP is configured): once per deadline and lead time."""

    __tablename__ = "notices"
    __table_args__ = (Index("uq_notices_round_deadline_days", "round_id", "deadline", "days_before", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False)
    deadline: Mapped[str] = mapped_column(String(30), nullable=False)  # the due column's name
    days_before: Mapped[int] = mapped_column(Integer, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    created_on: Mapped[date] = mapped_column(Date, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)
