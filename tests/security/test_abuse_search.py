"""Search and filter parameters carry no syntax: SQL (`' OR 1=1 --`, `%`, `_`, quotes) and FTS5
(`NEAR(`, `*`, `AND OR NOT`, unbalanced quotes and parentheses) are words like any other. So no query
gives a server error, and adding such words to a query never widens what it finds.

Public technology search and expert directory (pages and API) on the embedded backend, the
regulators' enterprise and credit-record lists and their API, the public credit records.
"""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from abuse_helpers import FTS, SQLISH, abuse, check_answer, nasty_text, payload
from platform.catalogue import services as catalogue
from platform.credit.models import CreditRecord
from platform.enterprises.models import Enterprise
from platform.experts import services as experts
from platform.core.extensions import db
from platform.core.indexing.services import backend, drain
from tests.experts.expert_helpers import profile
from platform.core.access import SYSTEM

WORDS = ["节能", "余热回收", "废水", "膜处理", "脱硫", "清洁生产", "钢铁", "技术"]
TECHNOLOGIES = [  # (name, published?)
    ("钢铁行业余热回收节能技术", True),
    ("印染废水膜处理回用技术", True),
    ("烧结烟气循环脱硫技术", True),
    ("造纸废水厌氧处理技术", True),
    ("余热回收发电技术（草稿）", False),
    ("废水零排放技术（草稿）", False),
]
EXPERTS = [("王节能", "approved"), ("李废水", "approved"), ("张脱硫", "approved"), ("赵余热", "pending")]
PAYLOADS = SQLISH + FTS + ["a' OR 'a'='a", "x%' --", "\\%", "1 OR 1", "* OR *", 'NEAR("节能" "废水")',
                           "节能 OR 废水", "(节能", "节能)", '"节能', "节能*", "-废水", "NOT 废水"]
query_payload = st.one_of(st.sampled_from(PAYLOADS), payload, nasty_text)


@pytest.fixture
def catalogue_world(app, world, make_expert_world):
    assert app.config["SEARCH_BACKEND"] == "embedded" and backend().ping()
    for name, published in TECHNOLOGIES:
        catalogue.create(SYSTEM, {"name": name, "industry_codes": "31", "category": "过程控制", "source": "测试目录"},
                         status="published" if published else "draft")
    db.session.commit()
    drain()
    return world


@pytest.fixture
def make_expert_world(app):
    for n, (name, status) in enumerate(EXPERTS):
        experts.create_by_operator(profile(name, fields="节能、废水治理"), username=f"search-expert-{n}",
                                   password="Passw0rd-test", status=status, reason="测试")
    db.session.commit()


def _refused(q: str) -> bool:
    """Refused before any query runs: over-long (414), or holding NUL (400)."""
    return len(q) > 1000 or "\x00" in q


def _page_status(client, path: str, q: str) -> int:
    response = client.get(path, query_string={"q": q})
    check_answer(response, {"q": q})
    assert response.status_code == ((414 if len(q) > 1000 else 400) if _refused(q) else 200)
    return response.status_code


def _ids(client, path: str, q: str) -> set[int] | None:
    """The ids a search finds; None when the query is refused."""
    response = client.get(path, query_string={"q": q, "per_page": "100"})
    check_answer(response)
    if _refused(q):
        assert response.status_code in (400, 414)
        return None
    assert response.status_code == 200, (q, response.get_json())
    body = response.get_json()
    assert body["total"] == len(body["items"])  # the corpus fits one page
    return {item["id"] for item in body["items"]}


@abuse
@given(q=query_payload, base=st.sampled_from([""] + WORDS))
def test_technology_search_words_never_widen_a_query_and_never_reach_drafts(app, catalogue_world, q, base):
    client = app.test_client()
    published = _ids(client, "/api/v1/technologies", "")
    assert len(published) == sum(1 for _, p in TECHNOLOGIES if p)
    narrower = _ids(client, "/api/v1/technologies", f"{base} {q}")
    assert (narrower or set()) <= _ids(client, "/api/v1/technologies", base) <= published
    _page_status(client, "/technologies", f"{base} {q}")


@abuse
@given(q=query_payload, base=st.sampled_from(["", "节能", "废水", "王"]))
def test_expert_directory_words_never_widen_a_query_and_never_show_pending_experts(app, catalogue_world, q, base):
    client = app.test_client()
    approved = _ids(client, "/api/v1/experts", "")
    assert len(approved) == sum(1 for _, s in EXPERTS if s == "approved")
    narrower = _ids(client, "/api/v1/experts", f"{base} {q}") or set()
    assert narrower <= _ids(client, "/api/v1/experts", base) <= approved
    _page_status(client, "/experts", f"{base} {q}")


def test_sql_and_fts_syntax_alone_finds_nothing_or_browses(app, catalogue_world, client_for):
    """Words that no technology holds find nothing; a query of punctuation only is an empty query
    (the whole published catalogue, as with no query), never more."""
    client, regulator = app.test_client(), client_for(catalogue_world.regulator_a)
    everything = _ids(client, "/api/v1/technologies", "")
    for q in ["' OR 1=1 --", "' OR '1'='1", "%", "_", "*", "NEAR(", "AND OR NOT", '"', "(", ")",
              "1; DROP TABLE technologies; --", "' UNION SELECT * FROM users --"]:
        found = _ids(client, "/api/v1/technologies", q)
        assert found == (set() if re.search(r"[A-Za-z0-9]", q) else everything), q
        assert _ids(client, "/api/v1/experts", q) <= _ids(client, "/api/v1/experts", ""), q
        assert regulator.get("/experts/pool", query_string={"q": q}).status_code == 200, q


# --- LIKE filters over the database ------------------------------------------------------------------------

TOTAL = re.compile(r"共 (\d+) 条")


def _page_total(body: str) -> int:
    return int(TOTAL.search(body).group(1))


@pytest.fixture
def registry(world, make_enterprise):
    """City A's enterprises with names holding LIKE's wildcards and quotes literally."""
    for name in ["南宁100%达标有限公司", "南宁A_B化工有限公司", "南宁\"引号\"有限公司", "南宁'单引号'有限公司",
                 "南宁\\反斜杠有限公司", "南宁普通有限公司"]:
        make_enterprise("450100", name=name)
    return world


def _matching(user_city: str, q: str) -> set[int]:
    """The enterprises a city-A regulator may legitimately get for `q` (any case folding counted)."""
    q = q.strip()
    rows = db.session.scalars(select(Enterprise).where(Enterprise.city_code == user_city))
    return {e.id for e in rows if q.lower() in e.name.lower() or e.uscc == q.upper()}


@settings(abuse, max_examples=60)
@given(q=st.one_of(st.sampled_from(SQLISH + ["100%", "A_B", "a_b", '"引号"', "'单引号'", "\\反", "%达标", "_", "普通"]),
                   nasty_text))
def test_enterprise_filters_match_literally_and_never_beyond_the_region(app, registry, client_for, q):
    expected = _matching("450100", q)
    response = registry_api(app, registry, q)
    check_answer(response)
    if _refused(q):  # see the tests below
        assert response.status_code in (400, 414)
        return
    if response.status_code == 200:
        got = {item["id"] for item in response.get_json()["items"]}
        assert got <= expected, (q, got - expected)
        if q.strip().isascii():
            assert got == expected, q
    page = client_for(registry.regulator_a).get("/enterprises/", query_string={"q": q})
    check_answer(page, {"q": q})
    if q.strip().isascii():
        assert _page_total(page.get_data(as_text=True)) == len(expected)


def registry_api(app, registry, q):
    from abuse_helpers import bearer

    if not hasattr(registry, "_token"):
        registry._token = bearer(registry.regulator_a)
    return app.test_client().get("/api/v1/enterprises", query_string={"q": q, "per_page": "100"},
                                 headers=registry._token)


def test_a_query_argument_longer_than_any_name_is_refused_before_it_reaches_a_like_pattern(app, registry,
                                                                                          client_for):
    """SQLite refuses LIKE patterns past 50,000 bytes ("pattern too complex"): the request stops first."""
    for q in ("x" * 100_000, "企" * 20_000):
        page = client_for(registry.regulator_a).get("/enterprises/", query_string={"q": q})
        assert page.status_code == 414 and "查询条件过长" in page.get_data(as_text=True)
        api = registry_api(app, registry, q)
        assert api.status_code == 414 and api.get_json()["error"]["message"] == "查询条件过长，请缩短后再试。"
    assert client_for(registry.regulator_a).get("/enterprises/", query_string={"q": "企" * 1000}).status_code == 200


@pytest.mark.parametrize("q", ["\x00", "南宁\x00", "\x00zzz"])
def test_a_nul_in_a_filter_is_refused_rather_than_matching_every_name(app, registry, client_for, q):
    """SQLite's lower() ends a text at NUL: lower(name) LIKE '%' || lower('\0zzz') || '%' matches every row."""
    page = client_for(registry.regulator_a).get("/enterprises/", query_string={"q": q})
    assert page.status_code == 400 and "请求的参数不正确" in page.get_data(as_text=True)
    assert registry_api(app, registry, q).status_code == 400
    assert app.test_client().get("/credit", query_string={"q": q}).status_code == 400


@pytest.mark.parametrize("q", ["%", "_", "' OR 1=1 --", "' OR '1'='1", "\\", "%%"])
def test_a_wildcard_or_sql_in_a_name_query_does_not_list_every_enterprise(app, registry, client_for, q):
    body = client_for(registry.regulator_a).get("/enterprises/", query_string={"q": q}).get_data(as_text=True)
    assert _page_total(body) == len(_matching("450100", q)) < len(_matching("450100", ""))


def test_credit_record_filters_treat_syntax_as_text(app, world, client_for):
    """No record holds these characters: every credit list answers with none (and no error)."""
    from abuse_helpers import approved_record
    from platform.credit.jobs import publish

    approved_record(world, "桂环罚〔2026〕7号")
    publish()
    assert db.session.scalar(select(CreditRecord.state)) == "published"
    assert app.test_client().get("/api/v1/credit-records").get_json()["total"] == 1
    regulator = client_for(world.regulator_a)
    for q in ["%", "_", "' OR 1=1 --", '"', "*", "NEAR(", "AND OR NOT"]:
        assert app.test_client().get("/api/v1/credit-records", query_string={"q": q}).get_json()["total"] == 0, q
        assert _page_total(app.test_client().get("/credit", query_string={"q": q}).get_data(as_text=True)) == 0, q
        assert _page_total(regulator.get("/credit/records", query_string={"q": q}).get_data(as_text=True)) == 0, q
