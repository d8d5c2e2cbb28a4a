"""Sites as people name them: by code ("SEV") or by id, among the sites one may use."""

from sqlalchemy import select, true

from diary.actor import Actor
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import Site
from diary.operations.scope import at_staff_sites


def list_sites(actor: Actor) -> list[Site]:
    """Return the caller's sites (an admin's: all), by code."""
    return list(db.session.execute(
        select(Site).where(at_staff_sites(actor, Site.id)).order_by(Site.code, Site.id)
    ).scalars())


def resolve_site(ref: int | str, field: str, scope=None) -> Site:
    """Return the site an id (an integer) or a code (a string) names, within ``scope``.

    ``scope`` is a WHERE clause on Site (all sites when None). A site outside it is
    answered like one that does not exist, naming the codes that would do.
    """
    scope = true() if scope is None else scope
    match = Site.id == ref if isinstance(ref, int) else Site.code == ref
    found = list(db.session.execute(select(Site).where(match, scope)).scalars())
    if len(found) == 1:
        return found[0]
    if found:
        # Codes are unique within a study; two studies may both have a "SEV".
        raise InvalidInput("The request has invalid fields.", {
            field: [f"Site code {ref} is used by more than one study: name the site by id."]})
    codes = db.session.execute(select(Site.code).where(scope).order_by(Site.code)).scalars()
    offered = ", ".join(dict.fromkeys(codes)) or "none"
    raise InvalidInput("The request has invalid fields.",
                       {field: [f"No such site among yours (yours: {offered})."]})
