"""The README's production set-up, under load: gunicorn with 3 workers, `flask scheduler run`
processes, PostgreSQL and Elasticsearch, each a process (or server) of its own.

Several clients at once drive writes through the API (penalty decisions, approvals) and the admin
pages (technologies created, published, renamed, withdrawn) while others read the public pages.
Every job runs every few seconds (SCHEDULER_TRIGGERS) under a 6-second lease. The test proves:

- each scheduled job runs once per period across all processes: one lease holder at a time, runs
  of a job never overlap and never come twice within a period, and the standby scheduler runs nothing;
- the search index converges on every write: each technology's document in Elasticsearch carries
  its row's latest version (the published ones), or is gone (the others);
- no credit record is sent twice: the channel (tests/credit/fake_channel.py, which answers 409 to a key
  it has) accepts each approved record exactly once, and the only requests it sees twice are those
  of the batch in flight when the scheduler was killed;
- public pages (kept by each worker's page cache) show what another process wrote on the next read;
- the scheduler killed (SIGKILL) in the middle of a delivery: a new one takes over the lease once it
  expires, sends what the dead one had claimed once the claim expires, and nothing is lost.
"""
import json
import os
import queue
import signal
import threading
import time
import uuid
from datetime import timedelta, timezone

import pytest
import urllib3
from sqlalchemy import create_engine, select, text

from platform import create_app
from tests.credit.fake_channel import FakeCreditChannel
from stack import Browser, Stack, api, create_database, drop_database, free_port, production_env
from testdb import POSTGRES_URL
from platform.core.access import SYSTEM

pytestmark = [pytest.mark.postgresql_only, pytest.mark.multiprocess, pytest.mark.elasticsearch, pytest.mark.slow]

PERIOD = 3.0  # seconds between two runs of every job
LEASE = 6.0  # the scheduler lease (renewed every 2 s)
TRIGGERS = {job: {"trigger": "interval", "seconds": PERIOD} for job in (
    "search_drain", "compliance_scan", "deadline_reminders", "credit_publish", "credit_expire", "expert_notices")}
PASSWORD = "Passw0rd-multi"
ENTERPRISES = 30
FIRST_WAVE = 12  # penalties approved while everything runs; the rest make the backlog the kill interrupts
SEARCH = "/api/v1/technologies?q=余热回收&per_page=100"
PUBLIC_PAGES = ["/", "/credit", "/lists", "/technologies?q=余热回收", "/api/v1/stats/summary", SEARCH,
                "/api/v1/credit-records"]


class Channel:
    """The fake credit channel, a little slow, which holds its `arm_at`-th request until the test has
    killed the scheduler that sent it: the kill comes in the middle of a batch, never between two."""

    def __init__(self):
        self.delay = 0.02
        self.arm_at: int | None = None
        self.armed, self.killed = threading.Event(), threading.Event()
        self.sink = FakeCreditChannel(plan=self._plan)

    def _plan(self, number, kind, key):
        if self.arm_at is not None and number == self.arm_at:
            self.armed.set()
            self.killed.wait(60)  # then accepted, and answered to a process that is gone
        time.sleep(self.delay)  # inside the channel's lock: one request at a time
        return "ok"


@pytest.fixture
def elasticsearch():
    """The test cluster (ELASTICSEARCH_URL); none is a failure under REQUIRE_ELASTICSEARCH=1, as in make test."""
    url = os.environ.get("ELASTICSEARCH_URL", "")
    try:
        answers = bool(url) and urllib3.PoolManager(retries=False, timeout=5).request("GET", url.rstrip("/") + "/_cluster/health").status == 200
    except urllib3.exceptions.HTTPError:
        answers = False
    if not answers:
        message = f"Elasticsearch does not answer at {url!r} (ELASTICSEARCH_URL)"
        if os.environ.get("REQUIRE_ELASTICSEARCH") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url.rstrip("/")


def _seed(url: str, es_url: str, prefix: str, home) -> dict:
    """Migrate, and write the accounts and the overdue cases (as `flask db upgrade` and an operator would)."""
    from flask_migrate import upgrade

    from platform.accounts import services as accounts
    from platform.audits import cases as case_services
    from platform.audits import services as audits
    from platform.audits.jobs import compliance_scan
    from platform.audits.models import Case
    from platform.core.dates import beijing_today
    from platform.enterprises import services as enterprises
    from platform.enterprises.uscc import make
    from platform.core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": es_url,
                      "SEARCH_INDEX_PREFIX": prefix, "UPLOAD_DIR": str(home / "uploads"),
                      "CREDIT_DROP_DIR": str(home / "credit-drop"), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"},
                     "test")
    with app.app_context():
        upgrade()
        user = lambda name, role, city=None: accounts.create_user(  # noqa: E731
            SYSTEM, username=name, password=PASSWORD, role=role, division_code=city)
        admin, city, province = user("mp-admin", "admin"), user("mp-nn", "regulator", "450100"), \
            user("mp-gx", "regulator", "450000")
        db.session.commit()
        tokens = {"city": accounts.issue_token(SYSTEM, city), "province": accounts.issue_token(SYSTEM, province)}
        firms = [enterprises.create(SYSTEM, {"name": f"多进程测试{i:02d}有限公司", "uscc": make("450100", 880000 + i),
                                           "division_code": "450102", "industry_code": "3130"})
                 for i in range(ENTERPRISES)]
        db.session.commit()
        today = beijing_today()
        listed_on = today - timedelta(days=120)
        audits.publish_batch(city, title="多进程测试名单", published_on=listed_on, usccs=[f.uscc for f in firms],
                             today=listed_on)
        opened_on = listed_on + timedelta(days=32)
        compliance_scan(opened_on)
        cases = [db.session.scalar(select(Case).where(Case.enterprise_id == f.id, Case.cause == "disclosure_overdue"))
                 for f in firms]
        for case in cases:
            case_services.order_rectification(city, case, deadline=opened_on + timedelta(days=24),
                                              today=opened_on + timedelta(days=3))
        compliance_scan(opened_on + timedelta(days=25))
        db.session.commit()
        assert {c.state for c in cases} == {"overdue"}
        seeded = {"tokens": tokens, "cases": [c.id for c in cases], "today": today.isoformat(),
                  "usccs": [f.uscc for f in firms], "admin": admin.username}
        db.session.remove()
        db.engine.dispose()
    return seeded


def _penalty(call, case_id: int, today: str):
    status, body = call("POST", f"/api/v1/cases/{case_id}/penalty", {
        "decision_no": f"桂环罚〔2026〕多{case_id}号", "decided_on": today, "severity": "general", "fine_yuan": 100000,
        "facts": "列入强制性清洁生产审核名单后逾期未公开企业信息，经责令限期整改仍未改正。"})
    assert status == 201, body
    return body["id"]


def _approve(call, record_id: int):
    status, body = call("POST", f"/api/v1/credit-records/{record_id}/approve", {"note": ""})
    assert status == 200, body


def _wait(condition, timeout: float, what: str, step: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


def test_gunicorn_workers_and_schedulers_under_load_run_each_job_once_converge_and_deliver_once(tmp_path,
                                                                                                elasticsearch):
    run = uuid.uuid4().hex[:8]
    prefix = f"mp{run}_"
    url = create_database(POSTGRES_URL or os.environ["TEST_DATABASE_URL"], f"gxcp_mp_{run}")
    channel = Channel()
    engine = create_engine(url)
    stack = None
    try:
        with channel.sink:
            seeded = _seed(url, elasticsearch, prefix, tmp_path)
            env = production_env(
                tmp_path, url, elasticsearch, prefix, CREDIT_CHANNEL="http", CREDIT_CHANNEL_URL=channel.sink.url,
                CREDIT_CHANNEL_TIMEOUT=2, CREDIT_CHANNEL_CONCURRENCY=2, CREDIT_BATCH_SIZE=4,
                CREDIT_CLAIM_MARGIN_SECONDS=2, SCHEDULER_LEASE_SECONDS=LEASE, SCHEDULER_TRIGGERS=json.dumps(TRIGGERS),
                CREDIT_RETRY_BASE_SECONDS=1)
            stack = Stack(env, tmp_path)
            stack.flask("search", "reindex")
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            stack.gunicorn(port, workers=3)
            # Two schedulers started together: one holds the lease, the other waits on it.
            stack.scheduler("scheduler-a")
            stack.scheduler("scheduler-b")
            holders = {stack.holder_of(n): n for n in ("scheduler-a", "scheduler-b")}
            started = time.time()

            # --- phase 1: writes through the API and the admin pages, reads from several clients ---
            city, province = api(base, seeded["tokens"]["city"]), api(base, seeded["tokens"]["province"])
            errors, statuses, stop_reading = [], {}, threading.Event()
            to_approve: queue.Queue = queue.Queue()
            approved_ids: list[int] = []
            technologies: list[str] = []

            def guarded(fn):
                def run_guarded(*args):
                    try:
                        fn(*args)
                    except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                        errors.append(f"{fn.__name__}: {exc!r}")
                return run_guarded

            @guarded
            def reader(n):
                browser = Browser(base)
                i = n
                while not stop_reading.is_set():
                    path = PUBLIC_PAGES[i % len(PUBLIC_PAGES)] if i % 5 else f"/audit-status/{seeded['usccs'][i % 30]}"
                    status = browser.get(path).status
                    statuses[status] = statuses.get(status, 0) + 1
                    if status != 200:
                        errors.append(f"GET {path}: {status}")
                    i += 1

            @guarded
            def penalizer():
                for case_id in seeded["cases"][:FIRST_WAVE]:
                    to_approve.put(_penalty(city, case_id, seeded["today"]))
                to_approve.put(None)

            @guarded
            def approver():
                while (record_id := to_approve.get()) is not None:
                    _approve(province, record_id)
                    approved_ids.append(record_id)

            @guarded
            def curator():
                admin = Browser(base)
                admin.log_in(seeded["admin"], PASSWORD)
                for i in range(8):
                    token = admin.csrf("/admin/technologies/new")
                    name = f"多进程余热回收技术{run}{i}"
                    form = {"csrf_token": token, "name": name, "category": "过程控制", "industry_codes": "31",
                            "scope": "钢铁行业", "principle": "回收烧结余热发电", "source": "多进程测试"}
                    response = admin.request("POST", "/admin/technologies/new", fields=form)
                    assert response.status == 302, response.data.decode()[:300]
                    technologies.append(name)
                    tech_id = _technology_id(engine, name)
                    assert admin.request("POST", f"/admin/technologies/{tech_id}/publish",
                                         fields={"csrf_token": token}).status == 302
                    if i % 2:
                        form["name"] = name + "（修订）"
                        assert admin.request("POST", f"/admin/technologies/{tech_id}/edit", fields=form).status == 302
                    if i == 7:
                        assert admin.request("POST", f"/admin/technologies/{tech_id}/withdraw",
                                             fields={"csrf_token": token}).status == 302

            readers = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
            writers = [threading.Thread(target=f) for f in (penalizer, approver, curator)]
            for thread in readers + writers:
                thread.start()
            for thread in writers:
                thread.join(120)
            time.sleep(2 * PERIOD)  # a few more periods of reading while the jobs run
            stop_reading.set()
            for thread in readers:
                thread.join(60)
            assert not errors, errors[:10]
            assert sum(statuses.values()) > 100 and set(statuses) == {200}, statuses
            assert len(approved_ids) == FIRST_WAVE

            # Every approved record delivered, and published on the public pages.
            _wait(lambda: _deliveries(engine) == {"sent": FIRST_WAVE}, 60, "the first wave's deliveries")
            # The pages the readers had cached in each worker show what the scheduler process wrote.
            reader = Browser(base)
            for _ in range(6):
                assert json.loads(reader.get("/api/v1/credit-records").data)["total"] == FIRST_WAVE
            for case_id, uscc in list(zip(seeded["cases"], seeded["usccs"]))[:FIRST_WAVE]:
                for _ in range(3):
                    assert f"桂环罚〔2026〕多{case_id}号" in reader.get(f"/audit-status/{uscc}").data.decode()
            # The search index converged on every write, and the search pages the workers keep show it.
            _wait(lambda: _index_converged(engine, elasticsearch, prefix), 60, "the technologies index to converge")
            published = _published_names(engine)
            assert len(published) == 7
            for _ in range(6):
                found = {item["name"] for item in json.loads(reader.get(SEARCH).data)["items"]} & set(_names(engine))
                assert found == published, (found, published)

            # --- phase 2: one scheduler left, killed in the middle of a delivery ---------------
            holder = _lease_holder(engine)
            assert holder in holders, (holder, holders)
            standby = next(name for h, name in holders.items() if h != holder)
            assert stack.stop(standby) == 0, stack.log(standby)
            channel.arm_at = len(channel.sink.received) + 3
            backlog = [_penalty(city, case_id, seeded["today"]) for case_id in seeded["cases"][FIRST_WAVE:]]
            for record_id in backlog:
                _approve(province, record_id)
            assert channel.armed.wait(60), "the scheduler did not start delivering the backlog"
            stack.stop(holders[holder], signal.SIGKILL)
            killed_at = time.time()
            in_flight = _claimed_keys(engine)
            channel.killed.set()
            assert in_flight, "the scheduler was killed between two batches, not in one"
            assert _deliveries(engine).get("pending"), "the whole backlog was delivered before the kill"

            stack.scheduler("scheduler-c")
            successor = stack.holder_of("scheduler-c")
            _wait(lambda: _lease_holder(engine) == successor, LEASE * 4, "the new scheduler to take over the lease")
            _wait(lambda: _deliveries(engine) == {"sent": ENTERPRISES}, 90, "every delivery after the takeover")
            _wait(lambda: {r["job"] for r in _job_runs(engine) if r["holder"] == successor} == set(TRIGGERS), 30,
                  "a run of every job by the new scheduler")

            for _ in range(6):
                assert json.loads(reader.get("/api/v1/credit-records").data)["total"] == ENTERPRISES

            # --- what the channel received: each record once; sent again only what was in flight ---
            keys = _record_keys(engine)
            assert len(keys) == ENTERPRISES
            assert set(channel.sink.accepted) == keys  # nothing lost
            accepted_201 = {}
            for received in channel.sink.received:
                if received.status == 201:
                    accepted_201[received.key] = accepted_201.get(received.key, 0) + 1
            assert accepted_201 == {key: 1 for key in keys}  # no record accepted twice
            counts = {}
            for received in channel.sink.received:
                counts[received.key] = counts.get(received.key, 0) + 1
            sent_again = {key for key, n in counts.items() if n > 1}
            assert sent_again <= in_flight, (sent_again, in_flight)

            # --- the job runs: one holder at a time, once per period -------------------------------
            runs = _job_runs(engine)
            by_holder = {}
            for run_ in runs:
                by_holder.setdefault(run_["holder"], []).append(run_)
            assert set(by_holder) == {holder, successor}, set(by_holder)
            assert max(r["started"] for r in by_holder[holder]) < killed_at
            assert min(r["started"] for r in by_holder[successor]) > killed_at
            assert all(r["outcome"] == "ok" for r in runs), [r for r in runs if r["outcome"] != "ok"][:3]
            for job in TRIGGERS:
                mine = sorted((r for r in runs if r["job"] == job), key=lambda r: r["started"])
                assert len([r for r in mine if r["holder"] == holder]) >= 3, (job, mine)
                assert any(r["holder"] == successor for r in mine), (job, mine)
                for before, after in zip(mine, mine[1:]):
                    assert after["started"] >= before["finished"], f"{job} ran twice at once: {before} {after}"
                    assert after["started"] - before["started"] >= PERIOD / 2, f"{job} ran twice in a period"
            assert started < runs[0]["started"]

            print(f"\nreads {statuses}; runs {({h: len(r) for h, r in by_holder.items()})}; in flight at the kill "
                  f"{len(in_flight)}, sent again {len(sent_again)}; requests {len(channel.sink.received)}; "
                  f"took over after {min(r['started'] for r in by_holder[successor]) - killed_at:.1f} s")
            for name in ("gunicorn", "scheduler-c"):
                assert "Traceback" not in stack.log(name), stack.log(name)[-3000:]
    finally:
        if stack is not None:
            stack.stop_all()
        engine.dispose()
        _delete_indexes(elasticsearch, prefix)
        drop_database(url)


def _technology_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT id FROM technologies WHERE name = :n"), {"n": name})


def _names(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(text("SELECT name FROM technologies WHERE source = '多进程测试'")))


def _published_names(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(text("SELECT name FROM technologies WHERE source = '多进程测试' "
                                     "AND status = 'published'")))


def _lease_holder(engine) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT holder FROM scheduler_leases WHERE expires_at > (now() at time zone 'utc')"))


def _deliveries(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT status, count(*) FROM credit_deliveries WHERE kind = 'publish' "
                                      "GROUP BY status")).all())


def _claimed_keys(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(text(
            "SELECT idempotency_key FROM credit_deliveries WHERE status = 'pending' AND claimed_by IS NOT NULL")))


def _record_keys(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(text("SELECT idempotency_key FROM credit_records WHERE state = 'published'")))


def _job_runs(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT job_id, holder, started_at, finished_at, outcome FROM scheduler_job_runs "
                                 "ORDER BY started_at")).all()
    epoch = lambda moment: moment.replace(tzinfo=timezone.utc).timestamp()  # noqa: E731  (stored as naive UTC)
    return [{"job": job, "holder": holder, "started": epoch(started), "finished": epoch(finished), "outcome": outcome}
            for job, holder, started, finished, outcome in rows]


def _index_converged(engine, es_url: str, prefix: str) -> bool:
    """Each technology's document: the row's version when published, absent otherwise."""
    http = urllib3.PoolManager(retries=False, timeout=5)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, version, status FROM technologies")).all()
    for tech_id, version, status in rows:
        response = http.request("GET", f"{es_url}/{prefix}technologies/_doc/{tech_id}")
        document = json.loads(response.data) if response.status == 200 else {}
        found = bool(document.get("found"))
        if status == "published":
            if not found or document["_version"] != version:
                return False
        elif found:
            return False
    return bool(rows)


def _delete_indexes(es_url: str, prefix: str) -> None:
    http = urllib3.PoolManager(retries=False, timeout=10)
    try:
        http.request("DELETE", f"{es_url}/{prefix}*?expand_wildcards=all")
    except urllib3.exceptions.HTTPError:
        pass
