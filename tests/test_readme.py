"""The README is the operator's manual: every setting and the Twilio set-up are in it."""

import re
import shlex
from pathlib import Path

import pyotp

from diary.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problems

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_environment_variable_read_by_config_is_documented():
    source = (ROOT / "config.py").read_text()
    names = set(re.findall(r'env(?:\.get\(|, )"([A-Z][A-Z0-9_]+)"', source))
    assert "TWILIO_AUTH_TOKEN" in names  # the pattern finds what config reads
    assert sorted(name for name in names if f"`{name}`" not in README) == []


def test_twilio_set_up_names_the_sender_choices_and_both_webhook_urls():
    for text in ("TWILIO_MESSAGING_SERVICE_SID", "TWILIO_FROM_NUMBER",
                 "/webhooks/twilio/sms", "/webhooks/twilio/status", "diary scheduler"):
        assert text in README


def _create_admin_example() -> list[str]:
    (line,) = [line for line in README.splitlines() if "diary create-admin --email" in line
               and line.startswith("DIARY_ADMIN_PASSWORD=")]
    return shlex.split(line)


def test_the_readme_states_the_password_rules():
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in README
    assert f"at most {MAX_PASSWORD_LENGTH}" in README


def test_the_create_admin_example_password_meets_the_rules():
    assignment, *_ = _create_admin_example()
    password = assignment.removeprefix("DIARY_ADMIN_PASSWORD=")
    assert password_problems(password) == []


def test_the_create_admin_example_works_as_written(app, client, monkeypatch):
    assignment, program, *args = _create_admin_example()
    assert program == ".venv/bin/diary"
    password = assignment.removeprefix("DIARY_ADMIN_PASSWORD=")
    monkeypatch.setenv("DIARY_ADMIN_PASSWORD", password)
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    email = args[args.index("--email") + 1]
    (uri,) = [line for line in result.output.splitlines() if line.startswith("otpauth://")]
    login = client.post("/api/v1/auth/login", json={
        "email": email, "password": password, "totp_code": pyotp.parse_uri(uri).now()})
    assert login.status_code == 200
