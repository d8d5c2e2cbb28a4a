"""Staff passwords: the rules a new one must meet, and argon2id hashes (checked only at login)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from diary.errors import InvalidInput

# Length is what makes a password hard to guess (NIST SP 800-63B, 5.1.1.2): a passphrase
# of a few words beats a short string of symbols, so there are no composition rules.
MIN_PASSWORD_LENGTH = 12
# The longest password sign-in accepts; a longer one could be set but never used.
MAX_PASSWORD_LENGTH = 1000

_hasher = PasswordHasher()

# Verified against when the e-mail is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Return an argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Say whether a password matches; takes the same time when there is no such user."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str) -> list[str]:
    """Return what is wrong with a new password (an empty list: it will do)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"At least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"At most {MAX_PASSWORD_LENGTH} characters."]
    return []


def check_new_password(password: str, field: str = "password") -> None:
    """Refuse a new password that breaks the rules, naming the field."""
    problems = password_problems(password)
    if problems:
        raise InvalidInput("The password does not meet the rules.", {field: problems})
