"""Rate limits (flask-limiter) on what a guesser or a flood would hammer.

Sign-in, set-password, activation codes and the SMS webhooks, each counted per client
address (behind a proxy, DIARY_PROXY_COUNT makes that the client's, not the proxy's).
The counts live in RATELIMIT_STORAGE_URI: Redis in production, so that every gunicorn
worker and machine shares them; memory:// counts per process.
"""

import time

from flask import Flask
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from api.errors import ErrorSchema, error_response

RATE_LIMITED = "RATE_LIMITED"


def rate_limited(setting: str):
    """Mark a view as limited by the app setting ``setting`` (e.g. "10 per minute").

    The limit itself is attached per app by ``init_rate_limits``; the mark also documents
    the 429 in the OpenAPI document.
    """

    def decorator(func):
        func.rate_limit_setting = setting
        return Blueprint.doc(responses={"429": RATE_LIMITED})(func)

    return decorator


def _setting_of(view) -> str | None:
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return getattr(view, "rate_limit_setting", None)
    settings = {getattr(getattr(view_class, method.lower()), "rate_limit_setting", None)
                for method in view_class.methods}
    settings.discard(None)
    return settings.pop() if settings else None


def init_rate_limits(app: Flask) -> Limiter:
    """Give this app its own limiter and apply the marked views' limits.

    One Limiter per app: flask-limiter keeps its storage and switches on the instance,
    so a module-level one would be shared by every app a process makes (tests do).
    """
    limiter = Limiter(get_remote_address, app=app)
    for endpoint, view in list(app.view_functions.items()):
        setting = _setting_of(view)
        if setting is not None:
            limit = app.config[setting]
            app.view_functions[endpoint] = limiter.limit(limit)(view)

    def too_many(error: RateLimitExceeded):
        current = limiter.current_limit
        wait = max(1, int(current.reset_at - time.time())) if current else 60
        return error_response(
            429, f"Too many requests ({error.description}); try again in {wait} seconds.",
            headers=[("Retry-After", str(wait))])

    app.register_error_handler(RateLimitExceeded, too_many)
    return limiter


def document_rate_limits(spec) -> None:
    """Add the 429 answer, with its Retry-After header, to the OpenAPI components."""
    spec.components.response(RATE_LIMITED, {
        "description": "Too many requests from this address: wait Retry-After seconds",
        "content": {"application/json": {"schema": ErrorSchema}},
        "headers": {"Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer", "minimum": 1}}},
    })
