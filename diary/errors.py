"""Domain errors. Each maps to one HTTP status in ``api.errors``; operations raise them."""


class DomainError(Exception):
    """A request the domain refuses, with a message fit to show a client."""

    status = 400

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}

    def explained(self) -> str:
        """Return the message with each field's errors, for a command's output."""
        fields = "; ".join(f"{name}: {' '.join(map(str, problems))}"
                           for name, problems in self.errors.items())
        return f"{self.message} {fields}" if fields else self.message


class InvalidInput(DomainError):
    """Input that parses but breaks a rule (a date outside the study window, say)."""

    status = 422


class NotFound(DomainError):
    """Absent, or not the caller's to see: both look the same from outside."""

    status = 404


class Conflict(DomainError):
    """The request contradicts what is already recorded."""

    status = 409


class Unauthorized(DomainError):
    """No valid credentials."""

    status = 401


class Forbidden(DomainError):
    """Valid credentials, not enough rights."""

    status = 403
