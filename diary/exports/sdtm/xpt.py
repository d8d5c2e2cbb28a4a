"""SAS transport (XPORT version 5) through pyreadstat, with the checks it does not make.

pyreadstat writes version 8 unless told 5, cuts labels past 40 characters without a
word, and writes values over 200 bytes and non-ASCII text that version 5 readers
mangle. Every dataset is checked first; anything out of bounds fails with a message
naming the dataset, the variable and the record.
"""

import re
from collections.abc import Iterable

from diary.exports.sdtm.variables import CHAR, Variable

MAX_NAME, MAX_LABEL, MAX_VALUE_BYTES = 8, 40, 200
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


def write_xpt(frame, path, dataset: str, variables: list[Variable], label: str) -> None:
    """Write a checked dataset (a DataFrame, columns in ``variables`` order) as XPT v5."""
    import pyreadstat  # loads pandas and numpy: only when exporting

    check_metadata(dataset, variables, label)
    pyreadstat.write_xport(frame, str(path), file_label=label,
                           column_labels=[v.label for v in variables], table_name=dataset,
                           file_format_version=5)
