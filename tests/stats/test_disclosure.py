"""Small groups are not published (stats.min_group_size, platform/stats/disclosure.py): the public's
pages, exports, charts and API withhold every cell of fewer than 3 enterprises, the cells from which
one could be worked out by subtraction, and a second cell beside a lone withheld one; regulators see
every figure of their region.

The statistics world (tests/schemes/builders.build_stats_world) counts six enterprises: 南宁 a1
(industry 31, park A, 2025), a2 (26, 2025), a4 (26, 2026); 柳州 b1 (31, park B, 2025), b2 (22, 2026),
b3 (22, 2025). a1 alone is 南宁's industry 31 and park A.
"""
import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from platform.core.extensions import db
from platform.stats import services as stats
from platform.stats.services import Filters
from tests.schemes.builders import add_scheme, list_enterprise
from platform.core.access import SYSTEM, ANONYMOUS

NANNING, LIUZHOU, GUILIN = "450100", "450200", "450300"
WITHHELD = "<3家，不公开"


def sheet_rows(data: bytes) -> list[tuple]:
    """The header row and the rows under it (row 1 is the export's title: filter and as-of date)."""
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1:]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def assert_withheld(body: dict, kind_text: str = "少于 3 家"):
    assert body["suppressed"] is True and kind_text in body["suppressed_reason"]
    assert body["rounds_listed"] is None and body["schemes_total"] is None and body["completion_rate"] is None
    assert body["investment_wan_yuan"] is None and body["economic_benefit_verified_wan_yuan"] is None
    assert all(r["verified"] is None and r.get("reported") is None for r in body["reductions"].values())


def enterprise_with_round(make_enterprise, city: str, industry: str, on: date = date(2025, 3, 1), **amounts):
    """One more enterprise in the world, listed on `on`, with one completed scheme."""
    enterprise = make_enterprise(city, industry_code=industry)
    round_ = list_enterprise(enterprise, on)
    add_scheme(round_, "W01", **(amounts or {"cod_t": "1", "investment_wan_yuan": "1"}))
    return enterprise


# --- the finding: one enterprise's figures through a filter ---------------------------------------------

def test_one_enterprises_city_and_industry_is_withheld_from_the_public(stats_world, client):
    body = client.get(f"/api/v1/stats/summary?city={NANNING}&industry=31").get_json()
    assert_withheld(body)
    assert (body["city"], body["industry"]) == (NANNING, "31")  # what was asked stays, the figures go
    assert body["suppressed_label"] == WITHHELD
    # As the service gives it to anyone without a regulator's scope.
    assert stats.summary(ANONYMOUS, Filters(city=NANNING, industry="31"))["investment_wan_yuan"] is None


def test_one_enterprises_park_is_withheld_from_the_public(stats_world, client):
    park_a = stats_world.parks["a"]
    assert_withheld(client.get(f"/api/v1/stats/summary?park={park_a.id}").get_json())
    rows = client.get("/api/v1/stats/breakdown?by=park").get_json()["items"]
    assert rows and all(r["suppressed"] and r["rounds_listed"] is None for r in rows)


def test_regulators_see_every_figure_of_their_region(stats_world, client, make_user):
    from platform.accounts.services import issue_token

    people, one = stats_world.people, Filters(city=NANNING, industry="31")
    for who in (people.province, people.admin, people.regulator_a):
        s = stats.summary(who, one)
        assert s["suppressed"] is False and (s["rounds_listed"], s["investment_wan_yuan"]) == (1, D("252.55")), who
        assert s["reductions"]["cod_t"]["verified"] == D("4620.3")
    # Another city's regulator is the public there.
    assert stats.summary(people.regulator_b, one)["suppressed"] is True
    assert stats.summary(people.regulator_b, Filters(city=LIUZHOU, industry="22"))["rounds_listed"] == 2
    # An enterprise sees its own figures, however few; the province's small groups stay withheld from it.
    a1 = stats_world.enterprises["a1"]
    owner = make_user("enterprise", enterprise=a1)
    assert stats.summary(owner, Filters(enterprise_id=a1.id))["rounds_listed"] == 1
    assert stats.summary(owner, one)["suppressed"] is True
    # The API: a regulator's token sees its region; a wrong token is refused, not served as the public.
    token = issue_token(SYSTEM, people.province)
    db.session.commit()
    body = client.get(f"/api/v1/stats/summary?city={NANNING}&industry=31",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["suppressed"] is False and body["rounds_listed"] == 1
    rows = client.get("/api/v1/stats/breakdown?by=industry", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [r["rounds_listed"] for r in rows["items"]] == [2, 2, 2]
    assert client.get("/api/v1/stats/summary", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_the_regulators_dashboards_are_unchanged(stats_world, client_for):
    people = stats_world.people
    page = client_for(people.regulator_a).get("/stats/city/450100?industry=31").get_data(as_text=True)
    assert "&lt;3家，不公开" not in page and "防推算" not in page and "252.55" in page
    rows = sheet_rows(client_for(people.province).get("/stats/overview/export/by_industry.xlsx").data)
    assert [r[1] for r in rows[1:]] == [2, 2, 2]


# --- differencing --------------------------------------------------------------------------------------

def test_a_lone_small_group_in_a_breakdown_takes_a_second_cell_with_it(stats_world, make_enterprise, client):
    """桂林 has one enterprise: withheld. Were 南宁 and 柳州 both shown, the province less the two would be
    桂林's figures — so the smaller of the two (南宁, by code on a tie) is withheld as well."""
    enterprise_with_round(make_enterprise, GUILIN, "31")
    rows = {r["key"]: r for r in client.get("/api/v1/stats/breakdown?by=city").get_json()["items"]}
    assert rows[GUILIN]["suppressed"] and "少于 3 家" in rows[GUILIN]["suppressed_reason"]
    assert rows[NANNING]["suppressed"] and "推算" in rows[NANNING]["suppressed_reason"]
    assert rows[LIUZHOU]["suppressed"] is False and rows[LIUZHOU]["rounds_listed"] == 3
    total = client.get("/api/v1/stats/summary").get_json()
    assert total["suppressed"] is False and total["rounds_listed"] == 7
    # The same cell has the same status asked on its own.
    assert_withheld(client.get(f"/api/v1/stats/summary?city={NANNING}").get_json(), "推算")
    # On the page and in its export, the second cell says why it is hidden.
    lines = csv_rows(client.get("/stats/export/by_city.csv").data)
    shown = {line[0]: line[1:] for line in lines[1:]}
    assert set(shown["桂林市"]) == {WITHHELD} and set(shown["南宁市"]) == {"不公开（防推算）"}
    assert shown["柳州市"][0] == "3"


def test_what_is_withheld_follows_the_rounds_as_they_change(stats_world, make_enterprise, client):
    """The counts are read again when a round or an enterprise changes (services._census)."""
    from platform.audits import services as audits

    def nanning():
        return client.get(f"/api/v1/stats/summary?city={NANNING}").get_json()["suppressed"]

    assert nanning() is False
    guilin = enterprise_with_round(make_enterprise, GUILIN, "31")
    assert nanning() is True  # the second cell beside 桂林's one enterprise
    audits.cancel(stats_world.people.province, audits.current_round(guilin.id), reason="误列入名单",
                  today=date(2025, 4, 1))
    db.session.commit()
    assert nanning() is False


def test_a_filter_whose_complement_is_one_enterprise_is_withheld(stats_world, make_enterprise, client):
    """南宁's industry 26 has three enterprises once a5 joins — but 南宁 less its industry 26 is a1 alone,
    and 南宁 is published: so 南宁 & 26 is withheld, though it is not small."""
    enterprise_with_round(make_enterprise, NANNING, "26")
    nanning = client.get(f"/api/v1/stats/summary?city={NANNING}").get_json()
    assert nanning["suppressed"] is False and nanning["rounds_listed"] == 4
    body = client.get(f"/api/v1/stats/summary?city={NANNING}&industry=26").get_json()
    assert_withheld(body, "与上一级合计相减")
    assert body["suppressed_label"] == "不公开（防推算）"
    # In the breakdown of 南宁 by industry, both rows are hidden: 31 (a1) and 26.
    rows = client.get(f"/api/v1/stats/breakdown?by=industry&city={NANNING}").get_json()["items"]
    assert [(r["key"], r["suppressed"]) for r in rows] == [("26", True), ("31", True)]
    assert stats.summary(stats_world.people.regulator_a, Filters(city=NANNING, industry="26"))["rounds_listed"] == 3


def test_a_year_whose_complement_is_one_enterprises_other_round_is_withheld(stats_world, make_enterprise, client):
    """A year belongs to the round: 柳州 gains two enterprises listed in 2025, so four of its five are in
    柳州 2025 — and 柳州 less 柳州 2025 is b2's 2026 round alone: withheld."""
    enterprise_with_round(make_enterprise, LIUZHOU, "22")
    enterprise_with_round(make_enterprise, LIUZHOU, "31")
    liuzhou = client.get(f"/api/v1/stats/summary?city={LIUZHOU}").get_json()
    assert liuzhou["suppressed"] is False and liuzhou["rounds_listed"] == 5
    assert_withheld(client.get(f"/api/v1/stats/summary?city={LIUZHOU}&year=2025").get_json(), "与上一级合计相减")


# --- every public output ----------------------------------------------------------------------------------

def test_the_public_page_its_charts_and_exports_withhold_small_groups(stats_world, client):
    page = client.get(f"/stats?city={NANNING}&industry=31").get_data(as_text=True)
    assert "&lt;3家，不公开" in page and "252.55" not in page and "4,620.3" not in page
    assert 'href="/rules#stats.min_group_size"' in page
    summary = {r[0]: r[1] for r in sheet_rows(client.get(f"/stats/export/summary.xlsx?city={NANNING}&industry=31").data)[1:]}
    assert set(summary.values()) == {WITHHELD}
    reductions = sheet_rows(client.get(f"/stats/export/reductions.xlsx?city={NANNING}&industry=31").data)
    assert reductions[1][2:4] == (WITHHELD, WITHHELD)
    # Every industry of the province has two enterprises: the whole table is withheld, on the page too.
    lines = csv_rows(client.get("/stats/export/by_industry.csv").data)
    assert len(lines) == 4 and all(set(line[1:]) == {WITHHELD} for line in lines[1:])
    whole = client.get("/stats").get_data(as_text=True)
    assert whole.count("&lt;3家，不公开") >= 3 * 18  # the industry rows, each of their figures
    from tests.stats.test_dashboards import chart_specs

    industry = next(c for c in chart_specs(whole) if c["id"] == "chart-industry")
    assert industry["categories"] and all(v is None for s in industry["series"] for v in s["data"])
    city = next(c for c in chart_specs(whole) if c["id"] == "chart-city")
    assert city["series"][0]["data"] == [3, 3]


def test_a_cell_has_one_status_wherever_it_is_shown(stats_world, make_enterprise, client):
    enterprise_with_round(make_enterprise, GUILIN, "31")
    enterprise_with_round(make_enterprise, NANNING, "26", date(2026, 2, 1))
    for filters in ({}, {"year": 2025}, {"city": NANNING}, {"industry": "26"}):
        for by in ("year", "city", "industry", "park"):
            if by in filters:
                continue
            query = "&".join(f"{k}={v}" for k, v in filters.items())
            for row in client.get(f"/api/v1/stats/breakdown?by={by}&{query}").get_json()["items"]:
                if row["key"] is None:
                    continue  # 不在园区 is no filter
                alone = client.get(f"/api/v1/stats/summary?{query}&{by}={row['key']}").get_json()
                assert alone["suppressed"] == row["suppressed"], (filters, by, row["key"])
                assert alone["rounds_listed"] == row["rounds_listed"], (filters, by, row["key"])


@pytest.mark.parametrize("threshold, nanning_shown", [(3, True), (4, False)])
def test_the_threshold_is_the_configurable_rule(stats_world, client, app, monkeypatch, threshold, nanning_shown):
    monkeypatch.setitem(app.config, "RULE_OVERRIDES", {"stats.min_group_size": threshold})
    rows = {r["key"]: r for r in client.get("/api/v1/stats/breakdown?by=city").get_json()["items"]}
    assert rows[NANNING]["suppressed"] is not nanning_shown
    if not nanning_shown:
        assert "少于 4 家" in rows[NANNING]["suppressed_reason"] and rows[NANNING]["suppressed_label"] == "<4家，不公开"
    rule = {r["key"]: r for r in client.get("/api/v1/rules").get_json()["items"]}["stats.min_group_size"]
    assert rule["value"] == threshold and rule["kind"] == "local_practice" and rule["source"].startswith("地方实践")
    assert 'id="stats.min_group_size"' in client.get("/rules").get_data(as_text=True)


def test_an_override_below_three_is_refused(tmp_path):
    from platform import create_app
    from tests.conftest import _test_config

    with pytest.raises(ValueError, match="应在"):
        create_app({**_test_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path),
                    "RULE_OVERRIDES": {"stats.min_group_size": 2}}, "test")


# --- the rules themselves, on counts (disclosure.py) ----------------------------------------------------------

@pytest.fixture
def sdc():
    """platform.stats.disclosure (imported here, so that the tests above run, and fail, without it)."""
    from platform.stats import disclosure

    return disclosure


def census(*firms):
    """Firms as (city, industry, park, years) -> the counts services._census reads from the database."""
    from platform.stats.disclosure import Census

    per_year, per_firm = {}, {}
    for city, industry, park, years in firms:
        for year in years:
            per_year[(year, city, industry, park)] = per_year.get((year, city, industry, park), 0) + 1
        key = (len(years) == 1, years[0] if len(years) == 1 else None, city, industry, park)
        per_firm[key] = per_firm.get(key, 0) + 1
    return Census(frozenset(k + (v,) for k, v in per_year.items()), frozenset(k + (v,) for k, v in per_firm.items()))


def test_rule_one_and_the_empty_cell(sdc):
    hidden = sdc.withheld(census(*[("A", "13", None, [2025])] * 3, ("B", "13", None, [2025])), 3)
    assert hidden[sdc.cell(city="B")] == sdc.SMALL
    assert sdc.cell(city="C") not in hidden  # nothing there: zeros disclose nothing


def test_rule_two_counts_an_enterprise_of_two_years_outside_a_year(sdc):
    """Three enterprises in 2025, one of them also in 2026: city A's 2025 has three, but A less A-2025 is
    that one enterprise's 2026 round."""
    world = census(("A", "13", None, [2025]), ("A", "13", None, [2025]), ("A", "22", None, [2025, 2026]),
                   *[("B", "13", None, [2025])] * 3)
    hidden = sdc.withheld(world, 3)
    assert hidden[sdc.cell(2025, "A")] == sdc.COMPLEMENT
    assert hidden[sdc.cell(2025)] == sdc.COMPLEMENT  # the province less 2025 is the same 2026 round
    assert sdc.cell() not in hidden


def test_rule_two_by_inclusion_and_exclusion(sdc):
    """Industry 01 less its 不在园区 less its 柳州 plus 柳州's 不在园区 is the one enterprise of 01 in a park
    outside 柳州: 柳州's 01 不在园区 (four enterprises) is withheld, though no one cell less it is small."""
    world = census(*[("C2", "01", None, [2025])] * 4, *[("C2", "01", 21, [2025])] * 3,
                   *[("C1", "01", None, [2025])] * 3, ("C1", "01", 11, [2025]))
    hidden = sdc.withheld(world, 3)
    assert hidden[sdc.cell(city="C2", industry="01", park=None)] == sdc.COMPLEMENT


def test_rule_three_takes_the_smallest_other_row_and_enough_enterprises(sdc):
    world = census(*[("A", "13", None, [2025])] * 5, *[("B", "13", None, [2025])] * 4, ("C", "13", None, [2025]),
                   ("D", "13", None, [2025]))
    hidden = sdc.withheld(world, 3)
    # C and D are small; together two enterprises: B, the smallest shown row, goes too.
    assert [hidden.get(sdc.cell(city=c)) for c in "ABCD"] == [None, sdc.SECONDARY, sdc.SMALL, sdc.SMALL]


def test_two_overlapping_cells_that_differ_by_two_enterprises_are_not_both_shown(sdc):
    """City A and industry 13 share four enterprises; A has one more (22), 13 one more (in B). A − 13 is
    the one's figures less the other's: each of the two learns the other's."""
    world = census(*[("A", "13", None, [2025])] * 4, ("A", "22", None, [2025]), ("B", "13", None, [2025]),
                   *[("B", "22", None, [2025])] * 4)
    hidden = sdc.withheld(world, 3)
    assert sdc.cell(city="A", industry="13") in hidden
    assert (sdc.cell(city="A") in hidden) or (sdc.cell(industry="13") in hidden)


def test_the_result_does_not_depend_on_the_order_of_the_counts(sdc):
    firms = [("A", "13", None, [2025]), ("A", "22", 1, [2025, 2026]), ("B", "13", None, [2026]),
             ("B", "31", 2, [2024]), ("A", "13", 1, [2026]), ("C", "22", None, [2025]), ("B", "13", None, [2025])]
    first = sdc._withheld(census(*firms), 3)
    second = sdc._withheld(census(*reversed(firms)), 3)
    assert first == second and first
