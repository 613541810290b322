"""Credit pages: the regulators' penalty form, approval, dashboard and dead letters; the enterprise's
records and repair applications; the public disclosure of published records."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..audits import cases as case_services
from ..core import access
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.extensions import db
from ..core.reference.services import cities
from ..core.tabular import csv_bytes, export_filename
from ..core.access import role_required
from ..core.web import CSV, download, paginate, safe_next, show_errors
from . import services
from .channel import FIELDS, NOT_ON_PUBLIC_PAGES, record_fields
from .forms import ApprovalForm, PenaltyForm, RepairDecisionForm, RepairForm, RetryForm
from .models import RECORD_STATES, PenaltyDecision
from ..audits.rules import penalty_for
from .rules import AT_RISK_WORKING_DAYS, SEVERITIES, fine_range
from ..core.dates import beijing_today

bp = Blueprint("credit", __name__)
PUBLIC_FIELDS = [(key, label) for key, label in FIELDS if key not in NOT_ON_PUBLIC_PAGES]


@bp.app_template_global()
def published_credit_records(enterprise_id: int):
    """For the public enterprise status page (templates/audits/public_status.html)."""
    return services.published_records_of(enterprise_id)


@bp.app_template_global()
def case_penalty_decision(case_id: int):
    """For the regulator's case page (templates/audits/case.html)."""
    return db.session.scalar(select(PenaltyDecision).where(PenaltyDecision.case_id == case_id))


# --- regulators ---------------------------------------------------------------------------------------

@bp.get("/credit/dashboard")
@role_required("regulator", "admin")
def dashboard():
    today = beijing_today()
    awaiting = list(db.session.scalars(services.records_for_regulator(current_user, state="pending").limit(50)))
    last_run = services.last_publish_run()
    return render_template("credit/dashboard.html", today=today, awaiting=awaiting,
                           at_risk=services.at_risk(current_user, today),
                           dead=list(db.session.scalars(services.dead_letters(current_user).limit(50))),
                           repairs=list(db.session.scalars(services.pending_repairs(current_user).limit(50))),
                           last_run=last_run, retry_form=RetryForm(), at_risk_days=AT_RISK_WORKING_DAYS.value)


@bp.get("/credit/records")
@role_required("regulator", "admin")
def records():
    state, q = request.args.get("state", "").strip(), request.args.get("q", "").strip()
    if state and state not in RECORD_STATES:
        state = ""
    pagination = paginate(services.records_for_regulator(current_user, state=state, q=q))
    return render_template("credit/records.html", pagination=pagination, state=state, q=q, states=RECORD_STATES)


@bp.route("/credit/cases/<int:case_id>/penalty", methods=["GET", "POST"])
@role_required("regulator")
def penalty(case_id: int):
    case = case_services.get_case(current_user, case_id)
    form = PenaltyForm()
    penalty = penalty_for(case.cause)
    if request.method == "GET":
        form.office_name.data = current_user.display_name
        form.violation_type.data, form.legal_basis.data = penalty.violation_type, penalty.legal_basis
    lowest, highest = fine_range(penalty.fine)
    form.fine_yuan.description = (f"依{penalty.article}，可以不罚款，最高 {highest:,.0f} 元" if lowest == 0
                                  else f"依{penalty.article}，{lowest:,.0f}–{highest:,.0f} 元")
    form.valid_until.description = "处罚决定的有效期；长期有效请留空（报送为 2099-12-31）。与公示截止期不同，后者由失信程度决定。"
    status = 200
    if form.validate_on_submit():
        try:
            decision = services.record_penalty(
                current_user, case, decision_no=form.decision_no.data, decided_on=form.decided_on.data,
                facts=form.facts.data, legal_basis=form.legal_basis.data, fine_yuan=form.fine_yuan.data,
                severity=form.severity.data, office_name=form.office_name.data, office_uscc=form.office_uscc.data,
                violation_type=form.violation_type.data, remarks=form.remarks.data, valid_until=form.valid_until.data)
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash("处罚决定已记录，信用记录待另一名监管人员审核后报送公示。", "success")
            return redirect(url_for("credit.record_detail", record_id=decision.record.id))
    elif request.method == "POST":
        status = 422
    return render_template("credit/penalty_form.html", case=case, form=form), status


@bp.route("/credit/records/<int:record_id>", methods=["GET", "POST"])
@role_required("regulator", "admin", "enterprise")
def record_detail(record_id: int):
    record = services.get_record(current_user, record_id)
    if current_user.role == "enterprise":
        return redirect(url_for("credit.mine"))
    form = ApprovalForm()
    status = 200
    if request.method == "POST":
        access.require_role(current_user, "regulator", message="只有监管部门可以审核信用记录。")
        if not form.validate_on_submit():
            status = 422
        else:
            try:
                services.approve(current_user, record, note=form.note.data)
            except DomainError as exc:
                status = show_errors(form, exc)
            else:
                flash("已审核通过，将在下次报送时送往信用信息平台。", "success")
                return redirect(url_for("credit.record_detail", record_id=record.id))
    return render_template("credit/record.html", record=record, fields=record_fields(record), labels=FIELDS,
                           form=form, retry_form=RetryForm(), today=beijing_today()), status


@bp.get("/credit/dead-letters")
@role_required("regulator", "admin")
def dead_letters():
    return render_template("credit/dead_letters.html", pagination=paginate(services.dead_letters(current_user)),
                           retry_form=RetryForm())


@bp.post("/credit/deliveries/<int:delivery_id>/retry")
@role_required("regulator")
def retry(delivery_id: int):
    delivery = services.get_delivery(current_user, delivery_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    try:
        services.retry_delivery(current_user, delivery)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash("已重新排队，将在下次报送时发送（同一幂等键，不会重复公示）。", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("credit.dead_letters"))


@bp.route("/credit/repairs/<int:repair_id>", methods=["GET", "POST"])
@role_required("regulator", "admin", "enterprise")
def repair_detail(repair_id: int):
    repair = services.get_repair(current_user, repair_id)
    form = RepairDecisionForm()
    status = 200
    if request.method == "POST":
        access.require_role(current_user, "regulator", message="只有监管部门可以审核信用修复申请。")
        try:
            if not form.validate_on_submit():
                raise ValidationError("表单已失效，请刷新页面后重试。")
            if form.decision.data not in ("approve", "reject"):
                raise ValidationError("请选择审核结论。", "decision")
            services.decide_repair(current_user, repair, approved=form.decision.data == "approve",
                                   reason=form.reason.data)
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash("已准予信用修复，记录已从公示页面撤下，并将通知信用信息平台。" if repair.state == "approved"
                  else "已作出不予修复的决定。", "success")
            return redirect(url_for("credit.dashboard"))
    return render_template("credit/repair.html", repair=repair, form=form), status


@bp.get("/credit/repairs/<int:repair_id>/proof")
@role_required("regulator", "admin", "enterprise")
def repair_proof(repair_id: int):
    repair, path = services.proof_path(current_user, repair_id)
    if not path.is_file():
        raise NotFound("证明材料文件不存在，请联系系统管理员。")
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=repair.proof_original_name)


@bp.get("/credit/repairs/<int:repair_id>/voucher")
@role_required("regulator", "admin", "enterprise")
def repair_voucher(repair_id: int):
    repair, path = services.voucher_path(current_user, repair_id)
    if path is None or not path.is_file():
        raise NotFound("该申请没有缴款凭证文件。")
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=repair.voucher_original_name)


# --- enterprise ---------------------------------------------------------------------------------------

@bp.get("/credit/mine")
@role_required("enterprise")
def mine():
    return render_template("credit/mine.html", records=services.records_of_enterprise(current_user), today=beijing_today())


@bp.route("/credit/records/<int:record_id>/repair", methods=["GET", "POST"])
@role_required("enterprise")
def apply_repair(record_id: int):
    record = services.get_record(current_user, record_id)
    form = RepairForm()
    status = 200
    if form.validate_on_submit():
        upload, voucher = form.proof.data, form.voucher.data
        try:
            services.apply_for_repair(current_user, record, correction=form.correction.data,
                                      commitment=form.commitment.data, commitment_public=form.commitment_public.data,
                                      data=upload.read() if upload else b"",
                                      filename=upload.filename if upload else "",
                                      paid_yuan=form.paid_yuan.data, paid_on=form.paid_on.data,
                                      voucher=voucher.read() if voucher else b"",
                                      voucher_filename=voucher.filename if voucher else "")
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash("信用修复申请已提交，请等待监管部门审核。", "success")
            return redirect(url_for("credit.mine"))
    elif request.method == "POST":
        status = 422
    return render_template("credit/repair_form.html", record=record, form=form), status


# --- public ---------------------------------------------------------------------------------------------

@bp.get("/credit")
def public_records():
    q, city = request.args.get("q", "").strip(), _public_city()
    return render_template("credit/public_records.html", q=q, city=city, cities=cities(),
                           pagination=paginate(services.public_records(q, city=city)), severities=SEVERITIES)


def _public_city() -> str:
    city = request.args.get("city", "").strip()
    return city if city in cities() else ""


@bp.get("/credit/r/<key>")
def public_record(key: str):
    record = services.public_record(key)
    return render_template("credit/public_record.html", record=record, fields=record_fields(record),
                           labels=PUBLIC_FIELDS)


@bp.get("/credit/export.csv")
def public_export():
    """The published records as a 双公示 CSV (the public field set)."""
    q = request.args.get("q", "").strip()
    rows = db.session.scalars(services.public_records(q, city=_public_city()).limit(100_000))
    data = csv_bytes([label for _, label in PUBLIC_FIELDS],
                     ([record_fields(r)[key] for key, _ in PUBLIC_FIELDS] for r in rows))
    return download(data, export_filename("行政处罚信用信息", [f"含“{q}”" if q else ""], "csv"), CSV)
