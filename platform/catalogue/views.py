from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from search import SearchUnavailable

from ..core.errors import ValidationError
from ..core.extensions import db
from ..core.reference.services import industries
from ..core.tabular import export_caption, export_filename, xlsx_bytes
from ..core.access import role_required
from ..core.web import XLSX, download, form_page, page_number, paginate, query_args
from . import services
from .forms import TechnologyForm
from .models import CATEGORIES, STATUSES, Technology

bp = Blueprint("catalogue", __name__)
EXPORT_LIMIT = 2000
CROSS_INDUSTRY = "通用（跨行业）"  # a technology with no industry applies to every one
EXPORT_HEADERS = ["技术名称", "类别", "适用行业", "适用范围", "技术原理", "关键指标", "效益", "典型案例", "成熟度", "来源", "年份"]


def _query_args() -> dict:
    return query_args("q", "industry", "category", "source")


@bp.get("/technologies")
def search_page():
    args = _query_args()
    result, unavailable = None, None
    try:
        result = services.search(args["q"], industry=args["industry"], category=args["category"],
                                 source=args["source"], page=page_number())
    except SearchUnavailable as exc:
        unavailable = str(exc)
    return render_template("catalogue/search.html", args=args, result=result, unavailable=unavailable,
                           industries=industries(), categories=CATEGORIES), 503 if unavailable else 200


@bp.get("/technologies/export.xlsx")
def export():
    args = _query_args()
    try:
        result = services.search(args["q"], industry=args["industry"], category=args["category"],
                                 source=args["source"], page=1, per_page=200)
        ids = list(result.ids)
        page = 2
        while len(ids) < min(result.total, EXPORT_LIMIT):
            ids += services.search(args["q"], industry=args["industry"], category=args["category"],
                                   source=args["source"], page=page, per_page=200).ids
            page += 1
    except SearchUnavailable as exc:
        return render_template("errors/http.html", code=503, title="搜索服务暂不可用", message=str(exc)), 503
    rows = {str(t.id): t for t in db.session.query(Technology).filter(Technology.id.in_([int(i) for i in ids]))}
    words = [f"含“{args['q']}”" if args["q"] else "", industries().get(args["industry"], args["industry"]),
             args["category"], args["source"]]
    data = xlsx_bytes("清洁生产技术目录检索结果", EXPORT_HEADERS, caption=export_caption(words), rows=(
        [t.name, t.category, "、".join(i.name for i in t.industries) or CROSS_INDUSTRY, t.scope, t.principle, t.indicators, t.benefits,
         t.case_study, t.maturity, t.source, t.source_year] for t in (rows[i] for i in ids if i in rows)))
    return download(data, export_filename("清洁生产技术", words, "xlsx"), XLSX)


@bp.get("/technologies/<int:technology_id>")
def detail(technology_id: int):
    return render_template("catalogue/detail.html", technology=services.get_public(technology_id))


# --- admin curation ------------------------------------------------------------------------------

@bp.get("/admin/technologies")
@role_required("admin")
def admin_list():
    status, q = request.args.get("status", ""), request.args.get("q", "").strip()
    return render_template("catalogue/admin_list.html", pagination=paginate(services.list_for_admin(current_user, status, q)),
                           status=status, q=q, statuses=STATUSES)


@bp.route("/admin/technologies/new", methods=["GET", "POST"])
@bp.route("/admin/technologies/<int:technology_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def admin_edit(technology_id: int | None = None):
    technology = db.get_or_404(Technology, technology_id) if technology_id else None
    if technology and request.method == "GET":
        data = technology.snapshot()
        data["industry_codes"] = ";".join(data["industry_codes"])
        data["source_year"] = str(data["source_year"] or "")
        form = TechnologyForm(data=data)
    else:
        form = TechnologyForm()

    def act():
        if technology:
            services.update(current_user, technology, form.values())
        else:
            services.create(current_user, form.values())
        flash("已保存。", "success")
        return redirect(url_for("catalogue.admin_list"))

    return form_page(form, act, "catalogue/admin_form.html", technology=technology)


@bp.post("/admin/technologies/<int:technology_id>/<any(publish, withdraw):action>")
@role_required("admin")
def admin_status(technology_id: int, action: str):
    technology = db.get_or_404(Technology, technology_id)
    try:
        services.change_status(current_user, technology, action)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(f"“{technology.name}”{technology.status_label}。", "success")  # the label says 已…
    return redirect(url_for("catalogue.admin_list"))
