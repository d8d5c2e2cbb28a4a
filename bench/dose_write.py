"""Benchmark the dose write: our app against a bare Flask + psycopg endpoint.

Both run under gunicorn with the same workers on 127.0.0.1, each on a freshly made
database (our migrations, the default study, the same enrolled phones), and are driven
by the same load generator. Prints requests/s and latency for each, and the ratio.

    .venv/bin/python -m bench.dose_write \\
        --database-url postgresql://postgres@127.0.0.1:5432/diary_bench

The database named in the URL is dropped and made again for every run.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from bench.database import prepare, sqlalchemy_url
from bench.load import LoadResult, run_load

ROOT = Path(__file__).resolve().parent.parent
APPS = {
    # name: (gunicorn app, environment naming the database)
    "ours": ("wsgi:app", "DATABASE_URL"),
    "baseline": ("bench.baseline:create_app()", "BENCH_DATABASE_URL"),
}


def _arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True,
                        help="a PostgreSQL database the benchmark may drop and re-create")
    parser.add_argument("--apps", default="ours,baseline",
                        help="which to run, in order (default: ours,baseline)")
    parser.add_argument("--workers", type=int, default=4)
    # sync, as in the README's production command. gthread keeps connections alive, but
    # each stays with the worker that accepted it, and a burst of new connections tends
    # to land on one worker: the figures then measure one process, at random.
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument("--concurrency", type=int, default=16, help="HTTP clients")
    parser.add_argument("--participants", type=int, default=64)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds not counted")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the whole comparison; the best round of each counts")
    parser.add_argument("--port", type=int, default=8710)
    return parser.parse_args(argv)


def _free_port(port: int) -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use")
    return port


def _wait_ready(port: int, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def _serve(name: str, args, port: int) -> subprocess.Popen:
    target, variable = APPS[name]
    env = dict(os.environ, **{variable: sqlalchemy_url(args.database_url)},
               BENCH_POOL_SIZE=str(args.threads), DIARY_SMS_SENDER="console")
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers", str(args.workers), "--worker-class", args.worker_class,
        "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}",
        "--keep-alive", "30", "--log-level", "warning", target,
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own command


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _cpu_seconds(pids) -> float:
    """Return the user + system CPU seconds used so far by these processes."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _children(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rpartition(")")[2].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return pids


def _query(url: str, sql: str, database: str | None = None, **params) -> list:
    target = sa.engine.make_url(sqlalchemy_url(url))
    engine = sa.create_engine(target.set(database=database or target.database))
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params).scalars())
    finally:
        engine.dispose()


def _database_backends(url: str) -> list[int]:
    """Return the pids of the PostgreSQL backends serving the benchmark database now."""
    name = sa.engine.make_url(sqlalchemy_url(url)).database
    return _query(url, "SELECT pid FROM pg_stat_activity WHERE datname = :name", "postgres",
                  name=name)


def _check_rows(url: str, result: LoadResult) -> None:
    """Fail unless every 201 left exactly one entry and one audit event behind."""
    entries, events = _query(url, "SELECT count(*) FROM dose_entry UNION ALL "
                                  "SELECT count(*) FROM audit_event WHERE action = 'dose.recorded'")
    if entries != result.created or events != result.created:
        raise SystemExit(f"{result.created} answered 201 but {entries} entries and "
                         f"{events} audit events were written")


def measure(name: str, args) -> LoadResult:
    """Make a fresh database, serve one app on it, drive it, stop it."""
    phones = prepare(args.database_url, args.participants)
    port = _free_port(args.port)
    server = _serve(name, args, port)
    try:
        _wait_ready(port, server)
        cpu_before = _cpu_seconds(_children(server.pid))
        result = run_load(port, phones, concurrency=args.concurrency, warmup=args.warmup,
                          duration=args.duration)
        result.server_cpu_seconds = _cpu_seconds(_children(server.pid)) - cpu_before
        # The servers' pools connect after start-up, so their backends' whole lives are
        # the load (/healthz touches no database).
        result.database_cpu_seconds = _cpu_seconds(_database_backends(args.database_url))
    finally:
        _stop(server)
    _check_rows(args.database_url, result)
    return result


def _line(name: str, result: LoadResult) -> str:
    others = {s: n for s, n in result.statuses.items() if s != 201}
    p50, p95 = result.percentile(0.5) * 1000, result.percentile(0.95) * 1000
    return (f"{name:<9} {result.per_second:8.1f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
            f"   {result.ok} x 201   CPU/req: workers"
            f" {result.cpu_ms(result.server_cpu_seconds):.2f} ms, PostgreSQL"
            f" {result.cpu_ms(result.database_cpu_seconds):.2f} ms, load generator"
            f" {result.cpu_ms(result.client_cpu_seconds):.2f} ms"
            + (f"   other answers {others}" if others else "")
            + (f"   reconnects {result.reconnects}" if result.reconnects else ""))


def main(argv=None) -> None:
    args = _arguments(argv)
    names = [n.strip() for n in args.apps.split(",") if n.strip()]
    print(f"dose write: {args.workers} x {args.worker_class} worker(s), {args.threads} "
          f"thread(s) each; {args.concurrency} clients; {args.participants} phones; "
          f"{args.warmup:g} s warm-up, {args.duration:g} s measured; nproc {os.cpu_count()}",
          flush=True)
    best: dict[str, LoadResult] = {}
    for round_number in range(1, args.rounds + 1):
        for name in names:
            result = measure(name, args)
            print(f"round {round_number}: {_line(name, result)}", flush=True)
            if name not in best or result.per_second > best[name].per_second:
                best[name] = result
    print()
    for name in names:
        print(_line(name, best[name]))
    if "ours" in best and "baseline" in best and best["baseline"].per_second:
        print(f"ratio ours/baseline: {best['ours'].per_second / best['baseline'].per_second:.2f}x"
              " (goal 0.80x)")


if __name__ == "__main__":
    main()
