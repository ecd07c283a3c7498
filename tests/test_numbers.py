"""Dutch numbers as people say them: every value is a float, as annotated."""

from __future__ import annotations

import pytest

from assistant.dialog.numbers import NUMBER_WORDS, parse_amount, word_value


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
