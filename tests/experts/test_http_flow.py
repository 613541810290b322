"""Done-when of the expert issue, through HTTP as people use it: registration → approval → draw → scores →
conclusion, for evaluation and then acceptance, until the round is accepted."""
from datetime import date

from expert_helpers import EMAIL, PHONE
from sqlalchemy import select

from platform.audits import services as audits
from platform.enterprises.uscc import make as make_uscc
from platform.reviews import rules
from platform.experts.models import Expert
from platform.reviews.models import Panel
from platform.core.extensions import db


def sign_up(client, n: int) -> None:
    response = client.post("/experts/register", data={
        "username": f"steel-expert-{n}", "password": "Qingjie2026x", "confirm": "Qingjie2026x",
        "name": f"冶金专家{n}", "title": "高级工程师", "employer": f"某研究院{n}",
        "employer_uscc": make_uscc("450300", 880 + n, "1", "2"), "industry_codes": ["31"],
        "years_of_practice": "12", "phone": PHONE, "email": EMAIL})
    assert response.status_code == 302, response.get_data(as_text=True)


def review(app, client_for, regulator, round_, stage: str, points: str, day: date) -> Panel:
    """The regulator draws, every member scores and signs, the regulator records the conclusion."""
    drawn = client_for(regulator).post(f"/reviews/rounds/{round_.id}/draw",
                                       data={"size": "3", "meeting_on": day.isoformat(), "location": "南宁市"})
    assert drawn.status_code == 302
    panel = db.session.scalar(select(Panel).where(Panel.round_id == round_.id, Panel.stage == stage))
    for member in panel.members:
        expert = client_for(member.expert.user)
        assert f"/reviews/{panel.id}/score" in expert.get("/experts/me/reviews").get_data(as_text=True)
        form = {f"points_{item.code}": str(round(item.max_points * float(points) / 100, 1))
                for item in rules.ITEMS[stage]}
        signed = expert.post(f"/reviews/{panel.id}/score", data={**form, "opinion": "同意", "action": "sign"})
        assert signed.status_code == 302, signed.get_data(as_text=True)
    manage = client_for(regulator).get(f"/reviews/{panel.id}/manage").get_data(as_text=True)
    assert "出具" in manage and "已封存" in manage
    concluded = client_for(regulator).post(f"/reviews/{panel.id}/conclude", data={"on": day.isoformat()})
    assert concluded.status_code == 302
    assert "承诺值与重放复核一致" in client_for(regulator).get(f"/reviews/{panel.id}/manage").get_data(as_text=True)
    return db.session.get(Panel, panel.id)


def test_registration_approval_draw_scores_and_conclusions_take_a_round_to_accepted(
        app, client, client_for, world, listed, advance):
    for n in range(1, 5):
        sign_up(app.test_client(), n)
    province = client_for(world.province)
    experts = db.session.scalars(select(Expert).order_by(Expert.id)).all()
    assert [e.status for e in experts] == ["pending"] * 4
    for expert in experts:
        assert province.post(f"/experts/pool/{expert.id}/decide", data={"action": "approve"}).status_code == 302
    assert {e.status for e in db.session.scalars(select(Expert))} == {"approved"}

    round_ = advance(listed(world.ent_a), "evaluation")
    evaluation = review(app, client_for, world.regulator_a, round_, "evaluation", "82", date(2026, 3, 15))
    assert evaluation.passed and evaluation.outcome_label == "通过"
    assert round_.state == "evaluation_passed"

    audits.request_acceptance(world.enterprise_a, round_, on=date(2026, 10, 1), today=date(2026, 10, 1))
    db.session.commit()
    acceptance = review(app, client_for, world.regulator_a, round_, "acceptance", "76", date(2026, 10, 20))
    assert acceptance.passed and acceptance.outcome_label == "合格"
    db.session.refresh(round_)
    assert round_.state == "accepted" and round_.acceptance_concluded_on == date(2026, 10, 20)

    schedule = client_for(world.enterprise_a).get("/reviews/mine").get_data(as_text=True)
    assert "合格" in schedule and "通过" in schedule and "冶金专家" in schedule
    public = client.get(f"/audit-status/{world.ent_a.uscc}").get_data(as_text=True)
    assert "验收合格" in public
    for url in (f"/reviews/{evaluation.id}", f"/reviews/{acceptance.id}", "/reviews", "/experts"):
        body = client.get(url).get_data(as_text=True)
        assert PHONE not in body and EMAIL not in body, url
