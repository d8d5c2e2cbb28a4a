"""Phone numbers: parse what a coordinator types, keep E.164, accept only mobiles."""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, geocoder

from diary.rules.zones import zone_countries

# Types that can receive a text. Some countries (the US, Canada) do not tell mobile and
# fixed lines apart by number, so "either" has to be accepted there.
_TEXTABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneNumberError(ValueError):
    """A number that cannot be used to text a participant; the message says why."""


def region_for_timezone(tz_name: str) -> str | None:
    """Return the ISO country code of an IANA zone (``Asia/Seoul`` → ``KR``), if it has one."""
    return zone_countries().get(tz_name)


def expected_form(region: str | None) -> str:
    """Say how a number is read at a site in ``region``, with an example of the form.

    ``KR``: numbers without a country code are South Korea's, written 010-2000-0000 or
    +82 10-2000-0000. The example is the numbering plan's own (from libphonenumber).
    """
    example = region and phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    if not example:
        return "Write it in full, with + and the country code (e.g. +1 201-555-0123)."
    country = geocoder.country_name_for_number(example, "en") or region
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    full = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return (f"Numbers without a country code are read as in {country}, the site's country: "
            f"write e.g. {national} or {full}; a number from elsewhere needs + and its "
            "country code.")


def normalise_mobile(raw: str, default_region: str | None) -> str:
    """Return a mobile number in E.164; national forms are read in ``default_region``.

    ``010-1234-5678`` at a Korean site gives ``+821012345678``.
    """
    try:
        number = phonenumbers.parse(raw, default_region)
    except NumberParseException as exc:
        raise PhoneNumberError("Not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberError("Not a valid phone number.")
    if phonenumbers.number_type(number) not in _TEXTABLE:
        raise PhoneNumberError("Not a mobile number: it cannot receive text messages.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_phone(raw: str, default_region: str | None) -> str:
    """Return any valid number (a hospital's line, fixed or mobile) in E.164."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except NumberParseException as exc:
        raise PhoneNumberError("Not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberError("Not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def readable(e164: str) -> str:
    """Return an E.164 number as people dial it from anywhere: ``+82 1599-1004``."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def masked(e164: str | None) -> str | None:
    """Return only a number's last four digits, ``…5678``, for lists and the audit trail.

    The number itself is kept only encrypted (see diary/phone_keys.py).
    """
    return None if e164 is None else f"…{e164[-4:]}"
