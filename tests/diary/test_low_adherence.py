"""The daily two-week adherence check: one routine alert per participant below 90 %."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from diary.extensions import db
from diary.models import Alert
from diary.operations.low_adherence import check_low_adherence
from diary.rules.adherence_gaps import recent_window
from tests.factories import make_dose, make_participant, make_staff

NOW = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)  # 12:00 on 20 May in Seoul
FROZEN_AT = NOW
pytestmark = pytest.mark.usefixtures("clock")
TODAY = date(2026, 5, 20)


def _diary(participant, taken: int, missed: int = 0) -> None:
    """Fill the 14 days before today: ``taken`` taken, then ``missed`` missed, rest empty."""
    for offset in range(14):
        day = TODAY - timedelta(days=14 - offset)
        if offset < taken:
            make_dose(participant, day)
        elif offset < taken + missed:
            make_dose(participant, day, status="missed")


def _alerts(participant):
    return db.session.execute(
        select(Alert).where(Alert.participant_id == participant.id)
    ).scalars().all()


def test_window_is_the_last_14_whole_days_once_all_enrolled():
    assert recent_window(today=TODAY, enrolled_on=date(2026, 5, 6), days=14) == (
        date(2026, 5, 6), date(2026, 5, 19))
    assert recent_window(today=TODAY, enrolled_on=date(2026, 5, 7), days=14) is None


@pytest.mark.parametrize("taken, missed, alerted", [
    (14, 0, False),
    (13, 1, False),  # 92.9 %
    (13, 0, False),  # one unreported day: 92.9 %
    (12, 2, True),   # 85.7 %
    (12, 0, True),   # two unreported days count as not taken: 85.7 %
])
def test_below_90_percent_over_14_days_raises_one_routine_alert(taken, missed, alerted):
    make_staff("coordinator", phone="+821099998888")
    participant = make_participant(enrolled="2026-05-01")
    _diary(participant, taken, missed)

    check_low_adherence(NOW)
    check_low_adherence(NOW)

    alerts = _alerts(participant)
    assert [a.kind for a in alerts] == (["low_adherence"] if alerted else [])
    if alerted:
        assert alerts[0].urgency == "routine"
        assert alerts[0].details["expected"] == 14
        assert alerts[0].details["taken"] == taken


def test_a_participant_in_their_first_two_weeks_is_left_to_the_gap_alert():
    participant = make_participant(enrolled="2026-05-10")
    make_dose(participant, date(2026, 5, 10), status="missed")

    assert check_low_adherence(NOW) == 0
    assert _alerts(participant) == []
