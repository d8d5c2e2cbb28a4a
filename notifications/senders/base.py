"""What every SMS sender offers the dispatcher, and the two ways a send can fail."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutgoingSms:
    """One text to hand to a provider; the number and body never appear in its repr."""

    message_id: int
    kind: str
    to: str = field(repr=False)
    body: str = field(repr=False)


@dataclass(frozen=True)
class SendResult:
    """What the provider said on acceptance: its id for the message, if it has one."""

    provider_sid: str | None = None


class SendError(Exception):
    """A send that did not succeed; ``code`` is stored on the message (never a number)."""

    def __init__(self, code: str, status: int | None = None):
        super().__init__(code)
        self.code = code
        self.status = status


class TransientSendError(SendError):
    """Worth trying again later: rate limit, provider outage, network trouble.

    ``ambiguous`` means the request may have reached the provider (the answer timed
    out), so the text may already be on its way.
    """

    def __init__(self, code: str, status: int | None = None, *, ambiguous: bool = False):
        super().__init__(code, status)
        self.ambiguous = ambiguous


class PermanentSendError(SendError):
    """Never worth retrying: the recipient opted out, the number is invalid, the text is bad."""


class SmsSender(ABC):
    """Sends one text now; raises a ``SendError`` subclass when it cannot."""

    name: str = "sender"

    @abstractmethod
    def send(self, sms: OutgoingSms) -> SendResult:
        """Hand ``sms`` to the provider and return its acceptance."""

    def close(self) -> None:  # noqa: B027 - most senders hold nothing to release
        """Release connections the sender holds."""
