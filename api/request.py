"""The request class: a streamed body over MAX_CONTENT_LENGTH is refused, never cut."""

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream


class _AtMost(LimitedStream):
    """A stream that reads up to its limit and raises 413 if the body goes on past it.

    Werkzeug's own stream stops at the limit of a chunked body and returns what it read:
    the body is silently cut, and a cut that still parses would be stored.
    """

    def __init__(self, stream, limit: int):
        super().__init__(stream, limit, is_max=True)
        self._source = stream

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._source.read(1):
            raise RequestEntityTooLarge()
        return data


class DiaryRequest(Request):
    """Flask's request, holding a chunked body to MAX_CONTENT_LENGTH as a sized one is."""

    @cached_property
    def stream(self):
        limit = self.max_content_length
        # A server that terminates the input (gunicorn, for chunked bodies) sends no
        # Content-Length; a sized body is checked against the limit by werkzeug.
        if (limit is not None and self.content_length is None
                and "wsgi.input_terminated" in self.environ):
            return _AtMost(self.environ["wsgi.input"], limit)
        return super().stream
