"""QS (Questionnaires): every answer of symptom reports, one record per attribute.

PRO-CTCAE items (QSCAT "PRO-CTCAE"): QSTESTCD is "PRO" + the NCI item-library number +
the attribute's initial ("PRO009F": nausea, frequency); QSORRES the verbal answer,
QSSTRESN its 0-4 score (presence: 0 no, 1 yes). An attribute not asked because the first
answer was 0 ("never") is scored 0 (zero imputation): it has no QSORRES, QSSTRESN 0, and a
SUPPQS flag (``suppqs``).

The study's own scored items (``[[symptoms.study_items]]``: muscle cramps, swelling around
the eyes) are not PRO-CTCAE, so they carry a category of their own (``STUDY_CATEGORY``),
never "PRO-CTCAE". They are asked with PRO-CTCAE's questions and answers, so they are
written the same way (verbal answer, 0-4 score, zero imputation, 7-day recall); the
QSTESTCD is the first seven letters and digits of the key and the attribute's initial
("MUSCLECF": muscle_cramps, frequency). A measured item (body weight) is a vital sign and
goes to VS (``diary.exports.sdtm.vs``), not here. No SDTM name is cut to fit: a code two
items would share is refused (``XptError``), and the XPT guards (``xpt.check_values``)
refuse a QSTEST over 40 characters.
"""

from collections.abc import Iterator

from diary.exports.sdtm import suppqs
from diary.exports.sdtm.subject import DomainBuilder, Record, Subject, local_dtc
from diary.exports.sdtm.xpt import XptError
from diary.rules.symptom_items import CODE_STEM, SymptomItem, code_stem

CATEGORY = "PRO-CTCAE"
# Sponsor-defined: the study file's own items, graded as if PRO-CTCAE, but not PRO-CTCAE.
STUDY_CATEGORY = "SPONSOR-DEFINED SYMPTOM ITEMS"
# The PRO-CTCAE response options, by attribute, in score order (0-4).
ANSWERS = {
    "frequency": ("Never", "Rarely", "Occasionally", "Frequently", "Almost constantly"),
    "severity": ("None", "Mild", "Moderate", "Severe", "Very severe"),
    "interference": ("Not at all", "A little bit", "Somewhat", "Quite a bit", "Very much"),
    "presence": ("No", "Yes"),
}
# PRO-CTCAE asks about the past 7 days; so do the study's scored items (the same questions).
RECALL = "-P7D"
# SDTM --TESTCD: at most 8 letters and digits, starting with a letter (keys start with one).
CODE_LENGTH = 8


def test_code(item_number: int, attribute: str) -> str:
    """Return QSTESTCD: "PRO009F" for item 9's frequency."""
    return f"PRO{item_number:03d}{attribute[0].upper()}"


def test_name(term: str, attribute: str) -> str:
    """Return QSTEST: "Nausea Frequency" (at most 40 characters)."""
    return f"{term} {attribute.capitalize()}"[:40]


def study_test_code(item: SymptomItem, attribute: str) -> str:
    """Return a scored study item's QSTESTCD: "MUSCLECF" (muscle_cramps, frequency)."""
    return code_stem(item.key)[:CODE_STEM] + attribute[0].upper()


def study_test_name(item: SymptomItem, attribute: str) -> str:
    """Return a scored study item's QSTEST: "Muscle cramps Frequency" (not cut)."""
    return f"{item.term} {attribute.capitalize()}"


def item_codes(items: dict[str, SymptomItem]) -> dict[tuple[str, str], str]:
    """Return QSTESTCD by (item key, attribute) for every scored item; refuse a code twice."""
    codes, owners = {}, {}
    for item in items.values():
        if not item.graded:  # a measurement: VS
            continue
        for attribute in item.attributes:
            code = (test_code(item.pro_ctcae_item, attribute) if item.pro_ctcae_item
                    else study_test_code(item, attribute))
            if code in owners:  # the study file's check prevents it between study items
                raise XptError(f"QS: QSTESTCD {code} would stand for both {owners[code]} "
                               f"and {item.key} {attribute} ({CODE_LENGTH} characters).")
            owners[code] = f"{item.key} {attribute}"
            codes[(item.key, attribute)] = code
    return codes


def record(subject: Subject, report, item, score, code: str | None = None) -> Record:
    """Return the QS record of one attribute's score in one report."""
    answered = not score.imputed
    pro = item.pro_ctcae_item is not None
    values = {
        **_common(subject, report, item),
        "QSTESTCD": code or test_code(item.pro_ctcae_item, score.attribute),
        "QSTEST": (test_name(item.term, score.attribute) if pro
                   else study_test_name(item, score.attribute)),
        "QSORRES": ANSWERS[score.attribute][score.score] if answered else "",
        "QSSTRESC": str(score.score),
        "QSSTRESN": score.score,
        "QSEVLINT": RECALL,
    }
    return Record(values, [] if answered else [suppqs.imputed()])


def _common(subject: Subject, report, item: SymptomItem) -> dict:
    pro = item.pro_ctcae_item is not None
    return {
        **subject.ids("QS"),
        "QSGRPID": f"{report.id}-{item.pro_ctcae_item if pro else item.key}",
        "QSCAT": CATEGORY if pro else STUDY_CATEGORY,
        "QSSCAT": item.term.upper(),
        "QSDTC": local_dtc(report.recorded_at, report.report_date, subject.timezone),
        "QSDY": subject.day(report.report_date),
    }


def records(subject: Subject) -> Iterator[Record]:
    """Yield the QS records of the subject's reports, by report and item."""
    codes = item_codes(subject.items)
    for report in sorted(subject.reports, key=lambda r: (r.report_date, r.id)):
        for answer in report.answers:
            item = subject.items.get(answer.item_key)
            if item is None:
                continue
            if not item.graded:  # a weight: VS
                continue
            for score in answer.scores:
                yield record(subject, report, item, score, codes[(item.key, score.attribute)])


class QS(DomainBuilder):
    domain = "QS"

    def records(self, subject: Subject) -> Iterator[Record]:
        return records(subject)
