"""Runs of days read off a mask equal the runs counted day by day (holds cut out)."""

from hypothesis import given
from hypothesis import strategies as st

from diary.rules.day_masks import (
    CHUNK_BITS,
    chunks_for,
    current_streak,
    expected_only,
    from_chunks,
    held_mask,
    longest_run_without,
    weighted_days,
)


def _by_day(taken: set[int], days: int, held: set[int]) -> tuple[int, int, int, int]:
    # The figures counted the plain way: walk the expected days in order.
    expected = [day for day in range(days) if day not in held]
    run = longest = 0
    for day in expected:
        run = 0 if day in taken else run + 1
        longest = max(longest, run)
    streak = 0
    for day in reversed(expected):
        if day not in taken:
            break
        streak += 1
    return sum(day in taken for day in expected), len(expected), longest, streak


holds = st.lists(st.tuples(st.integers(0, 300), st.integers(0, 40)), max_size=4)


@given(days=st.integers(0, 300), taken=st.sets(st.integers(0, 310)), spans=holds)
def test_the_masks_give_the_figures_counted_day_by_day(days, taken, spans):
    held = {day for first, length in spans for day in range(first, first + length + 1)}
    mask = sum(1 << day for day in taken)
    kept, expected = expected_only(mask, days, held_mask(
        (first, first + length) for first, length in spans))
    figures = (kept.bit_count(), expected, longest_run_without(kept, expected),
               current_streak(kept, expected))
    assert figures == _by_day(taken, days, held)


@given(taken=st.sets(st.integers(0, 400)))
def test_chunks_put_back_together_give_the_mask(taken):
    mask = sum(1 << day for day in taken)
    pieces = [mask >> (k * CHUNK_BITS) & ((1 << CHUNK_BITS) - 1) or None
              for k in range(chunks_for(401))]
    assert from_chunks(pieces) == mask


def test_a_window_with_no_days_has_no_runs():
    assert (longest_run_without(0, 0), current_streak(0, 0)) == (0, 0)
    assert expected_only(0b111, 0, 0) == (0, 0)
    assert chunks_for(0) == 1 and chunks_for(56) == 1 and chunks_for(57) == 2


@given(days=st.integers(0, 200), kept=st.sets(st.integers(0, 200)),
       starts=st.lists(st.integers(-30, 220), min_size=1, max_size=4, unique=True),
       amounts=st.lists(st.sampled_from([40000, 30000, 20000, 13333]), min_size=4, max_size=4))
def test_each_day_weighs_the_step_it_falls_in(days, kept, starts, amounts):
    steps = list(zip(sorted(starts), amounts, strict=False))
    mask = sum(1 << day for day in kept if day < days)
    by_day = sum(next(amount for first, amount in reversed(steps) if first <= day)
                 for day in range(days) if day in kept and day >= steps[0][0])
    assert weighted_days(mask, steps) == by_day
