"""Fixtures for the SMS path: a fake Twilio server and a real Twilio sender pointed at it."""

import pytest

from notifications.fake_twilio import FakeTwilio
from notifications.senders import build_sender

MESSAGING_SERVICE_SID = "MG" + "1" * 32
# Short, so a scripted slow answer times out quickly; the fake sleeps longer than this.
CLIENT_TIMEOUT = 0.5
SLOW_ANSWER = 2.0


def twilio_settings(fake: FakeTwilio, **overrides) -> dict:
    """Return app settings that make ``build_sender`` talk to ``fake``."""
    return {
        "DIARY_SMS_SENDER": "twilio",
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_MESSAGING_SERVICE_SID": MESSAGING_SERVICE_SID,
        "TWILIO_FROM_NUMBER": "",
        "TWILIO_STATUS_CALLBACK_URL": "",
        "DIARY_PUBLIC_BASE_URL": "https://diary.example.org",
        "TWILIO_VALIDITY_PERIOD": 7200,
        "TWILIO_TIMEOUT_SECONDS": CLIENT_TIMEOUT,
        "TWILIO_API_BASE_URL": fake.base_url,
        **overrides,
    }


@pytest.fixture
def fake_twilio():
    """A fake Twilio Messages API on 127.0.0.1, stopped after the test."""
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def twilio_sender(fake_twilio):
    """The real TwilioSender (official client) sending to the fake server."""
    sender = build_sender(twilio_settings(fake_twilio))
    yield sender
    sender.close()
