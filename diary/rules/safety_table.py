"""The adverse-event table a paper prints: participants by term and worst CTCAE grade.

A participant counts once per term, at the worst grade any of their events of that term
reached; percentages are of the participants in the cohort shown (the denominator).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from diary.rules.adherence import ratio

# The columns: any grade, then grades 1-2 together (mild and moderate), 3, 4 and 5.
GRADE_GROUPS = (("1-2", (1, 2)), ("3", (3,)), ("4", (4,)), ("5", (5,)))


@dataclass(frozen=True)
class Count:
    n: int
    share: Decimal | None  # n / cohort, to four places; None for an empty cohort


@dataclass(frozen=True)
class TermRow:
    term: str
    any_grade: Count
    by_group: dict[str, Count]


def worst_grade_table(events: Iterable[tuple[int, str, int]], cohort: int) -> list[TermRow]:
    """Return a row per term from ``(participant, term, grade)``, most frequent first."""
    worst: dict[str, dict[int, int]] = {}
    for participant, term, grade in events:
        seen = worst.setdefault(term, {})
        seen[participant] = max(grade, seen.get(participant, 0))
    rows = []
    for term, grades in worst.items():
        groups = {label: _count(sum(g in members for g in grades.values()), cohort)
                  for label, members in GRADE_GROUPS}
        rows.append(TermRow(term, _count(len(grades), cohort), groups))
    return sorted(rows, key=lambda row: (-row.any_grade.n, row.term))


def _count(n: int, cohort: int) -> Count:
    return Count(n, ratio(n, cohort))
