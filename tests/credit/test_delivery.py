"""Publishing through the outbox: every approved record reaches the channel exactly once by its key,
whatever the channel does on the way; nothing unapproved ever leaves."""
import csv
import io
import json
import random
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from platform.credit import jobs
from platform.credit.models import CreditDelivery, CreditRecord
from tests.credit.fake_channel import FakeCreditChannel
from platform.core.extensions import db
from platform.core.models_base import utcnow
from platform.core.scheduler import services as scheduler
from platform.core.scheduler.jobs import JOBS
from platform.core.scheduler.models import SchedulerJobRun

from credit_world import T0

HTTP = pytest.mark.config(CREDIT_CHANNEL="http", CREDIT_CHANNEL_TIMEOUT=0.8, CREDIT_CHANNEL_CONCURRENCY=4)


def drain(start=T0, step=timedelta(hours=7), rounds=30):
    """Run the publisher until nothing is due, moving the clock past every backoff between runs."""
    now, reports = start, []
    for _ in range(rounds):
        report = jobs.publish(now=now)
        reports.append(report)
        if report.due == 0:
            return reports
        now += step
    raise AssertionError("the outbox never drained")


def assert_delivered_exactly_once(sink: FakeCreditChannel, approved, unapproved=()):
    keys = {r.idempotency_key for r in approved}
    assert set(sink.accepted) == keys, "every approved record is at the channel"
    assert sink.resent_after_ack == 0, "no key is sent again once the channel has answered it"
    assert not sink.keys_received() & {r.idempotency_key for r in unapproved}, "nothing unapproved is sent"
    for key in keys:  # a retry sends the same document under the same key
        bodies = {json.dumps(r.body, sort_keys=True) for r in sink.received if r.key == key}
        assert len(bodies) == 1
    db.session.expire_all()
    assert {r.state for r in approved} == {"published"}
    assert {d.status for r in approved for d in r.deliveries} == {"sent"}


def test_the_file_channel_drops_dsgs_csv_and_json_named_by_key_and_a_resend_overwrites(app, records):
    approved = records(2)
    report = jobs.publish(now=T0)
    assert (report.due, report.sent["publish"], report.retrying) == (2, 2, 0)
    folder = Path(app.config["CREDIT_DROP_DIR"])
    key = approved[0].idempotency_key
    rows = list(csv.reader(io.StringIO((folder / f"{key}.csv").read_text("utf-8-sig"))))
    assert rows[0][:3] == ["行政相对人名称", "行政相对人类别", "统一社会信用代码"] and "罚款金额（万元）" in rows[0]
    document = json.loads((folder / f"{key}.json").read_text())
    assert document["行政处罚决定书文号"] == approved[0].decision.decision_no and document["罚款金额（万元）"] == "10"
    assert document["公示截止期"] == "2027-04-10" and document["操作"] == "公示"
    # Sending the same delivery again (say, after a crash before it was marked sent) overwrites.
    db.session.execute(CreditDelivery.__table__.update().values(status="pending"))
    db.session.commit()
    jobs.publish(now=T0)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{r.idempotency_key}.{ext}" for r in approved for ext in ("csv", "json"))


@HTTP
def test_nothing_unapproved_is_sent_even_if_a_row_for_it_reaches_the_outbox(sink, records):
    approved, unapproved = records(2), records(2, approved=False)
    for record in unapproved:  # a bug elsewhere, or a hand-made row: the publisher still refuses
        db.session.add(CreditDelivery(record=record, kind="publish", idempotency_key=record.idempotency_key,
                                      status="pending", attempts=0, next_attempt_at=T0 - timedelta(days=1)))
    db.session.commit()
    drain()
    assert_delivered_exactly_once(sink, approved, unapproved)
    assert {d.status for r in unapproved for d in r.deliveries} == {"pending"}


@HTTP
def test_failures_timeouts_and_refusals_end_with_each_approved_record_delivered_once(
        sink, records, client_for, world):
    approved = records(6)
    unapproved = records(1, approved=False)
    failing, hanging, refused = (r.idempotency_key for r in approved[:3])
    tries = {}

    def plan(number, kind, key):
        tries[key] = tries.get(key, 0) + 1
        if key == failing and tries[key] <= 2:
            return "error"  # 500 twice, then fine
        if key == hanging and tries[key] == 1:
            return "hang"  # accepted, but the answer comes after the client's timeout: retried, 409
        if key == refused:
            return "reject"  # 422 until a regulator retries it
        return "ok"

    sink.plan = plan
    first = jobs.publish(now=T0)
    assert (first.due, first.sent["publish"], first.retrying, first.dead) == (6, 3, 2, 1)
    failing_row = db.session.scalar(select(CreditDelivery).where(CreditDelivery.idempotency_key == failing))
    assert failing_row.status == "pending" and failing_row.attempts == 1
    assert failing_row.next_attempt_at == T0 + timedelta(seconds=jobs.RETRY_BASE_SECONDS)
    assert "HTTP 500" in failing_row.last_error
    hung = db.session.scalar(select(CreditDelivery).where(CreditDelivery.idempotency_key == hanging))
    assert "未响应" in hung.last_error
    # Not due yet: a run a moment later sends nothing.
    assert jobs.publish(now=T0 + timedelta(seconds=1)).due == 0
    drain(start=T0 + timedelta(minutes=5))

    dead = db.session.scalar(select(CreditDelivery).where(CreditDelivery.status == "dead"))
    assert dead.idempotency_key == refused and "HTTP 422" in dead.last_error and dead.attempts == 1
    page = client_for(world.regulator_a).get("/credit/dead-letters").get_data(as_text=True)
    assert "HTTP 422" in page and "字段“违法事实”不符合规范" in page and "重试" in page
    assert client_for(world.regulator_b).post(f"/credit/deliveries/{dead.id}/retry").status_code == 404

    sink.plan = lambda number, kind, key: "ok"  # the channel's data rule was fixed
    assert client_for(world.regulator_a).post(f"/credit/deliveries/{dead.id}/retry").status_code == 302
    drain(start=utcnow())  # the retry is due at once, by the real clock
    assert_delivered_exactly_once(sink, approved, unapproved)
    assert sum(1 for r in sink.received if r.key == hanging) == 2  # the late acceptance, then a 409
    assert "没有失败的报送" in client_for(world.regulator_a).get("/credit/dashboard").get_data(as_text=True)


@HTTP
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_sequence_of_channel_failures_ends_in_exactly_once_delivery(sink, records, world, seed):
    """Random answers per request (mostly fine; some 500, hangs, refusals), dead letters retried."""
    rng = random.Random(seed)
    approved, unapproved = records(8), records(2, approved=False)
    sink.plan = lambda number, kind, key: rng.choices(["ok", "error", "hang", "reject"], [8, 3, 1, 1])[0]
    drain()
    from platform.credit import services

    while dead := list(db.session.scalars(select(CreditDelivery).where(CreditDelivery.status == "dead"))):
        for delivery in dead:
            services.retry_delivery(world.regulator_a, delivery, now=T0)
        db.session.commit()
        drain(start=T0 + timedelta(days=2))
    assert_delivered_exactly_once(sink, approved, unapproved)


@HTTP
def test_backoff_doubles_and_a_row_that_never_gets_through_becomes_a_dead_letter(sink, records):
    [record] = records(1)
    sink.plan = lambda number, kind, key: "error"
    now = T0
    for attempt, wait in ((1, 60), (2, 120), (3, 240)):
        jobs.publish(now=now)
        delivery = db.session.scalar(select(CreditDelivery))
        assert (delivery.attempts, delivery.next_attempt_at - now) == (attempt, timedelta(seconds=wait))
        now = delivery.next_attempt_at
    delivery.attempts = jobs.MAX_ATTEMPTS - 1
    db.session.commit()
    report = jobs.publish(now=now)
    assert report.dead == 1
    db.session.refresh(delivery)
    assert delivery.status == "dead" and f"重试 {jobs.MAX_ATTEMPTS} 次仍未成功" in delivery.last_error
    assert record.state == "approved"


@pytest.mark.config(CREDIT_CHANNEL="http", CREDIT_CHANNEL_URL="http://127.0.0.1:9", CREDIT_CHANNEL_TIMEOUT=0.25)
def test_an_unreachable_channel_is_retried_later(records):
    records(1)
    report = jobs.publish(now=T0)
    assert (report.retrying, report.dead) == (1, 0)
    assert "无法连接" in db.session.scalar(select(CreditDelivery.last_error))


def test_a_claim_takes_at_most_one_batch_and_leaves_other_rows_to_the_next_claimer(records):
    records(5)
    assert jobs.claim("first", T0, 2, 60) == 2
    db.session.commit()
    assert jobs.claim("second", T0, 10, 60) == 3
    db.session.commit()
    assert jobs.claim("third", T0, 10, 60) is None  # nothing left unclaimed
    mine = select(func.count(CreditDelivery.id)).where(CreditDelivery.claimed_by == "first")
    assert db.session.scalar(mine) == 2
    assert jobs.claim("late", T0 + timedelta(hours=1), 10, 60) == 5  # claims expire


@HTTP
def test_two_publishers_racing_send_each_record_once(app, sink, records):
    """Two publishers (own app context and session each, one SQLite file) drain the same outbox."""
    approved = records(12)
    sink.plan = lambda number, kind, key: "ok"
    barrier = threading.Barrier(2)
    reports = []

    def publisher(name):
        with app.app_context():
            barrier.wait()
            reports.append(jobs.publish(now=T0, holder=name, batch_size=2))
            db.session.remove()

    threads = [threading.Thread(target=publisher, args=(n,)) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sink.received) == len(approved), "no row was sent by both"
    assert sum(r.sent_total for r in reports) == len(approved)
    assert all(r.sent_total for r in reports), "both publishers took part"
    assert_delivered_exactly_once(sink, approved)


@HTTP
def test_two_schedulers_racing_run_the_publishing_job_once(app, sink, records):
    approved = records(5)
    barrier = threading.Barrier(2)

    def instance(holder):
        with app.app_context():
            barrier.wait()
            scheduler.run_job("credit_publish", jobs.publish_job, holder)
            db.session.remove()

    threads = [threading.Thread(target=instance, args=(h,)) for h in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sink.received) == 5
    assert_delivered_exactly_once(sink, approved)
    assert db.session.scalar(select(func.count(SchedulerJobRun.id))) == 1


def test_the_scheduler_publishes_every_10_minutes_and_expires_daily():
    jobs_by_id = {job.id: job for job in JOBS}
    assert (jobs_by_id["credit_publish"].trigger, jobs_by_id["credit_publish"].args) == ("interval", {"minutes": 10})
    assert jobs_by_id["credit_expire"].trigger == "cron" and "hour" in jobs_by_id["credit_expire"].args
    assert jobs_by_id["credit_publish"].func == "platform.credit.jobs:publish_job"


def test_the_cli_reports_what_was_due_sent_and_failed(app, records):
    records(3)
    result = app.test_cli_runner().invoke(args=["credit", "publish"])
    assert result.exit_code == 0, result.output
    assert "到期 3 条，送达 3 条（公示 3、撤下 0），待重试 0 条，转为失败 0 条" in result.output
    assert db.session.scalar(select(func.count(CreditRecord.id)).where(CreditRecord.state == "published")) == 3


@pytest.mark.config(CREDIT_CHANNEL="http", CREDIT_CHANNEL_URL="")
def test_a_channel_left_unconfigured_is_reported_plainly(app, records):
    records(1)
    result = app.test_cli_runner().invoke(args=["credit", "publish"])
    assert result.exit_code != 0 and "CREDIT_CHANNEL_URL" in result.output
    assert db.session.scalar(select(CreditDelivery.status)) == "pending"
