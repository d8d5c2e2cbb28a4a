"""A body over MAX_CONTENT_LENGTH is a 413, whether its length is announced or chunked."""

import io
import json

import pytest

LOGIN = "/api/v1/auth/login"
LIMIT = 200


@pytest.fixture
def limited(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)
    return app


def _chunked(client, body: bytes):
    # As gunicorn hands a chunked body over: no Content-Length, the stream terminated.
    return client.post(LOGIN, input_stream=io.BytesIO(body),
                       headers={"Transfer-Encoding": "chunked",
                                "Content-Type": "application/json"},
                       environ_overrides={"wsgi.input_terminated": True})


def _login(password: str, padding: int = 0) -> bytes:
    return json.dumps({"email": "a@example.org", "password": password}).encode() + b" " * padding


def test_a_chunked_body_over_the_limit_is_413(client, limited):
    response = _chunked(client, _login("x" * 500))
    assert response.status_code == 413
    assert response.get_json()["code"] == 413


def test_a_chunked_body_padded_past_the_limit_is_413_not_cut_and_read(client, limited):
    body = _login("x" * 10, padding=LIMIT)
    assert len(body.strip()) < LIMIT < len(body)
    response = _chunked(client, body)
    assert response.status_code == 413


def test_a_chunked_body_of_exactly_the_limit_is_read(client, limited):
    body = _login("x")
    body += b" " * (LIMIT - len(body))
    assert _chunked(client, body).status_code == 401  # read, and the password is wrong


def test_a_body_with_its_length_over_the_limit_is_413(client, limited):
    response = client.post(LOGIN, data=_login("x", padding=LIMIT),
                           content_type="application/json")
    assert response.status_code == 413
