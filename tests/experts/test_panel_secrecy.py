"""A panel at work is secret: nothing published lets anyone recompute who sits on it.

While the panel scores, the platform publishes only a commitment to each draw: SHA-256 over the
draw's record. Once the panel has concluded (or was cancelled) the seed, the nonce and the lists
are revealed, and anyone can check both the commitment and the replay. The byte format is written
out here again, independently of draw.py, so that the published recipe is tested as published.
"""
import hashlib
import random
import re

import pytest
from expert_helpers import FAR, REVIEW_DAY
from sqlalchemy import select

from platform.reviews import services as panels
from platform.reviews.models import Panel, PanelDraw
from platform.core.extensions import db

SEED = 9876543210123456789  # nothing else on a page looks like it


def canonical(seed, nonce, requested, candidate_ids, exclusions) -> bytes:
    """The commitment's input as the public page describes it."""
    lines = ["gxcp-panel-draw/1", f"seed={seed}", f"nonce={nonce}", f"requested={requested}",
             "candidates=" + ",".join(str(i) for i in sorted(candidate_ids)),
             "excluded=" + ",".join(f"{i}:{reason}" for i, reason in sorted(exclusions.items()))]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def steel_pool(make_expert, world):
    experts = [make_expert(f"钢铁专家{i}", industries="31", employer=f"单位{i}") for i in range(1, 7)]
    make_expert("同单位", employer_uscc=world.ent_a.uscc)  # excluded: a conflict
    make_expert("化工专家", industries="26")  # excluded: another industry
    return experts


@pytest.fixture
def drawn(world, under_review, steel_pool):
    round_ = under_review(world.ent_a)
    panel = panels.draw_panel(world.regulator_a, round_, seed=SEED, today=REVIEW_DAY)
    db.session.commit()
    return panel


def bodies(world, panel, client, client_for) -> dict[str, str]:
    """Every page and answer about the panel, as each kind of reader gets it."""
    member = panel.members[0].expert.user
    outsider_expert = next(e for e in db.session.scalars(select(type(panel.members[0].expert)))
                           if e.id not in {m.expert_id for m in panel.members})
    pages = {
        "public page": client.get(f"/reviews/{panel.id}"),
        "public list": client.get("/reviews"),
        "public API": client.get(f"/api/v1/reviews/{panel.id}/draw"),
        "enterprise schedule": client_for(world.enterprise_a).get("/reviews/mine"),
        "enterprise public page": client_for(world.enterprise_a).get(f"/reviews/{panel.id}"),
        "member's tasks": client_for(member).get("/experts/me/reviews"),
        "member's score sheet": client_for(member).get(f"/reviews/{panel.id}/score"),
        "member's public page": client_for(member).get(f"/reviews/{panel.id}"),
        "another expert's public page": client_for(outsider_expert.user).get(f"/reviews/{panel.id}"),
        "city regulator's panel page": client_for(world.regulator_a).get(f"/reviews/{panel.id}/manage"),
        "province's panel page": client_for(world.province).get(f"/reviews/{panel.id}/manage"),
        "admin's panel page": client_for(world.admin).get(f"/reviews/{panel.id}/manage"),
        "admin's audit log": client_for(world.admin).get("/admin/audit-log/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


def test_while_the_panel_scores_no_page_or_answer_holds_the_seed_or_the_lists(world, drawn, client, client_for):
    panel = drawn
    for name, body in bodies(world, panel, client, client_for).items():
        assert str(SEED) not in body, f"the seed is on the {name}"
    api = client.get(f"/api/v1/reviews/{panel.id}/draw").get_json()
    item = api["draws"][0]
    for key in ("seed", "nonce", "candidates", "candidate_ids", "excluded", "excluded_by_reason", "eligible",
                "eligible_ids", "chosen_ids", "exclusions"):
        assert key not in item, key
    assert re.fullmatch(r"[0-9a-f]{64}", item["commitment"]) and item["requested"] == 3
    assert api["sealed"] is True
    page = client.get(f"/reviews/{panel.id}").get_data(as_text=True)
    assert item["commitment"] in page and "gxcp-panel-draw/1" in page  # the format, published with the hash
    for label in ("候选专家（专家库全体）", "回避及不符合条件", "符合条件的专家编号", "排除名单"):
        assert label not in page


def test_a_replacement_draw_is_sealed_too(world, drawn, client, client_for):
    panel = drawn
    leaving = panel.members[0]
    client_for(leaving.expert.user).post(f"/reviews/{panel.id}/decline", data={"reason": "评审当日出差"})
    panel = db.session.get(Panel, panel.id)
    assert len(panel.draws) == 2
    api = client.get(f"/api/v1/reviews/{panel.id}/draw").get_json()
    assert [d["seq"] for d in api["draws"]] == [1, 2]
    for d, record in zip(api["draws"], panel.draws):
        assert "seed" not in d and d["commitment"] == record.commitment
        assert record.seed not in str(api)
    for name, body in bodies(world, panel, client, client_for).items():
        for record in panel.draws:
            assert record.seed not in body, f"a seed is on the {name}"


def test_after_the_conclusion_anyone_checks_the_commitment_and_replays_the_draw(world, drawn, scored, client):
    panel = drawn
    sealed = client.get(f"/api/v1/reviews/{panel.id}/draw").get_json()["draws"][0]["commitment"]
    scored(panel, points=85)
    panels.conclude(world.regulator_a, panel, on=REVIEW_DAY, today=FAR)
    db.session.commit()
    api = client.get(f"/api/v1/reviews/{panel.id}/draw").get_json()
    assert api["sealed"] is False
    item = api["draws"][0]
    assert item["seed"] == str(SEED) and item["commitment"] == sealed  # the same hash as before
    exclusions = {int(x["expert_id"]): x["reason"] for x in item["exclusions"]}
    assert set(exclusions.values()) == {"same_employer", "specialty"}
    digest = hashlib.sha256(canonical(item["seed"], item["nonce"], item["requested"], item["candidate_ids"],
                                      exclusions)).hexdigest()
    assert digest == item["commitment"]
    eligible = [i for i in sorted(item["candidate_ids"]) if i not in exclusions]
    assert item["eligible_ids"] == eligible
    assert random.Random(int(item["seed"])).sample(eligible, item["requested"]) == item["chosen_ids"]
    assert item["chosen_ids"] == [m.expert_id for m in panel.members]
    page = client.get(f"/reviews/{panel.id}").get_data(as_text=True)
    assert str(SEED) in page and sealed in page and f"random.Random({SEED}).sample(" in page
    assert api["replay_matches"] is True


def test_a_cancelled_panel_is_revealed(world, drawn, client):
    panels.cancel(world.regulator_a, drawn, "评审会延期")
    db.session.commit()
    item = client.get(f"/api/v1/reviews/{drawn.id}/draw").get_json()["draws"][0]
    assert item["seed"] == str(SEED) and item["chosen_ids"]
    assert str(SEED) in client.get(f"/reviews/{drawn.id}").get_data(as_text=True)


def test_verify_checks_the_commitment_as_well_as_the_replay(world, drawn):
    panel = drawn
    record = db.session.get(PanelDraw, panel.draws[0].id)
    assert panels.verify(panel)
    original = record.commitment
    record.commitment = hashlib.sha256(b"something else").hexdigest()
    assert not panels.verify(panel)
    record.commitment = original
    record.nonce = "0" * 32  # a record changed after the fact no longer matches what was published
    assert not panels.verify(panel)


def test_the_audit_log_keeps_the_commitment_not_the_seed(world, drawn):
    from platform.core.auditlog.models import AuditLog

    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "panel.draw"))
    assert str(SEED) not in str(entry.after) and entry.after["commitment"] == drawn.draws[0].commitment
