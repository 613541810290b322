"""Reporting the sectors' yearly figures, correcting them by revision, and their progress to 2025.

A responsible department's regulator reports a figure for its city (a province regulator: for any
city, or for the whole province); access.SYSTEM (the CLI, the demo) reports for anyone. A figure for
an indicator, division and year already reported is refused: it is corrected by `revise`, which keeps
the old value and records the reason.
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from ..core import access
from ..core.auditlog.services import record
from ..core.dates import beijing_date, beijing_today
from ..core.errors import InvalidFields, NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.reference.models import Division
from ..core.reference.services import cities
from .models import SectorFigure
from .rules import DEPARTMENT_NAMES, INDICATORS, YEARS, Indicator

MAX_AMOUNT = Decimal("100000000")  # more than Guangxi's whole farmland in mu: a typing slip


def division_name(code: str) -> str:
    return "全区" if code == Division.PROVINCE else cities().get(code, code)


def _department(actor) -> str | None:
    return None if access.is_system(actor) else getattr(actor, "department", None)


def reports_targets(actor) -> bool:
    """Whether `actor` has indicators to report (the menus ask this; `reportable` refuses everyone else)."""
    return access.has_role(actor, "regulator") and any(access.in_department(actor, i.department)
                                                       for i in INDICATORS.values())


def reportable(actor) -> list[Indicator]:
    """The indicators `actor` reports: its department's (all of them for SYSTEM). A regulator of
    another department, and every other role, reports none and is refused."""
    if not access.has_role(actor, "regulator"):
        raise PermissionDenied("只有负责行业目标的主管部门可以填报。")
    found = [i for i in INDICATORS.values() if access.in_department(actor, i.department)]
    if not found:
        raise PermissionDenied("您所在部门没有需要填报的行业领域目标指标（由农业农村、住房城乡建设等主管部门填报）。")
    return found


def division_choices(actor) -> dict[str, str]:
    """Where `actor` reports: its own city, or (the province and SYSTEM) the province and every city."""
    if access.province_wide(actor):
        return {Division.PROVINCE: "全区", **cities()}
    return {actor.division_code: division_name(actor.division_code)}


def year_choices() -> list[int]:
    return list(range(beijing_today().year, YEARS.value - 1, -1))


def _parse(actor, raw: dict) -> tuple[Indicator, str, int, Decimal]:
    """Every problem of a report at once, each naming its field."""
    errors = {}
    indicator = INDICATORS.get(str(raw.get("indicator") or "").strip())
    if indicator is None:
        errors["indicator"] = "指标不正确，应为：" + "、".join(i.label for i in INDICATORS.values()) + "。"
    elif not access.in_department(actor, indicator.department):
        errors["indicator"] = f"“{indicator.label}”由{DEPARTMENT_NAMES[indicator.department]}部门填报，您所在部门无权填报。"
    division = str(raw.get("division_code") or "").strip()
    if division != Division.PROVINCE and division not in cities():
        errors["division_code"] = "地区不正确：应为全区（450000）或广西一个设区市的行政区划代码。"
    elif not access.province_wide(actor) and division != actor.division_code:
        errors["division_code"] = f"只能填报本辖区（{division_name(actor.division_code)}）的数值。"
    year, this_year = None, beijing_today().year
    try:
        year = int(str(raw.get("year") or "").strip().removesuffix("年"))
    except ValueError:
        errors["year"] = "请填写年度（如 2024）。"
    else:
        if not YEARS.value <= year <= this_year:
            errors["year"] = f"年度 {year} 不在可填报范围内：应在 {YEARS.value}–{this_year} 年之间。"
    value = None
    text = str(raw.get("value") if raw.get("value") is not None else "").strip().removesuffix("%").replace(",", "")
    try:
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors["value"] = "请填写数值（数字）。"
    else:
        if indicator is not None:
            if value < 0:
                errors["value"] = f"{indicator.label}不能为负数。"
            elif indicator.is_rate and value > 100:
                errors["value"] = f"{indicator.label}为百分比，不能超过 100%（填写的是 {text}）。"
            elif not indicator.is_rate and value > MAX_AMOUNT:
                errors["value"] = f"{indicator.label}（{indicator.unit_label}）数值过大，请核对单位。"
            elif value != value.quantize(Decimal("0.01")):
                errors["value"] = f"{indicator.label}最多保留两位小数。"
    if errors:
        raise InvalidFields(errors)
    return indicator, division, year, value


def current(indicator: str, division_code: str, year: int) -> SectorFigure | None:
    return db.session.scalar(select(SectorFigure).where(
        SectorFigure.indicator == indicator, SectorFigure.division_code == division_code, SectorFigure.year == year,
        SectorFigure.is_current))


def _new_figure(actor, indicator: Indicator, division: str, year: int, value: Decimal, **extra) -> SectorFigure:
    figure = SectorFigure(indicator=indicator.key, division_code=division, year=year, value=value, unit=indicator.unit,
                          department=indicator.department, reported_by_id=getattr(actor, "id", None), **extra)
    db.session.add(figure)
    db.session.flush()
    return figure


def report(actor, raw: dict) -> SectorFigure:
    """A year's figure for an indicator and a division (`raw`: indicator, division_code, year, value)."""
    reportable(actor)
    indicator, division, year, value = _parse(actor, raw)
    existing = current(indicator.key, division, year)
    if existing is not None:
        raise ValidationError(f"{division_name(division)} {year} 年的{indicator.label}已填报"
                              f"（{plain(existing.value)}{indicator.unit_label}）；如需更正，请提交修订并说明理由，原数值将保留。",
                              "year")
    figure = _new_figure(actor, indicator, division, year, value)
    record(actor, "sector_figure.report", "sector_figure", figure.id, after={
        "indicator": indicator.key, "division_code": division, "year": year, "value": plain(value)})
    return figure


def get(actor, figure_id: int) -> SectorFigure:
    """A figure `actor` may correct: of its department, and of its city unless it is the province's."""
    figure = db.session.get(SectorFigure, figure_id)
    if figure is None:
        raise NotFound("未找到该填报记录。")
    _require_reporter_of(actor, figure)
    return figure


def _require_reporter_of(actor, figure: SectorFigure) -> None:
    if not access.in_department(actor, INDICATORS[figure.indicator].department):
        raise PermissionDenied("该指标由其他部门填报，您无权修订。")
    if not (access.province_wide(actor) or figure.division_code == actor.division_code):
        raise PermissionDenied("只能修订本辖区的数值。")


def revise(actor, figure: SectorFigure, value, reason: str) -> SectorFigure:
    """Correct a current figure: a new row with the reason; the old one stays, superseded."""
    reportable(actor)
    _require_reporter_of(actor, figure)
    if not figure.is_current:
        raise ValidationError("该数值已被修订，请在现行数值上修订。", "value")
    indicator, division, year, new_value = _parse(actor, {
        "indicator": figure.indicator, "division_code": figure.division_code, "year": figure.year, "value": value})
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请填写修订理由。"
    elif len(reason) > 500:
        errors["reason"] = "修订理由最多 500 个字符。"
    if new_value == figure.value:
        errors["value"] = f"修订后的数值与现行数值（{plain(figure.value)}{indicator.unit_label}）相同。"
    if errors:
        raise InvalidFields(errors)
    figure.is_current = False  # leave the unique index of current figures before the new one enters
    db.session.flush()
    revision = _new_figure(actor, indicator, division, year, new_value, revises_id=figure.id, reason=reason)
    figure.superseded_by_id = revision.id
    db.session.flush()
    record(actor, "sector_figure.revise", "sector_figure", revision.id,
           before={"value": plain(figure.value)}, after={"value": plain(new_value), "reason": reason,
                                                          "revises_id": figure.id})
    return revision


def history(figure: SectorFigure) -> list[SectorFigure]:
    """Every value the figure's indicator, division and year has had, oldest first."""
    return list(db.session.scalars(select(SectorFigure).where(
        SectorFigure.indicator == figure.indicator, SectorFigure.division_code == figure.division_code,
        SectorFigure.year == figure.year).order_by(SectorFigure.id)))


def recent(actor, limit: int = 50) -> list[SectorFigure]:
    """The current figures a reporter may revise, newest first."""
    keys = [i.key for i in reportable(actor)]
    query = select(SectorFigure).where(SectorFigure.is_current, SectorFigure.indicator.in_(keys))
    if not access.province_wide(actor):
        query = query.where(SectorFigure.division_code == actor.division_code)
    return list(db.session.scalars(query.order_by(SectorFigure.reported_at.desc(), SectorFigure.id.desc()).limit(limit)))


def plain(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.normalize(), "f")


# --- the public dashboard --------------------------------------------------------------------------

@dataclass
class Progress:
    indicator: Indicator
    years: list[int]
    province: dict[int, Decimal | None]  # year -> the province's figure
    province_summed: set[int] = field(default_factory=set)  # years whose province figure is the cities' sum
    by_city: dict[str, dict[int, Decimal]] = field(default_factory=dict)  # city -> year -> figure
    latest_year: int | None = None
    latest: Decimal | None = None
    cumulative: Decimal | None = None  # a five-year total's sum, 2021–2025
    progress: Decimal | None = None  # latest ÷ target (rates) or cumulative ÷ target (totals)
    met: bool | None = None


def dashboard() -> list[Progress]:
    """Each indicator's province and city figures by year against its 2025 target (public)."""
    figures = db.session.scalars(select(SectorFigure).where(SectorFigure.is_current)).all()
    years = sorted({f.year for f in figures})
    out = []
    for indicator in INDICATORS.values():
        mine = [f for f in figures if f.indicator == indicator.key]
        item = Progress(indicator, years, {})
        for f in mine:
            if f.division_code == Division.PROVINCE:
                item.province[f.year] = f.value
            else:
                item.by_city.setdefault(f.division_code, {})[f.year] = f.value
        if not indicator.is_rate:
            for year in years:
                if year not in item.province:
                    values = [by_year[year] for by_year in item.by_city.values() if year in by_year]
                    if values:
                        item.province[year] = sum(values, Decimal(0))
                        item.province_summed.add(year)
        reported = sorted(y for y, v in item.province.items() if v is not None)
        if reported:
            item.latest_year = reported[-1]
            item.latest = item.province[item.latest_year]
        target = indicator.target
        if indicator.cumulative:
            in_plan = [item.province[y] for y in reported if YEARS.value <= y <= 2025]
            item.cumulative = sum(in_plan, Decimal(0)) if in_plan else None
            if item.cumulative is not None:
                item.progress = item.cumulative / target
                item.met = item.cumulative >= target
        elif item.latest is not None:
            item.progress = item.latest / target
            item.met = item.latest >= target
        out.append(item)
    return out


def city_codes(items: list[Progress]) -> list[str]:
    """The cities with any figure, in the order of the division codes."""
    codes = {c for item in items for c in item.by_city}
    return [c for c in cities() if c in codes]


def reported_on(figure: SectorFigure):
    return beijing_date(figure.reported_at)


def current_figures() -> list[SectorFigure]:
    """Every current figure, by indicator, division and year (public)."""
    return list(db.session.scalars(select(SectorFigure).where(SectorFigure.is_current).order_by(
        SectorFigure.indicator, SectorFigure.division_code, SectorFigure.year)))
