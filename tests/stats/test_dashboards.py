"""The dashboards, their exports and the statistics API, for the public and for each role."""
import csv
import io
import json
import re
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from platform.stats.tables import VIEW_TABLES
from platform.core.access import SYSTEM

CONTRACT_KEYS = {"rounds_listed", "rounds_completed", "completion_rate", "evaluation_pass_rate", "acceptance_pass_rate",
                 "schemes_total", "schemes_completed", "implementation_rate", "investment_wan_yuan", "reductions"}
CONTRACT_REDUCTIONS = {"energy_tce", "water_t", "cod_t", "nh3n_t", "nox_t", "vocs_t", "so2_t", "co2_t"}


def sheet_rows(data: bytes) -> list[tuple]:
    """The header and the data rows (the first row is the title: what, which filter, as of when)."""
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A3" and "数据截至" in sheet["A1"].value
    return list(sheet.iter_rows(values_only=True))[1:]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def chart_specs(page: str) -> list[dict]:
    block = re.search(r'<script type="application/json" id="stats-charts">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))["charts"]


# --- the API --------------------------------------------------------------------------------------

def test_the_summary_api_keeps_the_design_contract(stats_world, client):
    body = client.get("/api/v1/stats/summary").get_json()
    assert CONTRACT_KEYS <= set(body) and CONTRACT_REDUCTIONS <= set(body["reductions"])
    assert (body["rounds_listed"], body["rounds_completed"], body["completion_rate"]) == (6, 1, 0.1667)
    assert body["investment_wan_yuan"] == 1259.55 and isinstance(body["investment_wan_yuan"], float)
    # The target is the province's 2021–2025 total: only schemes completed in those years count
    # (a3's 999 t of 2026 is in a cancelled round and out of the period anyway).
    assert body["reductions"]["cod_t"] == {"label": "COD削减量", "unit": "t", "verified": 4620.3, "reported": 4622.3833,
                                           "target": 46200, "progress": 0.1, "period_verified": 4620.3,
                                           "period_reported": 4622.3833}
    assert body["reductions"]["energy_tce"]["target"] is None
    assert D(str(body["reductions"]["nh3n_t"]["verified"])) == D("1600.0125")  # the number survives JSON exactly


def test_the_summary_api_filters_and_refuses_a_wrong_filter(stats_world, client):
    body = client.get("/api/v1/stats/summary?year=2025&city=450200&industry=22").get_json()
    assert (body["year"], body["city"], body["industry"]) == (2025, "450200", "22")
    assert body["suppressed"] is True and body["rounds_listed"] is None  # b3 alone (test_disclosure.py)
    assert client.get("/api/v1/stats/summary?city=450200").get_json()["rounds_listed"] == 3
    response = client.get("/api/v1/stats/summary?city=999999")
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "city" and "不是广西的设区市" in response.get_json()["error"]["message"]


def test_the_breakdown_api_is_public_for_aggregates_and_needs_a_token_for_enterprises(stats_world, client):
    from platform.accounts.services import issue_token

    body = client.get("/api/v1/stats/breakdown?by=city").get_json()
    assert [(i["key"], i["rounds_listed"]) for i in body["items"]] == [("450100", 3), ("450200", 3)]
    assert body["total"] == 2 and body["page"] == 1
    assert client.get("/api/v1/stats/breakdown?by=enterprise").status_code == 401
    token = issue_token(SYSTEM, stats_world.people.regulator_b)
    from platform.core.extensions import db

    db.session.commit()
    body = client.get("/api/v1/stats/breakdown?by=enterprise", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["total"] == 3 and all(i["city"] == "柳州市" for i in body["items"])


# --- pages ------------------------------------------------------------------------------------------

def test_the_public_page_shows_aggregates_and_no_enterprise(stats_world, client):
    response = client.get("/stats")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "16.67%" in page and "1,259.55" in page
    assert not any(e.name in page or e.uscc in page for e in stats_world.enterprises.values())
    assert {c["id"] for c in chart_specs(page)} == {"chart-city", "chart-targets", "chart-industry", "chart-year"}
    assert "vendor/echarts/echarts.min.js" in page and "js/stats-charts.js" in page
    # No inline script: every <script> loads a file or is a JSON data block (script-src 'self').
    assert all('src="' in tag or 'type="application/json"' in tag for tag in re.findall(r"<script[^>]*>", page))
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_chart_data_is_the_tables_data(stats_world, client):
    page = client.get("/stats").get_data(as_text=True)
    city = next(c for c in chart_specs(page) if c["id"] == "chart-city")
    assert city["categories"] == ["南宁市", "柳州市"]
    assert city["series"][0]["data"] == [3, 3] and city["series"][2]["data"] == [33.33, 0]
    targets = next(c for c in chart_specs(page) if c["id"] == "chart-targets")
    assert dict(zip(targets["categories"], targets["series"][0]["data"])) == {
        "COD削减量": 10, "氨氮削减量": 50, "氮氧化物削减量": 0.25, "VOCs削减量": 0}


def test_the_province_overview_is_for_province_regulators_and_admins(stats_world, client_for, client):
    people = stats_world.people
    for who in (people.province, people.admin):
        page = client_for(who).get("/stats/overview").get_data(as_text=True)
        assert "全区清洁生产绩效统计" in page and 'href="/stats/city/450100"' in page
    response = client_for(people.regulator_a).get("/stats/overview?year=2025")
    assert response.status_code == 302 and response.headers["Location"].endswith("/stats/city/450100?year=2025")
    assert client_for(people.enterprise_a).get("/stats/overview").status_code == 403
    assert client.get("/stats/overview").status_code == 302  # to the login page


def test_a_city_regulator_drills_into_its_own_city_only(stats_world, client_for):
    people, ents = stats_world.people, stats_world.enterprises
    page = client_for(people.regulator_a).get("/stats/city/450100").get_data(as_text=True)
    assert all(ents[k].name in page for k in ("a1", "a2", "a4")) and ents["b1"].name not in page
    assert ents["a3"].name not in page  # its only round was cancelled
    assert "共 3 家企业" in page
    assert client_for(people.regulator_a).get("/stats/city/450200").status_code == 403
    assert client_for(people.regulator_a).get("/stats/city/450200/export/by_enterprise.xlsx").status_code == 403
    assert client_for(people.province).get("/stats/city/450200").status_code == 200
    assert client_for(people.province).get("/stats/city/999999").status_code == 404


def test_an_enterprise_sees_its_own_results(stats_world, client_for, make_user):
    a1 = stats_world.enterprises["a1"]
    user = make_user("enterprise", enterprise=a1)
    page = client_for(user).get("/stats/mine").get_data(as_text=True)
    assert "本企业清洁生产审核绩效" in page and "4,620.3" in page
    assert stats_world.enterprises["b1"].name not in page
    rows = sheet_rows(client_for(user).get("/stats/mine/export/by_round.xlsx").data)
    assert rows[1][:4] == ("强制性审核（2025-03-01）", "验收合格", 1, 1)
    assert client_for(stats_world.people.regulator_a).get("/stats/mine").status_code == 403


# --- exports match the figures ---------------------------------------------------------------------

@pytest.mark.parametrize("view, url, who", [
    ("public", "/stats/export/{table}.{fmt}", None),
    ("province", "/stats/overview/export/{table}.{fmt}", "province"),
    ("city", "/stats/city/450200/export/{table}.{fmt}", "regulator_b"),
])
def test_every_table_shown_downloads_as_excel_and_csv(stats_world, client, client_for, view, url, who):
    http = client_for(getattr(stats_world.people, who)) if who else client
    for table in VIEW_TABLES[view]:
        xlsx = http.get(url.format(table=table, fmt="xlsx"))
        text = http.get(url.format(table=table, fmt="csv"))
        assert xlsx.status_code == text.status_code == 200, table
        rows, lines = sheet_rows(xlsx.data), csv_rows(text.data)
        assert len(rows) == len(lines) and list(rows[0]) == lines[0], table
    assert http.get(url.format(table="nonsense", fmt="xlsx")).status_code == 404


def test_the_exports_match_the_summary(stats_world, client, client_for):
    summary = {r[0]: r[1] for r in sheet_rows(client.get("/stats/export/summary.xlsx").data)[1:]}
    assert summary["审核轮次（列入名单或自愿开展）"] == 6 and summary["审核完成率"] == 16.67
    assert summary["评估通过率"] == 75 and summary["方案实施率"] == 80 and summary["已完成方案投资"] == 1259.55
    reductions = {r[0]: r[1:] for r in sheet_rows(client.get("/stats/export/reductions.xlsx").data)[1:]}
    assert reductions["COD削减量"] == ("t", 4620.3, 4622.3833, 46200, 10)
    assert reductions["节能量"] == ("tce", 1210.4333, 1215.9333, None, None)
    # 南宁 in 2025 is two enterprises: the public's export withholds it, the province's shows it.
    assert sheet_rows(client.get("/stats/export/by_city.xlsx?year=2025").data)[1][:3] == ("南宁市", "<3家，不公开",
                                                                                          "<3家，不公开")
    province = client_for(stats_world.people.province)
    rows = sheet_rows(province.get("/stats/overview/export/by_city.xlsx?year=2025").data)
    header, nanning = rows[0], dict(zip(rows[0], rows[1]))
    assert header[0] == "设区市" and nanning["设区市"] == "南宁市"
    assert (nanning["审核轮次"], nanning["验收合格"], nanning["完成率（%）"]) == (2, 1, 50)
    assert nanning["COD削减量（t，已核实）"] == 4620.3
    lines = csv_rows(province.get("/stats/overview/export/by_city.csv?year=2025").data)
    assert lines[1][:4] == ["南宁市", "2", "1", "50.00"]
    disposition = client.get("/stats/export/by_city.csv?year=2025").headers["Content-Disposition"]
    assert "2025" in disposition


@pytest.mark.parametrize("url", ["/stats?year=2019", "/stats?industry=13", "/api/v1/stats/summary?year=2019"])
def test_an_empty_selection_shows_zeros_and_no_rates(stats_world, client, url):
    response = client.get(url)
    assert response.status_code == 200
    if url.startswith("/api"):
        body = response.get_json()
        assert (body["rounds_listed"], body["completion_rate"], body["investment_wan_yuan"]) == (0, None, 0)


@pytest.mark.parametrize("url", ["/stats?year=2019", "/stats?industry=13"])
def test_a_selection_without_data_says_so_instead_of_drawing_empty_charts(stats_world, client, url):
    page = client.get(url).get_data(as_text=True)
    assert "暂无数据" in page and 'id="chart-city"' not in page
    full = client.get("/stats").get_data(as_text=True)
    assert "暂无数据" not in full and 'id="chart-city"' in full
