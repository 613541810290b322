"""In a real Chromium, on a platform that sends e-mail (captured, core.mail.outbox): 忘记密码 from the
login page to a new password by the mailed link; and a subscription to a city, confirmed on the
mailed link's page, then ended by the weekly digest's unsubscribe link."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from platform.core import mail

pytestmark = pytest.mark.browser

NEW = "Mailed-link-passw0rd"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def page(chromium, mailing_server):
    """A fresh tab on the mailing platform (the conftest's log_in then signs in there)."""
    context = chromium.new_context(base_url=mailing_server[0], locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def _mails_to(app, address: str) -> list:
    with app.app_context():
        return [m for m in mail.outbox() if m["To"] == address]


def _link_in(message, path: str) -> str:
    links = [u for u in LINK.findall(message.get_content()) if path in u]
    assert len(links) == 1, message.get_content()
    return links[0]


def test_forgot_password_by_the_mailed_link(page, log_in, mailing_server):
    url, app = mailing_server
    with app.app_context():
        from platform.accounts.models import User
        from platform.core.extensions import db

        user = db.session.scalar(select(User).where(User.username == "nn-regulator"))
        user.email = "nn.regulator@example.com"
        db.session.commit()

    page.goto("/login")
    page.get_by_role("link", name="忘记密码").click()
    page.get_by_role("button", name="发送重置链接").click()  # nothing typed: the field says why
    expect(page.locator(".field.has-error")).to_contain_text("请填写用户名或电子邮箱")
    page.get_by_label("用户名或电子邮箱").fill("NN.Regulator@example.com")  # by the address, any case
    page.get_by_role("button", name="发送重置链接").click()
    expect(page.locator(".flash")).to_contain_text("我们已向该邮箱发送重置密码的链接")
    [message] = _mails_to(app, "nn.regulator@example.com")
    assert message["Subject"] == "【广西清洁生产信息平台】重置密码"
    link = _link_in(message, "/password/reset/")
    assert link.startswith(url)

    page.goto(link)
    expect(page.get_by_role("heading", name="设置密码")).to_be_visible()
    page.get_by_label("新密码", exact=True).fill("short1")
    page.get_by_label("确认新密码").fill("short1")
    page.get_by_role("button", name="设置密码").click()
    expect(page.locator(".field.has-error").first).to_be_visible()  # too short: refused on the page
    page.get_by_label("新密码", exact=True).fill(NEW)
    page.get_by_label("确认新密码").fill(NEW)
    page.get_by_role("button", name="设置密码").click()
    expect(page.locator(".flash")).to_contain_text("nn-regulator 的密码已设置")

    log_in("nn-regulator")  # the old password no longer opens the account
    expect(page).to_have_url(re.compile(r"/login"))
    log_in("nn-regulator", NEW)
    expect(page).to_have_url(re.compile(r"/workbench$"))
    assert page.goto(link).status == 404  # the link was single-use


def test_subscribe_to_a_city_confirm_by_mail_and_unsubscribe(page, mailing_server):
    url, app = mailing_server
    address = "reader@example.com"
    page.goto("/subscribe")
    page.get_by_label("电子邮箱").fill(address)
    page.get_by_role("radio", name="设区市").check()
    page.get_by_role("combobox", name="设区市").select_option("450100")
    page.get_by_role("button", name="订阅").click()
    expect(page.locator(".flash")).to_contain_text(f"确认邮件已发送到 {address}")
    [confirmation] = _mails_to(app, address)
    assert "南宁市" in confirmation.get_content()

    page.goto(_link_in(confirmation, "/confirm"))
    expect(page.get_by_text("请确认订阅“设区市：南宁市”的每周动态")).to_be_visible()
    page.get_by_role("button", name="确认订阅").click()
    expect(page.get_by_text("已确认订阅“设区市：南宁市”")).to_be_visible()

    # Something happens in 南宁 (a firm registered there is listed), and the weekly digest goes out.
    # (The world's own 南宁 firm is listed already: browser_world.seed.)
    listed_name = "南宁订阅测试化工有限公司"
    with app.app_context():
        from platform.accounts.models import User
        from platform.audits import services as audits
        from platform.core.access import SYSTEM
        from platform.core.extensions import db
        from platform.enterprises import services as enterprises
        from platform.enterprises.uscc import make
        from platform.subscriptions.jobs import digest_job

        firm = enterprises.create(SYSTEM, {"name": listed_name, "uscc": make("450100", 7790),
                                           "division_code": "450100", "industry_code": "2614"})
        regulator = db.session.scalar(select(User).where(User.username == "nn-regulator"))
        audits.publish_batch(regulator, title="2026 年南宁市名单", published_on=date(2026, 3, 2), usccs=[firm.uscc],
                             today=date(2026, 3, 2))
        db.session.commit()
        assert digest_job() == "订阅 1 项，发送周报 1 封"
        db.session.commit()
    digest = _mails_to(app, address)[-1]
    assert digest["Subject"] == "【广西清洁生产信息平台】每周动态：南宁市" and listed_name in digest.get_content()

    unsubscribe = _link_in(digest, "/unsubscribe")
    page.goto(unsubscribe)
    page.get_by_role("button", name="退订").click()
    expect(page.get_by_text("已退订“设区市：南宁市”")).to_be_visible()
    assert page.goto(unsubscribe).status == 404  # ended: the link now reads as missing
    with app.app_context():
        assert digest_job() == "订阅 0 项，发送周报 0 封"
