"""Every SDTM variable we write: its label, type and the longest value it may hold.

Labels follow SDTMIG 3.3 (at most 40 characters, as SAS transport version 5 allows);
``length`` is the most bytes a Char value may take (XPT v5 caps it at 200), 8 for Num;
in the XPT a Char variable is as wide as its longest value, at most that.
"""

from dataclasses import dataclass

CHAR, NUM = "Char", "Num"


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: str = CHAR
    length: int = 200


def _num(name: str, label: str) -> Variable:
    return Variable(name, label, NUM, 8)


_IDS = (
    Variable("STUDYID", "Study Identifier", length=40),
    Variable("DOMAIN", "Domain Abbreviation", length=2),
    Variable("USUBJID", "Unique Subject Identifier", length=81),
)

DM = (
    *_IDS,
    Variable("SUBJID", "Subject Identifier for the Study", length=40),
    Variable("RFSTDTC", "Subject Reference Start Date/Time", length=19),
    Variable("RFENDTC", "Subject Reference End Date/Time", length=19),
    Variable("SITEID", "Study Site Identifier", length=40),
    _num("AGE", "Age"),
    Variable("AGEU", "Age Units", length=10),
    Variable("SEX", "Sex", length=20),
    Variable("ARMCD", "Planned Arm Code", length=20),
    Variable("ARM", "Description of Planned Arm"),
    Variable("ACTARMCD", "Actual Arm Code", length=20),
    Variable("ACTARM", "Description of Actual Arm"),
    Variable("COUNTRY", "Country", length=3),
)

EC = (
    *_IDS,
    _num("ECSEQ", "Sequence Number"),
    Variable("ECTRT", "Name of Treatment", length=100),
    Variable("ECMOOD", "Mode of Subject Data", length=20),
    Variable("ECPRESP", "Pre-specified", length=1),
    Variable("ECOCCUR", "Occurrence", length=1),
    Variable("ECREASOC", "Reason for Occur Value"),
    _num("ECDOSE", "Dose"),
    Variable("ECDOSU", "Dose Units", length=10),
    Variable("ECDOSFRQ", "Dosing Frequency per Interval", length=10),
    Variable("ECROUTE", "Route of Administration", length=20),
    Variable("ECSTDTC", "Start Date/Time of Treatment", length=19),
    Variable("ECENDTC", "End Date/Time of Treatment", length=19),
    _num("ECSTDY", "Study Day of Start of Treatment"),
    _num("ECENDY", "Study Day of End of Treatment"),
)

EX = (
    *_IDS,
    _num("EXSEQ", "Sequence Number"),
    Variable("EXTRT", "Name of Treatment", length=100),
    _num("EXDOSE", "Dose"),
    Variable("EXDOSU", "Dose Units", length=10),
    Variable("EXDOSFRQ", "Dosing Frequency per Interval", length=10),
    Variable("EXROUTE", "Route of Administration", length=20),
    Variable("EXSTDTC", "Start Date/Time of Treatment", length=19),
    Variable("EXENDTC", "End Date/Time of Treatment", length=19),
    _num("EXSTDY", "Study Day of Start of Treatment"),
    _num("EXENDY", "Study Day of End of Treatment"),
)

_FLAG = 1
AE = (
    *_IDS,
    _num("AESEQ", "Sequence Number"),
    Variable("AESPID", "Sponsor-Defined Identifier", length=20),
    Variable("AETERM", "Reported Term for the Adverse Event"),
    Variable("AEDECOD", "Dictionary-Derived Term"),
    Variable("AETOXGR", "Standard Toxicity Grade", length=1),
    Variable("AESER", "Serious Event", length=_FLAG),
    Variable("AESDTH", "Results in Death", length=_FLAG),
    Variable("AESLIFE", "Is Life Threatening", length=_FLAG),
    Variable("AESHOSP", "Requires or Prolongs Hospitalization", length=_FLAG),
    Variable("AESDISAB", "Persist or Signif Disability/Incapacity", length=_FLAG),
    Variable("AESCONG", "Congenital Anomaly or Birth Defect", length=_FLAG),
    Variable("AESMIE", "Other Medically Important Serious Event", length=_FLAG),
    Variable("AEREL", "Causality", length=20),
    Variable("AEACN", "Action Taken with Study Treatment", length=20),
    Variable("AEOUT", "Outcome of Adverse Event", length=40),
    Variable("AESTDTC", "Start Date/Time of Adverse Event", length=19),
    Variable("AEENDTC", "End Date/Time of Adverse Event", length=19),
    _num("AESTDY", "Study Day of Start of Adverse Event"),
    _num("AEENDY", "Study Day of End of Adverse Event"),
)

QS = (
    *_IDS,
    _num("QSSEQ", "Sequence Number"),
    # The report and the item: "7-9" (PRO-CTCAE item 9), "7-muscle_cramps" (a 40-letter key).
    Variable("QSGRPID", "Group ID", length=64),
    Variable("QSTESTCD", "Question Short Name", length=8),
    Variable("QSTEST", "Question Name", length=40),
    Variable("QSCAT", "Category of Question", length=40),
    Variable("QSSCAT", "Subcategory for Question", length=100),
    Variable("QSORRES", "Finding in Original Units", length=40),
    Variable("QSSTRESC", "Character Result/Finding in Std Format", length=8),
    _num("QSSTRESN", "Numeric Finding in Standard Units"),
    Variable("QSEVLINT", "Evaluation Interval", length=10),
    Variable("QSDTC", "Date/Time of Finding", length=19),
    _num("QSDY", "Study Day of Finding"),
)

VS = (
    *_IDS,
    _num("VSSEQ", "Sequence Number"),
    # The symptom report the weight was recorded in: "7-weight_kg".
    Variable("VSGRPID", "Group ID", length=64),
    Variable("VSTESTCD", "Vital Signs Test Short Name", length=8),
    Variable("VSTEST", "Vital Signs Test Name", length=40),
    Variable("VSORRES", "Result or Finding in Original Units", length=20),
    Variable("VSORRESU", "Original Units", length=20),
    Variable("VSSTRESC", "Character Result/Finding in Std Format", length=20),
    _num("VSSTRESN", "Numeric Result/Finding in Standard Units"),
    Variable("VSSTRESU", "Standard Units", length=20),
    Variable("VSDTC", "Date/Time of Measurements", length=19),
    _num("VSDY", "Study Day of Vital Signs"),
)

RS = (
    *_IDS,
    _num("RSSEQ", "Sequence Number"),
    Variable("RSTESTCD", "Assessment Short Name", length=8),
    Variable("RSTEST", "Assessment Name", length=40),
    Variable("RSCAT", "Category for Assessment", length=40),
    Variable("RSORRES", "Result or Finding in Original Units", length=20),
    Variable("RSSTRESC", "Character Result/Finding in Std Format", length=20),
    Variable("RSEVAL", "Evaluator", length=40),
    Variable("RSDTC", "Date/Time of Assessment", length=19),
    _num("RSDY", "Study Day of Assessment"),
)

TS = (
    Variable("STUDYID", "Study Identifier", length=40),
    Variable("DOMAIN", "Domain Abbreviation", length=2),
    _num("TSSEQ", "Sequence Number"),
    Variable("TSGRPID", "Group ID", length=40),
    Variable("TSPARMCD", "Trial Summary Parameter Short Name", length=8),
    Variable("TSPARM", "Trial Summary Parameter", length=40),
    Variable("TSVAL", "Parameter Value"),
    Variable("TSVALNF", "Parameter Null Flavor", length=8),
    Variable("TSVCDREF", "Name of the Reference Terminology", length=40),
)

SUPP = (
    Variable("STUDYID", "Study Identifier", length=40),
    Variable("RDOMAIN", "Related Domain Abbreviation", length=2),
    Variable("USUBJID", "Unique Subject Identifier", length=81),
    Variable("IDVAR", "Identifying Variable", length=8),
    Variable("IDVARVAL", "Identifying Variable Value", length=40),
    Variable("QNAM", "Qualifier Variable Name", length=8),
    Variable("QLABEL", "Qualifier Variable Label", length=40),
    Variable("QVAL", "Data Value"),
    Variable("QORIG", "Origin", length=20),
    Variable("QEVAL", "Evaluator", length=40),
)

# Each dataset's label (the XPT file label), by domain.
DATASET_LABELS = {
    "DM": "Demographics",
    "EC": "Exposure as Collected",
    "EX": "Exposure",
    "AE": "Adverse Events",
    "QS": "Questionnaires",
    "RS": "Disease Response and Clin Classification",
    "VS": "Vital Signs",
    "TS": "Trial Summary",
}

VARIABLES = {"DM": DM, "EC": EC, "EX": EX, "AE": AE, "QS": QS, "VS": VS, "RS": RS,
             "TS": TS}


def variables_of(dataset: str) -> tuple[Variable, ...]:
    """Return a dataset's variables in order: a domain's, or SUPP--'s for "SUPPAE" etc."""
    return SUPP if dataset.startswith("SUPP") else VARIABLES[dataset]


def dataset_label(dataset: str) -> str:
    """Return a dataset's label: "Supplemental Qualifiers for AE" for SUPPAE."""
    if dataset.startswith("SUPP"):
        return f"Supplemental Qualifiers for {dataset[4:]}"
    return DATASET_LABELS[dataset]
