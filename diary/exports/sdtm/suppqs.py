"""SUPPQS and the other SUPP-- datasets: qualifiers attached to one record by its --SEQ."""

from diary.exports.sdtm.subject import Qualifier

# An attribute scored 0 without being asked, because the item's first answer was 0.
IMPUTED = ("QSIMPUT", "Zero Imputed After a First Answer of 0")
# A value of the record that the XPT file carries as a marker (see diary.exports.sdtm.xpt).
NON_ASCII = ("NONASCII", "Non-ASCII Text Replaced in XPT")


def imputed() -> Qualifier:
    """Return the qualifier of a PRO-CTCAE score imputed as 0 (not answered)."""
    return Qualifier(*IMPUTED, "Y", "DERIVED")


def non_ascii(variables: list[str]) -> Qualifier:
    """Return the qualifier naming the variables whose non-ASCII text the XPT replaced."""
    return Qualifier(*NON_ASCII, " ".join(variables), "ASSIGNED")


def supp_row(values: dict, domain: str, seq: int, qualifier: Qualifier) -> dict:
    """Return the SUPP-- row of a qualifier of the record ``values`` (its --SEQ is ``seq``)."""
    return {
        "STUDYID": values["STUDYID"],
        "RDOMAIN": domain,
        "USUBJID": values["USUBJID"],
        "IDVAR": f"{domain}SEQ",
        "IDVARVAL": str(seq),
        "QNAM": qualifier.qnam,
        "QLABEL": qualifier.qlabel,
        "QVAL": qualifier.qval,
        "QORIG": qualifier.qorig,
        "QEVAL": "",
    }
