"""Scheduled jobs of the credit feature: the publisher (every 10 minutes) and the daily expiry.

The publisher drains the outbox (credit_deliveries) batch by batch:

  1. claim  — mark up to a batch of due rows as ours until `claimed_until` (claimed_by = a token
              of this batch), and commit, so that another publisher (a second scheduler,
              `flask credit publish` run by hand) skips them; a crashed publisher's claim expires;
  2. send   — through the configured channel, with no transaction open while the network is slow;
  3. settle — each row becomes sent, or pending again with exponential backoff, or dead with the
              channel's reason; only rows still claimed by us are touched; commit.

Unlike other jobs it commits batch by batch: a claim must be visible before anything is sent, and
a row the channel accepted must be marked sent before the next batch can fail.
"""
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import String, and_, bindparam, case, exists, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from ..core.auditlog.services import record as audit
from ..core.extensions import db
from ..core.models_base import utcnow
from . import services
from .channel import channel_for, outgoing
from .models import CreditDelivery, CreditRecord
from ..core.access import SYSTEM

BATCH_SIZE = 200
MAX_ATTEMPTS = 20  # with the defaults below, about three days of trying before a dead letter
RETRY_BASE_SECONDS = 60  # first retry after a minute, then 2, 4, 8 … minutes
RETRY_MAX_SECONDS = 6 * 3600
RUN_SECONDS = 8 * 60  # stop claiming new batches before the next 10-minute run is due
CLAIM_MARGIN_SECONDS = 60  # a claim outlasts the slowest batch by this much (CREDIT_CLAIM_MARGIN_SECONDS)

D = CreditDelivery
R = CreditRecord


@dataclass
class PublishReport:
    due: int = 0
    sent: dict = field(default_factory=lambda: {"publish": 0, "withdraw": 0})
    retrying: int = 0
    dead: int = 0
    errors: list = field(default_factory=list)  # a few of the channel's reasons, for the report

    @property
    def sent_total(self) -> int:
        return sum(self.sent.values())

    def lines(self) -> list[str]:
        out = [f"信用信息报送：到期 {self.due} 条，送达 {self.sent_total} 条（公示 {self.sent['publish']}、"
               f"撤下 {self.sent['withdraw']}），待重试 {self.retrying} 条，转为失败 {self.dead} 条。"]
        out += [f"  {e}" for e in self.errors[:5]]
        return out


def retry_delay(attempts: int, base: float) -> timedelta:
    """Exponential backoff after the `attempts`-th failed try."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def _free(now: datetime):
    return or_(D.claimed_until.is_(None), D.claimed_until < now)


def _eligible():
    """What may go out: a publication only of an approved record still meant to be public; a
    withdrawal only once its record's publication is settled (never before it)."""
    publication = aliased(CreditDelivery)
    approved = exists().where(R.id == D.record_id, R.state.in_(("approved", "published")), R.approved_at.is_not(None))
    settled = ~exists().where(publication.record_id == D.record_id, publication.kind == "publish",
                              publication.status == "pending")
    return or_(and_(D.kind == "publish", approved), and_(D.kind == "withdraw", settled))


def claim(token: str, now: datetime, limit: int, lease_seconds: float) -> int | None:
    """Mark up to `limit` due rows as ours; the number claimed, or None when nothing is due.

    Two statements, not an UPDATE over a LIMIT subquery, which PostgreSQL may evaluate more than
    once (and so claim more than `limit` rows). SKIP LOCKED lets a second publisher on PostgreSQL
    take the next rows rather than wait; SQLite has one writer at a time anyway. The UPDATE checks
    the conditions again, so of two publishers that chose the same rows only one claims each (the
    other gets 0 and chooses again).
    """
    candidates = db.session.scalars(
        select(D.id).where(D.status == "pending", D.next_attempt_at <= now, _free(now), _eligible())
        .order_by(D.next_attempt_at, D.id).limit(limit).with_for_update(of=D, skip_locked=True)).all()
    if not candidates:
        return None
    statement = (update(D).where(D.id.in_(candidates), D.status == "pending", _free(now))
                 .values(claimed_by=token, claimed_until=now + timedelta(seconds=lease_seconds))
                 .execution_options(synchronize_session=False))
    return db.session.execute(statement).rowcount


def _settle(token: str, outcomes, now: datetime, base: float, report: PublishReport, kinds: dict) -> None:
    attempts = dict(db.session.execute(select(D.id, D.attempts).where(D.claimed_by == token)).all())
    sent, again = [], []
    for outcome in outcomes:
        tries = attempts.get(outcome.delivery_id)
        if tries is None:  # our claim expired and someone else took the row: theirs to settle
            continue
        tries += 1
        if outcome.result == "delivered":
            sent.append({"b_id": outcome.delivery_id, "b_attempts": tries, "b_code": outcome.status_code})
            report.sent[kinds[outcome.delivery_id]] += 1
            continue
        dead = outcome.result == "dead" or tries >= MAX_ATTEMPTS
        error = outcome.error if outcome.result == "dead" or not dead else f"重试 {tries} 次仍未成功：{outcome.error}"
        again.append({"b_id": outcome.delivery_id, "b_attempts": tries, "b_code": outcome.status_code,
                      "b_error": error, "b_status": "dead" if dead else "pending",
                      "b_next": now if dead else now + retry_delay(tries, base)})
        if dead:
            report.dead += 1
        else:
            report.retrying += 1
        if len(report.errors) < 5:
            report.errors.append(error)
    # Plain Core statements over the tables, run as executemany: one round trip per kind of result.
    deliveries, records = D.__table__.c, R.__table__.c
    mine = and_(deliveries.id == bindparam("b_id"), deliveries.claimed_by == token)
    if sent:
        db.session.execute(update(D.__table__).where(mine).values(
            status="sent", sent_at=now, attempts=bindparam("b_attempts"), last_status_code=bindparam("b_code"),
            last_error=None, claimed_by=None, claimed_until=None), sent)
        # The record is public from its first delivery on.
        publication_of = (select(deliveries.record_id)
                          .where(deliveries.id == bindparam("b_id"), deliveries.kind == "publish").scalar_subquery())
        db.session.execute(update(R.__table__).where(records.id == publication_of, records.state == "approved")
                           .values(state="published", published_at=now, updated_at=now),
                           [{"b_id": row["b_id"]} for row in sent])
    if again:
        # A failed publication of a record withdrawn meanwhile is not tried again: it is cancelled,
        # which lets the waiting withdrawal go out.
        withdrawn = exists().where(records.id == deliveries.record_id, records.state == "withdrawn")
        new_status = bindparam("b_status", type_=String)
        status = case((and_(deliveries.kind == "publish", new_status == "pending", withdrawn), "cancelled"),
                      else_=new_status)
        db.session.execute(update(D.__table__).where(mine).values(
            status=status, attempts=bindparam("b_attempts"), last_status_code=bindparam("b_code"),
            last_error=bindparam("b_error"), next_attempt_at=bindparam("b_next"), claimed_by=None,
            claimed_until=None), again)


def publish(now: datetime | None = None, *, holder: str | None = None, batch_size: int = BATCH_SIZE) -> PublishReport:
    """Deliver every due outbox row once (failures wait for their backoff). `now` fixes the clock."""
    config = current_app.config
    base = float(config.get("CREDIT_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS))
    holder = holder or f"publisher:{uuid.uuid4().hex[:8]}"
    report = PublishReport()
    channel = channel_for(config)
    # A claim lasts as long as the slowest batch could take, so it never expires while we send it.
    margin = float(config.get("CREDIT_CLAIM_MARGIN_SECONDS") or CLAIM_MARGIN_SECONDS)
    lease_seconds = margin + channel.worst_case_seconds(batch_size)
    stop_at = time.monotonic() + RUN_SECONDS
    try:
        db.session.commit()
        while time.monotonic() < stop_at:
            clock = now or utcnow()
            token = f"{holder}:{uuid.uuid4().hex[:8]}"
            claimed = claim(token, clock, batch_size, lease_seconds)
            db.session.commit()
            if claimed is None:
                break
            if not claimed:
                continue  # another publisher took the rows we chose: choose again
            report.due += claimed
            rows = list(db.session.scalars(
                select(D).where(D.claimed_by == token)
                .options(joinedload(D.record).joinedload(R.decision), joinedload(D.record).selectinload(R.repairs))))
            kinds = {d.id: d.kind for d in rows}
            outcomes = channel.deliver([outgoing(d) for d in rows])
            _settle(token, outcomes, now or utcnow(), base, report, kinds)
            db.session.commit()
    finally:
        channel.close()
    if report.due:
        audit(SYSTEM, "credit.publish", "credit_outbox", holder, after={
            "due": report.due, "sent": report.sent, "retrying": report.retrying, "dead": report.dead})
        db.session.commit()
    return report


def expire(as_of: date) -> int:
    """Daily: withdraw the records whose maximum publication period has ended (DESIGN §2)."""
    count = services.expire_publications(as_of)
    if count:
        audit(SYSTEM, "credit.expire", "credit_outbox", as_of.isoformat(), after={"withdrawn": count})
    return count


# The scheduler's entries (platform/core/scheduler/jobs.py): every 10 minutes, and daily.

def publish_job(as_of):
    return "\n".join(publish(batch_size=int(current_app.config.get("CREDIT_BATCH_SIZE") or BATCH_SIZE)).lines())


def expire_job(as_of):
    return f"公示期满撤下信用记录 {expire(as_of)} 条"
