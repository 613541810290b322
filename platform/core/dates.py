"""The platform's calendar: the Beijing date and time, months as the law counts them, and working days.

Times are stored in UTC (naive datetimes, `models_base.utcnow`) and shown in Beijing time; every rule,
scan and reminder takes "today" as the Beijing date (Asia/Shanghai), so a scan at 00:30 Beijing time
counts the new day, not the UTC one still running.
"""
import calendar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_now() -> datetime:
    return datetime.now(BEIJING)


def beijing_today() -> date:
    return beijing_now().date()


def to_beijing(moment: datetime | None) -> datetime | None:
    """A stored moment (naive UTC, or aware) in Beijing time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING)


def beijing_date(moment: datetime | None) -> date | None:
    local = to_beijing(moment)
    return local.date() if local else None


def utc_of_beijing_midnight(day: date) -> datetime:
    """The stored (naive UTC) moment at which `day` begins in Beijing."""
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING).astimezone(timezone.utc).replace(tzinfo=None)


def format_moment(moment: datetime | None, seconds: bool = False) -> str:
    local = to_beijing(moment)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") if local else ""


def iso_moment(moment: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, for the API and machine-readable exports."""
    local = to_beijing(moment)
    return local.isoformat(timespec="seconds") if local else None


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day
    (《民法典》第二百零二条: a period of months ends on the corresponding day of the last month)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- working days ---------------------------------------------------------------------------------

# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04): days off, and the weekend days worked instead.
HOLIDAYS = {
    date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3),
    *(date(2026, 2, d) for d in range(15, 24)),
    date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6),
    *(date(2026, 5, d) for d in range(1, 6)),
    date(2026, 6, 19), date(2026, 6, 20), date(2026, 6, 21),
    date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27),
    *(date(2026, 10, d) for d in range(1, 8)),
    # 2027: only the statutory days of 《全国年节及纪念日放假办法》(2024 修订) — 元旦, 春节 (除夕至初三),
    # 清明, 劳动节 (2 days), 端午, 中秋, 国庆 (3 days). Replace with the State Council's 2027 notice,
    # which adds the bridging days and the make-up workdays, when it is published.
    date(2027, 1, 1),
    date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
    date(2027, 4, 5),
    date(2027, 5, 1), date(2027, 5, 2),
    date(2027, 6, 9),
    date(2027, 9, 15),
    date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3),
}
MAKEUP_WORKDAYS = {
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
}


def is_working_day(day: date) -> bool:
    if day in MAKEUP_WORKDAYS:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (the start day itself is not counted)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


def iso(value) -> str | None:
    """A date as YYYY-MM-DD, a stored moment as ISO 8601 in Beijing time (+08:00); None stays None."""
    if value is None:
        return None
    if hasattr(value, "hour"):
        return iso_moment(value)
    return value.isoformat()
