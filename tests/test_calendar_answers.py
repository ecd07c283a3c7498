"""Calendar answers to the duration question: the start day, or None (ask again)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.dialog.calendar_answers import (
    MONTH_WORDS,
    NEUTRAL,
    SEASONS,
    VOCABULARY,
    WEEKDAYS,
    start_date,
)
from assistant.dialog.numbers import word_value
from assistant.text import normalise

TODAY = date(2026, 11, 30)  # a Monday
JANUARY = date(2027, 1, 5)  # a Tuesday, just after the year turned


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


ON_TODAY: list[tuple[str, date | None]] = [
    # days ago
    ("gisteren", d(11, 29)),
    ("sinds gisteren", d(11, 29)),
    ("al sinds eergisteren", d(11, 28)),
    ("vandaag", None),
    ("sinds vanochtend", None),
    ("vannacht", None),
    # weekdays: strictly before today, so on this Monday 'maandag' is a week ago
    ("sinds maandag", d(11, 23)),
    ("dinsdag", d(11, 24)),
    ("afgelopen vrijdag", d(11, 27)),
    ("sinds zaterdag", d(11, 28)),
    ("zondag", d(11, 29)),
    ("vorige week maandag", d(11, 23)),
    ("maandag vorige week", d(11, 23)),
    ("sinds vorige week woensdag", d(11, 25)),
    ("vorige week zondag", d(11, 29)),
    ("sinds vorige week", d(11, 23)),
    ("vorige maand", d(10, 1)),
    ("vorig jaar", None),
    ("sinds vorig jaar", None),
    ("vorige maandag", None),
    ("deze week", None),
    ("volgende week", None),
    ("maandag dinsdag", None),
    # months
    ("sinds september", d(9, 1)),
    ("ergens in september ofzo", d(9, 1)),
    ("sinds sept", d(9, 1)),
    ("okt", d(10, 1)),
    ("vanaf mrt", d(3, 1)),
    ("in juni", d(6, 1)),
    ("sinds november", d(11, 1)),
    ("sinds december", d(12, 1, 2025)),
    ("begin september", d(9, 1)),
    ("half september", d(9, 15)),
    ("midden september", d(9, 15)),
    ("eind september", d(9, 24)),
    ("zo rond half oktober", d(10, 15)),
    ("eind november", d(11, 24)),
    ("eind december", d(12, 24, 2025)),
    ("september 2025", d(9, 1, 2025)),
    ("september vorig jaar", d(9, 1, 2025)),
    ("vorig jaar september", d(9, 1, 2025)),
    ("december vorig jaar", d(12, 1, 2025)),
    ("september dit jaar", d(9, 1)),
    ("half maart 2024", d(3, 15, 2024)),
    ("december dit jaar", None),
    ("sinds december 2026", None),
    ("september oktober", None),
    ("begin 3 september", None),
    ("begin half september", None),
    # day and month
    ("3 september", d(9, 3)),
    ("sinds drie september", d(9, 3)),
    ("twaalf oktober", d(10, 12)),
    ("twee en twintig oktober", d(10, 22)),
    ("eenentwintig oktober", d(10, 21)),
    ("de 3e september", d(9, 3)),
    ("1 december", d(12, 1, 2025)),
    ("sinds 3 september 2024", d(9, 3, 2024)),
    ("drie september vorig jaar", d(9, 3, 2025)),
    ("29 februari 2024", d(2, 29, 2024)),
    ("29 februari 2025", None),
    ("31 september", None),
    ("32 oktober", None),
    ("0 oktober", None),
    ("drie en een half oktober", None),
    ("30 november", None),  # today itself
    # years
    ("sinds 2019", d(1, 1, 2019)),
    ("vanaf 2024", d(1, 1, 2024)),
    ("in 2026", d(1, 1, 2026)),
    ("sinds 1900", d(1, 1, 1900)),
    ("2019", None),
    ("sinds 2027", None),
    ("sinds 1899", None),
    ("sinds dit jaar", None),
    # seasons
    ("sinds de lente", d(3, 20)),
    ("het voorjaar", d(3, 20)),
    ("sinds de zomer", d(6, 21)),
    ("al sinds de zomer", d(6, 21)),
    ("de herfst", d(9, 22)),
    ("sinds het najaar", d(9, 22)),
    ("sinds de winter", d(12, 21, 2025)),
    ("vorige zomer", d(6, 21)),
    ("afgelopen zomer", d(6, 21)),
    ("deze zomer", d(6, 21)),
    ("de zomer van vorig jaar", d(6, 21, 2025)),
    ("vorig jaar zomer", d(6, 21, 2025)),
    ("het voorjaar van vorig jaar", d(3, 20, 2025)),
    ("de winter van vorig jaar", None),  # the winter that began or the one that ended in it
    ("de zomer van 2025", None),
    ("begin de zomer", None),
    # holidays
    ("sinds kerst", d(12, 25, 2025)),
    ("sinds de kerst", d(12, 25, 2025)),
    ("kerstmis", d(12, 25, 2025)),
    ("sinds oud en nieuw", d(1, 1)),
    ("nieuwjaar", d(1, 1)),
    ("kerst vorig jaar", None),
    # no calendar expression
    ("sinds het ongeluk", None),
    ("drie weken", None),
    ("een paar weken", None),
    ("sinds", None),
    ("de", None),
    ("", None),
    ("morgen", None),
]

ON_JANUARY: list[tuple[str, date | None]] = [
    ("sinds december", d(12, 1)),
    ("sinds kerst", d(12, 25)),
    ("sinds de winter", d(12, 21)),
    ("sinds oud en nieuw", d(1, 1, 2027)),
    ("sinds januari", d(1, 1, 2027)),
    ("half januari", None),  # still to come
    ("sinds februari", d(2, 1)),
    ("eind december", d(12, 24)),
    ("december vorig jaar", d(12, 1)),
    ("vorige maand", d(12, 1)),
    ("sinds 2027", d(1, 1, 2027)),
    ("sinds maandag", d(1, 4, 2027)),
    ("vorige week maandag", d(12, 28)),
    ("vorige week vrijdag", d(1, 1, 2027)),
    ("sinds vorige week", d(12, 29)),
    ("de zomer van vorig jaar", d(6, 21)),
    ("sinds de zomer", d(6, 21)),
]


@pytest.mark.parametrize(("phrase", "expected"), ON_TODAY)
def test_on_a_monday_in_november(phrase: str, expected: date | None) -> None:
    assert start_date(phrase, TODAY) == expected


@pytest.mark.parametrize(("phrase", "expected"), ON_JANUARY)
def test_just_after_new_year(phrase: str, expected: date | None) -> None:
    assert start_date(phrase, JANUARY) == expected


def test_on_new_years_day_the_year_has_only_just_begun() -> None:
    new_year = date(2027, 1, 1)
    assert start_date("sinds 2027", new_year) is None
    assert start_date("oud en nieuw", new_year) is None
    assert start_date("sinds kerst", new_year) == date(2026, 12, 25)


def test_phrases_come_normalised() -> None:
    assert start_date(normalise("Sinds 3 September, ofzo."), TODAY) == date(2026, 9, 3)


DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
PREFIXES = st.sampled_from(["", "sinds ", "vanaf ", "al sinds ", "ergens in ", "afgelopen "])


@given(DAYS, st.sampled_from(sorted(MONTH_WORDS)), PREFIXES)
def test_a_month_is_at_most_a_year_ago(today: date, word: str, prefix: str) -> None:
    result = start_date(prefix + word, today)
    month = MONTH_WORDS[word]
    if result is None:  # only when the month began today
        assert (today.month, today.day) == (month, 1)
    else:
        assert (result.month, result.day) == (month, 1)
        assert today - timedelta(days=366) <= result < today


@given(DAYS, st.sampled_from(sorted(WEEKDAYS)), PREFIXES)
def test_a_weekday_is_at_most_a_week_ago(today: date, word: str, prefix: str) -> None:
    result = start_date(prefix + word, today)
    assert result is not None
    assert result.weekday() == WEEKDAYS[word]
    assert today - timedelta(days=7) <= result < today


@given(DAYS, st.sampled_from(sorted(SEASONS)),
       st.sampled_from(["", "sinds de ", "sinds het ", "vorige ", "afgelopen ", "deze "]))
def test_a_season_is_at_most_a_year_ago(today: date, word: str, prefix: str) -> None:
    result = start_date(prefix + word, today)
    start = SEASONS[word]
    if result is None:  # only when the season began today
        assert (today.month, today.day) == start
    else:
        assert (result.month, result.day) == start
        assert today - timedelta(days=366) <= result < today


EXPRESSIONS = [phrase for phrase, expected in ON_TODAY if expected is not None]
OTHER_WORDS = st.one_of(
    st.sampled_from(["ongeluk", "weken", "dagen", "paar", "niet", "misschien", "pijn", "en",
                     "volgende", "jaar", "week", "maand", "eerste", "vandaag"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
).filter(lambda word: word not in NEUTRAL and word_value(word) is None
         and (word not in VOCABULARY or word in {"jaar", "week", "maand", "en"}))


@settings(max_examples=300)
@given(DAYS, st.sampled_from(EXPRESSIONS), OTHER_WORDS, st.integers(min_value=0))
def test_an_extra_word_makes_it_no_calendar_answer(
    today: date, phrase: str, extra: str, where: int
) -> None:
    words = phrase.split()
    at = where % (len(words) + 1)
    words.insert(at, extra)
    mixed = " ".join(words)
    assert start_date(phrase, TODAY) is not None
    # not a calendar answer, or (rarely) one that means the same: 'vorige jaar zomer' is last
    # year's summer, as 'vorige zomer' is; an extra word never yields another date
    assert start_date(mixed, today) in (None, start_date(phrase, today)), mixed
