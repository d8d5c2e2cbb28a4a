"""Proving again, at the moment of a signature, that the signer is the account's owner.

21 CFR Part 11 §11.200(a): a signature not based on biometrics uses at least two
distinct components (here the password and the second factor: a TOTP code or a
recovery code), all of them entered again for a signing that is not part of one continuous
session of signings. A wrong answer counts toward the same lockout as a failed sign-in.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Forbidden
from diary.extensions import db
from diary.models import StaffUser
from diary.operations.audit import record_audit
from diary.operations.second_factor import verify_second_factor
from diary.passwords import verify_password
from diary.rules.lockout import after_failure, is_locked

WRONG = "The password (or second factor) entered for the signature is wrong."
NO_SECOND_FACTOR = "A signature takes the password and a second factor: set one up first."


def reauthenticate(staff: StaffUser, password: str,
                   second_factor_code: str | None = None) -> StaffUser:
    """Check the signer's credentials now; return the staff row, locked for the caller.

    A wrong answer, or an account locked by failed sign-ins, is counted and audited and
    committed (so it survives the refusal), then refused with Forbidden: the token is
    still good, so this is not a 401 that would send the client to sign in again.
    """
    staff = db.session.execute(
        select(StaffUser).where(StaffUser.id == staff.id)
        .with_for_update().execution_options(populate_existing=True)  # guesses at once count
    ).scalar_one()
    now = utcnow()
    locked = is_locked(staff.locked_until, now)
    if not verify_password(staff.password_hash, password) or locked:
        _count_failure(staff, now, locked=locked)
        raise Forbidden(WRONG, {"password": ["Wrong password."]})
    if not staff.has_second_factor:
        raise Forbidden(NO_SECOND_FACTOR, {"second_factor_code": [NO_SECOND_FACTOR]})
    if not _second_factor_ok(staff, second_factor_code):
        _count_failure(staff, now, locked=False)
        raise Forbidden(WRONG, {"second_factor_code": ["Wrong or already used."]})
    staff.failed_sign_ins, staff.locked_until = 0, None
    return staff


def _second_factor_ok(staff: StaffUser, code: str | None) -> bool:
    """Check a TOTP code (six digits) or else a recovery code; spend it on success."""
    if not code:
        return False
    code = code.strip()
    if code.isascii() and code.isdigit():
        return verify_second_factor(staff, totp_code=code) is not None
    return verify_second_factor(staff, recovery_code=code) is not None


def _count_failure(staff: StaffUser, now, *, locked: bool) -> None:
    if not locked:
        staff.failed_sign_ins, staff.locked_until = after_failure(
            staff.failed_sign_ins, now,
            attempts=current_app.config["DIARY_LOCKOUT_ATTEMPTS"],
            lock_for=timedelta(minutes=current_app.config["DIARY_LOCKOUT_MINUTES"]))
    record_audit(Actor.for_staff(staff), "staff.reauthentication_failed", staff,
                 after={"locked": locked, "failed_sign_ins": staff.failed_sign_ins,
                        "locked_until": staff.locked_until.isoformat()
                        if staff.locked_until else None})
    db.session.commit()
