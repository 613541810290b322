"""Times are shown in Beijing time and "today" is the Beijing date, whatever the server's clock zone."""
from datetime import date, datetime, timezone

from sqlalchemy import select

from platform.core import dates
from platform.core.auditlog.models import AuditLog
from platform.core.auditlog.services import record
from platform.core.extensions import db


class _Clock(datetime):
    """2026-12-05 16:30 UTC: already 2026-12-06 00:30 in Beijing."""

    @classmethod
    def now(cls, tz=None):
        moment = datetime(2026, 12, 5, 16, 30, tzinfo=timezone.utc)
        return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)


def test_half_past_midnight_in_beijing_is_the_new_day(monkeypatch):
    monkeypatch.setattr(dates, "datetime", _Clock)
    assert dates.beijing_today() == date(2026, 12, 6)
    assert dates.to_beijing(datetime(2026, 12, 5, 16, 30)).date() == date(2026, 12, 6)
    assert dates.format_moment(datetime(2026, 12, 5, 16, 30)) == "2026-12-06 00:30"
    assert dates.iso(datetime(2026, 12, 5, 16, 30)) == "2026-12-06T00:30:00+08:00"


def test_a_scheduled_scan_at_0030_beijing_time_scans_that_day(app, monkeypatch):
    from platform.core.scheduler import services as scheduler

    monkeypatch.setattr(dates, "datetime", _Clock)
    seen = []
    monkeypatch.setattr(scheduler, "beijing_today", dates.beijing_today)
    assert scheduler.run_job("compliance_scan", lambda as_of: seen.append(as_of) or {"ok": 1}, holder="test")
    assert seen == [date(2026, 12, 6)]


def test_pages_show_beijing_time_and_never_utc(app, world, client_for):
    entry = record(world.regulator_a, "case.open", "case", 1, after={"at": datetime(2026, 12, 5, 16, 30)},
                   division_code="450100")
    entry.at = datetime(2026, 12, 5, 16, 30)
    db.session.commit()
    logged = db.session.scalar(select(AuditLog).where(AuditLog.action == "case.open"))
    assert logged.after["at"] == "2026-12-06T00:30:00+08:00"
    admin = client_for(world.admin)
    page = admin.get("/admin/audit-log/").get_data(as_text=True)
    assert "2026-12-06 00:30" in page and "UTC" not in page
    for path in ("/credit/dashboard", "/audits/rounds", "/audits/cases", "/audits/confirmations"):
        assert "UTC" not in client_for(world.regulator_a).get(path).get_data(as_text=True), path
