"""Demo catalogue: the technologies the Guangxi plan names (data/seed_technologies.csv), published."""
import csv

from sqlalchemy import select

from ..core.reference.services import DATA_DIR
from . import services
from .models import Technology
from ..core.access import SYSTEM


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
    return created
