"""The page cache (platform/pagecache.py) never shows a stale status: a write is visible on the next
read — made by this process, by a command run beside it, or rolled back (then nothing changes) —
while reads with nothing written between them are answered from memory.

The suite runs with the cache off (TestConfig); these tests turn it on, as production and `make run`
have it. The multi-process test (tests/production/) checks the same across gunicorn workers and a
scheduler process.
"""
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text as sql

from foundation_helpers import text
from platform.core import pagecache
from platform.core.extensions import db
from platform.core.access import SYSTEM

pytestmark = pytest.mark.config(PAGE_CACHE=True)
ROOT = Path(__file__).resolve().parents[2]


def read(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def hit(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


def stamp() -> str:
    value = pagecache.current_stamp()
    db.session.rollback()
    return value


def test_a_second_read_with_nothing_written_between_is_answered_from_memory(app, world, client):
    first, second = read(client, "/"), read(client, "/")
    assert not hit(first) and hit(second)
    assert second.get_data() == first.get_data()
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert second.headers[name] == first.headers[name]
    assert "Cookie" in second.headers["Vary"] and "Set-Cookie" not in second.headers


def test_an_enterprise_registered_or_renamed_shows_on_the_next_read(app, world, client, make_enterprise):
    from platform.enterprises import services

    assert "已登记企业 2 家" in text(read(client, "/"))
    status_page = f"/audit-status/{world.ent_a.uscc}"
    assert "南宁甲钢铁有限公司" in text(read(client, status_page)) and hit(read(client, status_page))
    make_enterprise()
    assert "已登记企业 3 家" in text(read(client, "/"))
    services.update(SYSTEM, world.ent_a, {"name": "南宁甲钢铁集团有限公司"})
    db.session.commit()
    assert "南宁甲钢铁集团有限公司" in text(read(client, status_page))


def test_a_published_list_and_a_disclosure_show_on_the_next_read(app, world, client):
    from platform.audits import services as audits

    status_page = f"/audit-status/{world.ent_a.uscc}"
    assert "暂无清洁生产审核记录" in text(read(client, status_page))
    read(client, "/lists"), read(client, "/api/v1/stats/summary")
    summary = read(client, "/api/v1/stats/summary").get_json()
    listed_on = date(2026, 1, 5)
    audits.publish_batch(world.regulator_a, title="第一批强制性清洁生产审核名单", published_on=listed_on,
                         usccs=[world.ent_a.uscc], today=listed_on)
    db.session.commit()
    assert "第一批强制性清洁生产审核名单" in text(read(client, "/lists"))
    page = text(read(client, status_page))
    assert "暂无清洁生产审核记录" not in page and "列入名单" in page
    assert read(client, "/api/v1/stats/summary").get_json() != summary
    round_ = audits.current_round(world.ent_a.id)
    audits.disclose(world.enterprise_a, round_, on=date(2026, 1, 20), url="https://example.com/gk",
                    today=date(2026, 1, 20))
    db.session.commit()
    assert "企业信息已公开" in text(read(client, status_page))


def test_a_credit_record_delivered_shows_on_the_public_pages_at_once(app, world, client):
    from platform.audits import cases, services as audits
    from platform.audits.jobs import compliance_scan
    from platform.audits.models import Case
    from platform.audits.rules import ART39
    from platform.credit import jobs, services as credit

    listed_on = date(2026, 1, 5)
    audits.publish_batch(world.regulator_a, title="名单", published_on=listed_on, usccs=[world.ent_a.uscc],
                         today=listed_on)
    compliance_scan(date(2026, 2, 6))
    case = db.session.scalar(select(Case).where(Case.enterprise_id == world.ent_a.id,
                                                Case.cause == "disclosure_overdue"))
    cases.order_rectification(world.regulator_a, case, deadline=date(2026, 3, 2), today=date(2026, 2, 9))
    compliance_scan(date(2026, 3, 3))
    db.session.commit()
    assert read(client, "/api/v1/credit-records").get_json()["total"] == 0
    assert hit(read(client, "/api/v1/credit-records"))
    assert "桂环罚〔2026〕缓存1号" not in text(read(client, "/credit")) and hit(read(client, "/credit"))
    decision = credit.record_penalty(
        world.regulator_a, case, decision_no="桂环罚〔2026〕缓存1号", decided_on=date(2026, 4, 10), severity="general",
        facts="逾期未公开企业信息，经责令限期整改仍未改正。", legal_basis=ART39.legal_basis, fine_yuan="100000",
        today=date(2026, 4, 10))
    credit.approve(world.province, decision.record, today=date(2026, 4, 10), now=datetime(2026, 4, 10, 8))
    db.session.commit()
    assert read(client, "/api/v1/credit-records").get_json()["total"] == 0  # approved, not yet delivered
    jobs.publish(now=datetime(2026, 4, 10, 9))
    db.session.commit()
    assert read(client, "/api/v1/credit-records").get_json()["total"] == 1
    assert "桂环罚〔2026〕缓存1号" in text(read(client, "/credit"))
    assert "桂环罚〔2026〕缓存1号" in text(read(client, f"/audit-status/{world.ent_a.uscc}"))


def test_a_technology_published_and_indexed_is_found_on_the_next_search(app, client):
    from platform.catalogue import services
    from platform.core.indexing.services import drain

    assert "锅炉发电技术" not in text(read(client, "/technologies?q=余热"))  # the match is highlighted: <mark>余热</mark>
    assert hit(read(client, "/technologies?q=余热"))
    assert read(client, "/api/v1/technologies?q=余热").get_json()["total"] == 0
    technology = services.create(SYSTEM, {"name": "余热锅炉发电技术", "industry_codes": "31", "category": "过程控制",
                                        "source": "测试目录"}, status="published")
    db.session.commit()
    drain()  # what the indexer thread does after the commit
    assert "锅炉发电技术" in text(read(client, "/technologies?q=余热"))
    assert read(client, "/api/v1/technologies?q=余热").get_json()["total"] == 1
    services.change_status(SYSTEM, technology, "withdraw")
    db.session.commit()
    drain()
    assert read(client, "/api/v1/technologies?q=余热").get_json()["total"] == 0


def test_a_knowledge_document_published_or_superseded_shows_on_the_next_read(app, world, client):
    from platform.core.indexing.services import drain
    from platform.knowledge import services

    def document(title: str, **fields):
        found = services.create(world.regulator_a, {"kind": "audit_guide", "title": title, "issuer": "生态环境部",
                                                    "issued_on": date(2018, 4, 12), "summary": f"{title}的摘要。",
                                                    "body": f"{title}的正文。", **fields})
        services.submit(world.regulator_a, found)
        db.session.commit()
        return found

    old = document("清洁生产审核评估指南", edition="2008 年")
    detail, search = f"/knowledge/{old.id}", "/knowledge?q=评估指南"
    assert client.get(detail).status_code == 404  # not yet published: missing, and not kept
    found = f'href="{detail}"'  # a result's link (its title is highlighted: 清洁生产审核<mark>评估指南</mark>)
    assert found not in text(read(client, search)) and hit(read(client, search))
    services.approve(world.province, old)
    db.session.commit()
    drain()  # what the indexer thread does after the commit
    assert "清洁生产审核评估指南" in text(read(client, detail)) and hit(read(client, detail))
    assert found in text(read(client, search)) and hit(read(client, search))

    new = document("清洁生产审核评估与验收指南", edition="2018 年", supersedes_id=old.id)
    assert "已被替代" not in text(read(client, detail))  # submitted, not yet approved
    services.approve(world.province, new)
    db.session.commit()
    drain()
    page = text(read(client, detail))
    assert "本文件已被替代" in page and "清洁生产审核评估与验收指南" in page
    assert f'href="/knowledge/{new.id}"' in text(read(client, search))


def test_a_search_answer_is_kept_no_longer_than_search_seconds(app, client, monkeypatch):
    """A change made in the engine alone (a rebuild) renews no stamp: search answers expire besides."""
    read(client, "/api/v1/technologies?q=余热")
    assert hit(read(client, "/api/v1/technologies?q=余热"))
    clock = [pagecache.time.monotonic() + pagecache.SEARCH_SECONDS + 0.01]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    assert not hit(read(client, "/api/v1/technologies?q=余热"))


def test_a_write_by_another_process_shows_on_the_next_read(app, world, client, tmp_path):
    """`flask enterprises import`, run beside the server, against the same database."""
    assert "已登记企业 2 家" in text(read(client, "/")) and hit(read(client, "/"))
    from platform.enterprises.uscc import make

    data = tmp_path / "名录.csv"
    data.write_text(f"企业名称,统一社会信用代码,行政区划代码,行业代码\n另一进程登记有限公司,{make('450100', 4242)},450102,3130\n",
                    encoding="utf-8")
    db.session.commit()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PYTHONPATH": str(ROOT),
           "INSTANCE_PATH": str(tmp_path / "instance"), "SEARCH_EMBEDDED_PATH": app.config["SEARCH_EMBEDDED_PATH"],
           "PLATFORM_ENV": "development", "UPLOAD_DIR": app.config["UPLOAD_DIR"]}
    result = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "enterprises", "import",
                             str(data)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已登记企业 3 家" in text(read(client, "/"))


def test_a_rolled_back_write_and_writes_no_public_page_reads_leave_the_stamp(app, world):
    from platform.accounts.services import start_session

    before = stamp()
    db.session.execute(sql("UPDATE enterprises SET name = '回滚的名称'"))
    db.session.rollback()
    assert stamp() == before
    start_session(world.admin, "127.0.0.1")  # a login session: no public page shows it
    db.session.commit()
    assert stamp() == before
    db.session.execute(sql("UPDATE enterprises SET address = '南宁市青秀区' WHERE id = :id"), {"id": world.ent_a.id})
    db.session.commit()
    assert stamp() != before


def test_signed_in_users_token_holders_and_flash_messages_get_pages_of_their_own(app, world, client, client_for):
    anonymous = text(read(client, "/"))
    assert hit(read(client, "/"))
    signed_in = client_for(world.regulator_a).get("/")
    assert not hit(signed_in) and "监管部门 · 南宁市" in text(signed_in)
    assert "监管部门 · 南宁市" not in text(read(client, "/"))
    with_token = client.get("/api/v1/stats/summary", headers={"Authorization": "Bearer gxcp_x"})
    assert not hit(with_token)
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "您已安全退出。")]
    flashed = visitor.get("/")
    assert "您已安全退出。" in text(flashed) and not hit(flashed)
    assert "您已安全退出。" not in text(read(client, "/")) and text(read(client, "/")) == anonymous


def test_errors_are_not_kept_and_a_new_day_builds_the_page_afresh(app, world, client, monkeypatch):
    assert client.get("/audit-status/91450100MA0000000X").status_code == 404
    assert not hit(client.get("/audit-status/91450100MA0000000X"))
    read(client, "/")
    assert hit(read(client, "/"))
    tomorrow = pagecache.beijing_today() + timedelta(days=1)  # Beijing's tomorrow, whatever the machine's clock says
    monkeypatch.setattr(pagecache, "beijing_today", lambda: tomorrow)
    assert not hit(read(client, "/"))


def test_while_the_database_cannot_be_reached_no_kept_page_is_shown_but_the_busy_page(app, world, client):
    """The stamp cannot be read, so nothing kept can be known to be current: the application answers
    (503, as without the cache), and once the database is back the kept page serves again."""
    from sqlalchemy import event

    read(client, "/")
    assert hit(read(client, "/"))
    middleware = app.wsgi_app
    engines = [db.engine, middleware.engine]

    def unreachable(dialect, conn_rec, cargs, cparams):
        raise dialect.loaded_dbapi.OperationalError("connection refused")

    db.session.commit()
    for engine in engines:
        engine.dispose()
        event.listen(engine, "do_connect", unreachable)
    try:
        down = client.get("/")
        assert down.status_code == 503 and not hit(down) and "数据库繁忙" in text(down)
    finally:
        for engine in engines:
            event.remove(engine, "do_connect", unreachable)
    assert hit(read(client, "/"))
