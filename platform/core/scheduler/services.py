"""The lease that lets exactly one scheduler run jobs, and running one job under it."""
import logging
import os
import socket
import uuid
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models_base import utcnow
from .models import SchedulerJobRun, SchedulerLease
from ..dates import beijing_today

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
LEASE_SECONDS = 90  # SCHEDULER_LEASE_SECONDS changes it (tests shorten it to see a takeover quickly)


def new_holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_seconds() -> float:
    return float(current_app.config.get("SCHEDULER_LEASE_SECONDS") or LEASE_SECONDS)


def acquire(holder: str, seconds: float | None = None) -> bool:
    """Take or renew the lease in one atomic statement; True if `holder` now holds it."""
    seconds = seconds or lease_seconds()
    now = utcnow()
    expires = now + timedelta(seconds=seconds)
    taken = db.session.execute(
        update(SchedulerLease).where(SchedulerLease.name == LEASE_NAME,
                                     or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=expires).execution_options(synchronize_session=False)).rowcount
    if not taken:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(SchedulerLease).values(name=LEASE_NAME, holder=holder, expires_at=expires))
            taken = 1
        except IntegrityError:
            taken = 0  # someone else holds it
    db.session.commit()
    return bool(taken)


def release(holder: str) -> None:
    db.session.execute(delete(SchedulerLease).where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder))
    db.session.commit()


def run_job(job_id: str, func, holder: str, as_of: date | None = None) -> bool:
    """Run one job if `holder` holds the lease: one transaction, one run record. False if skipped."""
    if not acquire(holder):
        log.info("job %s skipped: another scheduler holds the lease", job_id)
        return False
    started = utcnow()
    try:
        summary = func(as_of or beijing_today())
        db.session.commit()
        outcome = "ok"
    except Exception as exc:  # a failed run is recorded and retried at its next time
        db.session.rollback()
        log.exception("job %s failed", job_id)
        summary, outcome = f"{exc.__class__.__name__}: {exc}", "failed"
    db.session.add(SchedulerJobRun(job_id=job_id, holder=holder, started_at=started, finished_at=utcnow(),
                                   outcome=outcome, summary=str(summary)[:2000] if summary is not None else None))
    db.session.commit()
    return outcome == "ok"
