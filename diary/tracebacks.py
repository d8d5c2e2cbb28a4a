"""Tracebacks for the logs with every exception's message left out.

An exception's message can carry the data that caused it: PostgreSQL's DETAIL line
(``Key (email)=(kim@example.org) already exists``), which psycopg puts in ``str(exc)``
and SQLAlchemy copies into its own message, or a value a ``ValueError`` quotes. The
standard ``exc_info`` logging prints those messages; this prints the chain of exception
types and the frames (file, line, function, source line), which is enough to find a bug
and never a row value.
"""

import traceback

_MAX_CHAIN = 10  # a cycle of __context__ links is possible; a real chain is short
_LINKS = {"caused": "\nThe above exception was the direct cause of the following exception:\n\n",
          "context": "\nDuring handling of the above exception, another exception occurred:\n\n"}


def _chain(error: BaseException) -> list[tuple[BaseException, str]]:
    """Return the exceptions from the first cause to ``error``, each with its link text."""
    chain, seen, current, link = [], set(), error, ""
    while current is not None and id(current) not in seen and len(chain) < _MAX_CHAIN:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "caused"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "context"
        else:
            current = None
    return list(reversed(chain))


def _name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else (
        f"{kind.__module__}.{kind.__qualname__}")


def scrubbed_traceback(error: BaseException) -> str:
    """Return ``error``'s traceback, causes first, with exception types but no messages."""
    parts, link_to_next = [], ""
    for exc, link in _chain(error):
        if link_to_next:
            parts.append(_LINKS[link_to_next])
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(exc.__traceback__))
        parts.append(f"{_name(exc)} (message withheld from the logs)\n")
        link_to_next = link
    return "".join(parts)
