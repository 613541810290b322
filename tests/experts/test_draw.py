"""The draw is fair and replayable: no panel ever holds a conflicted expert, and a seed always gives the same panel.

The conflict rules are restated here independently of draw.exclusion_reason, so that a mistake
there cannot hide itself.
"""
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from platform.accounts.models import User
from platform.audits.models import AuditRound
from platform.enterprises.uscc import make as make_uscc
from platform.core.errors import ValidationError
from platform.experts import engagements
from platform.reviews import draw
from platform.reviews import services as panels
from platform.experts.models import Expert, ExpertConflict
from platform.reviews.models import Panel, PanelDraw, PanelExclusion, PanelMember
from platform.core.extensions import db
from platform.core.reference.models import Industry
from platform.core.access import SYSTEM

ENTERPRISE = make_uscc("450100", 1)
ORG = make_uscc("450100", 2)
OTHERS = [make_uscc("450200", n) for n in range(3, 6)]
INDUSTRY = "31"


def may_sit(c: draw.Candidate, review: draw.Review) -> bool:
    """The rules of DESIGN §2 and the issue, written out once more."""
    return (c.status == "approved" and review.industry_code in c.industry_codes
            and c.employer_uscc != review.enterprise_uscc
            and c.employer_uscc != review.service_org_uscc
            and review.enterprise_uscc not in c.declared_usccs
            and (review.service_org_uscc is None or review.service_org_uscc not in c.declared_usccs)
            and c.id not in review.on_panel and c.id not in review.declined)


candidates = st.builds(
    lambda i, status, employer, industries, declared: draw.Candidate(
        id=i, status=status, employer_uscc=employer, industry_codes=frozenset(industries),
        declared_usccs=frozenset(declared)),
    st.integers(1, 10_000),
    st.sampled_from(["approved", "approved", "approved", "pending", "suspended", "retired"]),
    st.sampled_from(OTHERS * 3 + [ENTERPRISE, ORG]),
    st.sets(st.sampled_from([INDUSTRY, "32", "26"]), min_size=1),
    st.sets(st.sampled_from(OTHERS + [ENTERPRISE, ORG]), max_size=2),
)
pools = st.lists(candidates, max_size=40, unique_by=lambda c: c.id)  # the simplest values first: may sit


@settings(max_examples=300, deadline=None)
@given(pool=pools, clean=st.integers(0, 8), with_org=st.booleans(), seed=st.integers(0, 2**64 - 1),
       size=st.integers(1, 7), on_panel=st.sets(st.integers(1, 10_010), max_size=3))
def test_no_drawn_expert_is_conflicted_and_every_draw_replays(pool, clean, with_org, seed, size, on_panel):
    pool = pool + [draw.Candidate(10_000 + i, "approved", OTHERS[0], frozenset({INDUSTRY})) for i in range(1, clean + 1)]
    review = draw.Review(enterprise_uscc=ENTERPRISE, industry_code=INDUSTRY, service_org_uscc=ORG if with_org else None,
                         on_panel=frozenset(on_panel))
    allowed = sorted(c.id for c in pool if may_sit(c, review))
    if len(allowed) < size:
        event("pool too small")
        with pytest.raises(ValidationError, match="不足|没有可替补"):
            draw.run(pool, review, seed, size)
        return
    event("panel drawn")
    outcome = draw.run(pool, review, seed, size)
    by_id = {c.id: c for c in pool}
    assert len(outcome.chosen_ids) == len(set(outcome.chosen_ids)) == size
    assert all(may_sit(by_id[i], review) for i in outcome.chosen_ids)
    assert outcome.eligible_ids == allowed
    assert outcome.candidate_ids == sorted(by_id)
    assert set(outcome.exclusions) == set(by_id) - set(allowed)
    assert draw.replay(outcome.candidate_ids, outcome.exclusions, seed, size) == outcome.chosen_ids


def test_the_same_seed_gives_the_same_panel_and_another_seed_may_not():
    pool = [draw.Candidate(i, "approved", OTHERS[0], frozenset({INDUSTRY})) for i in range(1, 31)]
    review = draw.Review(enterprise_uscc=ENTERPRISE, industry_code=INDUSTRY)
    first = draw.run(pool, review, 12345678901234567890, 5)
    assert draw.run(list(reversed(pool)), review, 12345678901234567890, 5).chosen_ids == first.chosen_ids
    assert draw.replay(first.candidate_ids, [], 12345678901234567890, 5) == first.chosen_ids
    others = {tuple(draw.run(pool, review, seed, 5).chosen_ids) for seed in range(20)}
    assert len(others) > 1


def test_the_published_recipe_is_plain_python():
    """What the public page tells anyone to run gives the recorded members."""
    import random

    eligible = [3, 8, 15, 16, 23, 42]
    assert draw.choose(eligible, 2**64 - 1, 3) == random.Random(2**64 - 1).sample(eligible, 3)


# --- the same property on the database, through the service ---------------------------------------------

def _user(n: int) -> User:
    user = User(username=f"pool-{n}", password_hash="-", role="expert", display_name=f"专家{n}")
    db.session.add(user)
    db.session.flush()
    return user


def _pool_expert(n: int, status: str, employer: str, industries: set[str], declared: set[str]) -> Expert:
    expert = Expert(user_id=_user(n).id, name=f"专家{n}", title="高级工程师", employer="某单位", employer_uscc=employer,
                    years_of_practice=10, phone="0771-1234567", status=status,
                    status_reason=None if status in ("pending", "approved") else "测试")
    expert.industries = list(db.session.scalars(select(Industry).where(Industry.code.in_(industries))))
    expert.conflicts = [ExpertConflict(uscc=u) for u in declared]
    db.session.add(expert)
    return expert


@pytest.fixture
def evaluation_round(world, under_review, make_org):
    """(round id, its regulator's id): plain values, as each example empties the session."""
    round_ = under_review(world.ent_a, "evaluation")
    engagements.set_directly(SYSTEM, round_, make_org().id)
    db.session.commit()
    return round_.id, world.regulator_a.id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(st.tuples(
    # The simplest value (which Hypothesis favours) first: an expert who may sit.
    st.sampled_from(["approved", "approved", "pending", "suspended", "retired"]),
    st.sampled_from(["other", "other", "enterprise", "org"]),
    st.sampled_from([{"31"}, {"31", "32"}, {"32"}]),
    st.sampled_from([set(), {"none"}, {"enterprise"}, {"org"}])), max_size=16),
    clean=st.integers(0, 6), size=st.integers(3, 5))
def test_a_panel_drawn_from_any_pool_has_no_conflicted_member_and_replays(evaluation_round, specs, clean, size):
    # Each example starts from the committed world and leaves nothing behind (rollback, then a clean session).
    round_id, regulator_id = evaluation_round
    round_, regulator = db.session.get(AuditRound, round_id), db.session.get(User, regulator_id)
    org_uscc = _org_uscc(round_)
    codes = {"enterprise": round_.enterprise.uscc, "org": org_uscc, "other": OTHERS[0], "none": OTHERS[1]}
    try:
        specs = [("approved", "other", {"31"}, set())] * clean + specs
        for n, (status, employer, industries, declared) in enumerate(specs, start=1):
            _pool_expert(n, status, codes[employer], industries, {codes[d] for d in declared})
        db.session.flush()
        try:
            panel = panels.draw_panel(regulator, round_, size=size, today=date(2026, 3, 5))
        except ValidationError as exc:
            event("pool too small")
            assert "不足" in exc.message
            assert db.session.scalar(select(func.count(Panel.id))) == 0
            assert db.session.scalar(select(func.count(PanelDraw.id))) == 0
            return
        event("panel drawn")
        members = [db.session.get(Expert, m.expert_id) for m in panel.members]
        assert len(members) == size
        for expert in members:
            declared_codes = {c.uscc for c in expert.conflicts}
            assert expert.status == "approved"
            assert round_.enterprise.industry_code in expert.industry_codes
            assert expert.employer_uscc not in (round_.enterprise.uscc, org_uscc)
            assert not declared_codes & {round_.enterprise.uscc, org_uscc}
        assert panels.verify(panel)
        excluded = db.session.scalar(select(func.count(PanelExclusion.id)))
        record = panel.draws[0]
        eligible = [i for i in record.candidate_ids if i not in {x.expert_id for x in record.exclusions}]
        assert excluded + len(eligible) == len(specs)
        assert db.session.scalar(select(func.count(PanelMember.id))) == size
    finally:
        db.session.rollback()
        db.session.expunge_all()


def _org_uscc(round_) -> str:
    from platform.experts.models import ServiceOrg

    return db.session.get(ServiceOrg, round_.service_org_id).uscc
