"""The cohort's adherence, aggregated in the database: one row of counts per participant.

No day is generated and no entry is loaded into Python. Day numbers (days since
1970-01-01) make the arithmetic the same on SQLite and PostgreSQL. One statement:

- ``win``: each participant's window, cut to enrolment, withdrawal and the last day that
  is over in their zone (or today, once it has an entry);
- ``holds``, ``step_list`` and ``hold_list``: the holds inside each window and the dose
  steps, which weigh the expected days with their mg;
- ``week_counts``: the study weeks the span touches, summed from ``dose_week`` (a row
  per participant and week, which triggers keep equal to the current entries: migration
  0019), grouped by participant in one plain scan, joined to nothing in study days. The
  days taken come back as bit masks (``diary.rules.day_masks``), from which Python reads
  the taken count, the longest run without a dose and the current streak, holds cut out;
  the missed doses come back by reason, packed into one or two sums;
- ``head_counts``: a window that starts mid-week has its first days (six at most) read
  from the entries, since no whole week holds them;
- what the weeks hold on held days, or past a participant's own window (the rest of its
  last week, after a withdrawal, past a shorter study's window), is read through the
  (participant, day) index for just those participants and taken back out.

The first dose step is on the enrolment date (enrolment writes it, and moving the
enrolment moves it), so no day of a window comes before the regimen starts; the
enrolment cannot move once entries exist, so each entry's stored study day (and so its
week) holds.
"""

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.sql.functions import aggregate_strings

from diary.actor import Actor
from diary.clock import local_today
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import (
    DoseEntry,
    DoseHold,
    DoseWeek,
    Participant,
    PrescribedDose,
    Site,
    Study,
)
from diary.models.dose_entry import MISSED, MISSED_REASONS, TAKEN
from diary.models.dose_week import MISSED_COLUMNS
from diary.operations.reports.report_scope import sites_in_view
from diary.operations.reports.sql import (
    NO_END,
    bit_or,
    date_of_number,
    day_number,
    from_number,
    greatest,
    least,
    to_number,
)
from diary.operations.scope import at_staff_sites
from diary.operations.sites import resolve_site
from diary.rules.adherence import NO_REASON, AdherenceFigures
from diary.rules.cohort import pooled, spread
from diary.rules.day_masks import (
    CHUNK_WEEKS,
    WEEK,
    chunks_for,
    current_streak,
    expected_only,
    from_chunks,
    held_mask,
    longest_run_without,
    span_mask,
    weighted_days,
)
from diary.rules.report_windows import Window, window_errors
from diary.rules.rounding import whole_fraction

REASONS = (*MISSED_REASONS, NO_REASON)


class _Packing(NamedTuple):
    """How the missed doses' reasons share packed sums: a field of ``bits`` bits each.

    A field holds any count up to the span's length, so for a 16-week window all six
    reasons fit one 63-bit sum; a window of years takes two.
    """

    bits: int
    per_sum: int

    @classmethod
    def for_days(cls, days: int) -> "_Packing":
        bits = max(days, 1).bit_length()
        return cls(bits, min(len(REASONS), 63 // bits))

    @property
    def sums(self) -> int:
        return -(-len(REASONS) // self.per_sum)

    def fields(self) -> list[tuple[str, int, int]]:
        """Return each reason's sum and the shift to its field."""
        return [(name, k // self.per_sum, self.bits * (k % self.per_sum))
                for k, name in enumerate(REASONS)]


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


class Cohort(NamedTuple):
    """Whose figures a report holds: the caller's sites, narrowed to a site, a study or a
    list of participants when given."""

    actor: Actor
    site_id: int | None = None
    study_id: int | None = None
    participant_ids: Sequence[int] | None = None

    def where(self, statement):
        """Return ``statement`` (over Participant) keeping the cohort's participants."""
        statement = statement.where(at_staff_sites(self.actor, Participant.site_id))
        if self.site_id is not None:
            statement = statement.where(Participant.site_id == self.site_id)
        if self.study_id is not None:
            statement = statement.where(Participant.study_id == self.study_id)
        if self.participant_ids is not None:
            statement = statement.where(Participant.id.in_(self.participant_ids))
        return statement

    @property
    def everyone(self) -> bool:
        """Say whether the cohort is every participant there is (an admin's, unnarrowed)."""
        return self.actor.staff.is_admin and self[1:] == (None, None, None)


def cohort_rows(actor: Actor, window: Window, site: str | None = None, *,
                study_id: int | None = None):
    """Check the request, then return the window (defaults filled) and an iterator of rows.

    Refusals (422) come before the first row, so a streamed answer never breaks off.
    """
    errors = window_errors(window)
    if errors:
        raise InvalidInput("The request has invalid fields.", errors)
    site_id = None
    if site is not None:
        site_id = resolve_site(site, "site", scope=sites_in_view(actor, study_id)).id
    cohort = Cohort(actor, site_id, study_id)
    window = _echo(cohort, window)
    return window, cohort_figures(cohort, window)


def cohort_adherence(actor: Actor, window: Window, site: str | None = None, *,
                     study_id: int | None = None) -> dict:
    """Return the cohort's adherence over the window: pooled, spread, by site, and rows."""
    window, rows = cohort_rows(actor, window, site, study_id=study_id)
    rows = list(rows)
    # Each participant's exact adherence, once: the cohort's spread and their site's use it.
    rated = [(row, _exact_adherence(row.figures)) for row in rows]
    sites: dict[int, list[tuple[ParticipantFigures, Decimal | None]]] = {}
    for pair in rated:
        sites.setdefault(pair[0].site_id, []).append(pair)
    return {
        "window": window._asdict(),
        **_summary(rated),
        "by_site": [{"site_id": site_id, "site_code": members[0][0].site_code,
                     **_summary(members, listed=False)}
                    for site_id, members in sorted(sites.items(),
                                                   key=lambda item: item[1][0][0].site_code)],
        "participants": rows,
    }


def _exact_adherence(figures: AdherenceFigures) -> Decimal | None:
    return Decimal(figures.taken) / Decimal(figures.expected) if figures.expected else None


def _echo(cohort: Cohort, window: Window) -> Window:
    # The default window is the study's primary window; with one study in view, say which.
    if not window.in_days:
        return window
    lengths = set(db.session.execute(cohort.where(
        select(Study.primary_window_days).join(Participant, Participant.study_id == Study.id)
    ).distinct()).scalars())
    to_day = window.to_day
    if to_day is None and len(lengths) == 1:
        to_day = lengths.pop()
    return Window(window.from_day or 1, to_day)


def _summary(rated: list[tuple[ParticipantFigures, Decimal | None]], *,
             listed: bool = True) -> dict:
    figures = [row.figures for row, _ in rated]
    values = [value for _, value in rated if value is not None]
    below = [row for row, _ in rated if row.figures.below_threshold]
    summary = {
        "n": len(rated),
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
    return cohort_figures(Cohort(actor, site_id, participant_ids=participant_ids), window)


def cohort_figures(cohort: Cohort, window: Window) -> Iterator[ParticipantFigures]:
    """Yield the figures of each participant of the cohort, by study code (rows stream)."""
    statement, span = report_statement(cohort, window)
    if statement is None:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        plan_for_the_report()
    # Read whole, not through a server-side cursor (yield_per): PostgreSQL never runs a
    # cursor's query in parallel, which doubled the scan. One row per participant, so
    # ten thousand rows are a few megabytes; the figures still stream from here.
    rows = db.session.execute(statement)
    read = _Reader(rows.keys(), span)
    for row in rows:
        yield read(row)


def report_statement(cohort: Cohort, window: Window):
    """Return the report's one statement and the span it covers (None, None: nobody)."""
    scope = _scope(cohort)
    if not scope.todays:
        return None, None
    span = _span(window, scope)
    return _report(cohort, window, scope, span), span


def plan_for_the_report() -> None:
    """Set how PostgreSQL plans the report, in one statement, for the rest of this
    transaction (what else the transaction reads plans the same way: no figure changes)."""
    # The planner's guesses for these CTEs are far too high, so it would spend seconds
    # compiling the query to machine code (JIT) to save far less. And at the default
    # random_page_cost (4, for spinning disks) it scans and hashes the whole table rather
    # than read the current-day index, which holds every column the counts need, in
    # participant order: that plan costs about half (bench/README.md).
    db.session.execute(text("SELECT set_config('jit', 'off', true), "
                            "set_config('random_page_cost', '1.1', true)"))


class _Scope(NamedTuple):
    todays: dict[str, date]  # each zone's local today
    first_enrolled: date | None
    longest_primary_window: int | None


def _scope(cohort: Cohort) -> _Scope:
    # Each zone's local today, in Python: a handful of zones, whatever the cohort's size;
    # with the bounds of the days any window can hold.
    rows = db.session.execute(cohort.where(
        select(Participant.timezone, func.min(Participant.enrolled_on),
               func.max(Study.primary_window_days))
        .join(Study, Study.id == Participant.study_id)
    ).group_by(Participant.timezone)).all()
    return _Scope({zone: local_today(zone) for zone, _, _ in rows},
                  min((row[1] for row in rows), default=None),
                  max((row[2] for row in rows), default=None))


class _Span(NamedTuple):
    """The days every participant's window lies within: how wide the masks and sums are.

    In study days for a window in study days, in dates (day numbers) otherwise. A
    participant's own window may be shorter; it holds at most ``length`` days, so at most
    ``length // 7`` whole weeks.
    """

    in_days: bool
    first: int  # the span's first study day, or its first date's day number
    last: int
    length: int

    @property
    def packing(self) -> _Packing:
        return _Packing.for_days(self.length)


def _span(window: Window, scope: _Scope) -> _Span:
    if window.in_days:
        first = window.from_day or 1
        # No further than the furthest study day anyone has reached (the first enrolment's,
        # in the zone furthest ahead): a window of a century (to_day=36600) would
        # otherwise make 600 mask columns.
        reached = to_number(max(scope.todays.values())) - to_number(scope.first_enrolled) + 1
        last = min(window.to_day or scope.longest_primary_window, reached)
    else:
        first = to_number(max(filter(None, (window.start, scope.first_enrolled))))
        last = to_number(min(filter(None, (window.end, max(scope.todays.values())))))
    return _Span(window.in_days, first, last, max(last - first + 1, 0))


def _cents(column):
    return cast(func.round(column * 100), Integer)


def _windows(cohort: Cohort, window: Window, todays: dict, span: _Span):
    """Return each participant's window as day numbers: ``s`` to ``e``, within the span.

    Cut to enrolment, withdrawal and the last day that is over in the participant's zone
    (or today, once it has an entry);
    ``weeks_start`` and ``weeks_end`` are the first and last day of the weeks summed for
    them (``_week_counts``), and ``enrol`` their enrolment's day number.
    """
    p = Participant
    enrol = day_number(p.enrolled_on)
    today = case({zone: literal(day, DoseEntry.dose_date.type) for zone, day in todays.items()},
                 value=p.timezone)
    today_n = case({zone: to_number(day) for zone, day in todays.items()}, value=p.timezone)
    # LIMIT 1 keeps this a look-up in the (participant, day) index for each participant;
    # PostgreSQL would turn an EXISTS into a hash of every entry.
    todays_entry = select(literal(1)).where(
        DoseEntry.participant_id == p.id, DoseEntry.is_current,
        DoseEntry.dose_date == today).limit(1).scalar_subquery()
    if window.in_days:
        first = enrol + (span.first - 1)
        span_end = enrol + (span.last - 1)
        # With studies of different lengths, each participant's own primary window.
        end = span_end if window.to_day else enrol + Study.primary_window_days - 1
    else:
        first, span_end = greatest(literal(span.first), enrol), literal(span.last)
        end = span_end
    first_week, last_week = _weeks_summed(span, enrol)
    cut = least(end, func.coalesce(day_number(p.withdrawn_on), NO_END))
    statement = (
        select(p.id.label("participant_id"), p.study_code, p.site_id, Site.code.label("site_code"),
               p.status, p.withdrawn_on, Study.dose_mg.label("protocol_mg"),
               Study.adherence_threshold.label("threshold"),
               first.label("s"), _last_day(cut, today_n, todays_entry).label("e"),
               enrol.label("enrol"), (enrol + WEEK * first_week).label("weeks_start"),
               (enrol + WEEK * (last_week + 1) - 1).label("weeks_end"))
        .join(Study, Study.id == p.study_id).join(Site, Site.id == p.site_id)
    )
    return cohort.where(statement).cte("win")


def _weeks_summed(span: _Span, enrol):
    """Return the first and last study week (0: days 1-7) summed from ``dose_week``.

    From the first week that starts inside the span to the one that holds its last day
    (what lies after a participant's window is taken back out). In study days these are
    constants; in dates they depend on the enrolment (``enrol``, a day number, as SQL).
    """
    if span.in_days:
        return -(-(span.first - 1) // WEEK), (span.last - 1) // WEEK
    start = greatest(literal(span.first) - enrol, literal(0))
    # (x + 7) / 7 - 1 rather than x / 7: SQL rounds a negative quotient toward zero, and
    # a participant enrolled after the span must get no week (-1), not week 0.
    return (start + (WEEK - 1)) // WEEK, (literal(span.last) - enrol + WEEK) // WEEK - 1


def _last_day(cut, today_n, todays_entry):
    # The window's last day: its cut, or yesterday (today, once it has an entry) if that is
    # sooner. Today's entry is looked up only for windows that reach today: a CASE runs
    # the branch it takes, so a finished cohort costs no look-up at all.
    return case((cut < today_n, cut),
                else_=today_n - 1 + case((todays_entry.is_not(None), 1), else_=0))


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


def _step_list(win, *, scoped: bool):
    # Each window's dose steps as "first day:id:cents,...": a few per participant; the
    # days each weighs are counted off the window's expected days in Python. Only the
    # participants in view, unless that is everyone (the join to the windows keeps those).
    text_of = lambda column: cast(column, String)  # noqa: E731
    step = (text_of(day_number(PrescribedDose.effective_from)) + ":"
            + text_of(PrescribedDose.id) + ":" + text_of(_cents(PrescribedDose.dose_mg)))
    statement = select(PrescribedDose.participant_id.label("pid"),
                       aggregate_strings(step, ",").label("steps"))
    if scoped:
        statement = statement.where(
            PrescribedDose.participant_id.in_(select(win.c.participant_id)))
    return statement.group_by(PrescribedDose.participant_id).subquery("step_list")


def _hold_list(holds):
    # Each window's holds as "first:last,..." in day numbers: a few per participant at most.
    text_of = lambda column: cast(column, String)  # noqa: E731
    return (
        select(holds.c.pid, aggregate_strings(text_of(holds.c.hs) + ":" + text_of(holds.c.he),
                                              ",").label("holds"))
        .group_by(holds.c.pid)
        .subquery("hold_list")
    )


def _reason_codes(packing: _Packing) -> list:
    # Each missed dose adds 1 to its reason's field: one or two SUMs count all six.
    codes: list[dict] = [{} for _ in range(packing.sums)]
    for name, column, shift in packing.fields():
        codes[column][name] = literal(1 << shift, BigInteger)
    reason = func.coalesce(DoseEntry.missed_reason, NO_REASON)
    return [case(fields, value=reason, else_=literal(0, BigInteger)) for fields in codes]


def _tallies(suffix: str, packing: _Packing, *, amounts: bool = True) -> list:
    """Return the sums of entries that are not masks: missed by reason, mg, late, vomited."""
    taken, missed = DoseEntry.status == TAKEN, DoseEntry.status == MISSED
    # As BIGINT: PostgreSQL sums a BIGINT to a NUMERIC, which the driver reads far slower.
    columns = [cast(func.sum(code).filter(missed), BigInteger).label(f"reasons_{suffix}_{k}")
               for k, code in enumerate(_reason_codes(packing))]
    if amounts:
        # The mg as whole cents (the column's two decimals): exact on both databases (a
        # SQLite sum is a float), and read as an int, not a Decimal per row.
        cents = cast(func.round(func.sum(DoseEntry.dose_mg).filter(taken) * 100), BigInteger)
        columns += [cents.label(f"mg_cents_{suffix}"),
                    _count(DoseEntry.late).label(f"late_{suffix}"),
                    _count(and_(taken, DoseEntry.vomited)).label(f"vomited_{suffix}")]
    return columns


def _week_counts(cohort: Cohort, span: _Span):
    """Sum each participant's weeks of the span (``dose_week``, a row a week), in one scan.

    As cheap as it is because it joins nothing in study days (the weeks are constants)
    and only the participants in dates (for their enrolment). The weeks' taken days come
    back as masks of CHUNK_WEEKS weeks each: bit 7 j + d of column k is day d of the
    (8 k + j)th week summed. The reasons share the entries' packed fields.
    """
    w = DoseWeek
    if span.in_days:
        first, last = _weeks_summed(span, None)
        statement = select(w.participant_id.label("pid"))
        if not cohort.everyone:
            statement = statement.where(w.participant_id.in_(cohort.where(select(Participant.id))))
    else:
        first, last = _weeks_summed(span, day_number(Participant.enrolled_on))
        statement = cohort.where(select(w.participant_id.label("pid"))
                                 .join(Participant, Participant.id == w.participant_id))
    place = w.week - first
    masks = []
    for k in range(chunks_for(span.length)):
        chunk = bit_or(cast(w.taken_days, BigInteger).op("<<")(WEEK * (place % CHUNK_WEEKS)))
        if chunks_for(span.length) > 1:
            chunk = chunk.filter(place // CHUNK_WEEKS == k)
        masks.append(chunk.label(f"taken_{k}"))
    reasons = []
    for k in range(span.packing.sums):
        fields = [getattr(w, MISSED_COLUMNS[REASONS.index(name)]) * literal(1 << shift,
                                                                           BigInteger)
                  for name, column, shift in span.packing.fields() if column == k]
        reasons.append(cast(func.sum(sum(fields[1:], fields[0])), BigInteger)
                       .label(f"reasons_weeks_{k}"))
    return (
        statement.add_columns(
            *masks, *reasons, cast(func.sum(w.mg_cents), BigInteger).label("mg_cents_weeks"),
            cast(func.sum(w.late), BigInteger).label("late_weeks"),
            cast(func.sum(w.vomited), BigInteger).label("vomited_weeks"))
        .where(w.week.between(first, last))
        .group_by(w.participant_id)
        .subquery("week_counts")
    )


def _head_counts(win, packing: _Packing):
    """Sum the entries of each window's days before its first week summed.

    Six days at most (a window that starts mid-week), or the whole window when it ends
    before that week; none when it starts on a week's first day. Read through the
    (participant, day) index; the days taken come back as a mask from the window's first.
    """
    head = select(win.c.participant_id.label("pid"), win.c.s.label("lo"),
                  least(win.c.e, win.c.weeks_start - 1).label("hi")).subquery("head_days")
    bit = cast(literal_column("1"), BigInteger).op("<<")(
        day_number(DoseEntry.dose_date) - head.c.lo)
    return (
        select(head.c.pid, bit_or(bit).filter(DoseEntry.status == TAKEN).label("head_taken"),
               *_tallies("head", packing))
        .join(DoseEntry, and_(DoseEntry.participant_id == head.c.pid, DoseEntry.is_current,
                              DoseEntry.dose_date >= date_of_number(head.c.lo),
                              DoseEntry.dose_date <= date_of_number(head.c.hi)))
        .where(head.c.lo <= head.c.hi)
        .group_by(head.c.pid)
        .subquery("head_counts")
    )


def _days_of(ranges, first, last, suffix: str, packing: _Packing, *, amounts: bool):
    # The entries of each participant's days ``first`` to ``last`` (day numbers), summed:
    # compared as dates, so each range reads its days from the (participant, day) index.
    return (
        select(ranges.c.pid, *_tallies(suffix, packing, amounts=amounts))
        .join(DoseEntry, and_(DoseEntry.participant_id == ranges.c.pid,
                              DoseEntry.is_current,
                              DoseEntry.dose_date >= date_of_number(first),
                              DoseEntry.dose_date <= date_of_number(last)))
        .group_by(ranges.c.pid)
        .subquery(f"{suffix}_counts")
    )


def _held_counts(holds, packing: _Packing):
    # Missed doses on held days count as held: taken back out of the missed ones.
    return _days_of(holds, holds.c.hs, holds.c.he, "held", packing, amounts=False)


def _past_end_counts(win, packing: _Packing):
    # What the weeks summed hold past a participant's own window, taken back out of
    # everything: the rest of the window's last week (most often days still to come, so
    # nothing), after a withdrawal (staff may still record), past a shorter study's own
    # window, or dated after the zone's today (written before a move to a zone behind).
    # Days before the weeks (the window's head) were never in them.
    past = (select(win.c.participant_id.label("pid"),
                   greatest(win.c.e + 1, win.c.weeks_start).label("a"),
                   win.c.weeks_end.label("b"))
            .where(win.c.e < win.c.weeks_end, win.c.weeks_start <= win.c.weeks_end)
            .subquery("past"))
    return _days_of(past, past.c.a, past.c.b, "past", packing, amounts=True)


def _count(condition):
    # FILTER clauses (PostgreSQL, SQLite 3.30+) cost less per row than SUM(CASE ...).
    return func.count().filter(condition)


def _report(cohort: Cohort, window: Window, scope: _Scope, span: _Span):
    win = _windows(cohort, window, scope.todays, span)
    holds = _holds(win)
    parts = [_step_list(win, scoped=not cohort.everyone), _hold_list(holds),
             _held_counts(holds, span.packing), _past_end_counts(win, span.packing),
             _head_counts(win, span.packing), _week_counts(cohort, span)]
    # Only what the rows are read for: ten thousand rows cost by the column.
    statement = select(*(win.c[name] for name in _WINDOW_COLUMNS), *(
        column for part in parts for column in part.c if column.name != "pid"))
    for part in parts:
        statement = statement.outerjoin(part, part.c.pid == win.c.participant_id)
    return statement.order_by(win.c.study_code, win.c.participant_id)


def _mg(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _steps_of(text_value, first: int) -> list[tuple[int, int]]:
    # (first day, cents) in order from the window's first day; of two steps dated the
    # same day the later one holds, as the regimen's own history reads.
    if "," not in text_value:  # one step, the starting dose: most participants
        day, _, cents = text_value.split(":")
        return [(int(day) - first, int(cents))]
    steps = sorted(tuple(int(part) for part in piece.split(":"))
                   for piece in (text_value or "").split(",") if piece)
    return [(day - first, cents) for k, (day, _, cents) in enumerate(steps)
            if k + 1 == len(steps) or steps[k + 1][0] != day]


def _holds_of(text_value, first: int) -> list[tuple[int, int]]:
    if not text_value:
        return []
    pairs = (piece.split(":") for piece in text_value.split(","))
    return [(int(start) - first, int(end) - first) for start, end in pairs]


_WINDOW_COLUMNS = ("participant_id", "study_code", "site_id", "site_code", "status",
                   "withdrawn_on", "protocol_mg", "threshold", "s", "e", "enrol")


class _Reader:
    """Reads a report row by position (found once by name), and builds its figures.

    Ten thousand rows at a time: SQLAlchemy's rows read by name cost microseconds a
    column, and Decimal arithmetic a few a figure, so the counts stay whole numbers (mg in
    cents) until the figures are made, and what repeats across rows (a study's threshold,
    a window's dates) is made once.
    """

    FIXED = (*_WINDOW_COLUMNS, "steps", "holds", "head_taken", "mg_cents_weeks",
             "mg_cents_head", "mg_cents_past", "late_weeks", "late_head", "late_past",
             "vomited_weeks", "vomited_head", "vomited_past")

    def __init__(self, keys, span: _Span):
        index = {key: place for place, key in enumerate(keys)}
        self.fixed = itemgetter(*(index[name] for name in self.FIXED))
        self.weeks = [index[f"taken_{k}"] for k in range(chunks_for(span.length))]
        self.packed = [tuple(index[f"reasons_{part}_{column}"]
                             for part in ("weeks", "head", "held", "past"))
                       for column in range(span.packing.sums)]
        self.fields = span.packing.fields()
        self.field_mask = (1 << span.packing.bits) - 1
        self.dates: dict[int, date] = {}
        self.thresholds: dict[Decimal, tuple[Decimal, int, int]] = {}
        self.protocols: dict[Decimal, int] = {}

    def __call__(self, row) -> ParticipantFigures:
        (participant_id, study_code, site_id, site_code, status, withdrawn_on, protocol_mg,
         threshold, start, end, enrol, steps, holds, head, mg_weeks, mg_head, mg_past,
         late_weeks, late_head, late_past, vomited_weeks, vomited_head,
         vomited_past) = self.fixed(row)
        days = max(end - start + 1, 0)
        window = span_mask(0, days - 1)
        # The window's days taken (bit 0: its first, ``start - enrol`` days after
        # enrolment): the head's, then the weeks' from the first that starts in it.
        offset = -(start - enrol) % WEEK
        taken_days = ((head or 0) | from_chunks([row[place] for place in self.weeks]) << offset
                      ) & window
        reasons = self._reasons([(row[w] or 0) + (row[h] or 0) - (row[d] or 0) - (row[p] or 0)
                                 for w, h, d, p in self.packed])
        held = held_mask(_holds_of(holds, start))
        threshold, below_num, below_den = self._threshold(threshold)
        figures = self._figures(
            start, days, taken_days, held, reasons,
            mg_taken=(mg_weeks or 0) + (mg_head or 0) - (mg_past or 0),
            mg_prescribed=weighted_days(window & ~held, _steps_of(steps, start)),
            protocol_mg=protocol_mg, below=(below_num, below_den),
            late=(late_weeks or 0) + (late_head or 0) - (late_past or 0),
            vomited=(vomited_weeks or 0) + (vomited_head or 0) - (vomited_past or 0))
        return ParticipantFigures(participant_id, study_code, site_id, site_code, status,
                                  withdrawn_on, threshold, figures)

    def _reasons(self, packed: list[int]) -> dict[str, int]:
        # Unpack the reasons' fields (each field's net count is never negative, so the sums
        # less the held days' and the days' past the window borrow nothing between fields).
        counts = {}
        for name, column, shift in self.fields:
            count = packed[column] >> shift & self.field_mask
            if count:
                counts[name] = count
        return counts

    def _threshold(self, value) -> tuple[Decimal, int, int]:
        # The threshold as a Decimal, and as the fraction that is_below_threshold compares.
        known = self.thresholds.get(value)
        if known is None:
            exact = Decimal(value)
            known = self.thresholds[value] = (exact, *exact.as_integer_ratio())
        return known

    def _date(self, number: int) -> date:
        known = self.dates.get(number)
        if known is None:
            known = self.dates[number] = from_number(number)
        return known

    def _figures(self, start: int, days: int, taken_days: int, held: int, reasons: dict, *,
                 mg_taken: int, mg_prescribed: int, protocol_mg, below: tuple[int, int],
                 late: int, vomited: int) -> AdherenceFigures:
        """Return the figures, the same as ``diary.rules.adherence`` makes them, from counts."""
        expected_taken, expected = expected_only(taken_days, days, held)
        taken, missed = expected_taken.bit_count(), sum(reasons.values())
        protocol_cents = self.protocols.get(protocol_mg)
        if protocol_cents is None:
            protocol_cents = self.protocols[protocol_mg] = int(Decimal(protocol_mg) * 100)
        numerator, denominator = below
        return AdherenceFigures(
            start=self._date(start) if days else None,
            end=self._date(start + days - 1) if days else None,
            days=days, expected=expected, taken=taken, missed=missed,
            unreported=expected - taken - missed, held=days - expected,
            taken_while_held=(taken_days & held).bit_count(), mg_taken=_mg(mg_taken),
            mg_prescribed=_mg(mg_prescribed), adherence=whole_fraction(taken, expected),
            dose_intensity=whole_fraction(mg_taken, mg_prescribed),
            # is_below_threshold's comparison, taken < threshold x expected, in whole numbers
            below_threshold=expected > 0 and taken * denominator < numerator * expected,
            current_streak=current_streak(expected_taken, expected),
            longest_gap=longest_run_without(expected_taken, expected), late=late,
            vomited=vomited, missed_reasons=reasons, mg_protocol=Decimal(protocol_mg) * days,
            relative_dose_intensity=whole_fraction(mg_taken, protocol_cents * days),
        )
