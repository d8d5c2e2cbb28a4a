"""The study file sets the week-16 assessment window; a bad one is refused when loaded."""

import pytest

from diary.errors import InvalidInput
from diary.operations.studies import default_study_file, parse_definition
from diary.rules.primary_endpoint import window_days

SHIPPED = default_study_file("NCT02495519").read_text(encoding="utf-8")


def test_nct02495519_assesses_week_16_within_14_days_either_side():
    assert window_days(parse_definition(SHIPPED.encode("utf-8"))) == 14


def test_a_study_file_without_the_setting_takes_the_default():
    text = SHIPPED.replace("primary_assessment_window_days = 14\n", "")

    assert window_days(parse_definition(text.encode("utf-8"))) == 14


@pytest.mark.parametrize("value", ["-3", '"two weeks"', "90"])
def test_a_study_file_with_a_bad_window_is_refused(value):
    text = SHIPPED.replace("primary_assessment_window_days = 14",
                           f"primary_assessment_window_days = {value}")

    with pytest.raises(InvalidInput) as refused:
        parse_definition(text.encode("utf-8"))

    assert "windows" in refused.value.errors
