"""The load generator: keep-alive HTTP/1.1 clients on asyncio, each a distinct write.

Client ``i`` of ``c`` writes for the phones ``i, i + c, i + 2c, ...``, walking forward
one day at a time from enrolment, each request with a new client_id: every request is a
new entry, none a retry or a correction, and no two clients ever write the same day.
"""

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

PATH = "/api/v1/me/doses"


@dataclass
class LoadResult:
    """What one run measured (latencies in seconds, of requests finished in the window)."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    reconnects: int = 0
    # Every answer, warm-up included (to share out the server's CPU time).
    answered: int = 0
    created: int = 0
    server_cpu_seconds: float | None = None
    database_cpu_seconds: float | None = None
    client_cpu_seconds: float | None = None

    @property
    def ok(self) -> int:
        return self.statuses[201]

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds

    def cpu_ms(self, seconds: float | None) -> float:
        """Share ``seconds`` of CPU out over every answer, in milliseconds."""
        if seconds is None or not self.answered:
            return float("nan")
        return seconds / self.answered * 1000

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _requests(phones: list[dict], port: int):
    """Yield request bytes for a client's phones, one new day per phone in turn."""
    offset = 0
    while True:
        for phone in phones:
            day = date.fromisoformat(phone["enrolled_on"]) + timedelta(days=offset)
            body = json.dumps({
                "client_id": str(uuid.uuid4()),
                "dose_date": day.isoformat(),
                "status": "taken",
                "dose_mg": 400,
                "taken_at": f"{day.isoformat()}T09:00:00+09:00",
            }).encode()
            yield (
                f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {phone['token']}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
        offset += 1


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def _client(port, phones, start, end, result: LoadResult) -> None:
    reader = writer = None
    for request in _requests(phones, port):
        began = time.perf_counter()
        if began >= end:
            break
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        try:
            status, close = await _read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            # The server closed an idle keep-alive connection; open another.
            writer.close()
            writer = None
            result.reconnects += 1
            continue
        finished = time.perf_counter()
        result.answered += 1
        result.created += status == 201
        if start <= began and finished <= end:
            result.statuses[status] += 1
            if status == 201:
                result.latencies.append(finished - began)
        if close:
            writer.close()
            writer = None
            result.reconnects += 1
    if writer is not None:
        writer.close()


async def _drive(port, phones, concurrency, warmup, duration) -> LoadResult:
    now = time.perf_counter()
    start, end = now + warmup, now + warmup + duration
    result = LoadResult(seconds=duration)
    await asyncio.gather(*(
        _client(port, phones[i::concurrency], start, end, result) for i in range(concurrency)
    ))
    return result


def run_load(port: int, phones: list[dict], *, concurrency: int, warmup: float,
             duration: float) -> LoadResult:
    """Drive POST /api/v1/me/doses on 127.0.0.1:port; count only the measured window."""
    if concurrency > len(phones):
        raise ValueError("need at least one phone per client")
    began = time.process_time()
    result = asyncio.run(_drive(port, phones, concurrency, warmup, duration))
    result.client_cpu_seconds = time.process_time() - began
    return result
