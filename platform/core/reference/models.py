"""Reference codes: administrative divisions (GB/T 2260) and industries (GB/T 4754-2017)."""
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Division(db.Model):
    __tablename__ = "divisions"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    level: Mapped[str] = mapped_column(String(10), nullable=False)  # province | city

    PROVINCE = "450000"


class Industry(db.Model):
    __tablename__ = "industries"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    section: Mapped[str] = mapped_column(String(1), nullable=False)
    section_name: Mapped[str] = mapped_column(String(100), nullable=False)
    plan_sector: Mapped[str | None] = mapped_column(String(100))
