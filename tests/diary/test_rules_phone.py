"""Reading the numbers coordinators type: national forms by the site's country, mobiles only."""

from datetime import date

import pytest

from diary.rules.periods import periods_overlap
from diary.rules.phone import PhoneNumberError, normalise_mobile, region_for_timezone


@pytest.mark.parametrize(("zone", "region"), [("Asia/Seoul", "KR"), ("Europe/Paris", "FR"),
                                              ("America/New_York", "US"), ("UTC", None)])
def test_a_sites_zone_gives_its_country(zone, region):
    assert region_for_timezone(zone) == region


@pytest.mark.parametrize("typed", ["010-1234-5678", "01012345678", "+82 10 1234 5678",
                                   "(010) 1234 5678"])
def test_korean_mobiles_become_e164(typed):
    assert normalise_mobile(typed, "KR") == "+821012345678"


def test_an_international_number_ignores_the_default_country():
    assert normalise_mobile("+33 6 12 34 56 78", "KR") == "+33612345678"


def test_a_national_number_without_a_country_is_refused():
    with pytest.raises(PhoneNumberError):
        normalise_mobile("010-1234-5678", None)


@pytest.mark.parametrize("typed", ["02-2228-1234", "1588-1234", "010-12", "hello"])
def test_landlines_short_and_nonsense_numbers_are_refused(typed):
    with pytest.raises(PhoneNumberError):
        normalise_mobile(typed, "KR")


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (("2026-03-01", "2026-03-05"), ("2026-03-05", "2026-03-08"), True),  # shared last day
        (("2026-03-01", "2026-03-05"), ("2026-03-06", "2026-03-08"), False),
        (("2026-03-01", None), ("2026-04-01", "2026-04-02"), True),  # open hold runs on
        (("2026-03-10", None), ("2026-03-01", "2026-03-09"), False),
        (("2026-03-10", None), ("2026-03-01", None), True),
    ],
)
def test_inclusive_periods_overlap_when_they_share_a_day(a, b, overlap):
    def parse(period):
        return tuple(date.fromisoformat(d) if d else None for d in period)

    assert periods_overlap(*parse(a), *parse(b)) is overlap
    assert periods_overlap(*parse(b), *parse(a)) is overlap
