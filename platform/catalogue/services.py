"""Catalogue rules: curation by admins (draft → published → withdrawn), import, public search."""
import re

from sqlalchemy import select

from search import SearchQuery

from ..core import access
from ..core.auditlog.services import diff, record
from ..core.errors import NotFound, PermissionDenied, ValidationError, collect
from ..core.errors import text as text_check
from ..core.extensions import db
from ..core.models_base import small_int
from ..core.indexing.services import backend
from ..core.reference.models import Industry
from ..core.reference.services import parse_industry
from ..core.tabular import ImportReport, import_rows, read_table
from .models import CATEGORIES, MATURITIES, STATUSES, Technology

FACETS = ("category", "industry_codes", "source")
TRANSITIONS = {"publish": (("draft", "withdrawn"), "published", "发布"),
               "withdraw": (("published",), "withdrawn", "撤回")}
SPLIT = re.compile(r"[;；,，、\s]+")


def _require_admin(actor) -> None:
    if not access.is_system(actor) and getattr(actor, "role", None) != "admin":
        raise PermissionDenied("只有系统管理员可以维护技术目录。")


def clean(raw: dict) -> dict:
    def text(field, label, max_len=5000, required=False):
        return text_check(raw.get(field), field, label, max_len, required=required)

    def category():
        value = str(raw.get("category") or "").strip()
        if value not in CATEGORIES:
            raise ValidationError(f"技术类别应为{'、'.join(CATEGORIES)}之一。", "category")
        return value

    def industries():
        value = raw.get("industry_codes") or ""
        codes = value if isinstance(value, (list, tuple)) else [c for c in SPLIT.split(str(value)) if c]
        # An empty list is a cross-industry (通用) technology.
        return sorted({parse_industry(str(code), "industry_codes")[0] for code in codes})

    def maturity():
        value = str(raw.get("maturity") or "").strip()
        if value and value not in MATURITIES:
            raise ValidationError("成熟度应为推广或示范。", "maturity")
        return value or None

    def source_year():
        value = str(raw.get("source_year") or "").strip()
        if not value:
            return None
        year = small_int(value)
        if year is None or not 1990 <= year <= 2100:
            raise ValidationError("目录年份应为四位年份。", "source_year")
        return year

    return collect({
        "name": text("name", "技术名称", 200, required=True), "category": category, "industry_codes": industries,
        "scope": text("scope", "适用范围"), "principle": text("principle", "技术原理"),
        "indicators": text("indicators", "关键指标"), "benefits": text("benefits", "效益"),
        "case_study": text("case_study", "典型案例"), "investment": text("investment", "投资及回收期", 200),
        "maturity": maturity, "key_regions": text("key_regions", "重点区域", 200),
        "source": lambda: text("source", "来源", 200)() or "", "source_year": source_year,
    })


def _apply(technology: Technology, values: dict) -> None:
    codes = values.pop("industry_codes")
    for field, value in values.items():
        setattr(technology, field, value)
    technology.industries = list(db.session.scalars(select(Industry).where(Industry.code.in_(codes))))


def create(actor, raw: dict, *, status: str = "draft") -> Technology:
    _require_admin(actor)
    values = clean(raw)
    if db.session.scalar(select(Technology.id).where(Technology.name == values["name"],
                                                     Technology.source == values["source"])):
        raise ValidationError("同一来源目录中已有同名技术。", "name")
    technology = Technology(status=status)
    _apply(technology, values)
    db.session.add(technology)
    db.session.flush()
    record(actor, "technology.create", "technology", technology.id, after=technology.snapshot())
    return technology


def update(actor, technology: Technology, raw: dict) -> bool:
    _require_admin(actor)
    values = clean({**technology.snapshot(), **raw})
    before = technology.snapshot()
    old, new = diff(before, {**before, **values})
    if not new:
        return False
    _apply(technology, values)
    record(actor, "technology.update", "technology", technology.id, before=old, after=new)
    return True


def change_status(actor, technology: Technology, action: str) -> None:
    _require_admin(actor)
    if action not in TRANSITIONS:
        raise ValidationError("不支持的操作。", "action")
    allowed, target, label = TRANSITIONS[action]
    if technology.status not in allowed:
        raise ValidationError(f"该技术当前为“{technology.status_label}”，不能{label}。", "status")
    record(actor, f"technology.{action}", "technology", technology.id, before={"status": technology.status},
           after={"status": target})
    technology.status = target


def get_public(technology_id: int) -> Technology:
    technology = db.session.get(Technology, technology_id)
    if technology is None or technology.status != "published":
        raise NotFound("未找到该技术，或该技术尚未发布。")
    return technology


def list_for_admin(actor, status: str = "", q: str = ""):
    _require_admin(actor)
    query = select(Technology).order_by(Technology.id.desc())
    if status in STATUSES:
        query = query.where(Technology.status == status)
    if q:
        query = query.where(Technology.name.icontains(q, autoescape=True))
    return query


def search(q: str = "", *, industry: str = "", category: str = "", source: str = "", page: int = 1,
           per_page: int = 20):
    """Search published technologies. Raises search.SearchUnavailable when the engine is down."""
    filters = {"status": "published"}
    if industry:
        filters["industry_codes"] = industry
    if category:
        filters["category"] = category
    if source:
        filters["source"] = source
    return backend().search("technologies", SearchQuery(text=q or "", filters=filters, facets=FACETS,
                                                        page=page, per_page=per_page))


# --- import ------------------------------------------------------------------------------------

COLUMNS = {"技术名称": "name", "行业代码": "industry_codes", "类别": "category", "适用范围": "scope",
           "技术原理": "principle", "关键指标": "indicators", "典型案例": "case_study", "来源": "source",
           "成熟度": "maturity", "年份": "source_year", "效益": "benefits"}
REQUIRED = ["技术名称", "行业代码", "类别"]
HEADER_OF = {field: header for header, field in COLUMNS.items()}


def import_technologies(actor, data: bytes, filename: str, *, publish: bool = False, progress=None) -> ImportReport:
    """`flask catalogue import FILE`: one savepoint a row; re-importing the same file changes nothing."""
    _require_admin(actor)
    table = read_table(data, filename, REQUIRED, [h for h in COLUMNS if h not in REQUIRED])

    def import_row(raw: dict, number: int) -> str:
        values = clean(raw)
        existing = db.session.scalar(select(Technology).where(Technology.name == values["name"],
                                                              Technology.source == values["source"]))
        if existing is None:
            create(actor, raw, status="published" if publish else "draft")
            return "created"
        return "updated" if update(actor, existing, raw) else "unchanged"

    return import_rows(table, COLUMNS, import_row, lambda field: HEADER_OF.get(field, field or ""), progress)
