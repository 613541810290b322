"""An expert's name is part of the public record: a change is reviewed, and published panels keep theirs.

A name change by an approved expert waits for the province regulator; the expert stays in the
pool under the name approved. A panel's published record names its members as they were when
the panel concluded, whatever they are called later.
"""
import pytest
from expert_helpers import FAR, REVIEW_DAY
from sqlalchemy import select

from platform.core.auditlog.models import AuditLog
from platform.core.errors import PermissionDenied, ValidationError
from platform.experts import services
from platform.reviews import services as panels
from platform.experts.models import Expert
from platform.core.extensions import db


def profile_form(expert: Expert, **changes) -> dict:
    return {**services.clean(expert.snapshot()), "industry_codes": expert.industry_codes,
            "years_of_practice": str(expert.years_of_practice), **changes}


def test_an_approved_experts_new_name_waits_for_the_province(world, make_expert, client_for):
    expert = make_expert("王建华")
    response = client_for(expert.user).post("/experts/me", data=profile_form(expert, name="王建國"))
    assert response.status_code == 302
    expert = db.session.get(Expert, expert.id)
    assert expert.name == "王建华" and expert.pending_name == "王建國" and expert.status == "approved"
    page = client_for(expert.user).get("/experts/me").get_data(as_text=True)
    assert "待自治区监管部门审核" in page and "王建國" in page
    # Saving the form again (it shows the name asked for) keeps the request as it is.
    client_for(expert.user).post("/experts/me", data=profile_form(expert, name="王建國", phone="13800001111"))
    assert db.session.get(Expert, expert.id).pending_name == "王建國"

    with pytest.raises(PermissionDenied):
        services.decide_name(world.regulator_a, expert, approve=True)
    detail = client_for(world.province).get(f"/experts/pool/{expert.id}").get_data(as_text=True)
    assert "王建國" in detail and "姓名变更" in detail
    approvals = client_for(world.province).get("/reviews/approvals").get_data(as_text=True)
    assert "王建國" in approvals
    response = client_for(world.province).post(f"/experts/pool/{expert.id}/name/approve", data={"note": "已核身份证"})
    assert response.status_code == 302
    expert = db.session.get(Expert, expert.id)
    assert expert.name == "王建國" and expert.pending_name is None
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "expert.name.approve"))
    assert log.before == {"name": "王建华"} and log.after == {"name": "王建國"}


def test_the_province_may_reject_a_name_change(world, make_expert):
    expert = make_expert("李秀兰")
    services.update_profile(expert.user, expert, {"name": "李秀蘭"})
    services.decide_name(world.province, expert, approve=False, note="与身份证件不符")
    assert expert.name == "李秀兰" and expert.pending_name is None
    with pytest.raises(ValidationError, match="没有待审核"):
        services.decide_name(world.province, expert, approve=True)
    assert "expert.name.reject" in db.session.scalars(select(AuditLog.action)).all()


def test_an_applicant_not_yet_approved_changes_their_name_at_once(make_expert):
    expert = make_expert("张海燕", status="pending")
    services.update_profile(expert.user, expert, {"name": "张海艳"})
    assert expert.name == "张海艳" and expert.pending_name is None


def test_a_concluded_panel_keeps_the_names_it_was_published_with(world, under_review, make_expert, scored, client,
                                                                client_for):
    for i in range(1, 4):
        make_expert(f"钢铁专家{i}", industries="31", employer=f"单位{i}")
    panel = panels.draw_panel(world.regulator_a, under_review(world.ent_a), today=REVIEW_DAY)
    scored(panel, points=85)
    panels.conclude(world.regulator_a, panel, on=REVIEW_DAY, today=FAR)
    db.session.commit()
    member = panel.members[0]
    old_name = member.expert.name
    services.update_profile(member.expert.user, member.expert, {"name": "改名后专家"})
    services.decide_name(world.province, member.expert, approve=True)
    db.session.commit()
    assert db.session.get(Expert, member.expert_id).name == "改名后专家"
    for body in (client.get(f"/reviews/{panel.id}").get_data(as_text=True),
                 client_for(world.enterprise_a).get("/reviews/mine").get_data(as_text=True)):
        assert old_name in body and "改名后专家" not in body
    manage = client_for(world.regulator_a).get(f"/reviews/{panel.id}/manage").get_data(as_text=True)
    assert "改名后专家" in manage and old_name in manage  # the regulator sees both
