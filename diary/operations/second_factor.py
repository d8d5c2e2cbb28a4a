"""A staff member's second factor: enrol, confirm, check a code, and an admin's reset.

Every change is audited, never with a secret or a code. Adding a factor or losing one
ends the person's sessions: every token left afterwards was made knowing the factor.
"""

from datetime import datetime, timedelta

import segno
from flask import current_app
from sqlalchemy import select, update

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Conflict, InvalidInput, NotFound
from diary.extensions import db
from diary.models import RecoveryCode, StaffUser, Study
from diary.models.access_token import STAFF, AccessToken
from diary.models.site import Site
from diary.models.staff_user import staff_site
from diary.operations.access_tokens import issue_token, revoke_staff_tokens
from diary.operations.audit import record_audit
from diary.rules.second_factor import (
    accepted_step,
    must_have_second_factor,
    new_secret,
    normalise_recovery_code,
    provisioning_uri,
)
from diary.tokens import new_set_password_code, token_digest

RECOVERY_CODES = 10
_WRONG_CODE = "The code is wrong or already used."


def coordinators_need_second_factor(staff: StaffUser) -> bool:
    """Say whether a study of any of the person's sites asks coordinators for a factor."""
    definitions = db.session.execute(
        select(Study.definition).join(Site, Site.study_id == Study.id)
        .join(staff_site, staff_site.c.site_id == Site.id)
        .where(staff_site.c.staff_user_id == staff.id)
    ).scalars()
    return any(d.get("security", {}).get("coordinators_need_second_factor", False)
               for d in definitions)


def needs_second_factor(staff: StaffUser) -> bool:
    """Say whether this person must sign in with a second factor."""
    if staff.role != "coordinator":
        return must_have_second_factor(staff.role, False)
    return must_have_second_factor(staff.role, coordinators_need_second_factor(staff))


def qr_svg(uri: str) -> str:
    """Draw a provisioning URI as an SVG QR code, here (the secret never leaves us)."""
    return segno.make(uri, error="m").svg_inline(scale=4)


def _locked_staff(staff_id: int) -> StaffUser:
    return db.session.execute(
        select(StaffUser).where(StaffUser.id == staff_id).with_for_update()
    ).scalar_one()


def enrolment_for(staff: StaffUser) -> dict:
    """Return what an authenticator needs for the person's (pending) secret."""
    uri = provisioning_uri(staff.totp_secret, staff.email)
    return {"secret": staff.totp_secret, "provisioning_uri": uri, "qr_svg": qr_svg(uri)}


def start_enrolment(actor: Actor) -> dict:
    """Make a new, unconfirmed TOTP secret for the caller; return its URI and QR code.

    Starting again replaces an unconfirmed secret. Someone whose factor is confirmed
    is refused (Conflict): an admin resets a lost factor, so a stolen session cannot
    swap it.
    """
    staff = _locked_staff(actor.staff.id)
    if staff.has_second_factor:
        raise Conflict("A second factor is already set up; an admin can reset a lost one.")
    staff.totp_secret, staff.totp_confirmed_at, staff.totp_last_step = new_secret(), None, None
    record_audit(actor, "staff.second_factor_enrolment_started", staff)
    db.session.commit()
    return enrolment_for(staff)


def confirm_enrolment(actor: Actor, totp_code: str) -> tuple[list[str], str, AccessToken]:
    """Confirm the pending secret with a first code; return recovery codes and a token.

    The codes are shown once. Every session of the person ends (the enrolment-only
    token among them) and a full token is issued in its place.
    """
    staff = _locked_staff(actor.staff.id)
    if staff.totp_secret is None or staff.totp_confirmed_at is not None:
        raise Conflict("No second-factor enrolment is waiting; start one first.")
    now = utcnow()
    step = accepted_step(staff.totp_secret, totp_code, now, staff.totp_last_step)
    if step is None:
        raise InvalidInput(_WRONG_CODE, {"totp_code": ["Wrong code."]})
    staff.totp_confirmed_at, staff.totp_last_step = now, step
    codes = new_recovery_codes(staff, now)
    revoked = revoke_staff_tokens(staff.id, now)
    hours = current_app.config["DIARY_STAFF_TOKEN_HOURS"]
    token, row = issue_token(STAFF, timedelta(hours=hours), staff_user_id=staff.id)
    db.session.flush()
    record_audit(actor, "staff.second_factor_enrolled", staff,
                 after={"recovery_codes": len(codes), "sessions_revoked": revoked,
                        "access_token_id": row.id})
    db.session.commit()
    return codes, token, row


def enrol_at_creation(staff: StaffUser, now: datetime) -> tuple[str, list[str]]:
    """Give a new account a confirmed factor (``diary create-admin``); the caller commits.

    Returns the provisioning URI and recovery codes, to be shown once.
    """
    staff.totp_secret, staff.totp_confirmed_at = new_secret(), now
    db.session.flush()
    codes = new_recovery_codes(staff, now)
    record_audit(Actor.system(), "staff.second_factor_enrolled", staff,
                 after={"recovery_codes": len(codes)}, reason="diary create-admin")
    return provisioning_uri(staff.totp_secret, staff.email), codes


def new_recovery_codes(staff: StaffUser, now: datetime) -> list[str]:
    """Replace the person's recovery codes with new ones; return them (stored hashed).

    The caller commits, and audits the change.
    """
    _end_recovery_codes(staff.id, now)
    codes = [new_set_password_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(staff_user_id=staff.id, created_at=now,
                                    code_sha256=token_digest(normalise_recovery_code(code)))
                       for code in codes)
    return codes


def _end_recovery_codes(staff_id: int, now: datetime) -> None:
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.staff_user_id == staff_id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )


def verify_second_factor(staff: StaffUser, *, totp_code: str | None = None,
                         recovery_code: str | None = None) -> str | None:
    """Check a TOTP or recovery code of ``staff``; return which was good, or None.

    On success the code is spent in the caller's transaction (the TOTP time-step is
    remembered, the recovery code marked used and audited); the caller commits. The
    caller holds the person's row FOR UPDATE, so two requests with one code cannot
    both pass. Counting failures toward the lockout is the caller's (sessions.py).
    """
    if not staff.has_second_factor:
        return None
    now = utcnow()
    if totp_code:
        step = accepted_step(staff.totp_secret, totp_code, now, staff.totp_last_step)
        if step is None:
            return None
        staff.totp_last_step = step
        return "totp"
    if recovery_code:
        return "recovery_code" if _spend_recovery_code(staff, recovery_code, now) else None
    return None


def _spend_recovery_code(staff: StaffUser, code: str, now: datetime) -> bool:
    digest = token_digest(normalise_recovery_code(code))
    row = db.session.execute(
        select(RecoveryCode).where(RecoveryCode.staff_user_id == staff.id,
                                   RecoveryCode.code_sha256 == digest,
                                   RecoveryCode.used_at.is_(None))
    ).scalar_one_or_none()
    if row is None:
        return False
    claimed = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        return False
    left = db.session.execute(
        select(RecoveryCode.id).where(RecoveryCode.staff_user_id == staff.id,
                                      RecoveryCode.used_at.is_(None))
    ).all()
    record_audit(Actor.for_staff(staff), "staff.recovery_code_used", staff,
                 after={"recovery_code_id": row.id, "recovery_codes_left": len(left)})
    return True


def reset_second_factor(actor: Actor, staff_id: int, reason: str) -> StaffUser:
    """Take a lost factor away (an admin, or the command line): sessions end, audited.

    The person enrols a new factor at their next sign-in, as at their first.
    """
    staff = db.session.execute(
        select(StaffUser).where(StaffUser.id == staff_id).with_for_update()
    ).scalar_one_or_none()
    if staff is None:
        raise NotFound("No such staff member.")
    now = utcnow()
    had = staff.has_second_factor
    staff.totp_secret, staff.totp_confirmed_at, staff.totp_last_step = None, None, None
    _end_recovery_codes(staff.id, now)
    revoked = revoke_staff_tokens(staff.id, now)
    record_audit(actor, "staff.second_factor_reset", staff, before={"second_factor": had},
                 after={"second_factor": False, "sessions_revoked": revoked}, reason=reason)
    db.session.commit()
    return staff

