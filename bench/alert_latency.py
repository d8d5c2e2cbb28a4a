"""Measure how long an urgent symptom report takes to reach the coordinator's phone.

From the commit of each report (the answer to ``POST /api/v1/me/symptom-reports``) to
the coordinator's alert text arriving at the fake Twilio, with the real ``diary
scheduler`` process running beside it on PostgreSQL. Prints p50, p99 and the worst.

    .venv/bin/python -m bench.alert_latency \\
        --database-url postgresql://postgres@127.0.0.1:5432/diary_bench

The database named in the URL is dropped and made again. Each report comes from its own
participant (one open alert per participant and rule), at random intervals (seeded).
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from bench.database import admin_sign_in, prepare, sqlalchemy_url
from diary.app import create_app
from notifications.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent
COORDINATOR_PHONE = "+821099990000"
# "Study NCT02495519: alert 12 (emergency_visit) for participant B00-001. ..."
_ALERT_TEXT = re.compile(r"alert \d+ \((?P<kind>\w+)\) for participant (?P<code>[\w.-]+)")


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True,
                        help="a PostgreSQL database the benchmark may drop and re-create")
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--mean-gap", type=float, default=0.6,
                        help="mean seconds between two reports (exponential)")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=14)
    return parser.parse_args(argv)


class Arrivals:
    """The coordinator's alert texts as the fake Twilio receives them, by study code."""

    def __init__(self):
        self.at: dict[str, float] = {}
        self.lock = threading.Lock()

    def __call__(self, received) -> None:
        match = _ALERT_TEXT.search(received.body)
        if received.to == COORDINATOR_PHONE and match and match["kind"] == "emergency_visit":
            with self.lock:
                # The sentence's full stop is not part of the code.
                self.at.setdefault(match["code"].rstrip("."), time.time())


def _app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "SECRET_KEY": "bench",
                       "DIARY_SMS_SENDER": "console", "DIARY_LOG_LEVEL": "WARNING"})


def _add_coordinator(client) -> None:
    token = admin_sign_in(client)
    response = client.post("/api/v1/staff", headers={"Authorization": f"Bearer {token}"},
                           json={"email": "bench-coordinator@example.org",
                                 "role": "coordinator", "sites": ["SEV"],
                                 "phone": COORDINATOR_PHONE, "locale": "en"})
    if response.status_code != 201:
        raise RuntimeError(f"coordinator not added: {response.get_json()}")


def _scheduler(url: str, fake: FakeTwilio) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench",
           "TWILIO_ACCOUNT_SID": fake.account_sid, "TWILIO_AUTH_TOKEN": fake.auth_token,
           "TWILIO_FROM_NUMBER": "+15005550006", "TWILIO_API_BASE_URL": fake.base_url,
           "DIARY_PUBLIC_BASE_URL": "http://127.0.0.1:8000", "DIARY_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "diary", "scheduler"], env=env, cwd=ROOT)


def _report(client, phone: dict, today: str) -> float:
    response = client.post("/api/v1/me/symptom-reports",
                           headers={"Authorization": f"Bearer {phone['token']}"},
                           json={"client_id": str(uuid.uuid4()), "report_date": today,
                                 "items": [], "emergency_visit": True, "pregnancy": False})
    committed = time.time()
    if response.status_code != 201:
        raise RuntimeError(f"report refused: {response.status_code} {response.get_json()}")
    return committed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv=None) -> None:
    """Run the measurement and print its figures."""
    args = _arguments(argv)
    # Enrolled yesterday: no adherence-gap alert muddles the coordinator's phone.
    phones = prepare(args.database_url, args.reports, history_days=1)
    app, arrivals = _app(args.database_url), Arrivals()
    client = app.test_client()
    _add_coordinator(client)
    fake = FakeTwilio(any_credentials=True, on_message=arrivals).start()
    scheduler = _scheduler(args.database_url, fake)
    rand = random.Random(args.seed)  # noqa: S311 - spacing requests, not a secret
    try:
        time.sleep(5)  # the scheduler's first runs (planning every participant's reminders)
        today = client.get("/api/v1/me", headers={
            "Authorization": f"Bearer {phones[0]['token']}"}).get_json()["today"]
        committed = {}
        for phone in phones:
            committed[phone["study_code"]] = _report(client, phone, today)
            time.sleep(rand.expovariate(1 / args.mean_gap))
        deadline = time.time() + args.timeout
        while len(arrivals.at) < len(committed) and time.time() < deadline:
            time.sleep(0.5)
    finally:
        scheduler.terminate()
        scheduler.wait(30)
        fake.stop()
    latencies = [arrivals.at[code] - at for code, at in committed.items() if code in arrivals.at]
    print(f"{len(latencies)} of {len(committed)} alert texts arrived; "
          f"p50 {statistics.median(latencies):.1f} s, p99 {_percentile(latencies, 0.99):.1f} s, "
          f"worst {max(latencies):.1f} s (goal: p99 under 60 s)")


if __name__ == "__main__":
    main()
