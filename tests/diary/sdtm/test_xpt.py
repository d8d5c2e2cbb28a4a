"""XPT v5 written a chunk at a time: the same file as one whole write, read back by two readers."""

import csv
import io
import re
import zipfile
from datetime import date, timedelta

import pandas
import pyreadstat
import pytest

from diary.exports.sdtm import package as package_module
from diary.exports.sdtm.package import write_package
from diary.exports.sdtm.variables import NUM, Variable
from diary.exports.sdtm.xpt import RECORD_BYTES, write_xpt
from tests.diary.sdtm.helpers import dose, subject

# Headers carry the time of writing (16FEB26:10:30:00); files written apart differ there.
_TIMESTAMP = re.compile(rb"\d\d[A-Z]{3}\d\d:\d\d:\d\d:\d\d")


def undated(data: bytes) -> bytes:
    return _TIMESTAMP.sub(b"<written>", data)


def as_text(value) -> str:
    if value is None or value != value:  # NaN: a missing number
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def texts(frame) -> list[dict]:
    return [{name: as_text(value) for name, value in row.items()}
            for row in frame.to_dict("records")]


def read_both(path) -> tuple[list[dict], list[dict]]:
    """Return the rows as pyreadstat and as pandas read them, every value as text."""
    by_pyreadstat, _ = pyreadstat.read_xport(str(path))
    by_pandas = pandas.read_sas(path, format="xport", encoding="ascii")
    return texts(by_pyreadstat), texts(by_pandas)


def cohort():
    """Three participants, 9 EC records; the longest missed reason comes last."""
    days = [(date(2026, 3, 2) + timedelta(days=n)).isoformat() for n in range(4)]
    first = subject(doses=[dose(days[0]), dose(days[1], "missed", missed_reason="forgot"),
                           dose(days[2], mg="300"), dose(days[3])])
    second = subject(subjid="S01-002", sex="M", age=12,
                     doses=[dose(days[0]), dose(days[1], "missed", missed_reason="no_supply")])
    third = subject(subjid="S01-003", doses=[
        dose(days[0]), dose(days[1], mg="250.5"),
        dose(days[2], "missed", missed_reason="other",
             missed_reason_text="Left the tablets at my sister's house over the weekend")])
    return [first, second, third]


def package_xpt(tmp_path, monkeypatch, chunk_rows: int, name: str) -> tuple[bytes, list]:
    monkeypatch.setattr(package_module, "CHUNK_ROWS", chunk_rows)
    path = tmp_path / f"{chunk_rows}.zip"
    write_package(cohort(), path)
    archive = zipfile.ZipFile(path)
    rows = list(csv.DictReader(io.StringIO(archive.read(f"csv/{name}.csv").decode())))
    return archive.read(f"xpt/{name}.xpt"), rows


@pytest.mark.parametrize("domain", ["ec", "ex", "dm"])
def test_an_xpt_written_in_chunks_is_the_file_written_whole(tmp_path, monkeypatch, domain):
    whole, rows = package_xpt(tmp_path, monkeypatch, package_module.CHUNK_ROWS, domain)
    for chunk_rows in (1, 2, 4):
        chunked, _ = package_xpt(tmp_path, monkeypatch, chunk_rows, domain)
        assert undated(chunked) == undated(whole)
        (tmp_path / f"{domain}.xpt").write_bytes(chunked)
        by_pyreadstat, by_pandas = read_both(tmp_path / f"{domain}.xpt")
        assert by_pyreadstat == rows
        assert by_pandas == rows
    assert len(whole) % RECORD_BYTES == 0


def test_the_longest_text_sets_the_width_even_in_the_last_chunk(tmp_path, monkeypatch):
    chunked, rows = package_xpt(tmp_path, monkeypatch, 1, "ec")
    (tmp_path / "ec.xpt").write_bytes(chunked)
    by_pyreadstat, by_pandas = read_both(tmp_path / "ec.xpt")
    reasons = [row["ECREASOC"] for row in by_pyreadstat]
    assert reasons[-1] == "Left the tablets at my sister's house over the weekend"
    assert reasons == [row["ECREASOC"] for row in by_pandas] == [
        row["ECREASOC"] for row in rows]
    assert [row["ECDOSE"] for row in by_pyreadstat] == [
        "400", "", "300", "400", "400", "", "400", "250.5", ""]


# A text of 112 bytes at most and a number: 120 bytes an observation, two end on a record.
WIDE = [Variable("TEXT", "Text", length=112), Variable("NUMBER", "Number", NUM, 8)]


def wide_frame(count: int):
    return pandas.DataFrame({"TEXT": [f"row {n} " + "x" * (106 if n == 0 else 50 + n)
                                      for n in range(count)],
                             "NUMBER": [float(n) if n % 3 else float("nan")
                                        for n in range(count)]})


def write_wide(path, frame, chunk_rows: int) -> None:
    chunks = [frame.iloc[start:start + chunk_rows] for start in range(0, len(frame),
                                                                      chunk_rows)]
    widths = {"TEXT": int(frame["TEXT"].str.len().max()) if len(frame) else 1}
    write_xpt(chunks, path, "WIDE", WIDE, "Wide rows", widths)


def pyreadstat_whole(path, frame) -> bytes:
    pyreadstat.write_xport(frame, str(path), file_label="Wide rows", table_name="WIDE",
                           column_labels=["Text", "Number"], file_format_version=5)
    return path.read_bytes()


@pytest.mark.parametrize(("count", "chunk_rows"), [
    (4, 2),   # each chunk's 240 bytes end on a record: nothing to cut
    (4, 1),   # each chunk's 120 bytes are padded to 160: the padding is cut
    (3, 2),   # 360 bytes in all: the end is padded to 400
])
def test_observations_ending_on_a_record_or_not_read_back_the_same(tmp_path, count,
                                                                   chunk_rows):
    frame = wide_frame(count)
    assert frame["TEXT"].str.len().max() == 112
    write_wide(tmp_path / "chunked.xpt", frame, chunk_rows)
    chunked = (tmp_path / "chunked.xpt").read_bytes()
    assert undated(chunked) == undated(pyreadstat_whole(tmp_path / "whole.xpt", frame))
    assert len(chunked) % RECORD_BYTES == 0
    expected = texts(frame)
    assert read_both(tmp_path / "chunked.xpt") == (expected, expected)


def test_a_dataset_of_no_rows_is_its_headers(tmp_path):
    empty = wide_frame(0).astype({"TEXT": str})
    write_wide(tmp_path / "chunked.xpt", empty, 1)  # no chunks at all
    chunked = (tmp_path / "chunked.xpt").read_bytes()
    assert undated(chunked) == undated(pyreadstat_whole(tmp_path / "whole.xpt", empty))
    assert chunked.endswith(b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!" + b"0" * 30
                            + b"  ")
    frame, meta = pyreadstat.read_xport(str(tmp_path / "chunked.xpt"))
    assert (len(frame), meta.column_names, meta.table_name) == (0, ["TEXT", "NUMBER"], "WIDE")


def test_a_dataset_of_no_rows_in_the_package_has_its_variables(tmp_path):
    write_package([subject()], tmp_path / "x.zip")
    archive = zipfile.ZipFile(tmp_path / "x.zip")
    (tmp_path / "ae.xpt").write_bytes(archive.read("xpt/ae.xpt"))
    frame, meta = pyreadstat.read_xport(str(tmp_path / "ae.xpt"))
    assert len(frame) == 0
    assert meta.column_names[:4] == ["STUDYID", "DOMAIN", "USUBJID", "AESEQ"]
