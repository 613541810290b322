"""Rebuilds prepare documents in worker processes; the result is the same as without them."""

from __future__ import annotations

import search.backends.elasticsearch as elasticsearch_backend
import search.backends.embedded as embedded_backend
from search import SearchQuery
from search.backends.base import IndexAction
from search.parallel import chunked, map_chunks
from search_test_data import double_all, seed_technologies


def test_workers_prepare_the_same_chunks_in_the_same_order():
    actions = [IndexAction(*document) for document in seed_technologies()]
    inline = list(map_chunks(embedded_backend._prepare_chunk, "technologies", chunked(actions, 7), 0))
    pooled = list(map_chunks(embedded_backend._prepare_chunk, "technologies", chunked(actions, 7), 2))
    assert len(pooled) == 5
    def comparable(chunks):
        return [[(p.id, p.source, [sorted(column.split()) for column in p.columns], p.keywords) for p in chunk]
                for chunk in chunks]

    assert comparable(pooled) == comparable(inline)


def test_a_chunk_a_worker_cannot_prepare_is_prepared_here():
    results = list(map_chunks(double_all, "n", chunked(range(10), 3), 2))
    assert results == [["n", 0, 2, 4], ["n", 6, 8, 10], ["n", 12, 14, 16], ["n", 18]]


def test_a_rebuild_in_many_chunks_with_workers_finds_the_same(backend, monkeypatch):
    monkeypatch.setattr(embedded_backend, "CHUNK_SIZE", 8)
    monkeypatch.setattr(elasticsearch_backend, "REBUILD_CHUNK", 8)
    backend.workers = 1
    backend.rebuild("technologies", seed_technologies())
    result = backend.search("technologies", SearchQuery("电炉炼钢", facets=["category"]))
    assert result.ids == ["4", "22"] and backend.count("technologies") == 30
    assert result.facets == {"category": [("源头减量", 2)]}
