from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core import access
from ..core.errors import DomainError
from ..core.reference.services import cities_for, industries
from ..core.tabular import export_caption, export_filename, xlsx_bytes
from ..core.access import role_required
from ..core.web import XLSX, download, form_page, import_page, paginate, show_errors
from . import services
from .forms import EnterpriseForm, ImportForm, ProfileForm
from ..audits.importer import import_register
from .models import FLAGS

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")

EXPORT_LIMIT = 100_000


def _filters() -> dict:
    return {key: request.args.get(key, "").strip() for key in ("q", "city", "industry", "flag")}


@bp.get("/")
@role_required("regulator", "admin")
def index():
    filters = _filters()
    pagination = paginate(services.search(current_user, **filters))
    return render_template("enterprises/index.html", pagination=pagination, filters=filters,
                           cities=cities_for(current_user), industries=industries(), flags=FLAGS)


@bp.get("/export.xlsx")
@role_required("regulator", "admin")
def export():
    from ..core.extensions import db

    filters = _filters()
    rows = db.session.scalars(services.search(current_user, **filters).limit(EXPORT_LIMIT))
    words = [current_user.scope_label if current_user.role == "regulator" and not filters["city"] else "",
             cities_for(current_user).get(filters["city"], ""), industries().get(filters["industry"], ""),
             FLAGS.get(filters["flag"], ""), f"含“{filters['q']}”" if filters["q"] else ""]
    headers = ["企业名称", "统一社会信用代码", "设区市", "行政区划代码", "行业代码", "行业", "法定代表人",
               "排污许可证编号", "排污许可管理类别", *FLAGS.values(), "强制审核原因"]
    data = xlsx_bytes("企业名录", headers, caption=export_caption(words), rows=(
        [e.name, e.uscc, e.city.name, e.division_code, e.industry_class, e.industry.name, e.legal_representative,
         e.permit_no, e.permit_class_label, *[getattr(e, f) for f in FLAGS], e.mandatory_reason]
        for e in rows))
    return download(data, export_filename("企业名录", words, "xlsx"), XLSX)


@bp.get("/<int:enterprise_id>")
@role_required("regulator", "admin")
def detail(enterprise_id: int):
    enterprise = services.get_visible(current_user, enterprise_id)
    return render_template("enterprises/detail.html", enterprise=enterprise,
                           can_manage=access.manages_city(current_user, enterprise.city_code))


def _enterprise_form(**kwargs) -> EnterpriseForm:
    form = EnterpriseForm(**kwargs)
    form.park_id.choices = {"": "（不在园区）", **{str(p.id): f"{p.city.name} · {p.name}" for p in services.park_choices()}}
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required("regulator", "admin")
def new():
    form = _enterprise_form()

    def act():
        enterprise = services.create(current_user, form.values(), allow_bad_check=form.allow_bad_check.data)
        flash(f"已登记企业：{enterprise.name}。", "success")
        return redirect(url_for(".detail", enterprise_id=enterprise.id))

    return form_page(form, act, "enterprises/form.html", enterprise=None)


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@role_required("regulator", "admin")
def edit(enterprise_id: int):
    enterprise = services.get_editable(current_user, enterprise_id)
    raw = services.as_raw(enterprise)
    raw["park_id"] = str(raw["park_id"] or "")
    form = _enterprise_form(data=raw) if request.method == "GET" else _enterprise_form()

    def act():
        changed = services.update(current_user, enterprise, form.values(),
                                  allow_bad_check=form.allow_bad_check.data)
        flash("已保存修改。" if changed else "没有需要保存的修改。", "success" if changed else "info")
        return redirect(url_for(".detail", enterprise_id=enterprise.id))

    return form_page(form, act, "enterprises/form.html", enterprise=enterprise)


@bp.route("/import", methods=["GET", "POST"])
@role_required("regulator", "admin")
def import_file():
    return import_page(ImportForm(), lambda data, name: import_register(current_user, data, name),
                       "enterprises/import.html")


@bp.route("/mine", methods=["GET", "POST"])
@role_required("enterprise")
def my_profile():
    enterprise = services.get_visible(current_user, current_user.enterprise_id)
    form = ProfileForm(obj=enterprise) if request.method == "GET" else ProfileForm()
    status = 200
    if form.validate_on_submit():
        try:
            changed = services.update_own_profile(current_user, enterprise, form.data)
        except DomainError as exc:
            status = show_errors(form, exc)
        else:
            flash("资料已保存。" if changed else "没有需要保存的修改。", "success" if changed else "info")
            return redirect(url_for(".my_profile"))
    elif request.method == "POST":
        status = 422
    return render_template("enterprises/mine.html", enterprise=enterprise, form=form), status
