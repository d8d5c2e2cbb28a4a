"""The audit trail's hash chains, as plain values: what a link's hash covers, and checking.

Every audit event is a link in one chain: a participant's ("participant:<id>") or the
staff chain ("staff") for events that concern no participant. A link's hash is SHA-256
over a canonical JSON of its fields and the hash of the link before it, so changing a
stored event, or deleting one, breaks the chain from that link on: the check that
recomputes every hash names the first link that no longer fits (21 CFR Part 11
§11.10(e), audit trails that cannot be altered unseen). One chain per participant keeps
writes for different participants from waiting on each other.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

STAFF_CHAIN = "staff"
# The prev_hash of the first link of every chain.
GENESIS = "0" * 64

# What a link's hash covers: every stored field of the event but its id (assigned by the
# database after the hash is known) and the hash itself.
HASHED_FIELDS = ("chain", "seq", "occurred_at", "actor_type", "actor_id", "action",
                 "entity_type", "entity_id", "participant_id", "before", "after", "reason",
                 "request_id")


def chain_of(participant_id: int | None) -> str:
    """Return the chain an event belongs to: its participant's, or the staff chain."""
    return STAFF_CHAIN if participant_id is None else f"participant:{participant_id}"


def _instant(value: datetime) -> str:
    # One spelling whatever the database gives back: UTC, always with microseconds.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(fields: dict, prev_hash: str) -> bytes:
    """Return the bytes a link's hash is taken over: sorted keys, no spaces, UTF-8."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    values["occurred_at"] = _instant(values["occurred_at"])
    values["prev_hash"] = prev_hash
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def link_hash(fields: dict, prev_hash: str) -> str:
    """Return the hex SHA-256 of a link with these fields after ``prev_hash``."""
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first link of a chain that does not fit, and why."""

    chain: str
    seq: int
    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"chain {self.chain}, seq {self.seq}, event {self.event_id}: {self.problem}"


def first_break(links: Iterable[dict]) -> Break | None:
    """Return the first broken link of one chain's links, given in ``seq`` order.

    Each link is a dict of the hashed fields plus ``id``, ``prev_hash`` and ``hash``. A
    missing link shows as a gap in ``seq`` (or, had seq been rewritten too, as a
    ``prev_hash`` that is not the hash before it); an edited one as a hash that no
    longer matches its fields.
    """
    expected_seq, expected_prev = 1, GENESIS
    for link in links:
        def broken(problem: str, link=link) -> Break:
            return Break(link["chain"], link["seq"], link["id"], problem)
        if link["seq"] != expected_seq:
            return broken(f"seq {expected_seq} is missing (a deleted event)"
                          if link["seq"] > expected_seq else f"seq expected {expected_seq}")
        if link["prev_hash"] != expected_prev:
            return broken("prev_hash is not the hash of the link before it")
        if link_hash(link, link["prev_hash"]) != link["hash"]:
            return broken("the hash does not match the event's fields (an altered event)")
        expected_seq, expected_prev = link["seq"] + 1, link["hash"]
    return None
