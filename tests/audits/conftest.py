from datetime import date

import pytest

from platform.audits import services
from platform.audits.demo import fill_disclosure
from platform.core.extensions import db
from platform.core.access import SYSTEM

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def pdf():
    return PDF


@pytest.fixture
def listed(world):
    """`listed(enterprise, on)`: the enterprise's city regulator lists it on a published batch."""
    regulators = {"450100": world.regulator_a, "450200": world.regulator_b}

    def factory(enterprise, on: date = date(2025, 3, 1)):
        batch = services.publish_batch(regulators[enterprise.city_code], title=f"{on} 名单", published_on=on,
                                       usccs=[enterprise.uscc], today=on)
        db.session.commit()
        return batch.rounds[0]

    return factory


@pytest.fixture
def advance(world):
    """Drive a round forward through the enterprise's and the regulator's steps, with given dates."""
    def run(round_, until: str, *, disclosed=date(2025, 3, 20), started=date(2025, 4, 10),
            reported=date(2026, 2, 1), evaluated=date(2026, 3, 1), requested=date(2026, 10, 1),
            accepted=date(2026, 11, 1)):
        ent_user = {world.ent_a.id: world.enterprise_a, world.ent_b.id: world.enterprise_b}.get(round_.enterprise_id, SYSTEM)
        regulator = world.regulator_a if round_.enterprise.city_code == "450100" else world.regulator_b
        far = date(2030, 1, 1)
        steps = [
            ("disclosed", lambda: (fill_disclosure(ent_user, round_, disclosed),
                                   services.disclose(ent_user, round_, on=disclosed, today=disclosed))),
            ("auditing", lambda: services.start_audit(ent_user, round_, on=started, today=started)),
            ("report_submitted", lambda: services.submit_report(ent_user, round_, on=reported, data=PDF,
                                                                filename="审核报告.pdf", today=reported)),
            ("evaluation", lambda: services.begin_evaluation(regulator, round_, on=evaluated, today=far)),
            ("evaluation_passed", lambda: services.conclude_evaluation(regulator, round_, on=evaluated, passed=True,
                                                                       today=far)),
            ("acceptance", lambda: services.request_acceptance(ent_user, round_, on=requested, today=requested)),
            ("accepted", lambda: services.conclude_acceptance(regulator, round_, on=accepted, passed=True, today=far)),
        ]
        for state, step in steps:
            step()
            if state == until:
                break
        db.session.commit()
        return round_

    return run
