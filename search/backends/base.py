"""The one interface both search backends implement, and what they share.

A *logical* index (``technologies``, ``experts``; see ``search.indexes``) is
reached through an alias ``<prefix><name>``. The alias points at one physical
index ``<prefix><name>-v<mapping version>-<UTC timestamp>``; ``rebuild`` fills a
new physical index and moves the alias in one step.

Writes carry external versions (the database row's version): a write whose
version is lower than or equal to the stored one is ignored, on both backends,
so a stale write never wins and retrying a batch is always safe.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from markupsafe import Markup

from search import indexes
from search.indexes import IndexDefinition
from search.text import ParsedQuery, highlight_spans, mark_spans, parse_query

#: Hits beyond this many results are not returned (Elasticsearch's max_result_window).
MAX_RESULT_WINDOW = 10_000
#: At most this many values are returned per facet.
FACET_SIZE = 100
#: Highlight fragments of long fields are about this many characters.
FRAGMENT_CHARS = 80


def sort_key(doc_id: str) -> str:
    """How ids are ordered on both backends: numeric ids by number, others as text after them."""
    return doc_id.zfill(20) if doc_id.isascii() and doc_id.isdigit() else doc_id


class SearchError(Exception):
    """Base of the errors the search layer raises on purpose."""


class SearchUnavailable(SearchError):
    """The search engine cannot be reached or did not answer in time."""

    def __init__(self, detail: str = ""):
        self.detail = detail
        super().__init__("搜索服务暂时不可用，请稍后再试")

    def __str__(self) -> str:
        return self.args[0] + (f"（{self.detail}）" if self.detail else "")


class RebuildFailed(SearchError):
    """Some documents could not be indexed; the old index is still in service."""

    def __init__(self, failed_ids: Sequence[str]):
        self.failed_ids = list(failed_ids)
        super().__init__(f"重建索引失败：{len(self.failed_ids)} 条记录无法写入（{', '.join(self.failed_ids[:10])}）")


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    #: keyword field -> a value or a list of values (any of them); fields are ANDed
    filters: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    #: keyword fields to count values of, over all hits
    facets: Sequence[str] = ()
    page: int = 1
    per_page: int = 20
    #: a key of IndexDefinition.sort_fields, "-" prefix for descending;
    #: None = by relevance (or by id when there is no text)
    sort: str | None = None

    def __post_init__(self):
        if self.page < 1:
            raise ValueError("page must be at least 1")
        if not 1 <= self.per_page <= 200:
            raise ValueError("per_page must be between 1 and 200")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class SearchHit:
    id: str
    score: float
    source: dict[str, Any]
    #: text field -> safe HTML with the matched words in <mark>; only fields that matched
    highlights: dict[str, Markup]


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    #: keyword field -> [(value, count)], by count descending then value
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int

    @property
    def ids(self) -> list[str]:
        return [hit.id for hit in self.hits]

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_RESULT_WINDOW) // self.per_page))


@dataclass(frozen=True)
class IndexAction:
    id: str
    version: int
    #: the document to store, or None to delete
    document: Mapping[str, Any] | None

    def __post_init__(self):
        if not isinstance(self.version, int) or self.version < 0:
            raise ValueError("version must be a non-negative integer")
        object.__setattr__(self, "id", str(self.id))


@dataclass(frozen=True)
class ResolvedQuery:
    """A SearchQuery checked against its index definition, ready for a backend."""

    definition: IndexDefinition
    query: SearchQuery
    parsed: ParsedQuery
    filters: dict[str, list[str]]
    facets: list[str]
    #: (sort key, descending) or None for relevance / id order
    sort: tuple[str, bool] | None


_PHYSICAL_NAME = re.compile(r"-v(\d+)-\d{14}$")


def mapping_version(physical: str) -> int | None:
    """The mapping version a physical index was created with, read from its name (see above)."""
    match = _PHYSICAL_NAME.search(physical)
    return int(match.group(1)) if match else None


class SearchBackend(abc.ABC):
    kind: str = ""

    def __init__(self, *, prefix: str = ""):
        if prefix != prefix.lower() or any(c in prefix for c in ' "*\\/,|<>?#'):
            raise ValueError("prefix must be lower case, without spaces or special characters")
        self.prefix = prefix

    # --- the interface ------------------------------------------------------

    @abc.abstractmethod
    def ping(self) -> bool:
        """True when the engine answers; never raises."""

    @abc.abstractmethod
    def ensure_index(self, name: str) -> str:
        """Create the physical index and its alias if the alias is missing; return the physical name."""

    @abc.abstractmethod
    def bulk(self, name: str, actions: Iterable[IndexAction], *, refresh: bool = False) -> list[str]:
        """Apply the actions with external versions; return the ids that failed (to retry).

        A write with a version lower than or equal to the stored one is ignored
        and is not a failure. ``refresh`` makes the writes searchable at once
        (tests); the embedded backend always is. Raises SearchUnavailable when
        the engine cannot be reached.
        """

    @abc.abstractmethod
    def search(self, name: str, query: SearchQuery) -> SearchResult:
        """Raises SearchUnavailable when the engine cannot be reached."""

    @abc.abstractmethod
    def count(self, name: str) -> int:
        """Number of documents in the index (0 when it does not exist)."""

    @abc.abstractmethod
    def rebuild(self, name: str, documents: Iterable[tuple[str, int, Mapping[str, Any]]]) -> str:
        """Load ``(id, version, document)`` into a new physical index and swap the alias to it.

        Searches keep using the old index until the swap, which is atomic; the
        old index is deleted afterwards. Writes made by ``bulk`` while the
        rebuild runs go to both indexes, so none is lost. Returns the new
        physical name; raises RebuildFailed (keeping the old index) when any
        document could not be stored.
        """

    @abc.abstractmethod
    def delete_all(self) -> None:
        """Delete every index and alias under this backend's prefix (tests)."""

    def close(self) -> None:
        """Release connections."""

    # --- shared helpers -----------------------------------------------------

    def alias(self, name: str) -> str:
        indexes.get(name)
        return f"{self.prefix}{name}"

    def _new_physical_name(self, name: str, exists) -> str:
        definition = indexes.get(name)
        moment = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        while True:
            candidate = f"{self.alias(name)}-v{definition.version}-{moment:%Y%m%d%H%M%S}"
            if not exists(candidate):
                return candidate
            moment += dt.timedelta(seconds=1)

    @staticmethod
    def resolve(name: str, query: SearchQuery) -> ResolvedQuery:
        definition = indexes.get(name)
        filters = {}
        for key, value in (query.filters or {}).items():
            if key not in definition.keyword_fields:
                raise ValueError(f"cannot filter {name} on {key!r}")
            values = [value] if isinstance(value, (str, int)) else list(value)
            filters[key] = [str(item) for item in values]
        facets = list(dict.fromkeys(query.facets or ()))
        for key in facets:
            if key not in definition.keyword_fields:
                raise ValueError(f"cannot facet {name} on {key!r}")
        sort = None
        if query.sort:
            key = query.sort.lstrip("-")
            if key not in definition.sort_fields:
                raise ValueError(f"cannot sort {name} on {key!r}")
            sort = (key, query.sort.startswith("-"))
        return ResolvedQuery(definition, query, parse_query(query.text), filters, facets, sort)

    @staticmethod
    def make_hit(resolved: ResolvedQuery, doc_id: str, score: float, source: dict[str, Any]) -> SearchHit:
        highlights = {}
        if not resolved.parsed.is_empty:
            terms = resolved.parsed.terms
            for key in resolved.definition.text_fields:
                value = source.get(key)
                if not value:
                    continue
                text = value if isinstance(value, str) else "、".join(str(item) for item in value)
                spans = highlight_spans(text, terms)
                if spans:
                    whole = key in resolved.definition.whole_fields
                    highlights[key] = mark_spans(text, spans, max_chars=None if whole else FRAGMENT_CHARS)
        return SearchHit(id=doc_id, score=float(score or 0.0), source=source, highlights=highlights)

    @staticmethod
    def empty_result(resolved: ResolvedQuery) -> SearchResult:
        return SearchResult(0, [], {key: [] for key in resolved.facets}, resolved.query.page, resolved.query.per_page)
