"""Staff sign-in, the first admin, and the bearer tokens both staff and devices carry."""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import NotFound, Unauthorized
from diary.extensions import db
from diary.models import AccessToken, ActivationCode, StaffUser
from diary.models.access_token import DEVICE, STAFF
from diary.operations.audit import record_audit, snapshot
from diary.operations.staff_fields import (
    AUDITED_FIELDS,
    commit_or_conflict,
    ensure_email_free,
    normalise_email,
)
from diary.passwords import check_new_password, hash_password, verify_password
from diary.rules.lockout import after_failure, is_locked
from diary.tokens import new_token, token_digest

log = logging.getLogger(__name__)

_BAD_LOGIN = "The e-mail address or password is wrong."


def issue_token(kind: str, lifetime: timedelta, *, staff_user_id: int | None = None,
                participant_id: int | None = None) -> tuple[str, AccessToken]:
    """Add a new bearer token to the transaction; return the secret and its row."""
    token = new_token()
    now = utcnow()
    row = AccessToken(token_sha256=token_digest(token), kind=kind, staff_user_id=staff_user_id,
                      participant_id=participant_id, created_at=now, expires_at=now + lifetime)
    db.session.add(row)
    return token, row


def login(email: str, password: str) -> tuple[str, AccessToken]:
    """Sign a staff member in: return a new staff token and its row.

    An unknown e-mail, a wrong password and an inactive account all get the same answer,
    and cost the same argon2 verification.
    """
    staff = db.session.execute(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
        .with_for_update()  # two wrong guesses at once both count
    ).scalar_one_or_none()
    password_ok = verify_password(staff.password_hash if staff else None, password)
    now = utcnow()
    if staff is None:
        raise Unauthorized(_BAD_LOGIN)
    if is_locked(staff.locked_until, now) or not password_ok or not staff.active:
        # A locked account answers as a wrong password does: no one learns which
        # addresses have accounts, or that they are locked.
        _sign_in_failed(staff, now, locked=is_locked(staff.locked_until, now))
        raise Unauthorized(_BAD_LOGIN)
    staff.failed_sign_ins, staff.locked_until = 0, None
    hours = current_app.config["DIARY_STAFF_TOKEN_HOURS"]
    token, row = issue_token(STAFF, timedelta(hours=hours), staff_user_id=staff.id)
    db.session.flush()
    record_audit(Actor.for_staff(staff), "staff.signed_in", staff,
                 after={"access_token_id": row.id})
    db.session.commit()
    log.info("staff %s signed in", staff.id)
    return token, row


def _sign_in_failed(staff: StaffUser, now: datetime, *, locked: bool) -> None:
    """Count a failed sign-in (locking the account after too many), audit it, commit."""
    if not locked:
        staff.failed_sign_ins, staff.locked_until = after_failure(
            staff.failed_sign_ins, now,
            attempts=current_app.config["DIARY_LOCKOUT_ATTEMPTS"],
            lock_for=timedelta(minutes=current_app.config["DIARY_LOCKOUT_MINUTES"]))
    record_audit(Actor.system(), "staff.sign_in_failed", staff,
                 after={"locked": locked, "failed_sign_ins": staff.failed_sign_ins,
                        "locked_until": staff.locked_until.isoformat()
                        if staff.locked_until else None})
    db.session.commit()
    if staff.locked_until is not None and not locked:
        log.warning("staff %s locked after repeated failed sign-ins", staff.id)


def logout(actor: Actor) -> None:
    """Revoke the token the staff member signed this request with."""
    db.session.execute(
        update(AccessToken)
        .where(AccessToken.id == actor.token_id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()


def revoke_participant_credentials(participant_id: int, now: datetime) -> int:
    """Revoke a participant's device tokens and end unused codes; the caller commits.

    Returns how many device tokens were live.
    """
    db.session.execute(
        update(ActivationCode)
        .where(ActivationCode.participant_id == participant_id,
               ActivationCode.used_at.is_(None), ActivationCode.expires_at > now)
        .values(expires_at=now)
    )
    result = db.session.execute(
        update(AccessToken)
        .where(AccessToken.participant_id == participant_id, AccessToken.kind == DEVICE,
               AccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount


def revoke_staff_tokens(staff_id: int, now: datetime, *, keep_token_id: int | None = None) -> int:
    """End a staff member's sessions (all but ``keep_token_id``); the caller commits.

    Returns how many were live.
    """
    statement = update(AccessToken).where(
        AccessToken.staff_user_id == staff_id, AccessToken.revoked_at.is_(None)
    )
    if keep_token_id is not None:
        statement = statement.where(AccessToken.id != keep_token_id)
    return db.session.execute(statement.values(revoked_at=now)).rowcount


def create_admin(email: str, password: str) -> StaffUser:
    """Create an admin (who sees every site) from the command line; audited as the system."""
    email = normalise_email(email)
    check_new_password(password)
    ensure_email_free(email)
    staff = StaffUser(email=email, password_hash=hash_password(password), role="admin",
                      locale="en", alerts_enabled=True, active=True, created_at=utcnow())
    staff.sites = []
    db.session.add(staff)
    db.session.flush()
    record_audit(Actor.system(), "staff.created", staff,
                 after=snapshot(staff, AUDITED_FIELDS), reason="diary create-admin")
    commit_or_conflict()
    return staff


def reset_password(email: str, password: str) -> StaffUser:
    """Set a staff member's password and sign out all their sessions."""
    check_new_password(password)
    staff = db.session.execute(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    ).scalar_one_or_none()
    if staff is None:
        raise NotFound(f"No staff account for {email}.")
    staff.password_hash = hash_password(password)
    revoked = revoke_staff_tokens(staff.id, utcnow())
    record_audit(Actor.system(), "staff.password_set", staff, after={"sessions_revoked": revoked},
                 reason="diary create-admin --reset-password")
    db.session.commit()
    return staff
