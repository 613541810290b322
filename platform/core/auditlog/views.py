from flask import Blueprint, render_template, request
from flask_login import current_user

from ..access import role_required
from ..web import paginate
from . import services

bp = Blueprint("auditlog", __name__, url_prefix="/admin/audit-log")


@bp.get("/")
@role_required("admin")
def index():
    filters = {key: request.args.get(key, "").strip() for key in ("action", "object_type", "actor_name")}
    pagination = paginate(services.search(current_user, **{k: v or None for k, v in filters.items()}), per_page=50)
    return render_template("auditlog/index.html", pagination=pagination, filters=filters)
