"""Rate limits on sign-in, set-password, activation and the SMS webhooks: a 429 in our shape.

In memory for one app; against the real Redis on this machine for two apps (two gunicorn
workers) that must share one count.
"""

import uuid
from datetime import UTC, datetime

import pytest
import redis

import config
from tests.conftest import make_test_app

FROZEN_AT = datetime(2026, 3, 10, 1, 0, 5, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
REDIS_URL = "redis://127.0.0.1:6379/0"

# Each limited endpoint, a body it refuses (so nothing is written), and its setting.
LIMITED = [
    ("/api/v1/auth/login", {"email": "nobody@example.org", "password": "not a password"},
     "DIARY_RATELIMIT_SIGN_IN"),
    ("/api/v1/auth/set-password", {"code": "AAAA-BBBB-CCCC-DDDD",
                                   "password": "long enough passphrase"},
     "DIARY_RATELIMIT_SET_PASSWORD"),
    ("/api/v1/auth/activate", {"code": "K7QX-3M9D"}, "DIARY_RATELIMIT_ACTIVATE"),
    ("/webhooks/twilio/sms", None, "DIARY_RATELIMIT_WEBHOOK"),
    ("/webhooks/twilio/status", None, "DIARY_RATELIMIT_WEBHOOK"),
    # Counted before the token is checked: a stolen token's guesses are limited too.
    ("/api/v1/auth/second-factor/recovery-codes",
     {"password": "not a password", "totp_code": "123456"}, "DIARY_RATELIMIT_SIGN_IN"),
]


def limited_app(database_url, **overrides):
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                "RATELIMIT_KEY_PREFIX": f"diary-test-{uuid.uuid4().hex[:8]}"}
    for _, _, setting in LIMITED:
        settings[setting] = "3 per minute"
    return make_test_app(database_url, **(settings | overrides))


def post(client, path, body, address="203.0.113.7"):
    environ = {"REMOTE_ADDR": address}
    if body is None:  # a webhook: a form post, unsigned (refused after the limit check)
        return client.post(path, data={"From": "+821012345678"}, environ_base=environ)
    return client.post(path, json=body, environ_base=environ)


def test_production_settings_switch_the_limits_on():
    settings = config.from_environment({})
    assert settings["RATELIMIT_ENABLED"] is True
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config.from_environment({"RATELIMIT_STORAGE_URI": REDIS_URL})[
        "RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert config.from_environment({"RATELIMIT_ENABLED": "false"})["RATELIMIT_ENABLED"] is False


@pytest.mark.parametrize("path, body, setting", LIMITED)
def test_the_fourth_request_in_a_minute_is_429_with_retry_after(database_url, path, body,
                                                               setting):
    client = limited_app(database_url).test_client()
    for _ in range(3):
        assert post(client, path, body).status_code != 429
    refused = post(client, path, body)
    assert refused.status_code == 429
    assert refused.get_json() == {
        "code": 429, "status": "Too Many Requests", "errors": {},
        "message": refused.get_json()["message"]}
    assert "3 per 1 minute" in refused.get_json()["message"]
    # The window ends within the minute (flask-limiter rounds its end up a second).
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    # Another address has its own count.
    assert post(client, path, body, address="198.51.100.9").status_code != 429


def test_limits_are_counted_per_endpoint(database_url):
    client = limited_app(database_url).test_client()
    (login, login_body, _), (_, _, _), (activate, activate_body, _) = LIMITED[:3]
    for _ in range(3):
        post(client, login, login_body)
    assert post(client, login, login_body).status_code == 429
    assert post(client, activate, activate_body).status_code == 401


def test_an_unlimited_endpoint_is_never_429(database_url):
    client = limited_app(database_url).test_client()
    for _ in range(5):
        assert client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.7"}
                          ).status_code == 200


def test_limits_can_be_switched_off(database_url):
    client = limited_app(database_url, RATELIMIT_ENABLED=False).test_client()
    path, body, _ = LIMITED[0]
    for _ in range(5):
        assert post(client, path, body).status_code == 401


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the real Redis; its keys are deleted afterwards."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not answering at {REDIS_URL}: {exc}")
    prefix = f"diary-test-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = list(connection.scan_iter(match=f"*{prefix}*"))
        if keys:
            connection.delete(*keys)
        connection.close()


def test_two_workers_sharing_redis_share_one_count(database_url, redis_prefix):
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix}
    first = limited_app(database_url, **shared).test_client()
    second = limited_app(database_url, **shared).test_client()
    path, body, _ = LIMITED[0]
    assert post(first, path, body).status_code == 401
    assert post(second, path, body).status_code == 401
    assert post(first, path, body).status_code == 401
    # The fourth sign-in of the minute, whichever worker takes it, is refused.
    refused = post(second, path, body)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert post(first, path, body).status_code == 429
    # The counts are in Redis, under this test's prefix only.
    connection = redis.Redis.from_url(REDIS_URL)
    assert list(connection.scan_iter(match=f"*{redis_prefix}*"))
    connection.close()


def test_with_redis_out_of_reach_each_worker_still_limits_in_memory(database_url):
    # Nothing listens on port 1 of this machine: the connection is refused at once.
    client = limited_app(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0"
                         ).test_client()
    path, body, _ = LIMITED[0]
    for _ in range(3):
        assert post(client, path, body).status_code == 401
    assert post(client, path, body).status_code == 429
