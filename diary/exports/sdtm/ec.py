"""EC (Exposure as Collected): the diary's dose entries, one record per dose day.

Which days have a record:

- an expected day (prescribed, not held) with an entry: taken is ECOCCUR "Y" with the
  mg taken in ECDOSE; missed is ECOCCUR "N" with ECREASOC and no ECDOSE (a dose of 0
  would claim an administration that did not happen);
- a dose taken on a held day: it happened, so it is recorded (ECOCCUR "Y");
- an expected day with no entry (unreported) has **no record**: EC holds what was
  collected, and the adherence report counts unreported days apart from missed ones;
- a missed entry on a held day has no record either: no dose was expected.

ECSTDTC's date is the participant's local dose day; the time of intake is added when it
falls on that same local day.
"""

from collections.abc import Iterator

from diary.exports.sdtm.subject import (
    DomainBuilder,
    Qualifier,
    Record,
    Subject,
    local_dtc,
    number,
)
from diary.rules.regimen import prescribed_mg_on

# The diary's missed reasons (diary.models.dose_entry.MISSED_REASONS), as ECREASOC says them.
MISSED_REASONS = {
    "forgot": "FORGOT",
    "side_effects": "ADVERSE EVENT",
    "held_by_doctor": "PHYSICIAN DECISION",
    "no_supply": "NO SUPPLY",
    "other": "OTHER",
}
VOMITED = ("ECVOMIT", "Dose Vomited")


def reason_occur(dose) -> str:
    """Return ECREASOC of a missed dose: the coded reason, or the participant's own words."""
    if dose.missed_reason == "other" and (dose.missed_reason_text or "").strip():
        return dose.missed_reason_text.strip()
    return MISSED_REASONS.get(dose.missed_reason or "", "NOT GIVEN")


def start(subject: Subject, dose) -> str:
    """Return ECSTDTC: the local dose day, with the local time of intake on that day."""
    return local_dtc(dose.taken_at, dose.dose_date, subject.timezone)


def included(subject: Subject, dose) -> bool:
    """Say whether a day's entry gets an EC record (see the module's docstring)."""
    expected = prescribed_mg_on(dose.dose_date, subject.steps, subject.holds) is not None
    return expected or dose.status == "taken"


def record(subject: Subject, dose) -> Record:
    """Return the EC record of one day's entry."""
    taken = dose.status == "taken"
    day = subject.day(dose.dose_date)
    values = {
        **subject.ids("EC"),
        "ECTRT": subject.drug.upper(),
        "ECMOOD": "PERFORMED",
        "ECPRESP": "Y",
        "ECOCCUR": "Y" if taken else "N",
        "ECREASOC": "" if taken else reason_occur(dose),
        "ECDOSE": number(dose.dose_mg) if taken else None,
        "ECDOSU": "mg",
        "ECDOSFRQ": "QD",
        "ECROUTE": subject.route.upper(),
        "ECSTDTC": start(subject, dose),
        "ECENDTC": start(subject, dose),
        "ECSTDY": day,
        "ECENDY": day,
    }
    supp = [Qualifier(*VOMITED, "Y", "CRF")] if taken and dose.vomited else []
    return Record(values, supp)


def records(subject: Subject) -> Iterator[Record]:
    """Yield the subject's EC records by dose day."""
    for dose in sorted(subject.doses, key=lambda entry: entry.dose_date):
        if included(subject, dose):
            yield record(subject, dose)


class EC(DomainBuilder):
    domain = "EC"

    def records(self, subject: Subject) -> Iterator[Record]:
        return records(subject)
