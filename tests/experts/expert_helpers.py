"""Constants and builders shared by the expert tests (imported by name: pytest puts this folder on sys.path)."""
import zlib
from datetime import date

from platform.enterprises.uscc import make as make_uscc

PHONE = "13912345678"
EMAIL = "secret.expert@example.com"
REVIEW_DAY = date(2026, 3, 10)  # after the `advance` fixture's evaluation start (2026-03-01)
FAR = date(2030, 1, 1)  # "today" for services that refuse dates in the future


def profile(name: str, *, industries: str = "31", employer: str = "广西大学", employer_uscc: str | None = None,
            **fields) -> dict:
    return {"name": name, "title": "教授级高级工程师", "employer": employer,
            "employer_uscc": employer_uscc or make_uscc("450100", 500000 + zlib.crc32(employer.encode()) % 100000, "1", "2"),
            "industry_codes": industries, "fields": "节能、废水治理", "qualifications": "注册环保工程师",
            "years_of_practice": "15", "phone": PHONE, "email": EMAIL, **fields}
