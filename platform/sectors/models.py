"""Yearly figures of the sectors' 2025 targets, reported by the responsible departments.

A figure is reported once per indicator, division and year; a correction is a new row that revises
the old one (`revises_id`, with its reason), and the old row stays, marked by `superseded_by_id`.
The current figure (`is_current`) is the one nobody has superseded: one per indicator, division
and year, a partial unique index makes sure.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.models_base import utcnow
from ..core.reference.models import Division


class SectorFigure(db.Model):
    __tablename__ = "sector_figures"
    __table_args__ = (
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("year >= 2021", name="year_in_plan"),
        Index("uq_sector_figures_current", "indicator", "division_code", "year", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), nullable=False)
    division_code: Mapped[str] = mapped_column(String(6), ForeignKey("divisions.code"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    unit: Mapped[str] = mapped_column(String(10), nullable=False)
    department: Mapped[str] = mapped_column(String(30), nullable=False)  # of the reporter, at the time
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the platform (CLI, demo)
    reported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("sector_figures.id"))
    reason: Mapped[str | None] = mapped_column(String(500))  # why a revision corrects the figure
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("sector_figures.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)  # not yet superseded

    division = relationship(Division)
    reported_by = relationship("User")
    revises = relationship("SectorFigure", foreign_keys=[revises_id], remote_side=[id])
