"""AE (Adverse Events): each event's current version, coded with CDISC terminology.

Dates keep the precision they were recorded with ("2026-03" stays "2026-03", never a
guessed day); a study day is given only for a full date, never day 0.
"""

from collections.abc import Iterator
from datetime import date

from diary.exports.sdtm.subject import DomainBuilder, Record, Subject, yes_no

# CDISC CT codelist ACN (Action Taken with Study Treatment).
ACTIONS = {
    "none": "DOSE NOT CHANGED",
    "dose_reduced": "DOSE REDUCED",
    "interrupted": "DRUG INTERRUPTED",
    "withdrawn": "DRUG WITHDRAWN",
}
# CDISC CT codelist OUT (Outcome of Event).
OUTCOMES = {
    "recovered": "RECOVERED/RESOLVED",
    "recovering": "RECOVERING/RESOLVING",
    "not_recovered": "NOT RECOVERED/NOT RESOLVED",
    "recovered_with_sequelae": "RECOVERED/RESOLVED WITH SEQUELAE",
    "fatal": "FATAL",
    "unknown": "UNKNOWN",
}
# AEREL has no CDISC codelist (sponsor-defined): the diary's five-point scale.
RELATEDNESS = {
    "not_related": "NOT RELATED",
    "unlikely": "UNLIKELY RELATED",
    "possible": "POSSIBLY RELATED",
    "probable": "PROBABLY RELATED",
    "definite": "RELATED",
}
# ICH E2A criteria (diary.models.adverse_event_version) and their SDTM flags.
SERIOUSNESS_FLAGS = {
    "death": "AESDTH",
    "life_threatening": "AESLIFE",
    "hospitalisation": "AESHOSP",
    "disability": "AESDISAB",
    "congenital_anomaly": "AESCONG",
    "important_medical_event": "AESMIE",
}


def study_day_of(subject: Subject, text: str | None, precision: str | None) -> int | None:
    """Return the study day of a recorded date, or None when it is partial or absent."""
    if not text or precision != "day":
        return None
    return subject.day(date.fromisoformat(text))


def record(subject: Subject, version) -> Record:
    """Return the AE record of an event's current version."""
    criteria = set(version.seriousness or ())
    flags = {flag: yes_no(name in criteria) for name, flag in SERIOUSNESS_FLAGS.items()}
    return Record({
        **subject.ids("AE"),
        "AESPID": str(version.adverse_event_id),
        "AETERM": version.verbatim_term or version.ctcae_term or "",
        # Coded to the study's CTCAE v5 list (MedDRA lowest level terms); empty if not.
        "AEDECOD": version.ctcae_term or "",
        "AETOXGR": str(version.grade),
        "AESER": yes_no(version.serious),
        **flags,
        "AEREL": RELATEDNESS[version.relatedness],
        "AEACN": ACTIONS[version.action],
        "AEOUT": OUTCOMES[version.outcome],
        "AESTDTC": version.onset_date,
        "AEENDTC": version.end_date or "",
        "AESTDY": study_day_of(subject, version.onset_date, version.onset_precision),
        "AEENDY": study_day_of(subject, version.end_date, version.end_precision),
    })


class AE(DomainBuilder):
    domain = "AE"

    def records(self, subject: Subject) -> Iterator[Record]:
        for version in sorted(subject.adverse_events, key=lambda v: v.adverse_event_id):
            yield record(subject, version)
