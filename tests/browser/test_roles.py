"""In a real Chromium: each role logs in through the login form and sees its own pages."""
import re

import pytest
from playwright.sync_api import expect

from browser_world import ENTERPRISES

pytestmark = pytest.mark.browser

NANNING, LIUZHOU = ENTERPRISES["450100"], ENTERPRISES["450200"]


def _work_nav(page) -> list[str]:
    return page.locator(".work-nav a").all_inner_texts()


def _registry_rows(page) -> list[str]:
    return page.locator("table.data tbody tr td:first-child").all_inner_texts()


def test_a_city_regulator_works_on_its_own_city_and_logs_out(log_in):
    page = log_in("nn-regulator")
    expect(page).to_have_url(re.compile(r"/workbench$"))  # lands on what waits for it
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    page.locator(".work-nav").get_by_role("link", name="企业名录").click()
    expect(page.get_by_role("heading", name="企业名录")).to_be_visible()
    assert "企业名录" in _work_nav(page) and "账号管理" not in _work_nav(page)
    assert _registry_rows(page) == [NANNING]

    # A wrong check character: the form comes back with the reason beside the code field.
    page.get_by_role("link", name="登记企业").click()
    page.get_by_label("企业名称").fill("南宁浏览器错误代码有限公司")
    page.get_by_label("统一社会信用代码").fill("91350100M000100Y44")
    page.get_by_label("行政区划代码").fill("450102")
    page.get_by_label("行业代码").fill("3130")
    page.get_by_role("button", name="保存").click()
    uscc_field = page.locator(".field.has-error", has=page.locator("input[name=uscc]"))
    expect(uscc_field.locator("p.error")).to_have_text("统一社会信用代码校验位错误：第 18 位应为“3”，而非“4”。")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator("input[name=uscc]")).to_have_value("91350100M000100Y44")

    page.get_by_role("button", name="退出").click()
    expect(page.locator(".flash")).to_contain_text("您已安全退出。")
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()
    page.goto("/enterprises/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_the_province_regulator_sees_every_city(log_in):
    page = log_in("gx-province")
    page.goto("/enterprises/")
    assert sorted(_registry_rows(page)) == sorted([NANNING, LIUZHOU])


def test_the_admin_sees_accounts_and_the_audit_log(log_in):
    page = log_in("gx-admin")
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    assert {"账号管理", "审计日志"} <= set(_work_nav(page))
    page.locator(".work-nav").get_by_role("link", name="审计日志").click()
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    expect(page.locator("table.data")).to_contain_text("创建账号")  # the action by its Chinese name


def test_an_enterprise_sees_its_own_profile_and_not_the_registry(log_in):
    page = log_in("nn-enterprise")
    expect(page).to_have_url(re.compile(r"/audits/mine$"))  # lands on its rounds
    page.locator(".work-nav").get_by_role("link", name="本企业资料").click()
    expect(page.get_by_role("heading", name=NANNING)).to_be_visible()
    assert "本企业资料" in _work_nav(page) and "企业名录" not in _work_nav(page)
    assert LIUZHOU not in page.content()
    page.goto("/enterprises/")
    expect(page.get_by_role("heading", name="403 · 无权访问")).to_be_visible()


@pytest.mark.parametrize("username", ["gx-expert", "gx-consultant"])
def test_experts_and_service_organisations_do_not_reach_the_registry(log_in, username):
    page = log_in(username, "Wrong-passw0rd")
    password_field = page.locator(".field.has-error", has=page.locator("input[name=password]"))
    expect(password_field).to_contain_text("用户名或密码不正确。")

    page = log_in(username)
    expect(page.locator(".account .who")).to_contain_text(username)
    assert not {"企业名录", "账号管理", "审计日志", "本企业资料"} & set(_work_nav(page))
    page.goto("/enterprises/")
    expect(page.get_by_role("heading", name="403 · 无权访问")).to_be_visible()
