"""Committing a write of a versioned clinical record (adverse events, assessments, vital status)."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from diary.errors import Conflict
from diary.extensions import db

T = TypeVar("T")


def commit_version(raced: str, write: Callable[..., T], *args) -> T:
    """Run ``write(*args)`` and commit; a write that raced another one is a 409 (``raced``).

    Two new versions of one record at once (SQLite has no row lock to queue them): the
    partial unique index on the current version keeps one, and the second is refused.
    """
    try:
        record = write(*args)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(raced) from None
    return record
