"""A staff member's own account: their phone, the language of their texts, alerts, password."""

from sqlalchemy import select

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import StaffUser
from diary.operations.audit import record_audit, snapshot
from diary.operations.sessions import revoke_staff_tokens
from diary.operations.staff_fields import check_locale, home_sites, staff_mobile
from diary.passwords import check_new_password, hash_password, verify_password

SELF_FIELDS = ("phone_e164", "locale", "alerts_enabled")
_WRONG_CURRENT = "The current password is wrong."


def update_own_account(actor: Actor, changes: dict) -> StaffUser:
    """Change one's own phone, locale, alerts or password; every change is audited.

    A new password needs the current one (wrong: InvalidInput on current_password) and
    ends every other session of the account; the one making the change stays signed in.
    """
    changes = dict(changes)
    reason = changes.pop("reason", None)
    staff = db.session.execute(
        select(StaffUser).where(StaffUser.id == actor.staff.id).with_for_update()
    ).scalar_one()
    new_password = changes.pop("password", None)
    if new_password is not None:
        _check_password_change(staff, changes.pop("current_password", ""), new_password)
    before = snapshot(staff, SELF_FIELDS)
    sites = home_sites(staff)
    if "phone" in changes:
        staff.phone_e164 = staff_mobile(changes["phone"], sites)
    if "locale" in changes:
        check_locale(changes["locale"], sites)
        staff.locale = changes["locale"]
    if "alerts_enabled" in changes:
        staff.alerts_enabled = changes["alerts_enabled"]
    after = snapshot(staff, SELF_FIELDS)
    changed = [name for name in SELF_FIELDS if before[name] != after[name]]
    if changed:
        record_audit(actor, "staff.updated", staff, before={name: before[name] for name in changed},
                     after={name: after[name] for name in changed}, reason=reason)
    if new_password is not None:
        staff.password_hash = hash_password(new_password)
        revoked = revoke_staff_tokens(staff.id, utcnow(), keep_token_id=actor.token_id)
        record_audit(actor, "staff.password_changed", staff,
                     after={"other_sessions_revoked": revoked}, reason=reason)
    db.session.commit()
    return staff


def _check_password_change(staff: StaffUser, current: str, new: str) -> None:
    # The token alone is not enough to change a password: a phone left signed in on a
    # ward must not let whoever picks it up take the account over.
    if not verify_password(staff.password_hash, current):
        raise InvalidInput(_WRONG_CURRENT, {"current_password": ["Wrong password."]})
    check_new_password(new)
