"""The cohort's adherence, aggregated in the database: one row of counts per participant.

No day is generated and no entry is loaded into Python. Day numbers (days since
1970-01-01) make the arithmetic the same on SQLite and PostgreSQL:

- ``win``: each participant's window, cut to enrolment, withdrawal and the last day that
  is over in their zone (or today, once it has an entry);
- ``holds``: the holds inside each window (holds never overlap: the regimen refuses it);
- ``seg``: the expected stretches between holds, each with the number of expected days
  before it, so that an entry's place among the expected days is arithmetic;
- ``steps``: each dose step as an interval, to weigh the expected days with their mg;
- the entries of each window, joined to their stretch (none: a held day), with the last
  taken expected day before each (a running MAX): the longest run without a dose and the
  current streak come from those gaps;
- one GROUP BY participant over each of those.

The first dose step is on the enrolment date (enrolment writes it, and moving the
enrolment moves it), so no day of a window comes before the regimen starts.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Integer, and_, case, cast, func, literal, null, select, text, union_all

from diary.actor import Actor
from diary.clock import local_today
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import DoseEntry, DoseHold, Participant, PrescribedDose, Site, Study
from diary.models.dose_entry import MISSED, MISSED_REASONS, TAKEN
from diary.operations.reports.sql import (
    NO_END,
    day_number,
    from_number,
    greatest,
    least,
    to_number,
)
from diary.operations.scope import at_staff_sites
from diary.operations.sites import resolve_site
from diary.rules.adherence import NO_REASON, AdherenceFigures, is_below_threshold, ratio
from diary.rules.cohort import pooled, spread
from diary.rules.report_windows import Window, window_errors

REASONS = (*MISSED_REASONS, NO_REASON)


class ParticipantFigures(NamedTuple):
    """One participant of the report and their figures over the window."""

    participant_id: int
    study_code: str
    site_id: int
    site_code: str
    status: str
    withdrawn_on: date | None
    threshold: Decimal
    figures: AdherenceFigures


def cohort_rows(actor: Actor, window: Window, site: str | None = None):
    """Check the request, then return the window (defaults filled) and an iterator of rows.

    Refusals (422) come before the first row, so a streamed answer never breaks off.
    """
    errors = window_errors(window)
    if errors:
        raise InvalidInput("The request has invalid fields.", errors)
    site_id = None
    if site is not None:
        site_id = resolve_site(site, "site", scope=at_staff_sites(actor, Site.id)).id
    window = _echo(actor, window)
    return window, participant_figures(actor, window, site_id)


def cohort_adherence(actor: Actor, window: Window, site: str | None = None) -> dict:
    """Return the cohort's adherence over the window: pooled, spread, by site, and rows."""
    window, rows = cohort_rows(actor, window, site)
    rows = list(rows)
    sites: dict[int, list[ParticipantFigures]] = {}
    for row in rows:
        sites.setdefault(row.site_id, []).append(row)
    return {
        "window": window._asdict(),
        **_summary(rows),
        "by_site": [{"site_id": site_id, "site_code": members[0].site_code,
                     **_summary(members, listed=False)}
                    for site_id, members in sorted(sites.items(),
                                                   key=lambda item: item[1][0].site_code)],
        "participants": rows,
    }


def _echo(actor: Actor, window: Window) -> Window:
    # The default window is the study's primary window; with one study in view, say which.
    if not window.in_days:
        return window
    lengths = set(db.session.execute(
        select(Study.primary_window_days).join(Participant, Participant.study_id == Study.id)
        .where(at_staff_sites(actor, Participant.site_id)).distinct()).scalars())
    to_day = window.to_day
    if to_day is None and len(lengths) == 1:
        to_day = lengths.pop()
    return Window(window.from_day or 1, to_day)


def _summary(rows: list[ParticipantFigures], *, listed: bool = True) -> dict:
    figures = [row.figures for row in rows]
    values = [Decimal(f.taken) / Decimal(f.expected) for f in figures if f.expected]
    below = [row for row in rows if row.figures.below_threshold]
    summary = {
        "n": len(rows),
        "n_with_expected_doses": len(values),
        "pooled": pooled(sum(f.taken for f in figures), sum(f.expected for f in figures)),
        "adherence": spread(values),
        "below_threshold": {"count": len(below)},
    }
    if listed:
        summary["below_threshold"]["participants"] = [
            {"participant_id": row.participant_id, "study_code": row.study_code}
            for row in below]
    return summary


def participant_figures(actor: Actor, window: Window, site_id: int | None = None,
                        participant_ids=None) -> Iterator[ParticipantFigures]:
    """Yield each participant's figures over the window, by study code (rows stream)."""
    todays = _todays(actor)
    if not todays:
        return
    statement = _report(actor, window, site_id, todays, participant_ids)
    if db.session.get_bind().dialect.name == "postgresql":
        # The planner's guesses for these CTEs are far too high, so it would spend seconds
        # compiling the query to machine code (JIT) to save far less; this transaction only.
        db.session.execute(text("SET LOCAL jit = off"))
    rows = db.session.execute(statement.execution_options(yield_per=1000))
    for row in rows:
        yield _from_row(row)


def _todays(actor: Actor) -> dict[str, date]:
    # Each zone's local today, in Python: a handful of zones, whatever the cohort's size.
    zones = db.session.execute(
        select(Participant.timezone).where(at_staff_sites(actor, Participant.site_id))
        .distinct()
    ).scalars()
    return {zone: local_today(zone) for zone in zones}


def _cents(column):
    return cast(func.round(column * 100), Integer)


def _windows(actor: Actor, window: Window, site_id, todays: dict, participant_ids):
    p = Participant
    enrol = day_number(p.enrolled_on)
    today = case({zone: literal(day, DoseEntry.dose_date.type) for zone, day in todays.items()},
                 value=p.timezone)
    today_n = case({zone: to_number(day) for zone, day in todays.items()}, value=p.timezone)
    # LIMIT 1 keeps this a look-up in the (participant, day) index for each participant;
    # PostgreSQL would turn an EXISTS into a hash of every entry.
    todays_entry = select(literal(1)).where(
        DoseEntry.participant_id == p.id, DoseEntry.is_current.is_(True),
        DoseEntry.dose_date == today).limit(1).scalar_subquery()
    last = today_n - 1 + case((todays_entry.is_not(None), 1), else_=0)
    if window.in_days:
        first = enrol + (window.from_day or 1) - 1
        end = enrol + func.coalesce(window.to_day, Study.primary_window_days) - 1
    else:
        first = enrol if window.start is None else greatest(to_number(window.start), enrol)
        end = literal(NO_END if window.end is None else to_number(window.end))
    end = least(end, last, func.coalesce(day_number(p.withdrawn_on), NO_END))
    statement = (
        select(p.id.label("participant_id"), p.study_code, p.site_id, Site.code.label("site_code"),
               p.status, p.withdrawn_on, Study.dose_mg.label("protocol_mg"),
               Study.adherence_threshold.label("threshold"),
               greatest(first, enrol).label("s"), end.label("e"))
        .join(Study, Study.id == p.study_id).join(Site, Site.id == p.site_id)
        .where(at_staff_sites(actor, p.site_id))
    )
    if site_id is not None:
        statement = statement.where(p.site_id == site_id)
    if participant_ids is not None:
        statement = statement.where(p.id.in_(participant_ids))
    return statement.cte("win")


def _holds(win):
    start, end = day_number(DoseHold.start_date), func.coalesce(day_number(DoseHold.end_date),
                                                                NO_END)
    return (
        select(DoseHold.participant_id.label("pid"), greatest(start, win.c.s).label("hs"),
               least(end, win.c.e).label("he"), win.c.e)
        .join(win, win.c.participant_id == DoseHold.participant_id)
        .where(start <= win.c.e, end >= win.c.s)
        .cte("holds")
    )


def _stretches(win, holds):
    first = (select(holds.c.pid, func.min(holds.c.hs).label("hs"))
             .group_by(holds.c.pid).subquery("first_hold"))
    before_holds = (
        select(win.c.participant_id.label("pid"), win.c.s.label("a"),
               (func.coalesce(first.c.hs, win.c.e + 1) - 1).label("b"))
        .outerjoin(first, first.c.pid == win.c.participant_id)
        .where(win.c.s <= win.c.e)
    )
    next_hold = func.lead(holds.c.hs).over(partition_by=holds.c.pid, order_by=holds.c.hs)
    after_holds = select(holds.c.pid, (holds.c.he + 1).label("a"),
                         (func.coalesce(next_hold, holds.c.e + 1) - 1).label("b"))
    pieces = union_all(before_holds, after_holds).subquery("pieces")
    earlier = func.sum(pieces.c.b - pieces.c.a + 1).over(
        partition_by=pieces.c.pid, order_by=pieces.c.a, rows=(None, -1))
    return (
        select(pieces.c.pid, pieces.c.a, pieces.c.b, func.coalesce(earlier, 0).label("e0"))
        .where(pieces.c.a <= pieces.c.b)
        .cte("seg")
    )


def _steps(win):
    start = day_number(PrescribedDose.effective_from)
    following = func.lead(start).over(
        partition_by=PrescribedDose.participant_id,
        order_by=(PrescribedDose.effective_from, PrescribedDose.id))
    return (
        select(PrescribedDose.participant_id.label("pid"), start.label("a"),
               (func.coalesce(following, NO_END + 1) - 1).label("b"),
               _cents(PrescribedDose.dose_mg).label("mg"))
        .where(PrescribedDose.participant_id.in_(select(win.c.participant_id)))
        .cte("steps")
    )


def _prescribed(seg, steps):
    overlap = least(seg.c.b, steps.c.b) - greatest(seg.c.a, steps.c.a) + 1
    return (
        select(seg.c.pid, func.sum(steps.c.mg * overlap).label("mg_prescribed"))
        .join(steps, steps.c.pid == seg.c.pid)
        .where(overlap > 0)
        .group_by(seg.c.pid)
        .subquery("prescribed")
    )


def _expected(seg):
    return (select(seg.c.pid, func.sum(seg.c.b - seg.c.a + 1).label("expected"))
            .group_by(seg.c.pid).subquery("expected"))


def _entries(seg, holds):
    # Expected stretches and held ones together cover each window: one join finds both
    # whether an entry's day counts and, if expected, its place among the expected days.
    stretch = union_all(
        select(seg.c.pid, seg.c.a, seg.c.b, seg.c.e0),
        select(holds.c.pid, holds.c.hs, holds.c.he, cast(null(), Integer)),
    ).subquery("stretch")
    day = day_number(DoseEntry.dose_date)
    expected_day = stretch.c.e0.is_not(None)
    place = stretch.c.e0 + day - stretch.c.a
    taken_expected = and_(DoseEntry.status == TAKEN, expected_day)
    previous = func.max(case((taken_expected, place))).over(
        partition_by=DoseEntry.participant_id, order_by=DoseEntry.dose_date, rows=(None, -1))
    return (
        select(DoseEntry.participant_id.label("pid"), DoseEntry.status,
               DoseEntry.dose_mg.label("mg"), DoseEntry.missed_reason,
               DoseEntry.vomited, DoseEntry.late, expected_day.label("expected_day"),
               place.label("place"), previous.label("previous"))
        .join(stretch, and_(stretch.c.pid == DoseEntry.participant_id,
                            day >= stretch.c.a, day <= stretch.c.b))
        .where(DoseEntry.is_current.is_(True))
        .subquery("entries")
    )


def _count(condition):
    return func.count().filter(condition)


def _entry_counts(entries):
    # FILTER clauses (PostgreSQL, SQLite 3.30+) cost less per row than SUM(CASE ...).
    taken, expected = entries.c.status == TAKEN, entries.c.expected_day
    missed = and_(entries.c.status == MISSED, expected)
    taken_expected = and_(taken, expected)
    gap = entries.c.place - func.coalesce(entries.c.previous, -1) - 1
    reason = func.coalesce(entries.c.missed_reason, NO_REASON)
    return (
        select(
            entries.c.pid,
            _count(taken_expected).label("taken"),
            _count(and_(taken, ~expected)).label("taken_while_held"),
            _count(missed).label("missed"),
            *(_count(and_(missed, reason == name)).label(f"missed_{name}") for name in REASONS),
            func.sum(entries.c.mg).filter(taken).label("mg_taken"),
            _count(entries.c.late).label("late"),
            _count(and_(taken, entries.c.vomited)).label("vomited"),
            func.max(gap).filter(taken_expected).label("widest_gap"),
            func.max(entries.c.place).filter(taken_expected).label("last_taken"),
            func.max(entries.c.place).filter(and_(taken_expected, gap > 0)).label(
                "streak_from"),
        )
        .group_by(entries.c.pid)
        .subquery("counts")
    )


def _report(actor, window, site_id, todays, participant_ids):
    win = _windows(actor, window, site_id, todays, participant_ids)
    holds = _holds(win)
    seg = _stretches(win, holds)
    expected, prescribed = _expected(seg), _prescribed(seg, _steps(win))
    counts = _entry_counts(_entries(seg, holds))
    return (
        select(win, expected.c.expected, prescribed.c.mg_prescribed,
               *(column for column in counts.c if column.name != "pid"))
        .outerjoin(expected, expected.c.pid == win.c.participant_id)
        .outerjoin(prescribed, prescribed.c.pid == win.c.participant_id)
        .outerjoin(counts, counts.c.pid == win.c.participant_id)
        .order_by(win.c.study_code, win.c.participant_id)
    )


def _mg(cents) -> Decimal:
    return Decimal(int(cents or 0)).scaleb(-2)


def _mg_sum(total) -> Decimal:
    # Exact on PostgreSQL (NUMERIC); on SQLite a float sum, read back to the column's
    # two decimals, which hold it exactly.
    return Decimal(0) if total is None else Decimal(total)


def _from_row(row) -> ParticipantFigures:
    days = max(row.e - row.s + 1, 0)
    expected, taken, missed = int(row.expected or 0), int(row.taken or 0), int(row.missed or 0)
    last = row.last_taken
    streak = last - (row.streak_from or 0) + 1 if last is not None and last == expected - 1 else 0
    gap = expected if last is None else max(row.widest_gap, expected - 1 - last)
    mg_taken, mg_prescribed = _mg_sum(row.mg_taken), _mg(row.mg_prescribed)
    mg_protocol = Decimal(row.protocol_mg) * days
    reasons = {name: int(getattr(row, f"missed_{name}")) for name in REASONS
               if getattr(row, f"missed_{name}")}
    figures = AdherenceFigures(
        start=from_number(row.s) if days else None, end=from_number(row.e) if days else None,
        days=days, expected=expected, taken=taken, missed=missed,
        unreported=expected - taken - missed, held=days - expected,
        taken_while_held=int(row.taken_while_held or 0), mg_taken=mg_taken,
        mg_prescribed=mg_prescribed, adherence=ratio(taken, expected),
        dose_intensity=ratio(mg_taken, mg_prescribed),
        below_threshold=is_below_threshold(taken, expected, row.threshold),
        current_streak=streak, longest_gap=gap, late=int(row.late or 0),
        vomited=int(row.vomited or 0), missed_reasons=reasons, mg_protocol=mg_protocol,
        relative_dose_intensity=ratio(mg_taken, mg_protocol),
    )
    return ParticipantFigures(row.participant_id, row.study_code, row.site_id, row.site_code,
                              row.status, row.withdrawn_on, Decimal(row.threshold), figures)
