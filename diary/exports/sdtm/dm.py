"""DM (Demographics): one record per participant."""

from collections.abc import Iterator

from diary.exports.sdtm.subject import DomainBuilder, Record, Subject


def record(subject: Subject, last_dose_day=None) -> Record:
    """Return a subject's DM record.

    RFSTDTC is the enrolment date (study day 1); RFENDTC the last day a dose was taken,
    empty while none was. SEX and AGE stay empty for a participant enrolled before the
    diary asked: not recorded is not the same as "U" (unknown) reported.
    """
    return Record({
        **subject.ids("DM"),
        "SUBJID": subject.subjid,
        "RFSTDTC": subject.enrolled_on.isoformat(),
        "RFENDTC": last_dose_day.isoformat() if last_dose_day else "",
        "SITEID": subject.siteid,
        "AGE": subject.age,
        "AGEU": "YEARS" if subject.age is not None else "",
        "SEX": subject.sex or "",
        "ARMCD": subject.arm_code,
        "ARM": subject.arm_name,
        # A single-arm study: everyone is treated as planned.
        "ACTARMCD": subject.arm_code,
        "ACTARM": subject.arm_name,
        "COUNTRY": subject.country,
    })


def last_dose_day(subject: Subject):
    """Return the last local day a dose was taken, or None."""
    taken = [dose.dose_date for dose in subject.doses if dose.status == "taken"]
    return max(taken, default=None)


class DM(DomainBuilder):
    domain = "DM"

    def records(self, subject: Subject) -> Iterator[Record]:
        yield record(subject, last_dose_day(subject))
