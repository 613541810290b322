
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..enterprises import services as enterprises
from ..enterprises.models import Enterprise
from ..core import access
from ..core.errors import DomainError, NotFound, PermissionDenied
from ..core.extensions import db
from ..core.models_base import small_int
from ..core.reference.services import cities, cities_for
from ..core.tabular import export_caption, export_filename, xlsx_bytes
from ..core.access import role_required
from ..core.web import XLSX, download, flash_form_errors, form_page, paginate, show_errors
from . import cases as case_services
from . import certifications, disclosures, permits, procedures, services
from .forms import (BatchForm, CancelForm, CertificationDecisionForm, CertificationForm, ConfirmStepForm, DateForm,
                    CarbonForm, DisclosureFilingForm, PermitForm,
                    NoteForm, OpenCaseForm, ParkRoundForm, RectificationForm, ReportForm, VoluntaryForm)
from .models import KINDS, PROCEDURES, STATES, ListBatch, Notice
from .rules import CAUSES
from ..core.dates import beijing_today

bp = Blueprint("audits", __name__)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").replace("，", "\n").splitlines() if line.strip()]


# --- regulator: lists, rounds, cases -------------------------------------------------------------

@bp.get("/audits/batches")
@role_required("regulator", "admin")
def batches():
    query = select(ListBatch).order_by(ListBatch.published_on.desc(), ListBatch.id.desc())
    if current_user.role == "regulator" and not current_user.is_province_regulator:
        query = query.where(ListBatch.division_code.in_((current_user.division_code, "450000")))
    return render_template("audits/batches.html", pagination=paginate(query))


@bp.route("/audits/batches/new", methods=["GET", "POST"])
@role_required("regulator")
def new_batch():
    form = BatchForm()

    def act():
        batch = services.publish_batch(current_user, title=form.title.data, document_no=form.document_no.data,
                                       published_on=form.published_on.data, usccs=_lines(form.usccs.data),
                                       reason=form.reason.data)
        flash(f"名单已公布，共 {len(batch.rounds)} 家企业。", "success")
        return redirect(url_for("audits.public_batch", batch_id=batch.id))

    return form_page(form, act, "audits/batch_form.html")


@bp.route("/audits/park-rounds/new", methods=["GET", "POST"])
@role_required("regulator")
def new_park_round():
    form = ParkRoundForm()
    form.park_id.choices = {str(p.id): f"{p.city.name} · {p.name}" for p in enterprises.park_choices(
        None if current_user.is_province_regulator else current_user.division_code)}

    def act():
        park_id = small_int(form.park_id.data) or 0
        park_round = services.create_park_round(current_user, park_id=park_id, title=form.title.data,
                                                listed_on=form.listed_on.data, usccs=_lines(form.usccs.data))
        flash(f"已组织{park_round.title}，共 {len(park_round.rounds)} 家企业。", "success")
        return redirect(url_for("audits.rounds"))

    return form_page(form, act, "audits/park_round_form.html")


def _round_filters() -> dict:
    return {k: request.args.get(k, "").strip() for k in ("q", "state", "kind", "city", "overdue")}


@bp.get("/audits/rounds")
@role_required("regulator", "admin")
def rounds():
    filters = _round_filters()
    return render_template("audits/rounds.html", pagination=paginate(services.rounds_for(current_user, **filters)),
                           filters=filters, states=STATES, kinds=KINDS, cities=cities_for(current_user))


@bp.get("/audits/rounds/export.xlsx")
@role_required("regulator", "admin")
def export_rounds():
    filters = _round_filters()
    rows = db.session.scalars(services.rounds_for(current_user, **filters).limit(100_000))
    words = [current_user.scope_label if current_user.role == "regulator" and not filters["city"] else "",
             cities_for(current_user).get(filters["city"], ""), STATES.get(filters["state"], ""),
             KINDS.get(filters["kind"], ""), "逾期" if filters["overdue"] else "",
             f"含“{filters['q']}”" if filters["q"] else ""]
    headers = ["企业名称", "统一社会信用代码", "设区市", "审核类型", "审核程序", "状态", "列入名单日期", "信息公开期限", "信息公开日期",
               "审核开始期限", "审核开始日期", "报告提交期限", "报告提交日期", "评估结论日期", "验收期限", "验收结论日期", "碳减排纳入审核"]
    data = xlsx_bytes("审核轮次", headers, caption=export_caption(words), rows=(
        [r.enterprise.name, r.enterprise.uscc, r.enterprise.city.name, r.kind_label, r.procedure_label, r.state_label,
         r.listed_on, r.disclosure_due, r.disclosed_on, r.start_due, r.started_on, r.report_due, r.report_submitted_on,
         r.evaluation_concluded_on, r.acceptance_due, r.acceptance_concluded_on, r.carbon_in_scope] for r in rows))
    return download(data, export_filename("审核轮次", words, "xlsx"), XLSX)


@bp.get("/audits/rounds/<int:round_id>")
@role_required("regulator", "admin", "enterprise")
def round_detail(round_id: int):
    round_ = services.get_round(current_user, round_id)
    can_act = access.has_role(current_user, "regulator") and access.regulates_city(current_user, round_.enterprise.city_code)
    return render_template("audits/round.html", round=round_, can_act=can_act, today=beijing_today(),
                           steps=procedures.progress(round_), flow=procedures.flow_of(round_),
                           certs=certifications.of_enterprise(round_.enterprise_id),
                           deadlines=services.deadlines(round_, beijing_today()),
                           cases=list(db.session.scalars(select(case_services.Case).where(
                               case_services.Case.round_id == round_.id))),
                           date_form=DateForm(), cancel_form=CancelForm(),
                           open_case_form=OpenCaseForm(), permit_warnings=permits.warnings(round_),
                           **_disclosure_context(round_, history=True))


def _disclosure_context(round_, history: bool) -> dict:
    """What templates/audits/_disclosure.html shows of a round's §11 forms; old versions only to those
    who read the round (the regulators and the enterprise), never on the public page."""
    if round_ is None:
        return {"disclosure": {"required": []}}
    return {"disclosure": disclosures.summary(round_), "forms": disclosures.FORMS, "flags": disclosures.flags,
            "versions": disclosures.versions_of(round_) if history else None}


@bp.post("/audits/rounds/<int:round_id>/cases")
@role_required("regulator")
def open_case(round_id: int):
    round_ = services.get_round(current_user, round_id)
    form = OpenCaseForm()
    if form.validate_on_submit():
        try:
            case = case_services.open_case(current_user, round_, cause=form.cause.data, note=form.note.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash("已立案。", "success")
            return redirect(url_for("audits.case_detail", case_id=case.id))
    else:
        flash_form_errors(form)
    return redirect(url_for("audits.round_detail", round_id=round_id))


# Conclusions of evaluation and acceptance come from the expert panel (platform/reviews/services.py).
REGULATOR_STEPS = {"begin-evaluation", "cancel"}
ENTERPRISE_STEPS = {"disclose", "start", "request-acceptance"}


@bp.post("/audits/rounds/<int:round_id>/<step>")
@role_required("regulator", "enterprise")
def round_step(round_id: int, step: str):
    round_ = services.get_round(current_user, round_id)
    if step not in REGULATOR_STEPS | ENTERPRISE_STEPS:
        abort(404)
    form = CancelForm() if step == "cancel" else DateForm()
    back = url_for("audits.my_rounds") if current_user.role == "enterprise" else url_for("audits.round_detail", round_id=round_id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    try:
        if step == "disclose":
            services.disclose(current_user, round_, on=form.on.data, url=form.url.data)
        elif step == "start":
            services.start_audit(current_user, round_, on=form.on.data, carbon_in_scope=form.carbon_in_scope.data)
        elif step == "request-acceptance":
            services.request_acceptance(current_user, round_, on=form.on.data)
        elif step == "begin-evaluation":
            services.begin_evaluation(current_user, round_, on=form.on.data)
        else:
            services.cancel(current_user, round_, reason=form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back)
    flash(f"已办理，审核轮次现为“{round_.state_label}”。", "success")
    return redirect(back)


def _disclosure_input(cause: str) -> dict:
    """The posted form as plain values: the scalar fields, and each table's lines in order with the
    blank ones dropped (so the service's line numbers are the ones shown again)."""
    spec = disclosures.FORMS[cause]
    data = {f.key: request.form.get(f.key, "") for f in disclosures.COMMON + spec.fields}
    for table in spec.tables:
        rows = []
        for i in range(1, disclosures.MAX_ROWS + 1):
            row = {f.key: request.form.get(f"{table.key}-{i}-{f.key}", "") for f in table.fields}
            if not all(v.strip() == "" for v in row.values()):
                rows.append(row)
        data[table.key] = rows
    return data


@bp.route("/audits/rounds/<int:round_id>/disclosure/<cause>", methods=["GET", "POST"])
@role_required("enterprise")
def disclosure_form(round_id: int, cause: str):
    """The enterprise files, or corrects, one §11 disclosure form of its round."""
    round_ = services.get_round(current_user, round_id)
    if cause not in round_.required_disclosures:
        abort(404)
    form = DisclosureFilingForm()
    current = disclosures.current_forms(round_).get(cause)
    values, errors, status = disclosures.prefill(round_, cause), {}, 200
    if request.method == "POST":
        values = _disclosure_input(cause)
        if form.validate_on_submit():
            try:
                saved = disclosures.save(current_user, round_, cause, values, correction_note=form.correction_note.data)
            except DomainError as exc:
                db.session.rollback()
                errors = exc.errors if hasattr(exc, "errors") else {exc.field or "form": exc.message}
                status = 422
            else:
                flash(f"已公开{disclosures.FORMS[cause].label}（第 {saved.version} 版）。", "success")
                return redirect(url_for("audits.my_rounds"))
        else:
            status = 422
    spec = disclosures.FORMS[cause]
    rows = {t.key: len(values.get(t.key) or []) + 2 for t in spec.tables}
    return render_template("audits/disclosure_form.html", round=round_, spec=spec, common=disclosures.COMMON,
                           values=values, errors=errors, rows=rows, form=form, current=current), status


@bp.route("/audits/rounds/<int:round_id>/permit", methods=["GET", "POST"])
@role_required("enterprise")
def round_permit(round_id: int):
    """The enterprise records its discharge permit's status in the round (申领/登记, 执行报告)."""
    round_ = services.get_round(current_user, round_id)
    form = PermitForm(data={"status": round_.permit_status or "", "permit_no": round_.permit_no or "",
                            "report_year": str(round_.permit_report_year or "")} if request.method == "GET" else None)

    def act():
        permits.record_permit(current_user, round_, status=form.status.data, permit_no=form.permit_no.data,
                              report_year=form.report_year.data)
        flash("已记录排污许可情况。", "success")
        return redirect(url_for("audits.my_rounds"))

    return form_page(form, act, "audits/round_content_form.html", round=round_, title="排污许可情况",
                     hint="依据《排污许可管理条例》：重点管理、简化管理的企业应取得排污许可证（第二条），"
                          "并按证载要求提交执行报告（第二十二条）；登记管理的企业填报排污登记表（第二十四条）。")


@bp.route("/audits/rounds/<int:round_id>/carbon", methods=["GET", "POST"])
@role_required("enterprise")
def round_carbon(round_id: int):
    """The enterprise records the carbon baseline, intensity and reduction target of its round."""
    round_ = services.get_round(current_user, round_id)
    if not round_.carbon_in_scope:
        abort(404)
    text = lambda v: "" if v is None else format(v.normalize(), "f") if hasattr(v, "normalize") else str(v)  # noqa: E731
    form = CarbonForm(data={"baseline_year": text(round_.carbon_baseline_year), "baseline_t": text(round_.carbon_baseline_t),
                            "intensity": text(round_.carbon_intensity), "intensity_unit": round_.carbon_intensity_unit or "",
                            "target_year": text(round_.carbon_target_year),
                            "target_reduction_t": text(round_.carbon_target_reduction_t)}
                      if request.method == "GET" else None)

    def act():
        permits.record_carbon(current_user, round_, baseline_year=form.baseline_year.data, baseline_t=form.baseline_t.data,
                              intensity=form.intensity.data, intensity_unit=form.intensity_unit.data,
                              target_year=form.target_year.data, target_reduction_t=form.target_reduction_t.data)
        flash("已记录碳排放基准与减排目标。", "success")
        return redirect(url_for("audits.my_rounds"))

    return form_page(form, act, "audits/round_content_form.html", round=round_, title="碳排放基准与减排目标",
                     hint="碳减排纳入审核：填写基准年排放量、单位产品碳排放强度和减排目标；数值须为正数，目标年须晚于基准年。")


@bp.post("/audits/rounds/<int:round_id>/report")
@role_required("enterprise")
def upload_report(round_id: int):
    round_ = services.get_round(current_user, round_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.submit_report(current_user, round_, on=form.on.data, data=form.file.data.read(),
                                   filename=form.file.data.filename)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash("审核报告已提交。", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("audits.my_rounds"))


# --- declared dates a regulator confirms -----------------------------------------------------------

@bp.get("/audits/confirmations")
@role_required("regulator", "admin")
def confirmations():
    return render_template("audits/confirmations.html",
                           pagination=paginate(services.pending_confirmations(current_user)))


@bp.route("/audits/steps/<int:record_id>", methods=["GET", "POST"])
@role_required("regulator", "admin")
def step_record(record_id: int):
    entry = services.get_step_record(current_user, record_id)
    form = ConfirmStepForm()
    status = 200
    if form.validate_on_submit():
        try:
            if form.decision.data == "refuse":
                services.refuse_step(current_user, entry, reason=form.note.data)
            else:
                upload = form.file.data
                services.confirm_step(current_user, entry, evidence_on=form.evidence_on.data, url=form.url.data,
                                      data=upload.read() if upload else b"", filename=upload.filename if upload else "",
                                      note=form.note.data)
        except PermissionDenied:
            raise  # a refusal of the person, not of the input: 403, not the form again
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash(f"已{entry.status_label}：{entry.summary}", "success")
            return redirect(url_for("audits.round_detail", round_id=entry.round_id))
    elif request.method == "POST":
        status = 422
    return render_template("audits/step_record.html", entry=entry, form=form), status


@bp.get("/audits/steps/<int:record_id>/evidence")
@role_required("regulator", "admin", "enterprise")
def step_evidence(record_id: int):
    entry, path = services.evidence_path(current_user, record_id)
    if not path.is_file():
        raise NotFound("证明材料文件不存在，请联系系统管理员。")
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=entry.evidence_original_name)


@bp.get("/audits/reports/<int:report_id>")
@role_required("regulator", "admin", "enterprise")
def report_file(report_id: int):
    report, path = services.report_path(current_user, report_id)
    if not path.is_file():
        raise NotFound("报告文件不存在，请联系系统管理员。")
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=report.original_name)


@bp.get("/audits/cases")
@role_required("regulator", "admin")
def cases():
    status = request.args.get("status", "active")
    q = request.args.get("q", "").strip()
    city = request.args.get("city", "").strip()
    city = city if city in cities_for(current_user) else ""
    pagination = paginate(case_services.visible(current_user, status or None, q, city))
    return render_template("audits/cases.html", pagination=pagination, status=status, q=q, city=city,
                           cities=cities_for(current_user),
                           statuses=case_services.STATUS_FILTERS, causes=CAUSES)


@bp.route("/audits/cases/<int:case_id>", methods=["GET", "POST"])
@role_required("regulator", "admin")
def case_detail(case_id: int):
    case = case_services.get_case(current_user, case_id)
    action = request.form.get("action", "")
    rectification, note_form = RectificationForm(prefix="r"), NoteForm(prefix="n")
    status = 200
    if request.method == "POST":
        form = rectification if action == "rectify" else note_form
        if form.validate_on_submit():
            try:
                if action == "rectify":
                    case_services.order_rectification(current_user, case, deadline=form.deadline.data, note=form.note.data)
                elif action == "rectified":
                    case_services.mark_rectified(current_user, case, note=form.note.data)
                elif action == "close":
                    case_services.close(current_user, case, reason=form.note.data)
                else:
                    abort(400)
            except DomainError as exc:
                status = show_errors(form, exc)
            else:
                flash(f"案件已更新为“{case.state_label}”。", "success")
                return redirect(url_for("audits.case_detail", case_id=case.id))
        else:
            status = 422
    return render_template("audits/case.html", case=case, rectification=rectification, note_form=note_form,
                           can_act=current_user.role == "regulator"), status


# --- enterprise ------------------------------------------------------------------------------------

@bp.route("/audits/mine", methods=["GET", "POST"])
@role_required("enterprise")
def my_rounds():
    enterprise = db.session.get(Enterprise, current_user.enterprise_id)
    current = services.current_round(enterprise.id)
    voluntary = VoluntaryForm()
    status = 200
    if request.method == "POST":
        if voluntary.validate_on_submit():
            try:
                services.start_voluntary(current_user, kind=voluntary.kind.data, started_on=voluntary.started_on.data,
                                         carbon_in_scope=voluntary.carbon_in_scope.data)
            except DomainError as exc:
                status = show_errors(voluntary, exc)
            else:
                flash("已登记审核轮次。", "success")
                return redirect(url_for("audits.my_rounds"))
        else:
            status = 422
    notices = list(db.session.scalars(select(Notice).where(Notice.enterprise_id == enterprise.id)
                                      .order_by(Notice.created_on.desc(), Notice.id.desc()).limit(20)))
    today = beijing_today()
    return render_template("audits/mine.html", enterprise=enterprise, current=current, today=today,
                           steps=procedures.progress(current) if current else [],
                           flow=procedures.flow_of(current) if current else None,
                           certs=certifications.of_enterprise(enterprise.id),
                           deadlines=services.deadlines(current, today) if current else [],
                           history=[r for r in services.rounds_of(enterprise.id) if r is not current],
                           notices=notices, voluntary=voluntary, date_form=DateForm(), report_form=ReportForm(),
                           permit_warnings=permits.warnings(current) if current else [],
                           **_disclosure_context(current, history=True)), status


# --- public -------------------------------------------------------------------------------------------

@bp.get("/lists")
def public_batches():
    query = select(ListBatch).order_by(ListBatch.published_on.desc(), ListBatch.id.desc())
    return render_template("audits/public_batches.html", pagination=paginate(query))


@bp.get("/lists/<int:batch_id>")
def public_batch(batch_id: int):
    batch = db.get_or_404(ListBatch, batch_id)
    return render_template("audits/public_batch.html", batch=batch)


@bp.get("/audit-status")
def public_lookup():
    q = request.args.get("q", "").strip()
    city = request.args.get("city", "").strip()
    city_name = cities().get(city) if city else None
    pagination = None
    if q:
        pagination = paginate(enterprises.find_public(q))
        if pagination.total == 1 and pagination.page == 1:
            return redirect(url_for("audits.public_status", uscc=pagination.items[0].uscc))
    elif city_name:  # the map's link: the firms of one city listed for a mandatory audit
        pagination = paginate(services.public_listed(city))
    return render_template("audits/public_lookup.html", q=q, pagination=pagination, city=city if city_name else "",
                           city_name=city_name)


@bp.get("/audit-status/<uscc>")
def public_status(uscc: str):
    today = beijing_today()
    enterprise, rounds = services.public_status(uscc, today)
    return render_template("audits/public_status.html", enterprise=enterprise, rounds=rounds, today=today,
                           progress=procedures.progress, flow_of=procedures.flow_of,
                           certified_by=certifications.confirmed_for_round,
                           disclosure_of=disclosures.summary, forms=disclosures.FORMS, flags=disclosures.flags)


@bp.get("/audits/report-outline/<procedure>.md")
def report_outline(procedure: str):
    """The report outline of a procedure (完整 / 简化), as a Markdown file anyone may download."""
    if procedure not in PROCEDURES:
        abort(404)
    return download(procedures.outline_text(procedure).encode("utf-8"),
                    f"清洁生产审核报告提纲（{PROCEDURES[procedure]}）.md", "text/markdown; charset=utf-8")


# --- certification as an audit (视同开展清洁生产审核) ------------------------------------------------

def _record_certification(enterprise, template_context: dict):
    form = CertificationForm()

    def act():
        upload = form.file.data
        cert = certifications.record(current_user, enterprise, certificate_no=form.certificate_no.data,
                                     certifying_body=form.certifying_body.data, certified_on=form.certified_on.data,
                                     scope=form.scope.data, data=upload.read() if upload else b"",
                                     filename=upload.filename if upload else "")
        flash("评价认证已登记，待所在地监管部门对照证书核实后视同开展清洁生产审核。", "success")
        return redirect(url_for("audits.certification", cert_id=cert.id))

    return form_page(form, act, "audits/certification_form.html", enterprise=enterprise, **template_context)


@bp.route("/audits/mine/certification", methods=["GET", "POST"])
@role_required("enterprise")
def my_certification():
    enterprise = db.session.get(Enterprise, current_user.enterprise_id)
    return _record_certification(enterprise, {"cert": None})


@bp.route("/audits/enterprises/<int:enterprise_id>/certification", methods=["GET", "POST"])
@role_required("regulator")
def enterprise_certification(enterprise_id: int):
    enterprise = enterprises.get_visible(current_user, enterprise_id)
    return _record_certification(enterprise, {"cert": None})


@bp.get("/audits/certifications")
@role_required("regulator", "admin")
def certifications_pending():
    return render_template("audits/certifications.html", pagination=paginate(certifications.pending(current_user)))


@bp.route("/audits/certifications/<int:cert_id>", methods=["GET", "POST"])
@role_required("regulator", "admin", "enterprise")
def certification(cert_id: int):
    cert = certifications.get(current_user, cert_id)
    form = CertificationDecisionForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if form.decision.data == "reject":
                    certifications.reject(current_user, cert, reason=form.note.data)
                else:
                    certifications.confirm(current_user, cert, note=form.note.data)
            except PermissionDenied:
                raise  # a refusal of the person, not of the input: 403
            except DomainError as exc:
                status = show_errors(form, exc)
            else:
                flash(f"评价认证{cert.status_label}。", "success")
                return redirect(url_for("audits.certification", cert_id=cert.id))
        else:
            status = 422
    can_decide = (access.has_role(current_user, "regulator") and cert.status == "pending"
                  and access.regulates_city(current_user, cert.enterprise.city_code))
    can_revise = cert.status != "confirmed" and (
        (current_user.role == "enterprise") or can_decide)
    return render_template("audits/certification.html", cert=cert, form=form, can_decide=can_decide,
                           can_revise=can_revise), status


@bp.route("/audits/certifications/<int:cert_id>/revise", methods=["GET", "POST"])
@role_required("regulator", "enterprise")
def revise_certification(cert_id: int):
    cert = certifications.get(current_user, cert_id)
    form = CertificationForm(obj=cert) if request.method == "GET" else CertificationForm()

    def act():
        upload = form.file.data
        certifications.revise(current_user, cert, certificate_no=form.certificate_no.data,
                              certifying_body=form.certifying_body.data, certified_on=form.certified_on.data,
                              scope=form.scope.data, data=upload.read() if upload else b"",
                              filename=upload.filename if upload else "")
        flash("评价认证登记已修改，待监管部门核实。", "success")
        return redirect(url_for("audits.certification", cert_id=cert.id))

    if cert.status == "confirmed":
        raise PermissionDenied("该评价认证已经监管部门核实，不能修改。")
    return form_page(form, act, "audits/certification_form.html", enterprise=cert.enterprise, cert=cert)


@bp.get("/audits/certifications/<int:cert_id>/file")
@role_required("regulator", "admin", "enterprise")
def certification_file(cert_id: int):
    cert, path = certifications.file_path(current_user, cert_id)
    if not path.is_file():
        raise NotFound("证书文件不存在，请联系系统管理员。")
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=cert.original_name)
