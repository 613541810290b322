"""Search for the platform: two interchangeable backends behind one interface.

``make_backend("embedded", path=...)`` keeps the index in a local SQLite file;
``make_backend("elasticsearch", url=...)`` talks to an Elasticsearch 8 cluster.
Both segment Chinese with jieba the same way (``search.text``) and read the same
index definitions (``search.indexes``), so the same query finds the same
documents in the same order. Nothing here imports Flask.
"""

from __future__ import annotations

from search.backends.base import (
    IndexAction,
    RebuildFailed,
    SearchBackend,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    mapping_version,
)
from search.text import highlight, parse_query, tokenize

__all__ = [
    "IndexAction",
    "RebuildFailed",
    "SearchBackend",
    "SearchError",
    "SearchHit",
    "SearchQuery",
    "SearchResult",
    "SearchUnavailable",
    "highlight",
    "make_backend",
    "mapping_version",
    "parse_query",
    "tokenize",
]


def make_backend(kind: str, *, url: str | None = None, path: str | None = None, prefix: str = "", **options) -> SearchBackend:
    """The backend called ``kind`` ("embedded" or "elasticsearch").

    ``path`` is the SQLite file of the embedded backend, ``url`` the
    Elasticsearch URL; ``prefix`` is put before every index and alias name
    (tests use it to keep runs apart). Other keyword options go to the
    backend's constructor (e.g. ``timeout``).
    """
    if kind == "embedded":
        from search.backends.embedded import EmbeddedBackend

        if not path:
            raise ValueError("the embedded search backend needs a path")
        return EmbeddedBackend(path, prefix=prefix, **options)
    if kind == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchBackend

        if not url:
            raise ValueError("the elasticsearch search backend needs a url")
        return ElasticsearchBackend(url, prefix=prefix, **options)
    raise ValueError(f"unknown search backend {kind!r}; use 'embedded' or 'elasticsearch'")
