"""Texts through Twilio's Messages API, with the official ``twilio`` client."""

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout, ReadTimeout, RequestException
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from notifications.senders.base import (
    OutgoingSms,
    PermanentSendError,
    SendResult,
    SmsSender,
    TransientSendError,
)

logger = logging.getLogger(__name__)

TWILIO_ORIGIN = "https://api.twilio.com"
RATE_LIMITED = 20429
# Credentials rejected: an operator's mistake, not the recipient's, so alerts keep
# retrying until someone fixes the configuration (reminders expire on their own).
AUTH_FAILED = 20003
STATUS_PATH = "/webhooks/twilio/status"
MESSAGE_ID_PARAMETER = "message_id"


class _RedirectingHttpClient(TwilioHttpClient):
    """The stock HTTP client, with api.twilio.com swapped for another origin (a local fake)."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_ORIGIN):
            url = self.base_url + url[len(TWILIO_ORIGIN):]
        return super().request(method, url, *args, **kwargs)


class TwilioSender(SmsSender):
    """Send through the Messages API from a messaging service or a sender number."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        messaging_service_sid: str | None = None,
        from_number: str | None = None,
        status_callback: str | None = None,
        validity_period: int | None = None,
        timeout: float = 10.0,
        api_base_url: str | None = None,
    ):
        if not (account_sid and auth_token):
            raise ValueError("Twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if not (messaging_service_sid or from_number):
            raise ValueError("Twilio needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        # No retries inside the HTTP client: a repeated POST could text twice, and the
        # outbox already retries with backoff.
        options = {"timeout": timeout, "max_retries": 0}
        http_client = (
            _RedirectingHttpClient(api_base_url, **options)
            if api_base_url
            else TwilioHttpClient(**options)
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.messaging_service_sid = messaging_service_sid or None
        self.from_number = None if messaging_service_sid else from_number
        self.status_callback = status_callback or None
        self.validity_period = validity_period or None

    @classmethod
    def from_config(cls, config) -> "TwilioSender":
        """Build a sender from the app's settings."""
        return cls(
            config.get("TWILIO_ACCOUNT_SID", ""),
            config.get("TWILIO_AUTH_TOKEN", ""),
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            from_number=config.get("TWILIO_FROM_NUMBER") or None,
            status_callback=status_callback_url(config),
            validity_period=config.get("TWILIO_VALIDITY_PERIOD") or None,
            timeout=float(config.get("TWILIO_TIMEOUT_SECONDS") or 10.0),
            api_base_url=config.get("TWILIO_API_BASE_URL") or None,
        )

    def send(self, sms: OutgoingSms) -> SendResult:
        """Create the message at Twilio; map its refusals to transient or permanent errors."""
        options = {
            "messaging_service_sid": self.messaging_service_sid,
            "from_": self.from_number,
            "status_callback": self._callback_for(sms),
            "validity_period": self.validity_period,
        }
        try:
            created = self.client.messages.create(
                to=sms.to,
                body=sms.body,
                **{name: value for name, value in options.items() if value is not None},
            )
        except (TwilioRestException, TwilioServiceException) as error:
            raise _classify(error.status, error.code) from None
        except RequestException as error:
            raise _network_error(error) from None
        return SendResult(provider_sid=created.sid)

    def _callback_for(self, sms: OutgoingSms) -> str | None:
        """Name our message in its status callback URL (Twilio signs the whole URL).

        A report can arrive before we have stored the SID Twilio returned; our own id
        still finds the message, so no early failure report is lost.
        """
        if self.status_callback is None:
            return None
        parts = urlsplit(self.status_callback)
        query = [*parse_qsl(parts.query), (MESSAGE_ID_PARAMETER, str(sms.message_id))]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def close(self) -> None:
        """Close the HTTP session's pooled connections."""
        session = getattr(self.client.http_client, "session", None)
        if session is not None:
            session.close()


def status_callback_url(config) -> str | None:
    """Where Twilio posts delivery updates: the setting, else the public base URL's path."""
    explicit = config.get("TWILIO_STATUS_CALLBACK_URL")
    if explicit:
        return explicit
    base = (config.get("DIARY_PUBLIC_BASE_URL") or "").rstrip("/")
    return base + STATUS_PATH if urlsplit(base).scheme else None


def _classify(status: int, code) -> TransientSendError | PermanentSendError:
    """Decide whether a Twilio refusal is worth retrying."""
    status = int(status or 0)
    code = int(code) if str(code or "").isdigit() else None
    label = str(code or f"http_{status}")
    if status == 429 or code == RATE_LIMITED or status >= 500:
        return TransientSendError(label, status)
    if status == 401 or code == AUTH_FAILED:
        logger.error("twilio rejected the credentials (code=%s)", label)
        return TransientSendError(label, status)
    return PermanentSendError(label, status)


def _network_error(error: RequestException) -> TransientSendError:
    """Map a requests failure; an answer that timed out may still have been sent."""
    if isinstance(error, ConnectTimeout):
        return TransientSendError("connect_timeout")
    if isinstance(error, ReadTimeout):
        return TransientSendError("read_timeout", ambiguous=True)
    if isinstance(error, RequestsConnectionError):
        return TransientSendError("connection_error")
    return TransientSendError("request_error")
