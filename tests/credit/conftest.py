"""The credit world: overdue cases, penalties on them, approved records, and a fake credit channel."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from platform.accounts import services as accounts
from platform.audits import cases as case_services
from platform.audits import services as audits
from platform.audits.jobs import compliance_scan
from platform.audits.models import Case
from platform.credit import services
from tests.credit.fake_channel import FakeCreditChannel
from platform.core.extensions import db
from platform.audits.rules import ART39

from credit_world import LISTED_ON, PDF, T0
from platform.core.access import SYSTEM



@pytest.fixture
def pdf():
    return PDF


def _regulator(world, enterprise):
    return world.regulator_a if enterprise.city_code == "450100" else world.regulator_b


@pytest.fixture
def overdue_cases(world):
    """`overdue_cases(enterprises, listed_on)`: listed together, silent past the disclosure deadline,
    ordered to rectify within three weeks, and still silent the day after: every case is overdue."""
    def factory(enterprises, listed_on: date = LISTED_ON) -> list[Case]:
        by_city = {}
        for enterprise in enterprises:
            by_city.setdefault(enterprise.city_code, []).append(enterprise)
        for city_enterprises in by_city.values():
            audits.publish_batch(_regulator(world, city_enterprises[0]), title=f"{listed_on} 名单", published_on=listed_on,
                                 usccs=[e.uscc for e in city_enterprises], today=listed_on)
        opened_on = listed_on + timedelta(days=32)
        compliance_scan(opened_on)
        ordered_on, deadline = opened_on + timedelta(days=3), opened_on + timedelta(days=24)
        cases = []
        for enterprise in enterprises:
            case = db.session.scalar(select(Case).where(Case.enterprise_id == enterprise.id,
                                                        Case.cause == "disclosure_overdue"))
            case_services.order_rectification(_regulator(world, enterprise), case, deadline=deadline, today=ordered_on)
            cases.append(case)
        compliance_scan(deadline + timedelta(days=1))
        db.session.commit()
        assert {c.state for c in cases} == {"overdue"}
        return cases

    return factory


@pytest.fixture
def overdue_case(overdue_cases, world):
    def factory(enterprise=None, listed_on: date = LISTED_ON) -> Case:
        return overdue_cases([enterprise or world.ent_a], listed_on)[0]

    return factory


@pytest.fixture
def penalize(world):
    """Record a penalty on a case (by the city's regulator) and return its credit record."""
    def run(case, *, decided_on: date = date(2026, 4, 10), fine="100000", severity="general", decision_no=None):
        decision = services.record_penalty(
            _regulator(world, case.enterprise), case, decision_no=decision_no or f"桂环罚〔2026〕{case.id}号",
            decided_on=decided_on, facts="列入强制性清洁生产审核名单后逾期未公开企业信息，经责令限期整改仍未改正。",
            legal_basis=ART39.legal_basis, fine_yuan=fine, severity=severity, today=decided_on)
        db.session.commit()
        return decision.record

    return run


@pytest.fixture
def approve(world):
    """The province regulator approves (the city regulator who entered the penalty may not)."""
    def run(record, note: str = "", today: date | None = None):
        delivery = services.approve(world.province, record, note=note, today=today or record.decision.decided_on,
                                    now=T0 - timedelta(hours=1))
        db.session.commit()
        return delivery

    return run


@pytest.fixture
def records(make_enterprise, overdue_cases, penalize, approve):
    """`records(n, approved=True)`: n enterprises of city A, each with an overdue case and a penalty."""
    def factory(n: int, approved: bool = True, decided_on: date = date(2026, 4, 10)):
        cases = overdue_cases([make_enterprise("450100") for _ in range(n)])
        out = [penalize(case, decided_on=decided_on) for case in cases]
        if approved:
            for record in out:
                approve(record)
        return out

    return factory


@pytest.fixture
def sink(app):
    """A fake credit channel over HTTP at CREDIT_CHANNEL_URL; `sink.plan` scripts its answers.
    Tests choose the channel with @pytest.mark.config(CREDIT_CHANNEL="http", ...)."""
    with FakeCreditChannel(hang_seconds=1.2) as channel:
        app.config["CREDIT_CHANNEL_URL"] = channel.url
        yield channel


@pytest.fixture
def token():
    def issue(user) -> dict:
        plain = accounts.issue_token(SYSTEM, user)
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return issue
