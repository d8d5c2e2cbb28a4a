"""A window's days as the bits of an integer: bit i is the window's day i (0 = its first).

The cohort report gets, per participant, the days a dose was taken as such a mask (the
database ORs ``1 << day`` over the entries, in any order), so the runs of days need no
sort: the longest run without a dose and the current streak are read off the bits here.
Holds are taken out first, since runs count expected days only: the days either side of
a hold are neighbours.
"""

from collections.abc import Iterable, Sequence

# Days per SQL mask column: eight weeks, the most whole weeks a signed 64-bit integer
# holds; the database keeps each participant's days in blocks of as many (dose_block).
CHUNK_BITS = 56


def from_chunks(chunks: Sequence[int | None]) -> int:
    """Return the mask whose ``CHUNK_BITS``-day pieces, lowest first, are ``chunks``."""
    mask = 0
    for place, chunk in enumerate(chunks):
        if chunk:
            mask |= int(chunk) << (place * CHUNK_BITS)
    return mask


def chunks_for(days: int) -> int:
    """Return how many mask columns a window of ``days`` days needs (at least one)."""
    return max(1, -(-days // CHUNK_BITS))


def span_mask(first: int, last: int) -> int:
    """Return the mask of days ``first`` to ``last``, both included (0 when empty)."""
    if last < first:
        return 0
    return ((1 << (last - first + 1)) - 1) << first


def held_mask(holds: Iterable[tuple[int, int]]) -> int:
    """Return the mask of the held days (each hold: its first and last day, included)."""
    mask = 0
    for first, last in holds:
        mask |= span_mask(first, last)
    return mask


def expected_only(mask: int, days: int, held: int) -> tuple[int, int]:
    """Return ``mask`` with the held days cut out (later days move down), and its length."""
    if not held:
        return mask & span_mask(0, days - 1), days
    kept, length, day = 0, 0, 0
    while day < days:
        rest = held >> day
        if rest & 1:  # a hold: skip to the first day after it (the lowest 0 bit of rest)
            free = ~rest
            day += (free & -free).bit_length() - 1
            continue
        # Expected days up to the next hold (the lowest 1 bit of rest), or to the end.
        run = min((rest & -rest).bit_length() - 1 if rest else days, days - day)
        kept |= ((mask >> day) & span_mask(0, run - 1)) << length
        length, day = length + run, day + run
    return kept, length


def longest_run_without(taken: int, days: int) -> int:
    """Return the longest run of days (of ``days``) whose bit in ``taken`` is 0."""
    missing, longest = ~taken & span_mask(0, days - 1), 0
    # Each step keeps a bit only where the bit above it is set too, so every run shrinks
    # by one: the steps until nothing is left are the longest run (a few, for most).
    while missing:
        missing &= missing >> 1
        longest += 1
    return longest


def current_streak(taken: int, days: int) -> int:
    """Return how many of the last days, up to the last of ``days``, all have their bit."""
    missing = ~taken & span_mask(0, days - 1)
    return days - missing.bit_length()


def weighted_days(mask: int, steps: Sequence[tuple[int, int]]) -> int:
    """Return the sum, over the days of ``mask``, of the amount of the step each day is in.

    ``steps`` are (first day, amount), in order; each holds until the next one's first
    day. Days before the first step weigh nothing.
    """
    total = 0
    for k, (first, amount) in enumerate(steps):
        stop = steps[k + 1][0] if k + 1 < len(steps) else None
        if stop is not None and stop <= 0:
            continue
        under = mask >> max(first, 0)
        if stop is not None:
            under &= span_mask(0, stop - max(first, 0) - 1)
        total += amount * under.bit_count()
    return total
