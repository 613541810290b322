"""Only the departments that organise clean-production audits decide on an enterprise's audit
(《清洁生产审核办法》第四条; core.access.AUDIT_DEPARTMENTS). A regulator of agriculture, housing or
transport of the same city reads the registers but does not list, conclude, cancel or open a case."""
from datetime import date

import pytest

from platform.accounts import services as accounts
from platform.audits import cases, services
from platform.core.access import SYSTEM, AUDIT_DEPARTMENTS, regulates_city
from platform.core.errors import PermissionDenied
from platform.core.extensions import db

FAR = date(2030, 1, 1)


def _regulator(department: str, city: str = "450100"):
    user = accounts.create_user(SYSTEM, username=f"{department}-{city}", password="Guangxi-2026!x",
                                role="regulator", division_code=city, department=department,
                                display_name=f"{department} {city}")
    db.session.commit()
    return user


@pytest.mark.parametrize("department", ["agriculture", "housing", "transport"])
def test_a_sector_departments_regulator_cannot_decide_on_an_audit(world, listed, advance, department):
    outsider = _regulator(department)
    assert not regulates_city(outsider, "450100")
    with pytest.raises(PermissionDenied, match="部门无权"):
        services.publish_batch(outsider, title="名单", published_on=date(2025, 3, 1),
                               usccs=[world.ent_a.uscc], today=date(2025, 3, 1))
    db.session.rollback()

    round_ = advance(listed(world.ent_a), "report_submitted")
    with pytest.raises(PermissionDenied, match="部门无权"):
        services.begin_evaluation(outsider, round_, on=date(2026, 3, 1), today=FAR)
    with pytest.raises(PermissionDenied, match="部门无权"):
        services.cancel(outsider, round_, reason="误列", today=FAR)
    db.session.rollback()
    assert round_.state == "report_submitted"


@pytest.mark.parametrize("department", AUDIT_DEPARTMENTS)
def test_the_audit_departments_regulators_decide(world, listed, advance, department):
    regulator = _regulator(department)
    round_ = advance(listed(world.ent_a), "report_submitted")
    services.begin_evaluation(regulator, round_, on=date(2026, 3, 1), today=FAR)
    assert round_.state == "evaluation"


def test_a_sector_departments_regulator_cannot_open_a_case(world, listed):
    round_ = listed(world.ent_a)
    outsider = _regulator("agriculture")
    with pytest.raises(PermissionDenied):
        cases.open_case(outsider, round_, cause="disclosure_overdue", today=date(2025, 5, 1))
