"""The structured disclosure of 《清洁生产审核办法》第十一条: one form per cause of listing.

An enterprise listed on 2025-03-01 must disclose by 2025-04-01. A firm listed for over-discharge and
toxic substances fills both forms; with only one filled it has not disclosed, and the scan of
2025-04-02 opens a case; the disclosure counts from the day the platform had both forms.
"""
from datetime import date

import pytest
from sqlalchemy import func, select

from platform.audits import disclosures, services
from platform.audits.demo import SAMPLE_FORMS, fill_disclosure, sample_form
from platform.audits.jobs import compliance_scan
from platform.audits.models import Case, DisclosureForm, StepRecord
from platform.core.access import SYSTEM
from platform.core.auditlog.models import AuditLog
from platform.core.errors import InvalidFields, PermissionDenied, ValidationError
from platform.core.extensions import db

LISTED = date(2025, 3, 1)


@pytest.fixture
def listed_for(world, listed):
    """`listed_for(*flags)`: 南宁甲 listed on 2025-03-01 for the causes its register flags say."""
    def factory(**flags):
        for flag, value in flags.items():
            setattr(world.ent_a, flag, value)
        db.session.commit()
        return listed(world.ent_a, LISTED)

    return factory


def file(world, round_, cause, on, **changes):
    form = disclosures.save(world.enterprise_a, round_, cause, {**sample_form(round_, cause), **changes}, today=on)
    db.session.commit()
    return form


def open_causes(enterprise) -> set[str]:
    return {c.cause for c in db.session.scalars(select(Case).where(
        Case.enterprise_id == enterprise.id, Case.state.in_(("open", "rectifying", "overdue"))))}


# --- which forms a round asks for ------------------------------------------------------------------

def test_a_firm_listed_for_two_causes_fills_two_forms_in_the_articles_order(world, listed_for):
    round_ = listed_for(toxic_substances=True, over_discharge=True)
    assert round_.required_disclosures == ["over_discharge", "toxic"]
    assert disclosures.missing(round_) == ["over_discharge", "toxic"]


def test_the_listing_feature_names_the_causes_and_they_win_over_the_register(world):
    world.ent_a.over_discharge = True  # flagged, but listed for energy only
    batch = services.publish_batch(world.regulator_a, title="名单", published_on=LISTED, usccs=[world.ent_a.uscc],
                                   today=LISTED, causes={world.ent_a.uscc: ("超能耗", False, ["over_energy"])})
    assert batch.rounds[0].required_disclosures == ["over_energy"]


def test_a_voluntary_round_asks_for_no_form_and_discloses_with_a_date_and_url(world):
    round_ = services.start_voluntary(world.enterprise_a, kind="voluntary", started_on=LISTED, today=LISTED)
    assert round_.required_disclosures == []
    with pytest.raises(ValidationError) as err:
        disclosures.save(world.enterprise_a, round_, "toxic", SAMPLE_FORMS["toxic"], today=LISTED)
    assert err.value.field == "cause"


def test_a_round_listed_without_a_cause_discloses_as_before(world, listed):
    round_ = listed(world.ent_a, LISTED)  # no flag: a list typed in with a reason
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 20), url="https://example.com/gk", today=date(2025, 3, 20))
    assert (round_.state, round_.disclosed_on, round_.disclosure_url) == ("disclosed", date(2025, 3, 20), "https://example.com/gk")


# --- each cause's form -----------------------------------------------------------------------------

def test_the_pollution_form_keeps_concentrations_totals_and_shows_exceedances(world, listed_for):
    round_ = listed_for(over_discharge=True)
    form = file(world, round_, "over_discharge", date(2025, 3, 10))
    cod = form.content["pollutants"][0]
    assert (cod["pollutant"], cod["concentration"], cod["limit_value"], cod["annual_total_t"]) == ("化学需氧量", "96", "80", "53.2")
    assert disclosures.flags("over_discharge", "pollutants", cod) == ["超标", "超总量"]
    assert disclosures.flags("over_discharge", "pollutants", form.content["pollutants"][1]) == []
    assert form.content["enterprise_name"] == world.ent_a.name and form.version == 1


def test_the_energy_form_keeps_tce_unit_consumption_and_the_quota_standard(world, listed_for):
    round_ = listed_for(over_energy_quota=True)
    form = file(world, round_, "over_energy", date(2025, 3, 10))
    assert form.content["total_tce"] == "48650"
    product = form.content["products"][0]
    assert (product["unit_consumption"], product["quota_value"], product["quota_standard"]) == ("114", "109", "GB 16780-2021")
    assert disclosures.flags("over_energy", "products", product) == ["超限额"]


def test_the_toxic_form_keeps_materials_discharges_and_hazardous_waste(world, listed_for):
    round_ = listed_for(toxic_substances=True)
    form = file(world, round_, "toxic", date(2025, 3, 10))
    assert [m["name"] for m in form.content["toxic_materials"]] == ["三氯甲烷", "重铬酸钾"]
    assert form.content["hazardous_wastes"][1]["code"] == "HW21"
    assert form.content["toxic_discharges"][0]["amount_t"] == "0.004"


# --- bad input: Chinese errors per field, nothing written -----------------------------------------------

def test_bad_input_names_every_field_and_writes_nothing(world, listed_for):
    round_ = listed_for(over_discharge=True)
    data = sample_form(round_, "over_discharge")
    data["legal_representative"] = " "
    data["year"] = "二〇二四"
    data["pollutants"] = [{**data["pollutants"][0], "concentration": "-3"},
                          {**data["pollutants"][1], "annual_total_t": "很多"},
                          {**data["pollutants"][2], "limit_value": "1.123456"}]
    with pytest.raises(InvalidFields) as err:
        disclosures.save(world.enterprise_a, round_, "over_discharge", data, today=date(2025, 3, 10))
    assert err.value.errors == {
        "legal_representative": "请填写法定代表人。",
        "year": "数据年度应为四位年份，例如 2025。",
        "pollutants-1-concentration": "排放污染物第 1 行的排放浓度不能为负数。",
        "pollutants-2-annual_total_t": "排放污染物第 2 行的年排放总量应为数字。",
        "pollutants-3-limit_value": "排放污染物第 3 行的排放标准限值最多保留 4 位小数。",
    }
    db.session.rollback()
    assert db.session.scalar(select(func.count(DisclosureForm.id))) == 0


def test_a_form_without_lines_or_a_toxic_form_without_substances_is_refused(world, listed_for):
    round_ = listed_for(over_discharge=True, toxic_substances=True)
    with pytest.raises(InvalidFields) as err:
        disclosures.save(world.enterprise_a, round_, "over_discharge",
                         {**sample_form(round_, "over_discharge"), "pollutants": [{"pollutant": "", "concentration": ""}]},
                         today=date(2025, 3, 10))
    assert err.value.errors == {"pollutants": "请至少填写一行排放污染物。"}
    with pytest.raises(InvalidFields) as err:
        disclosures.save(world.enterprise_a, round_, "toxic",
                         {**sample_form(round_, "toxic"), "toxic_materials": [], "toxic_discharges": []},
                         today=date(2025, 3, 10))
    assert err.value.errors == {"toxic_materials": "请至少填写一种使用的有毒有害原料或排放的有毒有害物质。"}


def test_only_the_enterprise_itself_files_its_forms(world, listed_for):
    round_ = listed_for(over_discharge=True)
    for other in (world.enterprise_b, world.regulator_a):
        with pytest.raises(PermissionDenied):
            disclosures.save(other, round_, "over_discharge", sample_form(round_, "over_discharge"), today=date(2025, 3, 10))


# --- the deadline counts only a complete disclosure ---------------------------------------------------

def test_a_half_filled_disclosure_is_no_disclosure_and_the_scan_opens_a_case(world, listed_for):
    round_ = listed_for(over_discharge=True, toxic_substances=True)
    file(world, round_, "over_discharge", date(2025, 3, 10))
    with pytest.raises(ValidationError) as err:
        services.disclose(world.enterprise_a, round_, on=date(2025, 3, 20), today=date(2025, 3, 20))
    assert err.value.field == "forms" and "有毒有害物质信息公开表" in err.value.message
    db.session.rollback()
    assert round_.state == "listed" and round_.disclosed_on is None
    compliance_scan(date(2025, 4, 2))
    db.session.commit()
    assert "disclosure_overdue" in open_causes(world.ent_a)


def test_a_complete_disclosure_counts_and_cures_nothing_is_left_open(world, listed_for):
    round_ = listed_for(over_discharge=True, toxic_substances=True)
    file(world, round_, "over_discharge", date(2025, 3, 10))
    file(world, round_, "toxic", date(2025, 3, 25))
    assert disclosures.complete_on(round_) == date(2025, 3, 25)
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 26), today=date(2025, 3, 26))
    db.session.commit()
    assert (round_.state, round_.disclosed_on) == ("disclosed", date(2025, 3, 26))
    compliance_scan(date(2025, 4, 2))
    db.session.commit()
    assert "disclosure_overdue" not in open_causes(world.ent_a)


def test_a_declared_date_before_the_forms_were_complete_counts_from_the_day_they_were(world, listed_for):
    """The firm says it published on 2025-03-15, but the platform had both forms only on 2025-04-03,
    after the deadline: the disclosure counts from 2025-04-03 (late) until a regulator confirms the
    earlier date against evidence."""
    round_ = listed_for(over_discharge=True, toxic_substances=True)
    file(world, round_, "over_discharge", date(2025, 3, 10))
    file(world, round_, "toxic", date(2025, 4, 3))
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 15), today=date(2025, 4, 3))
    db.session.commit()
    assert round_.disclosed_on == date(2025, 4, 3)
    record = db.session.scalar(select(StepRecord).where(StepRecord.round_id == round_.id))
    assert (record.step, record.status, record.declared_on) == ("disclosed", "pending", date(2025, 3, 15))
    compliance_scan(date(2025, 4, 5))
    db.session.commit()
    assert "disclosure_overdue" in open_causes(world.ent_a)
    services.confirm_step(world.regulator_a, record, evidence_on=date(2025, 3, 15),
                          url="https://example.com/newspaper/2025-03-15", today=date(2025, 4, 10))
    compliance_scan(date(2025, 4, 10))
    db.session.commit()
    assert round_.disclosed_on == date(2025, 3, 15) and "disclosure_overdue" not in open_causes(world.ent_a)


# --- corrections are new versions ------------------------------------------------------------------------

def test_a_correction_is_a_new_version_with_its_reason_and_the_old_is_kept(world, listed_for):
    round_ = listed_for(over_discharge=True)
    first = file(world, round_, "over_discharge", date(2025, 3, 10))
    services.disclose(world.enterprise_a, round_, on=date(2025, 3, 10), today=date(2025, 3, 10))
    db.session.commit()
    changed = sample_form(round_, "over_discharge")
    changed["pollutants"][0]["concentration"] = "78"
    with pytest.raises(InvalidFields) as err:
        disclosures.save(world.enterprise_a, round_, "over_discharge", changed, today=date(2025, 5, 1))
    assert err.value.errors == {"correction_note": "更正已公开的信息须写明更正说明。"}
    db.session.rollback()
    with pytest.raises(ValidationError):  # nothing changed: no new version
        disclosures.save(world.enterprise_a, round_, "over_discharge", sample_form(round_, "over_discharge"),
                         correction_note="重新提交", today=date(2025, 5, 1))
    db.session.rollback()
    second = disclosures.save(world.enterprise_a, round_, "over_discharge", changed,
                              correction_note="化学需氧量浓度误将瞬时值填为日均值，按监测报告更正。", today=date(2025, 5, 1))
    db.session.commit()
    versions = disclosures.versions_of(round_)["over_discharge"]
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].content["pollutants"][0]["concentration"] == "96"  # the old one, unchanged
    assert disclosures.current_forms(round_)["over_discharge"] is second
    assert round_.disclosed_on == date(2025, 3, 10)  # a correction does not move the disclosure
    actions = list(db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("disclosure.%"))
                                      .order_by(AuditLog.id)))
    assert actions == ["disclosure.file", "disclosure.correct"]
    assert first.id != second.id


# --- the public page and API --------------------------------------------------------------------------------

def test_the_public_page_and_api_show_the_latest_forms_without_contact_data(world, listed_for, client, client_for):
    world.ent_a.contact_person, world.ent_a.contact_phone = "王联络", "0771-5551234"
    round_ = listed_for(over_discharge=True, toxic_substances=True)
    file(world, round_, "over_discharge", date(2025, 3, 10))
    body = client.get(f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status").get_json()
    disclosure = body["current_round"]["disclosure"]
    assert (disclosure["required"], disclosure["complete"], disclosure["missing"]) == (
        ["over_discharge", "toxic"], False, ["toxic"])
    file(world, round_, "toxic", date(2025, 3, 12))
    changed = sample_form(round_, "over_discharge")
    changed["pollutants"][0]["concentration"] = "78"
    disclosures.save(world.enterprise_a, round_, "over_discharge", changed, correction_note="按监测报告更正浓度。",
                     today=date(2025, 3, 20))
    db.session.commit()
    response = client.get(f"/api/v1/enterprises/{world.ent_a.uscc}/audit-status")
    disclosure = response.get_json()["current_round"]["disclosure"]
    assert (disclosure["complete"], disclosure["complete_on"]) == (True, "2025-03-12")
    pollution = disclosure["forms"][0]
    assert (pollution["cause"], pollution["version"], pollution["corrected"]) == ("over_discharge", 2, True)
    assert pollution["content"]["pollutants"][0]["concentration"] == "78"
    assert pollution["findings"]["pollutants"][0] == ["超总量"]
    text = response.get_data(as_text=True)
    assert "王联络" not in text and "0771-5551234" not in text and '"96"' not in text  # the old version stays private
    page = client.get(f"/audit-status/{world.ent_a.uscc}").get_data(as_text=True)
    assert "污染物排放信息公开表" in page and "三氯甲烷" in page and "按监测报告更正浓度" in page
    assert "王联络" not in page and "以往版本" not in page
    regulator_page = client_for(world.regulator_a).get(f"/audits/rounds/{round_.id}").get_data(as_text=True)
    assert "以往版本" in regulator_page and "第 1 版" in regulator_page


# --- the enterprise's pages ------------------------------------------------------------------------------

def test_the_enterprise_files_a_form_on_its_page_and_sees_errors_beside_the_fields(world, listed_for, client_for):
    round_ = listed_for(over_energy_quota=True)
    browser = client_for(world.enterprise_a)
    mine = browser.get("/audits/mine").get_data(as_text=True)
    assert "填写能源消耗信息公开表" in mine and "填写完整后才能登记信息公开" in mine
    url = f"/audits/rounds/{round_.id}/disclosure/over_energy"
    assert "南宁甲钢铁有限公司" in browser.get(url).get_data(as_text=True)  # prefilled from the register
    data = {"enterprise_name": world.ent_a.name, "legal_representative": "李建华", "address": "南宁市某路 1 号",
            "year": "2024", "total_tce": "abc", "output_value_consumption": "0.9", "over_quota_note": "超限额约 4%",
            "energy_sources-1-energy": "原煤", "energy_sources-1-amount": "5000", "energy_sources-1-unit": "t",
            "products-1-product": "水泥熟料", "products-1-unit_consumption": "114", "products-1-unit": "kgce/t",
            "products-1-quota_value": "109", "products-1-quota_standard": ""}
    refused = browser.post(url, data=data)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "综合能源消费量应为数字。" in text and "请填写单位产品能耗与限额第 1 行的限额标准。" in text
    assert db.session.scalar(select(func.count(DisclosureForm.id))) == 0
    data.update({"total_tce": "5200", "products-1-quota_standard": "GB 16780-2021"})
    assert browser.post(url, data=data).status_code == 302
    assert disclosures.current_forms(round_)["over_energy"].content["total_tce"] == "5200"
    assert browser.get(f"/audits/rounds/{round_.id}/disclosure/toxic").status_code == 404  # not its cause
    assert client_for(world.enterprise_b).get(url).status_code == 404


def test_fill_disclosure_files_every_form_the_round_asks_for(world, listed_for):
    round_ = listed_for(over_discharge=True, over_energy_quota=True, toxic_substances=True)
    assert fill_disclosure(SYSTEM, round_, date(2025, 3, 5)) == 3
    assert disclosures.summary(round_)["complete"]
