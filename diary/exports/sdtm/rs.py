"""RS (Disease Response): RECIST 1.1 overall responses at tumour assessment visits.

Written against plain rows (``AssessmentRow``): the export includes RS when it is given
a function that returns a participant's assessments (``RS(assessment_rows)``).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from diary.exports.sdtm.subject import DomainBuilder, Record, Subject

# RECIST 1.1 overall responses (CDISC CT codelist ONCRSR).
RESPONSES = {"CR", "PR", "SD", "PD", "NE"}


@dataclass(frozen=True)
class AssessmentRow:
    """One tumour assessment: whose, the visit date and the overall response code."""

    participant_id: int
    visit_date: date
    response: str


def record(subject: Subject, row: AssessmentRow) -> Record:
    """Return the RS record of one assessment."""
    if row.response not in RESPONSES:
        raise ValueError(f"not a RECIST 1.1 overall response: {row.response!r}")
    return Record({
        **subject.ids("RS"),
        "RSTESTCD": "OVRLRESP",
        "RSTEST": "Overall Response",
        "RSCAT": "RECIST 1.1",
        "RSORRES": row.response,
        "RSSTRESC": row.response,
        "RSEVAL": "INVESTIGATOR",
        "RSDTC": row.visit_date.isoformat(),
        "RSDY": subject.day(row.visit_date),
    })


def records(subject: Subject, rows: Iterable[AssessmentRow]) -> Iterator[Record]:
    """Yield the RS records of a subject's assessments, by visit date."""
    for row in sorted(rows, key=lambda r: r.visit_date):
        yield record(subject, row)


class RS(DomainBuilder):
    """RS, from ``assessment_rows(subject)``: the subject's assessments as plain rows."""

    domain = "RS"

    def __init__(self, assessment_rows: Callable[[Subject], Iterable[AssessmentRow]]):
        self.assessment_rows = assessment_rows

    def records(self, subject: Subject) -> Iterator[Record]:
        return records(subject, self.assessment_rows(subject))
