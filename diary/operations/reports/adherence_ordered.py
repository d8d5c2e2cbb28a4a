"""PostgreSQL: the entries of participants with no hold in their window, in index order.

The longest run without a dose and the current streak need each participant's days in
order. Joined to the stretches between holds first, the 1.1 million entries of a large
cohort lose their order, and PostgreSQL sorts them all (spilling to disk) before the
running MAX. With no hold in a window, though, every day of it is expected and a day's
place among the expected days is plain arithmetic (its distance from the window's first
day): no join. So, for each such participant, a LATERAL reads their current entries from
the ``(participant_id, dose_date)`` index, already in order, and aggregates them there.

Participants with a hold in their window (few, in any trial) keep the general query. The
figures are the same either way (``tests/diary/reports/test_adherence_sql.py`` holds both
to the pure rule). SQLite has no LATERAL; it keeps the general query for everyone.
"""

from datetime import date

from sqlalchemy import Date, Integer, and_, cast, func, literal, null, select, true

from diary.models import DoseEntry
from diary.models.dose_entry import TAKEN
from diary.operations.reports.sql import day_number

EPOCH = date(1970, 1, 1)
# The figures that need the days in order: from the taken entries alone.
RUN_COLUMNS = ("widest_gap", "last_taken", "streak_from")


def unheld_counts(win, holds, count_columns):
    """Return the per-participant counts for windows without a hold: (pid, *counts).

    ``win`` and ``holds`` are the report's CTEs; ``count_columns`` returns the aggregate
    columns over a subquery of entries (status, mg, missed_reason, vomited, late,
    expected_day, place, previous), as the general query's GROUP BY uses them.
    """
    # Two LATERALs per participant, each one index range scan, in order: every entry for
    # the counts (no window at all), and the taken ones alone for the runs, where the
    # previous taken day is just the previous row (lag). A running MAX over all entries,
    # as the general query has, costs three times as much here.
    counts = select(*count_columns(_entries(win, previous=None))).correlate(win).lateral("counts")
    runs = select(*count_columns(_entries(win, previous="lag"))).correlate(win).lateral("runs")
    columns = [(runs if column.name in RUN_COLUMNS else counts).c[column.name]
               for column in counts.c]
    return (
        select(win.c.participant_id.label("pid"), *columns)
        .select_from(win)
        .join(counts, true())
        .join(runs, true())
        .where(and_(win.c.s <= win.c.e,
                    win.c.participant_id.not_in(select(holds.c.pid))))
    )


def _entries(win, previous):
    epoch = literal(EPOCH, Date)
    place = day_number(DoseEntry.dose_date) - win.c.s
    conditions = [DoseEntry.participant_id == win.c.participant_id,
                  DoseEntry.is_current.is_(True),
                  # The bounds as dates, so that the index's range scan applies.
                  DoseEntry.dose_date >= epoch + win.c.s, DoseEntry.dose_date <= epoch + win.c.e]
    if previous == "lag":
        conditions.append(DoseEntry.status == TAKEN)
        before = func.lag(place).over(order_by=DoseEntry.dose_date)
    else:
        before = cast(null(), Integer)
    return (
        select(DoseEntry.status, DoseEntry.dose_mg.label("mg"), DoseEntry.missed_reason,
               DoseEntry.vomited, DoseEntry.late, true().label("expected_day"),
               place.label("place"), before.label("previous"))
        .where(*conditions)
        .correlate(win)
        .subquery("entries")
    )
