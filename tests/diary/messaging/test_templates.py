"""Message texts: no health information, one SMS segment each, in the participant's language."""

import string
import tomllib

import pytest

from diary.messaging.templates import render, sms_encoding, sms_segments, sms_units
from diary.paths import STUDIES_DIR

STUDY_FILES = sorted(STUDIES_DIR.glob("*.toml"))

# Words a lost or shared phone must never show: drug, diagnosis, treatment, symptoms.
FORBIDDEN = (
    "imatinib", "gleevec", "glivec", "이매티닙", "글리벡", "dose", "pill", "tablet", "drug",
    "medic", "treatment", "tumour", "tumor", "desmoid", "fibromatosis", "cancer", "symptom",
    "side effect", "diagnos", "약", "종양", "암", "복용", "투약", "치료", "증상", "부작용", "진단",
)

# The longest values a placeholder takes. A Korean text has only 70 UCS-2 units, so
# these bound what the templates are written for: a participant's study code up to 16
# characters, an alert kind up to 20 (the longest today is "sms_not_understood", 18),
# six-digit alert ids; {study} is the study's own code, known from its file.
WORST_CASE = {"alert_id": 999999, "kind": "k" * 20, "study_code": "S" * 16}


def templates():
    for path in STUDY_FILES:
        definition = tomllib.loads(path.read_text("utf-8"))
        for locale, texts in definition["sms"]["templates"].items():
            for name, text in texts.items():
                yield pytest.param(definition, text, id=f"{path.stem}-{locale}-{name}")


def worst_case_render(definition: dict, text: str) -> str:
    values = {**WORST_CASE, "study": definition["code"]}
    names = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    missing = names - values.keys()
    assert not missing, f"add a worst-case value for {missing}"
    return text.format(**values)


@pytest.mark.parametrize(("definition", "text"), list(templates()))
def test_template_carries_no_health_information(definition, text):
    words = (*FORBIDDEN, definition["drug"]["name"].lower())
    found = [word for word in words if word in text.lower()]
    assert found == []


@pytest.mark.parametrize(("definition", "text"), list(templates()))
def test_template_fits_one_segment_with_worst_case_values(definition, text):
    rendered = worst_case_render(definition, text)
    assert sms_segments(rendered) == 1, (
        f"{sms_units(rendered)} {sms_encoding(rendered)} units: {rendered}")


def test_every_locale_has_every_template_of_the_first():
    for path in STUDY_FILES:
        definition = tomllib.loads(path.read_text("utf-8"))
        texts = definition["sms"]["templates"]
        first = set(texts[definition["locales"][0]])
        for locale in definition["locales"]:
            assert set(texts[locale]) == first, (path.stem, locale)


def test_render_uses_the_participants_locale_or_the_studys_first(study):
    assert render(study, "en", "recorded") == study.definition["sms"]["templates"]["en"][
        "recorded"]
    assert render(study, "fr", "recorded") == render(study, "ko", "recorded")


def test_render_fills_staff_alert_values(study):
    text = render(study, "en", "staff_alert", study=study.code, alert_id=7, kind="pregnancy",
                  study_code="S01-007")
    assert "NCT02495519" in text and "7" in text and "S01-007" in text


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("[" * 81, "GSM-7", 162, 2),
        ("Ünicode? àéèùìòÇ ÄÖÑÜ äöñü", "GSM-7", 26, 1),
        ("naïve", "UCS-2", 5, 1),  # i-diaeresis is not in GSM-7
        ("가" * 70, "UCS-2", 70, 1),
        ("가" * 71, "UCS-2", 71, 2),
        ("a" * 69 + "가", "UCS-2", 70, 1),  # one Korean character makes it all UCS-2
        ("ç" * 70, "UCS-2", 70, 1),  # lower-case c-cedilla is not in GSM-7
        ("😀" * 35, "UCS-2", 70, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, "UCS-2", 72, 2),
    ],
)
def test_segment_count_follows_gsm_and_ucs2_limits(text, encoding, units, segments):
    assert sms_encoding(text) == encoding
    assert sms_units(text) == units
    assert sms_segments(text) == segments
