"""TOTP codes (RFC 6238) and recovery codes, as plain values.

A code is good for its 30-second time-step and one step either side (a phone's clock
drifts, a person types slowly), and only for a step later than the last one accepted:
a code seen over someone's shoulder cannot be used again.
"""

import hmac
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DRIFT_STEPS = 1
ISSUER = "Treatment diary"


def new_secret() -> str:
    """Return a new base32 TOTP secret (160 random bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """Return the otpauth:// URI an authenticator app reads (from its QR code)."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer)


def time_step(now: datetime) -> int:
    """Return the time-step ``now`` falls in."""
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """Return the six-digit code of a time-step."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).at(step * STEP_SECONDS)


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """Return the time-step ``code`` is good for at ``now``, or None if it is not good.

    A step at or before ``last_step`` (already used) is never accepted.
    """
    cleaned = code.replace(" ", "")
    if not (cleaned.isascii() and cleaned.isdigit() and len(cleaned) == 6):
        return None
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at(secret, step), cleaned):
            return step
    return None


def normalise_recovery_code(code: str) -> str:
    """Forgive case, spaces and dashes in a recovery code, as in other typed codes."""
    return code.upper().replace("-", "").replace(" ", "")


def must_have_second_factor(role: str, coordinators_required: bool) -> bool:
    """Say whether a staff member of ``role`` must sign in with a second factor.

    Admins manage accounts and investigators sign off data (21 CFR 11.300): always.
    Coordinators when their study says so (``[security]`` in the study file).
    """
    if role in ("admin", "investigator"):
        return True
    return role == "coordinator" and coordinators_required
