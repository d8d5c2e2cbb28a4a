"""Bearer-token authentication: staff sessions and participant devices.

One indexed SELECT per request: the token's SHA-256 joined to its subject.
"""

from functools import wraps

from flask import g, request
from flask_smorest import Blueprint
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import Forbidden, Unauthorized
from diary.extensions import db
from diary.models import AccessToken, Participant, StaffUser, Study
from diary.models.access_token import ENROL
from diary.tokens import token_digest

BEARER_SCHEME = {"type": "http", "scheme": "bearer"}


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required.")
    return token.strip()


def _live_token(kind: str):
    return (
        AccessToken.token_sha256 == bindparam("digest"),
        AccessToken.kind == kind,
        AccessToken.revoked_at.is_(None),
        AccessToken.expires_at > bindparam("now", type_=AccessToken.expires_at.type),
    )


# Built once, with bound parameters: every participant request runs it. The study's
# definition (SMS texts, keywords; a few kB of JSON) is left unloaded until something
# reads it, which the diary's endpoints never do.
_LIVE_DEVICE = (
    select(Participant, Study, AccessToken.id)
    .join(AccessToken, AccessToken.participant_id == Participant.id)
    .join(Study, Study.id == Participant.study_id)
    .where(*_live_token("device"))
    .options(defer(Study.definition))
)
_LIVE_STAFF = (
    select(StaffUser, AccessToken.id, AccessToken.scope)
    .join(AccessToken, AccessToken.staff_user_id == StaffUser.id)
    .where(*_live_token("staff"), StaffUser.active.is_(True))
)


def authenticate_participant() -> Actor:
    """Return the participant whose live device token came with the request."""
    digest = token_digest(_bearer_token())
    row = db.session.execute(_LIVE_DEVICE, {"digest": digest, "now": utcnow()}).first()
    if row is None:
        raise Unauthorized("The token is not valid or has expired.")
    participant, study, token_id = row
    return Actor("participant", participant.id, participant=participant, study=study,
                 token_id=token_id)


ENROL_ONLY = ("This token only sets up a second factor: POST /api/v1/auth/second-factor, "
              "then /confirm with a first code.")


def authenticate_staff(roles: tuple[str, ...], *, enrolment: bool = False) -> Actor:
    """Return the active staff user whose live token came with the request.

    An enrolment-only token opens only the views marked ``enrolment`` (403 elsewhere).
    """
    digest = token_digest(_bearer_token())
    row = db.session.execute(_LIVE_STAFF, {"digest": digest, "now": utcnow()}).first()
    if row is None:
        raise Unauthorized("The token is not valid or has expired.")
    staff, token_id, scope = row
    if scope == ENROL and not enrolment:
        raise Forbidden(ENROL_ONLY, {"second_factor": ["Not set up yet."]})
    if roles and staff.role not in roles:
        raise Forbidden("Your role does not allow this.")
    return Actor("staff", staff.id, staff=staff, token_id=token_id)


def _documented(func, security_name: str, extra_responses: dict):
    responses = {"401": "UNAUTHORIZED", **extra_responses}
    return Blueprint.doc(security=[{security_name: []}], responses=responses)(func)


def participant_required(func):
    """Let only a participant's device in; sets ``g.actor``."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        g.actor = authenticate_participant()
        return func(*args, **kwargs)

    return _documented(wrapper, "deviceToken", {})


def staff_required(*roles: str, enrolment: bool = False):
    """Let in staff with one of ``roles`` (any role when none are named); sets ``g.actor``.

    ``enrolment``: an enrolment-only token (second factor not set up yet) may call it too.
    """

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            g.actor = authenticate_staff(roles, enrolment=enrolment)
            return func(*args, **kwargs)

        return _documented(wrapper, "staffToken", {"403": "FORBIDDEN"})

    return decorator


def current_actor() -> Actor:
    """Return the authenticated actor of this request."""
    return g.actor
