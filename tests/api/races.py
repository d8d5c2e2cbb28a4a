"""Requests sent at the same moment, from threads released together (PostgreSQL tests)."""

import threading

import sqlalchemy as sa

from diary.extensions import db


def someone_waits_on_a_lock(app) -> bool:
    """Say whether a connection to the test's database is waiting for a lock (PostgreSQL)."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar() > 0


def send_together(app, method: str, url: str, headers: dict, bodies: list) -> list[int]:
    """Send each body to ``url`` from a thread of its own, all at once; return the statuses."""
    statuses, errors = [], []
    barrier = threading.Barrier(len(bodies))

    def send(body):
        try:
            client = app.test_client()
            barrier.wait()
            statuses.append(client.open(url, method=method, json=body,
                                         headers=headers).status_code)
        except Exception as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return sorted(statuses)  # the order the threads finished in means nothing
