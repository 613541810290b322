"""The expert pool (专家库), service organisations (服务机构) and review panels (评估/验收专家组).

Contact data (phone, e-mail, contact person) lives only on these rows and is never put into a
search document, a public page or a public API answer.
"""
from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.indexing.services import indexed
from ..core.models_base import TimestampMixin, utcnow
from ..core.reference.models import Industry

STATUSES = {"pending": "待审核", "approved": "已入库", "suspended": "已暂停", "retired": "已退出"}
ENGAGEMENT_STATES = {"pending": "待确认", "confirmed": "已生效", "refused": "服务机构不予确认",
                     "rejected": "监管部门不予批准", "withdrawn": "已撤回"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ServiceOrg(TimestampMixin, db.Model):
    """A consultancy (清洁生产审核咨询服务机构) that audits for enterprises; its track record is public."""

    __tablename__ = "service_orgs"
    __table_args__ = (CheckConstraint("length(uscc) = 18", name="uscc_length"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    uscc: Mapped[str] = mapped_column(String(18), unique=True, nullable=False)
    city_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False, index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    # The organisation's own account (role service_org), if it has one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Private: for regulators only.
    contact_person: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))

    city = relationship("Division")
    user = relationship("User")

    def snapshot(self) -> dict:
        return {k: getattr(self, k) for k in ("name", "uscc", "city_code", "address", "user_id", "active",
                                               "contact_person", "contact_phone")}


class ExpertSpecialty(db.Model):
    """An industry (GB/T 4754 two-digit code) the expert may review."""

    __tablename__ = "expert_specialties"
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True)
    industry_code: Mapped[str] = mapped_column(String(2), ForeignKey("industries.code"), primary_key=True)


@indexed
class Expert(TimestampMixin, db.Model):
    __tablename__ = "experts"
    __search_index__ = "experts"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("length(employer_uscc) = 18", name="employer_uscc_length"),
        CheckConstraint("years_of_practice >= 0 AND years_of_practice <= 70", name="years_of_practice"),
        # A suspension or retirement is always given with its reason.
        CheckConstraint("status NOT IN ('suspended', 'retired') OR status_reason IS NOT NULL", name="status_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(50), nullable=False)  # 职称
    employer: Mapped[str] = mapped_column(String(200), nullable=False)
    employer_uscc: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    fields: Mapped[str | None] = mapped_column(String(300))  # 专业领域, e.g. 节能、废水治理
    qualifications: Mapped[str | None] = mapped_column(Text)  # 执业资格与主要业绩
    years_of_practice: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A new name asked for by an expert already decided on, until the province regulator approves it.
    pending_name: Mapped[str | None] = mapped_column(String(50))
    pending_name_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Private contact data: the expert and regulators only.
    phone: Mapped[str] = mapped_column(String(30), nullable=False)
    email: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # external version of the search document

    user = relationship("User", foreign_keys=[user_id])
    industries = relationship(Industry, secondary=ExpertSpecialty.__table__, order_by=Industry.code)
    conflicts = relationship("ExpertConflict", back_populates="expert", order_by="ExpertConflict.id",
                             cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    # Changing one of these sends an approved expert back for approval.
    KEY_FIELDS = ("title", "employer", "employer_uscc", "industry_codes")
    EDITABLE = ("name", "title", "employer", "employer_uscc", "fields", "qualifications", "years_of_practice",
                "phone", "email")

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def industry_codes(self) -> list[str]:
        return [i.code for i in self.industries]

    def snapshot(self) -> dict:
        data = {field: getattr(self, field) for field in self.EDITABLE}
        data["industry_codes"] = self.industry_codes
        data["status"] = self.status
        return data

    @classmethod
    def search_filter(cls):
        # Every expert is in the index (no contact data is): the public search asks for status
        # "approved", the regulator's pool search for any status.
        return true()

    @classmethod
    def search_document(cls, row: "Expert") -> dict | None:
        """The one place an expert becomes a search document. Never any contact data."""
        return {
            "id": row.id, "name": row.name, "title": row.title, "employer": row.employer,
            "specialty_codes": row.industry_codes, "specialty_names": [i.name for i in row.industries],
            "fields": row.fields or "", "status": row.status,
        }


class ExpertConflict(db.Model):
    """A conflict of interest the expert declared, with an enterprise or a service organisation."""

    __tablename__ = "expert_conflicts"
    __table_args__ = (UniqueConstraint("expert_id", "uscc", name="uq_expert_conflicts_expert_uscc"),
                      CheckConstraint("length(uscc) = 18", name="uscc_length"))
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True)
    uscc: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    expert = relationship(Expert, back_populates="conflicts")


class ExpertNotice(db.Model):
    """A notice to an expert in the platform (and by e-mail when SMTP is configured, experts/jobs.py)."""

    __tablename__ = "expert_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), nullable=False, index=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"))
    message: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    expert = relationship(Expert)
    panel = relationship("Panel")


class ServiceEngagement(db.Model):
    """Who does a round's audit, as proposed and as confirmed (experts/engagements.py).

    Only a confirmed engagement sets the round's service_org_id, which the public record, the
    statistics and the draw's conflict rule read. An enterprise's proposal waits for the named
    organisation (needs_org) and, once the report has been submitted, for a regulator too
    (needs_regulator). A regulator's (or the operator's) direct setting needs neither.
    """

    __tablename__ = "service_engagements"
    __table_args__ = (
        CheckConstraint(_in("state", ENGAGEMENT_STATES), name="state"),
        # Nothing counts unconfirmed: every confirmation it needed is on the row.
        CheckConstraint("state <> 'confirmed' OR ((NOT needs_org OR org_confirmed_at IS NOT NULL) "
                        "AND (NOT needs_regulator OR regulator_approved_at IS NOT NULL))", name="confirmed"),
        CheckConstraint("NOT needs_org OR service_org_id IS NOT NULL", name="needs_org"),
        CheckConstraint("state = 'pending' OR decided_at IS NOT NULL", name="decided"),
        Index("uq_service_engagements_pending_round", "round_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False, index=True)
    service_org_id: Mapped[int | None] = mapped_column(ForeignKey("service_orgs.id"), index=True)  # None: no consultancy
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the operator (CLI, demo)
    proposed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    needs_org: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    org_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    needs_regulator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    regulator_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    regulator_approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    round = relationship("AuditRound")
    service_org = relationship(ServiceOrg)
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])

    @property
    def state_label(self) -> str:
        return ENGAGEMENT_STATES[self.state]

    @property
    def waiting_for(self) -> list[str]:
        """Who must still agree, in words (for a pending engagement)."""
        if self.state != "pending":
            return []
        out = []
        if self.needs_org and self.org_confirmed_at is None:
            out.append("待服务机构确认")
        if self.needs_regulator and self.regulator_approved_at is None:
            out.append("待监管部门批准")
        return out


QUALIFICATION_RESULTS = {"pending": "待核查", "met": "符合", "not_met": "不符合"}


class ServiceOrgQualification(db.Model):
    """One condition of 审核办法 第十六条 (experts/rules.py REQUIREMENTS) as an organisation documents it,
    with a regulator's check. A new submission for the same condition is a new row; the latest counts."""

    __tablename__ = "service_org_qualifications"
    __table_args__ = (
        CheckConstraint(_in("result", QUALIFICATION_RESULTS), name="result"),
        CheckConstraint("result = 'pending' OR (checked_at IS NOT NULL AND check_note IS NOT NULL)", name="checked"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    service_org_id: Mapped[int] = mapped_column(ForeignKey("service_orgs.id"), nullable=False, index=True)
    requirement: Mapped[str] = mapped_column(String(30), nullable=False)  # a code of rules.REQUIREMENTS
    evidence: Mapped[str] = mapped_column(Text, nullable=False)  # what proves it: certificates, staff, equipment
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    result: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    check_note: Mapped[str | None] = mapped_column(Text)

    service_org = relationship(ServiceOrg)

    @property
    def result_label(self) -> str:
        return QUALIFICATION_RESULTS[self.result]


class ServiceOrgSuspension(db.Model):
    """The province regulator suspends an organisation from new engagements, with a reason; lifting it too.

    While a suspension is open the organisation cannot be chosen for a round (experts/engagements.py).
    """

    __tablename__ = "service_org_suspensions"
    __table_args__ = (
        CheckConstraint("lifted_at IS NULL OR lift_reason IS NOT NULL", name="lift_reason"),
        Index("uq_service_org_suspensions_open", "service_org_id", unique=True,
              sqlite_where=text("lifted_at IS NULL"), postgresql_where=text("lifted_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    service_org_id: Mapped[int] = mapped_column(ForeignKey("service_orgs.id"), nullable=False, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    suspended_on: Mapped[date] = mapped_column(Date, nullable=False)
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    service_org = relationship(ServiceOrg)
