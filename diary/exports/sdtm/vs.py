"""VS (Vital Signs): the body weights participants record in their symptom reports.

A weight is a vital sign, not a questionnaire answer, so it is exported where a reviewer
looks for it: VSTESTCD ``WEIGHT``, VSTEST ``Weight`` (CDISC controlled terminology),
VSORRES as recorded (``61.4``), VSORRESU and VSSTRESU ``kg``, VSSTRESN the number. The
study file's measured items are all in kg (``diary.rules.symptom_items``), so each is a
body weight. VSGRPID ties the record to its symptom report (``"7-weight_kg"``, as QSGRPID
does for the report's answers); VSDTC is the report's local date and time of recording.
"""

from collections.abc import Iterator
from decimal import Decimal

from diary.exports.sdtm.subject import DomainBuilder, Record, Subject, local_dtc, number
from diary.rules.symptom_items import KG

TEST_CODE, TEST_NAME = "WEIGHT", "Weight"


def record(subject: Subject, report, item_key: str, kg: Decimal) -> Record:
    """Return the VS record of one recorded weight."""
    text = format(kg.normalize(), "f")  # 72.50 is stored; 72.5 was written
    return Record({
        **subject.ids("VS"),
        "VSGRPID": f"{report.id}-{item_key}",
        "VSTESTCD": TEST_CODE,
        "VSTEST": TEST_NAME,
        "VSORRES": text, "VSORRESU": KG,
        "VSSTRESC": text, "VSSTRESN": number(kg), "VSSTRESU": KG,
        "VSDTC": local_dtc(report.recorded_at, report.report_date, subject.timezone),
        "VSDY": subject.day(report.report_date),
    })


def records(subject: Subject) -> Iterator[Record]:
    """Yield the VS records of the subject's reports, by report."""
    for report in sorted(subject.reports, key=lambda r: (r.report_date, r.id)):
        for answer in report.answers:
            item = subject.items.get(answer.item_key)
            if item is not None and not item.graded and answer.kg is not None:
                yield record(subject, report, item.key, answer.kg)


class VS(DomainBuilder):
    domain = "VS"

    def records(self, subject: Subject) -> Iterator[Record]:
        return records(subject)
