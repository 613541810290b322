"""Candidates for the mandatory list, by rule (《清洁生产审核办法》第八条), with their evidence.

Set-based: each cause is one grouped query over its evidence table (monitoring records, energy records,
declarations and permits), and the three are joined to the enterprises in one statement; Python sees
one row per candidate and cause, never the evidence rows. The evidence itself is read for the few
enterprises a page or a proposal shows (`evidence`).
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, literal, or_, select, union_all

from ..audits.models import CLOSED_STATES, AuditRound
from ..core.dates import add_months, beijing_today
from ..core.extensions import db
from ..core.reference.models import PriorityChemical
from ..enterprises.models import Enterprise
from . import rules
from .models import CAUSES, ChemicalDeclaration, DischargePermit, EnergyRecord, MonitoringRecord


@dataclass
class Candidate:
    enterprise_id: int
    uscc: str
    name: str
    city_code: str
    counts: dict[str, int] = field(default_factory=dict)  # cause -> evidence records

    @property
    def causes(self) -> list[str]:
        return [c for c in CAUSES if c in self.counts]

    @property
    def cause_labels(self) -> list[str]:
        return [CAUSES[c] for c in self.causes]

    @property
    def department(self) -> str:
        """The department of the first cause in the article's order."""
        return rules.department_for(self.causes[0])


def monitoring_window(as_of: date) -> tuple[date, date]:
    return add_months(as_of, -rules.MONITORING_MONTHS.value), as_of


def _over_discharge(as_of: date):
    start, end = monitoring_window(as_of)
    m = MonitoringRecord
    return (select(m.enterprise_id.label("enterprise_id"), literal("over_discharge").label("cause"),
                   func.count().label("n"))
            .where(m.measured_on > start, m.measured_on <= end,
                   or_(m.measured_value > m.limit_value,
                       and_(m.annual_total.is_not(None), m.permitted_total.is_not(None),
                            m.annual_total > m.permitted_total)))
            .group_by(m.enterprise_id))


def _over_energy(as_of: date):
    e = EnergyRecord
    return (select(e.enterprise_id.label("enterprise_id"), literal("over_energy").label("cause"),
                   func.count().label("n"))
            .where(e.year >= as_of.year - rules.ENERGY_YEARS.value, e.year <= as_of.year,
                   e.unit_consumption > e.quota_value)
            .group_by(e.enterprise_id))


def _toxic_industry(column):
    return or_(*[column.startswith(prefix) for prefix in sorted(rules.TOXIC_INDUSTRIES.value)])


def _declared_in_window(as_of: date):
    """The condition on ChemicalDeclaration for the years the rule looks back over (rules.CHEMICAL_YEARS)."""
    d = ChemicalDeclaration
    return and_(d.year >= as_of.year - rules.CHEMICAL_YEARS.value + 1, d.year <= as_of.year)


def declares_priority_chemicals(enterprise_id: int, as_of: date | None = None) -> bool:
    """Whether the enterprise declared the use or discharge of a listed priority chemical within the
    rule's window on `as_of` (default today, Beijing): the evidence that holds its toxic_substances flag."""
    d = ChemicalDeclaration
    return db.session.scalar(select(exists().where(d.enterprise_id == enterprise_id,
                                                   _declared_in_window(as_of or beijing_today()))))


def _toxic(as_of: date):
    d, p = ChemicalDeclaration, DischargePermit
    declared = select(d.enterprise_id.label("enterprise_id")).where(_declared_in_window(as_of))
    permitted = (select(p.enterprise_id.label("enterprise_id"))
                 .where(p.management_class == "key", p.valid_from <= as_of, p.valid_to >= as_of,
                        _toxic_industry(p.industry_code)))
    both = union_all(declared, permitted).subquery()
    return (select(both.c.enterprise_id, literal("toxic").label("cause"), func.count().label("n"))
            .group_by(both.c.enterprise_id))


def generate(as_of: date, *, city: str | None = None, causes=None) -> list[Candidate]:
    """Every enterprise (of `city`, if given) that one of the causes (default: all three) makes a
    candidate on `as_of`, in city and name order."""
    builders = {"over_discharge": _over_discharge, "over_energy": _over_energy, "toxic": _toxic}
    chosen = [builders[c](as_of) for c in (causes or CAUSES)]
    found = union_all(*chosen).subquery() if len(chosen) > 1 else chosen[0].subquery()
    query = (select(Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.city_code, found.c.cause, found.c.n)
             .join(found, found.c.enterprise_id == Enterprise.id))
    if city:
        query = query.where(Enterprise.city_code == city)
    if rules.SKIP_OPEN_ROUNDS.value:
        query = query.where(~exists().where(AuditRound.enterprise_id == Enterprise.id,
                                            AuditRound.state.not_in(CLOSED_STATES)))
    out: dict[int, Candidate] = {}
    for enterprise_id, uscc, name, city_code, cause, n in db.session.execute(
            query.order_by(Enterprise.city_code, Enterprise.name, Enterprise.id)):
        candidate = out.get(enterprise_id)
        if candidate is None:
            candidate = out[enterprise_id] = Candidate(enterprise_id, uscc, name, city_code)
        candidate.counts[cause] = n
    return list(out.values())


# --- evidence ----------------------------------------------------------------------------------------

EVIDENCE_LIMIT = 20  # records of one cause kept with a proposal entry; the count says how many there were


def _plain(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def _monitoring_line(r: MonitoringRecord) -> str:
    parts = []
    if r.measured_value > r.limit_value:
        parts.append(f"{r.measured_on.isoformat()} {r.pollutant} 监测值 {_plain(r.measured_value)} {r.unit}，"
                     f"排放限值 {_plain(r.limit_value)} {r.unit}（超标）")
    if r.over_total:
        parts.append(f"{r.measured_on.year} 年 {r.pollutant} 排放量 {_plain(r.annual_total)} t，"
                     f"许可排放量 {_plain(r.permitted_total)} t（超总量）")
    return "；".join(parts)


def evidence(enterprise_ids: list[int], as_of: date) -> dict[int, dict[str, list[dict]]]:
    """enterprise id -> cause -> the records that make it a candidate (at most EVIDENCE_LIMIT each)."""
    out: dict[int, dict[str, list[dict]]] = {i: {} for i in enterprise_ids}
    if not enterprise_ids:
        return out

    def add(enterprise_id, cause, kind, record_id, text):
        items = out[enterprise_id].setdefault(cause, [])
        if len(items) < EVIDENCE_LIMIT:
            items.append({"kind": kind, "id": record_id, "text": text})

    for chunk_start in range(0, len(enterprise_ids), 500):
        ids = enterprise_ids[chunk_start:chunk_start + 500]
        start, end = monitoring_window(as_of)
        m = MonitoringRecord
        for r in db.session.scalars(select(m).where(
                m.enterprise_id.in_(ids), m.measured_on > start, m.measured_on <= end,
                or_(m.measured_value > m.limit_value,
                    and_(m.annual_total.is_not(None), m.permitted_total.is_not(None), m.annual_total > m.permitted_total)))
                .order_by(m.measured_on.desc(), m.id)):
            add(r.enterprise_id, "over_discharge", "monitoring", r.id, _monitoring_line(r))
        e = EnergyRecord
        for r in db.session.scalars(select(e).where(
                e.enterprise_id.in_(ids), e.year >= as_of.year - rules.ENERGY_YEARS.value, e.year <= as_of.year,
                e.unit_consumption > e.quota_value).order_by(e.year.desc(), e.id)):
            add(r.enterprise_id, "over_energy", "energy", r.id,
                f"{r.year} 年 {r.product} 单位产品能耗 {_plain(r.unit_consumption)} {r.unit_label}，"
                f"{r.quota_standard} 限额值 {_plain(r.quota_value)} {r.unit_label}（综合能耗 {_plain(r.total_tce)} tce）")
        d = ChemicalDeclaration
        for r, chemical in db.session.execute(select(d, PriorityChemical).join(PriorityChemical).where(
                d.enterprise_id.in_(ids), _declared_in_window(as_of))
                .order_by(d.year.desc(), d.id)):
            add(r.enterprise_id, "toxic", "chemical", r.id,
                f"{r.year} 年申报{r.kind_label}{chemical.name}"
                f"{'（' + chemical.code + '）' if chemical.code else ''} {_plain(r.amount_t)} t"
                f"（优先控制化学品名录第{'一' if chemical.batch == 1 else '二'}批）")
        p = DischargePermit
        for r in db.session.scalars(select(p).where(
                p.enterprise_id.in_(ids), p.management_class == "key", p.valid_from <= as_of, p.valid_to >= as_of,
                _toxic_industry(p.industry_code)).order_by(p.id)):
            add(r.enterprise_id, "toxic", "permit", r.id,
                f"排污许可证 {r.permit_no}（重点管理，行业 {r.industry_code}，有效期 {r.valid_from.isoformat()} 至 "
                f"{r.valid_to.isoformat()}，{r.issuing_authority}）")
    return out
