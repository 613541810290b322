"""What a request may carry: a number past what a database id holds is a 404; control characters in
a return address are a 400, which also closes the `next=/%09/evil.example` open redirect (security
findings 5, 12). Bodies past the limit: test_abuse_uploads.py and test_server_limits.py."""
import pytest


@pytest.mark.parametrize("path", ["/lists/99999999999999999999", "/lists/2147483648",
                                  "/api/v1/reviews/99999999999999999999/draw", "/audits/reports/99999999999999999999"])
def test_a_number_no_id_can_hold_is_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0a/evil.example", "/enterprises/%0d%0aSet-Cookie:x=1",
                                    "%0a"])
def test_a_next_address_holding_a_control_character_is_refused(world, client, target):
    response = client.post(f"/login?next={target}", data={"username": world.regulator_a.username,
                                                           "password": "Passw0rd-test"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")


@pytest.mark.parametrize("target", ["/enterprises/\t", "/a b", "/\u2028evil"])
def test_a_return_address_must_be_one_printable_path(target):
    from platform.core.web import safe_next

    assert safe_next(target) is None
    assert safe_next("/enterprises/?page=2") == "/enterprises/?page=2"
