"""Menus show only what the user may open: a regulator's department decides the department-limited
entries (名单筛选与核定, “两高”项目, 行业目标填报), by each feature's own test of the user."""
import re

import pytest

from platform.accounts import services as accounts
from platform.accounts.models import DEPARTMENTS
from platform.core.access import SYSTEM
from platform.core.extensions import db

NAV = re.compile(r'<nav class="work-nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')


def _regulator(department: str, city: str = "450100"):
    user = accounts.create_user(SYSTEM, username=f"menu-{department}-{city}", password="Passw0rd-test",
                                role="regulator", division_code=city, department=department)
    db.session.commit()
    return user


def _menu(client) -> dict[str, str]:
    page = client.get("/workbench")
    assert page.status_code == 200
    return {label: href for href, label in LINK.findall(NAV.search(page.get_data(as_text=True)).group(1))}


def test_an_agriculture_regulator_does_not_see_the_listing_or_the_two_high_register(app, client_for):
    agriculture = _menu(client_for(_regulator("agriculture")))
    assert "名单筛选与核定" not in agriculture and "“两高”项目" not in agriculture
    assert "行业目标填报" in agriculture and "企业名录" in agriculture
    ecology = _menu(client_for(_regulator("ecology_environment")))
    assert {"名单筛选与核定", "“两高”项目"} <= set(ecology)
    assert "行业目标填报" not in ecology  # ecology and environment reports no 2025 target


@pytest.mark.parametrize("city", ["450100", "450000"])
def test_every_menu_entry_of_every_department_opens(app, client_for, city):
    for department in DEPARTMENTS:
        client = client_for(_regulator(department, city))
        for label, href in _menu(client).items():
            status = client.get(href, follow_redirects=True).status_code
            assert status == 200, (department, city, label, href, status)


def test_every_menu_entry_of_an_admin_opens(app, client_for, make_user):
    client = client_for(make_user("admin"))
    menu = _menu(client)
    assert "“两高”项目" in menu  # admins read the register
    for label, href in menu.items():
        assert client.get(href, follow_redirects=True).status_code == 200, (label, href)
