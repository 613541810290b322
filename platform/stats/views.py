"""The dashboards: public statistics, the province overview, a city's drill-down and an enterprise's
own results; each table on them downloads as Excel or CSV with the same filters."""
from dataclasses import replace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..enterprises.services import park_choices
from ..core.reference.services import cities, industries
from ..core.tabular import csv_bytes, export_caption, export_filename, xlsx_bytes
from ..core.access import role_required
from ..core.web import CSV, XLSX, download, page_number
from . import charts, services, tables
from .rules import MIN_GROUP_SIZE
from .services import Filters, parse_filters
from ..core.access import ANONYMOUS

bp = Blueprint("stats", __name__, url_prefix="/stats")

ENTERPRISES_PER_PAGE = 20


def _export(actor, filters: Filters, view: str, table: str, fmt: str):
    if fmt not in ("xlsx", "csv") or table not in tables.VIEW_TABLES[view]:
        abort(404)
    built = tables.build(actor, filters, view, names=[table])[1][table]
    words = _filter_words(filters)
    name = export_filename(built.filename, words, fmt)
    if fmt == "xlsx":
        return download(xlsx_bytes(built.title, built.headers, built.rows, caption=export_caption(words)), name, XLSX)
    return download(csv_bytes(built.headers, built.rows), name, CSV)


def _filter_words(filters: Filters) -> list[str]:
    words = []
    if filters.year:
        words.append(f"{filters.year}年")
    if filters.city:
        words.append(cities().get(filters.city, filters.city))
    if filters.industry:
        words.append(industries().get(filters.industry, filters.industry))
    return words


def _choices(city: str | None = None) -> dict:
    return {"years": services.year_choices(), "cities": cities(), "industries": industries(),
            "parks": park_choices(city) if city else []}


def _province_charts(summary: dict, built: dict, *extra: dict) -> dict:
    """The charts of the province's figures (the public page and the regulators' overview)."""
    return charts.payload(
        charts.rounds_chart("chart-city", "分设区市审核完成情况", built["by_city"]),
        charts.targets_chart("chart-targets", summary),
        *extra,
        charts.schemes_chart("chart-industry", "分行业方案实施与投资", built["by_industry"]),
        charts.rounds_chart("chart-year", "分年度审核完成情况", built["by_year"]),
    )


# --- public -------------------------------------------------------------------------------------------

@bp.get("")
def public_page():
    filters = parse_filters(request.args)
    summary, built, _ = tables.build(ANONYMOUS, filters, "public")
    chart_data = _province_charts(summary, built)
    return render_template("stats/public.html", filters=filters, summary=summary, tables=built, charts=chart_data,
                           export_endpoint="stats.public_export", export_args={}, min_group_size=MIN_GROUP_SIZE.value,
                           **_choices())


@bp.get("/export/<table>.<fmt>")
def public_export(table: str, fmt: str):
    return _export(ANONYMOUS, parse_filters(request.args), "public", table, fmt)


# --- regulators -------------------------------------------------------------------------------------

def _province_filters() -> Filters:
    filters = parse_filters(request.args)
    services.require_region(current_user, None)
    return filters


@bp.get("/overview")
@role_required("regulator", "admin")
def overview():
    if current_user.role == "regulator" and not current_user.is_province_regulator:
        # The filters, not request.args: an argument named `code` or `_scheme` would reach url_for.
        return redirect(url_for(".city", code=current_user.division_code, **parse_filters(request.args).as_args()))
    filters = _province_filters()
    links = {"city": lambda r: url_for(".city", code=r["key"], **replace(filters, city=None).as_args())}
    summary, built, _ = tables.build(current_user, filters, "province", link=links)
    chart_data = _province_charts(summary, built, charts.status_chart("chart-status", summary))
    return render_template("stats/province.html", filters=filters, summary=summary, tables=built, charts=chart_data,
                           export_endpoint="stats.overview_export", export_args={}, **_choices())


@bp.get("/overview/export/<table>.<fmt>")
@role_required("regulator", "admin")
def overview_export(table: str, fmt: str):
    return _export(current_user, _province_filters(), "province", table, fmt)


def _city_filters(code: str) -> Filters:
    if code not in cities():
        abort(404)
    services.require_region(current_user, code)
    return replace(parse_filters(request.args), city=code)


@bp.get("/city/<code>")
@role_required("regulator", "admin")
def city(code: str):
    filters = _city_filters(code)
    page = page_number()
    links = {"enterprise": lambda r: url_for("enterprises.detail", enterprise_id=r["key"])}
    summary, built, total = tables.build(current_user, filters, "city", link=links,
                                         enterprise_page=(ENTERPRISES_PER_PAGE, (page - 1) * ENTERPRISES_PER_PAGE))
    chart_data = charts.payload(
        charts.schemes_chart("chart-industry", "分行业方案实施与投资", built["by_industry"]),
        charts.status_chart("chart-status", summary),
        charts.rounds_chart("chart-park", "分园区审核完成情况", built["by_park"]),
        charts.reductions_chart("chart-reductions", summary),
    )
    pages = {"page": page, "pages": max(1, -(-total // ENTERPRISES_PER_PAGE)), "total": total}
    return render_template("stats/city.html", filters=filters, summary=summary, tables=built, charts=chart_data,
                           city_name=cities()[code], code=code, pages=pages, link_filters=replace(filters, city=None),
                           export_endpoint="stats.city_export", export_args={"code": code}, **_choices(code))


@bp.get("/city/<code>/export/<table>.<fmt>")
@role_required("regulator", "admin")
def city_export(code: str, table: str, fmt: str):
    return _export(current_user, _city_filters(code), "city", table, fmt)


# --- an enterprise's own results ---------------------------------------------------------------------

def _own_filters() -> Filters:
    return Filters(year=parse_filters(request.args).year, enterprise_id=current_user.enterprise_id)


@bp.get("/mine")
@role_required("enterprise")
def mine():
    filters = _own_filters()
    summary, built, _ = tables.build(current_user, filters, "enterprise")
    chart_data = charts.payload(charts.status_chart("chart-status", summary),
                                charts.reductions_chart("chart-reductions", summary))
    return render_template("stats/mine.html", filters=filters, summary=summary, tables=built, charts=chart_data,
                           export_endpoint="stats.mine_export", export_args={}, years=services.year_choices())


@bp.get("/mine/export/<table>.<fmt>")
@role_required("enterprise")
def mine_export(table: str, fmt: str):
    return _export(current_user, _own_filters(), "enterprise", table, fmt)
