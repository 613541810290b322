"""The demo pool loads on top of demo-like rounds, and loading it twice changes nothing."""
from sqlalchemy import func, select

from platform.experts import demo

from platform.reviews import services as panels
from platform.audits.models import AuditRound
from platform.experts.models import Expert, ServiceEngagement, ServiceOrg
from platform.reviews.models import Panel
from platform.core.extensions import db


def test_the_demo_pool_is_idempotent_and_its_panels_replay(world, listed, advance):
    for enterprise in (world.ent_a, world.ent_b):
        advance(listed(enterprise), "report_submitted")
    demo.load_demo()
    db.session.commit()
    counts = [db.session.scalar(select(func.count(m.id))) for m in (Expert, ServiceOrg, Panel)]
    assert counts[0] >= 40 and counts[1] == 3 and counts[2] >= 1
    assert demo.load_demo() == 0
    assert [db.session.scalar(select(func.count(m.id))) for m in (Expert, ServiceOrg, Panel)] == counts
    assert all(panels.verify(p) for p in db.session.scalars(select(Panel)))
    assert {p.state for p in db.session.scalars(select(Panel))} <= {"scoring", "concluded"}



def test_the_demo_engagements_are_confirmed(world, listed, advance):
    for enterprise in (world.ent_a, world.ent_b):
        advance(listed(enterprise), "report_submitted")
    demo.load_demo()
    db.session.commit()
    linked = list(db.session.scalars(select(AuditRound).where(AuditRound.service_org_id.is_not(None))))
    assert linked
    for round_ in linked:
        confirmed = db.session.scalar(select(ServiceEngagement).where(
            ServiceEngagement.round_id == round_.id, ServiceEngagement.state == "confirmed",
            ServiceEngagement.service_org_id == round_.service_org_id))
        assert confirmed is not None, round_.id
    assert db.session.scalar(select(func.count(ServiceEngagement.id)).where(ServiceEngagement.state == "pending")) == 0
