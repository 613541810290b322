"""Documents for the search tests, from the shared reference data."""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _data_file(name: str) -> Path:
    """The project's copy of a reference file, else the shared original beside the repository."""
    own = ROOT / "data" / name
    return own if own.exists() else ROOT.parent / "shared" / "data" / name


def _industry_names() -> dict[str, str]:
    with open(_data_file("industries.csv"), encoding="utf-8") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def seed_technologies() -> list[tuple[str, int, dict]]:
    """The plan's 30 seed technologies as (id, version, document), ids 1..30."""
    industries = _industry_names()
    with open(_data_file("seed_technologies.csv"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    documents = []
    for number, row in enumerate(rows, start=1):
        codes = [row["industry_code"]] if row["industry_code"] else []
        regions = row["key_regions"].replace(";", "、")
        documents.append((str(number), 1, {
            "name": row["name"],
            "category": row["category"],
            "industry_codes": codes,
            "industry_names": [industries[code] for code in codes],
            "scope": f"适用于{'、'.join(industries[code] for code in codes) or '各工业行业'}企业" + (f"，重点地区：{regions}" if regions else ""),
            "principle": f"通过{row['name']}实现{row['category']}，降低能耗与污染物排放。",
            "indicators": "综合能耗降低10%以上",
            "benefits": "节能降碳，减污增效",
            "case": f"广西某企业应用{row['name']}后年节约标准煤5000吨",
            "source": row["source"],
            "source_year": 2022 if row["source"].startswith("专栏") else 2023,
            "maturity": "推广" if number % 3 else "示范",
            "status": "published" if number % 10 else "draft",
        }))
    return documents


def double_all(name: str, chunk: list[int]) -> list[int]:
    """A chunk function that search.parallel workers cannot import (this module is not on their path)."""
    return [name] + [2 * item for item in chunk]
