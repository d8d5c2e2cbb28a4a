"""Who a staff bearer token belongs to, for callers that do not speak HTTP's headers."""

from sqlalchemy import select

from diary.actor import Actor
from diary.clock import utcnow
from diary.extensions import db
from diary.models import AccessToken, StaffUser
from diary.models.access_token import FULL, STAFF
from diary.tokens import token_digest


def staff_actor_for_token(token: str | None) -> Actor | None:
    """Return the active staff member whose live token this is, or None.

    The same test as the API's bearer check: the token's digest, a staff token, not
    revoked, not expired, the account active.
    """
    if not token:
        return None
    row = db.session.execute(
        select(StaffUser, AccessToken.id)
        .join(AccessToken, AccessToken.staff_user_id == StaffUser.id)
        .where(AccessToken.token_sha256 == token_digest(token), AccessToken.kind == STAFF,
               AccessToken.scope == FULL,  # an enrolment-only token opens no page
               AccessToken.revoked_at.is_(None), AccessToken.expires_at > utcnow(),
               StaffUser.active.is_(True))
    ).first()
    if row is None:
        return None
    staff, token_id = row
    return Actor("staff", staff.id, staff=staff, token_id=token_id)
