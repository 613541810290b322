"""One scheduler at a time: the lease decides, and every run checks it again."""
import threading
from datetime import date, datetime

from platform.core.extensions import db
from platform.core.scheduler import services
from platform.core.scheduler.models import SchedulerJobRun, SchedulerLease


def test_the_first_holder_keeps_the_lease_until_it_expires(app):
    assert services.acquire("a")
    assert not services.acquire("b")
    assert services.acquire("a")  # renewal
    lease = db.session.get(SchedulerLease, services.LEASE_NAME)
    lease.expires_at = datetime(2000, 1, 1)
    db.session.commit()
    assert services.acquire("b")
    assert not services.acquire("a")


def test_a_job_runs_only_under_the_lease_and_records_its_run(app):
    calls = []
    assert services.run_job("demo", lambda as_of: calls.append(as_of) or "done", "a", date(2026, 3, 2))
    assert not services.run_job("demo", lambda as_of: calls.append(as_of), "b", date(2026, 3, 2))
    assert calls == [date(2026, 3, 2)]
    run = db.session.query(SchedulerJobRun).one()
    assert (run.job_id, run.holder, run.outcome, run.summary) == ("demo", "a", "ok", "done")


def test_a_failing_job_is_recorded_and_leaves_nothing_half_written(app, make_enterprise):
    enterprise = make_enterprise()

    def broken(as_of):
        enterprise.name = "半途修改"
        raise RuntimeError("boom")

    assert not services.run_job("broken", broken, "a")
    db.session.expire_all()
    assert enterprise.name != "半途修改"
    assert db.session.query(SchedulerJobRun).one().outcome == "failed"


def test_two_schedulers_racing_run_the_job_once(app, tmp_path):
    """Two instances on one database, started together: exactly one runs the job."""
    runs = []
    barrier = threading.Barrier(2)

    def instance(holder):
        with app.app_context():
            barrier.wait()
            services.run_job("scan", lambda as_of: runs.append(holder), holder, date(2026, 3, 2))
            db.session.remove()

    threads = [threading.Thread(target=instance, args=(h,)) for h in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(runs) == 1
