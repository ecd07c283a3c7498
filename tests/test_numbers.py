"""Dutch numbers as people say them: every value is a float, as annotated."""

from __future__ import annotations

import pytest

from assistant.dialog.numbers import (
    FRACTION_WORDS,
    MARKED_NUMBER,
    MULTIPLIERS,
    NUMBER_WORDS,
    is_ordinal,
    parse_amount,
    word_value,
)


@pytest.mark.parametrize(("token", "value"), [
    ("zes", 6.0), ("nul", 0.0), ("tweeëntwintig", 22.0), ("honderd", 100.0), ("12", 12.0),
    ("2.5", 2.5), ("zesenhalf", 6.5), ("anderhalve", 1.5),
    ("zeseneenhalf", 6.5), ("drieëneenhalve", 3.5), ("drieeneenhalf", 3.5),  # as typed
])
def test_word_value_is_always_a_float(token: str, value: float) -> None:
    result = word_value(token)
    assert type(result) is float and result == value


@pytest.mark.parametrize("token", ["bananen", "eneenhalf", "eenhalf", "9" * 400])
def test_what_is_no_number(token: str) -> None:
    assert word_value(token) is None


@pytest.mark.parametrize(("words", "value", "end"), [
    (["drie"], 3.0, 1), (["twee", "en", "twintig"], 22.0, 3), (["een", "half"], 0.5, 2),
    (["drie", "en", "een", "halve"], 3.5, 4), (["zes", "weken"], 6.0, 1),
])
def test_parse_amount_gives_floats(words: list[str], value: float, end: int) -> None:
    amount = parse_amount(words, 0)
    assert amount is not None and type(amount[0]) is float and amount == (value, end)


def test_the_glued_half_is_typed_only_not_a_grammar_word() -> None:
    assert "zeseneenhalf" not in NUMBER_WORDS  # the recogniser's grammars stay as they were


@pytest.mark.parametrize("token", ["1e", "2de", "3ste", "10e", "eerste", "tweede", "derde",
                                   "vierde", "achtste", "tiende", "twintigste", "honderdste"])
def test_ordinals(token: str) -> None:
    assert is_ordinal(token)


@pytest.mark.parametrize("token", ["zes", "1", "de", "ste", "beste", "onderste", "weken", "e"])
def test_what_is_no_ordinal(token: str) -> None:
    assert not is_ordinal(token)


def test_fractions_and_multipliers_are_no_number_words() -> None:
    """'drie kwart', '2 miljoen': the word after the number changes what it is (issue 21)."""
    assert {"kwart", "derde", "achtste", "komma"} <= FRACTION_WORDS
    assert {"miljoen", "dozijn", "duizend", "honderd"} <= MULTIPLIERS
    assert all(word_value(w) is None for w in FRACTION_WORDS | MULTIPLIERS - {"honderd"})


@pytest.mark.parametrize("text", ['1"', "2'", "3''", "4”", "5’", "6 ′", "2″", "6%", "3°", "€6",
                                  "drie weken en 2'"])
def test_a_number_with_a_sign_after_it_is_marked(text: str) -> None:
    assert MARKED_NUMBER.search(text)


@pytest.mark.parametrize("text", ["3 weken, 's nachts erger", "sinds '25", "zo'n 6 weken",
                                  "6/10", "2,5 weken", "6", "zes"])
def test_an_apostrophe_that_is_no_sign_is_not_marked(text: str) -> None:
    assert not MARKED_NUMBER.search(text)
