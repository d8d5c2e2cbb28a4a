"""Which participants and alerts a report covers: the caller's sites, or one of them.

A report may also be narrowed to one study's sites (``study_id``, from the ``study``
query argument's code): figures pooled over two studies (two protocols, two thresholds)
mean nothing, and the report page shows one study, its every panel covering the same
participants as its heatmap.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, true

from diary.actor import Actor
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import Participant, Site, Study
from diary.operations.scope import at_staff_sites
from diary.operations.sites import resolve_site


@dataclass(frozen=True)
class Scope:
    """The sites a report covers: the caller's (admins: all), or the one site asked for."""

    actor: Actor
    site: Site | None
    study_id: int | None = None

    def where(self, site_column):
        """Return a WHERE clause keeping rows of the covered sites."""
        clause = at_staff_sites(self.actor, site_column)
        if self.site is not None:
            clause = clause & (site_column == self.site.id)
        if self.study_id is not None:
            clause = clause & site_column.in_(
                select(Site.id).where(Site.study_id == self.study_id))
        return clause

    @property
    def participants(self):
        """Return a WHERE clause keeping the covered participants."""
        return self.where(Participant.site_id)

    @property
    def site_code(self) -> str | None:
        return self.site.code if self.site is not None else None


def report_scope(actor: Actor, site_code: str | None, study_id: int | None = None) -> Scope:
    """Return the scope of a report; a site code not among the caller's is a 422."""
    if site_code is None:
        return Scope(actor, None, study_id)
    return Scope(actor, resolve_site(site_code, "site", scope=sites_in_view(actor, study_id)),
                 study_id)


def sites_in_view(actor: Actor, study_id: int | None = None):
    """Return a WHERE clause on Site: the caller's sites, of the one study when given."""
    clause = at_staff_sites(actor, Site.id)
    return clause if study_id is None else clause & (Site.study_id == study_id)


def resolve_study(actor: Actor, code: str | None) -> int | None:
    """Return the id of the study a ``study`` argument names (None: every study in view).

    Only a study of the caller's sites (an admin's: any) will do; another is a 422 that
    names the ones that would, as a site not among theirs is.
    """
    if code is None:
        return None
    mine = select(Site.study_id).where(at_staff_sites(actor, Site.id))
    found = db.session.execute(
        select(Study.id).where(Study.code == code, Study.id.in_(mine))).scalar_one_or_none()
    if found is not None:
        return found
    codes = db.session.execute(
        select(Study.code).where(Study.id.in_(mine)).order_by(Study.code)).scalars()
    raise InvalidInput("The request has invalid fields.", {
        "study": [f"No such study at your sites (yours: {', '.join(codes) or 'none'})."]})


def check_dates(start: date | None, end: date | None) -> None:
    """Refuse a window that ends before it starts (422)."""
    if start is not None and end is not None and end < start:
        raise InvalidInput("The request has invalid fields.",
                           {"to": ["Before from."]})


def days(start: date | None, end: date | None, column):
    """Return a WHERE clause keeping dates (a DATE column) from ``start`` to ``end``."""
    clause = true()
    if start is not None:
        clause = clause & (column >= start)
    if end is not None:
        clause = clause & (column <= end)
    return clause


def instants(start: date | None, end: date | None, column):
    """Return a WHERE clause keeping instants on the UTC days from ``start`` to ``end``."""
    clause = true()
    if start is not None:
        clause = clause & (column >= datetime.combine(start, time(0), tzinfo=UTC))
    if end is not None:
        clause = clause & (column < datetime.combine(end + timedelta(days=1), time(0),
                                                     tzinfo=UTC))
    return clause
