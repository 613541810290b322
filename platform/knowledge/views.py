"""Pages of the knowledge base: the public search, a document with its versions and its PDF, and the
regulators' drafting and approval."""
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from search import SearchUnavailable

from ..core.access import role_required
from ..core.errors import NotFound, ValidationError
from ..core.extensions import db
from ..core.reference.services import industries
from ..core.tabular import export_caption, export_filename, xlsx_bytes
from ..core.web import XLSX, download, form_page, page_number, paginate, query_args
from . import services
from .forms import DocumentForm, ReviewForm
from .models import CURRENCIES, KINDS, STATUSES

bp = Blueprint("knowledge", __name__)
ARGS = ("q", "kind", "industry", "currency", "issuer", "year")
EXPORT_LIMIT = 2000
EXPORT_HEADERS = ["标题", "文件类别", "发布机关", "文号", "发布日期", "版本", "效力", "现行版本", "适用行业", "摘要"]


def _query_args() -> dict:
    args = query_args(*ARGS)
    for key, known in (("kind", KINDS), ("currency", CURRENCIES)):
        if args[key] not in known:
            args[key] = ""
    return args


@bp.get("/knowledge")
def search_page():
    args = _query_args()
    result, unavailable = None, None
    try:
        result = services.search(args["q"], kind=args["kind"], industry=args["industry"], currency=args["currency"],
                                 issuer=args["issuer"], year=args["year"], page=page_number())
    except SearchUnavailable as exc:
        unavailable = str(exc)
    return render_template("knowledge/search.html", args=args, result=result, unavailable=unavailable,
                           industries=industries(), kinds=KINDS, currencies=CURRENCIES), 503 if unavailable else 200


@bp.get("/knowledge/export.xlsx")
def export():
    args = _query_args()
    filters = {key: args[key] for key in ARGS if key != "q"}
    try:
        ids, page = [], 1
        while True:
            result = services.search(args["q"], page=page, per_page=200, **filters)
            ids += result.ids
            if not result.ids or len(ids) >= min(result.total, EXPORT_LIMIT):
                break
            page += 1
    except SearchUnavailable as exc:
        return render_template("errors/http.html", code=503, title="搜索服务暂不可用", message=str(exc)), 503
    words = [f"含“{args['q']}”" if args["q"] else "", KINDS.get(args["kind"], ""), CURRENCIES.get(args["currency"], ""),
             industries().get(args["industry"], args["industry"]), args["issuer"], args["year"]]
    data = xlsx_bytes("清洁生产知识库检索结果", EXPORT_HEADERS, caption=export_caption(words), rows=(
        [d.title, d.kind_label, d.issuer, d.document_no, d.issued_on, d.edition, d.currency_label,
         d.public_successor.title if d.public_successor else "", "、".join(i.name for i in d.industries) or "通用", d.summary]
        for d in services.published_by_ids(ids[:EXPORT_LIMIT])))
    return download(data, export_filename("清洁生产知识库", words, "xlsx"), XLSX)


@bp.get("/knowledge/<int:document_id>")
def detail(document_id: int):
    document = services.get(current_user, document_id)
    can_review = document in services.awaiting_approval(current_user)
    return render_template("knowledge/detail.html", document=document,
                           versions=services.history(current_user, document),
                           review_form=ReviewForm() if can_review else None)


@bp.get("/knowledge/<int:document_id>/file.pdf")
def pdf(document_id: int):
    document, path = services.pdf_file(current_user, document_id)
    if not path.is_file():
        raise NotFound("文件不存在，请联系系统管理员。")
    return send_file(path, mimetype="application/pdf", as_attachment=False,
                     download_name=document.pdf_original_name or f"document-{document.id}.pdf")


# --- regulators: drafting and approval ------------------------------------------------------------

@bp.get("/admin/knowledge")
@role_required("regulator", "admin")
def staff_list():
    status, q, kind = request.args.get("status", ""), request.args.get("q", "").strip()[:100], request.args.get("kind", "")
    return render_template("knowledge/staff_list.html",
                           pagination=paginate(services.list_for_staff(current_user, status, q, kind)),
                           waiting=services.awaiting_approval(current_user), status=status, q=q, kind=kind,
                           statuses=STATUSES, kinds=KINDS)


@bp.route("/admin/knowledge/new", methods=["GET", "POST"])
@bp.route("/admin/knowledge/<int:document_id>/edit", methods=["GET", "POST"])
@role_required("regulator")
def edit(document_id: int | None = None):
    document = services.get(current_user, document_id) if document_id else None
    if document:
        services.require_editor(current_user, document)
    if document and request.method == "GET":
        data = document.snapshot()
        data["industry_codes"] = ";".join(data["industry_codes"])
        data["supersedes_id"] = str(data["supersedes_id"] or "")
        form = DocumentForm(data=data)
    else:
        form = DocumentForm()
    choices = [(str(i), label) for i, label in services.published_choices() if not document or i != document.id]
    if document and document.predecessor and str(document.supersedes_id) not in {c[0] for c in choices}:
        choices.insert(0, (str(document.supersedes_id), document.predecessor.title))
    form.supersedes_id.choices = [("", "（不替代其他文件）")] + choices

    def act():
        if document:
            services.update(current_user, document, form.values(), pdf=form.upload())
            saved = document
        else:
            saved = services.create(current_user, form.values(), pdf=form.upload())
        flash("已保存为草稿。提交审批并经另一名自治区监管人员审批后公开。", "success")
        return redirect(url_for("knowledge.detail", document_id=saved.id))

    return form_page(form, act, "knowledge/form.html", document=document)


@bp.post("/admin/knowledge/<int:document_id>/<any(submit, approve, reject):action>")
@role_required("regulator")
def review(document_id: int, action: str):
    document = services.get(current_user, document_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash("表单已过期或审批意见过长，请重试。", "danger")
        return redirect(url_for("knowledge.detail", document_id=document.id))
    try:
        if action == "submit":
            services.submit(current_user, document)
        elif action == "approve":
            services.approve(current_user, document, note=form.note.data or "")
        else:
            services.reject(current_user, document, note=form.note.data or "")
    except ValidationError as exc:  # a refusal by role or person is a 403 (the app's error page)
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash({"submit": "已提交审批。", "approve": "已审批发布。", "reject": "已退回修改。"}[action], "success")
    return redirect(url_for("knowledge.detail", document_id=document.id))
