"""SMS senders: Twilio for real texts, the console for running without credentials."""

from notifications.senders.base import (
    OutgoingSms,
    PermanentSendError,
    SendError,
    SendResult,
    SmsSender,
    TransientSendError,
)
from notifications.senders.console import ConsoleSender

SENDERS = ("console", "twilio")


def build_sender(config) -> SmsSender:
    """Make the sender the settings ask for (DIARY_SMS_SENDER; Twilio if it has an account)."""
    choice = (config.get("DIARY_SMS_SENDER") or "").strip().lower()
    if not choice:
        choice = "twilio" if config.get("TWILIO_ACCOUNT_SID") else "console"
    if choice == "console":
        return ConsoleSender()
    if choice == "twilio":
        # Imported here: the twilio package is heavy and the console needs none of it.
        from notifications.senders.twilio_sender import TwilioSender

        return TwilioSender.from_config(config)
    raise ValueError(f"DIARY_SMS_SENDER must be one of {', '.join(SENDERS)}, not {choice!r}")


__all__ = [
    "ConsoleSender",
    "OutgoingSms",
    "PermanentSendError",
    "SendError",
    "SendResult",
    "SmsSender",
    "TransientSendError",
    "build_sender",
]
