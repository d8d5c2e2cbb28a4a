"""Rehearse the SMS path on one machine: post a text to the running service as Twilio would."""

import secrets

import requests
from twilio.request_validator import RequestValidator

SMS_WEBHOOK_PATH = "/webhooks/twilio/sms"


def signed_url(config, service_url: str) -> str:
    """Return the URL the service checks an inbound text's signature over.

    The webhook believes the configured public base URL when there is one, else the URL
    it was called at (see ``api.webhooks.public_url``), so we sign over the same.
    """
    base = (config.get("DIARY_PUBLIC_BASE_URL") or "").rstrip("/") or service_url.rstrip("/")
    return base + SMS_WEBHOOK_PATH


def inbound_sms_form(config, sender: str, text: str) -> dict[str, str]:
    """Return the form fields Twilio posts for a text ``sender`` sent to the study number."""
    form = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": config.get("TWILIO_ACCOUNT_SID") or "AC" + "0" * 32,
        "From": sender,
        "To": config.get("TWILIO_FROM_NUMBER") or "",
        "Body": text,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    return {name: value for name, value in form.items() if value}


def post_inbound_sms(config, service_url: str, sender: str, text: str,
                     timeout: float = 10.0) -> requests.Response:
    """Post one inbound text to the service's SMS webhook, signed with the auth token."""
    token = config.get("TWILIO_AUTH_TOKEN") or ""
    if not token:
        raise ValueError("TWILIO_AUTH_TOKEN is not set: the service checks the signature "
                         "with it, so set the same value as the service's.")
    form = inbound_sms_form(config, sender, text)
    signature = RequestValidator(token).compute_signature(signed_url(config, service_url), form)
    return requests.post(service_url.rstrip("/") + SMS_WEBHOOK_PATH, data=form,
                         headers={"X-Twilio-Signature": signature}, timeout=timeout)
