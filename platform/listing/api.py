"""The published mandatory lists for everyone (DESIGN §4): `GET /api/v1/lists` and `/lists/<id>`, each
firm with its causes, procedure and responsible department. No contact data."""
from flask import jsonify
from sqlalchemy import select

from ..audits.models import ListBatch
from ..core.api.views import bp, paginated
from ..core.dates import iso
from ..core.errors import NotFound
from ..core.extensions import db
from . import services


def _batch(batch: ListBatch) -> dict:
    return {"id": batch.id, "title": batch.title, "document_no": batch.document_no,
            "published_on": iso(batch.published_on), "division_code": batch.division_code,
            "division": batch.division.name, "enterprises": len(batch.rounds)}


@bp.get("/lists")
def lists():
    return paginated(select(ListBatch).order_by(ListBatch.published_on.desc(), ListBatch.id.desc()), _batch)


@bp.get("/lists/<int:batch_id>")
def list_detail(batch_id: int):
    batch = db.session.get(ListBatch, batch_id)
    if batch is None:
        raise NotFound("未找到该名单。")
    entries = services.entries_of_batch(batch.id)
    firms = []
    for r in batch.rounds:
        entry = entries.get(r.id)
        firms.append({
            "uscc": r.enterprise.uscc, "name": r.enterprise.name, "city": r.enterprise.city.name,
            "cause": entry.cause_keys if entry else None,
            "cause_labels": entry.cause_labels if entry else None,
            "reason": r.reason,
            "procedure": r.procedure, "procedure_label": r.procedure_label,
            "department": entry.department if entry else None,
            "department_label": services.department_name(entry.department) if entry else None,
            "toxic_listed": r.toxic_listed, "state": r.state, "state_label": r.state_label,
            "listed_on": iso(r.listed_on), "disclosure_due": iso(r.disclosure_due), "start_due": iso(r.start_due),
            "report_due": iso(r.report_due)})
    return jsonify({**_batch(batch), "firms": firms})
