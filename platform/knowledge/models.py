"""The knowledge base (清洁生产知识库): indicator systems, audit guides, case compilations, the
product-oriented catalogue and policy documents, each with its issuer, number, date, edition and the
chain of versions. Only published documents are public; a published document a newer one replaces
stays public, marked superseded, with a link to its successor."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..core.extensions import db
from ..core.indexing.services import indexed
from ..core.models_base import TimestampMixin
from ..core.reference.models import Industry

KINDS = {
    "indicator_system": "评价指标体系",  # the national ones and the local (地方) indicator systems
    "audit_guide": "审核指南",  # the audit guides of the key sectors, the simplified-procedure guide
    "case_compilation": "案例汇编",
    "product_catalogue": "产品导向目录",  # 清洁生产产品导向目录
    "policy": "政策文件",
}
STATUSES = {"draft": "草稿", "pending": "待审批", "published": "已发布"}
CURRENCIES = {"current": "现行有效", "superseded": "已被替代"}

document_industries = Table(
    "knowledge_document_industries", db.metadata,
    Column("document_id", ForeignKey("knowledge_documents.id", ondelete="CASCADE"), primary_key=True),
    Column("industry_code", ForeignKey("industries.code"), primary_key=True),
)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


@indexed
class Document(TimestampMixin, db.Model):
    __tablename__ = "knowledge_documents"
    __search_index__ = "documents"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("currency", CURRENCIES), name="currency"),
        CheckConstraint("supersedes_id IS NULL OR supersedes_id <> id", name="not_self"),
        CheckConstraint("body IS NOT NULL OR pdf_stored_name IS NOT NULL", name="has_content"),
        CheckConstraint("pdf_size IS NULL OR pdf_size > 0", name="pdf_size"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    issuer: Mapped[str] = mapped_column(String(200), nullable=False)  # 发布机关
    document_no: Mapped[str | None] = mapped_column(String(100))  # 文号
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    edition: Mapped[str | None] = mapped_column(String(50))  # 版本, as the document names it (2018 年版)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    body: Mapped[str | None] = mapped_column(Text)
    pdf_original_name: Mapped[str | None] = mapped_column(String(255))
    pdf_stored_name: Mapped[str | None] = mapped_column(String(100))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    # The document this one replaces; each document has at most one successor.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_documents.id"), unique=True)
    currency: Mapped[str] = mapped_column(String(20), nullable=False, default="current")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # external version of the search document

    industries = relationship(Industry, secondary=document_industries, order_by=Industry.code)
    predecessor = relationship("Document", remote_side=[id], foreign_keys=[supersedes_id],
                               backref=backref("successor", uselist=False))

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def currency_label(self) -> str:
        return CURRENCIES[self.currency]

    @property
    def public_successor(self) -> "Document | None":
        successor = self.successor
        return successor if successor is not None and successor.status == "published" else None

    @classmethod
    def search_filter(cls):
        return cls.status == "published"

    @classmethod
    def search_document(cls, row: "Document") -> dict | None:
        """The one place a document becomes a search document; None keeps it out of the index."""
        if row.status != "published":
            return None
        return {
            "id": row.id, "title": row.title, "document_no": row.document_no or "", "issuer": row.issuer,
            "issuer_name": row.issuer, "kind": row.kind, "kind_label": row.kind_label,
            "industry_codes": [i.code for i in row.industries], "industry_names": [i.name for i in row.industries],
            "summary": row.summary, "body": row.body or "", "currency": row.currency,
            "year": str(row.issued_on.year), "issued_on": row.issued_on.isoformat(), "edition": row.edition or "",
            "status": row.status, "has_pdf": row.pdf_stored_name is not None,
        }

    EDITABLE = ("kind", "title", "issuer", "document_no", "issued_on", "edition", "summary", "body", "supersedes_id")

    def snapshot(self) -> dict:
        data = {field: getattr(self, field) for field in self.EDITABLE}
        data["industry_codes"] = [i.code for i in self.industries]
        data["status"], data["currency"] = self.status, self.currency
        data["pdf_original_name"], data["pdf_sha256"] = self.pdf_original_name, self.pdf_sha256
        return data
