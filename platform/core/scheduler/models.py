from datetime import datetime

from sqlalchemy import DateTime, Float, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SchedulerLease(db.Model):
    """The one-scheduler lease: whoever holds an unexpired row runs the jobs."""

    __tablename__ = "scheduler_leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class SchedulerJobRun(db.Model):
    """One line per job run: when, by whom, and what it reported (shown to admins)."""

    __tablename__ = "scheduler_job_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    holder: Mapped[str] = mapped_column(String(100), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)  # ok | failed
    summary: Mapped[str | None] = mapped_column(String(2000))


class ApschedulerJob(db.Model):
    """APScheduler's SQLAlchemy job store table, declared here so that a migration creates it."""

    __tablename__ = "apscheduler_jobs"
    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
