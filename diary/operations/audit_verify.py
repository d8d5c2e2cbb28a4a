"""Recompute every audit chain and name the first link of each that does not fit."""

from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent
from diary.rules.audit_chain import HASHED_FIELDS, Break, first_break

_COLUMNS = [getattr(AuditEvent, name) for name in ("id", *HASHED_FIELDS, "prev_hash", "hash")]


def link_of(event: AuditEvent) -> dict:
    """Return an event as a chain link for ``diary.rules.audit_chain.first_break``."""
    return {column.key: getattr(event, column.key) for column in _COLUMNS}


def _links() -> Iterator[dict]:
    # Streamed in chain order, a thousand rows at a time: the trail only grows.
    result = db.session.execute(
        select(*_COLUMNS).order_by(AuditEvent.chain, AuditEvent.seq)
        .execution_options(yield_per=1000)
    )
    for row in result.mappings():
        yield dict(row)


def verify_chains() -> tuple[int, int, list[Break]]:
    """Check every chain: return how many chains and events were read, and each break.

    A chain's break is its first link that does not fit (a deleted or altered event);
    links after it are not reported, as each depends on the one before.
    """
    chains = events = 0
    breaks = []
    for _, links in groupby(_links(), key=lambda link: link["chain"]):
        chains += 1
        counted = _Counted(links)
        broken = first_break(counted)
        if broken is not None:
            breaks.append(broken)
            counted.drain()
        events += counted.count
    db.session.rollback()  # read only; end the transaction the stream held open
    return chains, events, breaks


class _Counted:
    """An iterator that counts what passes through it."""

    def __init__(self, items):
        self._items, self.count = iter(items), 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self._items)
        self.count += 1
        return item

    def drain(self) -> None:
        for _ in self:
            pass
