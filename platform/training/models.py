"""Training (培训): plans by audience, their sessions, enrolments, attendance and certificates."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import utcnow

# The plan's four audiences (广西清洁生产“十四五”规划: 培训行政管理人员、专家、审核咨询服务机构从业人员和企业负责人).
AUDIENCES = {"officials": "行政管理人员", "experts": "专家", "consultants": "审核咨询服务机构从业人员",
             "enterprise_heads": "企业负责人"}
# Which audience a user of each role belongs to: a user enrols only in plans for their own audience.
ROLE_AUDIENCE = {"regulator": "officials", "admin": "officials", "expert": "experts", "service_org": "consultants",
                 "enterprise": "enterprise_heads"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class TrainingPlan(db.Model):
    """A year's training plan for one audience, kept by a regulator of the province or of a city."""

    __tablename__ = "training_plans"
    __table_args__ = (
        CheckConstraint(_in("audience", AUDIENCES), name="audience"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        CheckConstraint("hours > 0 AND hours <= 1000", name="hours"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    audience: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1), nullable=False)  # planned hours (学时) in the year
    content: Mapped[str | None] = mapped_column(Text)
    # The organiser's region: the province (450000) or one city; its regulators keep the plan.
    division_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    division = relationship("Division")
    sessions = relationship("TrainingSession", back_populates="plan", order_by="TrainingSession.starts_on")

    @property
    def audience_label(self) -> str:
        return AUDIENCES[self.audience]


class TrainingSession(db.Model):
    """One class (培训班) of a plan: dates, place, capacity and the hours it counts for.

    `enrolled` counts the enrolments; it only grows through one conditional UPDATE that stops at
    the capacity, and the database refuses a count above it, so two people taking the last seat
    at the same instant cannot both have it.
    """

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("capacity >= 1 AND capacity <= 10000", name="capacity"),
        CheckConstraint("enrolled >= 0 AND enrolled <= capacity", name="enrolled"),
        CheckConstraint("hours > 0 AND hours <= 200", name="hours"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plans.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    place: Mapped[str] = mapped_column(String(200), nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    enrolled: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), nullable=False)  # 学时 credited for attending
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    plan = relationship(TrainingPlan, back_populates="sessions")
    enrolments = relationship("Enrolment", back_populates="session", order_by="Enrolment.id")

    @property
    def seats_left(self) -> int:
        return self.capacity - self.enrolled


class Enrolment(db.Model):
    """A person's place in a session; attendance recorded by the organiser; a certificate for attending."""

    __tablename__ = "training_enrolments"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_training_enrolments_session_user"),
        UniqueConstraint("certificate_code", name="uq_training_enrolments_certificate_code"),
        # A certificate only for someone recorded as attending, and always with its issue time.
        CheckConstraint("certificate_code IS NULL OR (attended AND certificate_issued_at IS NOT NULL)",
                        name="certificate"),
        CheckConstraint("attended IS NULL OR attendance_recorded_at IS NOT NULL", name="attendance"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    # The name printed on the certificate, taken at enrolment (the expert's or the user's own name).
    holder_name: Mapped[str] = mapped_column(String(100), nullable=False)
    holder_unit: Mapped[str | None] = mapped_column(String(200))  # employer or organisation, as printed
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the operator
    enrolled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None: not yet recorded
    attendance_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    certificate_code: Mapped[str | None] = mapped_column(String(32))
    certificate_issued_at: Mapped[datetime | None] = mapped_column(DateTime)

    session = relationship(TrainingSession, back_populates="enrolments")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def attendance_label(self) -> str:
        return {None: "未登记", True: "已出勤", False: "缺勤"}[self.attended]
