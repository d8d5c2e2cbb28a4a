"""``replaying``: the demo's story is recorded at its own instants, then time goes on."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from diary.clock import local_today, replaying, utcnow


def test_now_is_the_replayed_instant_inside_the_block_and_real_again_after():
    story = datetime(2026, 8, 1, 0, 30, tzinfo=timezone(timedelta(hours=9)))
    with replaying(story):
        assert utcnow() == datetime(2026, 7, 31, 15, 30, tzinfo=UTC)
        assert local_today("Asia/Seoul").isoformat() == "2026-08-01"
    assert utcnow() - datetime.now(UTC) < timedelta(seconds=5)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError), replaying(datetime(2026, 8, 1)):
        pass
