"""Pages of the review panels: the public register of panels, the expert's reviews and score sheets,
and the regulators' draws, conclusions, cancellations and second-regulator approvals."""
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user


from ..audits import permits as audit_permits
from ..audits import services as audits
from ..audits.models import ReportFile
from ..core.errors import NotFound, PermissionDenied, ValidationError
from ..core.extensions import db
from ..core import uploads
from ..core.models_base import small_int
from ..core.access import role_required
from ..core.web import flash_form_errors, paginate, show_errors
from ..experts import engagements, services as pool
from . import rules
from . import services as panels
from .forms import CancelPanelForm, ConcludeForm, DeclineForm, DrawForm, RequestDecisionForm, score_form
from ..experts.models import ServiceOrg
from .models import PanelMember, PanelRequest
from ..core.dates import beijing_today

bp = Blueprint("reviews", __name__)


# --- panels ----------------------------------------------------------------------------------------

@bp.get("/reviews")
def public_panels():
    return render_template("reviews/public_panels.html", pagination=paginate(panels.public_panels()))


@bp.get("/reviews/<int:panel_id>")
def public_panel(panel_id: int):
    panel = panels.get_panel(panel_id)
    sealed = panels.sealed(panel)
    return render_template("reviews/public_panel.html", panel=panel,
                           draws=[panels.draw_summary(d) for d in panel.draws], sealed=sealed,
                           verified=None if sealed else panels.verify(panel),
                           exclusion_reasons=rules.EXCLUSION_REASONS)


@bp.get("/experts/me/reviews")
@role_required("expert")
def my_reviews():
    expert = pool.my_expert(current_user)
    return render_template("reviews/my_reviews.html", expert=expert, members=panels.reviews_of(expert),
                           notices=pool.notices_of(expert), decline_form=DeclineForm())


@bp.route("/reviews/<int:panel_id>/score", methods=["GET", "POST"])
@role_required("expert")
def score(panel_id: int):
    panel = panels.get_panel(panel_id)
    member = panels.member_of(current_user, panel)
    if member is None:
        raise PermissionDenied("您不是该专家组的成员。")
    initial = None
    if request.method == "GET":
        initial = {f"points_{code}": str(value) for code, value in member.points().items()}
        initial.update(vetoes=sorted(member.vetoes()), opinion=member.opinion or "")
    form = score_form(panel.stage, data=initial)
    status = 200
    if form.validate_on_submit():
        sign = form.action.data == "sign"
        try:
            panels.submit_scores(current_user, member, sign=sign, vetoes=form.vetoes.data or [],
                                 opinion=form.opinion.data,
                                 points={item.code: getattr(form, f"points_{item.code}").data
                                         for item in rules.ITEMS[panel.stage]})
        except ValidationError as exc:
            status = show_errors(form, exc)
        else:
            flash("评审意见已签署。" if sign else "评分已暂存，签署前可继续修改。", "success")
            return redirect(url_for("reviews.my_reviews") if sign else url_for("reviews.score", panel_id=panel.id))
    elif request.method == "POST":
        status = 422
    return render_template("reviews/score.html", panel=panel, member=member, form=form, today=beijing_today(),
                           permit_warnings=_permit_warnings(panel),
                           items=rules.ITEMS[panel.stage], editable=panel.state == "scoring" and member.state == "active"
                           and not member.signed_at), status


@bp.get("/reviews/<int:panel_id>/reports/<int:report_id>")
@role_required("expert")
def panel_report(panel_id: int, report_id: int):
    """The round's audit report, for the members of its panel (the audit pages serve it to the others)."""
    panel = panels.get_panel(panel_id)
    member = panels.member_of(current_user, panel)
    report = db.session.get(ReportFile, report_id)
    if member is None or member.state != "active" or report is None or report.round_id != panel.round_id:
        raise PermissionDenied("您无权查看该审核报告。")
    path = uploads.stored_file("reports", report.stored_name)
    if not path.is_file():
        raise NotFound("报告文件不存在，请联系系统管理员。")
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=report.original_name)


@bp.post("/reviews/<int:panel_id>/decline")
@role_required("expert", "regulator")
def decline(panel_id: int):
    panel = panels.get_panel(panel_id)
    form = DeclineForm()
    if current_user.role == "expert":
        member, back = panels.member_of(current_user, panel), url_for("reviews.my_reviews")
    else:
        member_id = small_int(form.member_id.data)
        member = db.session.get(PanelMember, member_id) if member_id is not None else None
        back = url_for("reviews.panel_detail", panel_id=panel.id)
    if member is None or member.panel_id != panel.id:
        abort(404)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    try:
        outcome = panels.decline(current_user, member, form.reason.data)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        if isinstance(outcome, PanelRequest):
            flash("已提交代专家拒绝参加的申请，须经另一名监管人员批准后生效；该专家已收到通知。", "warning")
        else:
            flash("已记录拒绝参加，并以新的随机种子抽取了替补专家。", "success")
    return redirect(back)


@bp.get("/reviews/manage")
@role_required("regulator", "admin")
def panels_index():
    state = request.args.get("state", "")
    return render_template("reviews/panels.html", awaiting=panels.rounds_awaiting_panel(current_user),
                           pagination=paginate(panels.panels_in_scope(current_user, state=state)), state=state)


@bp.route("/reviews/rounds/<int:round_id>/draw", methods=["GET", "POST"])
@role_required("regulator")
def draw_panel(round_id: int):
    round_ = audits.get_round(current_user, round_id)
    form = DrawForm()
    if request.method == "GET" and round_.state in rules.STAGES:
        form.size.data = str(panels.panel_sizes(round_.state)[0])
    status = 200
    if form.validate_on_submit():
        try:
            size = small_int(form.size.data)
            size = -1 if size is None else size
            panel = panels.draw_panel(current_user, round_, size=size, meeting_on=form.meeting_on.data,
                                      location=form.location.data)
        except ValidationError as exc:
            status = show_errors(form, exc)
        else:
            flash(f"已随机抽取 {panel.size} 名{panel.stage_label}专家。", "success")
            return redirect(url_for("reviews.panel_detail", panel_id=panel.id))
    elif request.method == "POST":
        status = 422
    org = db.session.get(ServiceOrg, round_.service_org_id) if round_.service_org_id else None
    return render_template("reviews/draw.html", round=round_, form=form, org=org, rules=rules), status


def _permit_warnings(panel) -> list[str]:
    """The permit's warnings for a panel whose conclusion ends the audit (acceptance, combined review)."""
    return audit_permits.warnings(panel.round) if panel.stage in ("acceptance", "review") else []


@bp.get("/reviews/<int:panel_id>/manage")
@role_required("regulator", "admin")
def panel_detail(panel_id: int):
    panel = panels.get_panel(panel_id)
    panels.require_view(current_user, panel)
    sealed = panels.sealed(panel)
    return render_template("reviews/panel.html", panel=panel, result=panels.tally(panel), sealed=sealed,
                           permit_warnings=_permit_warnings(panel),
                           can_decide={r.id: panels.can_decide_request(current_user, r) for r in panel.requests},
                           request_form=RequestDecisionForm(),
                           verified=None if sealed else panels.verify(panel),
                           exclusion_reasons=rules.EXCLUSION_REASONS,
                           draws=[(d, panels.draw_summary(d)) for d in panel.draws], rules=rules,
                           can_act=panels.can_manage(current_user, panel) and panel.state == "scoring",
                           conclude_form=ConcludeForm(data={"on": beijing_today()}), cancel_form=CancelPanelForm(),
                           decline_form=DeclineForm())


@bp.post("/reviews/<int:panel_id>/<any(conclude, cancel):action>")
@role_required("regulator")
def panel_action(panel_id: int, action: str):
    panel = panels.get_panel(panel_id)
    form = ConcludeForm() if action == "conclude" else CancelPanelForm()
    back = url_for("reviews.panel_detail", panel_id=panel.id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    request_ = None
    try:
        if action == "conclude":
            panels.conclude(current_user, panel, on=form.on.data, opinion=form.opinion.data, level=form.level.data)
        else:
            request_ = panels.cancel(current_user, panel, form.reason.data)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back)
    if action == "conclude":
        flash(f"{panel.stage_label}结论：{panel.outcome_label}。审核轮次现为“{panel.round.state_label}”。", "success")
    elif request_ is not None:
        flash("已有专家签署评分表：撤销申请已提交，须经另一名监管人员批准后生效。", "warning")
    else:
        flash("专家组已撤销。", "success")
    return redirect(back)


@bp.post("/reviews/<int:panel_id>/requests/<int:request_id>/<any(approve, reject):decision>")
@role_required("regulator")
def decide_request(panel_id: int, request_id: int, decision: str):
    """A second regulator approves or rejects a request to cancel the panel or decline for an expert."""
    panel = panels.get_panel(panel_id)
    request_ = panels.get_request(panel, request_id)
    form = RequestDecisionForm()
    back = url_for("reviews.panel_detail", panel_id=panel.id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    try:
        panels.decide_request(current_user, request_, approve=decision == "approve", note=form.note.data)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(f"已批准“{request_.kind_label}”的申请。" if decision == "approve"
              else f"已驳回“{request_.kind_label}”的申请。", "success")
    return redirect(back)


@bp.get("/reviews/approvals")
@role_required("regulator", "admin")
def approvals():
    """What awaits a second regulator in the user's scope."""
    return render_template("reviews/approvals.html", requests=panels.pending_requests(current_user),
                           engagements=engagements.awaiting_regulator(current_user),
                           names=pool.pending_names() if current_user.is_province_regulator else [])


