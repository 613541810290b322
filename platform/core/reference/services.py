"""Loading and looking up reference codes. The data files under data/ are the source."""
import csv
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from .models import Division, Industry, PriorityChemical

DATA_DIR = Path(__file__).resolve().parents[3] / "data"


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_reference_data() -> int:
    """Insert or update divisions and industries from data/; returns the number of rows written."""
    written = 0
    for row in _rows("guangxi_divisions.csv"):
        written += _upsert(Division, row["code"], name=row["name"], level=row["level"])
    for row in _rows("industries.csv"):
        written += _upsert(
            Industry, row["code"], name=row["name"], section=row["section"],
            section_name=row["section_name"], plan_sector=row["plan_sector"] or None,
        )
    written += _load_priority_chemicals()
    cities.cache_clear()
    industries.cache_clear()
    return written


def _chemical_values(row: dict) -> dict:
    """A row of data/priority_chemicals.csv as the table's values (migration 0014a inserts the same)."""
    return {"code": row["code"] or None, "name": row["name"], "cas": row["cas"] or None,
            "batch": int(row["batch"]), "source": row["source"], "verification": row["verification"]}


def _load_priority_chemicals() -> int:
    """The 优先控制化学品名录: an entry is found by its code (PC001), else by its name, else by a name it
    was loaded under before (the file's `formerly`, ";"-separated), and brought up to date in place, so
    declarations that point at it keep pointing at it when a name or code is corrected."""
    written = 0
    chemicals = list(db.session.scalars(select(PriorityChemical)))
    by_code = {c.code: c for c in chemicals if c.code}
    by_name = {c.name: c for c in chemicals}
    for row in _rows("priority_chemicals.csv"):
        values = _chemical_values(row)
        former = [n.strip() for n in (row.get("formerly") or "").split(";") if n.strip()]
        chemical = by_code.get(values["code"]) or by_name.get(values["name"]) or next(
            (by_name[n] for n in former if n in by_name), None)
        if chemical is None:
            db.session.add(PriorityChemical(**values))
            written += 1
            continue
        changed = [k for k, v in values.items() if getattr(chemical, k) != v]
        for key in changed:
            setattr(chemical, key, values[key])
        written += bool(changed)
    return written


def priority_chemical(text) -> PriorityChemical | None:
    """An entry of the list by its code (PC001), its name, or one of its CAS numbers."""
    text = str(text or "").strip()
    if not text:
        return None
    found = db.session.scalar(select(PriorityChemical).where(
        (PriorityChemical.code == text.upper()) | (PriorityChemical.name == text)))
    if found is not None:
        return found
    return next((c for c in db.session.scalars(select(PriorityChemical).where(PriorityChemical.cas.contains(text)))
                 if text in c.cas_numbers or any(n.startswith(text + "（") for n in c.cas_numbers)), None)


def _upsert(model, code, **values) -> int:
    row = db.session.get(model, code)
    if row is None:
        db.session.add(model(code=code, **values))
        return 1
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return int(changed)


@lru_cache(maxsize=1)
def cities() -> dict[str, str]:
    """City code -> name, in code order."""
    rows = db.session.execute(select(Division.code, Division.name).where(Division.level == "city").order_by(Division.code))
    return dict(rows.all())


def cities_for(user) -> dict[str, str]:
    """The cities a person may choose among: a city regulator's own city only; everyone else all."""
    code = getattr(user, "division_code", None)
    every = cities()
    return {code: every[code]} if getattr(user, "role", None) == "regulator" and code in every else every


@lru_cache(maxsize=1)
def industries() -> dict[str, str]:
    rows = db.session.execute(select(Industry.code, Industry.name).order_by(Industry.code))
    return dict(rows.all())


def city_of(division_code: str) -> str | None:
    """The city a 6-digit division code belongs to (450102 -> 450100), or None outside Guangxi."""
    if not division_code or len(division_code) != 6 or not division_code.isdigit():
        return None
    city = division_code[:4] + "00"
    return city if city in cities() else None


def parse_division(value: str, field: str = "division_code") -> tuple[str, str]:
    """Validate a 6-digit Guangxi division code; returns (city_code, county_code or '')."""
    code = (value or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise ValidationError("行政区划代码应为 6 位数字。", field)
    city = city_of(code)
    if city is None:
        raise ValidationError(f"行政区划代码 {code} 不属于广西的任何设区市。", field)
    return city, ("" if code == city else code)


def parse_industry(value: str, field: str = "industry_code") -> tuple[str, str]:
    """Validate a GB/T 4754-2017 code of 2 to 4 digits; returns (division code, full code)."""
    code = (value or "").strip()
    if not (2 <= len(code) <= 4 and code.isdigit()):
        raise ValidationError("行业代码应为 2 至 4 位数字（GB/T 4754-2017）。", field)
    if code[:2] not in industries():
        raise ValidationError(f"行业代码 {code} 不在国民经济行业分类（GB/T 4754-2017）中。", field)
    return code[:2], code
