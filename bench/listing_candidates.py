"""Goal (issue 15): candidate generation over 50,000 enterprises, 500,000 monitoring records and 50,000
permits in under 10 s on SQLite (platform/listing/candidates.generate: set-based SQL)."""
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from _app import bench_app

ENTERPRISES = 50_000
MONITORING = 500_000
PERMITS = 50_000
ENERGY = 20_000
DECLARATIONS = 5_000
GOAL_SECONDS = 10.0
AS_OF = date(2026, 6, 30)


def main() -> dict:
    app, _ = bench_app("listing")
    with app.app_context():
        from sqlalchemy import insert, select

        from platform.core.extensions import db
        from platform.core.reference.models import PriorityChemical
        from platform.core.reference.services import cities
        from platform.enterprises.models import Enterprise
        from platform.enterprises.uscc import make
        from platform.listing.candidates import generate
        from platform.listing.models import ChemicalDeclaration, DischargePermit, EnergyRecord, MonitoringRecord

        rng = random.Random(15)
        city_codes = list(cities())
        industries = ["2614", "3360", "3011", "3110", "2221", "1310", "3216", "2710"]
        db.session.execute(insert(Enterprise), [
            {"name": f"基准企业{i:05d}", "uscc": make(city_codes[i % 14], i), "city_code": city_codes[i % 14],
             "industry_code": industries[i % 8][:2], "industry_class": industries[i % 8]} for i in range(ENTERPRISES)])
        pollutants = ["化学需氧量", "氨氮", "二氧化硫", "氮氧化物", "颗粒物"]
        rows = []
        for i in range(MONITORING):
            limit = Decimal(rng.choice([60, 8, 200, 100, 20]))
            # About 1 in 50 readings over the limit; some with totals over the permitted total.
            value = limit * Decimal(rng.uniform(1.01, 1.6) if rng.random() < .02 else rng.uniform(.2, .99)).quantize(Decimal("0.01"))
            total = rng.random() < .05
            rows.append({"enterprise_id": i % ENTERPRISES + 1, "pollutant": pollutants[(i // ENTERPRISES) % 5],
                         # two readings a pollutant, 2025-07-01 to 2026-04: inside the 12-month window
                         "measured_on": date(2025, 7, 1) + timedelta(days=(i // (ENTERPRISES * 5)) * 180 + i % 97),
                         "measured_value": value.quantize(Decimal("0.0001")), "limit_value": limit, "unit": "mg/L",
                         "annual_total": Decimal(rng.randint(50, 140)) if total else None,
                         "permitted_total": Decimal(120) if total else None})
            if len(rows) == 50_000:
                db.session.execute(insert(MonitoringRecord), rows)
                rows = []
        db.session.execute(insert(DischargePermit), [
            {"permit_no": f"P{i:08d}", "enterprise_id": i + 1, "unit_name": f"基准企业{i:05d}",
             "industry_code": industries[i % 8], "management_class": rng.choice(["key", "simplified", "registration"]),
             "valid_from": date(2023, 1, 1), "valid_to": date(2028, 1, 1) if rng.random() < .9 else date(2026, 1, 1),
             "issuing_authority": "某市生态环境局"} for i in range(PERMITS)])
        db.session.execute(insert(EnergyRecord), [
            {"enterprise_id": i * 2 + 1, "year": 2025, "total_tce": Decimal(rng.randint(5000, 200000)), "product": "熟料",
             "unit_consumption": Decimal(rng.randint(100, 125)), "unit_label": "kgce/t", "quota_value": Decimal(117),
             "quota_standard": "GB 16780-2021"} for i in range(ENERGY)])
        chemicals = list(db.session.scalars(select(PriorityChemical.id)))
        db.session.execute(insert(ChemicalDeclaration), [
            {"enterprise_id": i * 10 + 3, "chemical_id": chemicals[i % len(chemicals)], "kind": "use",
             "amount_t": Decimal("1.5"), "year": 2025} for i in range(DECLARATIONS)])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))

        timings = []
        for _ in range(2):
            started = time.perf_counter()
            found = generate(AS_OF)
            timings.append(time.perf_counter() - started)
        by_cause = {c: sum(c in x.causes for x in found) for c in ("over_discharge", "over_energy", "toxic")}
        started = time.perf_counter()
        city = generate(AS_OF, city="450100")
        city_seconds = time.perf_counter() - started
    seconds = max(timings)
    print(f"listing candidates: {ENTERPRISES:,} enterprises, {MONITORING:,} monitoring records, {PERMITS:,} permits, "
          f"{ENERGY:,} energy records, {DECLARATIONS:,} declarations: {len(found):,} candidates {by_cause} in "
          f"{timings[0]:.2f} s, again {timings[1]:.2f} s; one city ({len(city):,}) {city_seconds:.2f} s")
    return {"figure": f"listing candidates over {ENTERPRISES:,} enterprises / {MONITORING:,} records",
            "goal": f"< {GOAL_SECONDS:.0f} s", "measured": f"{seconds:.2f} s", "passed": seconds < GOAL_SECONDS}


if __name__ == "__main__":
    main()
