"""The SDTM package: each domain as CSV and as XPT v5, and a variable listing, zipped.

One pass over the subjects (a generator: the operation loads them a batch at a time)
writes every domain's CSV to a temporary directory as it goes, beside an ASCII copy for
the XPT, and notes each Char variable's longest value; each XPT is then written from its
copy a chunk of rows at a time (see diary.exports.sdtm.xpt), so memory does not grow with
the size of the study.
"""

import csv
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from diary.exports.sdtm import suppqs
from diary.exports.sdtm.ae import AE
from diary.exports.sdtm.dm import DM
from diary.exports.sdtm.ec import EC
from diary.exports.sdtm.ex import EX
from diary.exports.sdtm.qs import QS
from diary.exports.sdtm.subject import DomainBuilder, Subject
from diary.exports.sdtm.variables import CHAR, NUM, dataset_label, variables_of
from diary.exports.sdtm.vs import VS
from diary.exports.sdtm.xpt import ascii_values, check_metadata, check_values, write_xpt

LISTING = "variables.csv"
# Rows of a domain read from its ASCII copy and written to its XPT at once.
CHUNK_ROWS = 50_000
LISTING_FIELDS = ("dataset", "variable", "label", "type", "length", "non_ascii_replaced")


def default_builders() -> list[DomainBuilder]:
    """Return the domains exported from the diary's own records (RS is added by the caller)."""
    return [DM(), EC(), EX(), AE(), QS(), VS()]


@dataclass
class ExportSummary:
    """What a package holds: subjects, records per dataset, non-ASCII values replaced."""

    subjects: int = 0
    records: dict[str, int] = field(default_factory=dict)
    replaced: Counter = field(default_factory=Counter)

    @property
    def non_ascii_replaced(self) -> int:
        """Return how many values the XPT files carry as the non-ASCII marker."""
        return sum(self.replaced.values())


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Dataset:
    """One dataset being written: its CSV and the ASCII copy the XPT is made from."""

    def __init__(self, name: str, directory: Path):
        self.name, self.variables, self.label = name, variables_of(name), dataset_label(name)
        self.names = [variable.name for variable in self.variables]
        self.csv_path = directory / f"{name.lower()}.csv"
        self.stage_path = directory / f"{name.lower()}.ascii.csv"
        self._files = [self.csv_path.open("w", encoding="utf-8", newline=""),
                       self.stage_path.open("w", encoding="ascii", newline="")]
        self._writers = [csv.writer(file) for file in self._files]
        for writer in self._writers:
            writer.writerow(self.names)
        self.count = 0
        # Each Char variable's longest value in the XPT: every chunk is written this wide
        # (1 at least, as pyreadstat makes it), the width pyreadstat gives the whole
        # dataset, not the declared length (which would make EC several times larger).
        self.widths = {v.name: 1 for v in self.variables if v.type == CHAR}
        self._text_columns = [(i, v.name) for i, v in enumerate(self.variables)
                              if v.type == CHAR]

    def write(self, values: dict, ascii_copy: dict) -> None:
        rows = [[_csv_value(row.get(name)) for name in self.names]
                for row in (values, ascii_copy)]
        for writer, row in zip(self._writers, rows, strict=True):
            writer.writerow(row)
        for index, name in self._text_columns:
            self.widths[name] = max(self.widths[name], len(rows[1][index]))
        self.count += 1

    def close(self) -> None:
        for file in self._files:
            file.close()

    def write_xpt(self, path: Path) -> None:
        write_xpt(self._chunks(), path, self.name, list(self.variables), self.label,
                  self.widths)

    def _chunks(self):
        import pandas  # heavy, and only needed when exporting

        numeric = {v.name for v in self.variables if v.type == NUM}
        with pandas.read_csv(
                self.stage_path, dtype={name: "float64" if name in numeric else str
                                        for name in self.names},
                keep_default_na=False, na_values={name: [""] for name in numeric},
                chunksize=CHUNK_ROWS) as chunks:
            yield from chunks


class _Package:
    def __init__(self, builders: Sequence[DomainBuilder], directory: Path):
        self.builders, self.directory = builders, directory
        self.datasets: dict[str, _Dataset] = {}
        self.summary = ExportSummary()
        # Every name and label is checked before any file is opened.
        for builder in builders:
            check_metadata(builder.domain, variables_of(builder.domain),
                           dataset_label(builder.domain))
        for builder in builders:
            self._dataset(builder.domain)

    def _dataset(self, name: str) -> _Dataset:
        if name not in self.datasets:
            self.datasets[name] = _Dataset(name, self.directory)
        return self.datasets[name]

    def add_subject(self, subject: Subject) -> None:
        self.summary.subjects += 1
        for builder in self.builders:
            for seq, record in enumerate(builder.records(subject), start=1):
                self._add(builder.domain, seq if builder.domain != "DM" else None, record)

    def add_study_records(self) -> None:
        """Add each builder's records of the study itself (TS), once every subject is in."""
        for builder in self.builders:
            for seq, record in enumerate(builder.study_records(), start=1):
                self._add(builder.domain, seq, record)

    def _add(self, domain: str, seq: int | None, record) -> None:
        values = dict(record.values)
        if seq is not None:
            values[f"{domain}SEQ"] = seq
        dataset = self._dataset(domain)
        ascii_copy, replaced = ascii_values(values, dataset.variables)
        owner = f"USUBJID {values['USUBJID']}" if "USUBJID" in values else values["STUDYID"]
        where = owner + (f", {domain}SEQ {seq}" if seq else "")
        check_values(domain, ascii_copy, dataset.variables, where)
        dataset.write(values, ascii_copy)
        self.summary.replaced.update((domain, name) for name in replaced)
        # A study's own record (TS) has no subject for a SUPP-- record to point at: its
        # replaced text is counted in the listing, and the CSV keeps it.
        flagged = replaced and "USUBJID" in values
        qualifiers = list(record.supp) + ([suppqs.non_ascii(replaced)] if flagged else [])
        for qualifier in qualifiers:
            row = suppqs.supp_row(values, domain, seq, qualifier)
            supp = self._dataset(f"SUPP{domain}")
            check_values(supp.name, row, supp.variables, where)
            supp.write(row, row)

    def finish(self, zip_path: Path) -> ExportSummary:
        for dataset in self.datasets.values():
            dataset.close()
        kept = [d for d in self.datasets.values() if d.count or not d.name.startswith("SUPP")]
        listing = self.directory / LISTING
        self._write_listing(listing, kept)
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for dataset in kept:
                xpt_path = self.directory / f"{dataset.name.lower()}.xpt"
                dataset.write_xpt(xpt_path)
                archive.write(dataset.csv_path, f"csv/{dataset.csv_path.name}")
                archive.write(xpt_path, f"xpt/{xpt_path.name}")
                self.summary.records[dataset.name] = dataset.count
            archive.write(listing, LISTING)
        return self.summary

    def _write_listing(self, path: Path, datasets: list[_Dataset]) -> None:
        with path.open("w", encoding="ascii", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(LISTING_FIELDS)
            for dataset in datasets:
                for v in dataset.variables:
                    writer.writerow([dataset.name, v.name, v.label, v.type, v.length,
                                     self.summary.replaced[(dataset.name, v.name)]])


def write_package(subjects: Iterable[Subject], zip_path: Path,
                  builders: Sequence[DomainBuilder] | None = None) -> ExportSummary:
    """Write the SDTM zip of ``subjects`` to ``zip_path``; raise XptError if XPT cannot hold it.

    The zip holds ``csv/<domain>.csv`` (UTF-8, free text as recorded), ``xpt/<domain>.xpt``
    (SAS transport version 5, non-ASCII text replaced by a marker and flagged in
    SUPP--), and ``variables.csv`` (every variable's label, type and length, and how many
    of its values the XPT replaced).
    """
    with TemporaryDirectory(prefix="sdtm-") as directory:
        package = _Package(list(builders or default_builders()), Path(directory))
        try:
            for subject in subjects:
                package.add_subject(subject)
            package.add_study_records()
        finally:
            for dataset in package.datasets.values():
                dataset.close()
        return package.finish(zip_path)
