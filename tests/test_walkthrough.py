"""The README's first-day walkthrough, run as written: real curl against a real gunicorn."""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent


def _walkthrough() -> str:
    match = re.search(r"<!-- walkthrough -->\n```sh\n(.*?)```\n<!-- /walkthrough -->", README,
                      re.S)
    assert match, "the README's walkthrough block is missing"
    return match.group(1)


def _admin_password() -> str:
    (line,) = [line for line in README.splitlines()
               if line.startswith("DIARY_ADMIN_PASSWORD=") and "create-admin" in line]
    return shlex.split(line)[0].removeprefix("DIARY_ADMIN_PASSWORD=")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer in time")


def _json_values(text: str) -> list:
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


@pytest.fixture
def service(tmp_path):
    """The service as `make run` leaves it: migrated, the study loaded, an admin made."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'diary.sqlite3'}",
           "SECRET_KEY": "walkthrough", "DIARY_SMS_SENDER": "console",
           "DIARY_ADMIN_PASSWORD": _admin_password(), "DIARY_LOG_LEVEL": "WARNING"}
    env.pop("TWILIO_ACCOUNT_SID", None)
    for command in (["db", "upgrade"], ["load-default-study"],
                    ["create-admin", "--email", "admin@example.org"]):
        done = subprocess.run([BIN / "diary", *command], env=env, check=True,
                              capture_output=True, text=True)
    (otp_uri,) = [line for line in done.stdout.splitlines() if line.startswith("otpauth://")]
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        yield f"http://127.0.0.1:{port}/api/v1", otp_uri
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def test_the_readme_walkthrough_works_as_written(service):
    base, otp_uri = service
    finished = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + _walkthrough()],
        env={**os.environ, "BASE": base, "ADMIN_OTP_URI": otp_uri, "PYTHON": sys.executable},
        capture_output=True, text=True, timeout=120)

    assert finished.returncode == 0, finished.stderr
    *_, recorded, diary = _json_values(finished.stdout)
    assert (recorded["status"], recorded["source"], recorded["dose_mg"]) == ("taken", "app", 400)
    assert [(entry["id"], entry["source"]) for entry in diary] == [(recorded["id"], "app")]
    assert diary[0]["recorded_by_staff_id"] is None
