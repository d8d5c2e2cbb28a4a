"""SAS transport (XPORT version 5) through pyreadstat, a chunk at a time, with the checks
it does not make.

pyreadstat writes version 8 unless told 5, cuts labels past 40 characters without a
word, and writes values over 200 bytes and non-ASCII text that version 5 readers
mangle. Every dataset is checked first; anything out of bounds fails with a message
naming the dataset, the variable and the record.

pyreadstat also writes a file from one whole DataFrame only (no append), and a dataset
can be a million rows. Version 5 lets it be written in chunks: its headers hold no
observation count, and the observations are fixed-width records back to back, blank-padded
to the 80-byte record at the end. So pyreadstat writes each chunk to a file of its own
(it still does all the encoding: headers, IBM floats, missing values), with every Char
variable padded to one width so every chunk's headers come out the same; we keep the first
chunk's headers, append each chunk's observations without its padding, and pad the end.
"""

import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from diary.exports.sdtm.variables import CHAR, Variable

MAX_NAME, MAX_LABEL, MAX_VALUE_BYTES = 8, 40, 200
# Version 5's layout (SAS TS-140): 80-byte header records; one 140-byte NAMESTR record per
# variable, run together and padded to whole records; then the OBS header and the data.
RECORD_BYTES, NAMESTR_BYTES = 80, 140
_NAMESTR_HEADER = b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000"
_OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!" + b"0" * 30 + b"  "
# The library, first real, date, member, descriptor and two member records come first.
_RECORDS_BEFORE_NAMESTR = 7
COPY_BYTES = 1 << 20
# What the XPT file carries instead of free text that is not ASCII; the CSV keeps the text.
NON_ASCII_MARKER = "[NON-ASCII TEXT, SEE CSV]"
_NAME = re.compile(r"[A-Z][A-Z0-9]*")


class XptError(ValueError):
    """A dataset SAS transport version 5 cannot hold as it is."""


def metadata_problems(dataset: str, variables: Iterable[Variable], label: str) -> list[str]:
    """Return what breaks version 5's limits in a dataset's names and labels."""
    problems = []
    for kind, name in [("dataset", dataset), *(("variable", v.name) for v in variables)]:
        if len(name) > MAX_NAME or not _NAME.fullmatch(name):
            problems.append(f"{dataset}: {kind} name {name!r} is not 1-{MAX_NAME} letters "
                            "and digits, starting with a letter.")
    for name, text in [(dataset, label), *((v.name, v.label) for v in variables)]:
        if len(text) > MAX_LABEL or not text.isascii():
            problems.append(f"{dataset}.{name}: label {text!r} is not ASCII of at most "
                            f"{MAX_LABEL} characters.")
    return problems


def check_metadata(dataset: str, variables: Iterable[Variable], label: str) -> None:
    """Raise XptError if a name or label breaks version 5's limits."""
    problems = metadata_problems(dataset, list(variables), label)
    if problems:
        raise XptError(" ".join(problems))


def ascii_values(values: dict, variables: Iterable[Variable]) -> tuple[dict, list[str]]:
    """Return the values with non-ASCII text replaced by the marker, and which were."""
    replaced, out = [], dict(values)
    for variable in variables:
        value = values.get(variable.name)
        if variable.type == CHAR and isinstance(value, str) and not value.isascii():
            out[variable.name] = NON_ASCII_MARKER
            replaced.append(variable.name)
    return out, replaced


def check_values(dataset: str, values: dict, variables: Iterable[Variable], where: str) -> None:
    """Raise XptError for a Char value that is not ASCII or longer than its variable allows."""
    for variable in variables:
        value = values.get(variable.name)
        if variable.type != CHAR or value is None:
            continue
        if not isinstance(value, str) or not value.isascii():
            raise XptError(f"{dataset}.{variable.name} ({where}) is not ASCII text.")
        limit = min(variable.length, MAX_VALUE_BYTES)
        size = len(value.encode("ascii"))
        if size > limit:
            raise XptError(f"{dataset}.{variable.name} ({where}) is {size} bytes; SAS "
                           f"transport version 5 holds at most {limit} here.")


def write_xpt(frames: Iterable, path: Path, dataset: str, variables: list[Variable],
              label: str, widths: dict[str, int]) -> None:
    """Write a checked dataset as XPT v5 from its rows, one DataFrame chunk at a time.

    ``frames`` are chunks of the dataset's rows (columns in ``variables`` order); none at
    all is a dataset of no rows. ``widths`` gives each Char variable's width in bytes
    (at least its longest value), the same for every chunk.
    """
    import pyreadstat  # loads pandas and numpy: only when exporting

    check_metadata(dataset, variables, label)
    chunk_path = path.with_name(f"{path.name}.chunk")
    first, written = None, 0
    try:
        with path.open("wb") as out:
            for frame in _or_empty(frames, variables):
                pyreadstat.write_xport(_padded(frame, variables, widths), str(chunk_path),
                                       file_label=label, table_name=dataset,
                                       column_labels=[v.label for v in variables],
                                       file_format_version=5)
                with chunk_path.open("rb") as chunk:
                    layout = _layout(chunk)
                    if first is None:
                        first = _first_layout(layout, variables, widths)
                        chunk.seek(0)
                        out.write(chunk.read(layout.data_start))
                    elif layout.descriptors != first.descriptors:
                        raise RuntimeError(f"{dataset}: a chunk's variables differ from the "
                                           "first chunk's.")
                    written += _copy_observations(chunk, out, len(frame) * layout.row_bytes)
            # Version 5 ends the last observation record with blanks (as pyreadstat does).
            out.write(b" " * (-written % RECORD_BYTES))
    finally:
        chunk_path.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Layout:
    """Where a version 5 file's observations start and how wide one is."""

    data_start: int
    row_bytes: int
    widths: dict[str, int]  # each variable's width, from its NAMESTR record
    descriptors: bytes  # the NAMESTR header and records: no date in them


def _layout(file: BinaryIO) -> _Layout:
    """Read a version 5 file's headers up to its first observation."""
    file.seek(_RECORDS_BEFORE_NAMESTR * RECORD_BYTES)
    header = file.read(RECORD_BYTES)
    if not header.startswith(_NAMESTR_HEADER):
        raise RuntimeError("pyreadstat wrote no NAMESTR header where version 5 has it.")
    count = int(header[len(_NAMESTR_HEADER):len(_NAMESTR_HEADER) + 4])
    namestr_bytes = -(-count * NAMESTR_BYTES // RECORD_BYTES) * RECORD_BYTES
    namestrs = file.read(namestr_bytes)
    if file.read(RECORD_BYTES) != _OBS_HEADER:
        raise RuntimeError("pyreadstat wrote no OBS header after the NAMESTR records.")
    widths, position = {}, 0
    for index in range(count):
        record = namestrs[index * NAMESTR_BYTES:(index + 1) * NAMESTR_BYTES]
        # nlng (the width) is a big-endian short at byte 4, nname 8 bytes at 8, npos
        # (where the variable starts in an observation) a big-endian int at 84.
        (width,), name = struct.unpack(">h", record[4:6]), record[8:16].decode("ascii")
        (start,) = struct.unpack(">i", record[84:88])
        if start != position:
            raise RuntimeError(f"Variable {name.strip()} starts at byte {start}, not "
                               f"{position}, of an observation.")
        widths[name.rstrip()] = width
        position += width
    return _Layout(file.tell(), position, widths, header + namestrs)


def _first_layout(layout: _Layout, variables: list[Variable],
                  widths: dict[str, int]) -> _Layout:
    """Return the first chunk's layout once it is checked to be the widths asked for."""
    expected = {v.name: widths[v.name] if v.type == CHAR else 8 for v in variables}
    if layout.widths != expected:
        raise RuntimeError(f"pyreadstat wrote widths {layout.widths}, not {expected}.")
    return layout


def _copy_observations(chunk: BinaryIO, out: BinaryIO, size: int) -> int:
    """Copy a chunk's ``size`` bytes of observations; check that only padding is left."""
    left = size
    while left:
        block = chunk.read(min(left, COPY_BYTES))
        if not block:
            raise RuntimeError("A chunk holds fewer observations than it was given.")
        out.write(block)
        left -= len(block)
    rest = chunk.read(RECORD_BYTES)
    if len(rest) >= RECORD_BYTES or rest.strip(b" "):
        raise RuntimeError("A chunk holds more than its observations and their padding.")
    return size


def _padded(frame, variables: list[Variable], widths: dict[str, int]):
    # pyreadstat makes a Char variable as wide as its longest value in the frame it is
    # given; blanks to the same width make every chunk's widths those of the whole
    # dataset. XPT stores Char values blank-padded anyway, so the bytes are the same, and
    # readers (SAS, pyreadstat, pandas) strip trailing blanks.
    return frame.assign(**{v.name: frame[v.name].str.ljust(widths[v.name])
                           for v in variables if v.type == CHAR})


def _or_empty(frames: Iterable, variables: list[Variable]) -> Iterator:
    """Yield the frames that have rows, or one that has none (its headers are the file)."""
    import pandas

    any_rows = False
    for frame in frames:
        if len(frame):
            any_rows = True
            yield frame
    if not any_rows:
        # pyreadstat makes a Char variable of no values 1 byte wide, as the widths say.
        yield pandas.DataFrame({v.name: pandas.Series([], dtype="float64" if v.type != CHAR
                                                      else str) for v in variables})
