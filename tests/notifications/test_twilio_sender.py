"""The Twilio sender, through the official client, against the fake Twilio server."""

import logging

import pytest

from config import from_environment
from notifications import fake_twilio as fake
from notifications.senders import (
    ConsoleSender,
    OutgoingSms,
    PermanentSendError,
    TransientSendError,
    build_sender,
)
from notifications.senders.twilio_sender import TwilioSender
from tests.notifications.conftest import MESSAGING_SERVICE_SID, SLOW_ANSWER, twilio_settings

PHONE = "+821055501234"
BODY = "Study team: please record today's entry in the diary app."


def _sms(message_id: int = 7, kind: str = "reminder") -> OutgoingSms:
    return OutgoingSms(message_id, kind, to=PHONE, body=BODY)


def test_accepted_message_returns_twilios_sid(twilio_sender, fake_twilio):
    result = twilio_sender.send(_sms())

    [received] = fake_twilio.requests
    assert result.provider_sid == received.sid
    assert received.sid.startswith("SM") and len(received.sid) == 34
    assert (received.to, received.body) == (PHONE, BODY)


def test_send_names_the_messaging_service_callback_and_validity(twilio_sender, fake_twilio):
    twilio_sender.send(_sms())

    [received] = fake_twilio.requests
    assert received.messaging_service_sid == MESSAGING_SERVICE_SID
    assert received.from_ is None
    assert received.status_callback == (
        "https://diary.example.org/webhooks/twilio/status?message_id=7")
    assert received.validity_period == "7200"


def test_sender_number_is_used_without_a_messaging_service(fake_twilio):
    sender = build_sender(twilio_settings(
        fake_twilio, TWILIO_MESSAGING_SERVICE_SID="", TWILIO_FROM_NUMBER="+15005550006",
        TWILIO_STATUS_CALLBACK_URL="https://hooks.example.org/status",
    ))
    try:
        sender.send(_sms())
    finally:
        sender.close()

    [received] = fake_twilio.requests
    assert (received.from_, received.messaging_service_sid) == ("+15005550006", None)
    assert received.status_callback == "https://hooks.example.org/status?message_id=7"


@pytest.mark.parametrize("behaviour, code", [
    (fake.OPTED_OUT, "21610"),
    (fake.INVALID_NUMBER, "21211"),
    (fake.NOT_SMS_CAPABLE, "21614"),
])
def test_refusals_about_the_recipient_are_permanent(twilio_sender, fake_twilio, behaviour, code):
    fake_twilio.script(PHONE, behaviour)

    with pytest.raises(PermanentSendError) as raised:
        twilio_sender.send(_sms())

    assert raised.value.code == code
    assert raised.value.status == 400


@pytest.mark.parametrize("behaviour, code", [
    (fake.RATE_LIMITED, "20429"),
    (fake.Behaviour(429), "429"),
    (fake.SERVER_ERROR, "500"),
    (fake.Behaviour(503), "503"),
])
def test_rate_limits_and_outages_are_transient(twilio_sender, fake_twilio, behaviour, code):
    fake_twilio.queue(behaviour)

    with pytest.raises(TransientSendError) as raised:
        twilio_sender.send(_sms())

    assert raised.value.code == code
    assert not raised.value.ambiguous


def test_answer_slower_than_the_timeout_is_an_ambiguous_transient_error(
    twilio_sender, fake_twilio
):
    fake_twilio.queue(fake.slow(SLOW_ANSWER))

    with pytest.raises(TransientSendError) as raised:
        twilio_sender.send(_sms())

    assert raised.value.code == "read_timeout"
    assert raised.value.ambiguous
    # Twilio did receive it: that is why the outcome is ambiguous.
    assert len(fake_twilio.requests) == 1


def test_unreachable_api_is_transient_and_not_ambiguous():
    closed = fake.FakeTwilio().start()
    settings = twilio_settings(closed)
    closed.stop()
    sender = build_sender(settings)
    try:
        with pytest.raises(TransientSendError) as raised:
            sender.send(_sms())
    finally:
        sender.close()

    assert raised.value.code == "connection_error"
    assert not raised.value.ambiguous


def test_rejected_credentials_are_retried_not_dropped(fake_twilio):
    sender = build_sender(twilio_settings(fake_twilio, TWILIO_AUTH_TOKEN="wrong"))
    try:
        with pytest.raises(TransientSendError) as raised:
            sender.send(_sms())
    finally:
        sender.close()

    assert raised.value.code == "20003"
    assert fake_twilio.requests == []


def test_without_twilio_settings_the_console_sender_is_built():
    assert isinstance(build_sender({"DIARY_SMS_SENDER": "", "TWILIO_ACCOUNT_SID": ""}),
                      ConsoleSender)


def test_an_account_sid_makes_twilio_the_default(fake_twilio):
    sender = build_sender(twilio_settings(fake_twilio, DIARY_SMS_SENDER=""))
    try:
        assert isinstance(sender, TwilioSender)
    finally:
        sender.close()


def test_console_can_be_chosen_even_with_twilio_settings(fake_twilio):
    sender = build_sender(twilio_settings(fake_twilio, DIARY_SMS_SENDER="console"))
    assert isinstance(sender, ConsoleSender)


def test_unknown_sender_name_is_a_configuration_error():
    with pytest.raises(ValueError, match="DIARY_SMS_SENDER"):
        build_sender({"DIARY_SMS_SENDER": "pigeon"})


def test_twilio_without_a_sender_number_or_service_is_a_configuration_error(fake_twilio):
    with pytest.raises(ValueError, match="TWILIO_FROM_NUMBER"):
        build_sender(twilio_settings(fake_twilio, TWILIO_MESSAGING_SERVICE_SID=""))


@pytest.mark.parametrize("sender_setting, expected", [
    ({"TWILIO_MESSAGING_SERVICE_SID": MESSAGING_SERVICE_SID}, (None, MESSAGING_SERVICE_SID)),
    ({"TWILIO_FROM_NUMBER": "+15005550006"}, ("+15005550006", None)),
])
def test_every_twilio_setting_comes_from_the_environment(fake_twilio, sender_setting,
                                                         expected):
    environment = {
        "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
        "TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
        "DIARY_PUBLIC_BASE_URL": "https://sms.example.net",
        "TWILIO_VALIDITY_PERIOD": "3600",
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
        **sender_setting,
    }
    sender = build_sender(from_environment(environment))
    try:
        assert isinstance(sender, TwilioSender)
        sender.send(_sms())
    finally:
        sender.close()

    [received] = fake_twilio.requests
    assert (received.from_, received.messaging_service_sid) == expected
    assert received.status_callback == (
        "https://sms.example.net/webhooks/twilio/status?message_id=7")
    assert received.validity_period == "3600"


def test_explicit_status_callback_url_from_the_environment_wins(fake_twilio):
    sender = build_sender(from_environment({
        "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
        "TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "DIARY_PUBLIC_BASE_URL": "https://sms.example.net",
        "TWILIO_STATUS_CALLBACK_URL": "https://hooks.example.org/twilio/status",
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
    }))
    try:
        sender.send(_sms())
    finally:
        sender.close()

    assert fake_twilio.requests[0].status_callback == (
        "https://hooks.example.org/twilio/status?message_id=7")


def test_an_empty_environment_gives_the_console_sender():
    assert isinstance(build_sender(from_environment({})), ConsoleSender)


def test_no_status_callback_without_a_public_url(fake_twilio):
    sender = build_sender(twilio_settings(fake_twilio, DIARY_PUBLIC_BASE_URL=""))
    try:
        sender.send(_sms())
    finally:
        sender.close()

    assert fake_twilio.requests[0].status_callback is None


def test_console_sender_logs_id_and_kind_only(caplog):
    caplog.set_level(logging.DEBUG)

    result = ConsoleSender().send(_sms(message_id=42, kind="follow_up"))

    assert result.provider_sid is None
    assert "sent message id=42 kind=follow_up" in caplog.messages
    assert not [m for m in caplog.messages if PHONE in m or BODY in m]


def test_outgoing_sms_repr_hides_number_and_body():
    text = repr(_sms())
    assert PHONE not in text and BODY not in text


def test_twilio_client_logs_carry_no_number_or_body(twilio_sender, fake_twilio, caplog):
    # Even with the client's own logging turned up (an operator debugging), no number or body.
    caplog.set_level(logging.DEBUG, logger="twilio")
    fake_twilio.queue(fake.ACCEPT, fake.OPTED_OUT)

    twilio_sender.send(_sms())
    with pytest.raises(PermanentSendError):
        twilio_sender.send(_sms())

    assert caplog.records, "the twilio client logs its requests"
    assert not [r for r in caplog.records if PHONE in r.getMessage() or BODY in r.getMessage()]


def test_a_text_sent_writes_no_info_line_from_the_twilio_client(app, twilio_sender, caplog):
    caplog.set_level(logging.DEBUG)

    twilio_sender.send(_sms())

    assert [r.getMessage() for r in caplog.records
            if r.name.startswith("twilio") and r.levelno < logging.WARNING] == []
