"""Small helpers every feature's HTML views share."""
from urllib.parse import quote

from flask import Response, flash, render_template, request

from .errors import DomainError, InvalidFields
from .extensions import db
from .models_base import small_int


def safe_next(target: str | None) -> str | None:
    """A return address from the request, if it stays on this site (a path, never another host)."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isprintable() and " " not in target):
        return target
    return None


def show_errors(form, exc: DomainError) -> int:
    """Put a service's refusal beside the fields it names; drop anything the service wrote.

    Returns the status for the re-rendered form (422: the request was understood and refused,
    so the request cycle rolls back too).
    """
    db.session.rollback()
    errors = exc.errors if isinstance(exc, InvalidFields) else {exc.field: exc.message}
    for field_name, message in errors.items():
        field = getattr(form, field_name or "", None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)
    return 422


def form_page(form, act, template: str, **context):
    """The form-view pattern, in one place: a GET shows the form; a valid POST calls `act()`, which
    calls the service and returns the answer (a redirect); a service's refusal is shown beside the
    fields it names and anything it wrote is dropped (422); an invalid form is 422 too."""
    status = 200
    if form.validate_on_submit():
        try:
            return act()
        except DomainError as exc:
            status = show_errors(form, exc)
    elif request.method == "POST":
        status = 422
    return render_template(template, form=form, **context), status


def import_page(form, run_import, template: str, **context):
    """An upload page for an importer: on a valid POST, `run_import(data, filename)` and show its
    report beside the form; a refused file or form answers 422."""
    report, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = run_import(upload.read(), upload.filename)
        except DomainError as exc:
            status = show_errors(form, exc)
    elif request.method == "POST":
        status = 422
    return render_template(template, form=form, report=report, **context), status


def flash_form_errors(form) -> None:
    """For forms posted from a page they do not re-render: each field's message as a flash."""
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")


def query_args(*keys: str) -> dict:
    """The list filters a page takes from its query string: stripped, at most 100 characters each."""
    return {key: request.args.get(key, "").strip()[:100] for key in keys}


def page_number() -> int:
    number = small_int(request.args.get("page", "1"))
    return number if number else 1


def paginate(select_stmt, per_page: int = 20):
    return db.paginate(select_stmt, page=page_number(), per_page=per_page, error_out=False)


def download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
    })


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
