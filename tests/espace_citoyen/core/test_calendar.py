"""Tests for espace_citoyen.core.business_calendar (no database needed).

Expected values are worked out by hand in the comments; business hours count 24 h per
business day (Monday–Friday, not a French public holiday), on the Paris wall clock.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from espace_citoyen.core import business_calendar as cal
from espace_citoyen.core.business_calendar import (
    PARIS,
    add_business_hours,
    business_days_before,
    deadline_before,
    format_deadline,
    is_business_day,
    validation_deadline,
)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def assert_same_wall_and_zone(actual: datetime, expected: datetime) -> None:
    """Equal instant, and expressed in Europe/Paris with the same wall clock."""
    assert actual == expected
    assert actual.tzinfo == PARIS
    assert actual.replace(tzinfo=None) == expected.replace(tzinfo=None)
    assert actual.utcoffset() == expected.utcoffset()


# --- is_business_day ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 5, 1), False),  # Fête du Travail (Friday)
        (date(2026, 5, 8), False),  # Victoire 1945 (Friday)
        (date(2026, 5, 14), False),  # Ascension (Thursday)
        (date(2026, 5, 15), True),  # "pont" Friday: still a business day
        (date(2026, 5, 25), False),  # Lundi de Pentecôte
        (date(2026, 4, 6), False),  # Lundi de Pâques
        (date(2026, 4, 3), True),  # Good Friday: holiday in Alsace-Moselle only
        (date(2025, 12, 26), True),  # Saint-Étienne: Alsace-Moselle only
        (date(2026, 7, 14), False),  # Fête nationale (Tuesday)
        (date(2025, 8, 15), False),  # Assomption (Friday)
        (date(2026, 11, 11), False),  # Armistice (Wednesday)
        (date(2026, 12, 25), False),  # Noël (Friday)
        (date(2027, 1, 1), False),  # Jour de l'an (Friday)
        (date(2026, 5, 20), True),  # ordinary Wednesday
        (date(2026, 6, 6), False),  # Saturday
        (date(2026, 6, 7), False),  # Sunday
        (date(2026, 6, 8), True),  # ordinary Monday
    ],
)
def test_is_business_day(day, expected):
    assert is_business_day(day) is expected


def test_is_business_day_rejects_datetime():
    with pytest.raises(TypeError):
        is_business_day(paris(2026, 5, 20, 10))


def test_holidays_are_cached_per_year():
    cal._public_holidays.cache_clear()
    is_business_day(date(2026, 3, 2))
    is_business_day(date(2026, 11, 11))
    is_business_day(date(2027, 1, 1))
    info = cal._public_holidays.cache_info()
    assert info.misses == 2  # 2026 and 2027, each built once
    assert info.hits == 1


# --- add_business_hours -----------------------------------------------------------


def test_pentecost_weekend_is_skipped():
    # Fri 22 May 10:00: 14 h on Friday; Sat, Sun, Mon 25 (Pentecost) skipped;
    # Tue 26: 24 h (38); Wed 27: 10 h -> Wed 27 May 10:00.
    assert_same_wall_and_zone(add_business_hours(paris(2026, 5, 22, 10), 48), paris(2026, 5, 27, 10))


def test_plain_week_monday_to_wednesday():
    assert_same_wall_and_zone(add_business_hours(paris(2026, 6, 1, 9), 48), paris(2026, 6, 3, 9))


def test_minutes_and_seconds_are_kept():
    assert_same_wall_and_zone(
        add_business_hours(paris(2026, 6, 1, 9, 17, 42, 123456), 48),
        paris(2026, 6, 3, 9, 17, 42, 123456),
    )


def test_request_on_saturday_counts_from_monday_midnight():
    # Sat 6 June -> Mon 8 June 00:00 + 48 h -> Wed 10 June 00:00.
    assert_same_wall_and_zone(add_business_hours(paris(2026, 6, 6, 14, 30), 48), paris(2026, 6, 10, 0, 0))


def test_request_on_holiday_counts_from_next_business_day():
    # Thu 14 May (Ascension) 11:00 -> Fri 15 May 00:00: 24 h; weekend; Mon 18: 24 h
    # -> end of Monday = Tue 19 May 00:00.
    assert_same_wall_and_zone(add_business_hours(paris(2026, 5, 14, 11), 48), paris(2026, 5, 19, 0, 0))


def test_deadline_at_end_of_friday_is_saturday_midnight():
    # Thu 4 June 00:00 + 48 h ends at the end of Friday 5 June, i.e. Sat 6 June 00:00
    # (not pushed to Monday).
    assert_same_wall_and_zone(add_business_hours(paris(2026, 6, 4), 48), paris(2026, 6, 6, 0, 0))


def test_zero_hours():
    assert_same_wall_and_zone(add_business_hours(paris(2026, 6, 2, 15), 0), paris(2026, 6, 2, 15))
    # On a Sunday, counting would start on Monday 00:00.
    assert_same_wall_and_zone(add_business_hours(paris(2026, 6, 7, 15), 0), paris(2026, 6, 8, 0))


def test_across_christmas_2025_friday_26_december_counts():
    # Wed 24 Dec 2025 10:00: 14 h; Thu 25 skipped; Fri 26: 24 h (38); weekend;
    # Mon 29: 10 h -> Mon 29 Dec 2025 10:00.
    assert_same_wall_and_zone(add_business_hours(paris(2025, 12, 24, 10), 48), paris(2025, 12, 29, 10))


def test_across_christmas_and_new_year_2026():
    # Thu 24 Dec 2026 12:00: 12 h; Fri 25, Sat, Sun skipped; Mon 28: 36; Tue 29: 60;
    # Wed 30: 84; Thu 31: 108; Fri 1 Jan 2027, Sat, Sun skipped; Mon 4 Jan: 12 h.
    assert_same_wall_and_zone(add_business_hours(paris(2026, 12, 24, 12), 120), paris(2027, 1, 4, 12))


def test_across_new_year_2027():
    # Wed 30 Dec 2026 14:00: 10 h; Thu 31: 34; Fri 1 Jan, weekend; Mon 4 Jan: 14 h.
    assert_same_wall_and_zone(add_business_hours(paris(2026, 12, 30, 14), 48), paris(2027, 1, 4, 14))


def test_across_14_july():
    # Mon 13 July 2026 09:00: 15 h; Tue 14 skipped; Wed 15: 39; Thu 16: 9 h.
    assert_same_wall_and_zone(add_business_hours(paris(2026, 7, 13, 9), 48), paris(2026, 7, 16, 9))


def test_across_15_august():
    # Thu 14 Aug 2025 10:00: 14 h; Fri 15 (Assomption), weekend skipped; Mon 18: 38;
    # Tue 19: 10 h.
    assert_same_wall_and_zone(add_business_hours(paris(2025, 8, 14, 10), 48), paris(2025, 8, 19, 10))


def test_across_spring_dst_change():
    # Clocks go forward on Sun 29 March 2026. Fri 27 10:00 CET -> Tue 31 10:00 CEST.
    result = add_business_hours(paris(2026, 3, 27, 10), 48)
    assert_same_wall_and_zone(result, paris(2026, 3, 31, 10))
    assert result.utcoffset() == timedelta(hours=2)
    assert result == datetime(2026, 3, 31, 8, tzinfo=UTC)


def test_across_autumn_dst_change():
    # Clocks go back on Sun 25 October 2026. Fri 23 10:00 CEST -> Tue 27 10:00 CET.
    result = add_business_hours(paris(2026, 10, 23, 10), 48)
    assert_same_wall_and_zone(result, paris(2026, 10, 27, 10))
    assert result.utcoffset() == timedelta(hours=1)
    assert result == datetime(2026, 10, 27, 9, tzinfo=UTC)


def test_input_in_utc():
    # 08:00 UTC = 10:00 Paris (CEST) -> Wed 27 May 10:00 Paris = 08:00 UTC.
    result = add_business_hours(datetime(2026, 5, 22, 8, tzinfo=UTC), 48)
    assert_same_wall_and_zone(result, paris(2026, 5, 27, 10))
    assert result == datetime(2026, 5, 27, 8, tzinfo=UTC)


def test_input_in_utc_late_friday_is_saturday_in_paris():
    # Fri 22 May 22:30 UTC is Sat 23 May 00:30 in Paris: not a business day, so counting
    # starts Tue 26 May 00:00 (Monday 25 is Pentecost) -> Thu 28 May 00:00.
    result = add_business_hours(datetime(2026, 5, 22, 22, 30, tzinfo=UTC), 48)
    assert_same_wall_and_zone(result, paris(2026, 5, 28, 0, 0))


def test_rejects_naive_datetime():
    with pytest.raises(ValueError):
        add_business_hours(datetime(2026, 5, 22, 10), 48)


def test_rejects_negative_hours():
    with pytest.raises(ValueError):
        add_business_hours(paris(2026, 5, 22, 10), -1)


# --- validation_deadline ------------------------------------------------------------


def test_validation_deadline_default_is_48_business_hours(settings):
    assert settings.ESPACE_CITOYEN_VALIDATION_DELAY_BUSINESS_HOURS == 48
    assert_same_wall_and_zone(validation_deadline(paris(2026, 5, 22, 10)), paris(2026, 5, 27, 10))


def test_validation_deadline_follows_setting(settings):
    settings.ESPACE_CITOYEN_VALIDATION_DELAY_BUSINESS_HOURS = 24
    # Fri 22 May 10:00: 14 h; Sat, Sun, Pentecost Monday skipped; Tue 26: 10 h.
    assert_same_wall_and_zone(validation_deadline(paris(2026, 5, 22, 10)), paris(2026, 5, 26, 10))


def test_validation_deadline_without_setting_falls_back_to_48(settings):
    del settings.ESPACE_CITOYEN_VALIDATION_DELAY_BUSINESS_HOURS
    assert_same_wall_and_zone(validation_deadline(paris(2026, 6, 1, 9)), paris(2026, 6, 3, 9))


# --- business_days_before / deadline_before -----------------------------------------


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        # Tue 26 May: Mon 25 (Pentecost), Sun, Sat skipped; Fri 22 (1), Thu 21 (2).
        (date(2026, 5, 26), 2, date(2026, 5, 21)),
        # Mon 18 May: weekend skipped; Fri 15 (1); Thu 14 Ascension skipped; Wed 13 (2).
        (date(2026, 5, 18), 2, date(2026, 5, 13)),
        # Mon 8 June: J-1 is Friday 5 June.
        (date(2026, 6, 8), 1, date(2026, 6, 5)),
        # Sunday 7 June (not a business day itself): Fri 5 (1), Thu 4 (2).
        (date(2026, 6, 7), 2, date(2026, 6, 4)),
        # Across the year: Mon 4 Jan 2027; weekend and 1 Jan skipped; Thu 31 Dec (1).
        (date(2027, 1, 4), 1, date(2026, 12, 31)),
        # Plain week.
        (date(2026, 6, 11), 2, date(2026, 6, 9)),
        (date(2026, 6, 11), 0, date(2026, 6, 11)),
    ],
)
def test_business_days_before(day, count, expected):
    assert business_days_before(day, count) == expected


def test_business_days_before_rejects_negative_count():
    with pytest.raises(ValueError):
        business_days_before(date(2026, 6, 11), -1)


def test_deadline_before_over_pentecost_weekend():
    result = deadline_before(date(2026, 5, 26), 2, time(10, 0))
    assert_same_wall_and_zone(result, paris(2026, 5, 21, 10))
    assert result == datetime(2026, 5, 21, 8, tzinfo=UTC)


def test_deadline_before_over_armistice_in_winter_time():
    # Thu 12 Nov 2026: Wed 11 (Armistice) skipped; Tue 10 (1); Mon 9 (2), CET.
    result = deadline_before(date(2026, 11, 12), 2, time(10, 0))
    assert_same_wall_and_zone(result, paris(2026, 11, 9, 10))
    assert result == datetime(2026, 11, 9, 9, tzinfo=UTC)


def test_deadline_before_rejects_aware_time():
    with pytest.raises(ValueError):
        deadline_before(date(2026, 5, 26), 2, time(10, 0, tzinfo=UTC))


# --- format_deadline ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (paris(2026, 5, 27, 10), "mercredi 27 mai 2026 à 10:00"),
        (paris(2026, 8, 1, 9, 5), "samedi 1er août 2026 à 09:05"),
        (paris(2026, 2, 2, 23, 59), "lundi 2 février 2026 à 23:59"),
        (paris(2026, 12, 31, 0, 0), "jeudi 31 décembre 2026 à 00:00"),
        (paris(2026, 3, 29, 3, 30), "dimanche 29 mars 2026 à 03:30"),
        # Given in UTC, shown in Paris time: 22:30 UTC on Tue 30 June = Wed 1 July 00:30.
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "mercredi 1er juillet 2026 à 00:30"),
    ],
)
def test_format_deadline(dt, expected):
    assert format_deadline(dt) == expected


def test_format_deadline_of_computed_deadline():
    assert format_deadline(validation_deadline(paris(2026, 5, 22, 10))) == "mercredi 27 mai 2026 à 10:00"


def test_format_deadline_rejects_naive_datetime():
    with pytest.raises(ValueError):
        format_deadline(datetime(2026, 5, 27, 10))
