"""Settings, all read from the environment when the app is created (never at import)."""

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    return int(raw) if raw not in (None, "") else default


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def from_environment(env: dict | None = None) -> dict:
    """Build the app's settings from environment variables."""
    env = dict(os.environ if env is None else env)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'diary.sqlite3'}"
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "SECRET_KEY": env.get("SECRET_KEY", "dev-only-not-secret"),
        # "production" refuses to start on development keys (diary/phone_keys.py).
        "DIARY_ENV": env.get("DIARY_ENV", "development"),
        # Fernet keys, comma-separated, newest first: phone numbers are encrypted with them.
        "DIARY_PHONE_KEYS": env.get("DIARY_PHONE_KEYS", ""),
        # The HMAC key of the phone lookup hash; changing it needs `diary keys rotate`.
        "DIARY_PHONE_LOOKUP_KEY": env.get("DIARY_PHONE_LOOKUP_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 1024 * 1024),
        "DIARY_DEFAULT_STUDY": env.get("DIARY_DEFAULT_STUDY", "NCT02495519"),
        "DIARY_STAFF_TOKEN_HOURS": _int(env, "DIARY_STAFF_TOKEN_HOURS", 12),
        "DIARY_DEVICE_TOKEN_DAYS": _int(env, "DIARY_DEVICE_TOKEN_DAYS", 365),
        "DIARY_ACTIVATION_CODE_HOURS": _int(env, "DIARY_ACTIVATION_CODE_HOURS", 72),
        "DIARY_SET_PASSWORD_CODE_HOURS": _int(env, "DIARY_SET_PASSWORD_CODE_HOURS", 24),
        "DIARY_LOCKOUT_ATTEMPTS": _int(env, "DIARY_LOCKOUT_ATTEMPTS", 5),
        "DIARY_LOCKOUT_MINUTES": _int(env, "DIARY_LOCKOUT_MINUTES", 15),
        # An enrolment-only token (second factor not set up yet) lives this long.
        "DIARY_ENROLMENT_TOKEN_MINUTES": _int(env, "DIARY_ENROLMENT_TOKEN_MINUTES", 15),
        # flask-limiter: on unless switched off; Redis in production so every worker and
        # machine counts together (memory:// counts per process).
        "RATELIMIT_ENABLED": _bool(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "diary"),
        # Redis out of reach: count in each process's memory meanwhile (the same limits,
        # per worker) rather than refuse every sign-in with a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "DIARY_RATELIMIT_SIGN_IN": env.get("DIARY_RATELIMIT_SIGN_IN") or "10 per minute",
        "DIARY_RATELIMIT_SET_PASSWORD": env.get("DIARY_RATELIMIT_SET_PASSWORD")
        or "10 per minute",
        "DIARY_RATELIMIT_ACTIVATE": env.get("DIARY_RATELIMIT_ACTIVATE") or "10 per minute",
        "DIARY_RATELIMIT_WEBHOOK": env.get("DIARY_RATELIMIT_WEBHOOK") or "300 per minute",
        # Browser origins allowed to call the API (comma separated); none by default.
        "DIARY_CORS_ORIGINS": [origin.strip() for origin in
                               env.get("DIARY_CORS_ORIGINS", "").split(",") if origin.strip()],
        "DIARY_HSTS_SECONDS": _int(env, "DIARY_HSTS_SECONDS", 31536000),
        "DIARY_PUBLIC_BASE_URL": env.get("DIARY_PUBLIC_BASE_URL", ""),
        "DIARY_PROXY_COUNT": _int(env, "DIARY_PROXY_COUNT", 0),
        "DIARY_LOG_LEVEL": env.get("DIARY_LOG_LEVEL", "INFO"),
        # A pooled database connection idle this long is checked before use (0: always).
        "DIARY_DB_PING_IDLE_SECONDS": float(env.get("DIARY_DB_PING_IDLE_SECONDS") or 10),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID", ""),
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN", ""),
        # Only when a Twilio Webhook Rule signs our webhooks with a SharedKey instead.
        "TWILIO_WEBHOOK_SHARED_KEY_SECRET": env.get("TWILIO_WEBHOOK_SHARED_KEY_SECRET", ""),
        "TWILIO_MESSAGING_SERVICE_SID": env.get("TWILIO_MESSAGING_SERVICE_SID", ""),
        "TWILIO_FROM_NUMBER": env.get("TWILIO_FROM_NUMBER", ""),
        "TWILIO_STATUS_CALLBACK_URL": env.get("TWILIO_STATUS_CALLBACK_URL", ""),
        "TWILIO_VALIDITY_PERIOD": _int(env, "TWILIO_VALIDITY_PERIOD", 7200),
        # Seconds to wait for Twilio's answer before the send counts as timed out.
        "TWILIO_TIMEOUT_SECONDS": float(env.get("TWILIO_TIMEOUT_SECONDS") or 10),
        # Only for tests and local fakes: where the twilio client sends its requests.
        "TWILIO_API_BASE_URL": env.get("TWILIO_API_BASE_URL", ""),
        "DIARY_SMS_SENDER": env.get("DIARY_SMS_SENDER", ""),
        # Flask-smorest / OpenAPI
        "API_TITLE": "Treatment diary",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Swagger UI from our own server (api/docs.py), never a CDN; no online validator.
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},
        "JSON_SORT_KEYS": False,
    }
