"""Markup, template syntax and spreadsheet formulas stored in every name a person can type come back
as text: escaped on every HTML page that shows them (found by crawling the site as each role), plain
text cells in every Excel and CSV export, never a formula.

The world: enterprises, a park, a published list, rounds, a scheme, a penalty with its published
credit record, a technology, an expert, a service organisation and a user, each named with payloads.
"""
import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from abuse_helpers import FORMULAS, XSS, overdue_case
from platform.core.dates import beijing_today
from platform.accounts import services as accounts
from platform.catalogue import services as catalogue
from platform.credit import services as credit
from platform.credit.jobs import publish
from platform.enterprises import services as enterprises
from platform.enterprises.models import Park
from platform.enterprises.uscc import make
from platform.experts import services as experts
from platform.core.extensions import db
from platform.core.indexing.services import drain
from platform.schemes import services as schemes
from platform.core.tabular import csv_bytes, xlsx_bytes
from tests.experts.expert_helpers import profile
from tests.schemes.builders import drive, list_enterprise
from platform.core.access import SYSTEM

EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(1)>{{7*7}}'
SHORT_EVIL = "<script>alert(1)</script>{{7*7}}"  # for fields of 50 characters
RAW = [XSS[0], XSS[1], "<img src=x onerror=alert(1)>"]  # what must never reach a page unescaped
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TODAY = beijing_today()


@pytest.fixture
def evil_world(app, world, make_enterprise):
    """Everything a person can name, named with payloads; published where the public sees it."""
    park = Park(name="园区" + EVIL, city_code="450100")
    db.session.add(park)
    db.session.flush()
    enterprises.update(SYSTEM, world.ent_a, {"name": "南宁" + EVIL, "legal_representative": SHORT_EVIL,
                                           "address": FORMULAS[0], "mandatory_reason": EVIL, "park_id": park.id})
    enterprises.update(SYSTEM, world.ent_b, {"name": FORMULAS[0], "address": EVIL})
    db.session.commit()

    # A (city 450100): listed on a list with a payload title, silent, ordered to rectify, penalized,
    # approved and published.
    case = overdue_case(world, world.ent_a, listed_on=TODAY - timedelta(days=300))
    case.round.batch.title = "名单" + EVIL
    decision = credit.record_penalty(world.regulator_a, case, decision_no="桂环罚〔2026〕<b>1</b>号",
                                     decided_on=TODAY - timedelta(days=150), facts=EVIL, legal_basis="@SUM(1+1)",
                                     fine_yuan="100000", severity="general", remarks="=1+1",
                                     today=TODAY - timedelta(days=150))
    credit.approve(world.province, decision.record, note=EVIL)
    db.session.commit()
    publish()

    # B (city 450200): under audit, with a scheme named with payloads.
    round_b = drive(list_enterprise(world.ent_b), "auditing")
    scheme = schemes.create(SYSTEM, round_b, {"code": "F-01", "name": EVIL, "category": "无低费", "status": "计划实施",
                                            "investment_wan_yuan": "12"})
    technology = catalogue.create(SYSTEM, {"name": "技术" + EVIL, "industry_codes": "31", "category": "过程控制",
                                         "scope": "-2+3" + EVIL, "source": "@来源"}, status="published")
    expert = experts.create_by_operator(profile("专家" + SHORT_EVIL, employer="=单位" + EVIL,
                                                fields="alert " + SHORT_EVIL),
                                        username="evil-expert", password="Passw0rd-test", status="approved",
                                        reason="测试")
    org = experts.create_service_org(SYSTEM, {"name": "机构" + EVIL, "uscc": make("450100", 700_123),
                                            "division_code": "450100", "contact_phone": "0771-5550199"})
    named_user = accounts.create_user(SYSTEM, username="evil-admin", password="Passw0rd-test", role="admin",
                                      display_name=SHORT_EVIL)
    db.session.commit()
    drain()

    class Evil:
        pass

    Evil.world, Evil.case, Evil.record, Evil.scheme, Evil.technology, Evil.expert = (
        world, case, decision.record, scheme, technology, expert)
    Evil.org, Evil.park, Evil.user = org, park, named_user
    return Evil


LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/logout")


def crawl(client, seeds: list[str], limit: int) -> tuple[dict[str, str], dict[str, bytes]]:
    """GET the seeds and the site's own links from them, breadth first: (html pages, downloads)."""
    pages, downloads, seen, queue = {}, {}, set(), list(seeds)
    while queue and len(pages) + len(downloads) < limit:
        url = html.unescape(queue.pop(0))
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        if response.mimetype == "text/html":
            pages[url] = response.get_data(as_text=True)
            queue.extend(LINK.findall(pages[url]))
        else:
            downloads[url] = response.get_data()
    return pages, downloads


def assert_escaped(pages: dict[str, str]) -> None:
    for url, body in pages.items():
        for raw in RAW:
            assert raw not in body, f"{raw!r} unescaped on {url}"


def cells(url: str, data: bytes) -> list:
    if data.startswith(b"PK"):
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        rows = list(sheet.iter_rows())
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", f"a formula in {url} at {cell.coordinate}: {cell.value!r}"
        return [cell.value for row in rows for cell in row]
    return [value for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for value in row]


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def assert_plain_cells(url: str, data: bytes) -> list:
    values = cells(url, data)
    for value in values:
        if isinstance(value, str) and not NUMBER.fullmatch(value):  # in a CSV, -5 is the number -5
            assert not value.startswith(FORMULA_START), f"a cell of {url} reads as a formula: {value!r}"
    return values


ROLES = {  # who: (seeds, pages to visit at most)
    None: (["/", "/technologies?q=alert", "/experts?q=alert", "/service-orgs", "/reviews", "/credit", "/lists",
            "/audit-status?q=script", "/stats", "/credit/export.csv", "/stats/export/by_city.xlsx"], 45),
    "regulator_a": (["/", "/enterprises/", "/audits/rounds", "/audits/cases", "/credit/records", "/credit/dashboard",
                     "/schemes/", "/experts/pool?q=alert", "/stats/overview", "/audits/batches",
                     "/enterprises/export.xlsx", "/audits/rounds/export.xlsx",
                     "/stats/city/450100/export/by_enterprise.xlsx", "/stats/city/450100/export/by_park.csv"], 60),
    "province": (["/credit/records", "/schemes/", "/schemes/export.xlsx", "/schemes/export.csv",
                  "/service-orgs", "/experts/pool", "/stats/overview"], 40),
    "admin": (["/", "/admin/users", "/admin/audit-log/", "/admin/technologies", "/enterprises/"], 40),
    "enterprise_a": (["/", "/enterprises/mine", "/audits/mine", "/credit/mine", "/stats/mine"], 20),
    "enterprise_b": (["/", "/schemes/mine", "/schemes/template.xlsx", "/schemes/export.xlsx", "/audits/mine"], 20),
}


@pytest.mark.parametrize("who", list(ROLES), ids=[who or "public" for who in ROLES])
def test_every_page_a_role_reaches_shows_stored_payloads_as_text_and_every_export_as_plain_cells(
        app, evil_world, client_for, who):
    seeds, limit = ROLES[who]
    client = client_for(getattr(evil_world.world, who)) if who else app.test_client()
    pages, downloads = crawl(client, seeds, limit)
    assert len(pages) >= 5
    assert_escaped(pages)
    shown = [url for url, body in pages.items() if ESCAPED in body]
    assert shown, "no page showed a stored payload: the world is not what this test thinks"
    for url in shown:
        assert "{{7*7}}" in pages[url], f"template syntax was evaluated on {url}"
    assert {seed for seed in seeds if "export" in seed or seed.endswith(".xlsx")} <= set(downloads)
    for url, data in downloads.items():
        assert_plain_cells(url, data)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_name_written_as_a_formula_is_exported_as_quoted_text(app, evil_world, client_for, fmt):
    data = client_for(evil_world.world.province).get(f"/schemes/export.{fmt}").get_data()
    values = assert_plain_cells(fmt, data)
    assert "'" + FORMULAS[0] in values  # B's name, as typed, behind a quote


def test_the_detail_pages_of_each_named_thing_show_its_payload_escaped(app, evil_world, client_for):
    w = evil_world
    visits = {
        None: [f"/technologies/{w.technology.id}", f"/service-orgs/{w.org.id}", f"/audit-status/{w.world.ent_a.uscc}",
               f"/lists/{w.case.round.batch_id}", f"/credit/r/{w.record.idempotency_key}", "/credit",
               "/technologies?q=技术", "/experts?q=专家"],
        "regulator_a": [f"/enterprises/{w.world.ent_a.id}", f"/enterprises/{w.world.ent_a.id}/edit",
                        f"/audits/cases/{w.case.id}", f"/credit/records/{w.record.id}", f"/audits/rounds/{w.case.round_id}",
                        f"/experts/pool/{w.expert.id}", "/stats/city/450100"],
        "regulator_b": [f"/schemes/{w.scheme.id}"],
        "enterprise_b": [f"/schemes/{w.scheme.id}/edit"],
        "admin": ["/admin/users", f"/admin/technologies/{w.technology.id}/edit"],
    }
    for who, urls in visits.items():
        client = client_for(getattr(w.world, who)) if who else app.test_client()
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.get_data(as_text=True)
            assert_escaped({url: body})
            assert "&lt;script&gt;" in body and "{{7*7}}" in body, f"{url} does not show the payload as text"


def test_search_highlights_mark_words_inside_escaped_text_in_pages_and_json(app, evil_world):
    client = app.test_client()
    page = client.get("/technologies?q=alert").get_data(as_text=True)
    assert "<mark>alert</mark>" in page and "&lt;script&gt;" in page and XSS[0] not in page
    for path in ("/api/v1/technologies?q=alert", "/api/v1/experts?q=alert"):
        body = client.get(path).get_json()
        assert body["total"] >= 1, path
        for item in body["items"]:
            for markup in item["highlights"].values():
                assert "<script>" not in markup and "<img" not in markup, (path, markup)
            # The JSON itself carries data as data: the name is the text as typed.
            assert "<script>alert(1)</script>" in item["name"] or "专家" in item["name"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", FORMULAS[0],
                                   "=HYPERLINK(\"http://evil.example\")"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_helpers_neutralise_cells_that_a_spreadsheet_would_read_as_formulas(fmt, value):
    rows = [[value, f"甲{value}", -5, 3.5, None, True, date(2026, 1, 1)]]
    data = xlsx_bytes("表", ["a", "b", "c", "d", "e", "f", "g"], rows) if fmt == "xlsx" else csv_bytes(
        ["a", "b", "c", "d", "e", "f", "g"], rows)
    values = assert_plain_cells(f"export.{fmt}", data)
    def read_back(cell):  # a reader may turn \r into \n
        return cell.replace("\r\n", "\r").replace("\n", "\r")

    assert read_back(values[7]) == "'" + value, values[7]  # the first cell after the header row
    assert read_back(values[8]) == f"甲{value}"  # not at the start: left as typed
    assert values[9] in (-5, "-5")  # a number is a number, not a formula


def test_an_export_of_a_name_holding_control_characters_is_written_not_a_crash(app, world, client_for):
    """An import (CSV) keeps control characters in a name; Excel cannot hold them, so the export drops them."""
    enterprises.update(SYSTEM, world.ent_a, {"legal_representative": "王\x01伟\x1b", "address": "南宁\x0b市"})
    db.session.commit()
    response = client_for(world.regulator_a).get("/enterprises/export.xlsx")
    assert response.status_code == 200
    values = assert_plain_cells("/enterprises/export.xlsx", response.get_data())
    assert "王伟" in values


def test_stored_payloads_stay_as_typed_in_the_database(app, evil_world):
    """Escaping is the pages' job: the data is kept exactly as typed (nothing stripped or double-escaped)."""
    w = evil_world
    assert w.world.ent_a.name == "南宁" + EVIL
    assert w.scheme.name == EVIL
    assert w.technology.name == "技术" + EVIL
    assert db.session.scalar(select(Park.name).where(Park.id == w.park.id)) == "园区" + EVIL
