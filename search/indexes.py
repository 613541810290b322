"""The logical indexes: what each one searches, filters, facets and sorts on.

Both backends read these definitions, so a field means the same thing in
Elasticsearch and in the embedded index. The Elasticsearch mapping of each
index is a JSON file under ``search/mappings/`` named ``<name>-v<version>.json``;
a change that needs new mappings gets a new version and a rebuild.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from search.text import index_terms

MAPPINGS_DIR = Path(__file__).with_name("mappings")


@dataclass(frozen=True)
class IndexDefinition:
    name: str
    version: int
    #: full-text fields and their boosts, highest first; searched and highlighted
    text_fields: Mapping[str, int]
    #: exact-value fields used as filters and facets (a value or a list of values)
    keyword_fields: tuple[str, ...]
    #: sort keys a query may ask for (prefix "-" for descending) -> Elasticsearch field
    sort_fields: Mapping[str, str] = field(default_factory=dict)
    #: text fields returned whole in highlights; the others are cut to a fragment
    whole_fields: tuple[str, ...] = ("name",)
    #: a keyword field whose value orders the hits before relevance, ascending (text order, as
    #: Elasticsearch compares keywords; a missing value last) when a query asks for no sort
    rank_field: str | None = None

    def __post_init__(self):
        if self.rank_field is not None and self.rank_field not in self.keyword_fields:
            raise ValueError(f"{self.name}: rank_field {self.rank_field!r} must be a keyword field")

    @property
    def mapping_file(self) -> Path:
        return MAPPINGS_DIR / f"{self.name}-v{self.version}.json"

    @cached_property
    def mapping(self) -> dict[str, Any]:
        return json.loads(self.mapping_file.read_text(encoding="utf-8"))

    @cached_property
    def tiers(self) -> dict[str, tuple[str, ...]]:
        """Text fields grouped by boost, highest first, under their term field's name.

        Fields with the same boost are searched as one: a query word scores
        the boost of the best group that holds all its terms.
        """
        groups: dict[int, list[str]] = {}
        for name, boost in self.text_fields.items():
            groups.setdefault(boost, []).append(name)
        return {f"boost{boost}": tuple(groups[boost]) for boost in sorted(groups, reverse=True)}

    def tier_boost(self, tier: str) -> int:
        return self.text_fields[self.tiers[tier][0]]

    def analyse(self, document: Mapping[str, Any]) -> dict[str, str]:
        """The search terms of ``document`` per tier, space-separated (in no particular order): what
        both backends store, an FTS5 column and an Elasticsearch field with the whitespace analyzer."""
        terms = {}
        for tier, names in self.tiers.items():
            texts = []
            for name in names:
                value = document.get(name)
                if value is None:
                    continue
                if isinstance(value, str):
                    texts.append(value)
                elif isinstance(value, (list, tuple)):
                    texts.extend(str(item) for item in value if item is not None)
                else:
                    raise TypeError(f"text field {name!r} must be a string or a list of strings")
            # One text per tier: a line break separates blocks, so no term spans two fields.
            terms[tier] = " ".join(index_terms("\n".join(texts)))
        return terms

    def keyword_values(self, document: Mapping[str, Any]) -> dict[str, list[str]]:
        """The exact values of each keyword field, as strings (as Elasticsearch indexes them)."""
        values = {}
        for name in self.keyword_fields:
            value = document.get(name)
            items = value if isinstance(value, (list, tuple)) else [value]
            out = []
            for item in items:
                if item is None:
                    continue
                if isinstance(item, (dict, list, tuple, bool)):
                    raise TypeError(f"keyword field {name!r} takes strings or numbers")
                out.append(str(item))
            values[name] = list(dict.fromkeys(out))
        return values


TECHNOLOGIES = IndexDefinition(
    name="technologies",
    version=2,
    text_fields={
        "name": 8,
        "industry_names": 3,
        "scope": 2,
        "principle": 1,
        "indicators": 1,
        "benefits": 1,
        "case": 1,
    },
    keyword_fields=("category", "industry_codes", "maturity", "status", "source", "source_year"),
    sort_fields={"id": "id", "name": "name.raw", "source_year": "source_year"},
)

EXPERTS = IndexDefinition(
    name="experts",
    version=2,
    text_fields={
        "name": 8,
        "specialty_names": 3,
        "fields": 3,
        "title": 2,
        "employer": 2,
    },
    keyword_fields=("specialty_codes", "status"),
    sort_fields={"id": "id", "name": "name.raw"},
)

DOCUMENTS = IndexDefinition(
    name="documents",
    version=1,
    text_fields={
        "title": 8,
        "document_no": 4,
        "issuer": 3,
        "industry_names": 3,
        "kind_label": 3,
        "summary": 2,
        "body": 1,
    },
    keyword_fields=("kind", "industry_codes", "currency", "issuer_name", "year", "status"),
    sort_fields={"id": "id", "title": "title.raw"},
    whole_fields=("title", "document_no", "issuer", "kind_label"),
    # The knowledge base: a document in force ("current") comes before one a newer version replaced
    # ("superseded"), whatever the words' scores.
    rank_field="currency",
)

INDEXES: dict[str, IndexDefinition] = {index.name: index for index in (TECHNOLOGIES, EXPERTS, DOCUMENTS)}


def get(name: str) -> IndexDefinition:
    try:
        return INDEXES[name]
    except KeyError:
        raise ValueError(f"unknown search index {name!r}; known: {', '.join(INDEXES)}") from None
