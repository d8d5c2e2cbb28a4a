"""The keys that encrypt phone numbers (and inbound texts) at rest, and the lookup hash.

Fernet (from ``cryptography``) is authenticated encryption: AES-128-CBC with an
HMAC-SHA256 over it, so a changed ciphertext fails to decrypt instead of reading as a
wrong number. ``MultiFernet`` decrypts with any listed key and encrypts with the first,
which is what a key rotation needs: put the new key first, keep the old ones after it
until ``diary keys rotate`` has re-encrypted every row.

A Fernet ciphertext is different every time, so no query can compare it; the lookup
column holds an HMAC-SHA256 of the E.164 number under a key of its own, so an inbound
text finds its participant by an indexed equality without decrypting every row, and a
stolen database alone cannot test guessed numbers against it.
"""

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

EXTENSION = "diary.phone_keys"
# For `make run` on SQLite and for tests only; DIARY_ENV=production refuses to start on
# them. Derived from fixed labels, so a development database stays readable across runs.
DEV_FERNET_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"diary development-only phone encryption key").digest()).decode()
DEV_LOOKUP_KEY = "diary development-only phone lookup key, not secret"
# 256 bits of HMAC key, as text: `secrets.token_urlsafe(32)` gives 43 characters.
MIN_LOOKUP_KEY_LENGTH = 32


class PhoneKeyError(RuntimeError):
    """The phone keys are missing or malformed, or no configured key reads a value."""


@dataclass(frozen=True)
class PhoneKeys:
    """The configured keys: encrypt under the newest, decrypt under any, hash for lookups."""

    fernets: tuple[Fernet, ...]
    lookup_key: bytes = field(repr=False)  # never printed, as no key is
    _multi: MultiFernet = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # Built once: every row read decrypts through it.
        object.__setattr__(self, "_multi", MultiFernet(list(self.fernets)))

    def encrypt(self, plaintext: str) -> str:
        return self.fernets[0].encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode()).decode()
        except InvalidToken:
            # Never echo the token: it would show in logs and error reports.
            raise PhoneKeyError(
                "An encrypted value is not readable with any key in DIARY_PHONE_KEYS "
                "(an old key removed before `diary keys rotate` finished?)."
            ) from None

    def is_current(self, token: str) -> bool:
        """Return whether ``token`` is already encrypted under the newest key."""
        try:
            self.fernets[0].decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """Return ``token`` re-encrypted under the newest key (any listed key may read it)."""
        try:
            return self._multi.rotate(token.encode()).decode()
        except InvalidToken:
            raise PhoneKeyError("An encrypted value is not readable with any key.") from None

    def lookup(self, phone: str | None) -> str | None:
        """Return the HMAC-SHA256 (hex) that finds rows with this E.164 number."""
        if phone is None:
            return None
        return hmac.new(self.lookup_key, phone.encode(), hashlib.sha256).hexdigest()


def from_settings(config: Mapping) -> PhoneKeys:
    """Build the keys from DIARY_PHONE_KEYS and DIARY_PHONE_LOOKUP_KEY (see the README).

    Outside production a missing key falls back to the development key; with
    DIARY_ENV=production a missing or short key stops the app from starting, since data
    written under a published key is not protected at all.
    """
    raw_keys = [key.strip() for key in (config.get("DIARY_PHONE_KEYS") or "").split(",")]
    raw_keys = [key for key in raw_keys if key]
    lookup = config.get("DIARY_PHONE_LOOKUP_KEY") or ""
    if config.get("DIARY_ENV") == "production":
        _refuse_weak_production_keys(raw_keys, lookup)
    try:
        fernets = tuple(Fernet(key) for key in raw_keys or [DEV_FERNET_KEY])
    except (ValueError, TypeError):
        raise PhoneKeyError(
            "DIARY_PHONE_KEYS: each comma-separated key must be a Fernet key (32 url-safe "
            "base64-encoded bytes, from `diary keys new`)."
        ) from None
    return PhoneKeys(fernets=fernets, lookup_key=(lookup or DEV_LOOKUP_KEY).encode())


def _refuse_weak_production_keys(raw_keys: list[str], lookup: str) -> None:
    if not raw_keys:
        raise PhoneKeyError("DIARY_ENV=production needs DIARY_PHONE_KEYS (Fernet keys, "
                            "newest first): phone numbers are encrypted with them.")
    if DEV_FERNET_KEY in raw_keys:
        raise PhoneKeyError("DIARY_PHONE_KEYS holds the published development key.")
    if len(lookup) < MIN_LOOKUP_KEY_LENGTH or lookup == DEV_LOOKUP_KEY:
        raise PhoneKeyError(f"DIARY_ENV=production needs DIARY_PHONE_LOOKUP_KEY, a secret of "
                            f"at least {MIN_LOOKUP_KEY_LENGTH} characters.")


def new_key() -> str:
    """Return a fresh Fernet key, for DIARY_PHONE_KEYS."""
    return Fernet.generate_key().decode()


def init_app(app) -> None:
    """Check the keys when the app is made, so a bad key stops it at start, not mid-request."""
    app.extensions[EXTENSION] = from_settings(app.config)


def current() -> PhoneKeys:
    """Return the running app's phone keys."""
    return current_app.extensions[EXTENSION]


def phone_lookup(phone: str | None) -> str | None:
    """Return the lookup hash of an E.164 number under the running app's key."""
    return current().lookup(phone)
