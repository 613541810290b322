"""In a real Chromium: the long industry list is ticked and narrowed by typing, not Ctrl-clicked; a
refused login names the reason beside the marked field and speaks of no red fields."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_industry_list_is_a_checkbox_list_narrowed_by_typing(page):
    page.goto("/experts/register")
    items = page.locator(".checklist-items li")
    assert items.count() > 50
    page.get_by_role("searchbox", name="筛选专业行业（可多选）").fill("黑色金属")
    expect(items.filter(has_text="黑色金属").first).to_be_visible()
    assert page.locator(".checklist-items li:not([hidden])").count() < 5
    page.get_by_label("31 黑色金属冶炼和压延加工业").check()
    page.get_by_role("searchbox", name="筛选专业行业（可多选）").fill("")
    assert page.locator(".checklist-items li:not([hidden])").count() == items.count()
    assert page.locator("input[name=industry_codes]:checked").count() == 1


def test_a_refused_login_marks_the_field_it_names(log_in):
    page = log_in("gx-expert", "Wrong-passw0rd")
    field = page.locator(".field.has-error", has=page.locator("input[name=password]"))
    expect(field).to_contain_text("用户名或密码不正确。")
    assert field.evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid"
    assert "标红" not in page.content()
