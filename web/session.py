"""The staff member signed in to the pages: a staff token kept in the session cookie."""

from functools import wraps

from flask import g, redirect, request, session, url_for

from diary.actor import Actor
from diary.operations.staff_token import staff_actor_for_token

TOKEN_KEY = "staff_token"  # noqa: S105 (the session key, not a secret)


def sign_in_as(token: str) -> None:
    """Keep a fresh staff token in a new session (the old one's contents dropped)."""
    session.clear()
    # flask-wtf keeps this request's CSRF token in g; it belonged to the old session.
    g.pop("csrf_token", None)
    session[TOKEN_KEY] = token


def signed_in() -> Actor | None:
    """Return the staff member whose live token the session holds, or None."""
    return staff_actor_for_token(session.get(TOKEN_KEY))


def staff_page(view):
    """Let in a signed-in staff member (``g.actor``); send anyone else to /login."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        actor = signed_in()
        if actor is None:
            session.pop(TOKEN_KEY, None)
            return redirect(url_for("web_sign_in.login_page", next=request.path))
        g.actor = actor
        return view(*args, **kwargs)

    return wrapper
