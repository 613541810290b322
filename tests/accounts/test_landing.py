"""Each role lands on its own work after login; a regulator's workbench counts what waits for them,
in their own city, and links each count to the list that shows those rows."""
import re
from datetime import date

import pytest

from platform.accounts.workbench import regulator_items
from platform.audits import services as audits
from platform.audits.jobs import compliance_scan
from platform.core.extensions import db

PASSWORD = "Passw0rd-test"
LISTED_ON = date(2025, 3, 1)


def _login(client, user, **query):
    return client.post("/login", query_string=query, data={"username": user.username, "password": PASSWORD})


@pytest.fixture
def expert_with_profile(world):
    from platform.enterprises.uscc import make
    from platform.experts.services import add_profile

    add_profile(world.expert, {"name": "林专家", "title": "高级工程师", "employer": "广西环科院",
                               "employer_uscc": make("450100", 7001), "industry_codes": "31",
                               "years_of_practice": "10", "phone": "13912345678"})
    db.session.commit()
    return world.expert


@pytest.mark.parametrize("role, home", [
    ("regulator_a", "/workbench"), ("province", "/workbench"), ("enterprise_a", "/audits/mine"),
    ("expert", "/experts/me/reviews"), ("service_org", "/service-orgs/mine"), ("admin", "/admin/users")])
def test_each_role_lands_on_its_own_work(world, client, expert_with_profile, role, home):
    response = _login(client, getattr(world, role))
    assert (response.status_code, response.headers["Location"]) == (302, home)
    assert client.get(home).status_code == 200


def test_a_safe_next_is_honoured_before_the_landing_page(world, client):
    assert _login(client, world.enterprise_a, next="/credit/mine").headers["Location"] == "/credit/mine"


def test_an_expert_without_a_profile_lands_on_the_home_page(world, client):
    assert _login(client, world.expert).headers["Location"] == "/"


def test_an_offsite_next_falls_back_to_the_landing_page(world, client, expert_with_profile):
    assert _login(client, world.expert, next="//evil.example/x").headers["Location"] == "/experts/me/reviews"


def _counts(html: str) -> dict[str, tuple[int, str]]:
    """label -> (count, link) as the workbench shows them."""
    found = re.findall(r'<a href="([^"]+)"><span class="count[^"]*">(\d+)</span> ([^<]+)</a>', html)
    return {label.strip(): (int(count), link.replace("&amp;", "&")) for link, count, label in found}


@pytest.fixture
def cases_in_city_a(world):
    """City A's enterprise listed on 2025-03-01 and silent past its disclosure deadline: an open case."""
    audits.publish_batch(world.regulator_a, title="2025 年名单", published_on=LISTED_ON, usccs=[world.ent_a.uscc],
                         today=LISTED_ON)
    compliance_scan(date(2025, 4, 5))
    db.session.commit()


def test_the_workbench_counts_open_cases_in_the_regulators_city_only(world, client_for, cases_in_city_a):
    page = client_for(world.regulator_a).get("/workbench")
    assert page.status_code == 200
    count, link = _counts(page.get_data(as_text=True))["待处理案件"]
    assert (count, link) == (1, "/audits/cases?status=open")
    listed = client_for(world.regulator_a).get(link).get_data(as_text=True)
    assert world.ent_a.name in listed

    assert _counts(client_for(world.regulator_b).get("/workbench").get_data(as_text=True))["待处理案件"][0] == 0
    assert _counts(client_for(world.province).get("/workbench").get_data(as_text=True))["待处理案件"][0] == 1


def test_each_count_is_the_rows_of_its_list_in_scope(app, world, client_for, cases_in_city_a):
    with app.test_request_context():
        groups = dict(regulator_items(world.regulator_a))
        assert [i.count for i in groups["违规案件"]] == [1, 0]
        assert [i.count for i in dict(regulator_items(world.regulator_b))["违规案件"]] == [0, 0]
    # the round listed on 2025-03-01 has missed its disclosure deadline: one overdue round, shown by its link
    overdue = groups["审核轮次"][1]
    assert (overdue.label, overdue.count) == ("逾期的审核轮次", 1)
    assert world.ent_a.name in client_for(world.regulator_a).get(overdue.url).get_data(as_text=True)


@pytest.mark.parametrize("role", ["enterprise_a", "expert", "service_org"])
def test_the_workbench_is_for_regulators_and_admins(world, client_for, role):
    assert client_for(getattr(world, role)).get("/workbench").status_code == 403


def test_the_workbench_is_in_the_regulators_menu(world, client_for):
    assert 'href="/workbench"' in client_for(world.regulator_a).get("/enterprises/").get_data(as_text=True)
