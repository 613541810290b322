"""Knowledge-base rules: regulators draft documents, another province regulator approves their
publication, the public searches and reads what is published. Every write is in the audit log.

A new version names the document it replaces (`supersedes_id`). The chain of versions never loops:
a document cannot replace itself, nor one of its own successors, and each document has one successor
at most. When the new version is published the old one becomes "superseded"; both stay public and
the search shows the one in force first (search/indexes.py, DOCUMENTS.rank_field)."""
import hashlib
from datetime import date

from sqlalchemy import or_, select

from search import SearchQuery

from ..core import access, uploads
from ..core.auditlog.services import diff, record
from ..core.dates import beijing_today
from ..core.errors import NotFound, PermissionDenied, ValidationError, collect
from ..core.errors import text as text_check
from ..core.extensions import db
from ..core.indexing.services import backend
from ..core.models_base import small_int, utcnow
from ..core.reference.models import Division, Industry
from ..core.reference.services import parse_industry
from ..core.tabular import parse_date
from . import rules
from .models import CURRENCIES, KINDS, STATUSES, Document

FACETS = ("kind", "currency", "industry_codes", "issuer_name", "year")
UPLOAD_FOLDER = "knowledge"
SUMMARY_MAX = 2000
BODY_MAX = 200_000
SUPERSEDES = "“替代的旧版本”"


# --- access ------------------------------------------------------------------------------------

def _require_regulator(actor) -> None:
    access.require_role(actor, "regulator", message="只有监管部门可以起草知识库文件。")


def _is_author(actor, document: Document) -> bool:
    return not access.is_system(actor) and document.created_by_id == getattr(actor, "id", None)


def require_editor(actor, document: Document) -> None:
    """The author, or a province regulator (who keeps the whole library)."""
    _require_regulator(actor)
    if not (_is_author(actor, document) or access.province_wide(actor)):
        raise PermissionDenied("只有起草人或自治区监管人员可以修改该文件。")


def sees_drafts(actor) -> bool:
    return access.has_role(actor, "regulator", "admin")


# --- validation --------------------------------------------------------------------------------

def clean(raw: dict) -> dict:
    def text(field, label, max_len, required=False):
        return text_check(raw.get(field), field, label, max_len, required=required)

    def kind():
        value = str(raw.get("kind") or "").strip()
        if value not in KINDS:
            raise ValidationError(f"文件类别应为{'、'.join(KINDS.values())}之一。", "kind")
        return value

    def issued_on():
        value = raw.get("issued_on")
        day = parse_date(value if isinstance(value, date) or value in (None, "") else str(value).strip(),
                         "issued_on", "发布日期")
        if day is None:
            raise ValidationError("请填写发布日期。", "issued_on")
        if day > beijing_today():
            raise ValidationError("发布日期不能晚于今天（北京时间）。", "issued_on")
        return day

    def industries():
        value = raw.get("industry_codes") or ""
        codes = value if isinstance(value, (list, tuple)) else [c for c in str(value).replace("；", ";").replace(
            "，", ";").replace(",", ";").replace("、", ";").split(";") if c.strip()]
        return sorted({parse_industry(str(code).strip(), "industry_codes")[0] for code in codes})

    def supersedes_id():
        value = raw.get("supersedes_id")
        if value in (None, ""):
            return None
        number = value if isinstance(value, int) else small_int(value)
        if number is None:
            raise ValidationError(f"{SUPERSEDES}应填写文件编号（数字）。", "supersedes_id")
        return number

    return collect({
        "kind": kind, "title": text("title", "标题", 300, required=True),
        "issuer": text("issuer", "发布机关", 200, required=True), "document_no": text("document_no", "文号", 100),
        "issued_on": issued_on, "edition": text("edition", "版本", 50),
        "summary": text("summary", "摘要", SUMMARY_MAX, required=True), "body": text("body", "正文", BODY_MAX),
        "industry_codes": industries, "supersedes_id": supersedes_id,
    })


def _check_supersedes(document: Document | None, target_id: int | None) -> None:
    """The document `document` (None: one not yet stored) may replace `target_id`: it exists, it is
    not the document itself, it is not one of the document's successors (a loop), and no other
    document replaces it already."""
    if target_id is None:
        return
    if document is not None and target_id == document.id:
        raise ValidationError(f"{SUPERSEDES}不能是本文件自身。", "supersedes_id")
    target = db.session.get(Document, target_id)
    if target is None:
        raise ValidationError(f"{SUPERSEDES}（编号 {target_id}）不存在。", "supersedes_id")
    if document is not None:
        seen, step = set(), target
        while step is not None and step.id not in seen:
            if step.id == document.id:
                raise ValidationError(f"{SUPERSEDES}《{target.title}》是本文件的新版本，版本链不能形成循环。",
                                      "supersedes_id")
            seen.add(step.id)
            step = step.predecessor
    successor = target.successor
    if successor is not None and successor is not document:
        raise ValidationError(f"《{target.title}》已由《{successor.title}》替代，一份文件只能有一个新版本。",
                              "supersedes_id")


def _check_pdf(data: bytes, filename: str) -> str:
    name = uploads.check_pdf(data, filename, label="文件 PDF", field="pdf")
    limit = int(rules.PDF_MAX_MB.value)
    if len(data) > limit * 1024 * 1024:
        raise ValidationError(f"文件 PDF 不能超过 {limit} MB。", "pdf")
    return name


def _apply(document: Document, values: dict, pdf: tuple[bytes, str] | None) -> None:
    values = dict(values)
    codes = values.pop("industry_codes")
    for field, value in values.items():
        setattr(document, field, value)
    document.industries = list(db.session.scalars(select(Industry).where(Industry.code.in_(codes))))
    if pdf is not None:
        data, name = pdf
        document.pdf_stored_name = uploads.store(UPLOAD_FOLDER, data)
        document.pdf_original_name, document.pdf_size = name, len(data)
        document.pdf_sha256 = hashlib.sha256(data).hexdigest()
    if document.body is None and document.pdf_stored_name is None:
        raise ValidationError("请填写正文或上传 PDF 文件（至少一项）。", "body")


def _checked_pdf(pdf) -> tuple[bytes, str] | None:
    if not pdf or not pdf[0] and not pdf[1]:
        return None
    data, filename = pdf
    return data, _check_pdf(data, filename)


# --- drafting and approval ---------------------------------------------------------------------

def create(actor, raw: dict, *, pdf: tuple[bytes, str] | None = None) -> Document:
    """A draft; `pdf` is (data, client filename) or None."""
    _require_regulator(actor)
    values = clean(raw)
    _check_supersedes(None, values["supersedes_id"])
    checked = _checked_pdf(pdf)
    document = Document(status="draft", currency="current", created_by_id=getattr(actor, "id", None))
    _apply(document, values, checked)
    db.session.add(document)
    db.session.flush()
    record(actor, "document.create", "document", document.id, after=document.snapshot(),
           division_code=Division.PROVINCE)
    return document


def update(actor, document: Document, raw: dict, *, pdf: tuple[bytes, str] | None = None) -> bool:
    require_editor(actor, document)
    if document.status != "draft":
        raise ValidationError(f"该文件当前为“{document.status_label}”，只有草稿可以修改。", "status")
    before = document.snapshot()
    values = clean({**before, **raw})
    _check_supersedes(document, values["supersedes_id"])
    checked = _checked_pdf(pdf)
    _apply(document, values, checked)
    old, new = diff(before, document.snapshot())
    if not new:
        return False
    record(actor, "document.update", "document", document.id, before=old, after=new, division_code=Division.PROVINCE)
    return True


def submit(actor, document: Document) -> None:
    require_editor(actor, document)
    if document.status != "draft":
        raise ValidationError(f"该文件当前为“{document.status_label}”，不能提交审批。", "status")
    document.status, document.submitted_at = "pending", utcnow()
    record(actor, "document.submit", "document", document.id, before={"status": "draft"},
           after={"status": "pending"}, division_code=Division.PROVINCE)


def approve(actor, document: Document, *, note: str = "") -> None:
    """A province regulator other than the author publishes the document; the version it replaces
    becomes superseded in the same transaction."""
    access.require_province_regulator(actor, message="只有自治区监管人员可以审批知识库文件。")
    if document.status != "pending":
        raise ValidationError(f"该文件当前为“{document.status_label}”，不能审批。", "status")
    if _is_author(actor, document):
        raise PermissionDenied("起草人不能审批本人起草的文件，请由另一名自治区监管人员审批。")
    predecessor = document.predecessor
    if predecessor is not None and predecessor.status != "published":
        raise ValidationError(f"被替代的《{predecessor.title}》尚未发布，请先发布旧版本或修改{SUPERSEDES}。",
                              "supersedes_id")
    before = document.snapshot()
    document.status, document.approved_by_id, document.approved_at = "published", getattr(actor, "id", None), utcnow()
    document.review_note = (note or "").strip() or None
    old, new = diff(before, document.snapshot())
    record(actor, "document.approve", "document", document.id, before=old, after=new,
           division_code=Division.PROVINCE, note=document.review_note)
    if predecessor is not None and predecessor.currency != "superseded":
        predecessor.currency = "superseded"
        record(actor, "document.supersede", "document", predecessor.id, before={"currency": "current"},
               after={"currency": "superseded"}, division_code=Division.PROVINCE,
               note=f"由《{document.title}》（编号 {document.id}）替代")


def reject(actor, document: Document, *, note: str) -> None:
    access.require_province_regulator(actor, message="只有自治区监管人员可以审批知识库文件。")
    if document.status != "pending":
        raise ValidationError(f"该文件当前为“{document.status_label}”，不能退回。", "status")
    note = (note or "").strip()
    if not note:
        raise ValidationError("退回修改须写明理由。", "note")
    if len(note) > 1000:
        raise ValidationError("退回理由不能超过 1000 个字符。", "note")
    document.status, document.review_note = "draft", note
    record(actor, "document.reject", "document", document.id, before={"status": "pending"},
           after={"status": "draft"}, division_code=Division.PROVINCE, note=note)


# --- reading -----------------------------------------------------------------------------------

def get(actor, document_id: int) -> Document:
    """A published document for anyone; a draft or one awaiting approval only for regulators and
    admins (404 for everyone else, so its existence is not disclosed)."""
    document = db.session.get(Document, document_id)
    if document is None or (document.status != "published" and not sees_drafts(actor)):
        raise NotFound("未找到该文件，或该文件尚未发布。")
    return document


def pdf_file(actor, document_id: int):
    document = get(actor, document_id)
    if document.pdf_stored_name is None:
        raise NotFound("该文件没有 PDF 文本。")
    return document, uploads.stored_file(UPLOAD_FOLDER, document.pdf_stored_name)


def published_by_ids(ids: list[str]) -> list[Document]:
    """Published documents in the order of `ids` (a search's hits), for an export."""
    rows = {str(d.id): d for d in db.session.scalars(select(Document).where(
        Document.id.in_([int(i) for i in ids]), Document.status == "published"))}
    return [rows[i] for i in ids if i in rows]


def history(actor, document: Document) -> list[Document]:
    """The chain of versions, oldest first, that `actor` may see (the public sees published ones)."""
    chain, seen, step = [], set(), document
    while step is not None and step.id not in seen:  # predecessors
        seen.add(step.id)
        chain.insert(0, step)
        step = step.predecessor
    step = document.successor
    while step is not None and step.id not in seen:  # successors
        seen.add(step.id)
        chain.append(step)
        step = step.successor
    return [d for d in chain if d.status == "published" or sees_drafts(actor)]


def list_for_staff(actor, status: str = "", q: str = "", kind: str = ""):
    access.require_role(actor, "regulator", "admin")
    query = select(Document).order_by(Document.id.desc())
    if status in STATUSES:
        query = query.where(Document.status == status)
    if kind in KINDS:
        query = query.where(Document.kind == kind)
    if q:
        query = query.where(or_(Document.title.icontains(q, autoescape=True),
                                Document.document_no.icontains(q, autoescape=True)))
    return query


def awaiting_approval(actor) -> list[Document]:
    """Documents another province regulator may approve (the author's own are left out)."""
    if not (access.has_role(actor, "regulator") and access.province_wide(actor)):
        return []
    query = select(Document).where(Document.status == "pending").order_by(Document.submitted_at)
    return [d for d in db.session.scalars(query) if not _is_author(actor, d)]


def published_choices() -> list[tuple[int, str]]:
    """Published documents a new version may replace (those no document replaces yet)."""
    replaced = select(Document.supersedes_id).where(Document.supersedes_id.is_not(None))
    query = select(Document.id, Document.title, Document.edition).where(
        Document.status == "published", Document.id.not_in(replaced)).order_by(Document.title)
    return [(i, f"{title}{f'（{edition}）' if edition else ''}") for i, title, edition in db.session.execute(query)]


def search(q: str = "", *, kind: str = "", industry: str = "", currency: str = "", issuer: str = "", year: str = "",
           page: int = 1, per_page: int = 20):
    """Search published documents, those in force first. Raises search.SearchUnavailable when the
    engine is down."""
    filters = {"status": "published"}
    for field, value, known in (("kind", kind, KINDS), ("currency", currency, CURRENCIES)):
        if value:
            if value not in known:
                raise ValidationError(f"{field} 应为 {'、'.join(known)} 之一。", field)
            filters[field] = value
    if industry:
        filters["industry_codes"] = industry
    if issuer:
        filters["issuer_name"] = issuer
    if year:
        filters["year"] = year
    return backend().search("documents", SearchQuery(text=q or "", filters=filters, facets=FACETS, page=page,
                                                     per_page=per_page))
