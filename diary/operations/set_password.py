"""A staff member sets their own password with a one-time code an admin handed them."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Unauthorized
from diary.extensions import db
from diary.models import SetPasswordCode, StaffUser
from diary.operations.audit import record_audit
from diary.operations.one_time_codes import spend_code
from diary.operations.sessions import revoke_staff_tokens
from diary.passwords import check_new_password, hash_password
from diary.tokens import activation_code_digest, new_set_password_code

BAD_CODE = "The set-password code is not valid, already used or expired."


def _digest(code: str) -> str:
    return activation_code_digest(code, current_app.config["SECRET_KEY"])


def end_set_password_codes(staff_id: int, now: datetime) -> None:
    """Make a staff member's unused codes stop working; the caller commits."""
    db.session.execute(
        update(SetPasswordCode)
        .where(SetPasswordCode.staff_user_id == staff_id, SetPasswordCode.used_at.is_(None),
               SetPasswordCode.expires_at > now)
        .values(expires_at=now)
    )


def add_set_password_code(actor: Actor, staff: StaffUser,
                          now: datetime) -> tuple[str, SetPasswordCode]:
    """Add a new code for ``staff`` to the transaction, ending earlier ones; return it once.

    Only its keyed digest is stored, and the audit trail records that it was issued,
    never the code.
    """
    # Only the newest code an admin handed out should work.
    end_set_password_codes(staff.id, now)
    code = new_set_password_code()
    hours = current_app.config["DIARY_SET_PASSWORD_CODE_HOURS"]
    row = SetPasswordCode(staff_user_id=staff.id, code_hash=_digest(code),
                          created_by_staff_id=actor.staff.id if actor.staff else None,
                          created_at=now, expires_at=now + timedelta(hours=hours))
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "set_password_code.issued", row,
                 after={"staff_user_id": staff.id, "expires_at": row.expires_at.isoformat()})
    return code, row


def set_password(code: str, password: str) -> StaffUser:
    """Set a password with a live code; the code is spent and every session ends.

    Unknown, used, expired and superseded codes, and codes of deactivated accounts, all
    get the same Unauthorized. A password that breaks the rules is refused first and
    leaves the code usable.
    """
    check_new_password(password)
    now = utcnow()
    found = db.session.execute(
        select(SetPasswordCode, StaffUser)
        .join(StaffUser, StaffUser.id == SetPasswordCode.staff_user_id)
        .where(SetPasswordCode.code_hash == _digest(code), SetPasswordCode.used_at.is_(None),
               SetPasswordCode.expires_at > now, StaffUser.active.is_(True))
    ).first()
    if found is None:
        raise Unauthorized(BAD_CODE)
    row, staff = found
    spend_code(SetPasswordCode, row.id, now, BAD_CODE)
    staff.password_hash = hash_password(password)
    revoked = revoke_staff_tokens(staff.id, now)
    record_audit(Actor.for_staff(staff), "staff.password_set", staff,
                 after={"set_password_code_id": row.id, "sessions_revoked": revoked})
    db.session.commit()
    return staff
