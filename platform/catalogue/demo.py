"""Demo catalogue: the technologies the Guangxi plan names (data/seed_technologies.csv), published,
with their substance (principle, key indicators, scope, typical case) from data/technology_catalogue.csv.

The substance file is in the catalogue's import format (`flask catalogue import`), so an installation
can load the same entries without the demo; it also adds the entries the plan's sections beyond
专栏2 name (end-of-pipe desulphurisation, denitration and VOCs control, water saving, agriculture,
buildings, transport)."""
import csv

from sqlalchemy import select

from ..core.access import SYSTEM
from ..core.reference.services import DATA_DIR
from . import services
from .models import Technology

SUBSTANCE_FILE = DATA_DIR / "technology_catalogue.csv"


def load_demo() -> int:
    created = 0
    with open(DATA_DIR / "seed_technologies.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            exists = select(Technology.id).where(Technology.name == row["name"], Technology.source == row["source"])
            if services.db.session.scalar(exists):
                continue
            services.create(SYSTEM, {
                "name": row["name"], "industry_codes": row["industry_code"], "category": row["category"],
                "key_regions": row["key_regions"].replace(";", "、"), "source": row["source"],
                "source_year": "2022",
            }, status="published")
            created += 1
    report = services.import_technologies(SYSTEM, SUBSTANCE_FILE.read_bytes(), SUBSTANCE_FILE.name, publish=True)
    if report.errors:
        raise RuntimeError(f"{SUBSTANCE_FILE.name}: {report.errors[:3]}")
    return created + report.created
