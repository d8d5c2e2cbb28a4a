"""Phone numbers: parse what a coordinator types, keep E.164, accept only mobiles."""

import functools
from importlib import resources

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

# Types that can receive a text. Some countries (the US, Canada) do not tell mobile and
# fixed lines apart by number, so "either" has to be accepted there.
_TEXTABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneNumberError(ValueError):
    """A number that cannot be used to text a participant; the message says why."""


@functools.cache
def _zone_countries() -> dict[str, str]:
    # The IANA zone.tab maps each zone to the ISO 3166 country it is mainly used in.
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_ = line.split("\t")
            table[zone] = country
    return table


def region_for_timezone(tz_name: str) -> str | None:
    """Return the ISO country code of an IANA zone (``Asia/Seoul`` → ``KR``), if it has one."""
    return _zone_countries().get(tz_name)


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
