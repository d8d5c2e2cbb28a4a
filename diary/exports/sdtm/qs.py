"""QS (Questionnaires): the PRO-CTCAE answers of symptom reports, one record per attribute.

QSTESTCD is "PRO" + the NCI item-library number + the attribute's initial ("PRO009F":
nausea, frequency); QSORRES the verbal answer, QSSTRESN its 0-4 score (presence: 0 no,
1 yes). An attribute not asked because the first answer was 0 ("never") is scored 0
(zero imputation): it has no QSORRES, QSSTRESN 0, and a SUPPQS flag (``suppqs``).
The study's own items (not PRO-CTCAE) and measurements are not in QS.
"""

from collections.abc import Iterator

from diary.exports.sdtm import suppqs
from diary.exports.sdtm.subject import DomainBuilder, Record, Subject, local_dtc

CATEGORY = "PRO-CTCAE"
# The PRO-CTCAE response options, by attribute, in score order (0-4).
ANSWERS = {
    "frequency": ("Never", "Rarely", "Occasionally", "Frequently", "Almost constantly"),
    "severity": ("None", "Mild", "Moderate", "Severe", "Very severe"),
    "interference": ("Not at all", "A little bit", "Somewhat", "Quite a bit", "Very much"),
    "presence": ("No", "Yes"),
}
# PRO-CTCAE asks about the past 7 days.
RECALL = "-P7D"


def test_code(item_number: int, attribute: str) -> str:
    """Return QSTESTCD: "PRO009F" for item 9's frequency."""
    return f"PRO{item_number:03d}{attribute[0].upper()}"


def test_name(term: str, attribute: str) -> str:
    """Return QSTEST: "Nausea Frequency" (at most 40 characters)."""
    return f"{term} {attribute.capitalize()}"[:40]


def record(subject: Subject, report, item, score) -> Record:
    """Return the QS record of one attribute's score in one report."""
    answered = not score.imputed
    values = {
        **subject.ids("QS"),
        "QSGRPID": f"{report.id}-{item.pro_ctcae_item}",
        "QSTESTCD": test_code(item.pro_ctcae_item, score.attribute),
        "QSTEST": test_name(item.term, score.attribute),
        "QSCAT": CATEGORY,
        "QSSCAT": item.term.upper(),
        "QSORRES": ANSWERS[score.attribute][score.score] if answered else "",
        "QSSTRESC": str(score.score),
        "QSSTRESN": score.score,
        "QSEVLINT": RECALL,
        "QSDTC": local_dtc(report.recorded_at, report.report_date, subject.timezone),
        "QSDY": subject.day(report.report_date),
    }
    return Record(values, [] if answered else [suppqs.imputed()])


def records(subject: Subject) -> Iterator[Record]:
    """Yield the QS records of the subject's reports, by report and item."""
    for report in sorted(subject.reports, key=lambda r: (r.report_date, r.id)):
        for answer in report.answers:
            item = subject.items.get(answer.item_key)
            if item is None or item.pro_ctcae_item is None:
                continue
            for score in answer.scores:
                yield record(subject, report, item, score)


class QS(DomainBuilder):
    domain = "QS"

    def records(self, subject: Subject) -> Iterator[Record]:
        return records(subject)
