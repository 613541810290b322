"""An expert signs a score sheet only on or after the review meeting's date; before it, the scores
can be saved but not signed, and the page says when signing opens. Signing asks for confirmation."""
from datetime import timedelta

import pytest
from expert_helpers import REVIEW_DAY

from platform.core.errors import ValidationError
from platform.reviews import services as panels
from platform.reviews import rules
from platform.reviews.models import PanelMember
from platform.core.extensions import db
from tests.experts.test_panels import full_marks, score_form, steel_pool  # noqa: F401

MEETING = REVIEW_DAY + timedelta(days=10)


@pytest.fixture
def panel(world, under_review, steel_pool):  # noqa: F811
    drawn = panels.draw_panel(world.regulator_a, under_review(world.ent_a), today=REVIEW_DAY, meeting_on=MEETING)
    db.session.commit()
    return drawn


def test_signing_before_the_meeting_is_refused_and_saving_is_not(panel):
    member = panel.members[0]
    with pytest.raises(ValidationError, match=f"评审会定于 {MEETING.isoformat()}，会后方可签署"):
        panels.submit_scores(member.expert.user, member, points=full_marks(), opinion="同意",
                             sign=True, today=MEETING - timedelta(days=1))
    db.session.rollback()
    panels.submit_scores(member.expert.user, member, points=full_marks(), opinion="同意", today=MEETING - timedelta(days=1))
    panels.submit_scores(member.expert.user, member, points=full_marks(), opinion="同意", sign=True, today=MEETING)
    assert member.signed_at is not None


def test_the_score_page_before_the_meeting_offers_no_signing(panel, client_for, monkeypatch):
    import platform.reviews.views as views

    monkeypatch.setattr(views, "beijing_today", lambda: MEETING - timedelta(days=1))
    monkeypatch.setattr(panels, "beijing_today", lambda: MEETING - timedelta(days=1))
    member = panel.members[0]
    me = client_for(member.expert.user)
    page = me.get(f"/reviews/{panel.id}/score").get_data(as_text=True)
    assert 'value="sign" class="primary" disabled' in page and f"评审会定于 {MEETING.isoformat()}，会后方可签署" in page
    refused = me.post(f"/reviews/{panel.id}/score", data=score_form(full_marks(), action="sign", opinion="同意"))
    assert refused.status_code == 422 and "会后方可签署" in refused.get_data(as_text=True)
    assert db.session.get(PanelMember, member.id).signed_at is None


def test_on_the_meeting_day_signing_asks_for_confirmation(panel, client_for, monkeypatch):
    import platform.reviews.views as views

    monkeypatch.setattr(views, "beijing_today", lambda: MEETING)
    page = client_for(panel.members[0].expert.user).get(f"/reviews/{panel.id}/score").get_data(as_text=True)
    assert 'data-confirm="签署后评分和评审意见不能再修改。确定签署提交？"' in page
