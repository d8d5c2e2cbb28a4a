"""The report page's figures as text: halves round up, as in the JSON reports."""

from decimal import Decimal

from web import sections


def test_the_adverse_event_cells_and_the_times_round_halves_up():
    table = {"participants": 16, "events": 1, "partial_onsets": 0, "serious_events": [],
             "terms": [{
        "term": "Nausea", "any": {"n": 1, "percent": 6.25},
        **{key: {"n": 0, "percent": Decimal("0.0")} for _, key in sections.GRADE_COLUMNS}}]}
    (row,) = sections.adverse_event_section(table)["rows"]
    assert row["any"] == "1 (6.3 %)"
    assert sections.minutes(12.25) == "12.3 min"
    assert sections.percent(Decimal("0.0625")) == "6.3 %"
