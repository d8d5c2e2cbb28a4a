"""A sender that only logs, so the service runs without SMS credentials."""

import logging

from notifications.senders.base import OutgoingSms, SendResult, SmsSender

logger = logging.getLogger(__name__)


class ConsoleSender(SmsSender):
    """Log that a message was sent (its id and kind only: never the number or the body)."""

    name = "console"

    def send(self, sms: OutgoingSms) -> SendResult:
        """Log the message's id and kind and report it sent."""
        logger.info("sent message id=%s kind=%s", sms.message_id, sms.kind)
        return SendResult(provider_sid=None)
