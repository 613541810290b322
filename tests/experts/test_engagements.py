"""An enterprise names its consultancy; the consultancy confirms before it counts.

Until the organisation confirms, the round has no service organisation: not on the organisation's
public record, not in its statistics, not in the draw's conflict rule. Once the report has been
submitted a change also needs a regulator in scope (the enterprise asks; or the regulator sets it
directly, with a reason).
"""
import pytest
from expert_helpers import REVIEW_DAY
from sqlalchemy import select

from platform.core.auditlog.models import AuditLog
from platform.audits.models import AuditRound
from platform.core.errors import PermissionDenied, ValidationError
from platform.experts import engagements, services
from platform.reviews import services as panels
from platform.experts.models import ServiceEngagement
from platform.core.extensions import db
from platform.core.access import SYSTEM


@pytest.fixture
def org(world, make_org):
    """An organisation whose account is the world's service_org user."""
    return make_org("南宁绿源咨询有限公司", username=world.service_org.username)


@pytest.fixture
def auditing(world, listed, advance):
    return advance(listed(world.ent_a), "auditing")


def round_org(round_) -> int | None:
    return db.session.get(AuditRound, round_.id).service_org_id


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_a_proposal_counts_only_once_the_organisation_confirms(world, org, auditing, make_expert, client,
                                                               client_for):
    response = client_for(world.enterprise_a).post("/reviews/mine", data={"service_org_id": str(org.id)})
    assert response.status_code == 302
    assert round_org(auditing) is None  # proposed, not confirmed
    engagement = db.session.scalar(select(ServiceEngagement))
    assert (engagement.state, engagement.service_org_id) == ("pending", org.id)
    staff = make_expert("咨询公司员工", employer_uscc=org.uscc)
    assert panels.conflict_with(staff, auditing) is None  # the draw knows only a confirmed organisation
    assert world.ent_a.name not in client.get(f"/service-orgs/{org.id}").get_data(as_text=True)
    assert services.track_records([org.id])[org.id]["rounds"] == 0
    assert "待服务机构确认" in client_for(world.enterprise_a).get("/reviews/mine").get_data(as_text=True)

    mine = client_for(world.service_org).get("/service-orgs/mine").get_data(as_text=True)
    assert world.ent_a.name in mine and "确认" in mine
    confirmed = client_for(world.service_org).post(f"/service-orgs/mine/engagements/{engagement.id}/confirm",
                                                   data={})
    assert confirmed.status_code == 302
    assert round_org(auditing) == org.id
    assert db.session.get(ServiceEngagement, engagement.id).state == "confirmed"
    assert panels.conflict_with(staff, db.session.get(AuditRound, auditing.id)) == "service_org"
    assert world.ent_a.name in client.get(f"/service-orgs/{org.id}").get_data(as_text=True)
    assert services.track_records([org.id])[org.id]["rounds"] == 1
    assert {"round.service_org.propose", "round.service_org.confirm", "round.service_org"} <= set(actions())


def test_the_organisation_may_refuse_and_nothing_is_recorded_against_it(world, org, auditing, client_for):
    engagement = engagements.propose(world.enterprise_a, auditing, org.id)
    db.session.commit()
    refused = client_for(world.service_org).post(f"/service-orgs/mine/engagements/{engagement.id}/refuse",
                                                 data={"note": "本机构未承接该企业的审核"})
    assert refused.status_code == 302
    engagement = db.session.get(ServiceEngagement, engagement.id)
    assert engagement.state == "refused" and engagement.decision_note == "本机构未承接该企业的审核"
    assert round_org(auditing) is None
    page = client_for(world.enterprise_a).get("/reviews/mine").get_data(as_text=True)
    assert "本机构未承接该企业的审核" in page
    assert "round.service_org.refuse" in actions()


def test_only_the_named_organisation_confirms(world, org, auditing, make_user, make_org):
    other_user = make_user("service_org")
    make_org("柳州蓝天咨询有限公司", city="450200", username=other_user.username)
    engagement = engagements.propose(world.enterprise_a, auditing, org.id)
    for outsider in (other_user, world.enterprise_a, world.regulator_a):
        with pytest.raises(PermissionDenied):
            engagements.confirm(outsider, engagement)
    assert round_org(auditing) is None


def test_an_organisation_without_an_account_cannot_be_named_by_the_enterprise(world, make_org, auditing):
    silent = make_org("无账号咨询有限公司")
    with pytest.raises(ValidationError, match="尚未开通"):
        engagements.propose(world.enterprise_a, auditing, silent.id)
    with pytest.raises(PermissionDenied):
        engagements.propose(world.enterprise_b, auditing, silent.id)


def test_after_the_report_a_change_needs_the_regulator_too(world, org, listed, advance, client_for):
    round_ = advance(listed(world.ent_a), "report_submitted")
    with pytest.raises(ValidationError, match="理由"):
        engagements.propose(world.enterprise_a, round_, org.id)
    engagement = engagements.propose(world.enterprise_a, round_, org.id, reason="原登记遗漏，补登咨询机构")
    engagements.confirm(world.service_org, engagement)
    db.session.commit()
    assert round_org(round_) is None and engagement.state == "pending"  # the organisation agreed; the regulator not yet
    assert "原登记遗漏" in client_for(world.regulator_a).get("/reviews/approvals").get_data(as_text=True)
    with pytest.raises(PermissionDenied):
        engagements.review(world.regulator_b, engagement, approve=True)
    response = client_for(world.regulator_a).post(f"/reviews/engagements/{engagement.id}/approve",
                                                  data={"note": "已核实委托合同"})
    assert response.status_code == 302
    assert round_org(round_) == org.id
    assert db.session.get(ServiceEngagement, engagement.id).state == "confirmed"


def test_the_regulator_may_reject_a_late_change(world, org, listed, advance):
    round_ = advance(listed(world.ent_a), "report_submitted")
    engagement = engagements.propose(world.enterprise_a, round_, org.id, reason="补登")
    engagements.review(world.regulator_a, engagement, approve=False, note="无委托合同")
    assert engagement.state == "rejected" and round_org(round_) is None
    with pytest.raises(ValidationError):
        engagements.confirm(world.service_org, engagement)


def test_the_regulator_sets_the_organisation_directly_with_a_reason(world, org, listed, advance, client_for):
    round_ = advance(listed(world.ent_a), "evaluation")
    with pytest.raises(ValidationError, match="理由"):
        engagements.set_directly(world.regulator_a, round_, org.id, "")
    with pytest.raises(PermissionDenied):
        engagements.set_directly(world.regulator_b, round_, org.id, "核实")
    page = client_for(world.regulator_a).get(f"/reviews/rounds/{round_.id}/service-org")
    assert page.status_code == 200
    response = client_for(world.regulator_a).post(f"/reviews/rounds/{round_.id}/service-org",
                                                  data={"service_org_id": str(org.id), "reason": "现场核查确认"})
    assert response.status_code == 302
    assert round_org(round_) == org.id
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "round.service_org").order_by(AuditLog.id.desc()))
    assert log.note and "现场核查确认" in log.note


def test_before_the_report_the_enterprise_may_drop_its_organisation_at_once(world, org, auditing):
    engagements.set_directly(SYSTEM, auditing, org.id)  # the operator records a confirmed engagement
    assert round_org(auditing) == org.id
    engagements.propose(world.enterprise_a, auditing, None)
    assert round_org(auditing) is None


def test_no_change_while_a_panel_is_at_work(world, org, listed, advance, make_expert):
    for i in range(3):
        make_expert(f"专家{i}")
    round_ = advance(listed(world.ent_a), "evaluation")
    engagement = engagements.propose(world.enterprise_a, round_, org.id, reason="补登")
    panels.draw_panel(world.regulator_a, round_, today=REVIEW_DAY)
    engagements.confirm(world.service_org, engagement)
    with pytest.raises(ValidationError, match="正在评审"):
        engagements.review(world.regulator_a, engagement, approve=True)
    with pytest.raises(ValidationError, match="正在评审"):
        engagements.set_directly(world.regulator_a, round_, None, "撤销登记")
    assert round_org(round_) is None
