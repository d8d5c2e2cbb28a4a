"""Peak memory of the exports at two cohort sizes: does it stay flat as the cohort grows?

A figure, not a test. For each ``--sizes`` the database named is dropped and made again and
seeded as ``bench/adherence_report.py`` does (participants x ``--days`` days of diary,
inside PostgreSQL). Then each export runs in a fresh Python process of its own, which
reports its resident memory just before the export and its peak during it (the
kernel's high-water mark, ``VmHWM``, reset just before the export starts):

- ``csv``: the rows of ``GET /api/v1/reports/adherence`` with ``Accept: text/csv``,
  through the view's own line generator, every line consumed;
- ``sdtm``: ``export_sdtm`` to a zip file (what ``diary export sdtm`` runs);
- ``fhir``: ``export_fhir_bundles``, each Bundle serialised as the NDJSON view does and
  written to ``/dev/null``.

The child imports pandas and pyreadstat before its first reading, so the figure is the
export's working memory, not the libraries' code. The growth from the smallest to the
largest size is what the issue bounds (less than 50 MB).

    .venv/bin/python -m bench.export_memory \\
        --database-url postgresql://postgres@127.0.0.1:5432/diary_bench_memory
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/diary_bench_memory"
KINDS = ("csv", "sdtm", "fhir")
GOAL_MB = 50


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--days", type=int, default=112)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--measure", choices=KINDS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _app(url: str):
    from bench.database import sqlalchemy_url
    from diary.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "SECRET_KEY": "bench",
                       "DIARY_SMS_SENDER": "console", "DIARY_LOG_LEVEL": "WARNING"})


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise LookupError(field)


def _reset_peak() -> None:
    # Linux resets the process's peak resident size (VmHWM) on "5": without it the peak
    # would be the app's start-up, not the export's.
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")


def _admin():
    import sqlalchemy as sa

    from bench.database import ADMIN_EMAIL
    from diary.actor import Actor
    from diary.extensions import db
    from diary.models import StaffUser

    staff = db.session.execute(sa.select(StaffUser).where(StaffUser.email == ADMIN_EMAIL)
                               ).scalar_one()
    return Actor.for_staff(staff)


def _run_csv(actor, days: int) -> int:
    from api.adherence_reports import CSV_HEADER, _csv_row
    from api.report_csv import _lines
    from diary.operations.reports.adherence import cohort_rows
    from diary.rules.report_windows import Window

    # The lines the streamed answer sends, one at a time.
    _, rows = cohort_rows(actor, Window(1, days))
    return sum(len(line) for line in _lines(CSV_HEADER, map(_csv_row, rows)))


def _run_sdtm(actor, days: int) -> int:
    from diary.operations.sdtm_export import export_sdtm

    with tempfile.TemporaryDirectory(prefix="bench-sdtm-") as directory:
        path = Path(directory) / "sdtm.zip"
        export_sdtm(actor, path)
        return path.stat().st_size


def _run_fhir(actor, days: int) -> int:
    from diary.operations.fhir_export import export_fhir_bundles

    written = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for bundle in export_fhir_bundles(actor):
            written += sink.write(json.dumps(bundle, ensure_ascii=False,
                                             separators=(",", ":")) + "\n")
    return written


def measure(url: str, kind: str, days: int) -> dict:
    """Run one export in this process; return its memory before and at peak, in MB."""
    import pandas  # noqa: F401 - loaded before the first reading: code, not working memory
    import pyreadstat  # noqa: F401

    from diary.extensions import db

    app = _app(url)
    with app.app_context():
        actor = _admin()
        _reset_peak()
        before = _status_mb("VmRSS")
        started = time.perf_counter()
        size = {"csv": _run_csv, "sdtm": _run_sdtm, "fhir": _run_fhir}[kind](actor, days)
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return {"kind": kind, "before_mb": before, "peak_mb": _status_mb("VmHWM"), "seconds": seconds,
            "bytes": size}


def _child(url: str, kind: str, days: int) -> dict:
    out = subprocess.run(  # noqa: S603 - this very script, with our own arguments
        [sys.executable, "-m", "bench.export_memory", "--database-url", url, "--days",
         str(days), "--measure", kind], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _seed(url: str, participants: int, days: int) -> None:
    from bench.adherence_report import seed
    from bench.database import recreate_database
    from diary.extensions import db

    recreate_database(url)
    app = _app(url)
    seed(app, participants, days)
    with app.app_context():
        db.engine.dispose()


def main(argv=None) -> None:
    args = _arguments(argv)
    if args.measure:
        print(json.dumps(measure(args.database_url, args.measure, args.days)))
        return
    results: dict[str, dict[int, dict]] = {kind: {} for kind in args.kinds}
    for size in args.sizes:
        _seed(args.database_url, size, args.days)
        for kind in args.kinds:
            result = _child(args.database_url, kind, args.days)
            results[kind][size] = result
            print(f"{size:>6} participants {kind:>4}: peak {result['peak_mb']:7.1f} MB "
                  f"(before the export {result['before_mb']:6.1f} MB, export "
                  f"+{result['peak_mb'] - result['before_mb']:6.1f} MB), "
                  f"{result['seconds']:6.1f} s, {result['bytes'] / 1e6:8.1f} MB out", flush=True)
    small, large = min(args.sizes), max(args.sizes)
    for kind, by_size in results.items():
        growth = by_size[large]["peak_mb"] - by_size[small]["peak_mb"]
        verdict = "ok" if growth < GOAL_MB else "OVER"
        print(f"{kind:>4}: peak grows {growth:+7.1f} MB from {small} to {large} participants "
              f"(goal < {GOAL_MB} MB: {verdict})")


if __name__ == "__main__":
    main()
