from flask import Blueprint, flash, g, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..enterprises import services as enterprises
from ..experts import services as experts
from ..core.errors import DomainError, NotFound, ValidationError
from ..core.extensions import db
from ..core.models_base import utcnow
from ..core.reference.models import Division
from ..core.reference.services import cities
from ..core import access
from ..core.access import role_required
from ..core.web import form_page, paginate, safe_next, show_errors
from . import services
from ..core import mail
from . import requests as account_requests, resets
from .forms import AccountDecisionForm, AccountRequestForm, ForgotForm, LoginForm, PasswordForm, ResetForm, TokenForm, UserForm
from .models import ACCOUNT_REQUEST_STATES, User
from .workbench import regulator_items as workbench_items

bp = Blueprint("accounts", __name__)

# Where each role's work is: the page a user lands on after login (unless a safe `next` says otherwise).
HOME_BY_ROLE = {
    "enterprise": "audits.my_rounds",
    "expert": "reviews.my_reviews",
    "service_org": "experts.my_org",
    "regulator": "accounts.workbench",
    "admin": "accounts.users",
}


def home_for(user) -> str:
    if user.role == "expert" and experts.expert_of(user) is None:
        return url_for("public.index")  # an expert account whose profile is not linked yet has no reviews
    return url_for(HOME_BY_ROLE.get(user.role, "public.index"))


def sign_in(user, remember: bool = False) -> None:
    """Start a login session of its own for `user` in this browser. The CSRF token is dropped so
    that a new one is made: a token seen before login is worthless after it."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)  # Flask-WTF's copy for this request
    services.start_session(user, request.remote_addr or "")
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user, error = services.authenticate(form.username.data, form.password.data, request.remote_addr or "")
        if user is not None:
            sign_in(user, remember=form.remember.data)
            flash(f"欢迎，{user.display_name}。", "success")
            # Only same-site paths: never send a freshly logged-in user to another host.
            return redirect(safe_next(request.args.get("next")) or home_for(user))
        # The failure is counted on the account, so this answer is committed (status 200).
        form.password.errors.append(error)
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """忘记密码: a link by e-mail where SMTP is configured; otherwise, whom to ask."""
    if not mail.enabled():
        return render_template("accounts/forgot.html", form=None, hint=resets.login_page_hint())
    form = ForgotForm()

    def act():
        flash(resets.request_by_mail(form.username.data, request.remote_addr or ""), "info")
        return redirect(url_for("accounts.login"))

    return form_page(form, act, "accounts/forgot.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a password by a single-use link (忘记密码, an administrator's reset, a new account)."""
    link = resets.valid_link(token)  # an unknown, spent or expired link: 404 in one set of words
    form = ResetForm()

    def act():
        user = resets.set_password(token, form.new_password.data)
        if current_user.is_authenticated:
            logout_user()
        flash(f"账号 {user.username} 的密码已设置，请使用新密码登录。", "success")
        return redirect(url_for("accounts.login"))

    return form_page(form, act, "accounts/reset.html", account=link.user)


@bp.post("/admin/users/<int:user_id>/reset-password")
@role_required("admin")
def admin_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        token = resets.admin_reset(current_user, user)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("accounts.users"))
    return render_template("accounts/reset_issued.html", account=user, link=resets.link(token),
                           hours=int(resets.LIFETIME["admin"].total_seconds() // 3600))


@bp.route("/account-request", methods=["GET", "POST"])
def request_account():
    """An enterprise asks for an account; a regulator of its city decides."""
    form = AccountRequestForm()

    def act():
        upload = form.proof.data
        row = account_requests.submit(
            uscc=form.uscc.data, enterprise_name=form.enterprise_name.data, username=form.username.data,
            contact_person=form.contact_person.data, contact_phone=form.contact_phone.data,
            contact_email=form.contact_email.data, data=upload.read() if upload else b"",
            filename=upload.filename if upload else "")
        return render_template("accounts/request_sent.html", row=row)

    return form_page(form, act, "accounts/request_form.html")


@bp.get("/account-requests")
@role_required("regulator", "admin")
def account_requests_index():
    state = request.args.get("state", "pending")
    pagination = paginate(account_requests.visible(current_user, state if state in ACCOUNT_REQUEST_STATES else ""))
    return render_template("accounts/requests.html", pagination=pagination, state=state, states=ACCOUNT_REQUEST_STATES)


@bp.route("/account-requests/<int:request_id>", methods=["GET", "POST"])
@role_required("regulator", "admin")
def account_request(request_id: int):
    row = account_requests.get(current_user, request_id)
    form = AccountDecisionForm()
    status, handover = 200, None
    if request.method == "POST":
        access.require_role(current_user, "regulator", message="只有监管部门可以审核企业账号申请。")
    if form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                user, token = account_requests.approve(current_user, row)
                handover = resets.link(token) if token else None
                flash(f"已批准，企业账号 {user.username} 已开通。" + ("设置密码的链接已发送到申请人邮箱。" if not token else ""), "success")
            elif form.decision.data == "reject":
                account_requests.reject(current_user, row, form.reason.data)
                flash("已驳回该申请。", "success")
            else:
                raise ValidationError("请选择审核结论。", "decision")
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            if handover is None:
                return redirect(url_for("accounts.account_requests_index"))
    elif request.method == "POST":
        status = 422
    registered = row.enterprise
    return render_template("accounts/request_detail.html", row=row, form=form, handover=handover,
                           name_differs=registered.name != row.enterprise_name,
                           hours=int(resets.LIFETIME["initial"].total_seconds() // 3600)), status


@bp.get("/account-requests/<int:request_id>/proof")
@role_required("regulator", "admin")
def account_request_proof(request_id: int):
    row, path = account_requests.proof_path(current_user, request_id)
    if not path.is_file():
        raise NotFound("证明材料文件不存在，请联系系统管理员。")
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=row.proof_original_name)


@bp.get("/workbench")
@role_required("regulator", "admin")
def workbench():
    """What waits for the regulator, counted and linked to the filtered lists."""
    return render_template("accounts/workbench.html", groups=workbench_items(current_user))


@bp.post("/logout")
@login_required
def logout():
    services.end_sessions(current_user, "logout")  # every browser of this user, and every remember cookie
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    def act():
        services.change_password(current_user, form.current_password.data, form.new_password.data)
        sign_in(current_user._get_current_object())  # this browser goes on; every other login has ended
        flash("密码已修改，其他设备上的登录已全部退出。", "success")
        return redirect(home_for(current_user))

    form = PasswordForm()
    return form_page(form, act, "accounts/password.html")


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The signed-in user's API tokens: issue one (shown once), see when each was last used, revoke."""
    return _token_page(current_user._get_current_object())


@bp.route("/admin/users/<int:user_id>/tokens", methods=["GET", "POST"])
@role_required("admin")
def user_tokens(user_id: int):
    return _token_page(db.get_or_404(User, user_id))


def _token_page(user):
    form = TokenForm()
    status, plain = 200, None
    if form.validate_on_submit():
        try:
            plain = services.issue_token(current_user, user, form.name.data, form.expires_on.data)
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            form = TokenForm(formdata=None)
    elif request.method == "POST":
        status = 422
    return render_template("accounts/tokens.html", form=form, owner=user, plain=plain,
                           tokens=services.tokens_of(current_user, user), now_utc=utcnow()), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    row = services.revoke_token(current_user, token_id)
    flash(f"令牌“{row.name}”已吊销。", "success")
    if row.user_id != current_user.id:
        return redirect(url_for("accounts.user_tokens", user_id=row.user_id))
    return redirect(url_for("accounts.tokens"))


@bp.get("/admin/users")
@role_required("admin")
def users():
    role = request.args.get("role", "")
    pagination = paginate(services.list_users(current_user, role or None))
    failures = services.recent_failures(u.username for u in pagination.items)
    return render_template("accounts/users.html", pagination=pagination, role=role, failures=failures,
                           lock_after=services.LOCK_AFTER)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required("admin")
def new_user():
    def act():
        enterprise_id = None
        if form.role.data == "enterprise":
            enterprise = enterprises.by_uscc(form.enterprise_uscc.data)
            if enterprise is None:
                raise ValidationError("未找到该统一社会信用代码对应的企业。", "enterprise_uscc")
            enterprise_id = enterprise.id
        user = services.create_user(
            current_user, username=form.username.data, password=form.password.data, role=form.role.data,
            display_name=form.display_name.data, division_code=form.division_code.data or None,
            enterprise_id=enterprise_id, department=form.department.data or None)
        flash(f"账号 {user.username} 已创建。", "success")
        return redirect(url_for("accounts.users"))

    form = UserForm()
    form.division_code.choices = {"": "（非监管部门）", Division.PROVINCE: "广西壮族自治区（全区）", **cities()}
    return form_page(form, act, "accounts/user_form.html")


@bp.post("/admin/users/<int:user_id>/<any(unlock, activate, deactivate):action>")
@role_required("admin")
def user_action(user_id: int, action: str):
    user = db.get_or_404(User, user_id)
    if action == "unlock":
        services.unlock(current_user, user)
        flash(f"账号 {user.username} 已解锁。", "success")
    else:
        services.set_active(current_user, user, action == "activate")
        flash(f"账号 {user.username} 已{'启用' if action == 'activate' else '停用'}。", "success")
    return redirect(url_for("accounts.users"))
