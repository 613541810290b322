"""Service organisations answer for their work: a falsification veto, a failed review and a misreporting
case on a round they assisted appear on their public page; the province suspends (and lifts) with a
reason, and a suspended organisation cannot be chosen; 第十六条 qualifications with a regulator's check."""
import pytest
from expert_helpers import FAR, REVIEW_DAY
from sqlalchemy import func, select

from platform.audits import cases
from platform.core.auditlog.models import AuditLog
from platform.core.errors import NotFound, PermissionDenied, ValidationError
from platform.core.extensions import db
from platform.experts import accountability, engagements
from platform.experts.models import ServiceEngagement, ServiceOrgSuspension
from platform.reviews import services as panels

ORG_PHONE = "0771-5550199"


@pytest.fixture
def org(make_org, world):
    return make_org("南宁绿源咨询有限公司", username=world.service_org.username, contact_person="韦经理")


@pytest.fixture
def assisted(world, org, under_review, make_expert):
    """A round of ent_a under evaluation, whose report `org` wrote, and a panel drawn for it."""
    round_ = under_review(world.ent_a)
    engagements.set_directly(world.regulator_a, round_, org.id, "核查委托合同")
    for i in range(3):
        make_expert(f"钢铁专家{i}", industries="31", employer=f"单位{i}")
    panel = panels.draw_panel(world.regulator_a, round_, seed=5, today=REVIEW_DAY)
    db.session.commit()
    return panel


def test_a_falsification_veto_shows_on_the_organisations_public_page(world, org, assisted, scored, client):
    assert assisted.service_org_id == org.id
    scored(assisted, points=85, vetoes=["fake_data"])
    panels.conclude(world.regulator_a, assisted, on=REVIEW_DAY, today=FAR)
    db.session.commit()
    [incident] = accountability.incidents(org)
    assert incident["kind"] == "falsification_veto" and incident["enterprise"] == world.ent_a.name
    page = client.get(f"/service-orgs/{org.id}").get_data(as_text=True)
    assert "评审否决：弄虚作假" in page and "审核报告数据弄虚作假" in page and world.ent_a.name in page
    assert ORG_PHONE not in page and "韦经理" not in page
    assert accountability.incident_counts([org.id])[org.id]["falsification_veto"] == 1


def test_the_record_stays_with_the_organisation_reviewed_after_a_change(world, org, assisted, scored, make_org):
    scored(assisted, points=60)
    panels.conclude(world.regulator_a, assisted, on=REVIEW_DAY, today=FAR)
    other = make_org("柳州新咨询有限公司", city="450200")
    engagements.set_directly(world.regulator_a, assisted.round, other.id, "企业改聘咨询机构修改报告")
    db.session.commit()
    assert [i["kind"] for i in accountability.incidents(org)] == ["review_failed"]
    assert accountability.incidents(other) == []


def test_a_misreporting_case_is_linked_to_the_organisation(world, org, assisted, client):
    cases.open_case(world.regulator_a, assisted.round, cause="falsified", note="监测数据不实", today=REVIEW_DAY)
    db.session.commit()
    [incident] = accountability.incidents(org)
    assert incident["kind"] == "misreporting" and incident["on"] == REVIEW_DAY
    assert "弄虚作假或不如实报告（违规案件）" in client.get(f"/service-orgs/{org.id}").get_data(as_text=True)


def test_the_enterprise_sees_the_record_when_choosing(world, org, assisted, scored, client_for, listed, advance):
    scored(assisted, points=85, vetoes=["fake_data"])
    panels.conclude(world.regulator_a, assisted, on=REVIEW_DAY, today=FAR)
    db.session.commit()
    page = client_for(world.enterprise_a).get("/reviews/mine").get_data(as_text=True)
    assert "可选服务机构的公开记录" in page and "弄虚作假否决 1 次" in page


def test_only_the_province_suspends_and_always_with_a_reason(world, org, client_for):
    for actor in (world.regulator_a, world.admin, world.enterprise_a, world.service_org):
        with pytest.raises(PermissionDenied):
            accountability.suspend(actor, org, "数据造假")
    with pytest.raises(ValidationError, match="须写明理由"):
        accountability.suspend(world.province, org, "  ")
    assert client_for(world.regulator_a).post(f"/service-orgs/{org.id}/suspend", data={"reason": "数据造假"}).status_code == 403
    assert db.session.scalar(select(func.count(ServiceOrgSuspension.id))) == 0
    done = client_for(world.province).post(f"/service-orgs/{org.id}/suspend", data={"reason": "报告数据造假"},
                                           follow_redirects=True)
    assert "已暂停" in done.get_data(as_text=True)
    with pytest.raises(ValidationError, match="已处于暂停状态"):
        accountability.suspend(world.province, org, "再次")
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "service_org.suspend"))
    assert log.note == "报告数据造假" and log.actor_id == world.province.id


def test_a_suspended_organisation_cannot_be_chosen(world, org, listed, advance, client_for):
    round_ = advance(listed(world.ent_a), "auditing")
    pending = engagements.propose(world.enterprise_a, round_, org.id)
    accountability.suspend(world.province, org, "报告数据造假")
    db.session.commit()
    with pytest.raises(ValidationError, match="已于 .* 被自治区监管部门暂停") as caught:
        engagements.confirm(world.service_org, pending)  # a proposal made before the suspension
    assert caught.value.field == "service_org_id"
    db.session.rollback()
    with pytest.raises(ValidationError, match="报告数据造假"):
        engagements.propose(world.enterprise_a, round_, org.id)
    with pytest.raises(ValidationError, match="不能委托其开展审核"):
        engagements.set_directly(world.regulator_a, round_, org.id, "核查合同")
    db.session.rollback()
    page = client_for(world.enterprise_a).post("/reviews/mine", data={"service_org_id": str(org.id)},
                                               follow_redirects=True).get_data(as_text=True)
    assert "不能委托其开展审核" in page and "（已暂停，不可委托）" in page
    assert db.session.get(type(round_), round_.id).service_org_id is None
    assert db.session.scalar(select(func.count(ServiceEngagement.id)).where(ServiceEngagement.state == "confirmed")) == 0

    accountability.lift(world.province, org, "已完成整改，经核查符合条件")
    db.session.commit()
    engagements.set_directly(world.regulator_a, round_, org.id, "核查合同")
    assert round_.service_org_id == org.id
    public = client_for(world.enterprise_b).get(f"/service-orgs/{org.id}").get_data(as_text=True)
    assert "报告数据造假" in public and "已完成整改" in public and "该机构已被暂停" not in public


def test_lifting_needs_the_province_a_reason_and_a_suspension(world, org):
    with pytest.raises(ValidationError, match="未被暂停"):
        accountability.lift(world.province, org, "无")
    accountability.suspend(world.province, org, "造假")
    with pytest.raises(PermissionDenied):
        accountability.lift(world.regulator_a, org, "整改完成")
    with pytest.raises(ValidationError, match="解除暂停须写明理由"):
        accountability.lift(world.province, org, "")


def test_qualifications_are_submitted_by_the_organisation_and_checked_by_a_regulator(world, org, make_org, client,
                                                                                  client_for):
    with pytest.raises(PermissionDenied):
        accountability.submit_qualification(world.enterprise_a, org, "legal_person", "营业执照")
    with pytest.raises(ValidationError, match="第十六条"):
        accountability.submit_qualification(world.service_org, org, "iso9001", "证书")
    with pytest.raises(ValidationError, match="证明材料"):
        accountability.submit_qualification(world.service_org, org, "legal_person", " ")
    other = make_org("柳州咨询有限公司", city="450200")
    with pytest.raises(PermissionDenied):
        accountability.submit_qualification(world.service_org, other, "legal_person", "营业执照")
    row = accountability.submit_qualification(world.service_org, org, "test_equipment", "烟气分析仪 1 台（检定证书 NN-2026-117）")
    with pytest.raises(NotFound):
        accountability.check_qualification(world.regulator_b, row, met=True, note="符合")
    with pytest.raises(PermissionDenied):
        accountability.check_qualification(world.service_org, row, met=True, note="符合")
    with pytest.raises(ValidationError, match="核查意见"):
        accountability.check_qualification(world.regulator_a, row, met=True, note="")
    accountability.check_qualification(world.regulator_a, row, met=False, note="检定证书已过期")
    with pytest.raises(ValidationError, match="已核查"):
        accountability.check_qualification(world.regulator_a, row, met=True, note="改判")
    db.session.commit()
    public = client.get(f"/service-orgs/{org.id}").get_data(as_text=True)
    assert "不符合" in public and "检定证书已过期" in public and "未提交材料" in public
    assert "NN-2026-117" not in public  # the evidence itself is for the organisation and regulators
    assert "NN-2026-117" in client_for(world.service_org).get(f"/service-orgs/{org.id}").get_data(as_text=True)
    assert "NN-2026-117" not in client_for(world.regulator_b).get(f"/service-orgs/{org.id}").get_data(as_text=True)


def test_the_public_api_carries_the_record(world, org, assisted, scored, client):
    scored(assisted, points=85, vetoes=["fake_data"])
    panels.conclude(world.regulator_a, assisted, on=REVIEW_DAY, today=FAR)
    accountability.suspend(world.province, org, "数据造假")
    db.session.commit()
    [item] = client.get("/api/v1/service-orgs").get_json()["items"]
    assert item["falsification_veto"] == 1 and item["suspended"] is True and item["review_failed"] == 0
    assert ORG_PHONE not in str(item)
