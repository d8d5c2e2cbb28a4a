"""Twilio's webhooks: texts people send us, and delivery reports on the texts we sent.

Outside the documented API: Twilio is the only caller, and it proves it by signing each
request with the account's auth token over the public URL it called.
"""

from functools import wraps

from flask import Blueprint, Response, current_app, request
from twilio.request_validator import (
    HMAC_SHA1,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from api.errors import error_response
from api.limits import rate_limited
from notifications.delivery import handle_status_callback
from notifications.inbound import handle_inbound_sms
from notifications.senders.twilio_sender import MESSAGE_ID_PARAMETER

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def public_url() -> str:
    """Return the URL Twilio called: the configured public base, or what the proxies said."""
    base = current_app.config.get("DIARY_PUBLIC_BASE_URL", "").rstrip("/")
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signed_by_twilio() -> bool:
    """Check X-Twilio-Signature with the auth token, or a SharedKey when Twilio names one."""
    settings = request.headers.get(SIGNATURE_SETTINGS_HEADER)
    if settings is None:
        secret, algorithm = current_app.config.get("TWILIO_AUTH_TOKEN", ""), HMAC_SHA1
    else:
        secret = current_app.config.get("TWILIO_WEBHOOK_SHARED_KEY_SECRET", "")
        algorithm = get_signature_algorithm(settings)
    signature = request.headers.get(SIGNATURE_HEADER, "")
    # Without a secret nothing can be checked, so nothing is believed.
    if not secret or not signature:
        return False
    return RequestValidator(secret).validate(public_url(), request.form, signature,
                                             algorithm=algorithm)


def twilio_signed(view):
    """Answer 403 (and do nothing) unless the request carries Twilio's signature."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not signed_by_twilio():
            return error_response(403, "The request is not signed by Twilio.")
        return view(*args, **kwargs)

    return wrapper


def _valid_sid(value: str | None) -> bool:
    return bool(value) and len(value) <= 64


def _twiml() -> Response:
    return Response(EMPTY_TWIML, status=200, content_type="text/xml; charset=utf-8")


@bp.post("/twilio/sms")
@rate_limited("DIARY_RATELIMIT_WEBHOOK")
@twilio_signed
def inbound_sms():
    """Take a text sent to the study number; any reply goes out through the outbox."""
    form = request.form
    if not _valid_sid(form.get("MessageSid")) or not form.get("From"):
        return error_response(400, "MessageSid and From are required.")
    handle_inbound_sms(form["MessageSid"], form["From"], form.get("Body", ""))
    return _twiml()


@bp.post("/twilio/status")
@rate_limited("DIARY_RATELIMIT_WEBHOOK")
@twilio_signed
def delivery_status():
    """Take a delivery report for a text we sent."""
    form = request.form
    if not _valid_sid(form.get("MessageSid")) or not form.get("MessageStatus"):
        return error_response(400, "MessageSid and MessageStatus are required.")
    handle_status_callback(form["MessageSid"], form["MessageStatus"],
                           form.get("ErrorCode") or None,
                           message_id=request.args.get(MESSAGE_ID_PARAMETER, type=int))
    return _twiml()
