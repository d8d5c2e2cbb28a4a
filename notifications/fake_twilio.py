"""A local stand-in for Twilio's Messages API, for tests and local runs without an account.

It speaks just enough of ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` for the
real ``twilio`` client: HTTP basic auth, form fields in, a message resource or a Twilio
error body out. Answers can be scripted per destination number or queued, and every
request is recorded for assertions. ``diary fake-twilio`` runs one for a rehearsal.
"""

import base64
import json
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from diary.clock import utcnow

_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")


@dataclass(frozen=True)
class Behaviour:
    """How the fake answers one request: an HTTP status, a Twilio code, a delay first."""

    status: int = 201
    code: int | None = None
    delay: float = 0.0


ACCEPT = Behaviour()
OPTED_OUT = Behaviour(400, 21610)
INVALID_NUMBER = Behaviour(400, 21211)
NOT_SMS_CAPABLE = Behaviour(400, 21614)
RATE_LIMITED = Behaviour(429, 20429)
SERVER_ERROR = Behaviour(500)


def slow(seconds: float) -> Behaviour:
    """Accept the message, but only after ``seconds`` (longer than a client's timeout)."""
    return Behaviour(delay=seconds)


@dataclass(frozen=True)
class ReceivedRequest:
    """One POST the fake received, with the status it answered and the SID it gave."""

    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    validity_period: str | None
    status: int
    sid: str | None


class FakeTwilio:
    """A threaded HTTP server on 127.0.0.1, on an ephemeral port unless one is given.

    ``any_credentials`` accepts whatever account and token the client names (a rehearsal
    needs no real ones); ``on_message`` is called with each request it accepted.
    """

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "fake-token",  # noqa: S107 - a fake
                 *, any_credentials: bool = False,
                 on_message: Callable[["ReceivedRequest"], None] | None = None):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.any_credentials = any_credentials
        self.on_message = on_message
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._by_number: dict[str, Behaviour] = {}
        self._queue: deque[Behaviour] = deque()
        self._requests: list[ReceivedRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> "FakeTwilio":
        """Listen on ``port`` (an ephemeral one by default) and serve in a background thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any slow answer, and close the socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def __enter__(self) -> "FakeTwilio":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def script(self, number: str, behaviour: Behaviour) -> None:
        """Answer every request to ``number`` this way (until scripted otherwise)."""
        with self._lock:
            self._by_number[number] = behaviour

    def queue(self, *behaviours: Behaviour) -> None:
        """Answer the next requests, whatever their number, with these, in order."""
        with self._lock:
            self._queue.extend(behaviours)

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Return a copy of every request received so far."""
        with self._lock:
            return list(self._requests)

    def sent_to(self, number: str) -> list[ReceivedRequest]:
        """Return the accepted (201) requests to ``number``."""
        return [r for r in self.requests if r.to == number and r.status == 201]

    def _next_behaviour(self, number: str) -> Behaviour:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            return self._by_number.get(number, ACCEPT)

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return secrets.compare_digest(header or "", f"Basic {expected}")

    def answer(self, path: str, auth_header: str | None, form: dict) -> tuple[int, dict]:
        """Decide the status and JSON body for one POST."""
        match = _PATH.match(path)
        if not match or not (self.any_credentials or match["account"] == self.account_sid):
            return 404, _error(404, 20404, "The requested resource was not found")
        if not (self.any_credentials or self._authorised(auth_header)):
            return 401, _error(401, 20003, "Authenticate")
        to, body = form.get("To", ""), form.get("Body", "")
        if not to or not body or not (form.get("From") or form.get("MessagingServiceSid")):
            return 400, _error(400, 21604, "A 'To', 'Body' and sender are required")
        behaviour = self._next_behaviour(to)
        sid = "SM" + secrets.token_hex(16) if behaviour.status == 201 else None
        received = ReceivedRequest(
            to=to, body=body, from_=form.get("From"),
            messaging_service_sid=form.get("MessagingServiceSid"),
            status_callback=form.get("StatusCallback"),
            validity_period=form.get("ValidityPeriod"),
            status=behaviour.status, sid=sid,
        )
        self._record(received)
        if behaviour.delay:
            self._stopping.wait(behaviour.delay)
        if sid is None:
            return behaviour.status, _error(behaviour.status, behaviour.code, "Scripted error")
        if self.on_message is not None:
            self.on_message(received)
        return 201, self._resource(sid, form, match["account"])

    def _resource(self, sid: str, form: dict, account_sid: str) -> dict:
        now = format_datetime(utcnow(), usegmt=True)
        uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"
        return {
            "sid": sid, "account_sid": account_sid, "api_version": "2010-04-01",
            "to": form["To"], "from": form.get("From"), "body": form["Body"],
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "status": "queued", "direction": "outbound-api", "num_segments": "1",
            "num_media": "0", "price": None, "price_unit": "USD", "error_code": None,
            "error_message": None, "date_created": now, "date_updated": now,
            "date_sent": None, "uri": uri, "subresource_uris": {"media": uri[:-5] + "/Media.json"},
        }


def _error(status: int, code: int | None, message: str) -> dict:
    return {
        "code": code or status, "message": message, "status": status,
        "more_info": f"https://www.twilio.com/docs/errors/{code or status}",
    }


def _handler_for(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            status, payload = fake.answer(self.path, self.headers.get("Authorization"), form)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting (a scripted slow answer)

        def log_message(self, format, *args):
            """Stay quiet: request lines are not interesting in test output."""

    return Handler
