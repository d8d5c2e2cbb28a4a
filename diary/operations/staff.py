"""Staff accounts as admins manage them: add, list, read, change. Never deleted."""

from sqlalchemy import func, select

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Conflict, Forbidden, NotFound
from diary.extensions import db
from diary.models import SetPasswordCode, StaffUser, staff_site
from diary.operations.audit import record_audit, snapshot
from diary.operations.participants import page_of
from diary.operations.sessions import revoke_staff_tokens
from diary.operations.set_password import add_set_password_code, end_set_password_codes
from diary.operations.staff_fields import (
    AUDITED_FIELDS,
    check_locale,
    check_sites,
    commit_or_conflict,
    ensure_email_free,
    home_sites,
    normalise_email,
    offered_locales,
    resolve_sites,
    staff_mobile,
)

# What a token lets its holder see and do: a change to any of these ends their sessions,
# so nobody keeps rights they no longer have until the token expires.
REVOKING_FIELDS = frozenset({"role", "site_codes", "active"})


def require_admin(actor: Actor) -> None:
    """Let in admins, and the system itself (the ``diary staff`` command); refuse others."""
    if actor.type == "system":
        return
    if actor.staff is None or not actor.staff.is_admin:
        raise Forbidden("Only an admin may manage staff accounts.")


def create_staff(actor: Actor, data: dict, *,
                 reason: str | None = None) -> tuple[StaffUser, str, SetPasswordCode]:
    """Add a staff member with no password yet; return them and their one-time code."""
    require_admin(actor)
    email = normalise_email(data["email"])
    ensure_email_free(email)
    sites = resolve_sites(data.get("sites") or [])
    check_sites(data["role"], sites)
    locale = data.get("locale") or offered_locales(sites)[0]
    check_locale(locale, sites)
    now = utcnow()
    staff = StaffUser(email=email, display_name=_printed_name(data.get("display_name")),
                      password_hash=None, role=data["role"],
                      phone_e164=staff_mobile(data.get("phone"), sites), locale=locale,
                      alerts_enabled=data.get("alerts_enabled", True), active=True,
                      created_at=now)
    staff.sites = sites
    db.session.add(staff)
    db.session.flush()
    record_audit(actor, "staff.created", staff, after=snapshot(staff, AUDITED_FIELDS),
                 reason=reason)
    code, row = add_set_password_code(actor, staff, now)
    commit_or_conflict()
    return staff, code, row


def list_staff(actor: Actor, *, role: str | None = None, active: bool | None = None,
               site_id: int | None = None, page: int = 1,
               page_size: int = 10) -> tuple[list[StaffUser], int]:
    """Return a page of staff accounts (by e-mail address) and how many there are."""
    require_admin(actor)
    statement = select(StaffUser)
    if role is not None:
        statement = statement.where(StaffUser.role == role)
    if active is not None:
        statement = statement.where(StaffUser.active.is_(active))
    if site_id is not None:
        statement = statement.where(StaffUser.id.in_(
            select(staff_site.c.staff_user_id).where(staff_site.c.site_id == site_id)))
    return page_of(statement.order_by(StaffUser.email, StaffUser.id), page, page_size)


def get_staff(actor: Actor, staff_id: int, *, for_update: bool = False) -> StaffUser:
    """Return one staff account; an unknown id is NotFound."""
    require_admin(actor)
    statement = select(StaffUser).where(StaffUser.id == staff_id)
    if for_update:
        statement = statement.with_for_update()
    staff = db.session.execute(statement).scalar_one_or_none()
    if staff is None:
        raise NotFound("No such staff account.")
    return staff


def update_staff(actor: Actor, staff_id: int, changes: dict) -> StaffUser:
    """Change a staff account for a stated reason, auditing before and after.

    A change of role, sites or active ends the person's sessions; deactivation also
    ends their unused set-password codes.
    """
    changes = dict(changes)
    reason = changes.pop("reason")
    staff = get_staff(actor, staff_id, for_update=True)
    before = snapshot(staff, AUDITED_FIELDS)
    _apply_changes(staff, changes)
    after = snapshot(staff, AUDITED_FIELDS)
    changed = [name for name in AUDITED_FIELDS if before[name] != after[name]]
    if not changed:
        return staff
    if before["role"] == "admin" and before["active"]:
        _keep_an_admin(staff)
    now = utcnow()
    if REVOKING_FIELDS.intersection(changed):
        revoke_staff_tokens(staff.id, now)
    if not staff.active:
        end_set_password_codes(staff.id, now)
    record_audit(actor, "staff.updated", staff, before={name: before[name] for name in changed},
                 after={name: after[name] for name in changed}, reason=reason)
    commit_or_conflict()
    return staff


def _apply_changes(staff: StaffUser, changes: dict) -> None:
    if "email" in changes:
        email = normalise_email(changes["email"])
        ensure_email_free(email, staff.id)
        staff.email = email
    sites = home_sites(staff)
    if "sites" in changes:
        # A national phone number given with new sites is read in the first one's country.
        sites = resolve_sites(changes["sites"])
        staff.sites = sites
    staff.role = changes.get("role", staff.role)
    check_sites(staff.role, sites)
    if "phone" in changes:
        staff.phone_e164 = staff_mobile(changes["phone"], sites)
    if "locale" in changes:
        check_locale(changes["locale"], sites)
        staff.locale = changes["locale"]
    if "display_name" in changes:
        staff.display_name = _printed_name(changes["display_name"])
    for name in ("alerts_enabled", "active"):
        if name in changes:
            setattr(staff, name, changes[name])


def _printed_name(raw: str | None) -> str | None:
    # Trimmed, and blank is no name: a signature must show a name someone can read.
    if raw is None:
        return None
    return " ".join(raw.split()) or None


def _keep_an_admin(staff: StaffUser) -> None:
    # Somebody must be able to manage accounts; `diary create-admin` is the way back, but
    # locking every admin out through the API is never what was meant.
    if staff.role == "admin" and staff.active:
        return
    others = db.session.execute(
        select(func.count()).select_from(StaffUser)
        .where(StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != staff.id)
    ).scalar_one()
    if others == 0:
        raise Conflict("This is the last active admin: make another admin first.",
                       {"role" if staff.active else "active": ["The last active admin."]})


def issue_set_password_code(actor: Actor, staff_id: int) -> tuple[str, SetPasswordCode]:
    """Give a staff member a new one-time set-password code; earlier unused codes end."""
    staff = get_staff(actor, staff_id, for_update=True)
    if not staff.active:
        raise Conflict("The account is deactivated: reactivate it before issuing a code.")
    code, row = add_set_password_code(actor, staff, utcnow())
    db.session.commit()
    return code, row
