"""The regulators' pages: evidence imports, candidates by rule, proposals, confirmation and publication.

A rule's refusal of the input (ValidationError) is shown on the page; a refusal by role, region or
department (PermissionDenied, NotFound) answers 403 or 404 through the app's error handler."""
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.access import role_required
from ..core.dates import beijing_today
from ..core.errors import ValidationError
from ..core.reference.services import cities
from ..core.tabular import csv_bytes, export_filename, xlsx_bytes
from ..core.web import CSV, XLSX, download, flash_form_errors, form_page, import_page, page_number, paginate, show_errors
from . import candidates as candidate_rules
from . import importer, rules, services
from .forms import ActForm, AddForm, EntryForm, ImportForm, PublishForm, ReturnForm, StartForm
from .models import CAUSES

bp = Blueprint("listing", __name__, url_prefix="/listing")
PER_PAGE = 50


def _as_of():
    """The day candidates are drawn for (?as_of=YYYY-MM-DD), today (Beijing) by default."""
    text = request.args.get("as_of", "").strip()
    if not text:
        return beijing_today()
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        abort(400)


@bp.get("")
@role_required("regulator")
def index():
    services.require_listing_regulator(current_user)
    return render_template("listing/index.html", kinds=importer.KINDS, rules=rules,
                           department=services.department_name(current_user.department),
                           causes=[CAUSES[c] for c in rules.causes_of(current_user.department)])


@bp.route("/import/<kind>", methods=["GET", "POST"])
@role_required("regulator")
def import_file(kind: str):
    if kind not in importer.KINDS:
        abort(404)
    chosen = importer.KINDS[kind]
    importer.require_importer(current_user, chosen)
    return import_page(ImportForm(), lambda data, name: importer.import_file(current_user, kind, data, name),
                       "listing/import.html", kind=chosen,
                       optional=[h for h in chosen.columns if h not in chosen.required])


@bp.get("/template/<kind>.<fmt>")
@role_required("regulator")
def template(kind: str, fmt: str):
    if kind not in importer.KINDS or fmt not in ("xlsx", "csv"):
        abort(404)
    headers, rows = importer.template_rows(kind)
    name = f"{importer.KINDS[kind].title}_导入模板.{fmt}"
    if fmt == "xlsx":
        return download(xlsx_bytes(importer.KINDS[kind].title, headers, rows), name, XLSX)
    return download(csv_bytes(headers, rows), name, CSV)


@bp.get("/candidates")
@role_required("regulator")
def candidates():
    as_of = _as_of()
    city = request.args.get("city", "").strip()
    found = services.candidates_for(current_user, as_of, city or None)
    page = page_number()
    shown = found[(page - 1) * PER_PAGE: page * PER_PAGE]
    proof = candidate_rules.evidence([c.enterprise_id for c in shown], as_of)
    start_form = StartForm(data={"as_of": as_of})
    return render_template("listing/candidates.html", candidates=shown, total=len(found), page=page,
                           pages=max(1, -(-len(found) // PER_PAGE)), proof=proof, as_of=as_of, city=city,
                           cities=cities(), causes=CAUSES, start_form=start_form,
                           department=services.department_name(current_user.department),
                           window=candidate_rules.monitoring_window(as_of), rules=rules)


CANDIDATE_HEADERS = ["企业名称", "统一社会信用代码", "设区市", "列入情形", "责任部门", "证据"]


@bp.get("/candidates/export.<fmt>")
@role_required("regulator")
def candidates_export(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    as_of = _as_of()
    city = request.args.get("city", "").strip()
    found = services.candidates_for(current_user, as_of, city or None)
    proof = candidate_rules.evidence([c.enterprise_id for c in found], as_of)
    names = cities()
    rows = [[c.name, c.uscc, names.get(c.city_code, c.city_code), "；".join(c.cause_labels),
             services.department_name(c.department),
             "\n".join(item["text"] for items in proof[c.enterprise_id].values() for item in items)] for c in found]
    caption = "；".join(filter(None, [names.get(city, "") if city else "", f"筛选日 {as_of.isoformat()}"]))
    name = export_filename("强制性审核候选企业", [names.get(city, "") if city else ""], fmt, as_of)
    if fmt == "xlsx":
        return download(xlsx_bytes("强制性审核候选企业", CANDIDATE_HEADERS, rows, caption=caption, as_of=as_of), name, XLSX)
    return download(csv_bytes(CANDIDATE_HEADERS, rows), name, CSV)


@bp.get("/proposals")
@role_required("regulator")
def proposals():
    waiting = request.args.get("waiting") == "1"
    query = services.waiting_for(current_user) if waiting else services.proposals_for(current_user)
    return render_template("listing/proposals.html", pagination=paginate(query), waiting=waiting,
                           department_name=services.department_name)


@bp.post("/proposals/new")
@role_required("regulator")
def start():
    form = StartForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".candidates"))
    try:
        proposal = services.start(current_user, as_of=form.as_of.data)
    except ValidationError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".candidates"))
    flash(f"已按规则筛选出 {len(proposal.entries)} 家候选企业，形成拟提出的名单；请逐一核对后报送。", "success")
    return redirect(url_for(".proposal", proposal_id=proposal.id))


def _proposal_page(proposal, add_form=None, return_form=None, status=200):
    add_form = add_form or AddForm()
    add_form.cause.choices = [(c, CAUSES[c]) for c in rules.causes_of(proposal.department)]
    return render_template("listing/proposal.html", proposal=proposal, add_form=add_form,
                           return_form=return_form or ReturnForm(), act_form=ActForm(), entry_form=EntryForm(),
                           causes=CAUSES, department_name=services.department_name,
                           is_proposer=_is_proposer(proposal), is_province=_is_province(proposal)), status


def _is_proposer(proposal) -> bool:
    return (current_user.division_code == proposal.city_code and current_user.department == proposal.department
            and proposal.state in ("draft", "returned"))


def _is_province(proposal) -> bool:
    return current_user.is_province_regulator and current_user.department == proposal.department


@bp.get("/proposals/<int:proposal_id>")
@role_required("regulator")
def proposal(proposal_id: int):
    return _proposal_page(services.get_proposal(current_user, proposal_id))


@bp.post("/proposals/<int:proposal_id>/entries/<int:entry_id>")
@role_required("regulator")
def decide(proposal_id: int, entry_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    entry = services.get_entry(current_user, proposal, entry_id)
    form = EntryForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    try:
        services.decide_entry(current_user, proposal, entry, included=form.included.data == "1", reason=form.reason.data)
    except ValidationError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    flash(f"已{'保留' if entry.included else '删除'}{entry.enterprise.name}。", "success")
    return redirect(url_for(".proposal", proposal_id=proposal.id) + f"#entry-{entry.id}")


@bp.post("/proposals/<int:proposal_id>/add")
@role_required("regulator")
def add(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    form = AddForm()
    form.cause.choices = [(c, CAUSES[c]) for c in rules.causes_of(proposal.department)]

    def act():
        entry = services.add_entry(current_user, proposal, uscc=form.uscc.data, cause=form.cause.data,
                                   reason=form.reason.data, evidence_note=form.evidence_note.data)
        flash(f"已增补{entry.enterprise.name}。", "success")
        return redirect(url_for(".proposal", proposal_id=proposal.id))

    if form.validate_on_submit():
        try:
            return act()
        except ValidationError as exc:
            return _proposal_page(proposal, add_form=form, status=show_errors(form, exc))
    return _proposal_page(proposal, add_form=form, status=422)


def _act(proposal_id: int, do, message: str):
    proposal = services.get_proposal(current_user, proposal_id)
    form = ActForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    do(proposal)
    flash(message, "success")
    return redirect(url_for(".proposal", proposal_id=proposal.id))


@bp.post("/proposals/<int:proposal_id>/submit")
@role_required("regulator")
def submit(proposal_id: int):
    return _act(proposal_id, lambda p: services.submit(current_user, p), "已报送自治区核定。")


@bp.post("/proposals/<int:proposal_id>/confirm")
@role_required("regulator")
def confirm(proposal_id: int):
    return _act(proposal_id, lambda p: services.confirm(current_user, p), "已核定该名单，可与其他已核定的名单一并公布。")


@bp.post("/proposals/<int:proposal_id>/return")
@role_required("regulator")
def return_proposal(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            services.return_proposal(current_user, proposal, form.reason.data)
        except ValidationError as exc:
            return _proposal_page(proposal, return_form=form, status=show_errors(form, exc))
        flash("已退回设区市。", "success")
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    return _proposal_page(proposal, return_form=form, status=422)


@bp.route("/publish", methods=["GET", "POST"])
@role_required("regulator")
def publish():
    confirmed = services.confirmed_proposals(current_user)
    form = PublishForm()
    form.proposal_ids.choices = [(p.id, f"第 {p.id} 号 · {p.city.name} · {services.department_name(p.department)}"
                                  f"（{len(p.included)} 家）") for p in confirmed]

    def act():
        batch = services.publish(current_user, form.proposal_ids.data or [], document_no=form.document_no.data,
                                 published_on=form.published_on.data, title=form.title.data)
        flash(f"已公布名单（{batch.document_no}），{len(batch.rounds)} 家企业列入强制性清洁生产审核。", "success")
        return redirect(url_for("audits.public_batch", batch_id=batch.id))

    return form_page(form, act, "listing/publish.html", confirmed=confirmed, department_name=services.department_name)
