"""A cohort's spread of adherence and its pooled figure, from plain values."""

from decimal import Decimal

from diary.rules.cohort import pooled, spread


def test_the_spread_of_four_participants():
    values = [Decimal(10) / 13, Decimal(1), Decimal(13) / 15, Decimal("0.9")]
    assert spread(values) == {
        "mean": Decimal("0.8840"), "median": Decimal("0.8833"), "q1": Decimal("0.8423"),
        "q3": Decimal("0.9250"), "min": Decimal("0.7692"), "max": Decimal("1.0000")}


def test_one_participant_is_their_own_quartiles_and_none_gives_none():
    assert set(spread([Decimal("0.5")]).values()) == {Decimal("0.5000")}
    assert set(spread([]).values()) == {None}


def test_pooled_weighs_by_expected_doses():
    assert pooled(47, 53) == {"taken": 47, "expected": 53, "adherence": Decimal("0.8868")}
    assert pooled(0, 0)["adherence"] is None
