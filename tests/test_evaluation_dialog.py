"""The follow-up measurement by dialog: Dutch scores, re-asking, commands, profile D's arm."""

from __future__ import annotations

import pytest

from assistant.dialog.evaluation import QUESTIONS, Evaluation, parse_score, run_evaluation
from assistant.protocol import load_protocol
from assistant.speech.text import ScriptedListener

PROTOCOL = load_protocol()
VOCAB = PROTOCOL.vocabulary
PROMPTS = {q: PROTOCOL.dialog.evaluation.measurement(q).text for q in QUESTIONS}


def run(inputs: list[str], profile: str = "B") -> tuple[Evaluation | None, list[str]]:
    said: list[str] = []
    return run_evaluation(ScriptedListener(inputs), said.append, profile), said


@pytest.mark.parametrize(
    ("text", "value"),
    [("6", 6), ("zes", 6), ("Zes.", 6), ("een zes", 6), ("zes op tien", 6), ("tien", 10),
     ("nul", 0), ("0", 0), ("ongeveer zeven", 7), ("eh acht", 8), ("een", 1), ("10", 10)],
)
def test_scores_as_people_say_them(text: str, value: int) -> None:
    assert parse_score(text, VOCAB) == value


@pytest.mark.parametrize("text", ["elf", "11", "zes en een half", "6,5", "veel", "", "zes acht"])
def test_what_is_not_a_score(text: str) -> None:
    assert parse_score(text, VOCAB) is None


def test_asks_nprs_then_three_psk_activities() -> None:
    evaluation, said = run(["zes", "vijf", "4", "drie"])
    assert evaluation == Evaluation(nprs=6, psk=(5, 4, 3), neuro_worse=False)
    assert said == [PROMPTS["nprs"], PROMPTS["psk1"], PROMPTS["psk2"], PROMPTS["psk3"]]
    assert "Tien is onmogelijk" in PROMPTS["psk1"]


def test_profile_d_also_asks_about_the_arm() -> None:
    evaluation, said = run(["zes", "vijf", "4", "drie", "ja"], profile="D")
    assert evaluation == Evaluation(nprs=6, psk=(5, 4, 3), neuro_worse=True)
    assert said[-1] == PROMPTS["neuro"]
    evaluation, _ = run(["zes", "vijf", "4", "drie", "nee hoor"], profile="D")
    assert evaluation is not None and evaluation.neuro_worse is False


def test_bad_answers_are_asked_again() -> None:
    evaluation, said = run(["twaalf", "zes", "misschien", "vijf", "5", "5"])
    assert evaluation == Evaluation(nprs=6, psk=(5, 5, 5))
    assert said.count("Dat begreep ik niet. Zeg een heel getal van nul tot en met tien.") == 2
    assert said.count(PROMPTS["nprs"]) == 2 and said.count(PROMPTS["psk1"]) == 2


def test_terug_changes_the_previous_answer_and_help_explains() -> None:
    evaluation, said = run(["terug", "zes", "help", "vijf", "terug", "zeven", "4", "3"])
    assert evaluation == Evaluation(nprs=6, psk=(7, 4, 3))  # PSK 1 answered again: 7
    assert "Dit is de eerste vraag." in said
    assert any("herhaal, terug, help of stop" in s for s in said)


def test_stop_or_end_of_input_gives_nothing() -> None:
    evaluation, said = run(["zes", "stop"])
    assert evaluation is None and said[-1] == "De meting is gestopt. Er is niets bewaard."
    evaluation, _ = run(["zes", "vijf"])
    assert evaluation is None


def test_grammar_offers_scores_then_yes_no() -> None:
    listener = ScriptedListener(["zes", "vijf", "4", "drie", "ja"])
    run_evaluation(listener, lambda _: None, "D")
    assert "tien" in listener.grammars[0] and "stop" in listener.grammars[0]
    assert "ja" in listener.grammars[-1] and "tien" not in listener.grammars[-1]
