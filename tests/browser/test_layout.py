"""In a real Chromium, at a phone's width (390 px) and a laptop's (1366 px): every public page and
each role's main pages fit the window (no sideways scroll of the page: a wide table scrolls inside
its own box), and no menu entry is split over two lines."""
import pytest

from browser_world import PEOPLE

pytestmark = pytest.mark.browser

WIDTHS = (390, 1366)
MORE_PUBLIC_PAGES = ["/login", "/reviews", "/service-orgs"]  # beside the public menu's own entries

OVERFLOW = """() => {
  const page = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  const split = [...document.querySelectorAll('.main-nav a, .work-nav a, .account a, .brand')]
    .filter(a => a.offsetParent !== null).filter(a => {
      const style = getComputedStyle(a), rects = a.getClientRects();
      const text = rects[0].height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      return rects.length > 1 || text > 1.5 * parseFloat(style.lineHeight);
    })
    .map(a => a.textContent.trim());
  return {page, split};
}"""


def _check(page, url):
    response = page.goto(url)
    assert response.status < 500, f"{url} answered {response.status}"
    found = page.evaluate(OVERFLOW)
    assert found["page"] <= 0, f"{url} scrolls sideways by {found['page']} px"
    assert not found["split"], f"{url}: menu entries broken over lines: {found['split']}"


def _work_pages(page) -> list[str]:
    return page.eval_on_selector_all(".work-nav a", "links => links.map(a => a.getAttribute('href'))")


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_fit_the_window(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    menu = page.eval_on_selector_all(".main-nav a", "links => links.map(a => a.getAttribute('href'))")
    assert len(menu) >= 8
    for url in menu + MORE_PUBLIC_PAGES:
        _check(page, url)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("username", sorted(PEOPLE))
def test_each_roles_main_pages_fit_the_window(log_in, username, width):
    page = log_in(username)
    page.set_viewport_size({"width": width, "height": 800})
    pages = [page.url] + _work_pages(page)
    for url in pages:
        _check(page, url)


def test_at_a_phones_width_the_menu_folds_behind_one_button(log_in):
    page = log_in("gx-province")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/credit")
    toggle = page.get_by_role("button", name="菜单")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(".main-nav").is_visible() and not page.locator(".work-nav").is_visible()
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height < 80, f"the folded header is {header_height} px tall"
    toggle.click()
    assert page.get_by_role("button", name="收起菜单").get_attribute("aria-expanded") == "true"
    assert page.locator(".main-nav").get_by_role("link", name="信用信息").is_visible()
    page.locator(".work-nav").get_by_role("link", name="违规案件").click()
    page.wait_for_url("**/audits/cases")  # the link's page, not the one it was clicked on
    assert page.get_by_role("heading", name="违规案件").first.is_visible()


def test_at_a_laptops_width_the_menu_is_open_and_entries_stay_whole(log_in):
    page = log_in("gx-province")
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto("/stats/overview")
    assert not page.get_by_role("button", name="菜单").is_visible()
    assert page.locator(".main-nav").get_by_role("link", name="信用信息").is_visible()
    found = page.evaluate(OVERFLOW)
    assert found == {"page": 0, "split": []}
