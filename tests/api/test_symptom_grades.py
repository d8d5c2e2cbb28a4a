"""Through the API, every row of the composite table an item of this study can reach."""

import csv

import pytest

from diary.operations.studies import default_study_file, parse_definition
from diary.paths import DATA_DIR
from diary.rules.symptom_items import catalogue
from tests.api.symptom_helpers import MY_REPORTS, NOON_IN_SEOUL, item, symptom_report
from tests.factories import auth, make_participant, token_for

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")
NAMES = ("frequency", "severity", "interference")


def _reachable_rows() -> list[tuple[str, dict, int]]:
    """Return (an item with the row's attributes, the row's scores, its grade) per row."""
    definition = parse_definition(default_study_file("NCT02495519").read_bytes())
    first_item = {}
    for key, entry in catalogue(definition).items():
        first_item.setdefault(entry.attributes, key)
    rows = []
    with (DATA_DIR / "pro-ctcae-composite-grades.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            scores = {name: int(row[name]) for name in NAMES if row[name] != ""}
            if tuple(scores) in first_item:
                rows.append((first_item[tuple(scores)], scores, int(row["composite_grade"])))
    return rows


ROWS = _reachable_rows()


def test_153_of_the_179_rows_are_reachable_by_this_studys_items():
    assert len(ROWS) == 179 - 26


@pytest.mark.parametrize(("key", "scores", "grade"), ROWS,
                         ids=[f"{k}-" + "-".join(map(str, s.values())) for k, s, _ in ROWS])
def test_the_answer_grades_the_row_as_the_table_does(client, site, key, scores, grade):
    headers = auth(token_for(make_participant(enrolled="2026-03-01")))
    response = client.post(MY_REPORTS, json=symptom_report(items=[item(key, **scores)]),
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    (answer,) = response.get_json()["report"]["items"]
    assert (answer["item"], answer["grade"]) == (key, grade)
