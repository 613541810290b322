"""Performance statistics (绩效统计): every figure is a SQL aggregate over the audit rounds, joined to
their enterprise and to their schemes' per-round totals (schemes.models.SchemeTotals, kept in step
with the scheme rows in the same transaction). No figure is computed by looping over rows in Python.

Definitions — one answer to each question, used by every page, export and API:

* **Which rounds count.** Every round except cancelled ones (a cancelled round was listed in error).
* **A round's year (统计年度)** is the year it entered the programme: the publication date of the
  mandatory list it is on (``listed_on``), or, for a voluntary audit or a certification, the date it
  started (``started_on``). All figures for a year describe the rounds of that year — the cohort —
  and their schemes, however far those rounds have got since. So a rate never exceeds 100 %, and
  anyone can recompute it from the two counts shown beside it.
* ``rounds_listed``: the rounds of the selection. ``rounds_completed``: those accepted (验收合格,
  the round is complete), whenever the acceptance was. ``completion_rate`` = completed ÷ listed.
* ``evaluation_pass_rate`` = rounds whose evaluation passed ÷ rounds whose evaluation has concluded
  (``evaluation_concluded_on`` set). A round that failed and is being revised counts as evaluated and
  not passed until a later evaluation passes it.
* ``acceptance_pass_rate`` = rounds accepted ÷ rounds whose acceptance has concluded
  (``acceptance_concluded_on`` set); a failed round under rectification counts as not passed.
* ``schemes_total``: every scheme of the rounds, abandoned ones included; ``schemes_completed``,
  ``schemes_abandoned``; ``implementation_rate`` = completed ÷ (total − abandoned).
* ``investment_wan_yuan``: the investment of completed schemes; ``investment_planned_wan_yuan``: of
  all schemes not abandoned.
* **Results** (energy, water, pollutants, CO2, economic benefit) are those of completed schemes — a
  planned scheme's figures are expectations. ``reported``: as the enterprises report them, in every
  round; ``verified``: only in rounds accepted, since acceptance verifies the achieved performance
  (DESIGN §2).
* **2025 targets** (data/targets_2025.csv) are the province's cumulative key-project reductions of the
  14th five-year plan. ``progress`` = verified ÷ target: the selection's contribution to the target.
* **Implausible figures are not counted unreviewed.** A scheme whose figures exceed the plausible
  ceilings (schemes/rules.py), or were reported after the report in a way that needs a look
  (schemes/review.py), counts as a scheme but adds none of its figures until a regulator confirms
  them; ``schemes_under_review`` says how many schemes are held back so. A withdrawn scheme does not
  count at all.
* Rates and progress are fractions rounded half-up to 4 places (0.6667 = 66.67 %), or None when there
  is nothing to divide by. Amounts are exact Decimals in their unit.
* **What the public sees.** Every summary and row carries ``suppressed``. For anyone but a regulator
  or admin within its region (``sees_small_groups``), a selection or row of fewer than
  ``stats.min_group_size`` enterprises, or one from which such a group could be worked out by
  subtraction, has every figure None, ``suppressed`` True and the reason (stats/disclosure.py).
"""
import csv
from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlalchemy import (Date, Integer, String, bindparam, case, cast, extract, func, literal, literal_column, null,
                        select, union_all)

from ..audits.models import KINDS, STATES, AuditRound
from ..enterprises.models import Enterprise, Park
from ..core import access
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core.models_base import small_int
from ..core.reference.services import DATA_DIR, cities, industries
from ..schemes.models import METRIC, RESULTS, SCALE, SchemeTotals
from ..core.dates import beijing_today, iso
from . import disclosure
from .disclosure import ANY
from .rules import MIN_GROUP_SIZE

R, E, T = AuditRound, Enterprise, SchemeTotals
ENTRY_DATE = func.coalesce(R.listed_on, R.started_on)
ROUND_YEAR = extract("year", ENTRY_DATE)
RATE_PLACES = Decimal("0.0001")
UNIT = Decimal(1).scaleb(-SCALE)
REDUCTIONS = tuple(m for m in RESULTS if m.key != "economic_benefit_wan_yuan")
# What a breakdown may group by, with the heading of its first column.
BREAKDOWNS = {"year": "年度", "city": "设区市", "industry": "行业", "park": "园区", "enterprise": "企业", "round": "审核轮次"}
MIN_YEAR, MAX_YEAR = 2000, 2100
FIRST_YEAR = 2016


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    city: str | None = None
    industry: str | None = None
    park: int | None = None
    enterprise_id: int | None = None

    def as_args(self) -> dict:
        """For links: the filters as query arguments, without the empty ones."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "") and k != "enterprise_id"}


def parse_filters(args) -> Filters:
    """Filters from query arguments; a wrong one is refused with its name and a reason."""
    def text(name):
        return str(args.get(name) or "").strip()

    year = text("year")
    if year:
        if not MIN_YEAR <= (small_int(year) or 0) <= MAX_YEAR:
            raise ValidationError(f"年度应为 {MIN_YEAR}–{MAX_YEAR} 之间的四位年份，“{year}”无效。", "year")
    city = text("city")
    if city and city not in cities():
        raise ValidationError(f"设区市代码 {city} 不是广西的设区市。", "city")
    industry = text("industry")
    if industry and industry not in industries():
        raise ValidationError(f"行业代码 {industry} 不是国民经济行业分类的大类（两位代码）。", "industry")
    park = text("park")
    if park:
        if small_int(park) is None or db.session.get(Park, small_int(park)) is None:
            raise ValidationError(f"园区 {park} 不存在。", "park")
    return Filters(year=int(year) if year else None, city=city or None, industry=industry or None,
                   park=int(park) if park else None)


# --- who may see what ----------------------------------------------------------------------------

def authorize(actor, filters: Filters, by: str | None = None) -> Filters:
    """Aggregates by year, city, industry and park are public, small groups withheld (`sees_small_groups`).
    Figures of one enterprise, and tables with a row per enterprise or round, follow the registry's
    region rule. Returns the filters, a city regulator's narrowed to its city when it asked for
    enterprise rows across the province."""
    if by is not None and by not in BREAKDOWNS:
        raise ValidationError(f"不支持按“{by}”分组统计。", "by")
    if filters.enterprise_id is not None:
        enterprise = db.session.get(Enterprise, filters.enterprise_id)
        if enterprise is None:
            raise NotFound("未找到该企业。")
        if not access.sees_enterprise(actor, enterprise):
            raise PermissionDenied("该企业不在您的管辖范围内。")
    if by == "round" and filters.enterprise_id is None:
        raise ValidationError("按审核轮次列示须指定企业。", "by")
    if by == "enterprise":
        access.require_role(actor, *access.READERS, message="逐家企业的统计只向监管部门开放；公众可查看汇总数据。")
        if not access.province_wide(actor):
            if filters.city not in (None, actor.division_code):
                raise PermissionDenied("该设区市不在您的管辖范围内。", "city")
            filters = replace(filters, city=actor.division_code)
    return filters


def sees_small_groups(actor, filters: Filters) -> bool:
    """Whether `actor` sees the figures of groups of fewer than `stats.min_group_size` enterprises:
    admins and province regulators everywhere, a city regulator within its city, an enterprise (or a
    regulator) in its own figures, which `authorize` has let it see. Everyone else — the public pages,
    exports and API — has them withheld (disclosure.py)."""
    if filters.enterprise_id is not None or access.province_wide(actor):
        return True
    return access.has_role(actor, "regulator") and filters.city is not None and access.sees_city(actor, filters.city)


def require_region(actor, city: str | None) -> None:
    """The regulators' dashboards: the province's for province regulators and admins, a city's for its own."""
    access.require_role(actor, *access.READERS, message="只有监管部门可以查看该统计页面。")
    if not access.province_wide(actor) and not access.sees_city(actor, city):
        raise PermissionDenied("该设区市不在您的管辖范围内。", "city")


# --- the aggregate ---------------------------------------------------------------------------------

ZERO, ONE = literal_column("0"), literal_column("1")


def _count(condition):
    return func.coalesce(func.sum(case((condition, ONE), else_=ZERO)), ZERO)


def _sum(column, condition=None):
    return func.coalesce(func.sum(column if condition is None else case((condition, column), else_=ZERO)), ZERO)


@lru_cache(maxsize=2)
def _figure_columns(reported: bool) -> tuple:
    """The aggregate columns, built once (SQLAlchemy expressions are immutable and reusable).

    A summary also carries every result as reported; a breakdown carries the verified results only,
    which are what its tables show, since each aggregate column costs time on every row.
    """
    accepted = R.state == "accepted"
    evaluated = R.evaluation_concluded_on.is_not(None)
    evaluation_passed = evaluated & R.state.in_(("evaluation_passed", "acceptance", "accepted", "acceptance_failed"))
    acceptance_concluded = R.acceptance_concluded_on.is_not(None)
    columns = [
        func.count(R.id).label("rounds_listed"),
        # A confirmed certification closes the round as an audit (视同开展清洁生产审核, audits/certifications.py).
        _count(R.state.in_(("accepted", "certified"))).label("rounds_completed"),
        _count(evaluated).label("rounds_evaluated"),
        _count(evaluation_passed).label("rounds_evaluation_passed"),
        _count(acceptance_concluded).label("rounds_acceptance_concluded"),
        _count(acceptance_concluded & accepted).label("rounds_acceptance_passed"),
        _sum(T.schemes_total).label("schemes_total"),
        _sum(T.schemes_completed).label("schemes_completed"),
        _sum(T.schemes_completed, accepted).label("schemes_verified"),
        _sum(T.schemes_abandoned).label("schemes_abandoned"),
        _sum(T.schemes_low_cost).label("schemes_low_cost"),
        _sum(T.schemes_high_cost).label("schemes_high_cost"),
        _sum(T.schemes_under_review).label("schemes_under_review"),
        _sum(T.investment_wan_yuan_e4).label("investment_wan_yuan_e4"),
        _sum(T.investment_planned_wan_yuan_e4).label("investment_planned_wan_yuan_e4"),
    ]
    for m in RESULTS:
        column = getattr(T, f"{m.key}_e4")
        if reported:
            columns.append(_sum(column).label(f"{m.key}_reported_e4"))
        columns.append(_sum(column, accepted).label(f"{m.key}_verified_e4"))
    return tuple(columns)


def _params(filters: Filters) -> dict:
    """The filters' values, bound to the statement's parameters (see `_selection`)."""
    params = {}
    if filters.year is not None:
        params.update(year_from=date(filters.year, 1, 1), year_to=date(filters.year + 1, 1, 1))
    for name in ("city", "industry", "park", "enterprise_id"):
        if getattr(filters, name) not in (None, ""):
            params[name] = getattr(filters, name)
    return params


def _shape(filters: Filters) -> frozenset:
    """Which filters are set: statements depend on that only, so each shape is built once and cached."""
    return frozenset(_params(filters))


def _selection(shape: frozenset, *columns, totals: bool = True, enterprises_needed: bool = True):
    """The rounds of the selection (cancelled ones never count), joined to what `columns` need, with
    a bound parameter for each filter in `shape`."""
    query = select(*columns).select_from(R)
    if enterprises_needed or shape & {"city", "industry", "park"}:
        query = query.join(E, E.id == R.enterprise_id)
    if totals:
        query = query.outerjoin(T, T.round_id == R.id)
    query = query.where(R.state != "cancelled")
    if "year_from" in shape:
        query = query.where(ENTRY_DATE >= bindparam("year_from", type_=Date()),
                            ENTRY_DATE < bindparam("year_to", type_=Date()))
    if "city" in shape:
        query = query.where(E.city_code == bindparam("city"))
    if "industry" in shape:
        query = query.where(E.industry_code == bindparam("industry"))
    if "park" in shape:
        query = query.where(E.park_id == bindparam("park"))
    if "enterprise_id" in shape:
        query = query.where(R.enterprise_id == bindparam("enterprise_id"))
    return query


def rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _amount(scaled) -> Decimal:
    return (Decimal(int(scaled)) * UNIT).quantize(UNIT)


def _figures(row) -> dict:
    out = {name: int(getattr(row, name)) for name in (
        "rounds_listed", "rounds_completed", "rounds_evaluated", "rounds_evaluation_passed",
        "rounds_acceptance_concluded", "rounds_acceptance_passed", "schemes_total", "schemes_completed",
        "schemes_verified", "schemes_abandoned", "schemes_low_cost", "schemes_high_cost", "schemes_under_review")}
    out["completion_rate"] = rate(out["rounds_completed"], out["rounds_listed"])
    out["evaluation_pass_rate"] = rate(out["rounds_evaluation_passed"], out["rounds_evaluated"])
    out["acceptance_pass_rate"] = rate(out["rounds_acceptance_passed"], out["rounds_acceptance_concluded"])
    out["implementation_rate"] = rate(out["schemes_completed"], out["schemes_total"] - out["schemes_abandoned"])
    out["investment_wan_yuan"] = _amount(row.investment_wan_yuan_e4)
    out["investment_planned_wan_yuan"] = _amount(row.investment_planned_wan_yuan_e4)
    reported = hasattr(row, "economic_benefit_wan_yuan_reported_e4")
    if reported:
        out["economic_benefit_wan_yuan"] = _amount(row.economic_benefit_wan_yuan_reported_e4)
    out["economic_benefit_verified_wan_yuan"] = _amount(row.economic_benefit_wan_yuan_verified_e4)
    out["reductions"] = {}
    for m in REDUCTIONS:
        figure = {"unit": m.unit, "label": m.label, "verified": _amount(getattr(row, f"{m.key}_verified_e4"))}
        if reported:
            figure["reported"] = _amount(getattr(row, f"{m.key}_reported_e4"))
        out["reductions"][m.key] = figure
    out.update(suppressed=False, suppressed_reason=None, suppressed_label=None)
    return out


def summary(actor, filters: Filters) -> dict:
    """Every figure of the selection, with each reduction against its 2025 target where one exists;
    for the public, none of them when the selection is a withheld cell (disclosure.py)."""
    filters = authorize(actor, filters)
    withheld = _withheld(actor, filters)
    row = db.session.execute(_summary_statement(_shape(filters)), _params(filters)).one()
    return _disclose(_with_targets(filters, _figures(row)), withheld, _cell(filters))


@lru_cache(maxsize=64)
def _summary_statement(shape: frozenset):
    return _selection(shape, *_figure_columns(True), enterprises_needed=False)


def _with_targets(filters: Filters, figures: dict) -> dict:
    """The province's 2025 targets are five-year totals for the whole province (stats/rules.py): they
    are shown, with the reductions of schemes completed in 2021–2025, only for the whole province
    and all years. A year, city, industry or park view has no target of its own, so none is shown."""
    out = {"year": filters.year, "city": filters.city, "industry": filters.industry, "park": filters.park, **figures}
    whole = not (filters.year or filters.city or filters.industry or filters.park or filters.enterprise_id)
    in_period = _target_period_reductions() if whole else {}
    for key, reduction in out["reductions"].items():
        target = targets().get(key) if whole else None
        reduction["target"] = target
        if target:
            verified, reported = in_period[key]
            reduction["period_verified"], reduction["period_reported"] = verified, reported
            reduction["progress"] = rate(verified, target)
        else:
            reduction["progress"] = None
    return out


def _target_period_reductions() -> dict[str, tuple[Decimal, Decimal]]:
    """Reduction key -> (verified, reported) of the schemes completed within the target period."""
    from ..schemes.models import Scheme, figures_counted
    from .rules import TARGET_PERIOD

    first, last = TARGET_PERIOD.value
    keys = [k for k in targets() if k in METRIC]
    accepted = AuditRound.state == "accepted"
    columns = []
    for key in keys:
        amount = getattr(Scheme, key)
        columns += [func.coalesce(func.sum(case((accepted, amount), else_=0)), 0),
                    func.coalesce(func.sum(amount), 0)]
    counted = figures_counted() & Scheme.withdrawn_at.is_(None)
    row = db.session.execute(select(*columns).join(AuditRound, AuditRound.id == Scheme.round_id).where(
        Scheme.status == "completed", Scheme.completed_on >= first, Scheme.completed_on <= last, counted,
        AuditRound.state != "cancelled")).one()
    return {key: (Decimal(row[2 * i]), Decimal(row[2 * i + 1])) for i, key in enumerate(keys)}


DIMENSIONS = {"year": ROUND_YEAR, "city": E.city_code, "industry": E.industry_code, "park": E.park_id}


def dashboard(actor, filters: Filters, dims: tuple[str, ...]) -> tuple[dict, dict[str, list[dict]]]:
    """The summary and its breakdowns by each of `dims`, in one statement and one pass over the rounds.

    The selection is aggregated once by every combination of the dims (a few hundred groups at most),
    and that small result is summed again per dim and in all — GROUPING SETS, written so that SQLite
    runs it too. A dashboard thus reads its thousands of rounds once instead of once per table.
    Returns (summary, {dim: rows}), the rows as `breakdown` gives them plus the reported results.
    """
    filters = authorize(actor, filters)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise ValidationError(f"不支持按“{unknown[0]}”分组统计。", "by")
    withheld = _withheld(actor, filters)
    rows = db.session.execute(_dashboard_statement(_shape(filters), tuple(dims)), _params(filters)).all()
    total = _with_targets(filters, _figures(next(r for r in rows if r.dim == "all")))
    total = _disclose(total, withheld, _cell(filters))
    tables = {}
    for d in dims:
        mine = [r for r in rows if r.dim == d]
        typed = [int(r.key) if r.key is not None and d in ("year", "park") else r.key for r in mine]
        names = _names(d, typed)
        items = [_disclose({"key": key, "name": names.get(key) or ("（未填）" if key is None else str(key)),
                            **_figures(r)}, withheld, _cell(filters, d, key))
                 for key, r in zip(typed, mine)]
        tables[d] = sorted(items, key=lambda item: (item["key"] is None, item["key"] or 0))
    return total, tables


@lru_cache(maxsize=64)
def _dashboard_statement(shape: frozenset, dims: tuple[str, ...]):
    figures = _figure_columns(True)
    keys = [DIMENSIONS[d].label(f"dim_{d}") for d in dims]
    fine = (_selection(shape, *keys, *figures, enterprises_needed=any(d != "year" for d in dims))
            .group_by(*(DIMENSIONS[d] for d in dims)).cte("fine"))

    def rolled_up():
        return [func.coalesce(func.sum(fine.c[c.name]), ZERO).label(c.name) for c in figures]

    parts = [select(literal("all", String).label("dim"), cast(null(), String).label("key"), *rolled_up())]
    for d in dims:
        key = fine.c[f"dim_{d}"]
        parts.append(select(literal(d, String), cast(key, String), *rolled_up()).group_by(key))
    return union_all(*parts)


def breakdown(actor, filters: Filters, by: str, *, limit: int | None = None, offset: int = 0) -> list[dict]:
    """The figures of the selection grouped by year, city, industry, park, enterprise or round:
    one GROUP BY query, each row {"key", "name", ...figures}, with verified results only."""
    filters = authorize(actor, filters, by)
    if limit is not None and by in ("enterprise", "round"):
        return page_of_groups(actor, filters, by, limit, offset)[0]
    rows = _breakdown(filters, by, limit=limit, offset=offset)
    if by in DIMENSIONS:  # rows by enterprise or round are the regulators' and the enterprise's own
        withheld = _withheld(actor, filters)
        rows = [_disclose(r, withheld, _cell(filters, by, r["key"])) for r in rows]
    return rows


def page_of_groups(actor, filters: Filters, by: str, limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """One page of a long breakdown (a city's enterprises) and the number of its rows: the page's
    groups are chosen first, with their count, and only they are aggregated."""
    filters = authorize(actor, filters, by)
    chosen = db.session.execute(_page_statement(_shape(filters), by),
                                {**_params(filters), "limit": limit, "offset": offset}).all()
    if not chosen:
        return [], (count_groups(actor, filters, by) if offset else 0)
    return _breakdown(filters, by, only=[r.key for r in chosen]), chosen[0].total


@lru_cache(maxsize=64)
def _page_statement(shape: frozenset, by: str):
    keys, order = _group(by)
    return (_selection(shape, keys[0], func.count().over().label("total"), totals=False).group_by(*keys)
            .order_by(*order).limit(bindparam("limit", type_=Integer(), literal_execute=True))
            .offset(bindparam("offset", type_=Integer(), literal_execute=True)))


@lru_cache(maxsize=64)
def _breakdown_statement(shape: frozenset, by: str, only: bool):
    keys, order = _group(by)
    query = (_selection(shape, *keys, *_figure_columns(False), enterprises_needed=by not in ("year", "round"))
             .group_by(*keys).order_by(*order))
    if only:
        query = query.where(keys[0].element.in_(bindparam("only", expanding=True)))
    return query


def _breakdown(filters: Filters, by: str, *, limit=None, offset=0, only=None) -> list[dict]:
    query = _breakdown_statement(_shape(filters), by, only is not None)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    params = _params(filters) if only is None else {**_params(filters), "only": list(only)}
    rows = db.session.execute(query, params).all()
    names = _names(by, [r.key for r in rows])  # year keys come back as int or Decimal by database
    out = []
    for r in rows:
        item = {"key": int(r.key) if by == "year" and r.key is not None else r.key, **_figures(r)}
        if by == "enterprise":
            item.update(name=r.name, uscc=r.uscc, city=cities().get(r.city_code, r.city_code),
                        industry=r.industry_code)
        elif by == "round":
            item.update(name=f"{KINDS[r.kind]}（{r.entered_on.isoformat()}）", kind=r.kind, state=r.state,
                        state_label=STATES[r.state], entered_on=r.entered_on)
        else:
            item["name"] = names.get(item["key"]) or ("（未填）" if r.key is None else str(r.key))
        out.append(item)
    return out


def count_groups(actor, filters: Filters, by: str) -> int:
    """How many rows `breakdown` has, for paging the enterprise table."""
    filters = authorize(actor, filters, by)
    keys, _ = _group(by)
    groups = _selection(_shape(filters), keys[0], totals=False).group_by(*keys).subquery()
    return db.session.scalar(select(func.count()).select_from(groups), _params(filters))


def _group(by: str):
    if by == "year":
        key = ROUND_YEAR.label("key")
        return [key], [key]
    if by == "city":
        return [E.city_code.label("key")], [E.city_code]
    if by == "industry":
        return [E.industry_code.label("key")], [E.industry_code]
    if by == "park":
        return [E.park_id.label("key")], [E.park_id.is_(None), E.park_id]  # "not in a park" last, on every database
    if by == "enterprise":
        return ([E.id.label("key"), E.name.label("name"), E.uscc.label("uscc"), E.city_code.label("city_code"),
                 E.industry_code.label("industry_code")], [E.name, E.id])
    return ([R.id.label("key"), R.kind.label("kind"), R.state.label("state"), ENTRY_DATE.label("entered_on")],
            [R.id.desc()])


def _names(by: str, keys: list) -> dict:
    if by == "year":
        return {int(k): f"{int(k)}年" for k in keys if k is not None}
    if by == "city":
        return cities()
    if by == "industry":
        return {code: f"{code} {name}" for code, name in industries().items()}
    if by == "park":
        ids = [k for k in keys if k is not None]
        named = dict(db.session.execute(select(Park.id, Park.name).where(Park.id.in_(ids))).all()) if ids else {}
        return {None: "不在园区", **named}
    return {}


def year_choices(today: date | None = None) -> list[int]:
    """The years a dashboard offers, newest first: from FIRST_YEAR, when 《清洁生产审核办法》(2016)
    took effect, to this year (a constant list: finding the years with data would read every round)."""
    return list(range((today or beijing_today()).year, FIRST_YEAR - 1, -1))


# --- what the public sees (disclosure.py) ------------------------------------------------------------

# What a withheld cell keeps: what was asked for and the names; every other value becomes null, so a
# figure added later is withheld too.
KEPT_FIELDS = frozenset({"year", "city", "industry", "park", "key", "name"})
KEPT_RESULT_FIELDS = frozenset({"label", "unit", "target"})  # the target is the province's, public


def _withheld(actor, filters: Filters) -> dict | None:
    """The withheld cells for someone who does not see small groups; None for someone who does."""
    if sees_small_groups(actor, filters):
        return None
    return disclosure.withheld(_census(), MIN_GROUP_SIZE.value)


def _cell(filters: Filters, by: str | None = None, key=None) -> tuple:
    """The cell (disclosure.py) of the selection, or of its row `key` in a breakdown `by`."""
    values = {"year": filters.year, "city": filters.city, "industry": filters.industry, "park": filters.park}
    fixed = {name: ANY if value is None else value for name, value in values.items()}
    if by is not None:
        fixed[by] = key  # a key of None is a real row: "不在园区"
    return disclosure.cell(**fixed)


def _disclose(figures: dict, withheld: dict | None, cell: tuple) -> dict:
    """The figures, or — for a withheld cell — none of them: null, with the reason."""
    kind = None if withheld is None else withheld.get(cell)
    if kind is None:
        return figures
    threshold = MIN_GROUP_SIZE.value
    out = {name: value if name in KEPT_FIELDS else None for name, value in figures.items()}
    out["reductions"] = {key: {name: value if name in KEPT_RESULT_FIELDS else None for name, value in r.items()}
                         for key, r in figures["reductions"].items()}
    out.update(suppressed=True, suppressed_reason=disclosure.reason(kind, threshold),
               suppressed_label=disclosure.label(kind, threshold))
    return out


@lru_cache(maxsize=1)
def _census_statement():
    """How many enterprises have a counted round in each (year, city, industry, park), from the distinct
    (enterprise, year) pairs; and how many in each (city, industry, park), noting those whose every
    round is in one year. One pass over the rounds (their stats index) and the enterprises."""
    pairs = select(R.enterprise_id.label("eid"), ROUND_YEAR.label("year")).where(R.state != "cancelled").distinct()
    pairs = pairs.cte("pairs")
    firms = (select(pairs.c.eid, func.count().label("years"), func.min(pairs.c.year).label("year"))
             .group_by(pairs.c.eid).cte("firms"))
    per_year = (select(literal("y", String).label("part"), literal(0, Integer).label("single"), pairs.c.year,
                       E.city_code, E.industry_code, E.park_id, func.count().label("n"))
                .select_from(pairs).join(E, E.id == pairs.c.eid)
                .group_by(pairs.c.year, E.city_code, E.industry_code, E.park_id))
    # Whether each firm's rounds are all in one year, as plain columns of their own: PostgreSQL does
    # not see two bound CASE expressions (one in the select list, one in GROUP BY) as the same.
    singles = (select(firms.c.eid, case((firms.c.years == 1, 1), else_=0).label("single"),
                      case((firms.c.years == 1, firms.c.year), else_=null()).label("only_year"))
               .cte("singles"))
    per_firm = (select(literal("f", String), singles.c.single, singles.c.only_year,
                       E.city_code, E.industry_code, E.park_id, func.count())
                .select_from(singles).join(E, E.id == singles.c.eid)
                .group_by(singles.c.single, singles.c.only_year, E.city_code, E.industry_code, E.park_id))
    return union_all(per_year, per_firm)


@lru_cache(maxsize=1)
def _fingerprint_statement():
    """What changes whenever the census can: a round added, removed, cancelled or re-dated, an enterprise
    added, removed or moved (every such change goes through the ORM, which stamps `updated_at`)."""
    return select(
        select(func.count()).select_from(R).where(R.state != "cancelled").scalar_subquery(),
        select(func.max(R.id)).scalar_subquery(), select(func.max(R.updated_at)).scalar_subquery(),
        select(func.count()).select_from(E).scalar_subquery(), select(func.max(E.id)).scalar_subquery(),
        select(func.max(E.updated_at)).scalar_subquery())


_LAST_CENSUS: dict = {}  # "last" -> (database, fingerprint, census): one scan of the rounds per change, not per request


def _census() -> disclosure.Census:
    """The counts disclosure.py needs, read again only when the fingerprint has changed."""
    key = (str(db.engine.url), tuple(db.session.execute(_fingerprint_statement()).one()))
    last = _LAST_CENSUS.get("last")
    if last is not None and last[0] == key:
        return last[1]
    census = _read_census()
    _LAST_CENSUS["last"] = (key, census)
    return census


def _read_census() -> disclosure.Census:
    per_year, per_firm = set(), set()
    for part, single, year, city, industry, park, n in db.session.execute(_census_statement()):
        year = None if year is None else int(year)
        if part == "y":
            per_year.add((year, city, industry, park, int(n)))
        else:
            per_firm.add((bool(single), year, city, industry, park, int(n)))
    return disclosure.Census(frozenset(per_year), frozenset(per_firm))


# --- the 2025 targets ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def targets() -> dict[str, Decimal]:
    """Reduction key -> the 2025 target, from data/targets_2025.csv: a `<x>_reduction` row in tonnes
    is the target of the `<x>_t` result. Rows about other things (areas, rates) are not scheme results."""
    out = {}
    with open(DATA_DIR / "targets_2025.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["indicator"].removesuffix("_reduction")
            key = f"{name}_{row['unit']}"
            if row["indicator"].endswith("_reduction") and key in METRIC and METRIC[key].unit == row["unit"]:
                out[key] = Decimal(row["target"])
    return out


# --- for JSON ------------------------------------------------------------------------------------

def jsonable(value):
    """Decimals as JSON numbers (DESIGN §4: amounts are numbers), dates as ISO strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return iso(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
