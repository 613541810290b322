"""Cross-site requests, from the URL map: every rule that writes refuses a request without the form's
CSRF token — for a user who would otherwise be allowed — and writes nothing; the token-only JSON API
(exempt from CSRF) never lets a browser's session cookie stand in for its bearer token.

Each rule's address, form and allowed role come from the access matrix's table; a rule the table
does not know yet (a new route) is still checked, as the admin with an empty form, since the token
is checked before anything else.
"""
import re

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from routes_world import CSRF_MESSAGE, body_text, built_world, changed_tables, fingerprint, walker  # noqa: F401
from test_access_matrix import OK, ROUTES, _files, rules_by_key

pytestmark = pytest.mark.config(WTF_CSRF_ENABLED=True)

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _writing_rules(app, *, api: bool):
    for key, rule in sorted(rules_by_key(app).items()):
        if (rule.endpoint.startswith("api.")) == api and rule.methods & WRITES:
            yield key, rule


def _request_for(walker, key, rule):
    """(role allowed to write, path, form or JSON body) of the rule, from the matrix or a guess."""
    for check in ROUTES.get(key, []):
        if check.post:
            role = next((r for r, want in check.post.items() if want == OK), "admin")
            body = walker.fill(check.json if check.json is not None else check.data or {})
            return role, walker.fill(check.path), body
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    return "admin", rule.build(values, append_unknown=False)[1], {}


def _token_of(walker, client, role) -> str:
    """A valid CSRF token of the client's own session, read from a form as a browser would."""
    page = walker.request(role, "GET", "/login" if role == "anonymous" else "/account/password", client=client)
    match = TOKEN.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def _is_csrf_refusal(response) -> bool:
    return response.status_code == 400 and CSRF_MESSAGE in body_text(response)


def test_every_form_route_refuses_a_post_without_a_valid_token(walker):
    foreign = _token_of(walker, walker.app.test_client(), "anonymous")  # a token of someone else's session
    problems, rules = [], 0
    for key, rule in _writing_rules(walker.app, api=False):
        rules += 1
        role, path, form = _request_for(walker, key, rule)
        client = walker.client(role)
        for method in sorted(rule.methods & WRITES):
            for label, token in (("without a token", None), ("with another session's token", foreign)):
                data = _files(form) | ({"csrf_token": token} if token else {})
                before = fingerprint()
                response = walker.request(role, method, path, data=data, client=client)
                if not _is_csrf_refusal(response):
                    problems.append(f"{key}: {method} {path} as {role} {label} answered {response.status_code}, "
                                    "not the 400 “表单已过期或来源不明”")
                written = changed_tables(before, fingerprint())
                if written:
                    problems.append(f"{key}: {method} {path} as {role} {label} wrote to {written}")
            # The control: with its own session's token the same request is not refused as cross-site.
            data = _files(form) | {"csrf_token": _token_of(walker, client, role)}
            response = walker.request(role, method, path, data=data, client=client)
            if _is_csrf_refusal(response):
                problems.append(f"{key}: {method} {path} as {role} is refused even with the session's token")
        walker.reset()
    assert rules > 35, f"only {rules} form routes in the URL map: is the walk broken?"
    assert not problems, "\n".join(problems)


def test_the_api_takes_no_session_cookie_for_writes(walker):
    """The API is exempt from CSRF because it authenticates only by bearer token: a browser that is
    logged in (a session cookie, no Authorization header) cannot write through it."""
    problems, checked = [], 0
    for key, rule in _writing_rules(walker.app, api=True):
        role, path, body = _request_for(walker, key, rule)
        assert role != "anonymous", f"{key}: the API lets an anonymous caller write"
        browser = walker.client(role)  # signed in to the pages, with a session cookie
        for method in sorted(rule.methods & WRITES):
            before = fingerprint()
            response = walker.request(role, method, path, json_body=body, client=browser, bearer=False)
            checked += 1
            if response.status_code != 401 or response.get_json()["error"]["code"] != "unauthorized":
                problems.append(f"{key}: {method} {path} with {role}'s session cookie answered {response.status_code}")
            written = changed_tables(before, fingerprint())
            if written:
                problems.append(f"{key}: {method} {path} with {role}'s session cookie wrote to {written}")
    assert checked >= 3
    assert not problems, "\n".join(problems)


def test_the_apis_token_only_reads_take_no_session_cookie_either(walker):
    """Every API address that answers 401 without a token answers 401 to a logged-in browser too."""
    problems = []
    for key, checks in sorted(ROUTES.items()):
        for check in checks:
            if not key.startswith("api.") or not check.get or check.get["anonymous"] != 401:
                continue
            path = walker.fill(check.path)
            for role, want in check.get.items():
                if role != "anonymous" and want == 200:
                    response = walker.request(role, "GET", path, client=walker.client(role), bearer=False)
                    if response.status_code != 401:
                        problems.append(f"{key}: GET {path} with {role}'s session cookie answered {response.status_code}")
    assert not problems, "\n".join(problems)


def test_a_form_on_another_site_cannot_choose_where_the_answer_leads(walker):
    """A form's `next` (the dead-letter retry's return address) stays on this site."""
    client = walker.client("regulator_a")
    path = walker.fill("/credit/deliveries/{delivery_dead}/retry")
    for target in ("https://evil.example/phish", "//evil.example/phish", "/\\evil.example"):
        form = {"csrf_token": _token_of(walker, client, "regulator_a"), "next": target}
        response = walker.request("regulator_a", "POST", path, data=form, client=client)
        assert response.status_code == 302
        location = response.headers["Location"]
        assert "evil.example" not in location, f"next={target!r} led to {location}"
        walker.reset()
        client = walker.client("regulator_a")
    form = {"csrf_token": _token_of(walker, client, "regulator_a"), "next": "/credit/dashboard"}
    response = walker.request("regulator_a", "POST", path, data=form, client=client)
    assert response.headers["Location"].endswith("/credit/dashboard")
