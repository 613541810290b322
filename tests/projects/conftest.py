"""Builders for the 两高 register and the result lists: department regulators, projects, accepted rounds."""
from datetime import date, timedelta

import pytest

from platform.accounts import services as accounts
from platform.audits import services as audits
from platform.core.access import SYSTEM
from platform.core.extensions import db
from platform.projects import services as projects

PASSWORD = "Passw0rd-test"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FAR = date(2030, 1, 1)


@pytest.fixture
def department_regulator(app):
    """`department_regulator(department, city)`: a regulator of that department and city."""
    counter = iter(range(1, 10**6))

    def make(department: str, city: str = "450100"):
        user = accounts.create_user(SYSTEM, username=f"{department}-{city}-{next(counter)}", password=PASSWORD,
                                    role="regulator", division_code=city, department=department,
                                    display_name=f"{department} {city}")
        db.session.commit()
        return user
    return make


@pytest.fixture
def token_for(app):
    def issue(user) -> dict:
        plain = accounts.issue_token(SYSTEM, user)
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}
    return issue


@pytest.fixture
def register(app):
    """`register(actor, raw)`: record a project and commit."""
    def make(actor, raw, today=date(2026, 3, 2)):
        project = projects.create(actor, raw, today=today)
        db.session.commit()
        return project
    return make


@pytest.fixture
def accepted(world):
    """`accepted(enterprise, level, on)`: the enterprise's city regulator lists it, and its round runs
    to acceptance (or the simplified procedure's combined review), concluded on `on` with `level`
    (None: not rated; passed=False: failed)."""
    regulators = {"450100": world.regulator_a, "450200": world.regulator_b}

    def run(enterprise, level, on=date(2026, 11, 1), passed=True, listed_on=date(2025, 3, 1)):
        regulator = regulators[enterprise.city_code]
        batch = audits.publish_batch(regulator, title=f"{listed_on} 名单 {enterprise.id}", published_on=listed_on,
                                     usccs=[enterprise.uscc], today=listed_on)
        round_ = batch.rounds[0]
        day = lambda days: listed_on + timedelta(days=days)  # noqa: E731
        audits.disclose(SYSTEM, round_, on=day(19), today=day(19))
        audits.start_audit(SYSTEM, round_, on=day(40), today=day(40))
        audits.submit_report(SYSTEM, round_, on=day(335), data=PDF, filename="审核报告.pdf", today=day(335))
        audits.begin_evaluation(regulator, round_, on=day(365), today=FAR)
        if round_.combined_review:  # the simplified procedure: one review finds the level
            audits.conclude_review(regulator, round_, on=on, passed=passed, level=level, today=FAR,
                                   opinion="" if passed else "绩效未达到。")
        else:
            audits.conclude_evaluation(regulator, round_, on=day(365), passed=True, today=FAR)
            requested = on - timedelta(days=31)
            audits.request_acceptance(SYSTEM, round_, on=requested, today=requested)
            audits.conclude_acceptance(regulator, round_, on=on, passed=passed, level=level, today=FAR,
                                       opinion="" if passed else "绩效未达到。")
        db.session.commit()
        return round_
    return run
