"""The 两高 project register: each project, its stage history, and the regulators' joint-review notes.

A project's sector, unit and benchmark come from reference data (data/two_high_sectors.csv,
data/energy_benchmarks.csv, read by rules.py); the database guards the stage and the amounts.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import utcnow

# In the order a project moves through them: planned (拟建) -> building (在建) -> existing (存量).
STAGES = {"planned": "拟建", "building": "在建", "existing": "存量"}
STAGE_ORDER = {stage: i for i, stage in enumerate(STAGES)}
_STAGE_CHECK = "IN ('planned','building','existing')"


class TwoHighProject(db.Model):
    __tablename__ = "two_high_projects"
    __table_args__ = (
        CheckConstraint(f"stage {_STAGE_CHECK}", name="stage"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("retired_capacity IS NULL OR retired_capacity > 0", name="retired_positive"),
        CheckConstraint("utilization_percent IS NULL OR (utilization_percent >= 0 AND utilization_percent <= 100)",
                        name="utilization_percent"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    sector: Mapped[str] = mapped_column(String(40), nullable=False, index=True)  # rules.SECTORS
    capacity: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    capacity_unit: Mapped[str] = mapped_column(String(20), nullable=False)  # the sector's, when recorded
    stage: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    approval_no: Mapped[str | None] = mapped_column(String(100))  # 审批（核准）文号
    filing_no: Mapped[str | None] = mapped_column(String(100))  # 备案号
    # Unit energy use in the sector's benchmark unit; may be negative (a converter recovers energy).
    designed_energy: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    actual_energy: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    utilization_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # 产能利用率
    # 产能置换 proof: the replacement plan's document number and the capacity it retires.
    replacement_plan_no: Mapped[str | None] = mapped_column(String(100))
    retired_capacity: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the platform
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    enterprise = relationship("Enterprise")
    stage_changes = relationship("ProjectStageChange", back_populates="project", order_by="ProjectStageChange.id")
    notes = relationship("JointReviewNote", back_populates="project", order_by="JointReviewNote.id")

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]


class ProjectStageChange(db.Model):
    """One step of a project's stage history; the first has no `from_stage`."""
    __tablename__ = "two_high_stage_changes"
    __table_args__ = (
        CheckConstraint(f"to_stage {_STAGE_CHECK}", name="to_stage"),
        CheckConstraint(f"from_stage IS NULL OR from_stage {_STAGE_CHECK}", name="from_stage"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("two_high_projects.id"), nullable=False, index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    changed_on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)  # required when the stage goes backwards
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    project = relationship(TwoHighProject, back_populates="stage_changes")
    changed_by = relationship("User")

    @property
    def from_label(self) -> str:
        return STAGES.get(self.from_stage, "")

    @property
    def to_label(self) -> str:
        return STAGES[self.to_stage]


class JointReviewNote(db.Model):
    """A note of the joint review (联合会商) by a regulator of one of the responsible departments."""
    __tablename__ = "two_high_review_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("two_high_projects.id"), nullable=False, index=True)
    department: Mapped[str] = mapped_column(String(30), nullable=False)  # the author's, at the time
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    project = relationship(TwoHighProject, back_populates="notes")
    author = relationship("User")
