"""Only Twilio may call the webhooks: each request is signed over the URL Twilio used."""

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.models import InboundMessage
from tests import factories
from tests.api.twilio_signing import AUTH_TOKEN, PUBLIC_BASE, post_signed, signature
from tests.conftest import make_test_app

PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"
PARAMS = {"MessageSid": "SMsig00000001", "From": "+821012345678", "Body": "HELP"}


@pytest.fixture(autouse=True)
def signed_by_twilio(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)


@pytest.fixture(autouse=True)
def participant(site):
    return factories.make_participant(phone="+821012345678")


def stored():
    return db.session.execute(select(InboundMessage)).scalars().all()


def test_request_signed_over_the_public_url_is_taken(client):
    response = post_signed(client, PATH, PARAMS)

    assert response.status_code == 200
    assert len(stored()) == 1


def test_public_url_includes_the_query_string(client):
    response = post_signed(client, PATH + "?site=SEV", PARAMS,
                           url=PUBLIC_BASE + PATH + "?site=SEV")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/webhooks/twilio/sms", "/webhooks/twilio/status"])
def test_missing_signature_is_refused_and_nothing_stored(client, path):
    response = client.post(path, data={**PARAMS, "MessageStatus": "delivered"})

    assert response.status_code == 403
    assert response.get_json()["code"] == 403
    assert stored() == []


def test_signature_with_another_token_is_refused(client):
    response = post_signed(client, PATH, PARAMS, token="not-the-token")

    assert response.status_code == 403
    assert stored() == []


def test_delivery_report_with_a_bad_signature_changes_nothing(client, participant):
    message = enqueue(kind="reminder", body="x", participant_id=participant.id)
    message.status, message.provider_sid = "sent", "SMbadsig00000001"
    db.session.commit()
    report = {"MessageSid": "SMbadsig00000001", "MessageStatus": "undelivered"}

    forged = post_signed(client, STATUS_PATH, report, token="not-the-token")
    unsigned = client.post(STATUS_PATH, data=report)

    assert (forged.status_code, unsigned.status_code) == (403, 403)
    db.session.refresh(message)
    assert message.status == "sent"
    genuine = post_signed(client, STATUS_PATH, report)
    assert genuine.status_code == 200
    db.session.refresh(message)
    assert message.status == "undelivered"


def test_signature_over_other_parameters_is_refused(client):
    headers = {"X-Twilio-Signature": signature(PUBLIC_BASE + PATH, PARAMS)}
    response = client.post(PATH, data={**PARAMS, "Body": "STOP"}, headers=headers)

    assert response.status_code == 403
    assert stored() == []


def test_signature_over_another_url_is_refused(client):
    response = post_signed(client, PATH, PARAMS, url="https://attacker.example" + PATH)

    assert response.status_code == 403


def test_without_an_auth_token_nothing_is_believed(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "")
    response = post_signed(client, PATH, PARAMS, token="")

    assert response.status_code == 403
    assert stored() == []


def proxied_app(database_url, proxies: int):
    return make_test_app(database_url, DIARY_PROXY_COUNT=proxies, DIARY_PUBLIC_BASE_URL="",
                         TWILIO_AUTH_TOKEN=AUTH_TOKEN)


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.example.net"}


def test_behind_a_proxy_the_forwarded_url_is_checked(database_url):
    client = proxied_app(database_url, proxies=1).test_client()
    response = post_signed(client, PATH, PARAMS, url="https://sms.example.net" + PATH,
                           headers=FORWARDED)

    assert response.status_code == 200
    assert len(stored()) == 1


def test_forwarded_headers_are_not_believed_without_a_proxy(database_url):
    client = proxied_app(database_url, proxies=0).test_client()
    response = post_signed(client, PATH, PARAMS, url="https://sms.example.net" + PATH,
                           headers=FORWARDED)

    assert response.status_code == 403
    assert stored() == []


SHARED_KEY_SECRET = "test-shared-key-secret"
SETTINGS = {"X-Twilio-Webhooks-Signature-Settings": "key=KS0001,algorithm=HMAC_SHA256"}


def shared_key_signature(params=PARAMS, secret=SHARED_KEY_SECRET):
    return RequestValidator(secret).compute_signature(PUBLIC_BASE + PATH, params,
                                                      algorithm="HMAC_SHA256")


def test_request_signed_with_a_shared_key_is_taken(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_WEBHOOK_SHARED_KEY_SECRET", SHARED_KEY_SECRET)
    response = client.post(PATH, data=PARAMS, headers={
        **SETTINGS, "X-Twilio-Signature": shared_key_signature()})

    assert response.status_code == 200
    assert len(stored()) == 1


def test_shared_key_signature_without_the_secret_configured_is_refused(client):
    response = client.post(PATH, data=PARAMS, headers={
        **SETTINGS, "X-Twilio-Signature": shared_key_signature()})

    assert response.status_code == 403
    assert stored() == []


def test_shared_key_header_cannot_be_met_with_the_auth_token_signature(
        client, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_WEBHOOK_SHARED_KEY_SECRET", SHARED_KEY_SECRET)
    response = client.post(PATH, data=PARAMS, headers={
        **SETTINGS, "X-Twilio-Signature": signature(PUBLIC_BASE + PATH, PARAMS)})

    assert response.status_code == 403


def test_webhooks_stay_out_of_the_api_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert not [path for path in paths if "webhooks" in path]
    assert "/api/v1/alerts/{alert_id}/acknowledge" in paths
