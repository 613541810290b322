"""The JSON API's conventions (DESIGN §4): bearer tokens, the error shape, pagination."""
import re
from datetime import datetime

import pytest

from platform.accounts.models import ApiToken
from platform.accounts.services import issue_token
from platform.core.extensions import db
from platform.core.access import SYSTEM


@pytest.fixture
def bearer(world):
    """`bearer(user)`: the Authorization header of a fresh token for that user."""
    def header(user):
        token = issue_token(SYSTEM, user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}
    return header


def _assert_error(response, status, code, field=None):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == code
    assert re.search("[\u4e00-\u9fff]", error["message"]), "the message is for people, in Chinese"
    assert error.get("field") == field
    return error


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer"}, {"Authorization": "Bearer gxcp_not-a-real-token"},
    {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "gxcp_token-without-scheme"}])
def test_a_missing_or_bad_token_gets_401_in_the_error_shape(world, client, headers):
    response = client.get("/api/v1/enterprises", headers=headers)
    _assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_logged_in_session_is_not_a_token(world, client_for):
    _assert_error(client_for(world.regulator_a).get("/api/v1/enterprises"), 401, "unauthorized")


def test_a_revoked_token_gets_401(world, client, bearer):
    headers = bearer(world.regulator_a)
    db.session.query(ApiToken).update({"revoked_at": datetime(2026, 3, 1)})
    db.session.commit()
    _assert_error(client.get("/api/v1/enterprises", headers=headers), 401, "unauthorized")


@pytest.mark.parametrize("role", ["enterprise_a", "expert", "service_org"])
def test_a_token_of_a_role_without_access_gets_403(world, client, bearer, role):
    _assert_error(client.get("/api/v1/enterprises", headers=bearer(getattr(world, role))), 403, "forbidden")


def test_a_list_has_items_total_and_page(world, client, bearer, make_enterprise):
    for _ in range(3):
        make_enterprise("450100")
    response = client.get("/api/v1/enterprises?page=2&per_page=3", headers=bearer(world.province))
    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["page"], len(body["items"])) == (5, 2, 2)
    first = client.get("/api/v1/enterprises?per_page=3", headers=bearer(world.province)).json
    assert not {i["uscc"] for i in first["items"]} & {i["uscc"] for i in body["items"]}


def test_the_api_never_gives_out_contact_data(world, client, bearer):
    world.ent_a.contact_person, world.ent_a.contact_phone = "联系人甲", "0771-5551234"
    db.session.commit()
    for path in ("/api/v1/enterprises", f"/api/v1/enterprises/{world.ent_a.uscc}"):
        body = client.get(path, headers=bearer(world.admin)).get_data(as_text=True)
        assert "0771-5551234" not in body and "联系人甲" not in body


def test_a_lowercase_code_finds_the_enterprise(world, client, bearer):
    response = client.get(f"/api/v1/enterprises/{world.ent_a.uscc.lower()}", headers=bearer(world.regulator_a))
    assert response.json["uscc"] == world.ent_a.uscc


def test_an_unknown_enterprise_is_404_in_the_error_shape(world, client, bearer):
    _assert_error(client.get("/api/v1/enterprises/91350100M000100Y43", headers=bearer(world.admin)), 404, "not_found")


@pytest.mark.parametrize("query, field", [
    ("per_page=101", "per_page"), ("per_page=0", "per_page"), ("per_page=-5", "per_page"),
    ("page=abc", "page"), ("page=0", "page"), ("page=1.5", "page")])
def test_bad_paging_parameters_get_422_naming_the_parameter(world, client, bearer, query, field):
    error = _assert_error(client.get(f"/api/v1/enterprises?{query}", headers=bearer(world.admin)),
                          422, "validation_error", field)
    assert field in error["message"]


def test_per_page_100_is_allowed(world, client, bearer):
    assert client.get("/api/v1/enterprises?per_page=100", headers=bearer(world.admin)).status_code == 200


def test_an_unknown_api_address_is_404_json(client):
    _assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_wrong_method_is_405_json(world, client, bearer):
    _assert_error(client.delete("/api/v1/enterprises", headers=bearer(world.admin)), 405, "method_not_allowed")


def test_the_api_root_names_itself(client):
    assert client.get("/api/v1/").json == {"name": "广西清洁生产信息平台 API", "version": "v1"}
