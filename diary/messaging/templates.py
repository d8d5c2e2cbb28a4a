"""Message texts, from the study definition, per locale. None carries health information."""

from diary.models import Study


def render(study: Study, locale: str, name: str, /, **values) -> str:
    """Return the text of template ``name`` in ``locale`` (the study's first locale if absent)."""
    templates = study.definition["sms"]["templates"]
    chosen = templates.get(locale) or templates[study.definition["locales"][0]]
    return chosen[name].format(**values)


# GSM 03.38: the default alphabet, and the extension table whose characters take two
# septets (an escape plus the character). Anything else forces UCS-2 for the whole text.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
# One segment carries 160 septets or 70 UCS-2 units; a split message loses a few per
# part to the concatenation header.
SINGLE_SEGMENT = {"GSM-7": 160, "UCS-2": 70}
MULTI_SEGMENT = {"GSM-7": 153, "UCS-2": 67}


def sms_encoding(text: str) -> str:
    """Return the encoding a phone network needs for ``text``: "GSM-7" or "UCS-2"."""
    allowed = GSM7_BASIC | GSM7_EXTENSION
    return "GSM-7" if all(char in allowed for char in text) else "UCS-2"


def sms_units(text: str) -> int:
    """Return the length of ``text`` in its encoding's units (septets or UTF-16 code units)."""
    if sms_encoding(text) == "GSM-7":
        return len(text) + sum(char in GSM7_EXTENSION for char in text)
    return len(text.encode("utf-16-le")) // 2


def sms_segments(text: str) -> int:
    """Return how many SMS segments ``text`` is sent as."""
    encoding, units = sms_encoding(text), sms_units(text)
    if units <= SINGLE_SEGMENT[encoding]:
        return 1
    return -(-units // MULTI_SEGMENT[encoding])
