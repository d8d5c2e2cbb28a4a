"""The service's commands as real processes: a fake Twilio that prints, `diary serve` with
gunicorn and the scheduler, and an inbound text posted as Twilio would post it."""

import functools
import os
import re
import shutil
import signal
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import requests

from notifications.leader import FileLeaderLock
from notifications.senders import OutgoingSms
from notifications.senders.twilio_sender import TwilioSender
from tests.processes import Process, diary, diary_env, free_port, wait_until_answering

PHONE = "+821055503333"
BODY = "Study team: please record today's entry in the diary app."
AUTH_TOKEN = "rehearsal-auth-token"
ADMIN = ("admin@example.org", "correct horse battery staple")
# The otpauth:// URI create-admin printed for ADMIN (its second factor).
ADMIN_OTP_URI: dict[str, str] = {}


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


def test_fake_twilio_stops_on_ctrl_c_even_when_started_with_it_ignored(tmp_path):
    # A shell's background job (`make test &` in CI) starts with SIGINT ignored, and Python
    # then installs no KeyboardInterrupt: the fake must still stop on it.
    port = free_port()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = Process("fake-twilio", "--port", str(port),
                          env=diary_env(tmp_path / "db.sqlite3"))
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        process.wait_for_line(f"http://127.0.0.1:{port}")
        assert process.interrupt() == 0
    finally:
        process.stop()


def test_fake_twilio_stops_on_sigterm(fake_twilio_process):
    process, _ = fake_twilio_process
    assert process.interrupt(signal.SIGTERM) == 0


# The service as `make run` runs it: gunicorn and the scheduler on one SQLite file.

def _service_env(database, port: int, **settings) -> dict:
    return diary_env(database, **{
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "DIARY_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        **settings})


@pytest.fixture(scope="module")
def prepared_database(tmp_path_factory):
    """A SQLite file as `make run` leaves it: migrated, the study loaded, an admin made."""
    database = tmp_path_factory.mktemp("template") / "diary.sqlite3"
    env = _service_env(database, 0, DIARY_ADMIN_PASSWORD=ADMIN[1])
    for command in (("db", "upgrade"), ("load-default-study",),
                    ("create-admin", "--email", ADMIN[0])):
        done = diary(*command, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    (ADMIN_OTP_URI["uri"],) = [line for line in done.stdout.splitlines()
                               if line.startswith("otpauth://")]
    return database


def _start_service(prepared_database, directory):
    database = directory / "diary.sqlite3"
    for suffix in ("", "-wal"):  # WAL: the last writes may not be in the main file yet
        source = prepared_database.with_name(prepared_database.name + suffix)
        if source.exists():
            shutil.copy(source, database.with_name(database.name + suffix))
    port = free_port()
    env = _service_env(database, port)
    process = Process("serve", "--port", str(port), env=env)
    pids = {name: _pid(process, name) for name in ("web", "scheduler")}
    wait_until_answering(f"http://127.0.0.1:{port}/healthz")
    return process, port, pids, env


def _pid(process: Process, name: str) -> int:
    return int(re.search(r"pid=(\d+)", process.wait_for_line(f"started {name}")).group(1))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_serve_runs_gunicorn_and_the_scheduler_and_ctrl_c_stops_both(prepared_database,
                                                                    tmp_path):
    process, port, pids, _ = _start_service(prepared_database, tmp_path)
    try:
        process.wait_for_line("job=dispatch_outbox outcome=ok")
        lock = FileLeaderLock(tmp_path / "diary.sqlite3.scheduler.lock")
        # The scheduler leads: a second one could not take the lock beside the database.
        assert lock.acquire() is False

        assert process.interrupt(signal.SIGINT) == 0

        assert _gone(pids["web"]) and _gone(pids["scheduler"])
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        assert lock.acquire() is True  # the scheduler let go of it as it stopped
        lock.release()
    finally:
        process.stop()


@pytest.fixture(scope="module")
def service(prepared_database, tmp_path_factory):
    """One running service for the inbound-text tests."""
    process, port, _, env = _start_service(prepared_database, tmp_path_factory.mktemp("svc"))
    try:
        yield port, env
    finally:
        process.stop()


@functools.cache  # one sign-in per service: a TOTP code is good once
def _staff_headers(port: int) -> dict:
    code = pyotp.parse_uri(ADMIN_OTP_URI["uri"]).now()
    answer = requests.post(f"http://127.0.0.1:{port}/api/v1/auth/login", timeout=10,
                           json={"email": ADMIN[0], "password": ADMIN[1], "totp_code": code})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _enrol(port: int, headers: dict) -> int:
    enrolled_on = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
    answer = requests.post(f"http://127.0.0.1:{port}/api/v1/participants", headers=headers,
                           timeout=10, json={"study_code": "S01-001", "site_id": 1,
                                             "enrolled_on": enrolled_on, "phone": PHONE,
                                             "sms_consent": True})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_sms_receive_posts_a_signed_text_the_service_records_as_an_sms_dose(service):
    port, env = service
    headers = _staff_headers(port)
    participant_id = _enrol(port, headers)

    done = diary("sms", "receive", "--from", PHONE, "1", "--url", f"http://127.0.0.1:{port}",
                 env=env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("200")
    doses = requests.get(f"http://127.0.0.1:{port}/api/v1/participants/{participant_id}/doses",
                         headers=headers, timeout=10).json()
    assert [(dose["status"], dose["source"]) for dose in doses] == [("taken", "sms")]


def test_sms_receive_signed_with_another_token_is_refused_403(service):
    port, env = service

    done = diary("sms", "receive", "--from", PHONE, "1", "--url", f"http://127.0.0.1:{port}",
                 env=env | {"TWILIO_AUTH_TOKEN": "not-the-services-token"})

    assert done.returncode == 1
    assert done.stdout.startswith("403")
    assert "not signed by Twilio" in done.stdout


def test_sms_receive_says_when_nothing_answers(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)

    result = app.test_cli_runner().invoke(args=[
        "sms", "receive", "--from", PHONE, "1", "--url", f"http://127.0.0.1:{free_port()}"])

    assert result.exit_code == 1
    assert "is the service running?" in result.output


def test_sms_receive_needs_the_auth_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "")

    result = app.test_cli_runner().invoke(args=["sms", "receive", "--from", PHONE, "1"])

    assert result.exit_code == 1
    assert "TWILIO_AUTH_TOKEN is not set" in result.output
