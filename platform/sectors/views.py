"""The sectors' 2025 targets: the public dashboard and its exports, and the departments' reporting
(a form, a correction by revision, an import)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..core.access import role_required
from ..core.tabular import csv_bytes, export_filename, xlsx_bytes
from ..core.web import CSV, XLSX, download, form_page, import_page
from . import services
from .forms import FigureForm, ImportForm, RevisionForm
from .importer import OPTIONAL, REQUIRED, import_figures
from .rules import DEPARTMENT_NAMES, INDICATORS, PROVINCE_FIGURE

bp = Blueprint("sectors", __name__, url_prefix="/targets")


def _number(value):
    return None if value is None else float(value)


def _percent(ratio):
    return None if ratio is None else round(float(ratio) * 100, 1)


def _chart(item) -> dict:
    i = item.indicator
    series = [{"name": "全区" + ("（当年新增）" if i.cumulative else ""), "kind": "bar",
               "data": [_number(item.province.get(y)) for y in item.years]}]
    if i.cumulative:
        running, total = [], 0.0
        for y in item.years:
            total += float(item.province.get(y) or 0)
            running.append(round(total, 2))
        series.append({"name": "“十四五”累计", "kind": "line", "data": running})
    series.append({"name": "2025 年目标", "kind": "line", "data": [float(i.target)] * len(item.years)})
    return {"id": f"chart-{i.key}", "type": "bars", "title": f"{i.label}（{i.unit_label}）",
            "categories": [f"{y}年" for y in item.years], "axes": [i.unit_label], "series": series}


PROGRESS_HEADERS = ["指标", "单位", "2025年目标", "最新年度", "全区最新数值", "“十四五”累计", "完成进度（%）", "是否达到目标", "填报部门"]
FIGURE_HEADERS = ["指标", "地区", "年度", "数值", "单位", "2025年目标", "填报部门", "填报日期"]


def _progress_rows(items):
    for item in items:
        i = item.indicator
        yield [i.label, i.unit_label, i.target_label, item.latest_year, _number(item.latest), _number(item.cumulative),
               _percent(item.progress), None if item.met is None else item.met, DEPARTMENT_NAMES[i.department]]


def _figure_rows():
    for f in services.current_figures():
        i = INDICATORS[f.indicator]
        yield [i.label, services.division_name(f.division_code), f.year, _number(f.value), i.unit_label, i.target_label,
               DEPARTMENT_NAMES[f.department], services.reported_on(f)]


TABLES = {"progress": ("行业领域2025年目标进度", PROGRESS_HEADERS), "figures": ("行业领域目标年度数值", FIGURE_HEADERS)}


@bp.get("")
def dashboard():
    items = services.dashboard()
    charts = {"charts": [_chart(item) for item in items if item.years]}
    return render_template("sectors/dashboard.html", items=items, charts=charts, city_codes=services.city_codes(items),
                           division_name=services.division_name, province_rule=PROVINCE_FIGURE,
                           department_names=DEPARTMENT_NAMES)


@bp.get("/export/<table>.<fmt>")
def export(table: str, fmt: str):
    if table not in TABLES or fmt not in ("xlsx", "csv"):
        abort(404)
    title, headers = TABLES[table]
    rows = list(_progress_rows(services.dashboard()) if table == "progress" else _figure_rows())
    name = export_filename(title, [], fmt)
    if fmt == "xlsx":
        return download(xlsx_bytes(title, headers, rows, caption="全区及各设区市"), name, XLSX)
    return download(csv_bytes(headers, rows), name, CSV)


@bp.route("/report", methods=["GET", "POST"])
@role_required("regulator")
def report():
    indicators = services.reportable(current_user)
    form = FigureForm()
    form.indicator.choices = [(i.key, f"{i.label}（{i.unit_label}）") for i in indicators]
    form.division_code.choices = list(services.division_choices(current_user).items())
    form.year.choices = [(str(y), f"{y}年") for y in services.year_choices()]

    def act():
        figure = services.report(current_user, {"indicator": form.indicator.data, "division_code": form.division_code.data,
                                                "year": form.year.data, "value": form.value.data})
        flash(f"已填报{services.division_name(figure.division_code)} {figure.year} 年的{INDICATORS[figure.indicator].label}。",
              "success")
        return redirect(url_for(".report"))

    return form_page(form, act, "sectors/report.html", figures=services.recent(current_user), indicators=INDICATORS,
                     division_name=services.division_name, reported_on=services.reported_on)


@bp.route("/figures/<int:figure_id>/revise", methods=["GET", "POST"])
@role_required("regulator")
def revise(figure_id: int):
    services.reportable(current_user)
    figure = services.get(current_user, figure_id)
    form = RevisionForm()

    def act():
        services.revise(current_user, figure, form.value.data, form.reason.data)
        flash("已提交修订，原数值保留在修订记录中。", "success")
        return redirect(url_for(".report"))

    return form_page(form, act, "sectors/revise.html", figure=figure, indicator=INDICATORS[figure.indicator],
                     history=services.history(figure), division_name=services.division_name,
                     reported_on=services.reported_on)


@bp.route("/import", methods=["GET", "POST"])
@role_required("regulator")
def import_file():
    services.reportable(current_user)
    return import_page(ImportForm(), lambda data, name: import_figures(current_user, data, name), "sectors/import.html",
                       required=REQUIRED, optional=OPTIONAL, indicators=services.reportable(current_user))
