"""Security headers on every response; HSTS over HTTPS only; CORS for configured origins."""

import re

import pytest

import config
from tests.conftest import make_test_app

APP_ORIGIN = "https://app.example.org"


def test_a_json_answer_carries_the_headers_and_a_csp_that_loads_nothing(client):
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'")


@pytest.mark.parametrize("path", ["/api/v1/participants", "/api/v1/no-such-thing",
                                  "/api/v1/openapi.json"])
def test_errors_and_documents_carry_them_too(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_docs_page_may_run_only_our_own_script_files(client):
    response = client.get("/api/v1/docs")
    policy = dict(part.strip().split(" ", 1)
                  for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    # And the page needs no more: every script it has is a file of ours.
    scripts = re.findall(r"<script([^>]*)>", response.get_data(as_text=True))
    assert scripts and all('src="/' in attributes for attributes in scripts)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", base_url="https://diary.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_behind_a_trusted_proxy_its_https_counts(database_url):
    proxied = make_test_app(database_url, DIARY_PROXY_COUNT=1).test_client()
    response = proxied.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_without_a_trusted_proxy_a_forwarded_header_is_not_believed(client):
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_no_cross_origin_calls_by_default(client):
    response = client.get("/healthz", headers={"Origin": APP_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/v1/auth/login", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_a_configured_origin_may_call_the_api_and_no_other(database_url):
    client = make_test_app(database_url,
                           DIARY_CORS_ORIGINS=[APP_ORIGIN]).test_client()
    preflight = client.options("/api/v1/auth/login", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Authorization"})
    assert preflight.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    other = client.options("/api/v1/auth/login", headers={
        "Origin": "https://evil.example.net", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_origins_are_read_comma_separated_and_none_is_the_default():
    assert config.from_environment({})["DIARY_CORS_ORIGINS"] == []
    assert config.from_environment({"DIARY_CORS_ORIGINS": f"{APP_ORIGIN}, https://b.example"})[
        "DIARY_CORS_ORIGINS"] == [APP_ORIGIN, "https://b.example"]
