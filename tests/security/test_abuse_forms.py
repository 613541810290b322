"""Forms and query parameters filled in by anyone: the answer is the page (200), a redirect after a
write, or a refusal in Chinese (4xx) — never a server error — and what was typed comes back as text.

Forms: the main create form of each feature (enterprise registration, list publication, scheme,
penalty, expert registration, service organisation, technology, login) and the JSON endpoints that
write (rectification, penalty). Query parameters: every list page and every /api/v1 list endpoint,
with their own parameter names, unknown ones, and the names Flask's url_for treats specially.
"""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from abuse_helpers import (DATES, NUMBERS, XSS, abuse, bearer, check_answer, nasty_text, overdue_case, page_errors,
                           payload)
from platform.audits.jobs import compliance_scan
from platform.enterprises.models import Enterprise
from platform.enterprises.uscc import make
from platform.core.extensions import db
from tests.schemes.builders import drive, list_enterprise


def maybe(plausible):
    """Half the time a value the field accepts, half the time anything at all."""
    return st.one_of(plausible, nasty_text)


date_text = st.one_of(st.sampled_from(DATES), st.dates(min_value=date(1, 1, 1)).map(date.isoformat))


def form_data(fields: dict):
    """A form post: every field present or left out, each one plausible or anything."""
    return st.fixed_dictionaries({}, optional=fields)


def post(client, url: str, data: dict):
    return client.post(url, data=data, follow_redirects=False)


# --- forms ---------------------------------------------------------------------------------------------------

ENTERPRISE_FIELDS = {
    "name": nasty_text,
    "uscc": maybe(st.integers(0, 50).map(lambda n: make("450100", 600_000 + n))),
    "division_code": maybe(st.sampled_from(["450102", "450100", "450200"])),
    "industry_code": maybe(st.sampled_from(["3130", "31", "2614"])),
    "park_id": st.one_of(st.sampled_from(["", "0", "1", "²", "9" * 30, "-1"]), nasty_text),
    "permit_class": maybe(st.sampled_from(["key", "simplified", "重点管理"])),
    "contact_phone": maybe(st.just("0771-5550199")),
    "legal_representative": nasty_text,
    "address": nasty_text,
    "mandatory_reason": nasty_text,
    "two_high": st.sampled_from(["y", "on", "", "<script>"]),
    "allow_bad_check": st.sampled_from(["y", "", "false"]),
}


@abuse
@given(data=form_data(ENTERPRISE_FIELDS))
def test_the_enterprise_registration_form_takes_anything(app, world, client_for, data):
    response = post(client_for(world.regulator_a), "/enterprises/new", data)
    check_answer(response, data)
    if response.status_code == 302:
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == data["uscc"].strip().upper()))
        assert enterprise.name == data["name"].strip()


BATCH_FIELDS = {
    "title": nasty_text,
    "document_no": nasty_text,
    "published_on": maybe(date_text),
    "usccs": st.one_of(st.lists(maybe(st.just(make("450100", 9001))), max_size=3).map("\n".join), nasty_text),
    "reason": nasty_text,
}


@abuse
@given(data=form_data(BATCH_FIELDS))
def test_the_list_publication_form_takes_anything(app, world, client_for, data):
    check_answer(post(client_for(world.regulator_a), "/audits/batches/new", data), data)


SCHEME_FIELDS = {
    "code": maybe(st.sampled_from(["F-01", "F-02"])),
    "name": nasty_text,
    "category": maybe(st.sampled_from(["low_cost", "high_cost"])),
    "status": maybe(st.sampled_from(["planned", "implementing", "completed", "abandoned"])),
    "planned_completion_on": maybe(date_text),
    "completed_on": maybe(date_text),
    "investment_wan_yuan": maybe(st.sampled_from(NUMBERS + ["12.5", "1,000", "12.5 万元", "1e30", "1e-30"])),
    "energy_tce": maybe(st.sampled_from(NUMBERS + ["3 tce", "3 吨"])),
    "cod_t": st.decimals(allow_nan=True, allow_infinity=True).map(str),
}


@abuse
@given(data=form_data(SCHEME_FIELDS))
def test_the_scheme_form_takes_anything(app, world, client_for, data, auditing_a):
    check_answer(post(client_for(world.enterprise_a), "/schemes/new", data), data)


@pytest.fixture
def auditing_a(world):
    return drive(list_enterprise(world.ent_a), "auditing")


PENALTY_FIELDS = {
    "decision_no": maybe(st.integers(1, 10**6).map(lambda n: f"桂环罚〔2026〕{n}号")),
    "decided_on": maybe(st.sampled_from(["2026-04-10", "2026-03-03"]) | date_text),
    "fine_yuan": st.one_of(st.sampled_from(["100000", "100,000.00", "1e30", "1E+99", "1e-99", "-0", "200000.001",
                                            "1e999999999", "sNaN", "Infinity"] + NUMBERS),
                           st.decimals(allow_nan=True, allow_infinity=True).map(str), nasty_text),
    "severity": maybe(st.sampled_from(["minor", "general", "serious"])),
    "violation_type": nasty_text,
    "facts": nasty_text,
    "legal_basis": nasty_text,
    "office_name": nasty_text,
    "office_uscc": maybe(st.just(make("450100", 77, "1", "1"))),
    "remarks": nasty_text,
}


@pytest.fixture
def overdue_cases(world, make_enterprise):
    return [overdue_case(world, make_enterprise("450100")) for _ in range(3)]


@abuse
@given(data=form_data(PENALTY_FIELDS), which=st.integers(0, 2))
def test_the_penalty_form_takes_anything(app, world, client_for, overdue_cases, data, which):
    response = post(client_for(world.regulator_a), f"/credit/cases/{overdue_cases[which].id}/penalty", data)
    check_answer(response, data)


def test_a_fine_too_large_for_a_decimal_is_refused_with_the_law_s_range(app, world, client_for, overdue_cases):
    """Decimal('1e30').quantize(Decimal('0.01')) raises InvalidOperation: the check must not."""
    for fine in ("1e30", "1E+99", "123456789012345678901234567890"):
        response = post(client_for(world.regulator_a), f"/credit/cases/{overdue_cases[0].id}/penalty", {
            "decision_no": "桂环罚〔2026〕1号", "decided_on": "2026-04-10", "fine_yuan": fine,
            "severity": "general", "facts": "逾期未公开", "legal_basis": "第三十九条", "office_name": "南宁市生态环境局"})
        assert response.status_code == 422
        assert any("罚款金额" in e for e in page_errors(response.get_data(as_text=True))), fine


EXPERT_FIELDS = {
    "username": maybe(st.integers(1, 10**6).map(lambda n: f"expert{n}")),
    "password": maybe(st.just("Passw0rd-abuse")),
    "confirm": maybe(st.just("Passw0rd-abuse")),
    "name": nasty_text,
    "title": nasty_text,
    "employer": nasty_text,
    "employer_uscc": maybe(st.just(make("450100", 500001, "1", "2"))),
    "industry_codes": st.lists(maybe(st.sampled_from(["31", "26"])), max_size=3),
    "fields": nasty_text,
    "qualifications": nasty_text,
    "years_of_practice": maybe(st.sampled_from(["15", "0", "70"])) | st.sampled_from(NUMBERS),
    "phone": maybe(st.just("13912345678")),
    "email": maybe(st.just("a@example.com")),
    "conflicts": nasty_text,
}


@abuse
@given(data=form_data(EXPERT_FIELDS))
def test_the_expert_registration_form_takes_anything(app, data):
    check_answer(post(app.test_client(), "/experts/register", data), data)


SERVICE_ORG_FIELDS = {
    "name": nasty_text,
    "uscc": maybe(st.integers(0, 50).map(lambda n: make("450100", 700_000 + n))),
    "division_code": maybe(st.sampled_from(["450100", "450200"])),
    "address": nasty_text,
    "contact_person": nasty_text,
    "contact_phone": maybe(st.just("0771-5550199")),
    "username": nasty_text,
}


@abuse
@given(data=form_data(SERVICE_ORG_FIELDS))
def test_the_service_organisation_form_takes_anything(app, world, client_for, data):
    check_answer(post(client_for(world.province), "/service-orgs/new", data), data)


TECHNOLOGY_FIELDS = {
    "name": nasty_text,
    "category": maybe(st.sampled_from(["过程控制", "末端治理"])),
    "industry_codes": maybe(st.sampled_from(["31", "31;26", "31、26"])),
    "scope": nasty_text,
    "maturity": maybe(st.sampled_from(["推广", "示范"])),
    "source": nasty_text,
    "source_year": st.sampled_from(["2020", "", "1989", "abc", "9" * 30, "²"]),
}


@abuse
@given(data=form_data(TECHNOLOGY_FIELDS))
def test_the_technology_form_takes_anything(app, world, client_for, data):
    check_answer(post(client_for(world.admin), "/admin/technologies/new", data), data)


def test_a_technology_year_in_superscript_digits_is_refused(app, world, client_for):
    response = post(client_for(world.admin), "/admin/technologies/new",
                    {"name": "某技术", "category": "过程控制", "industry_codes": "31", "source_year": "²"})
    assert response.status_code == 422


@abuse
@given(data=form_data({"username": nasty_text, "password": nasty_text, "remember": st.sampled_from(["y", ""])}))
def test_the_login_form_takes_anything(app, data):
    check_answer(post(app.test_client(), "/login", data), data)


# --- JSON that writes ---------------------------------------------------------------------------------------

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | nasty_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


@abuse
@given(body=st.one_of(
    st.fixed_dictionaries({}, optional={"deadline": maybe(date_text) | json_value, "note": json_value}),
    json_value))
def test_the_rectification_endpoint_takes_any_json_and_the_scan_survives_what_it_accepted(
        app, world, overdue_cases, body):
    headers = bearer(world.regulator_a)
    response = app.test_client().post(f"/api/v1/cases/{overdue_cases[0].id}/rectification", json=body,
                                      headers=headers)
    check_answer(response)
    if response.status_code == 200:
        compliance_scan(date(2027, 1, 1))  # whatever deadline was accepted, the next scan reads it
        db.session.rollback()


@abuse
@given(body=st.one_of(st.fixed_dictionaries({}, optional={**{k: json_value for k in PENALTY_FIELDS},
                                                           "fine_yuan": PENALTY_FIELDS["fine_yuan"] | json_value,
                                                           "decided_on": date_text}),
                      json_value))
def test_the_penalty_endpoint_takes_any_json(app, world, overdue_cases, body):
    response = app.test_client().post(f"/api/v1/cases/{overdue_cases[1].id}/penalty", json=body,
                                      headers=bearer(world.regulator_a))
    check_answer(response)


def test_a_body_that_is_no_json_object_is_refused_in_chinese(app, world, make_enterprise):
    url = f"/api/v1/cases/{overdue_case(world, make_enterprise('450100')).id}/rectification"
    headers = bearer(world.regulator_a)
    for raw in [b"", b"{", b"\xff\xfe", b"[]", b'"x"', b"null", b'{"deadline": NaN}',
                b'{"deadline": "2027-01-01", "note": "' + b"x" * 200_000 + b'"}']:
        response = app.test_client().post(url, data=raw, content_type="application/json", headers=headers)
        check_answer(response)
        assert response.status_code in (200, 400, 422), raw[:20]


# --- query parameters ---------------------------------------------------------------------------------------

SPECIAL_KEYS = ["_scheme", "_external", "_anchor", "_method", "code", "endpoint", "values", "page", "per_page"]
param_value = st.one_of(st.sampled_from(NUMBERS + DATES), nasty_text)


def query(keys: list[str]):
    names = st.sampled_from(keys + SPECIAL_KEYS) | st.text(max_size=8)
    return st.dictionaries(names, param_value, max_size=5)


PAGES = [  # (who, path, its parameters)
    (None, "/technologies", ["q", "industry", "category", "source", "page"]),
    (None, "/experts", ["q", "specialty", "page"]),
    (None, "/service-orgs", ["q", "city", "page"]),
    (None, "/reviews", ["page"]),
    (None, "/credit", ["q", "page"]),
    (None, "/credit/export.csv", ["q"]),
    (None, "/lists", ["page"]),
    (None, "/audit-status", ["q", "page"]),
    (None, "/stats", ["year", "city", "industry", "park"]),
    (None, "/stats/export/by_city.csv", ["year", "city", "industry", "park"]),
    ("regulator_a", "/enterprises/", ["q", "city", "industry", "flag", "page"]),
    ("regulator_a", "/enterprises/export.xlsx", ["q", "city", "industry", "flag"]),
    ("regulator_a", "/schemes/", ["q", "city", "status", "category", "page"]),
    ("regulator_a", "/schemes/export.csv", ["q", "city", "status", "category"]),
    ("regulator_a", "/credit/records", ["q", "state", "page"]),
    ("regulator_a", "/audits/rounds", ["q", "state", "kind", "city", "overdue", "page"]),
    ("regulator_a", "/audits/rounds/export.xlsx", ["q", "state", "kind", "city", "overdue"]),
    ("regulator_a", "/audits/cases", ["q", "status", "page"]),
    ("regulator_a", "/audits/batches", ["page"]),
    ("regulator_a", "/experts/pool", ["q", "status", "specialty", "page"]),
    ("regulator_a", "/reviews/manage", ["state", "page"]),
    ("regulator_a", "/stats/overview", ["year", "city", "industry", "park"]),
    ("regulator_a", "/stats/city/450100", ["year", "industry", "park", "page"]),
    ("province", "/stats/overview", ["year", "city", "industry", "park"]),
    ("admin", "/admin/audit-log/", ["action", "object_type", "actor_name", "division_code", "date_from", "date_to", "page"]),
    ("admin", "/admin/audit-log/export.xlsx", ["action", "object_type", "actor_name", "date_from", "date_to"]),
    ("admin", "/admin/technologies", ["q", "status", "page"]),
    ("admin", "/admin/users", ["role", "page"]),
    ("enterprise_a", "/stats/mine", ["year"]),
]


@pytest.fixture
def crowded(world, make_enterprise):
    """More rows than a page holds, so list pages draw their pager with the query's own arguments."""
    for _ in range(21):
        make_enterprise("450100")
    return world


@settings(abuse, max_examples=120)
@given(page=st.sampled_from(PAGES), data=st.data())
def test_list_pages_answer_any_query_string_without_a_server_error(app, crowded, client_for, page, data):
    who, path, keys = page
    params = data.draw(query(keys))
    client = client_for(getattr(crowded, who)) if who else app.test_client()
    check_answer(client.get(path, query_string=params), params)


API = [  # (who, path, its parameters)
    (None, "/api/v1/technologies", ["q", "industry", "category", "source", "page", "per_page"]),
    (None, "/api/v1/experts", ["q", "specialty", "page", "per_page"]),
    (None, "/api/v1/service-orgs", ["q", "page", "per_page"]),
    (None, "/api/v1/credit-records", ["q", "page", "per_page"]),
    (None, "/api/v1/stats/summary", ["year", "city", "industry", "park"]),
    (None, "/api/v1/stats/breakdown", ["by", "year", "city", "industry", "park", "page", "per_page"]),
    ("regulator_a", "/api/v1/stats/breakdown", ["by", "year", "city", "industry", "park", "page", "per_page"]),
    ("regulator_a", "/api/v1/enterprises", ["q", "city", "industry", "flag", "page", "per_page"]),
    ("regulator_a", "/api/v1/cases", ["q", "status", "page", "per_page"]),
]


@settings(abuse, max_examples=60)
@given(endpoint=st.sampled_from(API), data=st.data())
def test_api_list_endpoints_answer_any_query_string_with_json(app, crowded, endpoint, data):
    who, path, keys = endpoint
    params = data.draw(query(keys))
    headers = bearer(getattr(crowded, who)) if who else {}
    response = app.test_client().get(path, query_string=params, headers=headers)
    check_answer(response)
    assert response.is_json
    if response.status_code == 200 and "items" in response.get_json():
        body = response.get_json()
        assert isinstance(body["total"], int) and len(body["items"]) <= 100


def test_page_arguments_that_are_not_small_ascii_numbers_are_refused_or_read_as_page_one(app, crowded):
    for name in ("page", "per_page"):
        for value in ["²", "١", "9" * 5000, "99999999999999999999", "-1", "0", "1.5", " 3"]:
            api = app.test_client().get("/api/v1/credit-records", query_string={name: value})
            assert api.status_code in ((414,) if len(value) > 1000 else (200, 422)) and api.is_json, (name, value)
            if api.status_code == 422:
                assert api.get_json()["error"]["field"] == name
            page = app.test_client().get("/credit", query_string={name: value})
            assert page.status_code == (414 if len(value) > 1000 else 200), (name, value)


def test_a_city_regulator_sent_to_its_city_page_keeps_its_arguments_but_not_url_for_s_own(app, world, client_for):
    """/stats/overview redirects a city regulator to its city with the query string: a query argument
    called `code` or `_scheme` must not reach url_for as a keyword."""
    client = client_for(world.regulator_a)
    for params in ({"code": "450200"}, {"_scheme": "javascript"}, {"_external": "1"}, {"year": "2025", "_anchor": "x"}):
        response = client.get("/stats/overview", query_string=params)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/stats/city/450100"), response.headers["Location"]


@abuse
@given(uscc=st.one_of(payload, nasty_text).filter(lambda s: "/" not in s and s.strip() not in ("", ".", "..")))
def test_public_status_lookups_by_any_code_answer_200_or_404(app, uscc):
    for path in (f"/audit-status/{uscc}", f"/api/v1/enterprises/{uscc}/audit-status", f"/credit/r/{uscc}"):
        check_answer(app.test_client().get(path))


def test_a_regulator_xss_in_an_enterprise_query_comes_back_as_text(app, world, client_for):
    client = client_for(world.regulator_a)
    for payload_text in XSS:
        body = client.get("/enterprises/", query_string={"q": payload_text}).get_data(as_text=True)
        assert payload_text not in body or "<" not in payload_text


def test_list_pages_with_url_for_s_own_argument_names_in_the_query(app, crowded, client_for):
    """A pager rebuilds its links from the query string: `_scheme`, `_external`, `_anchor` or a name
    of the page's own URL must not reach url_for as keywords (a 500), nor make the links absolute."""
    clients = {who: client_for(getattr(crowded, who)) if who else app.test_client() for who, _, _ in PAGES}
    params = {"_scheme": "javascript", "_external": "1", "_anchor": "x", "code": "450200", "page": "1"}
    for who, path, _ in PAGES:
        body = check_answer(clients[who].get(path, query_string=params), params)
        assert "javascript:" not in body and "http://localhost" not in body, path
