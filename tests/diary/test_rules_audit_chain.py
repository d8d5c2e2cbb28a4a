"""The audit chain's hashes and its check, on plain values."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from diary.rules.audit_chain import GENESIS, chain_of, first_break, link_hash


def _event(seq: int, **changes) -> dict:
    return {"chain": "participant:7", "seq": seq,
            "occurred_at": datetime(2026, 3, 1, 3, 0, seq, 250, tzinfo=UTC),
            "actor_type": "participant", "actor_id": 7, "action": "dose.recorded",
            "entity_type": "dose_entry", "entity_id": 100 + seq, "participant_id": 7,
            "before": None, "after": {"status": "taken", "dose_mg": 400}, "reason": None,
            "request_id": f"req-{seq}", **changes}


def _chain(length: int) -> list[dict]:
    links, prev = [], GENESIS
    for seq in range(1, length + 1):
        link = _event(seq, id=10 * seq, prev_hash=prev)
        link["hash"] = prev = link_hash(link, prev)
        links.append(link)
    return links


def test_each_participant_has_a_chain_and_everything_else_is_the_staff_chain():
    assert (chain_of(7), chain_of(None)) == ("participant:7", "staff")


def test_the_hash_is_the_same_however_the_instant_and_keys_are_spelled():
    event = _event(1)
    seoul = timezone(timedelta(hours=9))
    same = {**dict(reversed(list(event.items()))),
            "occurred_at": event["occurred_at"].astimezone(seoul),
            "after": {"dose_mg": 400, "status": "taken"}}
    assert link_hash(same, GENESIS) == link_hash(event, GENESIS)
    assert len(link_hash(event, GENESIS)) == 64


@pytest.mark.parametrize("field, value", [
    ("after", {"status": "missed", "dose_mg": 400}), ("reason", "x"), ("actor_id", 8),
    ("occurred_at", datetime(2026, 3, 1, 3, 0, 1, 251, tzinfo=UTC)), ("seq", 2),
])
def test_any_changed_field_or_previous_hash_changes_the_hash(field, value):
    event = _event(1)
    assert link_hash({**event, field: value}, GENESIS) != link_hash(event, GENESIS)
    assert link_hash(event, "1" * 64) != link_hash(event, GENESIS)


def test_an_intact_chain_has_no_break():
    assert first_break(_chain(4)) is None
    assert first_break([]) is None


def _altered(links, index, **changes):
    links[index] = {**links[index], **changes}
    return links


@pytest.mark.parametrize("links, seq, problem", [
    (_altered(_chain(4), 2, reason="rewritten"), 3, "altered"),
    ([link for link in _chain(4) if link["seq"] != 2], 3, "seq 2 is missing"),
    (_chain(4)[1:], 2, "seq 1 is missing"),
    (_altered(_chain(4), 1, prev_hash="f" * 64), 2, "prev_hash"),
    # Deleted, and the seq of those after it rewritten to hide the gap.
    ([_chain(3)[0], {**_chain(3)[2], "seq": 2}], 2, "prev_hash"),
])
def test_the_first_link_that_does_not_fit_is_named(links, seq, problem):
    broken = first_break(links)
    assert (broken.chain, broken.seq) == ("participant:7", seq)
    assert broken.event_id == next(link["id"] for link in links if link["seq"] == seq)
    assert problem in str(broken)
