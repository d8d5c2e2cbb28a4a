"""Secrets handed to clients: made at random, stored only as a digest."""

import hashlib
import hmac
import secrets

# Crockford's base32 without the letters people misread (I, L, O, U).
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_token() -> str:
    """Return a new bearer token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a bearer token is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_activation_code(length: int = 8) -> str:
    """Return a short code a person can read aloud and type: ``K7QX-3M9D``."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))
    return f"{raw[:4]}-{raw[4:]}"


def new_set_password_code() -> str:
    """Return a one-time set-password code: 80 random bits, ``K7QX-3M9D-…`` in four groups.

    Longer than an activation code: it opens a staff account, an admin's among them.
    """
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[start:start + 4] for start in range(0, 16, 4))


def normalise_activation_code(code: str) -> str:
    """Forgive the usual typing slips: case, spaces, dashes, O for 0, I/L for 1."""
    cleaned = code.upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def activation_code_digest(code: str, secret_key: str) -> str:
    """Return the keyed digest of a code (short codes need a key, not a bare hash)."""
    normalised = normalise_activation_code(code)
    return hmac.new(secret_key.encode(), normalised.encode(), hashlib.sha256).hexdigest()
