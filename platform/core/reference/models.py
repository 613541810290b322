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


class PriorityChemical(db.Model):
    """An entry of the 优先控制化学品名录 (data/priority_chemicals.csv): batch 1 (2017), batch 2 (2020).

    `code` is the list's number (PC001–PC040; nullable for rows of an older load until the reference
    loader renumbers them); `verification` says what the entry was checked against."""

    __tablename__ = "priority_chemicals"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    cas: Mapped[str | None] = mapped_column(String(300))  # ";"-separated; none for a group (铅化合物)
    batch: Mapped[int] = mapped_column(nullable=False)
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    verification: Mapped[str] = mapped_column(String(200), nullable=False)

    @property
    def cas_numbers(self) -> list[str]:
        return [c.strip() for c in (self.cas or "").split(";") if c.strip()]
