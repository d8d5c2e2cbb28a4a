"""SDTM mappings of plain records: EC, EX, DM, AE, QS and RS, value by value."""

import tomllib
from datetime import UTC, date, datetime

import pytest

from diary.exports.sdtm import ae, dm, ec, ex, qs, rs, ts, vs
from diary.exports.sdtm.variables import QS as QS_VARIABLES
from diary.exports.sdtm.variables import dataset_label, variables_of
from diary.exports.sdtm.xpt import XptError, check_metadata, check_values
from diary.operations.studies import default_study_file
from diary.rules.regimen import Hold
from diary.rules.symptom_items import SymptomItem, catalogue
from tests.diary.sdtm.helpers import ENROLLED, answer, dose, event, report, subject


def ec_rows(**fields) -> list[dict]:
    return [record.values for record in ec.records(subject(**fields))]


def test_a_taken_dose_occurred_with_the_mg_taken_at_the_local_time_of_intake():
    # 23:30 UTC on 2 March is 08:30 on 3 March in Seoul: the dose of the local 3 March.
    taken = dose("2026-03-03", mg="300", taken_at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    (row,) = ec_rows(doses=[taken])
    assert (row["ECOCCUR"], row["ECDOSE"], row["ECREASOC"]) == ("Y", 300.0, "")
    assert (row["ECSTDTC"], row["ECENDTC"], row["ECSTDY"]) == ("2026-03-03T08:30",
                                                              "2026-03-03T08:30", 2)
    assert (row["ECTRT"], row["ECDOSU"], row["ECDOSFRQ"], row["ECROUTE"]) == (
        "IMATINIB", "mg", "QD", "ORAL")


def test_an_intake_logged_for_another_local_day_keeps_the_dose_day_alone():
    # Yesterday's dose, taken after midnight: the date part is still the dose day.
    late = dose("2026-03-03", taken_at=datetime(2026, 3, 3, 16, 0, tzinfo=UTC))
    assert ec_rows(doses=[late])[0]["ECSTDTC"] == "2026-03-03"


@pytest.mark.parametrize(("reason", "text", "expected"), [
    ("forgot", None, "FORGOT"),
    ("side_effects", None, "ADVERSE EVENT"),
    ("other", "Ran out while travelling", "Ran out while travelling"),
])
def test_a_missed_dose_did_not_occur_with_its_reason_and_no_dose(reason, text, expected):
    (row,) = ec_rows(doses=[dose("2026-03-04", "missed", missed_reason=reason,
                                 missed_reason_text=text)])
    assert (row["ECOCCUR"], row["ECREASOC"], row["ECPRESP"]) == ("N", expected, "Y")
    assert row["ECDOSE"] is None
    assert row["ECSTDTC"] == "2026-03-04"


def test_unreported_days_are_absent_and_held_days_count_only_doses_taken():
    holds = [Hold(date(2026, 3, 5), date(2026, 3, 6))]
    doses = [dose("2026-03-02"), dose("2026-03-05", "missed", missed_reason="held_by_doctor"),
             dose("2026-03-06"), dose("2026-03-08")]
    rows = ec_rows(doses=doses, holds=holds)
    # 3, 4 and 7 March have no entry; 5 March is a missed day on a hold (not expected).
    assert [row["ECSTDTC"] for row in rows] == ["2026-03-02", "2026-03-06", "2026-03-08"]


def test_ex_holds_only_the_doses_that_occurred():
    doses = [dose("2026-03-02"), dose("2026-03-03", "missed", missed_reason="forgot"),
             dose("2026-03-04", mg="200")]
    rows = [record.values for record in ex.EX().records(subject(doses=doses))]
    assert [(row["EXSTDTC"], row["EXDOSE"], row["EXSTDY"]) for row in rows] == [
        ("2026-03-02", 400.0, 1), ("2026-03-04", 200.0, 3)]
    assert {row["DOMAIN"] for row in rows} == {"EX"}


def test_a_vomited_dose_is_flagged_in_a_supplemental_qualifier():
    (record,) = ec.records(subject(doses=[dose("2026-03-02", vomited=True)]))
    assert [(q.qnam, q.qval) for q in record.supp] == [("ECVOMIT", "Y")]


def test_study_days_have_no_day_zero():
    one_before = subject().day(date(2026, 3, 1))
    assert (one_before, subject().day(ENROLLED), subject().day(date(2026, 3, 3))) == (-1, 1, 2)


def test_dm_takes_the_enrolment_sex_age_arm_and_the_last_dose():
    doses = [dose("2026-03-02"), dose("2026-03-09"), dose("2026-03-10", "missed")]
    (record,) = dm.DM().records(subject(doses=doses))
    row = record.values
    assert (row["USUBJID"], row["SUBJID"], row["SITEID"], row["COUNTRY"]) == (
        "NCT02495519-S01-001", "S01-001", "SEV", "KOR")
    assert (row["RFSTDTC"], row["RFENDTC"]) == ("2026-03-02", "2026-03-09")
    assert (row["SEX"], row["AGE"], row["AGEU"]) == ("F", 34, "YEARS")
    assert (row["ARMCD"], row["ARM"], row["ACTARMCD"], row["ACTARM"]) == (
        "IMA400", "Imatinib 400 mg QD", "IMA400", "Imatinib 400 mg QD")


def test_dm_leaves_sex_and_age_empty_when_enrolment_did_not_record_them():
    row = dm.record(subject(sex=None, age=None)).values
    assert (row["SEX"], row["AGE"], row["AGEU"], row["RFENDTC"]) == ("", None, "", "")


def test_ae_uses_cdisc_terminology_and_the_seriousness_flags():
    serious = event(grade=3, serious=True, seriousness=["hospitalisation"], outcome="recovered",
                    relatedness="probable", action="interrupted", end_date="2026-03-20",
                    end_precision="day")
    row = ae.record(subject(), serious).values
    assert (row["AETERM"], row["AEDECOD"], row["AETOXGR"], row["AESER"]) == (
        "Nausea", "Nausea", "3", "Y")
    assert [row[f] for f in ("AESDTH", "AESLIFE", "AESHOSP", "AESDISAB", "AESCONG",
                             "AESMIE")] == ["N", "N", "Y", "N", "N", "N"]
    assert (row["AEREL"], row["AEACN"], row["AEOUT"]) == (
        "PROBABLY RELATED", "DRUG INTERRUPTED", "RECOVERED/RESOLVED")
    assert (row["AESTDTC"], row["AESTDY"], row["AEENDTC"], row["AEENDY"]) == (
        "2026-03-14", 13, "2026-03-20", 19)


@pytest.mark.parametrize(("action", "outcome", "acn", "out"), [
    ("none", "not_recovered", "DOSE NOT CHANGED", "NOT RECOVERED/NOT RESOLVED"),
    ("dose_reduced", "recovering", "DOSE REDUCED", "RECOVERING/RESOLVING"),
    ("withdrawn", "recovered_with_sequelae", "DRUG WITHDRAWN",
     "RECOVERED/RESOLVED WITH SEQUELAE"),
    ("none", "fatal", "DOSE NOT CHANGED", "FATAL"),
    ("none", "unknown", "DOSE NOT CHANGED", "UNKNOWN"),
])
def test_every_action_and_outcome_has_its_controlled_term(action, outcome, acn, out):
    row = ae.record(subject(), event(action=action, outcome=outcome)).values
    assert (row["AEACN"], row["AEOUT"]) == (acn, out)


def test_partial_ae_dates_stay_partial_without_a_study_day():
    partial = event(onset_date="2026-03", onset_precision="month", end_date="2026",
                    end_precision="year")
    row = ae.record(subject(), partial).values
    assert (row["AESTDTC"], row["AEENDTC"]) == ("2026-03", "2026")
    assert (row["AESTDY"], row["AEENDY"]) == (None, None)


def test_a_verbatim_term_is_reported_but_not_coded():
    row = ae.record(subject(), event(ctcae_term=None, verbatim_term="Hiccups")).values
    assert (row["AETERM"], row["AEDECOD"]) == ("Hiccups", "")


def test_qs_scores_pro_ctcae_items_and_flags_zero_imputation():
    answers = [answer("nausea", ("frequency", 0, False), ("severity", 0, True))]
    records = list(qs.records(subject(reports=[report(7, "2026-03-05", answers)])))
    rows = [record.values for record in records]
    assert [(r["QSTESTCD"], r["QSTEST"], r["QSORRES"], r["QSSTRESN"]) for r in rows] == [
        ("PRO009F", "Nausea Frequency", "Never", 0), ("PRO009S", "Nausea Severity", "", 0)]
    assert {(r["QSCAT"], r["QSDTC"], r["QSDY"], r["QSEVLINT"]) for r in rows} == {
        ("PRO-CTCAE", "2026-03-05T12:00", 4, "-P7D")}
    assert [[(q.qnam, q.qval) for q in record.supp] for record in records] == [
        [], [("QSIMPUT", "Y")]]


def _study_rows(*answers) -> list[dict]:
    records = qs.records(subject(reports=[report(7, "2026-03-05", list(answers))]))
    return [record.values for record in records]


def test_qs_exports_the_study_s_own_items_in_a_sponsor_defined_category():
    rows = _study_rows(answer("muscle_cramps", ("frequency", 2, False), ("severity", 1, False)),
                       answer("weight_kg", kg="72.50"))
    assert [(r["QSTESTCD"], r["QSTEST"], r["QSORRES"], r["QSSTRESC"], r["QSSTRESN"])
            for r in rows] == [
        ("MUSCLECF", "Muscle cramps Frequency", "Occasionally", "2", 2),
        ("MUSCLECS", "Muscle cramps Severity", "Mild", "1", 1)]
    assert {r["QSCAT"] for r in rows} == {"SPONSOR-DEFINED SYMPTOM ITEMS"}
    assert [(r["QSSCAT"], r["QSGRPID"], r["QSEVLINT"]) for r in rows] == [
        ("MUSCLE CRAMPS", "7-muscle_cramps", "-P7D"), ("MUSCLE CRAMPS", "7-muscle_cramps", "-P7D")]


def test_a_recorded_weight_is_a_vital_sign_in_vs_not_a_questionnaire_answer():
    records = list(vs.records(subject(reports=[
        report(7, "2026-03-05", [answer("nausea", ("frequency", 1, False)),
                                 answer("weight_kg", kg="72.50")]),
        report(9, "2026-03-12", [answer("weight_kg", kg=None)])])))
    (row,) = [record.values for record in records]
    assert row == {"STUDYID": "NCT02495519", "DOMAIN": "VS", "USUBJID": row["USUBJID"],
                   "VSGRPID": "7-weight_kg", "VSTESTCD": "WEIGHT", "VSTEST": "Weight",
                   "VSORRES": "72.5", "VSORRESU": "kg", "VSSTRESC": "72.5", "VSSTRESN": 72.5,
                   "VSSTRESU": "kg", "VSDTC": "2026-03-05T12:00", "VSDY": 4}
    assert records[0].supp == []
    check_metadata("VS", variables_of("VS"), dataset_label("VS"))
    check_values("VS", row, variables_of("VS"), "WEIGHT")


def test_a_study_item_never_asked_after_none_is_zero_imputed_like_pro_ctcae():
    records = list(qs.records(subject(reports=[report(7, "2026-03-05", [
        answer("muscle_cramps", ("frequency", 0, False), ("severity", 0, True))])])))
    assert [(r.values["QSORRES"], r.values["QSSTRESN"], [q.qnam for q in r.supp])
            for r in records] == [("Never", 0, []), ("", 0, ["QSIMPUT"])]


def test_every_qs_record_of_the_shipped_study_fits_sas_transport_version_5():
    """Each item of the study file, every attribute at its longest answer, through the XPT
    guards: names and labels (check_metadata) and each value (check_values)."""
    definition = tomllib.loads(default_study_file("NCT02495519").read_text(encoding="utf-8"))
    items = catalogue(definition)
    answers = [answer(item.key, *[(a, len(qs.ANSWERS[a]) - 1, False) for a in item.attributes])
               for item in items.values() if item.graded]
    records = list(qs.records(subject(items=items, reports=[report(12345678, "2026-03-05",
                                                                   answers)])))
    check_metadata("QS", QS_VARIABLES, dataset_label("QS"))
    for record in records:
        check_values("QS", record.values, QS_VARIABLES, record.values["QSTESTCD"])
    codes = [record.values["QSTESTCD"] for record in records]
    assert len(codes) == len(set(codes))
    assert {"MUSCLECF", "MUSCLECS", "PERIORBS"} <= set(codes)
    study_rows = [r.values for r in records if r.values["QSCAT"] != "PRO-CTCAE"]
    assert len(study_rows) == 3


def test_a_study_item_term_too_long_for_qstest_is_refused_not_cut():
    long = SymptomItem("swelling", "Swelling of the face, the lips and around the eyes",
                       ("severity",))
    (row,) = [r.values for r in qs.records(subject(items={"swelling": long}, reports=[
        report(7, "2026-03-05", [answer("swelling", ("severity", 1, False))])]))]
    with pytest.raises(XptError, match="QSTEST"):
        check_values("QS", row, QS_VARIABLES, "test")


def test_two_items_that_would_share_a_qstestcd_are_refused():
    items = {key: SymptomItem(key, key, ("frequency",)) for key in ("muscle_cramps_legs",
                                                                     "muscle_cramps_arms")}
    with pytest.raises(XptError, match="MUSCLECF"):
        list(qs.records(subject(items=items)))


def test_rs_maps_plain_assessment_rows_to_recist_overall_responses():
    rows = [rs.AssessmentRow(1, date(2026, 6, 22), "SD"), rs.AssessmentRow(1, ENROLLED, "NE")]
    builder = rs.RS(lambda s: rows)
    values = [record.values for record in builder.records(subject())]
    assert [(v["RSDTC"], v["RSDY"], v["RSORRES"], v["RSSTRESC"]) for v in values] == [
        ("2026-03-02", 1, "NE", "NE"), ("2026-06-22", 113, "SD", "SD")]
    assert {(v["RSTESTCD"], v["RSTEST"], v["RSCAT"], v["DOMAIN"]) for v in values} == {
        ("OVRLRESP", "Overall Response", "RECIST 1.1", "RS")}


def test_rs_refuses_a_code_recist_does_not_have():
    with pytest.raises(ValueError, match="RECIST"):
        rs.record(subject(), rs.AssessmentRow(1, ENROLLED, "MR"))


def test_ts_summarises_the_trial_with_its_start_date_once_every_subject_is_seen():
    trial = ts.Trial("NCT02495519", "A Trial of Imatinib", "Yonsei University", 21, 10,
                     "imatinib", "oral", "400", 1)
    builder = ts.TS(trial)
    for enrolled in (date(2026, 3, 9), date(2026, 3, 2), date(2026, 4, 1)):
        assert list(builder.records(subject(enrolled_on=enrolled))) == []
    rows = [record.values for record in builder.study_records()]
    assert [(r["TSPARMCD"], r["TSVAL"], r["TSVCDREF"]) for r in rows] == [
        ("SSTDTC", "2026-03-02", ""), ("TITLE", "A Trial of Imatinib", ""),
        ("SPONSOR", "Yonsei University", ""), ("REGID", "NCT02495519", "ClinicalTrials.gov"),
        ("PLANSUB", "21", ""), ("ACTSUB", "3", ""), ("AGEMIN", "P10Y", "ISO 8601"),
        ("STYPE", "INTERVENTIONAL", ""), ("NARMS", "1", ""), ("TRT", "IMATINIB", ""),
        ("ROUTE", "ORAL", ""), ("DOSE", "400", ""), ("DOSU", "mg", ""), ("DOSFRQ", "QD", "")]
    assert {(r["STUDYID"], r["DOMAIN"], r["TSVALNF"]) for r in rows} == {
        ("NCT02495519", "TS", "")}
    check_metadata("TS", variables_of("TS"), dataset_label("TS"))
    for row in rows:
        check_values("TS", row | {"TSSEQ": 1}, variables_of("TS"), row["TSPARMCD"])


def test_ts_with_nobody_exported_says_its_start_date_is_not_known():
    trial = ts.Trial("LOCAL-1", "A local study", None, None, None, "imatinib", "oral",
                     "400", 5)
    rows = [record.values for record in ts.TS(trial).study_records()]
    (start,) = [r for r in rows if r["TSPARMCD"] == "SSTDTC"]
    assert (start["TSVAL"], start["TSVALNF"]) == ("", "NI")
    codes = [r["TSPARMCD"] for r in rows]
    assert "REGID" not in codes and "SPONSOR" not in codes and "DOSFRQ" not in codes
    assert ("ACTSUB", "0") in [(r["TSPARMCD"], r["TSVAL"]) for r in rows]
