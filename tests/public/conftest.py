"""The public pages' world: listed firms, an open case and a published credit record, by the services,
on dates counted back from today (the public pages show what is on view today, in Beijing)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from platform.audits import cases as case_services, services as audits
from platform.audits.jobs import compliance_scan
from platform.audits.models import Case
from platform.audits.rules import ART39
from platform.core import mail
from platform.core.dates import beijing_today
from platform.core.extensions import db
from platform.credit import jobs as credit_jobs, services as credit


@pytest.fixture
def outbox(app):
    kept = mail.outbox()
    kept.clear()
    return kept


@pytest.fixture
def listed(world):
    """`listed(regulator, enterprises, on)`: a mandatory list of the regulator's city."""
    def run(regulator, enterprises, on=None):
        on = on or beijing_today() - timedelta(days=200)
        batch = audits.publish_batch(regulator, title=f"{on} 强制性清洁生产审核名单", published_on=on,
                                     usccs=[e.uscc for e in enterprises], today=on)
        db.session.commit()
        return batch
    return run


@pytest.fixture
def published_record(world, listed):
    """City A's enterprise: listed 200 days ago, silent, ordered to rectify, still silent, penalized 30
    days ago, approved by the province and delivered: a credit record on public view."""
    def run(enterprise=None, regulator=None):
        enterprise, regulator = enterprise or world.ent_a, regulator or world.regulator_a
        today = beijing_today()
        listed(regulator, [enterprise], today - timedelta(days=200))
        opened_on = today - timedelta(days=160)
        compliance_scan(opened_on)
        case = db.session.scalar(select(Case).where(Case.enterprise_id == enterprise.id, Case.cause == "disclosure_overdue"))
        case_services.order_rectification(regulator, case, deadline=opened_on + timedelta(days=20), today=opened_on + timedelta(days=2))
        compliance_scan(opened_on + timedelta(days=21))
        decided_on = today - timedelta(days=30)
        decision = credit.record_penalty(
            regulator, case, decision_no=f"桂环罚〔{decided_on.year}〕{case.id}号", decided_on=decided_on,
            facts="列入强制性清洁生产审核名单后逾期未公开企业信息，经责令限期整改仍未改正。",
            legal_basis=ART39.legal_basis, fine_yuan="100000", severity="general", today=decided_on)
        db.session.commit()
        credit.approve(world.province, decision.record, today=decided_on)
        db.session.commit()
        credit_jobs.publish()
        db.session.commit()
        assert decision.record.state == "published"
        return decision.record
    return run
