"""The result lists (广西方案 §二十): accepted firms with their clean-production level, for each use,
and the public list of firms at the international leading level (Ⅰ级).

A firm appears with its latest accepted round that has a level, while that result is valid
(rules.VALIDITY_YEARS from the acceptance date, counted at `as_of`, a Beijing date). Everything here
is public information (the name, the USCC, the city, the level and its dates); the API serves the use
lists to the departments' systems with a token.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..audits.models import LEVELS, AuditRound
from ..core.dates import add_months, beijing_today
from ..core.errors import NotFound, ValidationError
from ..core.extensions import db
from ..core.reference.services import cities
from ..enterprises.models import Enterprise
from .rules import USES, VALIDITY_YEARS, Use

LEADING = Use("leading", "国际清洁生产领先水平企业", "", ("I",), None)


def use(key: str) -> Use:
    if key == LEADING.key:
        return LEADING
    found = USES.get(key)
    if found is None:
        raise NotFound("没有该结果应用清单，应为：" + "、".join(USES) + "。")
    return found


def parse_as_of(text, today: date | None = None) -> date:
    """The list's as-of date from a request (`YYYY-MM-DD`, not after today), or today (Beijing)."""
    today = today or beijing_today()
    text = str(text or "").strip()
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError("as_of（截至日期）应为 YYYY-MM-DD 格式的日期。", "as_of") from None
    if day > today:
        raise ValidationError(f"as_of（截至日期）不能晚于今天（{today.isoformat()}）。", "as_of")
    return day


def valid_until(accepted_on: date) -> date:
    """The last day a result accepted on `accepted_on` counts."""
    return add_months(accepted_on, 12 * VALIDITY_YEARS.value) - timedelta(days=1)


def valid_from(as_of: date) -> date:
    """The earliest acceptance date still valid on `as_of`."""
    return add_months(as_of, -12 * VALIDITY_YEARS.value)


def query(item: Use, as_of: date):
    """Rounds of the list on `as_of`: each firm's latest rated acceptance, valid then; Ⅰ级 first."""
    latest = (select(func.max(AuditRound.id)).where(
        AuditRound.state == "accepted", AuditRound.clean_production_level.is_not(None),
        AuditRound.acceptance_concluded_on <= as_of, AuditRound.acceptance_concluded_on > valid_from(as_of))
        .group_by(AuditRound.enterprise_id))
    stmt = (select(AuditRound).join(Enterprise, Enterprise.id == AuditRound.enterprise_id)
            .where(AuditRound.id.in_(latest), AuditRound.clean_production_level.in_(item.levels)))
    if item.industries is not None:
        stmt = stmt.where(Enterprise.industry_code.in_(sorted(item.industries)))
    return stmt.order_by(AuditRound.clean_production_level, AuditRound.acceptance_concluded_on.desc(), Enterprise.name,
                         AuditRound.id)


def rounds(item: Use, as_of: date) -> list[AuditRound]:
    return list(db.session.scalars(query(item, as_of)))


@dataclass(frozen=True)
class Entry:
    name: str
    uscc: str
    city: str
    industry: str
    level: str
    level_label: str
    accepted_on: date
    valid_until: date
    round_id: int


def entry(round_: AuditRound) -> Entry:
    e = round_.enterprise
    return Entry(e.name, e.uscc, cities().get(e.city_code, ""), f"{e.industry_code} {e.industry.name}",
                 round_.clean_production_level, LEVELS[round_.clean_production_level],
                 round_.acceptance_concluded_on, valid_until(round_.acceptance_concluded_on), round_.id)
