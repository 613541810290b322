"""The evidence a mandatory list is built from, and the proposals that carry candidates to a list.

Evidence rows belong to a registered enterprise and are keyed so that importing the same file again
changes nothing: a permit by its number, a monitoring record by enterprise, pollutant and date, an
energy record by enterprise, year and product, a declaration by enterprise, chemical, use and year.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, JSON, String, Text,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import Amount, TimestampMixin, utcnow

# The permit's management class (排污许可管理类别), coded as Enterprise.permit_class is.
PERMIT_CLASSES = {"key": "重点管理", "simplified": "简化管理", "registration": "登记管理"}
DECLARATION_KINDS = {"use": "使用", "discharge": "排放"}
# The three causes of 《清洁生产审核办法》第八条, in the article's order.
CAUSES = {
    "over_discharge": "超标或超总量排放（第八条第（一）项）",
    "over_energy": "超过单位产品能源消耗限额（第八条第（二）项）",
    "toxic": "使用或排放有毒有害物质（第八条第（三）项）",
}
PROPOSAL_STATES = {
    "draft": "拟定中",
    "submitted": "已报送待核定",
    "returned": "已退回",
    "confirmed": "已核定",
    "published": "已公布",
}
ENTRY_SOURCES = {"rule": "规则筛选", "manual": "人工增补"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class DischargePermit(TimestampMixin, db.Model):
    """排污许可证: one per number; the enterprise's permit_no and permit_class follow the latest import."""

    __tablename__ = "discharge_permits"
    __table_args__ = (
        CheckConstraint(_in("management_class", PERMIT_CLASSES), name="management_class"),
        CheckConstraint("valid_to >= valid_from", name="validity"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    permit_no: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    unit_name: Mapped[str] = mapped_column(String(200), nullable=False)
    industry_code: Mapped[str] = mapped_column(String(4), nullable=False)  # GB/T 4754-2017, 2–4 digits
    management_class: Mapped[str] = mapped_column(String(20), nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date] = mapped_column(Date, nullable=False)
    issuing_authority: Mapped[str] = mapped_column(String(100), nullable=False)

    enterprise = relationship("Enterprise")

    @property
    def management_class_label(self) -> str:
        return PERMIT_CLASSES[self.management_class]


class MonitoringRecord(TimestampMixin, db.Model):
    """A monitored value against its limit, and optionally the year's total against the permitted total."""

    __tablename__ = "monitoring_records"
    __table_args__ = (
        CheckConstraint("measured_value >= 0 AND limit_value > 0", name="values"),
        CheckConstraint("annual_total IS NULL OR annual_total >= 0", name="annual_total"),
        CheckConstraint("permitted_total IS NULL OR permitted_total > 0", name="permitted_total"),
        Index("uq_monitoring_records_key", "enterprise_id", "pollutant", "measured_on", unique=True),
        # Covering the candidate rule's query (listing.candidates): a range of dates read from the index
        # alone, never 500,000 lookups in the table (bench/listing_candidates.py: 3.7 s -> 0.2 s).
        Index("ix_monitoring_records_window", "measured_on", "enterprise_id", "measured_value", "limit_value",
              "annual_total", "permitted_total"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False)
    pollutant: Mapped[str] = mapped_column(String(50), nullable=False)
    measured_on: Mapped[date] = mapped_column(Date, nullable=False)
    measured_value: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    limit_value: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    unit: Mapped[str] = mapped_column(String(20), nullable=False)
    annual_total: Mapped[Decimal | None] = mapped_column(Amount)  # t/a discharged
    permitted_total: Mapped[Decimal | None] = mapped_column(Amount)  # t/a the permit allows

    enterprise = relationship("Enterprise")

    @property
    def over_standard(self) -> bool:
        return self.measured_value > self.limit_value

    @property
    def over_total(self) -> bool:
        return self.annual_total is not None and self.permitted_total is not None and self.annual_total > self.permitted_total


class EnergyRecord(TimestampMixin, db.Model):
    """A year's energy use and unit product consumption against the applicable 能耗限额 standard."""

    __tablename__ = "energy_records"
    __table_args__ = (
        CheckConstraint("total_tce >= 0 AND unit_consumption >= 0 AND quota_value > 0", name="values"),
        Index("uq_energy_records_key", "enterprise_id", "year", "product", unique=True),
        Index("ix_energy_records_year", "year"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    total_tce: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    product: Mapped[str] = mapped_column(String(50), nullable=False)
    unit_consumption: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    unit_label: Mapped[str] = mapped_column(String(30), nullable=False)  # e.g. kgce/t
    quota_value: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    quota_standard: Mapped[str] = mapped_column(String(50), nullable=False)  # e.g. GB 21256-2013

    enterprise = relationship("Enterprise")

    @property
    def over_quota(self) -> bool:
        return self.unit_consumption > self.quota_value


class ChemicalDeclaration(TimestampMixin, db.Model):
    """An enterprise's declared use or discharge of a chemical on the 优先控制化学品名录 in a year."""

    __tablename__ = "chemical_declarations"
    __table_args__ = (
        CheckConstraint(_in("kind", DECLARATION_KINDS), name="kind"),
        CheckConstraint("amount_t >= 0", name="amount"),
        Index("uq_chemical_declarations_key", "enterprise_id", "chemical_id", "kind", "year", unique=True),
        Index("ix_chemical_declarations_year", "year"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False)
    chemical_id: Mapped[int] = mapped_column(ForeignKey("priority_chemicals.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    amount_t: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)

    enterprise = relationship("Enterprise")
    chemical = relationship("PriorityChemical")

    @property
    def kind_label(self) -> str:
        return DECLARATION_KINDS[self.kind]


class ListProposal(db.Model):
    """A city's proposed list for one department (审核办法 第十条: each department proposes by its
    remit), confirmed (核定) by the province and published as an audits ListBatch."""

    __tablename__ = "list_proposals"
    __table_args__ = (
        CheckConstraint(_in("state", PROPOSAL_STATES), name="state"),
        CheckConstraint("state <> 'returned' OR return_reason IS NOT NULL", name="return_reason"),
        CheckConstraint("state <> 'published' OR batch_id IS NOT NULL", name="published_batch"),
        # One proposal in the making per city and department.
        Index("uq_list_proposals_open", "city_code", "department", unique=True,
              sqlite_where=text("state IN ('draft', 'submitted', 'returned')"),
              postgresql_where=text("state IN ('draft', 'submitted', 'returned')")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False, index=True)
    department: Mapped[str] = mapped_column(String(30), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)  # the day the candidates were drawn
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("list_batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    city = relationship("Division")
    batch = relationship("ListBatch")
    entries = relationship("ProposalEntry", back_populates="proposal", order_by="ProposalEntry.id",
                           cascade="all, delete-orphan")

    @property
    def state_label(self) -> str:
        return PROPOSAL_STATES[self.state]

    @property
    def included(self) -> list:
        return [e for e in self.entries if e.included]


class ProposalEntry(db.Model):
    """One enterprise in a proposal: why (its causes and the evidence at the time), whether it stays on
    the list and why not, and, once published, its round."""

    __tablename__ = "proposal_entries"
    __table_args__ = (
        CheckConstraint(_in("source", ENTRY_SOURCES), name="source"),
        CheckConstraint("source = 'rule' OR reason IS NOT NULL", name="manual_reason"),
        CheckConstraint("included OR reason IS NOT NULL", name="drop_reason"),
        Index("uq_proposal_entries_enterprise", "proposal_id", "enterprise_id", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("list_proposals.id"), nullable=False)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    causes: Mapped[str] = mapped_column(String(60), nullable=False)  # ","-joined CAUSES keys
    department: Mapped[str] = mapped_column(String(30), nullable=False)  # responsible for the listing
    source: Mapped[str] = mapped_column(String(10), nullable=False)
    included: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)  # why dropped, or why added by hand
    evidence: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # the records, as drawn
    evidence_note: Mapped[str | None] = mapped_column(Text)  # a hand-added firm's evidence
    round_id: Mapped[int | None] = mapped_column(ForeignKey("audit_rounds.id"), index=True)

    proposal = relationship(ListProposal, back_populates="entries")
    enterprise = relationship("Enterprise")
    round = relationship("AuditRound")

    @property
    def cause_keys(self) -> list[str]:
        return [c for c in self.causes.split(",") if c]

    @property
    def cause_labels(self) -> list[str]:
        return [CAUSES[c] for c in self.cause_keys]

    @property
    def source_label(self) -> str:
        return ENTRY_SOURCES[self.source]
