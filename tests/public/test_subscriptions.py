"""Subscriptions like ECHO Notify: anyone subscribes by e-mail to a city, an industry or an enterprise
(double opt-in), gets a weekly digest of new listings, status changes and credit records in that scope,
and leaves by the link in every mail; Atom feeds carry the same events, with public facts only."""
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from platform.audits import services as audits
from platform.core.auditlog.models import AuditLog
from platform.core.dates import beijing_today
from platform.core.errors import NotFound
from platform.core.extensions import db
from platform.core.models_base import utcnow
from platform.public import dictionary
from platform.subscriptions import jobs, services
from platform.subscriptions.models import Subscription

MAILING = pytest.mark.config(MAIL_SERVER="smtp.test:25", MAIL_CAPTURE=True, SITE_URL="https://cp.example.gov.cn")
ATOM = "{http://www.w3.org/2005/Atom}"


def _path(message, action: str) -> str:
    return re.search(r"https?://[^/\s]+(/subscribe/\d+/\S+/%s)" % action, message.get_content()).group(1)


def _subscribe(client, **fields):
    return client.post("/subscribe", data={"email": "reader@example.com", "kind": "city", "city": "450100", **fields})


@pytest.fixture
def confirmed(client, outbox):
    """reader@example.com subscribed to 南宁 and confirmed; the outbox emptied."""
    _subscribe(client)
    path = _path(outbox[0], "confirm")
    assert client.post(path).status_code == 200
    outbox.clear()
    return db.session.scalar(select(Subscription))


@MAILING
def test_a_subscription_starts_only_once_confirmed(client, outbox):
    response = _subscribe(client)
    assert response.status_code == 302
    row = db.session.scalar(select(Subscription))
    assert (row.email, row.kind, row.value, row.confirmed_at) == ("reader@example.com", "city", "450100", None)
    assert [m["To"] for m in outbox] == ["reader@example.com"] and "南宁市" in outbox[0].get_content()
    path = _path(outbox[0], "confirm")
    assert client.get(path).status_code == 200 and db.session.get(Subscription, row.id).confirmed_at is None  # opening is not confirming
    page = client.post(path).get_data(as_text=True)
    assert "已确认订阅" in page and db.session.get(Subscription, row.id).confirmed_at is not None
    assert client.get(path.replace(path.split("/")[3], "forged-token")).status_code == 404


@MAILING
def test_the_weekly_digest_reports_what_happened_in_scope_since_the_last_one(app, world, client, confirmed, outbox,
                                                                             listed, make_enterprise):
    other_city = make_enterprise("450200", name="柳州某化工有限公司")
    listed(world.regulator_a, [world.ent_a])
    listed(world.regulator_b, [other_city])
    assert jobs.digest_job() == "订阅 1 项，发送周报 1 封"
    body = outbox[0].get_content()
    assert outbox[0]["Subject"] == "【广西清洁生产信息平台】每周动态：南宁市"
    assert world.ent_a.name in body and "列入" in body and other_city.name not in body
    assert f"https://cp.example.gov.cn/audit-status/{world.ent_a.uscc}" in body
    assert "/unsubscribe" in body
    assert world.ent_a.contact_phone is None or world.ent_a.contact_phone not in body
    # nothing new since: the next run sends nothing
    outbox.clear()
    assert jobs.digest_job() == "订阅 1 项，发送周报 0 封" and outbox == []
    # a status change is reported next time
    round_ = audits.current_round(world.ent_a.id)
    audits.disclose(world.enterprise_a, round_, on=beijing_today(), today=beijing_today())
    db.session.commit()
    jobs.digest_job()
    assert "企业信息已公开" in outbox[0].get_content()
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "subscription.digest"))


@MAILING
def test_a_credit_record_put_on_view_is_in_the_enterprises_digest(app, world, client, outbox, published_record):
    client.post("/subscribe", data={"email": "watch@example.com", "kind": "enterprise", "uscc": world.ent_a.uscc.lower()})
    client.post(_path(outbox[0], "confirm"))
    row = db.session.scalar(select(Subscription))
    row.confirmed_at = row.digested_until = utcnow() - timedelta(days=400)  # confirmed long before
    db.session.commit()
    record = published_record()
    outbox.clear()
    jobs.digest_job()
    body = outbox[0].get_content()
    assert "行政处罚信息公示至" in body and f"/credit/r/{record.idempotency_key}" in body


@MAILING
def test_an_unsubscribed_reader_gets_no_more_digests(app, world, client, confirmed, outbox, listed):
    listed(world.regulator_a, [world.ent_a])
    jobs.digest_job()
    path = _path(outbox[0], "unsubscribe")
    assert client.get(path).status_code == 200
    assert "已退订" in client.post(path).get_data(as_text=True)
    assert client.get(path).status_code == 404
    outbox.clear()
    round_ = audits.current_round(world.ent_a.id)
    audits.disclose(world.enterprise_a, round_, on=beijing_today(), today=beijing_today())
    db.session.commit()
    assert jobs.digest_job() == "订阅 0 项，发送周报 0 封" and outbox == []


@MAILING
def test_subscribing_again_does_not_say_whether_the_address_was_subscribed(client, confirmed, outbox):
    response = _subscribe(client)
    assert response.status_code == 302 and outbox == []  # confirmed already: nothing sent, same answer
    assert db.session.scalar(select(Subscription).where(Subscription.id != confirmed.id)) is None


@MAILING
def test_a_pending_confirmation_is_mailed_again_at_most_hourly_and_expires(app, client, outbox):
    _subscribe(client)
    _subscribe(client)
    assert len(outbox) == 1
    row = db.session.scalar(select(Subscription))
    token = services.token(row, "confirm")
    with pytest.raises(NotFound, match="超过 7 天"):
        services.confirm(row.id, token, now=row.created_at + timedelta(days=8))


@MAILING
@pytest.mark.parametrize("fields, message", [
    ({"email": "not-an-address"}, "电子邮箱格式不正确"),
    ({"email": ""}, "请填写电子邮箱"),
    ({"city": "999999"}, "请选择一个设区市"),
    ({"kind": "industry", "industry": "zz"}, "请选择一个行业"),
    ({"kind": "enterprise", "uscc": "91450100MA5L0000X"}, "应为 18 位"),
    ({"kind": "planet"}, "请选择订阅范围"),
])
def test_wrong_fields_are_refused_in_chinese(client, outbox, fields, message):
    response = _subscribe(client, **fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert outbox == [] and db.session.scalar(select(Subscription)) is None


def test_without_smtp_the_page_offers_the_feeds(client):
    page = client.get("/subscribe").get_data(as_text=True)
    assert "未配置邮件发送" in page and 'href="/feeds/city/450100.atom"' in page
    assert _subscribe(client).status_code == 422


def test_the_atom_feed_has_the_scopes_public_events(world, client, listed, make_enterprise):
    other_city = make_enterprise("450200", name="柳州某化工有限公司")
    listed(world.regulator_a, [world.ent_a])
    listed(world.regulator_b, [other_city])
    response = client.get("/feeds/city/450100.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == [f"{world.ent_a.name} 列入强制性清洁生产审核名单"]
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href").endswith(f"/audit-status/{world.ent_a.uscc}")
    assert "南宁市" in feed.findtext(f"{ATOM}title")
    entry = next(feed.iter(f"{ATOM}entry"))
    assert [child.tag.removeprefix(ATOM) for child in entry] == dictionary.FEED_ENTRY_ELEMENTS
    industry = ElementTree.fromstring(client.get(f"/feeds/industry/{world.ent_a.industry_code}.atom").data)
    assert len(list(industry.iter(f"{ATOM}entry"))) == 2
    assert client.get(f"/feeds/enterprise/{other_city.uscc}.atom").status_code == 200
    assert client.get("/feeds/city/450000.atom").status_code == 404


@MAILING
def test_a_digest_that_cannot_be_sent_waits_for_the_next_run(app, world, client, confirmed, outbox, listed, monkeypatch):
    from platform.core import mail

    listed(world.regulator_a, [world.ent_a])
    real_send = mail.send

    def down(*args):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(mail, "send", down)
    assert jobs.digest_job() == "订阅 1 项，发送周报 0 封"
    monkeypatch.setattr(mail, "send", real_send)
    assert jobs.digest_job() == "订阅 1 项，发送周报 1 封"
    assert world.ent_a.name in outbox[0].get_content()


@MAILING
def test_a_confirmation_that_cannot_be_sent_keeps_nothing(client, outbox, monkeypatch):
    from platform.core import mail

    monkeypatch.setattr(mail, "send", lambda *args: (_ for _ in ()).throw(TimeoutError("smtp timeout")))
    response = _subscribe(client)
    assert response.status_code == 422 and "确认邮件暂时无法发送" in response.get_data(as_text=True)
    assert db.session.scalar(select(Subscription)) is None


@MAILING
def test_an_enterprises_public_page_offers_its_subscription(world, client):
    page = client.get(f"/audit-status/{world.ent_a.uscc}").get_data(as_text=True)
    link = f'/subscribe?kind=enterprise&amp;value={world.ent_a.uscc}'
    assert link in page and f'/feeds/enterprise/{world.ent_a.uscc}.atom' in page
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'value="{world.ent_a.uscc}"' in form and re.search(r'<input checked[^>]*value="enterprise"', form)
