"""TOTP time-steps, replay and drift; who must have a second factor; the study setting."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from diary.rules.second_factor import (
    accepted_step,
    code_at,
    must_have_second_factor,
    new_secret,
    provisioning_uri,
    time_step,
)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 3, 10, 1, 0, 10, tzinfo=UTC)
STEP = time_step(NOW)


def test_codes_are_the_ones_an_authenticator_app_shows():
    assert code_at(SECRET, STEP) == pyotp.TOTP(SECRET).at(NOW)


@pytest.mark.parametrize("offset, last_used, accepted", [
    (0, None, True),
    (-1, None, True),       # typed as the step turned
    (1, None, True),        # a phone clock a little fast
    (2, None, False),
    (-2, None, False),
    (0, STEP, False),       # this step's code was used: a replay
    (0, STEP - 1, True),
    (-1, STEP - 1, False),  # older than the last code used
    (1, STEP, True),
])
def test_a_code_is_good_once_and_within_a_step_either_side(offset, last_used, accepted):
    code = code_at(SECRET, STEP + offset)
    step = accepted_step(SECRET, code, NOW, last_used)
    assert (step == STEP + offset) if accepted else step is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦"])
def test_anything_but_six_digits_is_refused(code):
    assert accepted_step(SECRET, code, NOW, None) is None


def test_spaces_in_a_code_are_forgiven():
    code = code_at(SECRET, STEP)
    assert accepted_step(SECRET, f"{code[:3]} {code[3:]}", NOW, None) == STEP


def test_a_new_secret_is_random_base32_and_its_uri_names_the_account():
    secret = new_secret()
    assert secret != new_secret() and len(secret) == 32
    uri = provisioning_uri(secret, "kim@example.org")
    parsed = pyotp.parse_uri(uri)
    assert (parsed.secret, parsed.name, parsed.issuer) == (
        secret, "kim@example.org", "Treatment diary")
    assert parsed.now() == code_at(secret, time_step(datetime.now(UTC)))
    assert timedelta(seconds=parsed.interval) == timedelta(seconds=30)


@pytest.mark.parametrize("role, study_says, required", [
    ("admin", False, True),
    ("investigator", False, True),
    ("coordinator", False, False),
    ("coordinator", True, True),
    ("admin", True, True),
])
def test_who_must_have_a_second_factor(role, study_says, required):
    assert must_have_second_factor(role, study_says) is required
