"""Proving again, at the moment of a signature, that the signer is the account's owner.

21 CFR Part 11 §11.200(a): a signature not based on biometrics uses at least two
distinct components (here the password and, once the account has one, the second
factor), all of them entered again for a signing that is not part of one continuous
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
from diary.passwords import verify_password
from diary.rules.lockout import after_failure, is_locked

WRONG = "The password (or second factor) entered for the signature is wrong."


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
    ok = verify_password(staff.password_hash, password) and not locked
    # SECOND FACTOR: where the account has one enrolled (the TOTP work of issue 16), also
    # require ``second_factor_code`` to verify here, e.g.
    #     ok = ok and verify_second_factor(staff, second_factor_code)
    # so that a signature always takes both components. Until then it is not checked.
    if not ok:
        _count_failure(staff, now, locked=locked)
        raise Forbidden(WRONG, {"password": ["Wrong password."]})
    staff.failed_sign_ins, staff.locked_until = 0, None
    return staff


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
