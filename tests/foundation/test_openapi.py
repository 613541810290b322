"""The API is described (OpenAPI 3.1 at /api/v1/openapi.json) for every real route, and every public
download's columns are explained in the data dictionary."""
import csv
import io

import pytest
from openpyxl import load_workbook

from foundation_helpers import text
from platform.core.api import openapi
from platform.public import dictionary

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _api_routes(app) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
            for method in rule.methods - IGNORED_METHODS}


def test_every_api_route_is_described_and_every_description_has_a_route(app):
    routes, described = _api_routes(app), set(openapi.ENDPOINTS)
    assert routes - described == set(), "API routes with no description in platform/core/api/openapi.py ENDPOINTS"
    assert described - routes == set(), "descriptions of routes that do not exist"
    for key, operation in openapi.ENDPOINTS.items():
        assert operation.get("summary") and operation.get("description") and operation.get("responses"), key


def test_a_new_endpoint_without_a_description_is_named(tmp_path):
    from platform import create_app

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}", "TESTING": True}, "test")
    fresh.add_url_rule("/api/v1/undocumented", "api.undocumented", lambda: "")
    assert _api_routes(fresh) - set(openapi.ENDPOINTS) == {("/api/v1/undocumented", "GET")}


def test_the_document_is_openapi_3_1_with_paths_parameters_and_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0" and spec["servers"] == [{"url": "/api/v1"}]
    case = spec["paths"]["/cases/{case_id}"]["get"]
    assert case["security"] == [{"bearer": []}] and case["parameters"][0]["name"] == "case_id"
    assert case["operationId"] == "api.case_get"
    assert spec["paths"]["/credit-records"]["get"]["security"] == []
    for path, operations in spec["paths"].items():
        for name in (p["name"] for op in operations.values() for p in op.get("parameters", []) if p["in"] == "path"):
            assert "{" + name + "}" in path


def test_the_api_page_is_drawn_here_without_a_cdn(client):
    page = text(client.get("/api/docs"))
    assert "GET /api/v1/credit-records" in page and "POST /api/v1/cases/{case_id}/penalty" in page
    assert "须令牌" in page and "https://" not in page.split("<main")[1] and "cdn" not in page.lower()


def _columns(data: bytes, address: str) -> list[str]:
    if address.endswith(".atom"):
        # An Atom feed: the elements of an entry (tests/public/test_subscriptions.py reads them from a feed
        # with entries; this world has none, so here the feed answers and declares its elements).
        from xml.etree import ElementTree

        assert ElementTree.fromstring(data).tag == "{http://www.w3.org/2005/Atom}feed"
        return dictionary.FEED_ENTRY_ELEMENTS
    if address.endswith(".csv"):
        return next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    return [c for c in rows[1] if c is not None]


def test_every_public_download_is_in_the_dictionary_with_every_column_explained(app, client):
    downloads = dictionary.downloads()
    assert len(downloads) >= 7
    page = text(client.get("/data-dictionary"))
    for download in downloads:
        response = client.get(download.address)
        assert response.status_code == 200, download.address
        assert _columns(response.data, download.address) == download.columns, download.title
        for column in download.columns:
            assert dictionary.meaning(column), f"{download.title}: column “{column}” has no meaning"
            assert f"<td>{column}</td>" in page
        assert download.address in page


@pytest.mark.parametrize("path", ["/api/docs", "/data-dictionary"])
def test_the_footer_links_the_documentation(client, path):
    assert f'href="{path}"' in text(client.get("/"))
