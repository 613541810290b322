"""Demo credit data for `flask demo load`: penalties on a few overdue demo cases, approved and
published through the configured channel (the file drop under `make run`). Idempotent."""
from datetime import timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..audits import cases as case_services
from ..audits.jobs import compliance_scan
from ..audits.models import Case
from ..core.extensions import db
from . import jobs, services
from .models import PenaltyDecision
from ..core.dates import beijing_today
from ..core.access import SYSTEM

OFFICES = {"450100": "南宁市生态环境局", "450200": "柳州市生态环境局"}
# (days before today the decision was made, severity, approved): one old enough for credit repair,
# one recent, and one awaiting approval near the 7-working-day limit (for the regulator's dashboard).
DEMO_DECISIONS = [(150, "general", True), (20, "serious", True), (8, "general", False)]


def load_demo() -> int:
    if db.session.scalar(select(func.count(PenaltyDecision.id))):
        return 0
    today = beijing_today()
    # Open cases of the demo cities (mandatory rounds the scan found late), one per enterprise.
    cases = list(db.session.scalars(select(Case).where(Case.state == "open", Case.due_on.is_not(None))
                                    .order_by(Case.id)))
    # The demo enterprises with a login first, so that one of them can try credit repair.
    with_login = set(db.session.scalars(select(User.enterprise_id).where(User.role == "enterprise")))
    chosen, seen = [], set()
    for case in sorted(cases, key=lambda c: (c.enterprise_id not in with_login, c.id)):
        if case.enterprise.city_code in OFFICES and case.enterprise_id not in seen:
            chosen.append(case)
            seen.add(case.enterprise_id)
    plans, cases_left = [], iter(chosen)
    for days_ago, severity, approved in DEMO_DECISIONS:
        decided_on = today - timedelta(days=days_ago)
        ordered_on, deadline = decided_on - timedelta(days=40), decided_on - timedelta(days=10)
        case = next((c for c in cases_left if c.due_on < ordered_on), None)  # missed before the order
        if case is None:
            break
        case.opened_on = case.due_on + timedelta(days=1)  # as the daily scan would have opened it
        case_services.order_rectification(SYSTEM, case, deadline=deadline, today=ordered_on)
        plans.append((case, decided_on, deadline, severity, approved))
    db.session.flush()
    compliance_scan(today)  # the rectification deadlines have passed: the cases become overdue
    db.session.expire_all()
    for n, (case, decided_on, deadline, severity, approved) in enumerate(plans):
        office = OFFICES[case.enterprise.city_code]
        decision = services.record_penalty(
            SYSTEM, case, decision_no=f"{office[:2]}环罚〔{decided_on.year}〕{case.id}号", decided_on=decided_on,
            severity=severity, office_name=office, legal_basis=None,  # the cause's article (audits/rules.py)
            fine_yuan=(100000 + 50000 * n) if case.penalty.needs_refusal else 30000 + 20000 * n,
            facts=f"{case.enterprise.name}被列入强制性清洁生产审核名单后{case.cause_label}，"
                  f"经责令于 {deadline.isoformat()} 前改正，逾期仍未改正。", today=today)
        if approved:
            services.approve(SYSTEM, decision.record, today=today)
    jobs.publish()  # commits batch by batch, as the scheduled job does
    return len(plans)
