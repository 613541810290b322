"""The clean-production level at acceptance and the uses of results (广西方案 §二十): the public
leading list, one list per use with its rule, as-of date and validity, as files, an Atom feed and
through the API with a department regulator's token."""
import csv
import io
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from platform.audits.models import AuditRound
from platform.core.errors import ValidationError
from platform.core.extensions import db
from platform.results import services
from platform.results.rules import USES

ATOM = "{http://www.w3.org/2005/Atom}"
AS_OF = "2026-11-15"


def _names(use_key, as_of=date(2026, 11, 15)):
    return [r.enterprise.name for r in services.rounds(services.use(use_key), as_of)]


def test_a_firm_accepted_at_level_I_is_on_the_leading_list_green_procurement_the_feed_and_the_api(
        world, make_enterprise, accepted, client, client_for, token_for, department_regulator):
    leader = make_enterprise("450100", name="南宁领先糖业有限公司", industry_code="1340")
    advanced = make_enterprise("450200", name="柳州先进化工有限公司", industry_code="2614")
    ordinary = make_enterprise("450100", name="南宁一般钢铁有限公司")
    unrated = make_enterprise("450100", name="南宁未评定有限公司")
    accepted(advanced, "II", on=date(2026, 11, 5))
    accepted(leader, "I", on=date(2026, 11, 1))
    accepted(ordinary, "III", on=date(2026, 11, 2))
    accepted(unrated, None)

    assert _names("leading") == ["南宁领先糖业有限公司"]
    assert _names("green_procurement") == ["南宁领先糖业有限公司", "柳州先进化工有限公司"]  # Ⅰ级 first
    assert _names("green_credit") == _names("green_procurement") == _names("weather_grading")
    assert _names("tiered_power_price") == ["南宁领先糖业有限公司", "柳州先进化工有限公司", "南宁一般钢铁有限公司"]
    assert _names("water_quota") == ["南宁领先糖业有限公司", "柳州先进化工有限公司"]  # 13 and 26 are high-water; 31 is not

    page = client.get(f"/results/leading?as_of={AS_OF}").get_data(as_text=True)
    assert "南宁领先糖业有限公司" in page and "柳州先进化工有限公司" not in page and "2029-10-31" in page
    listing = client.get(f"/results/green_procurement?as_of={AS_OF}").get_data(as_text=True)
    assert "清洁生产促进法》第十六条" in listing and "截至 2026-11-15" in listing and "3 年" in listing
    assert listing.index("南宁领先糖业有限公司") < listing.index("柳州先进化工有限公司")

    feed = client.get(f"/results/green_procurement/feed.atom?as_of={AS_OF}")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    entries = root.findall(f"{ATOM}entry")
    assert root.find(f"{ATOM}id").text == "urn:gxcp:results:green_procurement"
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "南宁领先糖业有限公司：Ⅰ级（国际清洁生产领先水平）", "柳州先进化工有限公司：Ⅱ级（国内清洁生产先进水平）"]
    assert root.find(f"{ATOM}updated").text == "2026-11-05T00:00:00+08:00"
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/audit-status/{leader.uscc}")

    ecology = department_regulator("ecology_environment", "450000")
    api = client.get(f"/api/v1/results/green_procurement?as_of={AS_OF}", headers=token_for(ecology))
    body = api.get_json()
    assert api.status_code == 200 and body["total"] == 2 and body["as_of"] == AS_OF and body["validity_years"] == 3
    assert body["items"][0] == {"name": "南宁领先糖业有限公司", "uscc": leader.uscc, "city": "南宁市",
                                "industry": body["items"][0]["industry"], "level": "I",
                                "level_label": "Ⅰ级（国际清洁生产领先水平）", "accepted_on": "2026-11-01",
                                "valid_until": "2029-10-31"}
    assert body["rule"]["key"] == "results.green_procurement" and "第十六条" in body["rule"]["source"]
    public = client.get(f"/api/v1/leading-firms?as_of={AS_OF}").get_json()
    assert [i["uscc"] for i in public["items"]] == [leader.uscc] and "contact_phone" not in public["items"][0]


def test_the_level_shows_on_the_public_audit_status_page_and_its_api(world, make_enterprise, accepted, client):
    firm = make_enterprise("450100", name="南宁公示企业有限公司")
    accepted(firm, "II")
    page = client.get(f"/audit-status/{firm.uscc}").get_data(as_text=True)
    assert "验收评定的清洁生产水平" in page and "Ⅱ级（国内清洁生产先进水平）" in page
    status = client.get(f"/api/v1/enterprises/{firm.uscc}/audit-status").get_json()
    assert status["rounds"][0]["clean_production_level"] == "II"


def test_a_level_is_one_of_three_and_only_for_a_passed_acceptance(world, make_enterprise, accepted):
    with pytest.raises(ValidationError) as refused:
        accepted(make_enterprise("450100"), "IV")
    assert refused.value.field == "level" and "Ⅰ级" in refused.value.message
    db.session.rollback()
    with pytest.raises(ValidationError) as refused:
        accepted(make_enterprise("450100"), "I", passed=False)
    assert refused.value.field == "level" and refused.value.message == "验收不合格的，不评定清洁生产水平。"
    db.session.rollback()
    failed = accepted(make_enterprise("450100"), None, passed=False)
    failed.clean_production_level = "I"  # the database refuses a level on a round that was not accepted
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.query(AuditRound).filter(AuditRound.clean_production_level.is_not(None)).count() == 0


def test_a_result_counts_for_three_years_and_the_latest_rated_round_wins(world, make_enterprise, accepted):
    firm = make_enterprise("450100", name="南宁到期企业有限公司")
    accepted(firm, "I", on=date(2023, 6, 1), listed_on=date(2022, 3, 1))
    assert _names("leading", date(2026, 5, 31)) == ["南宁到期企业有限公司"]
    assert _names("leading", date(2026, 6, 1)) == []  # valid until 2026-05-31
    accepted(firm, "II", on=date(2026, 11, 1))
    assert _names("leading", date(2026, 11, 15)) == [] and _names("green_credit") == ["南宁到期企业有限公司"]
    assert _names("leading", date(2026, 10, 1)) == []  # the 2023 result had lapsed by then


def test_the_lists_download_with_a_dated_name_and_a_title_row(world, make_enterprise, accepted, client):
    accepted(make_enterprise("450100", name="南宁下载企业有限公司"), "I")
    book = client.get(f"/results/green_credit/export.xlsx?as_of={AS_OF}")
    assert book.status_code == 200
    assert "2026-11-15" in book.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(book.data)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("结果应用清单_绿色信贷（桂惠贷）（Ⅰ级、Ⅱ级；有效期 3 年；数据截至 2026-11-15")
    assert rows[1] == ("企业名称", "统一社会信用代码", "设区市", "行业", "清洁生产水平", "验收合格日期", "有效期至")
    assert rows[2][0] == "南宁下载企业有限公司"
    table = list(csv.reader(io.StringIO(client.get(f"/results/leading/export.csv?as_of={AS_OF}").data.decode("utf-8-sig"))))
    assert table[1][0] == "南宁下载企业有限公司" and table[1][-1] == "2029-10-31"


def test_the_api_needs_a_department_regulators_token_and_valid_arguments(
        world, client, token_for, department_regulator):
    assert client.get("/api/v1/results/green_credit").status_code == 401
    assert client.get("/api/v1/results/green_credit", headers=token_for(world.enterprise_a)).status_code == 403
    regulator = department_regulator("development_reform", "450100")
    assert client.get("/api/v1/results/green_credit", headers=token_for(regulator)).status_code == 200
    assert client.get("/api/v1/results/cheap_land", headers=token_for(regulator)).status_code == 404
    bad = client.get("/api/v1/results/green_credit?as_of=2026-13-01", headers=token_for(regulator))
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "as_of"
    future = client.get("/api/v1/leading-firms?as_of=2999-01-01")
    assert future.status_code == 422 and "不能晚于今天" in future.get_json()["error"]["message"]
    assert client.get("/results/unknown").status_code == 404
    assert set(USES) == {"tiered_power_price", "water_quota", "weather_grading", "green_procurement", "green_credit"}
    assert all(use.rule.source and (use.rule.kind == "law") == ("地方实践" not in use.rule.source) for use in USES.values())


def test_the_water_list_and_the_validity_follow_the_configured_rules(app, world, make_enterprise, accepted, client):
    app.config["RULE_OVERRIDES"] = {"audits.high_water_industries": ["31"], "results.validity_years": 1}
    sugar = make_enterprise("450100", name="南宁糖业有限公司", industry_code="1340")
    steel = make_enterprise("450100", name="南宁钢铁有限公司")
    accepted(sugar, "I", on=date(2026, 1, 10), listed_on=date(2024, 11, 1))
    accepted(steel, "II", on=date(2026, 11, 1))
    assert _names("water_quota") == ["南宁钢铁有限公司"]
    assert _names("leading", date(2027, 1, 9)) == ["南宁糖业有限公司"] and _names("leading", date(2027, 1, 10)) == []
    assert "1 年" in client.get("/results/").get_data(as_text=True)


def test_every_use_and_the_register_are_on_the_public_rules_page(client):
    rules = {r["key"]: r for r in client.get("/api/v1/rules").get_json()["items"]}
    for key in ("results.levels", "results.validity_years", "results.priority", *(f"results.{u}" for u in USES),
                "projects.replacement", "projects.controlled", "projects.benchmark_levels", "projects.stage_backwards"):
        assert rules[key]["source"], key
    assert rules["results.validity_years"]["kind"] == "local_practice"
    assert rules["results.water_quota"]["kind"] == "law" and "第四十七条" in rules["results.water_quota"]["source"]
    page = client.get("/two-high/benchmarks").get_data(as_text=True)
    assert "部分核对" in page and "GB 21340-2019" in page and "13350" in page
