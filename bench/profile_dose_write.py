"""Profile our dose write in-process: cProfile over N requests, and the SQL of one.

    .venv/bin/python -m bench.profile_dose_write \\
        --database-url postgresql://postgres@127.0.0.1:5432/diary_bench

Prints the functions that cost most (own time and cumulative) and every statement one
write sends. The database named in the URL is dropped and made again.
"""

import argparse
import cProfile
import pstats
import time

from sqlalchemy import event

from bench.database import prepare, sqlalchemy_url
from bench.load import PATH, _requests
from diary.app import create_app
from diary.extensions import db


def _split(raw: bytes) -> tuple[dict, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode().split("\r\n")[1:]:
        name, _, value = line.partition(": ")
        headers[name] = value
    return headers, body


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args(argv)
    phones = prepare(args.database_url, 8)
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(args.database_url),
                      "DIARY_SMS_SENDER": "console"})
    client = app.test_client()
    requests = (_split(raw) for raw in _requests(phones, 80))

    def post():
        headers, body = next(requests)
        response = client.post(PATH, data=body, headers=headers)
        assert response.status_code == 201, response.get_json()

    for _ in range(50):
        post()
    with app.app_context():
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        post()
        event.remove(db.engine, "before_cursor_execute", listener)
    print(f"{len(statements)} statements in one write:")
    for statement in statements:
        print("  " + " ".join(statement.split())[:160])
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        post()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"\n{args.requests} writes in {elapsed:.2f} s, {cpu / args.requests * 1000:.2f} ms of "
          f"this process's CPU each (test client included)")
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        post()
    profiler.disable()
    elapsed = time.perf_counter() - began
    print(f"\n{args.requests} writes in {elapsed:.2f} s under cProfile "
          f"({elapsed / args.requests * 1000:.2f} ms each)\n")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
