"""A declared priority chemical (优先控制化学品) makes the firm's next round strict (广西方案 差别化审核):
the listing import sets enterprise.toxic_substances, which audits.rules.procedure_choice reads, and the
flag holds while a declaration within the rule's window stands (the mechanism of the 两高 register)."""
from datetime import date

import pytest
from sqlalchemy import select

from listing_helpers import csv_file
from platform.audits import services as audits
from platform.core.access import SYSTEM
from platform.core.auditlog.models import AuditLog
from platform.core.errors import ValidationError
from platform.core.extensions import db
from platform.enterprises import services as enterprises
from platform.listing import candidates
from platform.listing.importer import import_file

TODAY = date(2026, 3, 2)
HEADER = ["统一社会信用代码", "化学品", "使用或排放", "数量（t）", "年份"]


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(candidates, "beijing_today", lambda: TODAY)


def _flag_changes(enterprise):
    return db.session.scalars(select(AuditLog).where(
        AuditLog.object_type == "enterprise", AuditLog.object_id == str(enterprise.id),
        AuditLog.action == "enterprise.update")).all()


def test_a_declaration_import_makes_the_next_round_strict_and_a_firm_without_one_stays_simplified(
        world, make_enterprise, make_regulator, fixed_today):
    # Group headquarters (7212): no 两高 or 高耗水 industry, so only the declaration can make one strict.
    declaring = make_enterprise("450100", name="南宁某某精细化工有限公司", industry_code="7212")
    plain = make_enterprise("450100", name="南宁某某控股集团有限公司", industry_code="7212")
    importer = make_regulator("450100", "ecology_environment")
    report = import_file(importer, "chemicals", csv_file([HEADER, [declaring.uscc, "二氯甲烷", "使用", "12.5", "2025"]]),
                         "c.csv", today=TODAY)
    assert report.created == 1 and not report.errors
    assert declaring.toxic_substances and not plain.toxic_substances
    [change] = _flag_changes(declaring)
    assert (change.before, change.after) == ({"toxic_substances": False}, {"toxic_substances": True})
    assert change.actor_name == importer.username and "二氯甲烷" in change.note and "2025" in change.note
    assert _flag_changes(plain) == []

    # The same file again changes nothing and writes no second flag change.
    assert import_file(importer, "chemicals", csv_file([HEADER, [declaring.uscc, "二氯甲烷", "使用", "12.5", "2025"]]),
                       "c.csv", today=TODAY).unchanged == 1
    assert len(_flag_changes(declaring)) == 1

    batch = audits.publish_batch(world.regulator_a, title="2026 年名单", published_on=TODAY,
                                 usccs=[declaring.uscc, plain.uscc], today=TODAY)
    rounds = {r.enterprise_id: r for r in batch.rounds}
    assert rounds[declaring.id].procedure == "full" and rounds[plain.id].procedure == "simplified"
    assert rounds[declaring.id].procedure_reasons == ["使用或排放有毒有害物质（含优先控制化学品）"]
    assert rounds[plain.id].procedure_reasons == ["不属于两高、高耗水、高排放或使用优先控制化学品的企业"]


def test_the_flag_holds_while_a_declaration_in_the_window_stands(world, make_enterprise, fixed_today):
    firm = make_enterprise("450100", industry_code="7212")
    import_file(SYSTEM, "chemicals", csv_file([HEADER, [firm.uscc, "PC008", "排放", "0.02", "2025"]]), "c.csv",
                today=TODAY)
    with pytest.raises(ValidationError) as refused:
        enterprises.update(world.regulator_a, firm, {"toxic_substances": False})
    assert refused.value.field == "toxic_substances" and "优先控制化学品" in refused.value.message
    assert firm.toxic_substances

    # A declaration older than the window (2 years by default: 2025–2026 on 2026-03-02) holds nothing:
    # it sets no flag on import, and a flag set by hand may be cleared.
    old = make_enterprise("450100", industry_code="7212")
    import_file(SYSTEM, "chemicals", csv_file([HEADER, [old.uscc, "二氯甲烷", "使用", "3", "2023"]]), "c.csv",
                today=TODAY)
    assert not old.toxic_substances and _flag_changes(old) == []
    enterprises.update(world.regulator_a, old, {"toxic_substances": True})
    assert enterprises.update(world.regulator_a, old, {"toxic_substances": False})
    assert not old.toxic_substances


def test_a_refused_file_sets_no_flag(make_enterprise, fixed_today):
    firm = make_enterprise("450100", industry_code="7212")
    report = import_file(SYSTEM, "chemicals", csv_file([HEADER, [firm.uscc, "二氯甲烷", "使用", "12.5", "2025"],
                                                        [firm.uscc, "可乐", "使用", "3", "2025"]]), "c.csv", today=TODAY)
    assert report.kept_nothing and not firm.toxic_substances and _flag_changes(firm) == []
