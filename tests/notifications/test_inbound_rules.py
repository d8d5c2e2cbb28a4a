"""Reading a participant's text: keyword matching, without a database."""

import tomllib

import pytest

from diary.operations.studies import default_study_file
from notifications.inbound import canonical_number, lifts_twilio_block, match_intent, normalise

KEYWORDS = tomllib.loads(default_study_file("NCT02495519").read_text("utf-8"))["sms"]["keywords"]


@pytest.mark.parametrize(("body", "intent"), [
    ("TAKEN", "taken"), ("taken", "taken"), ("  Taken  ", "taken"), ("YES", "taken"),
    ("1", "taken"), ("\uff11", "taken"), ("복용", "taken"), (" 완료", "taken"),
    ("MISSED", "missed"), ("no", "missed"), ("2", "missed"), ("못함", "missed"),
    ("못 함", "missed"),
    ("STOP", "stop"), ("Stop.", "stop"), ("unsubscribe", "stop"), ("QUIT", "stop"),
    ("중지", "stop"),
    ("START", "start"), ("yes start", "start"), ("UNSTOP", "start"), ("시작", "start"),
    ("HELP", "help"), ("help?", "help"), ("도움", "help"),
    ("", "unknown"), ("   ", "unknown"), ("12", "unknown"), ("taken 2 pills", "unknown"),
    ("I took it", "unknown"), ("복용했어요", "unknown"),
])
def test_keyword_names_the_intent(body, intent):
    assert match_intent(body, KEYWORDS) == intent


def test_normalise_drops_case_spacing_width_and_edge_punctuation():
    assert normalise("  T a K e N !! ") == "taken"
    assert normalise("ＳＴＯＰ") == "stop"  # noqa: RUF001 - full-width on purpose
    assert normalise("👍 1") == "1"
    assert normalise("1.5") == "1.5"


def test_an_intent_without_keywords_never_matches():
    assert match_intent("TAKEN", {"missed": ["NO"]}) == "unknown"


@pytest.mark.parametrize(("body", "lifts"), [
    ("START", True), ("yes", True), ("Unstop", True), ("1", False), ("STOP", False),
])
def test_twilio_opt_in_words_lift_the_block(body, lifts):
    assert lifts_twilio_block(body) is lifts


@pytest.mark.parametrize(("raw", "e164"), [
    ("+821012345678", "+821012345678"),
    ("+82 10-1234-5678", "+821012345678"),
    ("12345", "12345"),
    ("not a number", "not a number"),
])
def test_sender_is_put_in_e164_when_it_is_a_number(raw, e164):
    assert canonical_number(raw) == e164
