
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from search import SearchUnavailable

from ..accounts.views import sign_in
from ..audits import services as audits
from ..enterprises.models import Enterprise
from ..core.errors import ValidationError
from ..core.extensions import db
from ..core.models_base import small_int
from ..core.reference.services import cities, industries
from ..core import access
from ..core.access import role_required
from ..core.forms import industry_choices
from ..core.web import flash_form_errors, form_page, page_number, paginate, query_args, show_errors
from . import accountability, engagements, services
from . import rules as org_rules
from ..reviews import services as panels
from ..training import services as training
from .forms import (AssignOrgForm, ConflictForm, DecisionForm, EngagementNoteForm, NameDecisionForm, ProfileForm,
                    QualificationCheckForm, QualificationForm, RegistrationForm, RoundServiceOrgForm, ServiceOrgForm,
                    SuspensionForm)
from .models import STATUSES, ServiceOrg

bp = Blueprint("experts", __name__)


# --- public -------------------------------------------------------------------------------------

@bp.get("/experts")
def directory():
    args = query_args("q", "specialty")
    result, unavailable = None, None
    try:
        result = services.directory(args["q"], specialty=args["specialty"], page=page_number())
    except SearchUnavailable as exc:
        unavailable = str(exc)
    return render_template("experts/directory.html", args=args, result=result, unavailable=unavailable,
                           industries=industries()), 503 if unavailable else 200


@bp.get("/service-orgs")
def service_orgs():
    args = query_args("q", "city")
    pagination = paginate(services.service_orgs_query(q=args["q"], city=args["city"]))
    records = services.track_records([o.id for o in pagination.items])
    return render_template("experts/service_orgs.html", pagination=pagination, records=records, args=args,
                           cities=cities())


@bp.get("/service-orgs/<int:org_id>")
def service_org_detail(org_id: int):
    """The organisation's public page: track record, 第十六条 qualifications, failed reviews, falsification
    vetoes, misreporting and suspensions. Regulators and the organisation itself also see the evidence."""
    org = services.get_service_org(org_id)
    own = services.service_org_of(current_user)
    insider = (own is not None and own.id == org.id) or (
        current_user.is_authenticated and current_user.role == "regulator"
        and access.regulates_city(current_user, org.city_code))
    qualification_form = QualificationForm()
    qualification_form.requirement.choices = [SelectChoice(c, label) for c, label in org_rules.REQUIREMENTS.items()]
    return render_template("experts/service_org.html", org=org, record=services.track_records([org.id])[org.id],
                           rounds=services.rounds_served(org), incidents=accountability.incidents(org),
                           qualifications=accountability.qualification_summary(org),
                           suspensions=accountability.suspensions(org),
                           suspension=accountability.open_suspension(org), insider=insider,
                           records=accountability.qualifications(org) if insider else [],
                           may_suspend=access.is_person(current_user, "regulator")
                           and access.province_wide(current_user),
                           suspension_form=SuspensionForm(), qualification_form=qualification_form,
                           check_form=QualificationCheckForm())


def _org_post(org_id: int, form, act, done: str):
    """A POST on an organisation's page: the service decides; a rule's refusal is flashed and the page shown
    again (a refusal by role or region stays 403/404)."""
    org = services.get_service_org(org_id)
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        try:
            act(org)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(done, "success")
    return redirect(url_for("experts.service_org_detail", org_id=org.id))


@bp.post("/service-orgs/<int:org_id>/<any(suspend, lift):action>")
@role_required("regulator")
def suspend_service_org(org_id: int, action: str):
    form = SuspensionForm()
    if action == "suspend":
        return _org_post(org_id, form, lambda org: accountability.suspend(current_user, org, form.reason.data),
                         "已暂停该机构承接新的清洁生产审核。")
    return _org_post(org_id, form, lambda org: accountability.lift(current_user, org, form.reason.data),
                     "已解除暂停。")


@bp.post("/service-orgs/<int:org_id>/qualifications")
@role_required("service_org", "regulator")
def submit_qualification(org_id: int):
    form = QualificationForm()
    form.requirement.choices = [SelectChoice(c, label) for c, label in org_rules.REQUIREMENTS.items()]
    return _org_post(org_id, form, lambda org: accountability.submit_qualification(
        current_user, org, form.requirement.data, form.evidence.data), "已提交资质材料，待监管部门核查。")


@bp.post("/service-orgs/<int:org_id>/qualifications/<int:qualification_id>/check")
@role_required("regulator")
def check_qualification(org_id: int, qualification_id: int):
    form = QualificationCheckForm()
    return _org_post(org_id, form, lambda org: accountability.check_qualification(
        current_user, accountability.get_qualification(org, qualification_id), met=form.result.data == "met",
        note=form.note.data), "已记录核查结论。")


# --- registration and the expert's own pages ----------------------------------------------------

@bp.route("/experts/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("experts.my_profile") if current_user.role == "expert" else url_for("public.index"))
    form = RegistrationForm()
    form.industry_codes.choices = industry_choices()

    def act():
        expert = services.register(username=form.username.data, password=form.password.data,
                                   profile=form.profile(), confirm=form.confirm.data,
                                   conflict_lines=form.conflicts.data)
        sign_in(expert.user)
        flash("注册成功。您的入库申请已提交，自治区监管部门审核通过后将列入专家库。", "success")
        return redirect(url_for("experts.my_profile"))

    return form_page(form, act, "experts/register.html")


@bp.route("/experts/me", methods=["GET", "POST"])
@role_required("expert")
def my_profile():
    expert = services.my_expert(current_user)
    form = ProfileForm(data={**expert.snapshot(), "name": expert.pending_name or expert.name}
                       if request.method == "GET" else None)
    form.industry_codes.choices = industry_choices()
    status = 200
    if form.validate_on_submit():
        try:
            changed = services.update_profile(current_user, expert, form.profile())
        except ValidationError as exc:
            status = show_errors(form, exc)
        else:
            if changed and expert.status == "pending" and expert.status_reason:
                flash("资料已保存。职称、工作单位或专业行业已修改，需经自治区监管部门重新审核。", "warning")
            else:
                flash("资料已保存。" if changed else "资料没有变化。", "success")
            if changed and expert.pending_name:
                flash(f"姓名变更为“{expert.pending_name}”的申请待自治区监管部门审核，审核通过前仍以原姓名公示。",
                      "warning")
            return redirect(url_for("experts.my_profile"))
    elif request.method == "POST":
        status = 422
    return render_template("experts/profile.html", expert=expert, form=form, conflict_form=ConflictForm()), status


@bp.post("/experts/me/conflicts")
@role_required("expert")
def add_conflict():
    expert = services.my_expert(current_user)
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            services.declare_conflict(current_user, expert, uscc=form.conflict_uscc.data,
                                      organisation=form.organisation.data, note=form.note.data)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash("已申报利益冲突，今后抽取专家时将自动回避该单位。", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("experts.my_profile"))


@bp.post("/experts/me/conflicts/<int:conflict_id>/withdraw")
@role_required("expert")
def withdraw_conflict(conflict_id: int):
    services.withdraw_conflict(current_user, services.my_expert(current_user), conflict_id)
    flash("已撤回该利益冲突申报。", "success")
    return redirect(url_for("experts.my_profile"))


# --- regulators: the pool ------------------------------------------------------------------------

@bp.get("/experts/pool")
@role_required("regulator", "admin")
def pool():
    args = query_args("q", "status", "specialty")
    result, experts, unavailable = None, [], None
    try:
        result, experts = services.search_pool(current_user, args["q"], status=args["status"],
                                               specialty=args["specialty"], page=page_number())
    except SearchUnavailable as exc:
        unavailable = str(exc)
    return render_template("experts/pool.html", args=args, result=result, experts=experts, unavailable=unavailable,
                           statuses=STATUSES, industries=industries()), 503 if unavailable else 200


@bp.get("/experts/pool/<int:expert_id>")
@role_required("regulator", "admin")
def pool_detail(expert_id: int):
    expert = services.get_expert(expert_id)
    return render_template("experts/pool_detail.html", expert=expert, members=panels.reviews_of(expert),
                           training=training.training_status(expert),
                           decision_form=DecisionForm(), name_form=NameDecisionForm(),
                           can_decide=current_user.is_province_regulator)


@bp.post("/experts/pool/<int:expert_id>/decide")
@role_required("regulator")
def decide(expert_id: int):
    expert = services.get_expert(expert_id)
    form = DecisionForm()
    if form.validate_on_submit():
        services.decide(current_user, expert, form.action.data, form.reason.data)
        flash(f"{expert.name}：{expert.status_label}。", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("experts.pool_detail", expert_id=expert.id))


@bp.post("/experts/pool/<int:expert_id>/name/<any(approve, reject):decision>")
@role_required("regulator")
def decide_name(expert_id: int, decision: str):
    """The province regulator approves or rejects an expert's new name."""
    expert = services.get_expert(expert_id)
    form = NameDecisionForm()
    if form.validate_on_submit():
        try:
            services.decide_name(current_user, expert, approve=decision == "approve", note=form.note.data)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(f"已批准姓名变更，现为“{expert.name}”。" if decision == "approve" else "已驳回姓名变更。", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("experts.pool_detail", expert_id=expert.id))


# --- regulators: panels --------------------------------------------------------------------------

@bp.route("/service-orgs/new", methods=["GET", "POST"])
@role_required("regulator")
def new_service_org():
    access.require_province_regulator(current_user, "只有自治区监管部门可以登记服务机构。")
    form = ServiceOrgForm()
    form.division_code.choices = [SelectChoice(code, name) for code, name in cities().items()]

    def act():
        org = services.create_service_org(current_user, form.values())
        flash(f"已登记服务机构：{org.name}。", "success")
        return redirect(url_for("experts.service_org_detail", org_id=org.id))

    return form_page(form, act, "experts/service_org_form.html")


# --- enterprises and service organisations ------------------------------------------------------

def _org_choices(none_label: str) -> list[SelectChoice]:
    orgs = list(db.session.scalars(services.service_orgs_query()))
    suspended = accountability.suspended_ids([o.id for o in orgs])
    return [SelectChoice("", none_label)] + [
        SelectChoice(str(o.id), o.name + ("（已暂停，不可委托）" if o.id in suspended else "")) for o in orgs]


def _org_records() -> list[tuple]:
    """Every active organisation with its public record, for the enterprise choosing one."""
    orgs = list(db.session.scalars(services.service_orgs_query()))
    ids = [o.id for o in orgs]
    tracks, counts = services.track_records(ids), accountability.incident_counts(ids)
    return [(o, tracks[o.id], counts[o.id]) for o in orgs]


@bp.route("/reviews/mine", methods=["GET", "POST"])
@role_required("enterprise")
def enterprise_reviews():
    enterprise = db.session.get(Enterprise, current_user.enterprise_id)
    current = audits.current_round(enterprise.id)
    form = AssignOrgForm(data={"service_org_id": str(current.service_org_id or "") if current else ""})
    form.service_org_id.choices = _org_choices("（未委托服务机构，企业自行审核）")
    if request.method == "POST" and current is not None and form.validate_on_submit():
        try:
            engagement = engagements.propose(current_user, current, small_int(form.service_org_id.data or ""),
                                             form.reason.data)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            if engagement is None or engagement.state == "confirmed":
                flash("已保存委托的服务机构。", "success")
            else:
                flash("已提出委托：" + "、".join(engagement.waiting_for) + "后生效。", "warning")
        return redirect(url_for("experts.enterprise_reviews"))
    org = db.session.get(ServiceOrg, current.service_org_id) if current and current.service_org_id else None
    return render_template("experts/enterprise_reviews.html", enterprise=enterprise, current=current, org=org,
                           form=form, history=engagements.history(current) if current else [],
                           late=current is not None and current.state not in engagements.BEFORE_REPORT,
                           panels=panels.panels_of_enterprise(enterprise.id), org_records=_org_records())


@bp.get("/service-orgs/mine")
@role_required("service_org")
def my_org():
    org = services.service_org_of(current_user)
    if org is None:
        return render_template("experts/my_org.html", org=None)
    return render_template("experts/my_org.html", org=org, record=services.track_records([org.id])[org.id],
                           rounds=services.rounds_served(org), proposals=engagements.pending_for_org(org),
                           note_form=EngagementNoteForm())


@bp.post("/service-orgs/mine/engagements/<int:engagement_id>/<any(confirm, refuse):answer>")
@role_required("service_org")
def answer_engagement(engagement_id: int, answer: str):
    """The organisation confirms or refuses an enterprise's statement that it does the round's audit."""
    engagement = engagements.get_engagement(engagement_id)
    form = EngagementNoteForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("experts.my_org"))
    try:
        if answer == "confirm":
            engagements.confirm(current_user, engagement)
        else:
            engagements.refuse(current_user, engagement, form.note.data)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        if answer == "refuse":
            flash("已拒绝该委托，该轮次不会计入本机构业绩。", "success")
        elif engagement.state == "confirmed":
            flash("已确认委托。", "success")
        else:
            flash("已确认委托，待监管部门批准后生效。", "warning")
    return redirect(url_for("experts.my_org"))


@bp.route("/reviews/rounds/<int:round_id>/service-org", methods=["GET", "POST"])
@role_required("regulator")
def round_service_org(round_id: int):
    """A round's service organisation, its history, and the regulator's direct setting (with a reason)."""
    round_ = audits.get_round(current_user, round_id)
    form = RoundServiceOrgForm(data={"service_org_id": str(round_.service_org_id or "")}
                               if request.method == "GET" else None)
    form.service_org_id.choices = _org_choices("（未委托服务机构）")
    status = 200
    if form.validate_on_submit():
        try:
            engagements.set_directly(current_user, round_, small_int(form.service_org_id.data or ""),
                                     form.reason.data)
        except ValidationError as exc:
            status = show_errors(form, exc)
        else:
            flash("已登记该轮次的服务机构。", "success")
            return redirect(url_for("experts.round_service_org", round_id=round_.id))
    elif request.method == "POST":
        status = 422
    org = db.session.get(ServiceOrg, round_.service_org_id) if round_.service_org_id else None
    return render_template("experts/round_service_org.html", round=round_, org=org, form=form,
                           history=engagements.history(round_), note_form=EngagementNoteForm()), status


@bp.post("/reviews/engagements/<int:engagement_id>/<any(approve, reject):decision>")
@role_required("regulator")
def review_engagement(engagement_id: int, decision: str):
    """A regulator decides on a change of service organisation asked for after the report."""
    engagement = engagements.get_engagement(engagement_id)
    form = EngagementNoteForm()
    back = url_for("experts.round_service_org", round_id=engagement.round_id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    try:
        engagements.review(current_user, engagement, approve=decision == "approve", note=form.note.data)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash("已批准变更服务机构。" if decision == "approve" else "已驳回变更服务机构的申请。", "success")
    return redirect(back)
