"""Training's world: plans and sessions kept by the regulators of the shared `world`, and experts."""
from datetime import date

import pytest
from training_helpers import AFTER, BEFORE, START

from platform.core.extensions import db
from platform.experts import services as pool
from platform.training import services
from tests.experts.expert_helpers import profile


@pytest.fixture
def make_session(world):
    """`make_session(audience="experts", capacity=30, organiser=world.province, hours=8)` with its plan."""
    def factory(audience: str = "experts", *, capacity: int = 30, organiser=None, hours: int = 8,
                start: date = START, end: date | None = None):
        plan = services.create_plan(organiser or world.province, {
            "title": f"{start.year}年度清洁生产培训（{audience}）", "audience": audience, "year": start.year,
            "hours": 16})
        session = services.add_session(organiser or world.province, plan, {
            "title": "第一期", "starts_on": start, "ends_on": end or start, "place": "南宁市民族大道 培训中心",
            "capacity": capacity, "hours": hours})
        db.session.commit()
        return session

    return factory


@pytest.fixture
def make_pool_expert(app):
    counter = iter(range(1, 10**6))

    def factory(name: str | None = None, **fields):
        n = next(counter)
        expert = pool.create_by_operator(profile(name or f"培训专家{n:03d}", **fields), username=f"trained-expert-{n}",
                                         password="Passw0rd-test", status="approved", reason="测试")
        db.session.commit()
        return expert

    return factory


@pytest.fixture
def certified(world, make_session, make_pool_expert):
    """An expert who attended a session and holds its certificate: (enrolment, expert)."""
    expert = make_pool_expert("王建华")
    session = make_session("experts")
    enrolment = services.enrol_self(expert.user, session, today=BEFORE)
    services.record_attendance(world.province, enrolment, True, today=AFTER)
    db.session.commit()
    return enrolment, expert

