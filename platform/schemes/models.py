"""Clean-production schemes (清洁生产方案) proposed in an audit round, and their per-round totals."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import TimestampMixin

CATEGORIES = {"low_cost": "无/低费", "high_cost": "中/高费"}
STATUSES = {"planned": "计划实施", "implementing": "实施中", "completed": "已完成", "abandoned": "已放弃"}

# Every amount is kept to 4 decimal places: 0.1 kg of a pollutant, 1 yuan of 万元.
SCALE = 4
MAX_AMOUNT = 10 ** 10  # exclusive; Numeric(15, 4) holds 11 integer digits, and no scheme comes near this


@dataclass(frozen=True)
class Metric:
    """One amount of a scheme: its column, its Chinese label and unit, and its import header."""

    key: str
    label: str
    unit: str
    header: str | None  # the column of the DESIGN §4 import file, when it has one


INVESTMENT = Metric("investment_wan_yuan", "投资", "万元", "投资（万元）")
# The results (绩效): counted only for completed schemes; verified once the round is accepted.
RESULTS = (
    Metric("energy_tce", "节能量", "tce", "节能量（tce）"),
    Metric("water_t", "节水量", "t", "节水量（t）"),
    Metric("electricity_kwh", "节电量", "kWh", None),
    Metric("cod_t", "COD削减量", "t", "COD削减量（t）"),
    Metric("nh3n_t", "氨氮削减量", "t", "氨氮削减量（t）"),
    Metric("nox_t", "氮氧化物削减量", "t", "氮氧化物削减量（t）"),
    Metric("vocs_t", "VOCs削减量", "t", "VOCs削减量（t）"),
    Metric("so2_t", "二氧化硫削减量", "t", "二氧化硫削减量（t）"),
    Metric("particulates_t", "颗粒物削减量", "t", None),
    Metric("co2_t", "二氧化碳减排量", "t", "二氧化碳减排量（t）"),
    Metric("hazardous_waste_t", "危险废物减量", "t", None),
    Metric("economic_benefit_wan_yuan", "经济效益", "万元/年", "经济效益（万元/年）"),
)
AMOUNTS = (INVESTMENT,) + RESULTS
METRIC = {m.key: m for m in AMOUNTS}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _amount():
    return mapped_column(Numeric(15, SCALE), nullable=False, default=0)


class Scheme(TimestampMixin, db.Model):
    __tablename__ = "schemes"
    __table_args__ = (
        UniqueConstraint("round_id", "code", name="uq_schemes_round_code"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        # A completion date belongs to a completed scheme, and a completed scheme has one.
        CheckConstraint("(status = 'completed') = (completed_on IS NOT NULL)", name="completed_on"),
        *(CheckConstraint(f"{m.key} >= 0", name=f"{m.key}_not_negative") for m in AMOUNTS),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), nullable=False)
    # The round's enterprise, kept here so that scoping a list of schemes needs no join through rounds.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(30), nullable=False)  # 方案编号, unique within the round
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    planned_completion_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    investment_wan_yuan = _amount()
    energy_tce = _amount()
    water_t = _amount()
    electricity_kwh = _amount()
    cod_t = _amount()
    nh3n_t = _amount()
    nox_t = _amount()
    vocs_t = _amount()
    so2_t = _amount()
    particulates_t = _amount()
    co2_t = _amount()
    hazardous_waste_t = _amount()
    economic_benefit_wan_yuan = _amount()

    round = relationship("AuditRound")
    enterprise = relationship("Enterprise")

    FIELDS = ("code", "name", "category", "status", "planned_completion_on", "completed_on",
              *(m.key for m in AMOUNTS))

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def verified(self) -> bool:
        """Results reported by the enterprise count as verified once the round is accepted (DESIGN §2)."""
        return self.status == "completed" and self.round.state == "accepted"

    def snapshot(self) -> dict:
        return {field: getattr(self, field) for field in self.FIELDS}


class SchemeTotals(db.Model):
    """One row per round: the sums of its schemes, rewritten in the same transaction as every scheme
    write (schemes.services.refresh_totals), so statistics read 50 000 rows instead of 1 000 000.

    Amount columns hold the sum × 10^SCALE as an integer (`<key>_e4`), so that sums of sums stay exact
    on SQLite too, whose NUMERIC columns are binary floating point.
    Counts cover every scheme; investment_planned covers schemes not abandoned; investment and the
    results cover completed schemes only (a planned scheme's figures are expectations, not results).
    """

    __tablename__ = "scheme_totals"
    round_id: Mapped[int] = mapped_column(ForeignKey("audit_rounds.id"), primary_key=True)
    schemes_total: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_completed: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_abandoned: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_low_cost: Mapped[int] = mapped_column(Integer, nullable=False)
    schemes_high_cost: Mapped[int] = mapped_column(Integer, nullable=False)
    investment_planned_wan_yuan_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    investment_wan_yuan_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    energy_tce_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    water_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    electricity_kwh_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cod_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    nh3n_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    nox_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vocs_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    so2_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    particulates_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    co2_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    hazardous_waste_t_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)
    economic_benefit_wan_yuan_e4: Mapped[int] = mapped_column(BigInteger, nullable=False)

