from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..audits import services as audits
from ..enterprises.models import Enterprise
from ..core.errors import DomainError, PermissionDenied
from ..core.extensions import db
from ..core.reference.services import cities_for
from ..core.tabular import csv_bytes, export_caption, export_filename, xlsx_bytes
from ..core.access import role_required
from ..core.web import CSV, XLSX, download, flash_form_errors, form_page, import_page, paginate, show_errors
from . import review, rules, services
from .forms import DecisionForm, ImportForm, ProgressForm, RevisionForm, ReviewFiguresForm, SchemeForm, WithdrawForm
from .importer import COLUMNS, REQUIRED, import_schemes, template_rows
from .models import AMOUNTS, CATEGORIES, METRIC, STATUSES, Scheme

bp = Blueprint("schemes", __name__, url_prefix="/schemes")

EXPORT_LIMIT = 200_000
EXPORT_HEADERS = ["企业名称", "统一社会信用代码", "设区市", "审核轮次状态", "方案编号", "方案名称", "方案类别", "状态",
                  "计划完成日期", "完成日期", "绩效已核实", *(f"{m.label}（{m.unit}）" for m in AMOUNTS), "数值核实",
                  "已撤回"]


@bp.app_template_filter("stat")
def format_figure(value):
    """A count or amount for a page: 12,345.5 (trailing zeros dropped); a missing figure is a dash."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{services.plain(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def _filters() -> dict:
    return {key: request.args.get(key, "").strip() for key in ("q", "city", "status", "category")}


def _export_row(s: Scheme) -> list:
    return [s.enterprise.name, s.enterprise.uscc, s.enterprise.city.name, s.round.state_label, s.code, s.name,
            s.category_label, s.status_label, s.planned_completion_on, s.completed_on, s.verified,
            *(services.plain(getattr(s, m.key)) for m in AMOUNTS), s.review_label or "", s.withdrawn_at is not None]


# --- regulators: the schemes of their region ----------------------------------------------------------

@bp.get("/")
@role_required("regulator", "admin")
def index():
    filters = _filters()
    pagination = paginate(services.visible(current_user, **filters))
    return render_template("schemes/index.html", pagination=pagination, filters=filters, cities=cities_for(current_user),
                           statuses=STATUSES, categories=CATEGORIES)


@bp.get("/export.<fmt>")
@role_required("regulator", "admin", "enterprise")
def export(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    filters = _filters()
    schemes = db.session.scalars(services.visible(current_user, **filters).limit(EXPORT_LIMIT))
    rows = (_export_row(s) for s in schemes)
    own = current_user.enterprise.name if current_user.role == "enterprise" and current_user.enterprise else ""
    words = [own or (current_user.scope_label if current_user.role == "regulator" and not filters["city"] else ""),
             cities_for(current_user).get(filters["city"], ""), STATUSES.get(filters["status"], ""),
             CATEGORIES.get(filters["category"], ""), f"含“{filters['q']}”" if filters["q"] else ""]
    name = export_filename("清洁生产方案", words, fmt)
    if fmt == "xlsx":
        return download(xlsx_bytes("清洁生产方案", EXPORT_HEADERS, rows, caption=export_caption(words)), name, XLSX)
    return download(csv_bytes(EXPORT_HEADERS, rows), name, CSV)


@bp.get("/<int:scheme_id>")
@role_required("regulator", "admin", "enterprise")
def detail(scheme_id: int):
    scheme = services.get_visible(current_user, scheme_id)
    own = current_user.role == "enterprise"
    return render_template("schemes/detail.html", scheme=scheme, amounts=AMOUNTS, metric=METRIC, plain=services.plain,
                           can_write=services.can_write(current_user, scheme.round),
                           can_revise=own and services.is_frozen(scheme.round) and scheme.withdrawn_at is None,
                           withdraw_form=WithdrawForm())


# --- enterprises: their own schemes -------------------------------------------------------------------

def _own_enterprise() -> Enterprise:
    return db.session.get(Enterprise, current_user.enterprise_id)


@bp.get("/mine")
@role_required("enterprise")
def mine():
    enterprise = _own_enterprise()
    current = audits.current_round(enterprise.id)
    rounds = audits.rounds_of(enterprise.id)
    by_round = {r.id: list(db.session.scalars(services.visible(current_user, round_id=r.id))) for r in rounds}
    return render_template("schemes/mine.html", enterprise=enterprise, current=current, rounds=rounds,
                           by_round=by_round, can_write=bool(current and services.can_write(current_user, current)),
                           frozen=bool(current and services.is_frozen(current)),
                           editable_states=[audits.STATES[s] for s in services.EDITABLE_STATES],
                           plain=services.plain)


def _current_round_or_redirect():
    current = audits.current_round(current_user.enterprise_id)
    if current is None:
        flash("本企业没有进行中的审核轮次；方案登记在当前审核轮次下。", "warning")
    return current


def _form_data(scheme: Scheme) -> dict:
    data = scheme.snapshot()
    data.update({m.key: str(services.plain(getattr(scheme, m.key))) for m in AMOUNTS})
    return data


@bp.route("/new", methods=["GET", "POST"])
@role_required("enterprise")
def new():
    """A new scheme: entered directly during the audit, asked for by a revision once the report is in."""
    current = _current_round_or_redirect()
    if current is None:
        return redirect(url_for(".mine"))
    frozen = services.is_frozen(current)
    form = RevisionForm() if frozen else SchemeForm()

    def act():
        values = form.values()
        if frozen:
            reason = values.pop("reason")
            review.request_new(current_user, current, values, reason)
        else:
            scheme = services.create(current_user, current, values)
        if frozen:
            flash(f"已提交新增方案 {values['code']} 的申请，经监管部门批准后登记。", "success")
        else:
            flash(f"已登记方案 {scheme.code}：{scheme.name}。", "success")
        return redirect(url_for(".mine"))

    return form_page(form, act, "schemes/form.html", scheme=None, round=current, amounts=AMOUNTS, revision=frozen)


@bp.route("/<int:scheme_id>/edit", methods=["GET", "POST"])
@role_required("enterprise")
def edit(scheme_id: int):
    scheme = services.get_visible(current_user, scheme_id)
    if request.method == "GET" and services.is_frozen(scheme.round):
        flash(services.frozen_message(scheme.round.state), "info")
        return redirect(url_for(".revise", scheme_id=scheme.id))
    form = SchemeForm(data=_form_data(scheme)) if request.method == "GET" else SchemeForm()

    def act():
        changed = services.update(current_user, scheme, form.values())
        flash("已保存修改。" if changed else "没有需要保存的修改。", "success" if changed else "info")
        return redirect(url_for(".mine"))

    return form_page(form, act, "schemes/form.html", scheme=scheme, round=scheme.round, amounts=AMOUNTS)


@bp.post("/<int:scheme_id>/delete")
@role_required("enterprise")
def delete(scheme_id: int):
    scheme = services.get_visible(current_user, scheme_id)
    label = f"{scheme.code}：{scheme.name}"
    try:
        services.delete_scheme(current_user, scheme)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(f"已删除方案 {label}。", "success")
    return redirect(url_for(".mine"))


# --- enterprises: after the report, revisions and progress ----------------------------------------------

@bp.route("/<int:scheme_id>/revise", methods=["GET", "POST"])
@role_required("enterprise")
def revise(scheme_id: int):
    scheme = services.get_visible(current_user, scheme_id)
    form = RevisionForm(data=_form_data(scheme)) if request.method == "GET" else RevisionForm()

    def act():
        values = form.values()
        reason = values.pop("reason")
        review.request_change(current_user, scheme, values, reason)
        flash("修订申请已提交，经监管部门批准后生效；批准前方案保持原样。", "success")
        return redirect(url_for(".detail", scheme_id=scheme.id))

    return form_page(form, act, "schemes/form.html", scheme=scheme, round=scheme.round, amounts=AMOUNTS, revision=True)


@bp.post("/<int:scheme_id>/withdraw")
@role_required("enterprise")
def withdraw(scheme_id: int):
    scheme = services.get_visible(current_user, scheme_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            review.request_withdrawal(current_user, scheme, form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash("撤回申请已提交，经监管部门批准后方案标记为已撤回（不删除）。", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for(".detail", scheme_id=scheme.id))


@bp.route("/<int:scheme_id>/progress", methods=["GET", "POST"])
@role_required("enterprise")
def progress(scheme_id: int):
    scheme = services.get_visible(current_user, scheme_id)
    form = ProgressForm(data=_form_data(scheme)) if request.method == "GET" else ProgressForm()

    def act():
        entry = review.report_progress(current_user, scheme, form.values())
        if scheme.review_status == "pending":
            flash("已登记实施进展。部分数值待监管部门核实，核实确认前不计入统计。", "warning")
        else:
            flash(f"已登记实施进展（{entry.kind_label}）。", "success")
        return redirect(url_for(".detail", scheme_id=scheme.id))

    return form_page(form, act, "schemes/progress.html", scheme=scheme, amounts=AMOUNTS, factor=rules.COMPLETION_FACTOR)


# --- regulators: revisions and figures to review -----------------------------------------------------------

@bp.get("/revisions")
@role_required("regulator", "admin")
def revisions():
    return render_template("schemes/revisions.html", pagination=paginate(review.pending_revisions(current_user)))


@bp.route("/revisions/<int:revision_id>", methods=["GET", "POST"])
@role_required("regulator", "admin", "enterprise")
def revision(revision_id: int):
    entry = review.get_revision(current_user, revision_id)
    form = DecisionForm()
    status = 200
    if form.validate_on_submit():
        try:
            review.decide(current_user, entry, approve=form.decision.data == "approve", note=form.note.data)
        except PermissionDenied:
            raise
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash(f"修订申请 #{entry.id} {entry.state_label}。", "success")
            return redirect(url_for(".revisions"))
    elif request.method == "POST":
        status = 422
    return render_template("schemes/revision.html", entry=entry, form=form, metric=METRIC), status


@bp.get("/review")
@role_required("regulator", "admin")
def figures_to_review():
    return render_template("schemes/to_review.html", pagination=paginate(review.figures_to_review(current_user)),
                           metric=METRIC)


@bp.route("/<int:scheme_id>/review", methods=["GET", "POST"])
@role_required("regulator", "admin")
def review_figures(scheme_id: int):
    scheme = services.get_visible(current_user, scheme_id)
    form = ReviewFiguresForm()
    status = 200
    if form.validate_on_submit():
        try:
            review.review_figures(current_user, scheme, confirm=form.decision.data == "confirm", note=form.note.data)
        except PermissionDenied:
            raise
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash(f"方案 {scheme.code} {scheme.review_label}。", "success")
            return redirect(url_for(".figures_to_review"))
    elif request.method == "POST":
        status = 422
    return render_template("schemes/review_figures.html", scheme=scheme, form=form, metric=METRIC,
                           amounts=AMOUNTS), status


@bp.get("/template.xlsx")
@role_required("enterprise")
def template():
    """The import file, filled with the current round's schemes: edit it and upload it again."""
    current = audits.current_round(current_user.enterprise_id)
    schemes = list(db.session.scalars(services.visible(current_user, round_id=current.id))) if current else []
    data = xlsx_bytes("清洁生产方案", list(COLUMNS), template_rows(schemes))
    return download(data, "清洁生产方案导入模板.xlsx", XLSX)


@bp.route("/import", methods=["GET", "POST"])
@role_required("enterprise")
def import_file():
    return import_page(ImportForm(), lambda data, name: import_schemes(current_user, data, name), "schemes/import.html",
                       required=REQUIRED, optional=[h for h in COLUMNS if h not in REQUIRED])
