"""Training pages: the public plans and the certificate check; enrolment; the organiser's roll."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.access import role_required
from ..core.dates import beijing_today
from ..core.errors import ValidationError
from ..core.extensions import db
from ..core.models_base import small_int
from ..core.tabular import export_filename, xlsx_bytes
from ..core.web import XLSX, download, flash_form_errors, form_page, paginate
from ..experts.services import expert_of
from . import certificate as certificates
from . import services
from .forms import ActionForm, EnrolForm, PlanForm, SessionForm
from .models import AUDIENCES, ROLE_AUDIENCE

bp = Blueprint("training", __name__, url_prefix="/training")


# --- public -------------------------------------------------------------------------------------------

@bp.get("")
def index():
    year = small_int(request.args.get("year", ""))
    audience = request.args.get("audience", "").strip()
    pagination = paginate(services.plans_query(year=year, audience=audience))
    return render_template("training/index.html", pagination=pagination, audiences=AUDIENCES,
                           args={"year": year or "", "audience": audience if audience in AUDIENCES else ""})


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    plan_ = services.get_plan(plan_id)
    mine = {}
    if current_user.is_authenticated:
        for session in plan_.sessions:
            mine[session.id] = services.enrolment_of(current_user, session)
    can_enrol = (current_user.is_authenticated and current_user.role in ("expert", "enterprise", "service_org")
                 and ROLE_AUDIENCE.get(current_user.role) == plan_.audience)
    return render_template("training/plan.html", plan=plan_, mine=mine, can_enrol=can_enrol, today=beijing_today(),
                           organiser=services.organises(current_user, plan_), form=ActionForm())


@bp.get("/verify")
def verify():
    """Anyone checks a certificate by its code; an unknown code is said to be unknown, plainly."""
    code = request.args.get("code", "").strip()[:64]
    found = services.verify(code) if code else None
    return render_template("training/verify.html", code=code,
                           result=services.verification(found) if found else None), 200


# --- enrolment and certificates -----------------------------------------------------------------------

@bp.post("/sessions/<int:session_id>/enrol")
@login_required
def enrol(session_id: int):
    session = services.get_session(session_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        try:
            services.enrol_self(current_user, session)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(f"已报名：{session.title}（{session.starts_on.isoformat()}，{session.place}）。", "success")
    return redirect(url_for("training.plan", plan_id=session.plan_id))


@bp.get("/mine")
@login_required
def mine():
    expert = expert_of(current_user)
    return render_template("training/mine.html", enrolments=services.my_enrolments(current_user),
                           status=services.training_status(expert) if expert else None)


@bp.get("/enrolments/<int:enrolment_id>/certificate.pdf")
@login_required
def certificate_pdf(enrolment_id: int):
    enrolment = services.certificate(current_user, enrolment_id)
    url = url_for("training.verify", code=enrolment.certificate_code, _external=True)
    return download(certificates.render(enrolment, url), f"培训证书_{enrolment.certificate_code}.pdf",
                    "application/pdf")


# --- the organiser ---------------------------------------------------------------------------------------

@bp.route("/plans/new", methods=["GET", "POST"])
@role_required("regulator")
def new_plan():
    form = PlanForm(data={"year": str(beijing_today().year)} if request.method == "GET" else None)

    def act():
        plan_ = services.create_plan(current_user, form.values())
        flash(f"已制定培训计划：{plan_.title}。", "success")
        return redirect(url_for("training.plan", plan_id=plan_.id))

    return form_page(form, act, "training/plan_form.html")


@bp.route("/plans/<int:plan_id>/sessions/new", methods=["GET", "POST"])
@role_required("regulator")
def new_session(plan_id: int):
    plan_ = services.get_plan(plan_id)
    if not services.organises(current_user, plan_):
        abort(404)
    form = SessionForm()

    def act():
        session = services.add_session(current_user, plan_, form.values())
        flash(f"已添加班次：{session.title}。", "success")
        return redirect(url_for("training.roll", session_id=session.id))

    return form_page(form, act, "training/session_form.html", plan=plan_)


@bp.route("/sessions/<int:session_id>/roll", methods=["GET", "POST"])
@role_required("regulator")
def roll(session_id: int):
    session = services.get_session(session_id)
    enrolments = services.enrolments_of_session(current_user, session)
    form = EnrolForm()

    def act():
        enrolment = services.enrol_by_organiser(current_user, session, form.username.data)
        flash(f"已为“{enrolment.holder_name}”报名。", "success")
        return redirect(url_for("training.roll", session_id=session.id))

    return form_page(form, act, "training/roll.html", session=session, enrolments=enrolments,
                     action=ActionForm(), today=beijing_today())


@bp.post("/enrolments/<int:enrolment_id>/attendance")
@role_required("regulator")
def attendance(enrolment_id: int):
    enrolment = services.get_enrolment(current_user, enrolment_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        try:
            services.record_attendance(current_user, enrolment, request.form.get("value") == "attended")
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(f"已登记“{enrolment.holder_name}”{enrolment.attendance_label}"
                  + ("，并出具培训证书。" if enrolment.certificate_code else "。"), "success")
    return redirect(url_for("training.roll", session_id=enrolment.session_id))


ROLL_HEADERS = ["姓名", "单位", "报名时间", "出勤", "证书验证码"]


@bp.get("/sessions/<int:session_id>/roll.xlsx")
@role_required("regulator")
def roll_export(session_id: int):
    session = services.get_session(session_id)
    rows = [[e.holder_name, e.holder_unit or "", e.enrolled_at, e.attendance_label, e.certificate_code or ""]
            for e in services.enrolments_of_session(current_user, session)]
    caption = f"{session.plan.title} {session.title}"
    return download(xlsx_bytes("培训班学员名单", ROLL_HEADERS, rows, caption=caption),
                    export_filename("培训班学员名单", [session.title], "xlsx"), XLSX)
