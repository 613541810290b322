"""The catalogue runs on both search backends: every test here runs once on each."""
import os
import uuid

import pytest

from platform.core.extensions import db
from platform.core.access import SYSTEM


def elasticsearch_url_or_skip() -> str:
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        if os.environ.get("REQUIRE_ELASTICSEARCH") == "1":
            pytest.fail("REQUIRE_ELASTICSEARCH=1 but ELASTICSEARCH_URL is not set")
        pytest.skip("ELASTICSEARCH_URL is not set")
    return url


@pytest.fixture(params=["embedded", "elasticsearch"])
def search_app(request, app):
    """The test app on one backend, with index names of its own; drains with `drain()`."""
    from platform.core.indexing.services import backend

    app.config["SEARCH_BACKEND"] = request.param
    app.config["SEARCH_INDEX_PREFIX"] = f"t{uuid.uuid4().hex[:10]}_"
    if request.param == "elasticsearch":
        app.config["ELASTICSEARCH_URL"] = elasticsearch_url_or_skip()
    app.extensions.pop("search_backend", None)
    if not backend().ping():
        if os.environ.get("REQUIRE_ELASTICSEARCH") == "1":
            pytest.fail(f"{request.param} search backend does not answer")
        pytest.skip(f"{request.param} search backend does not answer")
    yield app
    backend().delete_all()
    backend().close()


@pytest.fixture
def make_technology(app):
    from platform.catalogue import services

    def factory(name: str, industry: str = "31", category: str = "过程控制", status: str = "published", **fields):
        technology = services.create(SYSTEM, {"name": name, "industry_codes": industry, "category": category,
                                            "source": fields.pop("source", "测试目录"), **fields}, status=status)
        db.session.commit()
        return technology

    return factory


@pytest.fixture
def drained(search_app):
    """Drain the queue (the test config refreshes on write, so the changes are searchable at once)."""
    from platform.core.indexing.services import drain

    return drain
