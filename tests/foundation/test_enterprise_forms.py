"""The regulator's enterprise form: bad input is shown beside its field and writes nothing;
an edit is written to the audit log with before -> after of exactly the fields it changed."""
import re

import pytest

from foundation_helpers import audit_count, audit_entries, count, field_errors, text
from platform.enterprises.models import FLAGS, Enterprise, Park
from platform.enterprises.uscc import make
from platform.core.extensions import db

GOOD = {"name": "南宁丁化工有限公司", "uscc": make("450100", 4242), "division_code": "450103",
        "industry_code": "2614", "permit_class": "", "park_id": ""}


def _form(enterprise: Enterprise, **changes) -> dict:
    """What the edit form posts when the regulator changes only `changes`."""
    data = {
        "name": enterprise.name, "uscc": enterprise.uscc, "division_code": enterprise.division_code,
        "industry_code": enterprise.industry_class, "park_id": str(enterprise.park_id or ""),
        "permit_class": enterprise.permit_class or "",
        **{f: getattr(enterprise, f) or "" for f in ("legal_representative", "address", "permit_no",
                                                     "mandatory_reason", "contact_person", "contact_phone")},
        **{flag: "y" for flag in FLAGS if getattr(enterprise, flag)},
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


# --- registering ---------------------------------------------------------------------------------

def test_a_regulator_registers_an_enterprise_of_its_city(world, client_for):
    response = client_for(world.regulator_a).post("/enterprises/new", data=GOOD)
    assert response.status_code == 302
    enterprise = db.session.query(Enterprise).filter_by(uscc=GOOD["uscc"]).one()
    assert (enterprise.city_code, enterprise.county_code, enterprise.industry_code, enterprise.industry_class) == (
        "450100", "450103", "26", "2614")
    assert response.headers["Location"] == f"/enterprises/{enterprise.id}"
    [entry] = audit_entries("enterprise.create")[-1:]
    assert entry.actor_id == world.regulator_a.id and entry.object_id == str(enterprise.id)
    assert entry.after["name"] == GOOD["name"] and entry.division_code == "450100"


@pytest.mark.parametrize("field, value, message", [
    ("uscc", GOOD["uscc"][:17] + ("0" if GOOD["uscc"][17] != "0" else "1"), "第 18 位应为"),
    ("uscc", "91450100MA5K00000", "应为 18 位"),
    ("uscc", "91450100MA5K0000O" + "1", "不得使用 I、O、S、V、Z"),
    ("division_code", "110101", "不属于广西"),
    ("division_code", "4501", "应为 6 位数字"),
    ("industry_code", "9999", "不在国民经济行业分类"),
    ("name", "", "请填写企业名称"),
    ("name", "   ", "请填写企业名称"),
    ("contact_phone", "call me", "联系电话格式不正确"),
])
def test_one_bad_field_is_refused_beside_that_field(world, client_for, field, value, message):
    enterprises, log = count(), audit_count()
    response = client_for(world.regulator_a).post("/enterprises/new", data={**GOOD, field: value})
    assert response.status_code == 422
    errors = field_errors(text(response))
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert (count(), audit_count()) == (enterprises, log)


def test_every_bad_field_of_one_submission_is_shown_beside_its_own_field(world, client_for):
    bad_check = GOOD["uscc"][:17] + ("0" if GOOD["uscc"][17] != "0" else "1")
    enterprises, log = count(), audit_count()
    response = client_for(world.regulator_a).post(
        "/enterprises/new", data={**GOOD, "uscc": bad_check, "division_code": "990000", "name": ""})
    assert response.status_code == 422
    html = text(response)
    errors = field_errors(html)
    assert set(errors) == {"uscc", "division_code", "name"}
    assert f"第 18 位应为“{GOOD['uscc'][17]}”" in errors["uscc"][0]
    assert "990000" in errors["division_code"][0]
    assert errors["name"] == ["请填写企业名称。"]
    assert "表单有误" in html
    assert f'value="{bad_check}"' in html  # what was typed is kept, so it can be corrected
    assert (count(), audit_count()) == (enterprises, log)


def test_a_tampered_choice_is_refused_in_chinese_beside_its_field(world, client_for):
    response = client_for(world.regulator_a).post("/enterprises/new", data={**GOOD, "permit_class": "tampered"})
    assert response.status_code == 422
    [message] = field_errors(text(response))["permit_class"]
    assert re.fullmatch(r"[^A-Za-z]+", message), message  # no English from the form library


@pytest.mark.parametrize("park_id, message", [("abc", "所选园区不存在。"), ("999", "所选园区不存在。"),
                                              ("liuzhou", "所选园区位于柳州市，与企业所在地不符。")])
def test_a_park_must_exist_and_lie_in_the_enterprises_city(world, client_for, park_id, message):
    liuzhou = Park(name="柳东新区工业园", city_code="450200")
    db.session.add(liuzhou)
    db.session.commit()
    park_id = str(liuzhou.id) if park_id == "liuzhou" else park_id
    response = client_for(world.regulator_a).post("/enterprises/new", data={**GOOD, "park_id": park_id})
    assert response.status_code == 422
    assert field_errors(text(response)) == {"park_id": [message]}


def test_a_park_of_the_enterprises_city_is_accepted(world, client_for):
    park = Park(name="南宁高新区", city_code="450100")
    db.session.add(park)
    db.session.commit()
    assert client_for(world.regulator_a).post("/enterprises/new", data={**GOOD, "park_id": str(park.id)}).status_code == 302
    assert db.session.query(Enterprise).filter_by(uscc=GOOD["uscc"]).one().park_id == park.id


def test_markup_in_a_name_is_shown_as_text(world, client_for):
    client = client_for(world.regulator_a)
    client.post("/enterprises/new", data={**GOOD, "name": "<script>alert(1)</script>有限公司"})
    html = text(client.get("/enterprises/"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;有限公司" in html


def test_the_list_pages_twenty_at_a_time_keeping_the_filters(world, client_for, make_enterprise):
    for _ in range(21):
        make_enterprise("450100", two_high=True)
    client = client_for(world.regulator_a)
    first = text(client.get("/enterprises/?flag=two_high"))
    assert first.count('<td class="mono">') == 20
    assert "第 1 / 2 页，共 21 条" in first
    assert 'href="/enterprises/?flag=two_high&amp;page=2"' in first
    assert text(client.get("/enterprises/?flag=two_high&page=2")).count('<td class="mono">') == 1


def test_a_code_already_registered_is_refused_beside_the_code(world, client_for):
    response = client_for(world.regulator_a).post("/enterprises/new", data={**GOOD, "uscc": world.ent_a.uscc})
    assert response.status_code == 422
    assert "已登记" in field_errors(text(response))["uscc"][0]


def test_a_code_registered_by_a_concurrent_request_is_refused_beside_the_code(world, client_for):
    """Another request registers the same code between this one's check and its insert: the unique
    index refuses the insert, and the form says so instead of a 500."""
    from sqlalchemy import event, insert
    from sqlalchemy.orm import Session

    def competitor_commits_first(session, _context, _instances):
        if any(isinstance(obj, Enterprise) for obj in session.new):
            with db.engine.begin() as other:
                other.execute(insert(Enterprise).values(
                    name="同时登记的企业", uscc=GOOD["uscc"], city_code="450100", county_code="450103",
                    industry_code="26", industry_class="2614"))

    enterprises, entries = count(), audit_count()
    event.listen(Session, "before_flush", competitor_commits_first)
    try:
        response = client_for(world.regulator_a).post("/enterprises/new", data=GOOD)
    finally:
        event.remove(Session, "before_flush", competitor_commits_first)
    assert response.status_code == 422
    assert field_errors(text(response))["uscc"] == [f"统一社会信用代码 {GOOD['uscc']} 已登记。"]
    db.session.expire_all()
    assert count() == enterprises + 1  # the competitor's row only
    assert audit_count() == entries


def test_registering_in_another_city_is_refused_and_nothing_written(world, client_for):
    enterprises = count()
    response = client_for(world.regulator_a).post(
        "/enterprises/new", data={**GOOD, "uscc": make("450200", 4242), "division_code": "450200"})
    assert response.status_code == 422
    assert field_errors(text(response)) == {"division_code": ["您只能登记本辖区的企业。"]}
    assert count() == enterprises


def test_a_pilot_code_is_registered_through_the_form_only_with_the_box_ticked(world, client_for):
    pilot = "91450100MA5K000001"
    client = client_for(world.regulator_a)
    refused = client.post("/enterprises/new", data={**GOOD, "uscc": pilot})
    assert refused.status_code == 422 and "第 18 位" in field_errors(text(refused))["uscc"][0]
    accepted = client.post("/enterprises/new", data={**GOOD, "uscc": pilot, "allow_bad_check": "y"})
    assert accepted.status_code == 302
    enterprise = db.session.query(Enterprise).filter_by(uscc=pilot).one()
    assert enterprise.uscc_check_overridden
    assert "早期试点代码" in text(client.get(f"/enterprises/{enterprise.id}"))
    assert "试点" in audit_entries("enterprise.create")[-1].note


# --- editing -------------------------------------------------------------------------------------

def test_the_edit_form_is_filled_with_the_enterprise(world, client_for):
    html = text(client_for(world.regulator_a).get(f"/enterprises/{world.ent_a.id}/edit"))
    assert f'value="{world.ent_a.uscc}"' in html and f'value="{world.ent_a.name}"' in html


def test_an_edit_logs_before_and_after_of_only_the_changed_fields(world, client_for):
    response = client_for(world.regulator_a).post(f"/enterprises/{world.ent_a.id}/edit", data=_form(
        world.ent_a, name="南宁甲钢铁集团有限公司", two_high="y", address="南宁市江南区 9 号"))
    assert response.status_code == 302
    [entry] = audit_entries("enterprise.update")
    assert entry.actor_id == world.regulator_a.id
    assert entry.object_type == "enterprise" and entry.object_id == str(world.ent_a.id)
    assert entry.before == {"name": "南宁甲钢铁有限公司", "two_high": False, "address": None}
    assert entry.after == {"name": "南宁甲钢铁集团有限公司", "two_high": True, "address": "南宁市江南区 9 号"}
    db.session.expire_all()
    assert db.session.get(Enterprise, world.ent_a.id).name == "南宁甲钢铁集团有限公司"


def test_an_edit_that_changes_nothing_writes_no_log_entry(world, client_for):
    log = audit_count()
    client = client_for(world.regulator_a)
    response = client.post(f"/enterprises/{world.ent_a.id}/edit", data=_form(world.ent_a), follow_redirects=True)
    assert response.status_code == 200
    assert "没有需要保存的修改" in text(response)
    assert audit_count() == log


def test_an_edit_with_a_county_and_park_round_trips_unchanged(world, client_for):
    park = Park(name="南宁六景工业园区", city_code="450100")
    db.session.add(park)
    db.session.flush()
    world.ent_a.park_id, world.ent_a.county_code, world.ent_a.permit_class = park.id, "450127", "key"
    db.session.commit()
    log = audit_count()
    response = client_for(world.regulator_a).post(f"/enterprises/{world.ent_a.id}/edit", data=_form(world.ent_a))
    assert response.status_code == 302
    assert audit_count() == log


def test_a_bad_edit_re_renders_with_the_message_and_changes_nothing(world, client_for):
    log = audit_count()
    response = client_for(world.regulator_a).post(f"/enterprises/{world.ent_a.id}/edit", data=_form(
        world.ent_a, name="", industry_code="31x", address="改了但不该保存"))
    assert response.status_code == 422
    errors = field_errors(text(response))
    assert set(errors) == {"name", "industry_code"}
    db.session.expire_all()
    enterprise = db.session.get(Enterprise, world.ent_a.id)
    assert (enterprise.name, enterprise.address) == ("南宁甲钢铁有限公司", None)
    assert audit_count() == log


def test_the_code_cannot_be_changed_once_registered(world, client_for):
    response = client_for(world.regulator_a).post(
        f"/enterprises/{world.ent_a.id}/edit", data=_form(world.ent_a, uscc=make("450100", 5151)))
    assert response.status_code == 422
    assert "不能修改" in field_errors(text(response))["uscc"][0]


def test_moving_an_enterprise_out_of_the_regulators_city_is_refused_beside_the_division(world, client_for):
    response = client_for(world.regulator_a).post(
        f"/enterprises/{world.ent_a.id}/edit", data=_form(world.ent_a, division_code="450202"))
    assert response.status_code == 422
    assert "管辖范围" in field_errors(text(response))["division_code"][0]
    db.session.expire_all()
    assert db.session.get(Enterprise, world.ent_a.id).city_code == "450100"


def test_an_enterprise_profile_with_a_bad_phone_is_refused_beside_the_phone(world, client_for):
    response = client_for(world.enterprise_a).post("/enterprises/mine", data={"contact_phone": "电话"})
    assert response.status_code == 422
    assert field_errors(text(response)) == {"contact_phone": ["联系电话格式不正确。"]}
