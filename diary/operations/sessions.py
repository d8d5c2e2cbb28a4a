"""Staff sign-in (password, then the second factor), the first admin, sign-out."""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Forbidden, NotFound, Unauthorized
from diary.extensions import db
from diary.models import AccessToken, StaffUser
from diary.models.access_token import ENROL, FULL, STAFF
from diary.operations.access_tokens import (  # noqa: F401 (re-exported: callers import them here)
    issue_token,
    revoke_participant_credentials,
    revoke_staff_tokens,
)
from diary.operations.audit import record_audit, snapshot
from diary.operations.second_factor import (
    enrol_at_creation,
    needs_second_factor,
    verify_second_factor,
)
from diary.operations.staff_fields import (
    AUDITED_FIELDS,
    commit_or_conflict,
    ensure_email_free,
    normalise_email,
)
from diary.passwords import check_new_password, hash_password, verify_password
from diary.rules.lockout import after_failure, is_locked

log = logging.getLogger(__name__)

_BAD_LOGIN = "The e-mail address or password is wrong."
FACTOR_REQUIRED = ("This account signs in with a second factor: send totp_code, the six digits "
                   "of the authenticator app, or one of the recovery codes as recovery_code.")
FACTOR_WRONG = "The second-factor code is wrong or already used."


def login(email: str, password: str, *, totp_code: str | None = None,
          recovery_code: str | None = None) -> tuple[str, AccessToken]:
    """Sign a staff member in: return a new staff token and its row.

    An unknown e-mail, a wrong password and an inactive account all get the same answer,
    and cost the same argon2 verification. An account with a second factor needs its
    code in the same request; a wrong code counts toward the lockout as a wrong password
    does. Someone who must have a factor and has none gets an enrolment-only token
    (scope ``enrol``) that opens nothing but the enrolment endpoints.
    """
    staff = db.session.execute(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
        .with_for_update()  # two wrong guesses at once both count; a code is spent once
    ).scalar_one_or_none()
    now = utcnow()
    _check_password(staff, password, now)
    method = _check_second_factor(staff, totp_code, recovery_code, now)
    scope = FULL if staff.has_second_factor or not needs_second_factor(staff) else ENROL
    staff.failed_sign_ins, staff.locked_until = 0, None
    if scope == ENROL:
        lifetime = timedelta(minutes=current_app.config["DIARY_ENROLMENT_TOKEN_MINUTES"])
    else:
        lifetime = timedelta(hours=current_app.config["DIARY_STAFF_TOKEN_HOURS"])
    token, row = issue_token(STAFF, lifetime, staff_user_id=staff.id, scope=scope)
    db.session.flush()
    record_audit(Actor.for_staff(staff), "staff.signed_in", staff,
                 after={"access_token_id": row.id, "scope": scope, "second_factor": method})
    db.session.commit()
    log.info("staff %s signed in", staff.id)
    return token, row


def confirm_identity(staff_id: int, password: str, *, totp_code: str | None = None,
                     recovery_code: str | None = None) -> StaffUser:
    """Check a signed-in person's password and second factor again (a signature, say).

    Raises Unauthorized as sign-in does, counting failures toward the lockout (that
    failure is committed: call this before changing anything). On success the code is
    spent and the row is held FOR UPDATE in the caller's transaction, which commits.
    Someone with no second factor is refused (Forbidden): a signature needs two.
    """
    staff = db.session.execute(
        select(StaffUser).where(StaffUser.id == staff_id).with_for_update()
    ).scalar_one_or_none()
    now = utcnow()
    _check_password(staff, password, now)
    if not staff.has_second_factor:
        raise Forbidden("Set up a second factor first: this needs the password and a code.")
    _check_second_factor(staff, totp_code, recovery_code, now)
    staff.failed_sign_ins, staff.locked_until = 0, None
    return staff


def _check_password(staff: StaffUser | None, password: str, now: datetime) -> None:
    password_ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None:
        raise Unauthorized(_BAD_LOGIN)
    locked = is_locked(staff.locked_until, now)
    if locked or not password_ok or not staff.active:
        # A locked account answers as a wrong password does: no one learns which
        # addresses have accounts, or that they are locked.
        _sign_in_failed(staff, now, locked=locked)
        raise Unauthorized(_BAD_LOGIN)


def _check_second_factor(staff: StaffUser, totp_code: str | None, recovery_code: str | None,
                         now: datetime) -> str | None:
    """Return how the second factor was given (None: the account has none), or raise."""
    if not staff.has_second_factor:
        return None
    field = "recovery_code" if recovery_code and not totp_code else "totp_code"
    if not totp_code and not recovery_code:
        # Not a failure: the client learns it must ask for the code (the password was right).
        raise Unauthorized(FACTOR_REQUIRED, {"totp_code": ["Required for this account."]})
    method = verify_second_factor(staff, totp_code=totp_code, recovery_code=recovery_code)
    if method is None:
        _sign_in_failed(staff, now, locked=False, second_factor=True)
        raise Unauthorized(FACTOR_WRONG, {field: ["Wrong or already used."]})
    return method


def _sign_in_failed(staff: StaffUser, now: datetime, *, locked: bool,
                    second_factor: bool = False) -> None:
    """Count a failed sign-in (locking the account after too many), audit it, commit."""
    if not locked:
        staff.failed_sign_ins, staff.locked_until = after_failure(
            staff.failed_sign_ins, now,
            attempts=current_app.config["DIARY_LOCKOUT_ATTEMPTS"],
            lock_for=timedelta(minutes=current_app.config["DIARY_LOCKOUT_MINUTES"]))
    record_audit(Actor.system(), "staff.sign_in_failed", staff,
                 after={"locked": locked, "second_factor": second_factor,
                        "failed_sign_ins": staff.failed_sign_ins,
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


def create_admin(email: str, password: str) -> tuple[StaffUser, str, list[str]]:
    """Create an admin (who sees every site) from the command line; audited as the system.

    The admin's second factor is set up at once: return the account, its TOTP
    provisioning URI and its recovery codes, to be shown once (a fresh install's first
    admin has no one else to enrol them).
    """
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
    uri, codes = enrol_at_creation(staff, utcnow())
    commit_or_conflict()
    return staff, uri, codes


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
