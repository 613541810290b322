"""The 两高 project register's pages: the list by city, sector and stage (with exports), the overview,
a project's record with its warnings, stage history and joint-review notes."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.access import role_required
from ..core.reference.services import cities
from ..core.tabular import csv_bytes, export_caption, export_filename, xlsx_bytes
from ..core.errors import DomainError
from ..core.web import CSV, XLSX, download, form_page, paginate, show_errors
from . import services
from .forms import DETAILS, DetailsForm, NoteForm, ProjectForm, StageForm
from .models import STAGES
from .rules import sectors

bp = Blueprint("projects", __name__, url_prefix="/two-high")
READERS = ("regulator", "admin")

EXPORT_HEADERS = ["项目名称", "建设单位", "统一社会信用代码", "设区市", "行业", "产能", "产能单位", "项目阶段",
                  "审批（核准）文号", "备案号", "设计单位产品能耗", "实际单位产品能耗", "能耗单位", "标杆水平", "基准水平",
                  "产能置换方案文号", "置换退出产能", "预警"]


def _export_rows(projects):
    for p in projects:
        sector = sectors()[p.sector]
        level = sector.benchmark
        yield [p.name, p.enterprise.name, p.enterprise.uscc, cities().get(p.enterprise.city_code, ""), sector.name,
               p.capacity, p.capacity_unit, p.stage_label, p.approval_no, p.filing_no, p.designed_energy,
               p.actual_energy, level.unit if level else sector.energy_unit, level.benchmark if level else None,
               level.baseline if level else None, p.replacement_plan_no, p.retired_capacity,
               "；".join(w.message for w in services.warnings(p))]


@bp.get("/")
@role_required(*READERS)
def index():
    filters = services.Filters.parse(request.args)
    pagination = paginate(services.query(current_user, filters))
    return render_template("projects/index.html", pagination=pagination, filters=filters, cities=cities(),
                           sectors=sectors(), stages=STAGES, warning_labels=services.WARNING_LABELS,
                           warnings=services.warnings, summary=services.summary(current_user),
                           can_edit=services.keeps_register(current_user))


@bp.get("/export.<fmt>")
@role_required(*READERS)
def export(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    filters = services.Filters.parse(request.args)
    projects = services.matching(current_user, filters)
    title = "“两高”项目清单"
    name = export_filename(title, filters.words(), fmt)
    if fmt == "xlsx":
        return download(xlsx_bytes(title, EXPORT_HEADERS, _export_rows(projects), caption=export_caption(filters.words())),
                        name, XLSX)
    return download(csv_bytes(EXPORT_HEADERS, _export_rows(projects)), name, CSV)


def _choices(form):
    form.sector.choices = [(s.key, s.name) for s in sectors().values()]
    form.capacity_unit.choices = [(u, u) for u in dict.fromkeys(s.capacity_unit for s in sectors().values())]


@bp.route("/new", methods=["GET", "POST"])
@role_required("regulator")
def new():
    services.require_reader(current_user)
    form = ProjectForm()
    _choices(form)

    def act():
        project = services.create(current_user, {name: getattr(form, name).data for name in (
            "uscc", "name", "sector", "capacity", "capacity_unit", "stage", *DETAILS)})
        flash(f"已登记“两高”项目：{project.name}。建设单位适用完整审核程序。", "success")
        return redirect(url_for(".detail", project_id=project.id))

    return form_page(form, act, "projects/form.html", sectors=sectors())


@bp.get("/<int:project_id>")
@role_required(*READERS)
def detail(project_id: int):
    project = services.get(current_user, project_id)
    return _detail(project, DetailsForm(obj=project), StageForm(), NoteForm())


def _detail(project, details, stage, note, status=200):
    return render_template("projects/detail.html", project=project, sector=sectors()[project.sector],
                           warnings=services.warnings(project), level_of=services.level_of, details=details,
                           stage_form=stage, note_form=note, can_edit=services.keeps_register(current_user),
                           detail_fields=list(DETAILS)), status


def _post(project_id: int, form_class, act_on, message: str):
    """One of the record page's three forms posted: act, or show the page again with its errors."""
    project = services.get(current_user, project_id)
    forms = {DetailsForm: DetailsForm(formdata=None, obj=project), StageForm: StageForm(formdata=None),
             NoteForm: NoteForm(formdata=None)}
    form = forms[form_class] = form_class()
    status = 422
    if form.validate_on_submit():
        try:
            act_on(project, form)
            flash(message, "success")
            return redirect(url_for(".detail", project_id=project.id))
        except DomainError as exc:
            status = show_errors(form, exc)
    return _detail(project, forms[DetailsForm], forms[StageForm], forms[NoteForm], status)


@bp.post("/<int:project_id>/details")
@role_required("regulator")
def update(project_id: int):
    return _post(project_id, DetailsForm, lambda project, form: services.update(
        current_user, project, {name: getattr(form, name).data for name in ("capacity", *DETAILS)}), "已保存项目信息。")


@bp.post("/<int:project_id>/stage")
@role_required("regulator")
def stage(project_id: int):
    return _post(project_id, StageForm, lambda project, form: services.change_stage(
        current_user, project, {"stage": form.stage.data, "changed_on": form.changed_on.data, "reason": form.reason.data}),
        "已变更项目阶段。")


@bp.post("/<int:project_id>/notes")
@role_required("regulator")
def note(project_id: int):
    return _post(project_id, NoteForm, lambda project, form: services.add_note(current_user, project, form.note.data),
                 "已记录会商意见。")


@bp.get("/benchmarks")
def benchmarks():
    """The reference levels, public: each with its edition, source and whether it was checked."""
    return render_template("projects/benchmarks.html", sectors=sectors())
