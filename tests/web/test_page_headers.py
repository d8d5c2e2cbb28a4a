"""The pages (/login, /reports) get the pages' CSP, HSTS behind an HTTPS proxy, and no CORS.

The API's headers come from api/security.py and the pages' own policy from web/: both
run on every page answer, so these check what a browser actually receives.
"""

from datetime import UTC, datetime

import pytest

from tests.conftest import make_test_app
from tests.factories import make_staff
from tests.web.pages import sign_in

FROZEN_AT = datetime(2026, 6, 20, 3, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
APP_ORIGIN = "https://app.example.org"
HSTS = "max-age=31536000; includeSubDomains"
# What a TLS-terminating proxy in front of the app adds to every request it forwards.
THROUGH_THE_PROXY = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}


@pytest.fixture
def proxied(database_url):
    """The app as deployed: one trusted proxy, and an origin allowed to call the API."""
    app = make_test_app(database_url, DIARY_PROXY_COUNT=1, DIARY_CORS_ORIGINS=[APP_ORIGIN])
    with app.app_context():
        yield app


def _policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1)
                for part in response.headers["Content-Security-Policy"].split(";"))


def _the_pages_headers(response) -> None:
    policy = _policy(response)
    assert policy["default-src"] == "'none'" and "script-src" not in policy
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_behind_the_https_proxy_the_pages_get_their_policy_and_hsts(proxied, site):
    client = proxied.test_client()
    client.environ_base.update(THROUGH_THE_PROXY)
    make_staff("coordinator", sites=[site], email="kim@example.org")

    login = client.get("/login")
    signed_in = sign_in(client, "kim@example.org")
    reports = client.get("/reports")

    assert login.status_code == 200 and signed_in.status_code == 302
    assert reports.status_code == 200 and "<form" in login.text
    for response in (login, signed_in, reports):
        _the_pages_headers(response)
        assert response.headers["Strict-Transport-Security"] == HSTS
    # The sign-in cookie is for HTTPS only, and no script may read it.
    cookie = signed_in.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_on_plain_http_a_page_has_no_hsts_and_a_forged_forwarded_header_is_not_believed(
        client):
    for headers in ({}, {"X-Forwarded-Proto": "https"}):
        response = client.get("/reports", headers=headers)  # not signed in: to /login
        assert response.status_code == 302
        _the_pages_headers(response)
        assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", ["/login", "/reports"])
def test_an_origin_allowed_to_call_the_api_may_not_call_the_pages(proxied, site, path):
    client = proxied.test_client()
    client.environ_base.update(THROUGH_THE_PROXY)
    api = client.options("/api/v1/auth/login", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert api.headers["Access-Control-Allow-Origin"] == APP_ORIGIN  # CORS is on, for /api

    page = client.get(path, headers={"Origin": APP_ORIGIN})
    preflight = client.options(path, headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"})

    for response in (page, preflight):
        assert not any(name.startswith("Access-Control-") for name, _ in response.headers)
