"""The technology catalogue (清洁生产技术目录). Only published entries are public."""
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.indexing.services import indexed
from ..core.models_base import TimestampMixin
from ..core.reference.models import Industry

CATEGORIES = ("源头减量", "过程控制", "末端治理")
MATURITIES = ("推广", "示范")
STATUSES = {"draft": "草稿", "published": "已发布", "withdrawn": "已撤回"}

technology_industries = Table(
    "technology_industries", db.metadata,
    Column("technology_id", ForeignKey("technologies.id", ondelete="CASCADE"), primary_key=True),
    Column("industry_code", ForeignKey("industries.code"), primary_key=True),
)


@indexed
class Technology(TimestampMixin, db.Model):
    __tablename__ = "technologies"
    __search_index__ = "technologies"
    __table_args__ = (
        CheckConstraint("category IN ('源头减量', '过程控制', '末端治理')", name="category"),
        CheckConstraint("maturity IS NULL OR maturity IN ('推广', '示范')", name="maturity"),
        CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name="status"),
        UniqueConstraint("name", "source", name="uq_technologies_name_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(10), nullable=False)
    scope: Mapped[str | None] = mapped_column(Text)  # 适用范围
    principle: Mapped[str | None] = mapped_column(Text)  # 技术原理
    indicators: Mapped[str | None] = mapped_column(Text)  # 关键指标
    benefits: Mapped[str | None] = mapped_column(Text)
    case_study: Mapped[str | None] = mapped_column(Text)  # 典型案例
    investment: Mapped[str | None] = mapped_column(String(200))  # 投资及回收期, as the catalogue states it
    maturity: Mapped[str | None] = mapped_column(String(10))
    key_regions: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    source_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # external version of the search document

    industries = relationship(Industry, secondary=technology_industries, order_by=Industry.code)

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @classmethod
    def search_filter(cls):
        return cls.status == "published"

    @classmethod
    def search_document(cls, row: "Technology") -> dict | None:
        """The one place a technology becomes a search document; None keeps it out of the index."""
        if row.status != "published":
            return None
        return {
            "id": row.id, "name": row.name, "category": row.category,
            "industry_codes": [i.code for i in row.industries], "industry_names": [i.name for i in row.industries],
            "scope": row.scope or "", "principle": row.principle or "", "indicators": row.indicators or "",
            "benefits": row.benefits or "", "case": row.case_study or "", "source": row.source or "",
            "source_year": row.source_year, "maturity": row.maturity or "", "status": row.status,
        }

    EDITABLE = ("name", "category", "scope", "principle", "indicators", "benefits", "case_study", "investment",
                "maturity", "key_regions", "source", "source_year")

    def snapshot(self) -> dict:
        data = {field: getattr(self, field) for field in self.EDITABLE}
        data["industry_codes"] = [i.code for i in self.industries]
        data["status"] = self.status
        return data
