"""The knowledge base runs on both search backends: the search tests run once on each."""
import os
import uuid
from datetime import date

import pytest

from platform.core.access import SYSTEM
from platform.core.extensions import db


@pytest.fixture(params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def search_app(request, app):
    """The test app on one backend, with index names of its own."""
    from platform.core.indexing.services import backend

    app.config["SEARCH_BACKEND"] = request.param
    app.config["SEARCH_INDEX_PREFIX"] = f"k{uuid.uuid4().hex[:10]}_"
    if request.param == "elasticsearch":
        url = os.environ.get("ELASTICSEARCH_URL")
        if not url:
            if os.environ.get("REQUIRE_ELASTICSEARCH") == "1":
                pytest.fail("REQUIRE_ELASTICSEARCH=1 but ELASTICSEARCH_URL is not set")
            pytest.skip("ELASTICSEARCH_URL is not set")
        app.config["ELASTICSEARCH_URL"] = url
    app.extensions.pop("search_backend", None)
    if not backend().ping():
        if os.environ.get("REQUIRE_ELASTICSEARCH") == "1":
            pytest.fail(f"{request.param} search backend does not answer")
        pytest.skip(f"{request.param} search backend does not answer")
    yield app
    backend().delete_all()
    backend().close()


@pytest.fixture
def drained(search_app):
    from platform.core.indexing.services import drain

    return drain


@pytest.fixture
def people(make_user):
    """A city regulator who drafts, two province regulators, and an admin."""
    class People:
        drafter = make_user("regulator", city="450100")
        province = make_user("regulator", city="450000")
        province_b = make_user("regulator", city="450000")
        city_b = make_user("regulator", city="450200")
        admin = make_user("admin")
    return People


@pytest.fixture
def draft(app):
    """`draft(actor, title, **fields)`: a draft document, committed."""
    from platform.knowledge import services

    def factory(actor, title: str, **fields):
        raw = {"kind": "audit_guide", "title": title, "issuer": "生态环境部", "issued_on": date(2018, 4, 12),
               "summary": f"{title}的摘要。", "body": f"{title}的正文。", **fields}
        document = services.create(actor, raw, pdf=fields.pop("pdf", None))
        db.session.commit()
        return document

    return factory


@pytest.fixture
def publish(app):
    """`publish(document, approver)`: submitted (by SYSTEM unless `submitter` is given) and approved."""
    from platform.knowledge import services

    def run(document, approver, submitter=None):
        services.submit(submitter or SYSTEM, document)
        services.approve(approver, document)
        db.session.commit()
        return document

    return run
