"""The SDTM zip: CSV and XPT v5 agree, the guards refuse what XPT v5 cannot hold."""

import csv
import io
import zipfile

import pyreadstat
import pytest

from diary.exports.sdtm import package as package_module
from diary.exports.sdtm.package import write_package
from diary.exports.sdtm.subject import DomainBuilder, Record
from diary.exports.sdtm.variables import Variable
from diary.exports.sdtm.xpt import NON_ASCII_MARKER, XptError, check_metadata
from tests.diary.sdtm.helpers import answer, dose, event, report, subject

KOREAN_TERM = "손발 저림"  # "numb hands and feet", as a Korean coordinator typed it


def cohort():
    first = subject(doses=[dose("2026-03-02"), dose("2026-03-03", "missed",
                                                      missed_reason="forgot")],
                    adverse_events=[event(1), event(2, ctcae_term=None,
                                                    verbatim_term=KOREAN_TERM,
                                                    onset_date="2026-03",
                                                    onset_precision="month")],
                    reports=[report(7, "2026-03-05", [answer(
                        "nausea", ("frequency", 0, False), ("severity", 0, True)),
                        answer("weight_kg", kg="58.20")])])
    second = subject(subjid="S01-002", sex="M", age=12, doses=[dose("2026-03-02")])
    return [first, second]


# Each XPT is written from the staged CSV a chunk of rows at a time: as one chunk, and one
# row a chunk (each chunk encoded on its own, its observations spliced after the first's
# headers; see test_xpt.py).
@pytest.fixture(params=[package_module.CHUNK_ROWS, 1], ids=["one-chunk", "row-chunks"])
def package(tmp_path, monkeypatch, request):
    monkeypatch.setattr(package_module, "CHUNK_ROWS", request.param)
    path = tmp_path / "sdtm.zip"
    summary = write_package(cohort(), path)
    return zipfile.ZipFile(path), summary


def read_csv(archive, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(f"csv/{name}.csv").decode("utf-8"))))


def read_xpt(archive, name, tmp_path):
    path = tmp_path / f"{name}.xpt"
    path.write_bytes(archive.read(f"xpt/{name}.xpt"))
    return pyreadstat.read_xport(str(path))


def as_text(value) -> str:
    if value is None or value != value:  # NaN: a missing number
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_zip_holds_each_domain_as_csv_and_xpt_and_the_listing(package):
    archive, summary = package
    names = set(archive.namelist())
    for domain in ("dm", "ec", "ex", "ae", "qs", "vs", "suppae", "suppqs"):
        assert {f"csv/{domain}.csv", f"xpt/{domain}.xpt"} <= names
    assert "variables.csv" in names
    # Version 5's library header (version 8 writes "LIBV8 HEADER RECORD").
    assert archive.read("xpt/dm.xpt").startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD")
    assert summary.records == {"DM": 2, "EC": 3, "EX": 2, "AE": 2, "QS": 2, "VS": 1,
                               "SUPPQS": 1, "SUPPAE": 1}


@pytest.mark.parametrize("domain", ["dm", "ec", "ex", "ae", "qs", "vs", "suppqs"])
def test_each_xpt_read_back_equals_its_csv(package, tmp_path, domain):
    archive, _ = package
    frame, meta = read_xpt(archive, domain, tmp_path)
    rows = read_csv(archive, domain)
    assert list(frame.columns) == list(rows[0])
    assert meta.table_name == domain.upper()
    xpt_rows = [{name: as_text(value) for name, value in record.items()}
                for record in frame.to_dict("records")]
    expected = [{k: (NON_ASCII_MARKER if not v.isascii() else v) for k, v in row.items()}
                for row in rows]
    assert xpt_rows == expected


def test_every_variable_keeps_its_full_label_in_the_xpt_and_the_listing(package, tmp_path):
    archive, _ = package
    _, meta = read_xpt(archive, "ae", tmp_path)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["AESDISAB"] == "Persist or Signif Disability/Incapacity"
    listing = list(csv.DictReader(io.StringIO(archive.read("variables.csv").decode())))
    assert {"dataset": "AE", "variable": "AESDISAB",
            "label": "Persist or Signif Disability/Incapacity", "type": "Char", "length": "1",
            "non_ascii_replaced": "0"} in listing
    assert {r["dataset"] for r in listing} == {"DM", "EC", "EX", "AE", "QS", "VS", "SUPPAE",
                                               "SUPPQS"}


def test_non_ascii_text_stays_in_the_csv_and_is_a_flagged_marker_in_the_xpt(package, tmp_path):
    archive, summary = package
    assert [r["AETERM"] for r in read_csv(archive, "ae")] == ["Nausea", KOREAN_TERM]
    frame, _ = read_xpt(archive, "ae", tmp_path)
    assert list(frame["AETERM"]) == ["Nausea", NON_ASCII_MARKER]
    (flag,) = read_csv(archive, "suppae")
    assert (flag["RDOMAIN"], flag["IDVAR"], flag["IDVARVAL"], flag["QNAM"], flag["QVAL"]) == (
        "AE", "AESEQ", "2", "NONASCII", "AETERM")
    assert summary.non_ascii_replaced == 1
    listing = list(csv.DictReader(io.StringIO(archive.read("variables.csv").decode())))
    assert [r["non_ascii_replaced"] for r in listing
            if (r["dataset"], r["variable"]) == ("AE", "AETERM")] == ["1"]


def test_partial_dates_and_zero_imputation_survive_the_round_trip(package, tmp_path):
    archive, _ = package
    ae_frame, _ = read_xpt(archive, "ae", tmp_path)
    assert list(ae_frame["AESTDTC"]) == ["2026-03-14", "2026-03"]
    assert as_text(ae_frame["AESTDY"][1]) == ""
    qs_frame, _ = read_xpt(archive, "qs", tmp_path)
    assert list(qs_frame["QSSTRESN"]) == [0.0, 0.0]
    supp, _ = read_xpt(archive, "suppqs", tmp_path)
    assert (supp["QNAM"][0], supp["IDVARVAL"][0], supp["QVAL"][0]) == ("QSIMPUT", "2", "Y")


def test_a_missed_dose_has_no_dose_in_either_file(package, tmp_path):
    archive, _ = package
    missed = [r for r in read_csv(archive, "ec") if r["ECOCCUR"] == "N"]
    assert [(r["ECDOSE"], r["ECREASOC"]) for r in missed] == [("", "FORGOT")]
    frame, _ = read_xpt(archive, "ec", tmp_path)
    assert as_text(frame[frame["ECOCCUR"] == "N"]["ECDOSE"].iloc[0]) == ""


def test_seq_is_unique_per_subject(package):
    archive, _ = package
    for domain, seq in (("ec", "ECSEQ"), ("ae", "AESEQ"), ("qs", "QSSEQ")):
        keys = [(r["USUBJID"], r[seq]) for r in read_csv(archive, domain)]
        assert len(keys) == len(set(keys)), domain
    assert [r["ECSEQ"] for r in read_csv(archive, "ec")] == ["1", "2", "1"]


class _Fixed(DomainBuilder):
    """A one-record AE builder, to reach the guards with a chosen value."""

    domain = "AE"

    def __init__(self, **values):
        self.values = values

    def records(self, subject):
        yield Record({**subject.ids("AE"), **self.values})


def test_a_value_over_200_bytes_is_refused_naming_where(tmp_path):
    with pytest.raises(XptError, match=r"AE\.AETERM \(USUBJID NCT02495519-S01-001, AESEQ 1\)"
                                       r" is 201 bytes"):
        write_package([subject()], tmp_path / "x.zip", [_Fixed(AETERM="x" * 201)])
    assert not (tmp_path / "x.zip").exists()


def test_a_value_longer_than_its_variable_is_refused(tmp_path):
    with pytest.raises(XptError, match=r"AE\.AETOXGR .* is 2 bytes"):
        write_package([subject()], tmp_path / "x.zip", [_Fixed(AETOXGR="10")])


@pytest.mark.parametrize(("variables", "message"), [
    ([Variable("AETERM", "A label that is longer than forty characters")], "at most 40"),
    ([Variable("AELONGNAME", "Name")], "not 1-8 letters"),
    ([Variable("AETERM", "Durée")], "not ASCII"),
])
def test_names_and_labels_xpt_v5_cannot_hold_are_refused(variables, message):
    with pytest.raises(XptError, match=message):
        check_metadata("AE", variables, "Adverse Events")


def test_a_korean_missed_reason_is_flagged_in_suppec_and_counted(tmp_path):
    missed = dose("2026-03-03", "missed", missed_reason="other", missed_reason_text="약이 없음")
    summary = write_package([subject(doses=[missed])], tmp_path / "x.zip")
    archive = zipfile.ZipFile(tmp_path / "x.zip")
    assert read_csv(archive, "ec")[0]["ECREASOC"] == "약이 없음"
    frame, _ = read_xpt(archive, "ec", tmp_path)
    assert frame["ECREASOC"][0] == NON_ASCII_MARKER
    assert [(r["QNAM"], r["QVAL"]) for r in read_csv(archive, "suppec")] == [
        ("NONASCII", "ECREASOC")]
    assert summary.non_ascii_replaced == 1
