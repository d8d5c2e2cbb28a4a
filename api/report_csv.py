"""The CSV a report answers with ``Accept: text/csv``: negotiated, documented and streamed."""

import csv
import io
from collections.abc import Iterable

from flask import Response, request, stream_with_context

CSV = "text/csv"


def csv_doc(example: str, description: str | None = None) -> dict:
    """Document (``@blp.doc``) the CSV the same path answers with ``Accept: text/csv``."""
    answer = {"content": {CSV: {"schema": {"type": "string"}, "example": example}}}
    if description is not None:
        answer["description"] = description
    return {"responses": {200: answer}}


def wants_csv() -> bool:
    """Say whether the request prefers CSV to JSON."""
    return request.accept_mimetypes.best_match(("application/json", CSV)) == CSV


def csv_response(name: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """Stream a header and rows as ``<name>.csv``, a line at a time (None as empty)."""
    return Response(stream_with_context(_lines(header, rows)), mimetype=CSV, headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"'})


def _lines(header: Iterable, rows: Iterable[Iterable]):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if value is None else value for value in values])
        return buffer.getvalue()

    yield line(header)
    for row in rows:
        yield line(row)
