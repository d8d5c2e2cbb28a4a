"""The cohort's adherence, aggregated in the database: one row of counts per participant.

No day is generated and no entry is loaded into Python. Day numbers (days since
1970-01-01) make the arithmetic the same on SQLite and PostgreSQL. One statement:

- ``win``: each participant's window, cut to enrolment, withdrawal and the last day that
  is over in their zone (or today, once it has an entry);
- ``holds``, ``step_list`` and ``hold_list``: the holds inside each window and the dose
  steps, which weigh the expected days with their mg;
- ``block_counts``: the eight-week blocks the span touches, summed from ``dose_block``
  (a row per participant and block, which triggers keep equal to the current entries:
  migration 0019), grouped by participant in one plain scan, joined to nothing in study
  days: the 16-week primary window is two rows per participant, not 112 entries. The
  days taken come back as bit masks (``diary.rules.day_masks``), from which Python reads
  the taken count, the longest run without a dose and the current streak, holds cut out;
  the missed doses come back by reason, packed into one or two sums;
- ``range_counts``: a window that starts inside a block has its first days read from the
  entries, since no block summed holds them; what the blocks hold on held days, or past
  a participant's own window (the rest of its last block, after a withdrawal, past a
  shorter study's window), is read too and taken back out. All through the (participant,
  day) index, for just those participants.

The first dose step is on the enrolment date (enrolment writes it, and moving the
enrolment moves it), so no day of a window comes before the regimen starts; the
enrolment cannot move once entries exist, so each entry's stored study day (and so its
block) holds.
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
    DoseBlock,
    DoseEntry,
    DoseHold,
    Participant,
    PrescribedDose,
    Site,
    Study,
)
from diary.models.dose_block import BLOCK_DAYS, REASON_BITS, REASON_FIELDS
from diary.models.dose_entry import MISSED, MISSED_REASONS, TAKEN
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

REASONS = (*MISSED_REASONS, NO_REASON)  # in the order the CSV's columns give them
# Each reason's packed field (diary.models.dose_block): its sum, and the shift to it.
FIELDS = [(NO_REASON if reason is None else reason, column, shift)
          for reason, (column, shift) in REASON_FIELDS.items()]
SUMS = 1 + max(column for _, column, _ in FIELDS)


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
    # Each participant's exact adherence, once: the cohort's spread and their site's use it
    # (and made once per distinct taken / expected: a cohort repeats them).
    exact: dict[tuple[int, int], Decimal | None] = {}
    rated = []
    for row in rows:
        key = (row.figures.taken, row.figures.expected)
        if key not in exact:
            exact[key] = _exact_adherence(row.figures)
        rated.append((row, exact[key]))
    sites: dict[int, list[tuple[ParticipantFigures, Decimal | None]]] = {}
    for pair in rated:
        sites.setdefault(pair[0].site_id, []).append(pair)
    summary = _summary(rated)
    return {
        "window": window._asdict(),
        **summary,
        "by_site": [{"site_id": site_id, "site_code": members[0][0].site_code,
                     **_site_summary(members, summary, whole=len(members) == len(rated))}
                    for site_id, members in sorted(sites.items(),
                                                   key=lambda item: item[1][0][0].site_code)],
        "participants": rows,
    }


def _site_summary(members, summary: dict, *, whole: bool) -> dict:
    # A site that is the whole cohort (one site in view) has the cohort's figures.
    if not whole:
        return _summary(members, listed=False)
    return {**summary, "below_threshold": {"count": summary["below_threshold"]["count"]}}


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
    statement, span, scope = _prepared(cohort, window)
    if statement is None:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        plan_for_the_report()
    # Read whole, not through a server-side cursor (yield_per): PostgreSQL never runs a
    # cursor's query in parallel, which doubled the scan. One row per participant, so
    # ten thousand rows are a few megabytes; the figures still stream from here.
    rows = db.session.execute(statement)
    read = _Reader(rows.keys(), span, scope)
    for row in rows:
        yield read(row)


def report_statement(cohort: Cohort, window: Window):
    """Return the report's one statement and the span it covers (None, None: nobody)."""
    statement, span, _ = _prepared(cohort, window)
    return statement, span


def _prepared(cohort: Cohort, window: Window):
    scope = _scope(cohort)
    if not scope.todays:
        return None, None, scope
    span = _span(window, scope)
    return _report(cohort, window, scope, span), span, scope


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
    # What a row would otherwise repeat for each participant: by study, its protocol dose
    # and adherence threshold; by site, its code.
    studies: dict[int, tuple[Decimal, Decimal]]
    sites: dict[int, str]


def _scope(cohort: Cohort) -> _Scope:
    # Each zone's local today, in Python: a handful of zones, whatever the cohort's size;
    # with the bounds of the days any window can hold, and the studies and sites in view.
    rows = db.session.execute(cohort.where(
        select(Participant.timezone, Participant.study_id, Participant.site_id, Site.code,
               Study.dose_mg, Study.adherence_threshold, func.min(Participant.enrolled_on),
               func.max(Study.primary_window_days))
        .join(Study, Study.id == Participant.study_id)
        .join(Site, Site.id == Participant.site_id)
    ).group_by(Participant.timezone, Participant.study_id, Participant.site_id, Site.code,
               Study.dose_mg, Study.adherence_threshold)).all()
    return _Scope({row.timezone: local_today(row.timezone) for row in rows},
                  min((row[6] for row in rows), default=None),
                  max((row[7] for row in rows), default=None),
                  {row.study_id: (row.dose_mg, row.adherence_threshold) for row in rows},
                  {row.site_id: row.code for row in rows})


class _Span(NamedTuple):
    """The days every participant's window lies within: how wide the masks and sums are.

    In study days for a window in study days, in dates (day numbers) otherwise. A
    participant's own window may be shorter; it holds at most ``length`` days, and the
    blocks summed for it (``_block_columns``) are one more than those days fill at most.
    """

    in_days: bool
    first: int  # the span's first study day, or its first date's day number
    last: int
    length: int


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
    ``blocks_start`` and ``blocks_end`` are the first and last day of the blocks summed
    for them (``_block_counts``), and ``enrol`` their enrolment's day number.
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
    first_block, last_block = _blocks_summed(span, enrol)
    cut = least(end, func.coalesce(day_number(p.withdrawn_on), NO_END))
    statement = (
        select(p.id.label("participant_id"), p.study_code, p.site_id, p.study_id,
               p.status, p.withdrawn_on,
               first.label("s"), _last_day(cut, today_n, todays_entry).label("e"),
               (enrol + BLOCK_DAYS * first_block).label("blocks_start"),
               (enrol + BLOCK_DAYS * (last_block + 1) - 1).label("blocks_end"))
    )
    if window.in_days and not window.to_day:
        statement = statement.join(Study, Study.id == p.study_id)
    return cohort.where(statement).cte("win")


def _blocks_summed(span: _Span, enrol):
    """Return the first and last block (0: study days 1-56) summed from ``dose_block``.

    Each end is the block boundary nearest the span's: so the days read from the entries
    to make up the difference (``_ranges``) are 28 at most at either end, and none for a
    span of whole blocks (days 1-112). In study days these are constants; in dates they
    depend on the enrolment (``enrol``, a day number, as SQL).
    """
    half = BLOCK_DAYS // 2
    if span.in_days:
        return (span.first - 1 + half) // BLOCK_DAYS, (span.last + half) // BLOCK_DAYS - 1
    start = greatest(literal(span.first) - enrol, literal(0))
    # One block more, then one less: SQL rounds a negative quotient toward zero, and a
    # participant enrolled long after the span must get no block, not block 0.
    return ((start + half) // BLOCK_DAYS,
            (literal(span.last) - enrol + 1 + half + BLOCK_DAYS) // BLOCK_DAYS - 2)


def _block_columns(span: _Span) -> int:
    """Return how many blocks' masks a row carries: the blocks summed in study days; in
    dates, as many as a window of the span's length can touch (rounded, one more)."""
    if span.in_days:
        first, last = _blocks_summed(span, None)
        return max(1, last - first + 1)
    return chunks_for(span.length) + 1


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


def _reason_codes() -> list:
    # Each missed dose adds 1 to its reason's field, as in dose_block: two SUMs count all six.
    codes: list[dict] = [{} for _ in range(SUMS)]
    for name, column, shift in FIELDS:
        codes[column][name] = literal(1 << shift, BigInteger)
    reason = func.coalesce(DoseEntry.missed_reason, NO_REASON)
    return [case(fields, value=reason, else_=literal(0, BigInteger)) for fields in codes]


def _block_counts(cohort: Cohort, span: _Span):
    """Sum each participant's blocks of the span (``dose_block``), in one scan.

    As cheap as it is because it joins nothing in study days (the blocks are constants)
    and only the participants in dates (for their enrolment). Column ``taken_k`` is the
    mask of the (k + 1)th block summed. The reasons share the entries' packed fields.
    """
    b = DoseBlock
    if span.in_days:
        first, last = _blocks_summed(span, None)
        statement = select(b.participant_id.label("pid"))
        if not cohort.everyone:
            statement = statement.where(b.participant_id.in_(cohort.where(select(Participant.id))))
    else:
        first, last = _blocks_summed(span, day_number(Participant.enrolled_on))
        statement = cohort.where(select(b.participant_id.label("pid"))
                                 .join(Participant, Participant.id == b.participant_id))
    chunks = _block_columns(span)
    masks = [(bit_or(b.taken_days).filter(b.block == first + k) if chunks > 1
              else bit_or(b.taken_days)).label(f"taken_{k}") for k in range(chunks)]
    reasons = [cast(func.sum(getattr(b, f"missed_reasons_{k}")), BigInteger)
               .label(f"reasons_blocks_{k}") for k in range(SUMS)]
    return (
        statement.add_columns(
            *masks, *reasons, cast(func.sum(b.mg_cents), BigInteger).label("mg_cents_blocks"),
            cast(func.sum(b.late), BigInteger).label("late_blocks"),
            cast(func.sum(b.vomited), BigInteger).label("vomited_blocks"))
        .where(b.block.between(first, last))
        .group_by(b.participant_id)
        .subquery("block_counts")
    )


# What the entries add to the blocks' sums, read by ranges of days through the current-day
# index, each with its sign: the days of a window outside the blocks summed (+1), the days
# of the blocks summed outside the window (-1), and held days (-1: their missed doses
# count as held; nothing else is taken back).
HEAD, TAIL, PRE, PAST, HELD = 0, 1, 2, 3, 4


def _ranges(win, holds):
    """Return the ranges of days each participant's entries are read for, with their kind.

    With blocks summed (``blocks_start`` to ``blocks_end``):
    - HEAD: the window's first days, before the first block (28 at most);
    - PRE: the first block's days before the window (27 at most);
    - TAIL: the window's last days, after the last block (27 at most);
    - PAST: the last block's days after the window: the rest of it (most often days still
      to come, so nothing), after a withdrawal (staff may still record), past a shorter
      study's own window, or dated after the zone's today (written before a move to a
      zone behind).
    With none (a window shorter than a block), HEAD is the whole window. HELD: each hold
    inside the window.
    """
    c = win.c
    blocks = c.blocks_start <= c.blocks_end
    head = select(c.participant_id.label("pid"), literal(HEAD).label("kind"), c.s.label("lo"),
                  case((blocks, least(c.e, c.blocks_start - 1)), else_=c.e).label("hi"))
    tail = select(c.participant_id, literal(TAIL), c.blocks_end + 1, c.e).where(blocks)
    pre = select(c.participant_id, literal(PRE), c.blocks_start, c.s - 1).where(blocks)
    # From the window's first day at the earliest: PRE has the days before it.
    past = select(c.participant_id, literal(PAST), greatest(c.e + 1, c.s, c.blocks_start),
                  c.blocks_end).where(blocks, c.e < c.blocks_end)
    held = select(holds.c.pid, literal(HELD), holds.c.hs, holds.c.he)
    ranges = head.union_all(tail, pre, past, held).subquery("range_list")
    return select(ranges).where(ranges.c.lo <= ranges.c.hi).subquery("ranges")


def _range_counts(win, holds):
    """Sum the entries of each participant's ranges, each with its sign (``_ranges``)."""
    ranges = _ranges(win, holds)
    kind = ranges.c.kind
    taken, missed = DoseEntry.status == TAKEN, DoseEntry.status == MISSED
    sign = case((kind.in_([HEAD, TAIL]), 1), else_=-1)
    counted = kind != HELD
    # Two sums rather than one of sign x mg: a NUMERIC product per entry costs more.
    mg = [func.coalesce(func.sum(DoseEntry.dose_mg).filter(and_(taken, kinds)), 0)
          for kinds in (kind.in_([HEAD, TAIL]), kind.in_([PRE, PAST]))]
    cents = cast(func.round((mg[0] - mg[1]) * 100), BigInteger)
    bit = cast(literal_column("1"), BigInteger).op("<<")(
        day_number(DoseEntry.dose_date) - ranges.c.lo)
    return (
        select(ranges.c.pid,
               bit_or(bit).filter(and_(taken, kind == HEAD)).label("head_taken"),
               bit_or(bit).filter(and_(taken, kind == TAIL)).label("tail_taken"),
               *(cast(func.sum(sign * code).filter(missed), BigInteger).label(f"reasons_read_{k}")
                 for k, code in enumerate(_reason_codes())),
               cents.label("mg_cents_read"),
               cast(func.sum(sign).filter(and_(DoseEntry.late, counted)), BigInteger)
               .label("late_read"),
               cast(func.sum(sign).filter(and_(taken, DoseEntry.vomited, counted)), BigInteger)
               .label("vomited_read"))
        .join(DoseEntry, and_(DoseEntry.participant_id == ranges.c.pid, DoseEntry.is_current,
                              DoseEntry.dose_date >= date_of_number(ranges.c.lo),
                              DoseEntry.dose_date <= date_of_number(ranges.c.hi)))
        .group_by(ranges.c.pid)
        .subquery("range_counts")
    )


def _report(cohort: Cohort, window: Window, scope: _Scope, span: _Span):
    win = _windows(cohort, window, scope.todays, span)
    holds = _holds(win)
    parts = [_step_list(win, scoped=not cohort.everyone), _hold_list(holds),
             _range_counts(win, holds), _block_counts(cohort, span)]
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


def _prescribed_cents(expected_days: int, steps: str, first: int) -> int:
    # The cents prescribed over the expected days: most participants have one step, the
    # starting dose, from before the window, which weighs every expected day alike.
    if not steps:
        return 0
    if "," not in steps:
        day, _, cents = steps.split(":")
        if int(day) <= first:
            return int(cents) * expected_days.bit_count()
    return weighted_days(expected_days, _steps_of(steps, first))


def _holds_of(text_value, first: int) -> list[tuple[int, int]]:
    if not text_value:
        return []
    pairs = (piece.split(":") for piece in text_value.split(","))
    return [(int(start) - first, int(end) - first) for start, end in pairs]


_WINDOW_COLUMNS = ("participant_id", "study_code", "site_id", "study_id", "status",
                   "withdrawn_on", "s", "e", "blocks_start", "blocks_end")


class _Reader:
    """Reads a report row by position (found once by name), and builds its figures.

    Ten thousand rows at a time: SQLAlchemy's rows read by name cost microseconds a
    column, and Decimal arithmetic a few a figure, so the counts stay whole numbers (mg in
    cents) until the figures are made, and what repeats across rows (a study's threshold,
    a window's dates) is made once.
    """

    FIXED = (*_WINDOW_COLUMNS, "steps", "holds", "head_taken", "tail_taken", "mg_cents_blocks",
             "mg_cents_read", "late_blocks", "late_read", "vomited_blocks", "vomited_read")

    def __init__(self, keys, span: _Span, scope: _Scope):
        index = {key: place for place, key in enumerate(keys)}
        self.fixed = itemgetter(*(index[name] for name in self.FIXED))
        self.blocks = [index[f"taken_{k}"] for k in range(_block_columns(span))]
        self.packed = [(index[f"reasons_blocks_{k}"], index[f"reasons_read_{k}"])
                       for k in range(SUMS)]
        self.field_mask = (1 << REASON_BITS) - 1
        self.studies, self.sites = scope.studies, scope.sites
        self.thresholds: dict[Decimal, tuple[Decimal, int, int]] = {}
        self.windows: dict[tuple[int, int, Decimal], tuple] = {}
        # Decimals are immutable, and a cohort's counts repeat (112 of 112, 44 800 mg):
        # each value is made once and shared.
        self.mgs: dict[int, Decimal] = {}
        self.fractions: dict[tuple[int, int], Decimal | None] = {}
        self.reasons: dict[tuple[int, ...], dict[str, int]] = {}

    def __call__(self, row) -> ParticipantFigures:
        (participant_id, study_code, site_id, study_id, status, withdrawn_on, start, end,
         blocks_start, blocks_end, steps, holds, head, tail, mg_blocks, mg_read, late_blocks,
         late_read, vomited_blocks, vomited_read) = self.fixed(row)
        protocol_mg, threshold = self.studies[study_id]
        days = max(end - start + 1, 0)
        window = span_mask(0, days - 1)
        taken_days = self._taken_days(row, start, blocks_start, blocks_end, head, tail) & window
        reasons = self._reasons([(row[blocks] or 0) + (row[read] or 0)
                                 for blocks, read in self.packed])
        held = held_mask(_holds_of(holds, start)) if holds else 0
        threshold, below_num, below_den = self._threshold(threshold)
        figures = self._figures(
            start, days, taken_days, held, reasons,
            mg_taken=(mg_blocks or 0) + (mg_read or 0),
            mg_prescribed=_prescribed_cents(window & ~held, steps, start),
            protocol_mg=protocol_mg, below=(below_num, below_den),
            late=(late_blocks or 0) + (late_read or 0),
            vomited=(vomited_blocks or 0) + (vomited_read or 0))
        return ParticipantFigures(participant_id, study_code, site_id, self.sites[site_id],
                                  status, withdrawn_on, threshold, figures)

    def _taken_days(self, row, start: int, blocks_start: int, blocks_end: int, head,
                    tail) -> int:
        # The window's days taken, bit 0 its first (``start``): the head's, the blocks'
        # (which may begin before it: their days before it fall off), the tail's. Days past
        # the window are cut off by the caller.
        if blocks_start > blocks_end:
            return head or 0
        blocks = from_chunks([row[place] for place in self.blocks])
        shift = blocks_start - start
        blocks = blocks << shift if shift >= 0 else blocks >> -shift
        return (head or 0) | blocks | (tail or 0) << (blocks_end + 1 - start)

    def _reasons(self, packed: list[int]) -> dict[str, int]:
        # Unpack the reasons' fields (each field's net count is never negative, so the sums
        # less the held days' and the days' past the window borrow nothing between fields).
        # Made once per packing, and copied: each participant's figures own their dict.
        key = tuple(packed)
        known = self.reasons.get(key)
        if known is None:
            known = self.reasons[key] = self._unpacked(packed)
        return dict(known)

    def _unpacked(self, packed: list[int]) -> dict[str, int]:
        counts = {}
        for name, column, shift in FIELDS:
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

    def _mg(self, cents: int) -> Decimal:
        known = self.mgs.get(cents)
        if known is None:
            known = self.mgs[cents] = _mg(cents)
        return known

    def _fraction(self, numerator: int, denominator: int) -> Decimal | None:
        key = (numerator, denominator)
        try:
            return self.fractions[key]
        except KeyError:
            known = self.fractions[key] = whole_fraction(numerator, denominator)
            return known

    def _figures(self, start: int, days: int, taken_days: int, held: int, reasons: dict, *,
                 mg_taken: int, mg_prescribed: int, protocol_mg, below: tuple[int, int],
                 late: int, vomited: int) -> AdherenceFigures:
        """Return the figures, the same as ``diary.rules.adherence`` makes them, from counts."""
        if held:
            expected_taken, expected = expected_only(taken_days, days, held)
        else:  # most windows: every day expected, and taken_days is already cut to them
            expected_taken, expected = taken_days, days
        taken, missed = expected_taken.bit_count(), sum(reasons.values())
        first, last, mg_protocol, protocol_cents = self._window(start, days, protocol_mg)
        numerator, denominator = below
        return AdherenceFigures(
            start=first, end=last, days=days, expected=expected, taken=taken, missed=missed,
            unreported=expected - taken - missed, held=days - expected,
            taken_while_held=(taken_days & held).bit_count(), mg_taken=self._mg(mg_taken),
            mg_prescribed=self._mg(mg_prescribed), adherence=self._fraction(taken, expected),
            dose_intensity=self._fraction(mg_taken, mg_prescribed),
            # is_below_threshold's comparison, taken < threshold x expected, in whole numbers
            below_threshold=expected > 0 and taken * denominator < numerator * expected,
            current_streak=current_streak(expected_taken, expected),
            longest_gap=longest_run_without(expected_taken, expected), late=late,
            vomited=vomited, missed_reasons=reasons, mg_protocol=mg_protocol,
            relative_dose_intensity=self._fraction(mg_taken, protocol_cents * days),
        )

    def _window(self, start: int, days: int, protocol_mg: Decimal):
        # A window's dates and the protocol's dose over it: most of a cohort shares them.
        key = (start, days, protocol_mg)
        known = self.windows.get(key)
        if known is None:
            known = self.windows[key] = (
                from_number(start) if days else None,
                from_number(start + days - 1) if days else None,
                Decimal(protocol_mg) * days, int(Decimal(protocol_mg) * 100))
        return known
