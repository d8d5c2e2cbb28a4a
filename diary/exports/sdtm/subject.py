"""What the mappings read about one participant, and the shape of what they write."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from diary.rules.study_days import study_day


@dataclass(frozen=True)
class Qualifier:
    """A supplemental qualifier of one record (a SUPP-- row): QNAM, QLABEL, QVAL, QORIG."""

    qnam: str
    qlabel: str
    qval: str
    qorig: str = "DERIVED"


@dataclass
class Record:
    """One row of a domain, before its --SEQ is given, with its supplemental qualifiers."""

    values: dict
    supp: list[Qualifier] = field(default_factory=list)


@dataclass(frozen=True)
class Subject:
    """One participant and their records, as loaded for the export.

    The records are anything with the attributes of the models (``DoseEntry``,
    ``AdverseEventVersion``, ``SymptomReport`` with its answers and scores), so the
    mappings can be tested with plain values.
    """

    studyid: str
    subjid: str
    siteid: str
    country: str
    enrolled_on: date
    timezone: str
    sex: str | None
    age: int | None
    arm_code: str
    arm_name: str
    drug: str
    route: str
    doses: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    holds: list = field(default_factory=list)
    adverse_events: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    assessments: list = field(default_factory=list)
    items: dict = field(default_factory=dict)
    participant_id: int | None = None

    @property
    def usubjid(self) -> str:
        """Return STUDYID-SUBJID: unique across studies."""
        return f"{self.studyid}-{self.subjid}"

    def ids(self, domain: str) -> dict:
        """Return the identifiers every row of ``domain`` starts with."""
        return {"STUDYID": self.studyid, "DOMAIN": domain, "USUBJID": self.usubjid}

    def day(self, on: date) -> int:
        """Return the study day of a date (RFSTDTC is day 1; there is no day 0)."""
        return study_day(self.enrolled_on, on)


def local_dtc(instant, day: date, timezone: str) -> str:
    """Return an ISO 8601 --DTC: the local day, with the local time when it falls on it."""
    if instant is not None:
        local = instant.astimezone(ZoneInfo(timezone))
        if local.date() == day:
            return local.strftime("%Y-%m-%dT%H:%M")
    return day.isoformat()


def number(value: Decimal | int | None) -> float | None:
    """Return a Num value: SAS numbers are doubles; None is missing."""
    return None if value is None else float(value)


def yes_no(flag: bool) -> str:
    """Return CDISC NY: "Y" or "N"."""
    return "Y" if flag else "N"


class DomainBuilder:
    """A domain the export writes: its name and the records of one subject.

    The export takes a list of these, so a domain can be added (RS, once tumour
    assessments are recorded) without changing the writer.
    """

    domain: str

    def records(self, subject: Subject) -> Iterable[Record]:
        raise NotImplementedError

    def study_records(self) -> Iterable[Record]:
        """Return the records of the study itself, once every subject is seen (TS)."""
        return ()
