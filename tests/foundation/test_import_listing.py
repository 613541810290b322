"""名单公布日期 in an enterprise import file lists the enterprise for a mandatory audit round
published that day (DESIGN §4); importing the same file again changes nothing."""
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from foundation_helpers import audit_count, count, text
from platform.audits.models import AuditRound, ListBatch
from platform.audits.services import current_round
from platform.audits.importer import import_register as import_enterprises  # with the listing step
from platform.enterprises.models import Enterprise
from platform.enterprises.uscc import make
from platform.core.extensions import db
from platform.core.access import SYSTEM

HEADERS = ["企业名称", "统一社会信用代码", "行政区划代码", "行业代码", "强制审核原因", "名单公布日期"]
LISTED = make("450100", 601)


def _csv(*rows) -> bytes:
    lines = [",".join(HEADERS)] + [",".join(row) for row in rows]
    return "\n".join(lines).encode()


def _round_of(uscc: str) -> AuditRound | None:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    return current_round(enterprise.id)


@pytest.mark.parametrize("written", ["2025-03-01", "2025/3/1", "2025年3月1日", "2025.03.01"])
def test_an_enterprise_with_a_list_date_is_listed_for_a_mandatory_round_that_day(app, written):
    report = import_enterprises(SYSTEM, _csv(["南宁己冶炼有限公司", LISTED, "450102", "3216", "超总量排放", written]), "a.csv")
    db.session.commit()
    assert (report.created, report.errors) == (1, [])
    listed = _round_of(LISTED)
    assert (listed.kind, listed.state, listed.listed_on) == ("mandatory", "listed", date(2025, 3, 1))
    assert db.session.scalar(select(ListBatch.published_on)) == date(2025, 3, 1)


def test_an_excel_date_cell_is_read_as_the_list_date(app):
    workbook = Workbook()
    workbook.active.append(HEADERS)
    workbook.active.append(["南宁己冶炼有限公司", LISTED, "450102", "3216", None, datetime(2025, 3, 1)])
    out = io.BytesIO()
    workbook.save(out)
    assert import_enterprises(SYSTEM, out.getvalue(), "a.xlsx").created == 1
    assert _round_of(LISTED).listed_on == date(2025, 3, 1)


def test_re_importing_a_list_changes_nothing(app):
    data = _csv(["南宁己冶炼有限公司", LISTED, "450102", "3216", "超总量排放", "2025-03-01"],
                ["南宁庚造纸有限公司", make("450100", 602), "450103", "2211", "", ""])
    import_enterprises(SYSTEM, data, "a.csv")
    db.session.commit()
    rounds, log = count(AuditRound), audit_count()
    again = import_enterprises(SYSTEM, data, "a.csv")
    db.session.commit()
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 2, [])
    assert (count(AuditRound), audit_count()) == (rounds, log)


def test_a_registered_enterprise_gets_listed_by_a_later_file(app):
    import_enterprises(SYSTEM, _csv(["南宁己冶炼有限公司", LISTED, "450102", "3216", "", ""]), "a.csv")
    db.session.commit()
    report = import_enterprises(SYSTEM, _csv(["南宁己冶炼有限公司", LISTED, "450102", "3216", "", "2025-03-01"]), "a.csv")
    assert report.updated == 1
    assert _round_of(LISTED).listed_on == date(2025, 3, 1)


def test_a_second_list_date_while_a_round_is_open_is_refused_and_nothing_written(app):
    import_enterprises(SYSTEM, _csv(["南宁己冶炼有限公司", LISTED, "450102", "3216", "", "2025-03-01"]), "a.csv")
    db.session.commit()
    log = audit_count()
    report = import_enterprises(SYSTEM, _csv(["南宁己冶炼集团有限公司", LISTED, "450102", "3216", "", "2025-09-01"]), "a.csv")
    db.session.commit()
    [(row, column, reason)] = report.errors
    assert (row, column) == (2, "名单公布日期") and "未完成的审核轮次" in reason
    # the row's rename went with it: a row is imported whole or not at all
    assert db.session.scalar(select(Enterprise.name).where(Enterprise.uscc == LISTED)) == "南宁己冶炼有限公司"
    assert db.session.scalar(select(func.count()).select_from(AuditRound)) == 1
    assert audit_count() == log


def test_a_city_regulators_upload_lists_its_own_citys_enterprises(world, client_for):
    response = client_for(world.regulator_a).post("/enterprises/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(_csv(["南宁己冶炼有限公司", LISTED, "450102", "3216", "", "2025-03-01"])), "名单.csv")})
    assert "新增 1" in text(response)
    assert _round_of(LISTED).listed_on == date(2025, 3, 1)
