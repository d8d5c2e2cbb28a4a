"""Signing in through the HTML form, as a browser would (the CSRF token from the page)."""

import re

from tests.factories import PASSWORD


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def sign_in(client, email: str, password: str = PASSWORD, next_page: str | None = None,
            code: str | None = None):
    """Post the sign-in form with the token the form page gave; return the answer."""
    query = f"?next={next_page}" if next_page else ""
    page = client.get(f"/login{query}")
    data = {"csrf_token": csrf_token(page.text), "email": email, "password": password}
    if code is not None:
        data["code"] = code
    return client.post(f"/login{query}", data=data)
