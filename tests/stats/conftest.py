"""The statistics tests start from a database that already holds the known world
(tests/schemes/builders.build_stats_world), built once per session."""
import pytest

from tests.schemes.builders import StatsWorld, build_stats_world, stats_template, unsynced_sqlite  # noqa: F401

STATS_IDS: dict = {}


@pytest.fixture(scope="session")
def template_db(template_db, tmp_path_factory):
    """Every test here starts from the statistics world (on PostgreSQL, each test builds it)."""
    path, ids = stats_template(template_db, tmp_path_factory)
    STATS_IDS.update(ids or {})
    return path


@pytest.fixture(scope="session")
def stats_ids(template_db) -> dict:
    """The ids of the statistics world in the template (empty on PostgreSQL, where each test builds it)."""
    return STATS_IDS


@pytest.fixture
def stats_world(app, world, stats_ids):
    return StatsWorld(stats_ids or build_stats_world(), world)
