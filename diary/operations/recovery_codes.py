"""A staff member's new set of recovery codes, for when the old ones are used up or exposed.

Whoever holds a full token could otherwise mint codes that outlive the session, so the
password and a TOTP code from the authenticator are asked again (a recovery code is not
accepted: a stolen one must not buy ten more). A wrong answer counts toward the sign-in
lockout, as a signature's does (diary.operations.reauthenticate).
"""

from sqlalchemy import func, select

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Forbidden
from diary.extensions import db
from diary.models import RecoveryCode
from diary.operations.audit import record_audit
from diary.operations.reauthenticate import NO_SECOND_FACTOR, reauthenticate
from diary.operations.second_factor import new_recovery_codes

WRONG = "The password or the authenticator code is wrong."
NO_FACTOR = "Recovery codes come with a second factor: set one up first."


def regenerate_recovery_codes(actor: Actor, password: str, totp_code: str) -> list[str]:
    """Check the password and a TOTP code; return new recovery codes, shown once.

    Every unused code the person had stops working in the same transaction. Refusals
    are Forbidden (the token stays good), counted and audited by ``reauthenticate``.
    """
    code = totp_code.strip()
    only_totp = code if code.isascii() and code.isdigit() else ""
    try:
        staff = reauthenticate(actor.staff, password, only_totp)
    except Forbidden as refusal:
        # Its words are a signature's; these name this request's fields.
        raise _in_our_words(refusal) from None
    now = utcnow()
    unused = db.session.execute(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.staff_user_id == staff.id,
                                                  RecoveryCode.used_at.is_(None))
    ).scalar_one()
    codes = new_recovery_codes(staff, now)
    record_audit(actor, "staff.recovery_codes_regenerated", staff,
                 before={"recovery_codes_left": unused},
                 after={"recovery_codes": len(codes)})
    db.session.commit()
    return codes


def _in_our_words(refusal: Forbidden) -> Forbidden:
    if refusal.message == NO_SECOND_FACTOR:
        return Forbidden(NO_FACTOR, {"totp_code": [NO_FACTOR]})
    if "password" in refusal.errors:
        return Forbidden(WRONG, {"password": ["Wrong password."]})
    return Forbidden(WRONG, {"totp_code": ["Wrong or already used."]})
