"""The cohort adherence report over a large cohort, timed beside one hand-written aggregate.

A figure, not a test. The database named is dropped and made again: our migrations, the
default study, then ``--participants`` participants x ``--days`` days of diary seeded in
the database itself (INSERT ... SELECT over generate_series: seconds, not hours). About
5 % of days unreported, 5 % missed (with reasons), some late, vomited and partial doses;
one participant in ten reduced to 300 mg on day 50, one in twenty held on days 30-36,
one in fifty withdrawn on day 80, one in five in New York.

Each round times, in one process and on one connection pool:

- ``report``: ``participant_figures`` (the rows of ``GET /api/v1/reports/adherence``: the
  SQL and the figures built from each row), every row read;
- ``report + summary``: ``cohort_adherence`` (the JSON answer's content: pooled, spread,
  by site), before serialisation;
- ``report statement``: the report's one SQL statement alone, every row read (no figures
  built): what the database does for it;
- ``baseline``: one hand-written aggregate over the same entries (taken, missed, mg,
  late, vomited per participant: one GROUP BY, no regimen), every row read, planned with
  the server's settings;
- ``baseline, tuned``: the same, planned with the report's settings (random_page_cost
  1.1), under which it reads the current-day index as the report does: the fairer floor;
- ``blocks baseline``: one hand-written GROUP BY over the eight-week blocks' sums the
  report reads (``dose_block``, kept by triggers at each write): taken days, missed
  (packed by reason), mg, late, vomited per participant, no regimen. The floor for
  reading the blocks.

    .venv/bin/python -m bench.adherence_report \\
        --database-url postgresql://postgres@127.0.0.1:5432/diary_bench_adherence
"""

import argparse
import statistics
import time
from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.database import ADMIN_EMAIL, ADMIN_PASSWORD, recreate_database, sqlalchemy_url
from diary.actor import Actor
from diary.app import create_app
from diary.clock import local_today
from diary.extensions import db
from diary.operations.reports import adherence
from diary.operations.reports.adherence import cohort_adherence, participant_figures
from diary.operations.sessions import create_admin
from diary.operations.studies import default_study_file, load_study
from diary.rules.report_windows import Window

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/diary_bench_adherence"

_PARTICIPANTS = """
INSERT INTO participant (study_id, site_id, study_code, enrolled_on, timezone, locale,
    sms_consent, reminder_time, proxy_reporter, status, withdrawn_on, created_at, updated_at)
SELECT :study, :site, 'B' || lpad(n::text, 6, '0'), CAST(:enrolled AS date),
    CASE WHEN n % 5 = 0 THEN 'America/New_York' ELSE 'Asia/Seoul' END, 'ko', false,
    '09:00', false, CASE WHEN n % 50 = 0 THEN 'withdrawn' ELSE 'active' END,
    CASE WHEN n % 50 = 0 THEN CAST(:enrolled AS date) + 79 END, now(), now()
FROM generate_series(1, :n) AS n
"""
_STEPS = """
INSERT INTO prescribed_dose (participant_id, effective_from, dose_mg, reason,
    created_by_staff_id, created_at)
SELECT id, enrolled_on, 400, 'Starting dose per protocol', :staff, now() FROM participant
UNION ALL
SELECT id, enrolled_on + 49, 300, 'Dose reduced', :staff, now() FROM participant
WHERE id % 10 = 3
"""
_HOLDS = """
INSERT INTO dose_hold (participant_id, start_date, end_date, reason, created_by_staff_id,
    created_at)
SELECT id, enrolled_on + 29, enrolled_on + 35, 'Held', :staff, now() FROM participant
WHERE id % 20 = 7
"""
# A fixed pseudo-random number 0-99 per participant and day: the same diary every run.
_ENTRIES = """
INSERT INTO dose_entry (participant_id, dose_date, version, is_current, status, dose_mg,
    missed_reason, vomited, source, client_id, body_sha256, recorded_at, study_day, late)
SELECT p.id, p.enrolled_on + d, 1, true,
    CASE WHEN r < 5 THEN 'missed' ELSE 'taken' END,
    CASE WHEN r < 5 THEN NULL WHEN r = 99 THEN 200
         WHEN p.id % 10 = 3 AND d >= 49 THEN 300 ELSE 400 END,
    CASE WHEN r < 5 THEN (ARRAY['forgot', 'side_effects', 'no_supply', 'other', NULL])[r + 1]
    END,
    r = 98, 'app', 'b-' || p.id || '-' || d, repeat('0', 64), now(), d + 1, r BETWEEN 90 AND 92
FROM participant AS p
CROSS JOIN generate_series(0, :days - 1) AS d
CROSS JOIN LATERAL (SELECT (p.id * 7919 + d * 104729) % 100 AS r) AS pick
WHERE (p.id * 7919 + d * 104729) % 100 NOT BETWEEN 5 AND 9
"""
_BASELINE = """
SELECT participant_id,
       count(*) FILTER (WHERE status = 'taken') AS taken,
       count(*) FILTER (WHERE status = 'missed') AS missed,
       sum(dose_mg) FILTER (WHERE status = 'taken') AS mg_taken,
       count(*) FILTER (WHERE late) AS late,
       count(*) FILTER (WHERE vomited AND status = 'taken') AS vomited
FROM dose_entry
WHERE is_current AND dose_date BETWEEN :start AND :end
GROUP BY participant_id
"""
_BLOCKS_BASELINE = """
SELECT participant_id,
       bit_or(taken_days) FILTER (WHERE block = 0) AS taken_0,
       bit_or(taken_days) FILTER (WHERE block = 1) AS taken_1,
       sum(missed_reasons_0) AS missed_0, sum(missed_reasons_1) AS missed_1,
       sum(mg_cents) AS mg_cents, sum(late) AS late, sum(vomited) AS vomited
FROM dose_block
WHERE block BETWEEN 0 AND :last_block
GROUP BY participant_id
"""


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=112)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--window", default=None, metavar="FROM-TO",
                        help="the report's window in study days (default: 1 to --days); the "
                             "baselines read the same days")
    parser.add_argument("--reuse", action="store_true",
                        help="time the database as an earlier run seeded it (no drop, no seed)")
    return parser.parse_args(argv)


def seed(app, participants: int, days: int) -> None:
    """Fill the fresh database; enrolment is far enough back that every day is over."""
    with app.app_context():
        upgrade()
        study, _ = load_study(default_study_file(app.config["DIARY_DEFAULT_STUDY"]))
        site = db.session.execute(sa.text("SELECT id FROM site WHERE study_id = :s"),
                                  {"s": study.id}).scalars().first()
        staff, _, _ = create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        enrolled = local_today("Pacific/Pago_Pago") - timedelta(days=days + 2)
        started = time.perf_counter()
        for statement, params in (
            (_PARTICIPANTS, {"study": study.id, "site": site, "n": participants,
                             "enrolled": enrolled}),
            (_STEPS, {"staff": staff.id}), (_HOLDS, {"staff": staff.id}),
            (_ENTRIES, {"days": days}),
        ):
            db.session.execute(sa.text(statement), params)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        entries = db.session.execute(sa.text("SELECT count(*) FROM dose_entry")).scalar_one()
        print(f"seeded {participants} participants, {entries} entries in "
              f"{time.perf_counter() - started:.1f} s")


def _statement_rows(actor, window):
    # The report's one statement alone, every row read: what the database does for it.
    statement, _ = adherence.report_statement(adherence.Cohort(actor), window)
    adherence.plan_for_the_report()
    return db.session.execute(statement).all()


def _tuned_baseline(bounds):
    # The baseline planned as the report is (random_page_cost 1.1): it then reads the
    # current-day index too, which carries its columns as well as the report's.
    adherence.plan_for_the_report()
    return db.session.execute(sa.text(_BASELINE), bounds).all()


def _timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def measure(app, days: int, rounds: int, window: Window | None = None
            ) -> dict[str, list[float]]:
    """Time the three, alternating, ``rounds`` times; return the seconds of each."""
    with app.app_context():
        admin = db.session.execute(
            sa.text("SELECT id FROM staff_user WHERE email = :e"), {"e": ADMIN_EMAIL}
        ).scalar_one()
        from diary.models import StaffUser

        actor = Actor.for_staff(db.session.get(StaffUser, admin))
        enrolled = db.session.execute(sa.text("SELECT min(enrolled_on) FROM participant")
                                      ).scalar_one()
        window = window or Window(1, days)
        bounds = {"start": enrolled + timedelta(days=window.from_day - 1),
                  "end": enrolled + timedelta(days=window.to_day - 1)}
        times: dict[str, list[float]] = {"report": [], "report + summary": [],
                                         "report statement": [], "baseline": [],
                                         "baseline, tuned": [], "blocks baseline": []}
        # Each in a transaction of its own: the report's planner settings (SET LOCAL)
        # must not reach the baseline unless asked for.
        for _ in range(rounds):
            seconds, _ = _timed(lambda: _statement_rows(actor, window))
            times["report statement"].append(seconds)
            db.session.rollback()
            seconds, rows = _timed(lambda: list(participant_figures(actor, window)))
            times["report"].append(seconds)
            db.session.rollback()
            seconds, _ = _timed(lambda: cohort_adherence(actor, window))
            times["report + summary"].append(seconds)
            db.session.rollback()
            seconds, base = _timed(
                lambda: db.session.execute(sa.text(_BASELINE), bounds).all())
            times["baseline"].append(seconds)
            db.session.rollback()
            seconds, _ = _timed(lambda: _tuned_baseline(bounds))
            times["baseline, tuned"].append(seconds)
            db.session.rollback()
            seconds, _ = _timed(lambda: db.session.execute(
                sa.text(_BLOCKS_BASELINE), {"last_block": (window.to_day - 1) // 56}).all())
            times["blocks baseline"].append(seconds)
            db.session.rollback()
        taken = sum(row.figures.taken for row in rows)
        print(f"report rows: {len(rows)}, taken {taken}; baseline rows: {len(base)}, "
              f"taken {sum(row.taken for row in base)} (held days included)")
    return times


def main(argv=None) -> None:
    args = _arguments(argv)
    if not args.reuse:
        recreate_database(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(args.database_url),
                      "SECRET_KEY": "bench", "DIARY_SMS_SENDER": "console",
                      "DIARY_LOG_LEVEL": "WARNING"})
    if not args.reuse:
        seed(app, args.participants, args.days)
    window = None
    if args.window:
        first, last = (int(day) for day in args.window.split("-"))
        window = Window(first, last)
    times = measure(app, args.days, args.rounds, window)
    for name, seconds in times.items():
        print(f"{name:>18}: best {min(seconds) * 1000:7.0f} ms, median "
              f"{statistics.median(seconds) * 1000:7.0f} ms over {len(seconds)} rounds")
    best = {name: min(seconds) for name, seconds in times.items()}
    for baseline in ("baseline", "baseline, tuned", "blocks baseline"):
        print(f"ratio report / {baseline}: {best['report'] / best[baseline]:.2f} (with the "
              f"summary: {best['report + summary'] / best[baseline]:.2f}; the statement "
              f"alone: {best['report statement'] / best[baseline]:.2f}); goal <= 1.5")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
