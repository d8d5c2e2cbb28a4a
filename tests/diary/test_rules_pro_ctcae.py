"""PRO-CTCAE composite grades: every row of the published table, and the item library."""

import csv

import pytest

from diary.operations.studies import default_study_file, parse_definition
from diary.paths import DATA_DIR
from diary.rules.pro_ctcae import composite_grade, gradable_sets, library
from diary.rules.symptom_items import catalogue

NAMES = ("frequency", "severity", "interference")


def _published_rows() -> list[tuple[dict, int]]:
    with (DATA_DIR / "pro-ctcae-composite-grades.csv").open(encoding="utf-8", newline="") as f:
        return [({name: int(row[name]) for name in NAMES if row[name] != ""},
                 int(row["composite_grade"])) for row in csv.DictReader(f)]


ROWS = _published_rows()


def test_the_published_table_has_179_rows():
    assert len(ROWS) == 179


@pytest.mark.parametrize(("scores", "grade"), ROWS,
                         ids=["-".join(f"{k[0]}{v}" for k, v in s.items()) for s, _ in ROWS])
def test_every_published_row_grades_as_published(scores, grade):
    assert composite_grade(scores) == grade


@pytest.mark.parametrize(("scores", "grade"), [
    # Rows written out here, apart from the data file: an edit of the file shows up too.
    ({"frequency": 4}, 3),
    ({"severity": 3}, 3),
    ({"interference": 4}, 2),
    ({"frequency": 1, "severity": 4}, 2),
    ({"frequency": 3, "severity": 3}, 3),
    ({"frequency": 4, "interference": 2}, 2),
    ({"severity": 2, "interference": 4}, 3),
    ({"severity": 4, "interference": 0}, 2),
    ({"frequency": 1, "severity": 0, "interference": 0}, 0),
    ({"frequency": 1, "severity": 2, "interference": 4}, 3),
    ({"frequency": 4, "severity": 1, "interference": 2}, 2),
])
def test_rows_written_out_grade_as_the_table_says(scores, grade):
    assert composite_grade(scores) == grade


def test_26_rows_have_attribute_sets_no_item_of_this_study_has():
    definition = parse_definition(default_study_file("NCT02495519").read_bytes())
    sets = {item.attributes for item in catalogue(definition).values()}
    unreachable = [scores for scores, _ in ROWS if tuple(scores) not in sets]
    assert len(unreachable) == 26
    assert {tuple(scores) for scores in unreachable} == {
        ("interference",), ("frequency", "interference")}


def test_a_presence_item_is_grade_1_when_present_and_0_when_not():
    assert composite_grade({"presence": 1}) == 1
    assert composite_grade({"presence": 0}) == 0


@pytest.mark.parametrize("scores", [{"frequency": 0, "severity": 2}, {"presence": 1, "severity": 1},
                                    {"severity": 5}])
def test_scores_the_table_has_no_row_for_are_a_programming_error(scores):
    with pytest.raises(KeyError):
        composite_grade(scores)


def test_the_table_grades_seven_attribute_sets_in_the_order_pro_ctcae_asks():
    assert gradable_sets() == {
        ("frequency",), ("severity",), ("interference",), ("frequency", "severity"),
        ("frequency", "interference"), ("severity", "interference"),
        ("frequency", "severity", "interference")}


def test_item_keys_are_the_terms_in_lower_case_and_stay_as_they_are():
    # Reports store these keys: a change here would orphan every stored answer.
    assert {number: item.key for number, item in library().items()} == {
        8: "decreased_appetite", 9: "nausea", 10: "vomiting", 16: "diarrhea",
        17: "pain_in_abdomen", 22: "arm_or_leg_swelling", 24: "rash", 28: "itchy_skin",
        44: "watery_eyes", 49: "headache", 50: "aching_muscles", 51: "aching_joints",
        53: "fatigue"}
    assert library()[17].attributes == ("frequency", "severity", "interference")
    assert library()[24].attributes == ("presence",)
