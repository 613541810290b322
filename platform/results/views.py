"""The result lists' public pages (广西方案 §二十): each use's list with its rule, as-of date and
validity; the firms at the international leading level; Excel and CSV downloads; Atom feeds."""
from datetime import date

from flask import Blueprint, Response, abort, render_template, request, url_for

from ..core.dates import beijing_today
from ..core.tabular import csv_bytes, export_filename, xlsx_bytes
from ..core.web import CSV, XLSX, download, paginate
from . import services
from .feed import atom
from .rules import PRIORITY, USES, VALIDITY_YEARS

bp = Blueprint("results", __name__, url_prefix="/results")

EXPORT_HEADERS = ["企业名称", "统一社会信用代码", "设区市", "行业", "清洁生产水平", "验收合格日期", "有效期至"]


def as_of_arg() -> date:
    return services.parse_as_of(request.args.get("as_of"))


def _row(e: services.Entry) -> list:
    return [e.name, e.uscc, e.city, e.industry, e.level_label, e.accepted_on, e.valid_until]


@bp.get("/")
def index():
    return render_template("results/index.html", uses=USES.values(), leading=services.LEADING,
                           validity=VALIDITY_YEARS, priority=PRIORITY, as_of=beijing_today())


@bp.get("/<use_key>")
def listing(use_key: str):
    item = services.use(use_key)
    as_of = as_of_arg()
    pagination = paginate(services.query(item, as_of))
    return render_template("results/list.html", item=item, pagination=pagination, entry=services.entry, as_of=as_of,
                           validity=VALIDITY_YEARS, priority=PRIORITY)


@bp.get("/<use_key>/export.<fmt>")
def export(use_key: str, fmt: str):
    item = services.use(use_key)
    if fmt not in ("xlsx", "csv"):
        abort(404)
    as_of = as_of_arg()
    rows = [_row(services.entry(r)) for r in services.rounds(item, as_of)]
    title = f"结果应用清单_{item.label}" if item is not services.LEADING else item.label
    name = export_filename(title, [], fmt, as_of=as_of)
    if fmt == "xlsx":
        caption = f"{item.levels_label}；有效期 {VALIDITY_YEARS.display()}"
        return download(xlsx_bytes(title, EXPORT_HEADERS, rows, caption=caption, as_of=as_of), name, XLSX)
    return download(csv_bytes(EXPORT_HEADERS, rows), name, CSV)


@bp.get("/<use_key>/feed.atom")
def feed(use_key: str):
    item = services.use(use_key)
    as_of = as_of_arg()
    entries = [services.entry(r) for r in services.rounds(item, as_of)]
    body = atom(feed_id=f"urn:gxcp:results:{item.key}", title=f"广西清洁生产审核结果应用：{item.label}",
                subtitle=f"{item.levels_label}；{item.rule.source if item.rule else PRIORITY.source}",
                self_url=url_for(".feed", use_key=item.key, _external=True),
                page_url=url_for(".listing", use_key=item.key, _external=True), entries=entries, as_of=as_of,
                entry_url=lambda e: url_for("audits.public_status", uscc=e.uscc, _external=True))
    return Response(body, mimetype="application/atom+xml")
