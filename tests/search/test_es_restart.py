"""Elasticsearch stopped and started again mid-run (scripts/es-test-server).

The ``es_server_control`` fixture (tests/search/conftest.py) stops and starts the
test server on the same data; tests here check what survives an outage.
"""

from __future__ import annotations

import time

import pytest

from search import IndexAction, SearchQuery, SearchUnavailable, make_backend

pytestmark = pytest.mark.es_restart


def test_an_index_survives_a_restart_and_the_outage_is_reported(es_server_control):
    backend = make_backend("elasticsearch", url=es_server_control.url, prefix="restart_")
    try:
        backend.delete_all()
        backend.bulk("technologies", [IndexAction("1", 1, {"name": "余热高效回收利用技术"})], refresh=True)
        es_server_control.stop()
        started = time.monotonic()
        with pytest.raises(SearchUnavailable):
            backend.search("technologies", SearchQuery("余热回收"))
        with pytest.raises(SearchUnavailable):
            backend.bulk("technologies", [IndexAction("2", 1, {"name": "高效膜分离技术"})])
        # Not a benchmark: a guard against the client's retry loop (30 s and more by default); a
        # busy machine takes a few seconds, so the bound is loose.
        assert time.monotonic() - started < 10
        es_server_control.start()
        assert backend.search("technologies", SearchQuery("余热回收")).ids == ["1"]
    finally:
        if not es_server_control.stopped:
            backend.delete_all()
        backend.close()
