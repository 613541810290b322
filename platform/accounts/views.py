from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..enterprises.models import Enterprise
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..reference.models import Division
from ..reference.services import cities
from ..web import paginate, role_required, safe_next, show_errors
from . import services
from .forms import LoginForm, PasswordForm, UserForm
from .models import User

bp = Blueprint("accounts", __name__)

HOME_BY_ROLE = {
    "enterprise": "enterprises.my_profile",
    "regulator": "enterprises.index",
    "admin": "accounts.users",
    "service_org": "experts.my_org",
}


def home_for(user) -> str:
    return url_for(HOME_BY_ROLE.get(user.role, "public.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user, error = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"欢迎，{user.display_name}。", "success")
            # Only same-site paths: never send a freshly logged-in user to another host.
            return redirect(safe_next(request.args.get("next")) or home_for(user))
        # The failure is counted on the account, so this answer is committed (status 200).
        form.password.errors.append(error)
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash("密码已修改。", "success")
            return redirect(home_for(current_user))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/password.html", form=form), status


@bp.get("/admin/users")
@role_required("admin")
def users():
    role = request.args.get("role", "")
    pagination = paginate(services.list_users(current_user, role or None))
    return render_template("accounts/users.html", pagination=pagination, role=role)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required("admin")
def new_user():
    form = UserForm()
    form.division_code.choices = {"": "（非监管部门）", Division.PROVINCE: "广西壮族自治区（全区）", **cities()}
    status = 200
    if form.validate_on_submit():
        try:
            enterprise_id = None
            if form.role.data == "enterprise":
                code = (form.enterprise_uscc.data or "").strip().upper()
                enterprise_id = db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == code))
                if enterprise_id is None:
                    raise ValidationError("未找到该统一社会信用代码对应的企业。", "enterprise_uscc")
            user = services.create_user(
                current_user, username=form.username.data, password=form.password.data, role=form.role.data,
                display_name=form.display_name.data, division_code=form.division_code.data or None,
                enterprise_id=enterprise_id)
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash(f"账号 {user.username} 已创建。", "success")
            return redirect(url_for("accounts.users"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/user_form.html", form=form), status


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
