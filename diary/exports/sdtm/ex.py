"""EX (Exposure), derived from EC: the doses that were taken, in protocol units."""

from collections.abc import Iterator

from diary.exports.sdtm import ec
from diary.exports.sdtm.subject import DomainBuilder, Record, Subject


def from_ec(collected: Record) -> Record | None:
    """Return the EX record of an EC record, or None for a dose that did not occur."""
    values = collected.values
    if values["ECOCCUR"] != "Y":
        return None
    renamed = {"EX" + name[2:]: values[name] for name in (
        "ECTRT", "ECDOSE", "ECDOSU", "ECDOSFRQ", "ECROUTE", "ECSTDTC", "ECENDTC", "ECSTDY",
        "ECENDY")}
    return Record({"STUDYID": values["STUDYID"], "DOMAIN": "EX",
                   "USUBJID": values["USUBJID"], **renamed})


class EX(DomainBuilder):
    domain = "EX"

    def records(self, subject: Subject) -> Iterator[Record]:
        for collected in ec.records(subject):
            exposure = from_ec(collected)
            if exposure is not None:
                yield exposure
