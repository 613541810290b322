"""In a real Chromium, with CSRF on: an enterprise asks for an account with its code and a PDF, the
province regulator finds it on the workbench and approves it, the enterprise sets its first password
by the one-time link and lands on its rounds."""
import re

import pytest
from playwright.sync_api import expect

from browser_world import ENTERPRISES
from platform.enterprises.uscc import make

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NEW = "Browser-first-passw0rd"


def test_an_enterprise_asks_for_an_account_and_the_regulator_approves_it(page, log_in, tmp_path):
    proof = tmp_path / "营业执照.pdf"
    proof.write_bytes(PDF)
    page.goto("/login")
    page.get_by_role("link", name="企业申请账号").click()
    page.get_by_label("统一社会信用代码").fill(make("450200", 7702)[:17] + "0")  # a wrong check character first
    page.get_by_label("企业名称").fill(ENTERPRISES["450200"])
    page.get_by_label("希望使用的用户名").fill("lz-browser")
    page.get_by_label("联系人").fill("覃经理")
    page.get_by_label("联系电话").fill("0772-5550101")
    page.get_by_label("电子邮箱").fill("qin@example.com")
    page.get_by_label("证明材料（PDF）").set_input_files(str(proof))
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".field.has-error")).to_contain_text("校验位错误")
    page.get_by_label("统一社会信用代码").fill(make("450200", 7702))
    page.get_by_label("证明材料（PDF）").set_input_files(str(proof))  # a refused form keeps no file
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()

    page.context.clear_cookies()
    log_in("gx-province")
    page.get_by_role("link", name=re.compile("待审核的企业账号申请")).click()
    page.get_by_role("link", name=ENTERPRISES["450200"]).click()
    page.get_by_label("批准，开通企业账号").check()
    page.get_by_role("button", name="提交审核结论").click()
    link = page.get_by_label("设置密码链接").input_value()

    page.context.clear_cookies()
    page.goto(link)
    page.get_by_label("新密码", exact=True).fill(NEW)
    page.get_by_label("确认新密码").fill(NEW)
    page.get_by_role("button", name="设置密码").click()
    expect(page.locator(".flash")).to_contain_text("lz-browser 的密码已设置")
    log_in("lz-browser", NEW)
    expect(page).to_have_url(re.compile(r"/audits/mine$"))
