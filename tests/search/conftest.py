"""Fixtures for the search tests: the same tests run against both backends.

The Elasticsearch parameter uses ELASTICSEARCH_URL and is skipped when it is
unset or unreachable, unless REQUIRE_ELASTICSEARCH=1, which turns both into
failures (CI sets it after `scripts/es-test-server start`).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for path in (ROOT, HERE):  # the project's packages, and search_test_data below
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from search import make_backend  # noqa: E402

ES_SCRIPT = ROOT / "scripts" / "es-test-server"
RUN_ID = uuid.uuid4().hex[:8]
_counter = itertools.count(1)
_es_reachable: dict[str, bool] = {}


def pytest_configure(config):
    config.addinivalue_line("markers", "es_restart: stops and restarts the test Elasticsearch server (slow)")


def elasticsearch_url() -> str:
    """The test cluster's URL; skips the test when there is none (fails under REQUIRE_ELASTICSEARCH=1)."""
    url = os.environ.get("ELASTICSEARCH_URL")
    required = os.environ.get("REQUIRE_ELASTICSEARCH") == "1"
    if not url:
        if required:
            pytest.fail("REQUIRE_ELASTICSEARCH=1 but ELASTICSEARCH_URL is not set")
        pytest.skip("ELASTICSEARCH_URL is not set")
    if url not in _es_reachable:
        probe = make_backend("elasticsearch", url=url, timeout=5)
        _es_reachable[url] = probe.ping()
        probe.close()
    if not _es_reachable[url]:
        message = f"Elasticsearch at {url} does not answer"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    return url


def new_backend(kind: str, tmp_path: Path, **options):
    """A backend whose index names are unique to this test."""
    prefix = f"t{RUN_ID}_{next(_counter)}_"
    if kind == "embedded":
        return make_backend("embedded", path=str(tmp_path / "search.sqlite3"), prefix=prefix, **options)
    return make_backend("elasticsearch", url=elasticsearch_url(), prefix=prefix, **options)


@pytest.fixture(params=["embedded", "embedded-lookups", "elasticsearch"])
def backend(request, tmp_path):
    """Each backend; "embedded-lookups" is the embedded one answering as with a big index: by term
    look-ups only (a small test index otherwise has few enough hits to be checked in term lists),
    every term's document list stored after each write (a small index otherwise has no common terms)."""
    if request.param == "embedded-lookups":
        search_backend = new_backend("embedded", tmp_path, narrow_hits=0, postings_min_docs=1, postings_max_dirty=0)
    else:
        search_backend = new_backend(request.param, tmp_path)
    yield search_backend
    search_backend.delete_all()
    search_backend.close()


@pytest.fixture
def both_backends(tmp_path):
    """An embedded and an Elasticsearch backend, for comparing their answers."""
    pair = [new_backend("embedded", tmp_path), new_backend("elasticsearch", tmp_path)]
    yield pair
    for search_backend in pair:
        search_backend.delete_all()
        search_backend.close()


class EsServerControl:
    """Stops and starts the test Elasticsearch through scripts/es-test-server (same data dir)."""

    def __init__(self, url: str):
        self.url = url
        self.port = str(urlsplit(url).port or 9200)
        self.stopped = False

    def _run(self, command: str) -> None:
        env = {**os.environ, "ES_PORT": self.port}
        result = subprocess.run(
            [str(ES_SCRIPT), command], env=env, capture_output=True, text=True, timeout=300, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"es-test-server {command} failed:\n{result.stdout}\n{result.stderr}")

    def stop(self) -> None:
        self._run("stop")
        self.stopped = True
        probe = make_backend("elasticsearch", url=self.url, timeout=2)
        try:
            if probe.ping():
                raise RuntimeError(
                    f"Elasticsearch at {self.url} still answers after stop: was it started by scripts/es-test-server?"
                )
        finally:
            probe.close()

    def start(self) -> None:
        self._run("start")
        self.stopped = False


@pytest.fixture
def es_server_control():
    """Control over the test Elasticsearch server: ``.stop()`` and ``.start()``.

    Restarts the server at teardown if a test left it stopped.
    """
    control = EsServerControl(elasticsearch_url())
    yield control
    if control.stopped:
        control.start()
