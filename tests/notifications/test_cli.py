"""The rehearsal commands, run as real processes: a fake Twilio that prints, an inbound text."""

import signal

import pytest

from notifications.senders import OutgoingSms
from notifications.senders.twilio_sender import TwilioSender
from tests.processes import Process, diary_env, free_port

PHONE = "+821055503333"
BODY = "Study team: please record today's entry in the diary app."


@pytest.fixture
def fake_twilio_process(tmp_path):
    port = free_port()
    process = Process("fake-twilio", "--port", str(port), env=diary_env(tmp_path / "db.sqlite3"))
    try:
        process.wait_for_line(f"http://127.0.0.1:{port}")
        yield process, port
    finally:
        process.stop()


def test_fake_twilio_takes_any_account_and_prints_each_text(fake_twilio_process):
    process, port = fake_twilio_process
    sender = TwilioSender("AC" + "9" * 32, "any-token-at-all", from_number="+15005550006",
                          api_base_url=f"http://127.0.0.1:{port}")
    try:
        result = sender.send(OutgoingSms(1, "reminder", to=PHONE, body=BODY))
    finally:
        sender.close()

    line = process.wait_for_line(result.provider_sid)
    assert PHONE in line
    assert process.wait_for_line(BODY)
    assert process.interrupt() == 0


def test_fake_twilio_stops_on_sigterm(fake_twilio_process):
    process, _ = fake_twilio_process
    assert process.interrupt(signal.SIGTERM) == 0
