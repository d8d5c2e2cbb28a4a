"""What part of the data a staff member may see: the sites they work at (admins: all)."""

from sqlalchemy import false, true

from diary.actor import Actor


def at_staff_sites(actor: Actor, site_column):
    """Return a WHERE clause keeping rows whose ``site_column`` is one of the actor's sites.

    Anyone who is not staff sees nothing; rows outside the sites look as if they did not
    exist (the API answers 404, never 403, so no one learns another site's ids).
    """
    staff = actor.staff
    if staff is None:
        return false()
    if staff.is_admin:
        return true()
    return site_column.in_(staff.site_ids)
