"""The expert pool's world: experts, service organisations, rounds under review, both search backends."""

import pytest

from expert_helpers import profile
from platform.enterprises.uscc import make as make_uscc
from platform.experts import services
from platform.reviews import services as panels
from platform.reviews import rules
from platform.experts.models import Expert
from platform.core.extensions import db

# Shared with other suites: the audit tests' round factories, and the catalogue's fixtures that run a
# test once on each search backend and drain the search queue.
from tests.audits.conftest import advance, listed, pdf  # noqa: F401
from tests.catalogue.conftest import drained, search_app  # noqa: F401
from platform.core.access import SYSTEM


@pytest.fixture
def make_expert(app):
    """`make_expert(name, industries="31", status="approved", conflicts=[uscc, ...], **profile fields)`."""
    counter = iter(range(1, 10**6))

    def factory(name: str | None = None, *, status: str = "approved", conflicts=(), **fields) -> Expert:
        n = next(counter)
        expert = services.create_by_operator(profile(name or f"专家{n:03d}", **fields), username=f"pool-expert-{n}",
                                             password="Passw0rd-test", status=status, reason="测试")
        for uscc in conflicts:
            services.declare_conflict(SYSTEM, expert, uscc=uscc, organisation="申报单位")
        db.session.commit()
        return expert

    return factory


@pytest.fixture
def make_org(app):
    counter = iter(range(1, 10**6))

    def factory(name: str | None = None, city: str = "450100", **fields):
        n = next(counter)
        org = services.create_service_org(SYSTEM, {"name": name or f"测试清洁生产咨询公司{n:02d}",
                                                 "uscc": make_uscc(city, 700000 + n), "division_code": city,
                                                 "contact_phone": "0771-5550199", **fields})
        db.session.commit()
        return org

    return factory


@pytest.fixture
def under_review(world, listed, advance):
    """`under_review(enterprise=world.ent_a, stage="evaluation")`: a round of the enterprise in that stage."""
    def factory(enterprise=None, stage: str = "evaluation"):
        round_ = listed(enterprise or world.ent_a)
        return advance(round_, stage)

    return factory


@pytest.fixture
def scored(world):
    """`scored(panel, points=80, vetoes=())`: every active member scores and signs.

    `points` is a total spread over the items in proportion to their maxima, or {item code: points}.
    """
    def run(panel, points: float | dict = 80, vetoes=(), sign: bool = True):
        share = points if isinstance(points, dict) else {
            item.code: str(round(item.max_points * points / 100, 1)) for item in rules.ITEMS[panel.stage]}
        for member in panel.active_members:
            panels.submit_scores(member.expert.user, member, points=share, vetoes=vetoes,
                                 opinion="报告规范，数据可信。", sign=sign)
        db.session.commit()
        return panel

    return run
