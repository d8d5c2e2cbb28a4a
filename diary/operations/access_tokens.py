"""Bearer tokens for staff and devices: issued, and revoked, inside the caller's transaction."""

from datetime import datetime, timedelta

from sqlalchemy import update

from diary.clock import utcnow
from diary.extensions import db
from diary.models import AccessToken, ActivationCode
from diary.models.access_token import DEVICE, FULL
from diary.tokens import new_token, token_digest


def issue_token(kind: str, lifetime: timedelta, *, staff_user_id: int | None = None,
                participant_id: int | None = None,
                scope: str = FULL) -> tuple[str, AccessToken]:
    """Add a new bearer token to the transaction; return the secret and its row."""
    token = new_token()
    now = utcnow()
    row = AccessToken(token_sha256=token_digest(token), kind=kind, staff_user_id=staff_user_id,
                      participant_id=participant_id, created_at=now, expires_at=now + lifetime,
                      scope=scope)
    db.session.add(row)
    return token, row


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
