"""axe-core (tests/browser/vendor/axe-core, from the npm registry, never served to users) on every
public page and each role's main pages, at a phone's width and a laptop's: no violation of serious
or critical impact. Every page has a skip link to its main content and a visible focus ring."""
from pathlib import Path

import pytest

from browser_world import PASSWORD, PEOPLE

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
MORE_PUBLIC_PAGES = ["/login", "/reviews", "/service-orgs", "/password/forgot", "/account-request", "/subscribe",
                     "/data-dictionary", "/api/docs", "/audit-status?city=450100", "/credit?city=450100"]
SERIOUS = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => %s.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(0, 2).join(' '))
  }));
}""" % list(SERIOUS)


@pytest.fixture
def axe_page(chromium, live_server):
    """A tab in which axe-core is loaded into every document before the page's own scripts (through
    the browser's devtools channel, so the site's Content-Security-Policy is left as it is)."""
    context = chromium.new_context(base_url=live_server, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(AXE))
    tab = context.new_page()
    yield tab
    context.close()


def _log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _violations(page, urls) -> dict:
    found = {}
    for url in urls:
        response = page.goto(url)
        assert response.status < 500, f"{url} answered {response.status}"
        page.wait_for_load_state("load")
        problems = page.evaluate(RUN_AXE)
        if problems:
            found[url] = problems
    return found


def _report(found: dict) -> str:
    return "\n".join(f"{url}: [{v['impact']}] {v['id']} — {v['help']}\n    " + "\n    ".join(v["nodes"])
                     for url, problems in found.items() for v in problems)


@pytest.mark.parametrize("width", (390, 1366))
def test_public_pages_have_no_serious_accessibility_violation(axe_page, width):
    axe_page.set_viewport_size({"width": width, "height": 800})
    axe_page.goto("/")
    menu = axe_page.eval_on_selector_all(".main-nav a", "links => links.map(a => a.getAttribute('href'))")
    found = _violations(axe_page, list(dict.fromkeys(menu + MORE_PUBLIC_PAGES)))
    assert not found, "axe-core found serious or critical violations:\n" + _report(found)


@pytest.mark.parametrize("username", sorted(PEOPLE))
def test_each_roles_main_pages_have_no_serious_accessibility_violation(axe_page, username):
    axe_page.set_viewport_size({"width": 1366, "height": 800})
    _log_in(axe_page, username)
    pages = [axe_page.url] + axe_page.eval_on_selector_all(".work-nav a", "links => links.map(a => a.getAttribute('href'))")
    found = _violations(axe_page, list(dict.fromkeys(pages)))
    assert not found, f"axe-core found serious or critical violations for {username}:\n" + _report(found)


def test_the_disclosure_form_and_the_permit_page_have_no_serious_accessibility_violation(axe_page):
    """The enterprise's §11 form (a table of inputs) and its permit page."""
    axe_page.set_viewport_size({"width": 1366, "height": 800})
    _log_in(axe_page, "nn-enterprise")
    axe_page.goto("/audits/mine")
    links = axe_page.eval_on_selector_all("a[href*='/disclosure/'], a[href$='/permit']",
                                          "links => links.map(a => a.getAttribute('href'))")
    assert any("/disclosure/toxic" in link for link in links) and any(link.endswith("/permit") for link in links)
    axe_page.goto(next(link for link in links if "/disclosure/" in link))
    axe_page.get_by_role("button", name="提交并公开").click()  # empty: the errors beside the fields
    axe_page.wait_for_load_state("load")
    problems = axe_page.evaluate(RUN_AXE)
    found = {"disclosure form (with errors)": problems} if problems else {}
    found.update(_violations(axe_page, links))
    assert not found, "axe-core found serious or critical violations:\n" + _report(found)


def test_a_skip_link_leads_to_the_main_content_and_focus_is_visible(page):
    page.goto("/map")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "跳到正文" and skip.is_visible()
    ring = skip.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2, f"the focused skip link shows no ring: {ring}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # the next links are focused with a visible ring too
    page.keyboard.press("Tab")
    ring = page.locator(":focus").evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow]; }")
    assert (ring[0] != "none" and ring[1] >= 2) or ring[2] != "none", f"no visible focus ring: {ring}"
