"""In a real Chromium: an irreversible action asks first, and declining sends nothing."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_revoking_a_token_asks_first_and_declining_keeps_it(log_in):
    page = log_in("gx-expert")
    page.goto("/account/tokens")
    page.get_by_label("用途").fill("确认测试")
    page.get_by_role("button", name="签发").click()
    row = page.locator("tr", has_text="确认测试")
    expect(row).to_contain_text("有效")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name="吊销").click()
    page.wait_for_timeout(300)
    assert asked and "确定吊销" in asked[0]
    expect(row).to_contain_text("有效")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="吊销").click()
    expect(page.locator(".flash")).to_contain_text("已吊销")
    expect(page.locator("tr", has_text="确认测试")).to_contain_text("吊销")
