"""PRO-CTCAE: the item library this service knows and the composite grade of an answer.

Both tables are published reference data (``diary/data``, with their sources), read once
on first use. A composite grade (0-3) is not a CTCAE grade: those are set by staff.
"""

import csv
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from diary.paths import DATA_DIR

FREQUENCY, SEVERITY, INTERFERENCE, PRESENCE = "frequency", "severity", "interference", "presence"
# The order PRO-CTCAE asks them in: the first one asked is the one whose 0 (never, none)
# makes the others 0 (zero imputation).
SCORED = (FREQUENCY, SEVERITY, INTERFERENCE)
MAX_SCORE = 4
MAX_GRADE = 3


@dataclass(frozen=True)
class LibraryItem:
    """One PRO-CTCAE item: its NCI item-library number, term and attributes, as published."""

    number: int
    term: str
    attributes: tuple[str, ...]

    @property
    def key(self) -> str:
        """Return the item's stable key: its term, lower case, words joined by "_"."""
        return item_key(self.term)


def item_key(term: str) -> str:
    """Return the key of a term: "Pain in abdomen" -> "pain_in_abdomen"."""
    return re.sub(r"[^a-z0-9]+", "_", term.lower()).strip("_")


@functools.cache
def library() -> dict[int, LibraryItem]:
    """Return the PRO-CTCAE items of ``pro-ctcae-imatinib-items.csv`` by item number."""
    with (DATA_DIR / "pro-ctcae-imatinib-items.csv").open(encoding="utf-8", newline="") as f:
        return {
            int(row["item"]): LibraryItem(int(row["item"]), row["term"],
                                          tuple(row["attributes"].split()))
            for row in csv.DictReader(f)
        }


@functools.cache
def composite_table() -> dict[tuple[int | None, int | None, int | None], int]:
    """Return the composite grading table: (frequency, severity, interference) -> grade.

    An attribute an item does not have is None (an empty cell in the published table).
    """
    with (DATA_DIR / "pro-ctcae-composite-grades.csv").open(encoding="utf-8", newline="") as f:
        return {
            tuple(int(row[name]) if row[name] != "" else None for name in SCORED):
                int(row["composite_grade"])
            for row in csv.DictReader(f)
        }


def gradable_sets() -> frozenset[tuple[str, ...]]:
    """Return the attribute sets the table grades, each in the order PRO-CTCAE asks them."""
    return frozenset(
        tuple(name for name, score in zip(SCORED, key, strict=True) if score is not None)
        for key in composite_table()
    )


def composite_grade(scores: Mapping[str, int]) -> int:
    """Return the composite grade (0-3) of one item's scores, by attribute name.

    A presence item ("did you have any rash?") has no row in the table: yes is grade 1,
    no is 0 (our reading: a symptom present, its severity unknown, is at least mild).
    Raises KeyError for scores the table has no row for (a programming error: answers
    are checked before they are graded).
    """
    if set(scores) == {PRESENCE}:
        return 1 if scores[PRESENCE] else 0
    unknown = set(scores) - set(SCORED)
    if unknown:
        raise KeyError(f"not graded by PRO-CTCAE: {sorted(unknown)}")
    return composite_table()[tuple(scores.get(name) for name in SCORED)]
