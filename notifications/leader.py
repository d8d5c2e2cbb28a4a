"""Leader election for the scheduler: one process runs the jobs, any other waits.

PostgreSQL: a session-level advisory lock held on a dedicated connection for as long as
the process leads; the server drops it when the connection dies, so a crashed leader
frees the role. SQLite (one machine): an exclusive ``flock`` on a file next to the
database, released by the kernel when the process exits.
"""

import fcntl
import logging
from pathlib import Path
from typing import Protocol

from flask import Flask
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from config import INSTANCE_DIR
from diary.extensions import db

log = logging.getLogger(__name__)

# Any constant shared by every scheduler of this service: b"diarysch" as a bigint.
LEADER_LOCK_KEY = int.from_bytes(b"diarysch", "big")


class LeaderLock(Protocol):
    def acquire(self) -> bool:
        """Try once to become the leader; say whether this process now leads."""

    def still_held(self) -> bool:
        """Say whether the lock is still ours."""

    def release(self) -> None:
        """Give up the lock (harmless when not held)."""


class PostgresLeaderLock:
    """``pg_try_advisory_lock`` on a connection kept open while leading."""

    def __init__(self, engine: Engine, key: int = LEADER_LOCK_KEY):
        self.engine = engine
        self.key = key
        self._connection: Connection | None = None

    def acquire(self) -> bool:
        if self._connection is not None:
            return True
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                 {"key": self.key}).scalar()
        if got:
            self._connection = connection
        else:
            connection.close()
        return bool(got)

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            return bool(self._connection.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                     " AND pid = pg_backend_pid() AND granted")
            ).scalar())
        except DBAPIError:
            log.warning("leader lock connection lost")
            self._drop()
            return False

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        except DBAPIError:
            log.warning("leader lock connection lost before unlock")
        self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except DBAPIError:
                connection.invalidate()


class FileLeaderLock:
    """An exclusive, non-blocking ``flock`` on a lock file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def still_held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


def sqlite_lock_path(database_uri: str) -> Path:
    """Return the lock file for a SQLite database: beside its file, or in the instance dir."""
    path = database_uri.removeprefix("sqlite:///")
    if not path or path == ":memory:" or path.startswith("file:") or path == database_uri:
        return INSTANCE_DIR / "scheduler.lock"
    return Path(path).with_name(Path(path).name + ".scheduler.lock")


def leader_lock(app: Flask) -> LeaderLock:
    """Return the right leader lock for the app's database (call inside an app context)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        return PostgresLeaderLock(engine)
    return FileLeaderLock(sqlite_lock_path(app.config["SQLALCHEMY_DATABASE_URI"]))
