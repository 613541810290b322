"""Demo figures: the agriculture indicators for 2024 and 2025, the province's and four cities'."""
from ..core.access import SYSTEM
from ..core.reference.models import Division
from . import services

# (indicator, division) -> (2024, 2025): made up for the demo, around the 2025 targets.
DEMO = {
    ("agri_film_recovery_rate", Division.PROVINCE): ("83.2", "85.6"),
    ("straw_utilization_rate", Division.PROVINCE): ("85.1", "86.4"),
    ("livestock_manure_utilization_rate", Division.PROVINCE): ("79.0", "81.2"),
    ("agri_film_recovery_rate", "450100"): ("84.5", "86.0"),
    ("agri_film_recovery_rate", "450200"): ("82.0", "84.1"),
    ("agri_film_recovery_rate", "450300"): ("83.6", "85.2"),
    ("agri_film_recovery_rate", "450800"): ("81.9", "84.7"),
    ("straw_utilization_rate", "450100"): ("86.2", "87.0"),
    ("straw_utilization_rate", "450200"): ("84.3", "85.5"),
    ("straw_utilization_rate", "450300"): ("85.0", "86.1"),
    ("straw_utilization_rate", "450800"): ("84.8", "86.6"),
    ("livestock_manure_utilization_rate", "450100"): ("80.1", "82.0"),
    ("livestock_manure_utilization_rate", "450200"): ("78.2", "80.5"),
    ("livestock_manure_utilization_rate", "450300"): ("79.4", "81.0"),
    ("livestock_manure_utilization_rate", "450800"): ("77.5", "79.8"),
    ("efficient_irrigation_added", "450100"): ("26000", "28500"),
    ("efficient_irrigation_added", "450200"): ("18000", "19500"),
    ("efficient_irrigation_added", "450300"): ("15000", "16200"),
    ("efficient_irrigation_added", "450800"): ("22000", "23800"),
}
YEARS = (2024, 2025)


def load_demo() -> int:
    created = 0
    for (indicator, division), values in DEMO.items():
        for year, value in zip(YEARS, values):
            if services.current(indicator, division, year) is None:
                services.report(SYSTEM, {"indicator": indicator, "division_code": division, "year": year, "value": value})
                created += 1
    return created
