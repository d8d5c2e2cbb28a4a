"""The study file's symptom items, their texts per locale, the safety rules and site phones."""

import pytest

from diary.errors import InvalidInput
from diary.operations.studies import default_study_file, parse_definition, shipped_item_keys
from diary.rules.symptom_items import catalogue
from diary.rules.symptom_texts import item_listing
from tests import factories

TEXT = default_study_file("NCT02495519").read_text(encoding="utf-8")


def problems_of(text: str) -> dict:
    with pytest.raises(InvalidInput) as refused:
        parse_definition(text.encode("utf-8"))
    return refused.value.errors


def replaced(old: str, new: str) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, 1)


def test_the_study_asks_13_pro_ctcae_items_and_its_3_own():
    items = catalogue(parse_definition(TEXT.encode("utf-8")))
    assert list(items) == [
        "decreased_appetite", "nausea", "vomiting", "diarrhea", "pain_in_abdomen",
        "arm_or_leg_swelling", "rash", "itchy_skin", "watery_eyes", "headache",
        "aching_muscles", "aching_joints", "fatigue", "muscle_cramps", "periorbital_oedema",
        "weight_kg"]
    assert items["muscle_cramps"].attributes == ("frequency", "severity")
    assert items["periorbital_oedema"].attributes == ("severity",)
    assert (items["weight_kg"].attributes, items["weight_kg"].graded) == (("kg",), False)
    assert list(shipped_item_keys()) == list(items)


@pytest.mark.parametrize(("locale", "nausea", "severity_question"), [
    ("en", "Nausea", "In the last 7 days, how severe was it at its worst?"),
    ("ko", "메스꺼움", "지난 7일 동안 가장 심했을 때 어느 정도였습니까?"),
])
def test_every_item_has_its_texts_in_each_locale(locale, nausea, severity_question):
    listing = item_listing(parse_definition(TEXT.encode("utf-8")), locale)
    (item,) = [item for item in listing["items"] if item["key"] == "nausea"]
    assert item["text"] == nausea
    assert item["questions"][1]["text"] == severity_question
    assert len(item["questions"][1]["choices"]) == 5


@pytest.mark.parametrize(("old", "new", "table", "problem"), [
    ("pro_ctcae_items = [8, ", "pro_ctcae_items = [99, 8, ", "symptoms",
     "pro_ctcae_items: 99 is not an item of diary/data/pro-ctcae-imatinib-items.csv."),
    ('attributes = ["frequency", "severity"]', 'attributes = ["severity", "frequency"]',
     "symptoms", "study_items.muscle_cramps: attributes are a set PRO-CTCAE grades, in its "
     'order (frequency, severity, interference), or ["presence"].'),
    ('key = "muscle_cramps"', 'key = "nausea"', "symptoms", "Each item once: nausea."),
    ('key = "periorbital_oedema"', 'key = "muscle_cramps_night"', "symptoms",
     "study_items: muscle_cramps and muscle_cramps_night begin with the same 7 letters and "
     "digits, which name them in the SDTM export (QSTESTCD)."),
    ('key = "muscle_cramps"', 'key = "Muscle cramps"', "symptoms",
     "study_items: key 'Muscle cramps' is lower case letters, digits and _ (at most 40)."),
    ("minimum = 20", "minimum = 400", "symptoms",
     "study_items.weight_kg: 0 < minimum < maximum <= 999.99."),
    ('unit = "kg"', 'unit = "lb"', "symptoms", 'study_items.weight_kg: the only unit is "kg".'),
    ('key = "periorbital_oedema"\nterm = "Swelling around the eyes"\nattributes = ["severity"]',
     'key = "waist_kg"\nterm = "Waist"\nunit = "kg"\nminimum = 20\nmaximum = 300',
     "symptoms", "study_items: one measured item at most, the body weight in kg (SDTM VS "
     "WEIGHT): waist_kg, weight_kg."),
    ('nausea = "메스꺼움"\n', "", "symptoms.texts.ko", "items: missing nausea."),
    ('presence = ["아니요", "예"]', 'presence = ["예"]', "symptoms.texts.ko",
     "choices: presence needs 2 answers (scores 0 to 1)."),
    ('call = "Call {phone}."', 'call = "Call {number}."', "symptoms.texts.en",
     "advice: call takes {phone} and no other {…}."),
    ('fatigue = "Rest when you', 'fatigue_x = "Rest when you', "symptoms.texts.en",
     "self_care: missing fatigue."),
    ("worse_by = 2", "worse_by = 0", "safety", "worse_by: a whole number from 1 to 4."),
    ('phone = "1599-1004"\n', "", "sites", "SEV: needs a phone (the study team's)."),
    ('phone = "1599-1004"', 'phone = "12"', "sites",
     "SEV: the phone is not a valid number where the site is."),
])
def test_a_study_file_that_cannot_serve_symptom_reports_is_refused(old, new, table, problem):
    assert problem in problems_of(replaced(old, new))[table]


def test_a_site_is_loaded_with_its_phone_in_e164(site):
    assert site.phone_e164 == "+8215991004"
    assert factories.make_site().phone_e164 is None
