"""Sign webhook requests the way Twilio does, for the webhook tests."""

from twilio.request_validator import RequestValidator

AUTH_TOKEN = "test-twilio-auth-token"
PUBLIC_BASE = "https://diary.example.org"
TWIML_EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def signature(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """Return the X-Twilio-Signature Twilio would send for a POST to ``url``."""
    return RequestValidator(token).compute_signature(url, params)


def post_signed(client, path: str, params: dict, *, url: str | None = None,
                token: str = AUTH_TOKEN, headers: dict | None = None):
    """POST form ``params`` to ``path``, signed over ``url`` (the public URL by default)."""
    sig = signature(url or PUBLIC_BASE + path, params, token)
    return client.post(path, data=params,
                       headers={"X-Twilio-Signature": sig, **(headers or {})})
