"""A signed verdict is not one regulator's to discard.

Cancelling a panel on which a member has signed, and declining on an expert's behalf, are requests
that a second regulator with scope over the round approves or rejects; only then does the change
happen. An expert who declines for themself, and a panel withdrawn before anyone signed, stay
immediate. The experts concerned are told; the discarded score sheets are kept.
"""
import pytest
from expert_helpers import REVIEW_DAY
from sqlalchemy import func, select

from platform.core.auditlog.models import AuditLog
from platform.core.errors import PermissionDenied, ValidationError
from platform.reviews import services as panels
from platform.experts.models import ExpertNotice
from platform.reviews.models import Panel, PanelMember, PanelRequest
from platform.core.extensions import db


def full_marks(scale: float = 1.0) -> dict:
    from platform.reviews import rules

    return {item.code: str(round(item.max_points * scale, 1)) for item in rules.ITEMS["evaluation"]}


@pytest.fixture
def colleague(make_user):
    """A second regulator of city A (南宁)."""
    return make_user("regulator", city="450100")


@pytest.fixture
def panel(world, under_review, make_expert):
    for i in range(1, 7):
        make_expert(f"钢铁专家{i}", industries="31", employer=f"单位{i}")
    panel = panels.draw_panel(world.regulator_a, under_review(world.ent_a), seed=7, today=REVIEW_DAY)
    db.session.commit()
    return panel


@pytest.fixture
def vetoed(panel):
    """The panel with one member's signed sheet ticking a veto item."""
    member = panel.members[0]
    panels.submit_scores(member.expert.user, member, points=full_marks(), vetoes=["fake_data"],
                         opinion="物料平衡数据与台账不符，涉嫌造假。", sign=True)
    db.session.commit()
    return panel


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def notices_of(member: PanelMember) -> list[str]:
    return list(db.session.scalars(select(ExpertNotice.message).where(ExpertNotice.expert_id == member.expert_id)
                                   .order_by(ExpertNotice.id)))


# --- cancelling a panel with a signed sheet ---------------------------------------------------------

def test_one_regulator_alone_cannot_cancel_a_panel_on_which_a_member_signed(world, vetoed, client_for):
    response = client_for(world.regulator_a).post(f"/reviews/{vetoed.id}/cancel", data={"reason": "重新组织评审"})
    assert response.status_code == 302
    panel = db.session.get(Panel, vetoed.id)
    assert panel.state == "scoring"  # nothing discarded yet
    request = db.session.scalar(select(PanelRequest))
    assert (request.kind, request.state, request.reason, request.requested_by_id) == (
        "cancel", "pending", "重新组织评审", world.regulator_a.id)
    with pytest.raises(ValidationError, match="正在评审"):
        panels.draw_panel(world.regulator_a, panel.round, today=REVIEW_DAY)  # no second panel meanwhile
    assert "panel.request" in actions() and "panel.cancel" not in actions()
    with pytest.raises(ValidationError, match="理由"):
        panels.cancel(world.regulator_a, panel, "  ")


def test_the_requester_cannot_approve_their_own_request_nor_can_another_city(world, vetoed, client_for):
    request = panels.cancel(world.regulator_a, vetoed, "重新组织评审")
    db.session.commit()
    with pytest.raises(PermissionDenied, match="另一名监管人员"):
        panels.decide_request(world.regulator_a, request, approve=True)
    with pytest.raises(PermissionDenied):
        panels.decide_request(world.regulator_b, request, approve=True)
    with pytest.raises(PermissionDenied):
        panels.decide_request(world.admin, request, approve=True)
    own = client_for(world.regulator_a).post(f"/reviews/{vetoed.id}/requests/{request.id}/approve", data={})
    assert own.status_code == 403
    assert db.session.get(Panel, vetoed.id).state == "scoring"
    assert db.session.get(PanelRequest, request.id).state == "pending"


def test_a_second_regulator_approves_and_the_signed_sheet_is_kept_and_shown_to_the_province(
        world, vetoed, colleague, client_for):
    signer = vetoed.members[0]
    request = panels.cancel(world.regulator_a, vetoed, "评审会组织不规范，重新抽取")
    db.session.commit()
    assert "评审会组织不规范" in notices_of(signer)[-1]  # told when it is asked for
    pending = client_for(colleague).get("/reviews/approvals").get_data(as_text=True)
    assert "评审会组织不规范，重新抽取" in pending and world.ent_a.name in pending
    response = client_for(colleague).post(f"/reviews/{vetoed.id}/requests/{request.id}/approve",
                                          data={"note": "同意，已核实"})
    assert response.status_code == 302
    panel = db.session.get(Panel, vetoed.id)
    request = db.session.get(PanelRequest, request.id)
    assert panel.state == "cancelled" and panel.cancelled_reason == "评审会组织不规范，重新抽取"
    assert (request.state, request.decided_by_id) == ("approved", colleague.id)
    signer = db.session.get(PanelMember, signer.id)
    assert signer.signed_at and signer.discarded_at and signer.vetoes() == {"fake_data"}  # kept, marked discarded
    assert signer.opinion == "物料平衡数据与台账不符，涉嫌造假。"
    assert "已撤销" in notices_of(signer)[-1]
    assert all(notices_of(m) for m in panel.active_members)
    assert actions().index("panel.request") < actions().index("panel.cancel") < actions().index(
        "panel.request.approve")
    page = client_for(world.province).get(f"/reviews/{panel.id}/manage").get_data(as_text=True)
    assert "作废的评分表" in page and "物料平衡数据与台账不符，涉嫌造假。" in page and "审核报告数据弄虚作假" in page
    # A new panel may now be drawn; the old sheet is still there.
    panels.draw_panel(world.regulator_a, panel.round, today=REVIEW_DAY)
    db.session.commit()
    assert db.session.get(PanelMember, signer.id).signed_at is not None


def test_a_second_regulator_may_reject_and_the_panel_carries_on(world, vetoed):
    request = panels.cancel(world.regulator_a, vetoed, "重新组织评审")
    panels.decide_request(world.province, request, approve=False, note="已有专家签署，不同意撤销")
    db.session.commit()
    assert vetoed.state == "scoring" and request.state == "rejected" and request.decided_by_id == world.province.id
    with pytest.raises(ValidationError, match="已驳回"):
        panels.decide_request(world.province, request, approve=True)
    assert "不同意撤销" in notices_of(vetoed.members[0])[-1]


def test_a_panel_no_one_has_signed_is_withdrawn_at_once_with_a_reason(world, panel):
    with pytest.raises(ValidationError, match="须写明理由"):
        panels.cancel(world.regulator_a, panel, "")
    assert panels.cancel(world.regulator_a, panel, "轮次撤销") is None
    assert panel.state == "cancelled" and db.session.scalar(select(func.count(PanelRequest.id))) == 0
    assert "轮次撤销" in notices_of(panel.members[0])[-1]


# --- declining on an expert's behalf -----------------------------------------------------------------

def test_a_regulator_cannot_alone_decline_for_an_expert(world, panel, colleague, client_for):
    member = panel.members[1]
    response = client_for(world.regulator_a).post(f"/reviews/{panel.id}/decline",
                                                  data={"member_id": str(member.id), "reason": "专家有利益冲突"})
    assert response.status_code == 302
    member = db.session.get(PanelMember, member.id)
    assert member.state == "active" and len(db.session.get(Panel, panel.id).draws) == 1
    request = db.session.scalar(select(PanelRequest))
    assert (request.kind, request.member_id, request.state) == ("decline", member.id, "pending")
    assert "专家有利益冲突" in notices_of(member)[-1]
    with pytest.raises(PermissionDenied, match="另一名监管人员"):
        panels.decide_request(world.regulator_a, request, approve=True)

    panels.decide_request(colleague, request, approve=True, note="核实属实")
    db.session.commit()
    member = db.session.get(PanelMember, member.id)
    assert member.state == "declined" and member.declined_reason == "专家有利益冲突" and member.replaced_by
    assert len(member.panel.draws) == 2 and panels.verify(member.panel) is True
    assert "已代您" in notices_of(member)[-1]


def test_a_member_who_signs_before_the_decision_keeps_the_seat(world, panel, colleague):
    member = panel.members[1]
    request = panels.decline(world.regulator_a, member, "时间冲突")
    assert isinstance(request, PanelRequest)
    panels.submit_scores(member.expert.user, member, points=full_marks(0.8), opinion="同意", sign=True)
    assert request.state == "lapsed"
    with pytest.raises(ValidationError):
        panels.decide_request(colleague, request, approve=True)
    assert member.state == "active"


def test_an_expert_declining_for_themself_is_still_immediate(world, panel, client_for):
    member = panel.members[2]
    client_for(member.expert.user).post(f"/reviews/{panel.id}/decline", data={"reason": "评审当日出差"})
    assert db.session.get(PanelMember, member.id).state == "declined"
    assert db.session.scalar(select(func.count(PanelRequest.id))) == 0


def test_one_pending_request_at_a_time(world, vetoed):
    panels.cancel(world.regulator_a, vetoed, "重新组织评审")
    with pytest.raises(ValidationError, match="待批准"):
        panels.cancel(world.province, vetoed, "再次申请")
    member = vetoed.members[1]
    panels.decline(world.regulator_a, member, "利益冲突")
    with pytest.raises(ValidationError, match="待批准"):
        panels.decline(world.province, member, "利益冲突")


def test_the_expert_reads_the_notices_on_their_tasks_page(world, vetoed, client_for):
    panels.cancel(world.regulator_a, vetoed, "评审会改期")
    db.session.commit()
    page = client_for(vetoed.members[0].expert.user).get("/experts/me/reviews").get_data(as_text=True)
    assert "评审会改期" in page and "通知" in page


@pytest.mark.config(MAIL_SERVER="smtp.invalid:25", MAIL_SENDER="noreply@example.com")
def test_the_notices_job_emails_each_notice_once_when_smtp_is_configured(world, vetoed, monkeypatch):
    from platform.core import mail
    from platform.experts.jobs import email_notices

    sent = []
    monkeypatch.setattr(mail, "send", lambda to, subject, body: sent.append((to, body)))
    panels.cancel(world.regulator_a, vetoed, "评审会改期")
    db.session.commit()
    assert email_notices() == f"已发送 {len(vetoed.active_members)} 封，失败待重试 0 封"
    db.session.commit()
    assert all("评审会改期" in body for _, body in sent) and len(sent) == len(vetoed.active_members)
    assert email_notices() == "已发送 0 封，失败待重试 0 封"
