"""The map of Guangxi by city: listed firms, open cases and public credit records per city, each
linked to its filtered list, with the same figures in a table for readers without the chart."""
import json
import re
from datetime import timedelta
from pathlib import Path

from platform.audits.jobs import compliance_scan
from platform.core.dates import beijing_today
from platform.core.extensions import db
from platform.public.citymap import city_figures

ROOT = Path(__file__).resolve().parents[2]


def _row(html: str, city: str) -> str:
    return re.search(r'<tr><th scope="row">%s</th>(.*?)</tr>' % city, html, re.S).group(1)


def test_each_city_shows_its_listed_firms_open_cases_and_credit_records(app, world, client, listed, published_record,
                                                                          make_enterprise):
    published_record()  # 南宁: listed, a penalized case, one record on view
    other = make_enterprise("450200", name="柳州某化工有限公司")
    listed(world.regulator_b, [other], beijing_today() - timedelta(days=60))
    compliance_scan(beijing_today())  # 柳州's firm has missed its disclosure: an open case
    db.session.commit()

    figures = {r["code"]: r for r in city_figures()}
    assert len(figures) == 14
    assert (figures["450100"]["listed"], figures["450100"]["credit_records"]) == (1, 1)
    assert (figures["450200"]["listed"], figures["450200"]["open_cases"], figures["450200"]["credit_records"]) == (1, 1, 0)
    assert figures["450300"] == {"code": "450300", "name": "桂林市", "listed": 0, "open_cases": 0, "credit_records": 0}

    page = client.get("/map").get_data(as_text=True)
    nanning = _row(page, "南宁市")
    assert 'href="/audit-status?city=450100"' in nanning and 'href="/credit?city=450100"' in nanning
    assert "/audits/cases" not in page  # case lists are for regulators; the public sees the counts
    data = json.loads(re.search(r'<script type="application/json" id="city-map-data">(.*?)</script>', page, re.S).group(1))
    assert {r["code"]: r["open_cases"] for r in data["rows"]}["450200"] == 1
    assert data["links"]["open_cases"] == ""


def test_the_links_lead_to_lists_of_that_city_only(world, client, listed, published_record, make_enterprise):
    published_record()
    other = make_enterprise("450200", name="柳州某化工有限公司")
    listed(world.regulator_b, [other])
    listed_page = client.get("/audit-status?city=450100").get_data(as_text=True)
    assert world.ent_a.name in listed_page and other.name not in listed_page
    assert "南宁市列入强制性清洁生产审核名单的企业" in listed_page
    assert world.ent_a.name in client.get("/credit?city=450100").get_data(as_text=True)
    assert world.ent_a.name not in client.get("/credit?city=450200").get_data(as_text=True)
    assert world.ent_a.name not in client.get("/credit/export.csv?city=450200").get_data(as_text=True)


def test_a_regulator_follows_the_case_count_to_the_citys_cases(world, client_for, listed, make_enterprise):
    other = make_enterprise("450200", name="柳州某化工有限公司")
    listed(world.regulator_b, [other], beijing_today() - timedelta(days=60))
    compliance_scan(beijing_today())
    db.session.commit()
    province = client_for(world.province)
    assert 'href="/audits/cases?status=active&amp;city=450200"' in province.get("/map").get_data(as_text=True)
    assert other.name in province.get("/audits/cases?status=active&city=450200").get_data(as_text=True)
    assert other.name not in province.get("/audits/cases?status=active&city=450100").get_data(as_text=True)


def test_the_province_map_is_served_locally_and_names_every_city(client):
    page = client.get("/map").get_data(as_text=True)
    geo_url = re.search(r'data-geo="([^"]+)"', page).group(1)
    assert geo_url.startswith("/static/vendor/guangxi-map/")
    geo = json.loads(client.get(geo_url).data)
    names = {f["id"]: f["properties"]["name"] for f in geo["features"]}
    assert names == {r["code"]: r["name"] for r in city_figures()}
    assert "http" not in "".join(re.findall(r'<script[^>]*src="([^"]+)"', page))  # no CDN
    assert (ROOT / "static/vendor/guangxi-map/LICENSE").is_file()
