"""TS (Trial Summary): one record per parameter of the trial, from its study file.

FDA's technical rejection criteria ask for a TS dataset with the study start date
(SSTDTC), so the package always holds one. The parameters (CDISC controlled terminology,
codelists TSPARMCD and TSPARM) are what the study file and the participants exported say:

- SSTDTC, the study start date: the earliest enrolment among the participants exported
  (SDTMIG: the earliest informed consent; enrolment is when the diary's consent is taken);
- ACTSUB, the participants exported; PLANSUB, the study file's ``target_enrolment``;
- TITLE, SPONSOR, REGID (a ClinicalTrials.gov number), AGEMIN (ISO 8601, ``P10Y``);
- STYPE ``INTERVENTIONAL``, NARMS (a single-arm file: 1), TRT, ROUTE, DOSE, DOSU, DOSFRQ.

A parameter the file leaves out is not written, except SSTDTC, whose value is then null
with TSVALNF ``NI`` (no information: nobody exported).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from diary.exports.sdtm.subject import DomainBuilder, Record, Subject

# TSPARMCD: TSPARM, as the CDISC codelists spell them.
PARAMETERS = {
    "SSTDTC": "Study Start Date",
    "TITLE": "Trial Title",
    "SPONSOR": "Clinical Study Sponsor",
    "REGID": "Registry Identifier",
    "PLANSUB": "Planned Number of Subjects",
    "ACTSUB": "Actual Number of Subjects",
    "AGEMIN": "Planned Minimum Age of Subjects",
    "STYPE": "Study Type",
    "NARMS": "Planned Number of Arms",
    "TRT": "Investigational Therapy or Treatment",
    "ROUTE": "Route of Administration",
    "DOSE": "Dose per Administration",
    "DOSU": "Dose Units",
    "DOSFRQ": "Dosing Frequency",
}
FREQUENCIES = {1: "QD", 2: "BID", 3: "TID", 4: "QID"}
_NCT = re.compile(r"^NCT\d{8}$")


@dataclass(frozen=True)
class Trial:
    """What TS says of the trial, read from its study file (``from_study``)."""

    studyid: str
    title: str
    sponsor: str | None
    planned_subjects: int | None
    min_age_years: int | None
    drug: str
    route: str
    dose_mg: str
    doses_per_day: int

    @classmethod
    def from_study(cls, study) -> "Trial":
        definition = study.definition
        return cls(study.code, study.title, definition.get("sponsor"),
                   definition.get("target_enrolment"), definition.get("min_age_years"),
                   study.drug, study.route, format(study.dose_mg.normalize(), "f"),
                   study.doses_per_day)

    def values(self, start: date | None, subjects: int) -> Iterator[tuple[str, str, str]]:
        """Yield (TSPARMCD, TSVAL, TSVCDREF) for each parameter the trial gives."""
        yield "SSTDTC", start.isoformat() if start else "", ""
        yield "TITLE", self.title, ""
        if self.sponsor:
            yield "SPONSOR", self.sponsor, ""
        if _NCT.match(self.studyid):
            yield "REGID", self.studyid, "ClinicalTrials.gov"
        if self.planned_subjects is not None:
            yield "PLANSUB", str(self.planned_subjects), ""
        yield "ACTSUB", str(subjects), ""
        if self.min_age_years is not None:
            yield "AGEMIN", f"P{self.min_age_years}Y", "ISO 8601"
        yield "STYPE", "INTERVENTIONAL", ""
        yield "NARMS", "1", ""
        yield "TRT", self.drug.upper(), ""
        yield "ROUTE", self.route.upper(), ""
        yield "DOSE", self.dose_mg, ""
        yield "DOSU", "mg", ""
        if self.doses_per_day in FREQUENCIES:
            yield "DOSFRQ", FREQUENCIES[self.doses_per_day], ""


class TS(DomainBuilder):
    """TS for ``trial``: nothing per subject; the trial's records once all are seen."""

    domain = "TS"

    def __init__(self, trial: Trial):
        self.trial = trial
        self.start: date | None = None
        self.subjects = 0

    def records(self, subject: Subject) -> Iterable[Record]:
        self.subjects += 1
        if self.start is None or subject.enrolled_on < self.start:
            self.start = subject.enrolled_on
        return ()

    def study_records(self) -> Iterator[Record]:
        for code, value, reference in self.trial.values(self.start, self.subjects):
            yield Record({
                "STUDYID": self.trial.studyid, "DOMAIN": "TS", "TSGRPID": "",
                "TSPARMCD": code, "TSPARM": PARAMETERS[code], "TSVAL": value,
                "TSVALNF": "" if value else "NI", "TSVCDREF": reference,
            })
