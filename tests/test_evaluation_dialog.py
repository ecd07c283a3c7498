"""The follow-up measurement by dialog: Dutch scores, re-asking, commands, profile D's arm; and
the offer to take it after an intake."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.dialog.evaluation import Evaluation, run_evaluation
from assistant.dialog.events import SPOKEN, Event, Reprompt
from assistant.dialog.readings import Doubt, Unclear, Understood
from assistant.dialog.scores import parse_score, read_score
from assistant.dialog.yes_no import BASELINE_OFFER as QUESTION
from assistant.dialog.yes_no import offer_baseline
from assistant.protocol import load_protocol
from assistant.protocol.dialog_texts import MEASUREMENTS
from assistant.speech.text import ScriptedListener

PROTOCOL = load_protocol()
VOCAB = PROTOCOL.vocabulary
PROMPTS = {q: PROTOCOL.dialog.evaluation.measurement(q).text for q in MEASUREMENTS}


def run(inputs: list[str], profile: str = "B") -> tuple[Evaluation | None, list[str]]:
    """The evaluation, and what it said (the texts of its spoken events), in order."""
    events: list[Event] = []
    evaluation = run_evaluation(ScriptedListener(inputs), events.append, profile)
    return evaluation, [e.text for e in events if isinstance(e, SPOKEN)]


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
    evaluation, said = run(["twaalf", "zes", "misschien", "vijf", "veel", "5", "5"])
    assert evaluation == Evaluation(nprs=6, psk=(5, 5, 5))
    # out of the scale and doubt: say why, then the help; only 'veel' was not understood
    assert said.count("De schaal gaat van nul tot en met tien. Zeg een heel getal van nul tot "
                      "en met tien.") == 1
    assert said.count("Dat begreep ik niet. Zeg een heel getal van nul tot en met tien.") == 1
    assert said.count(PROMPTS["nprs"]) == 2 and said.count(PROMPTS["psk1"]) == 2
    assert said.count(PROMPTS["psk2"]) == 2


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


TEXTS = PROTOCOL.dialog.evaluation
SCALE_HELP = TEXTS.measurement("nprs").help


def events_of(inputs: list[str], profile: str = "B") -> list[dict[str, object]]:
    events: list[Event] = []
    run_evaluation(ScriptedListener(inputs), events.append, profile)
    return [e.to_json() for e in events]


def test_the_measurement_is_a_stream_of_typed_events() -> None:
    events = events_of(["zes", "vijf", "4", "drie"])
    assert [(e["event"], e.get("question")) for e in events[:3]] == [
        ("ask", "nprs"), ("heard", None), ("answer", "nprs")]
    answers = [(e["question"], e["value"]) for e in events if e["event"] == "answer"]
    assert answers == [("nprs", 6), ("psk1", 5), ("psk2", 4), ("psk3", 3)]
    assert all(e["finding"] is None for e in events if e["event"] in ("ask", "answer"))


def test_silence_and_failed_tries_are_asked_again_like_the_intake() -> None:
    turns = TEXTS.turns
    events = events_of(["", "bananen", "veel", "zes"])
    reprompts = [(e["reason"], e["text"]) for e in events if e["event"] == "reprompt"]
    assert reprompts == [
        ("silence", f"{turns.silence} {SCALE_HELP}"),
        ("not_understood", f"{turns.not_understood} {SCALE_HELP}"),
        ("not_understood", f"{turns.not_understood} {SCALE_HELP} {turns.command_hint}"),
    ]
    assert [e["question"] for e in events if e["event"] == "ask"] == ["nprs"] * 4 + ["psk1"]


def test_pauze_waits_for_verder_and_stop_says_so() -> None:
    events = events_of(["pauze", "zes", "verder", "zes", "stop"])
    said = [(e["event"], e.get("reason") or e.get("kind")) for e in events
            if e["event"] in ("reprompt", "say")]
    assert said == [("reprompt", "paused"), ("reprompt", "paused"), ("say", "stopped")]
    assert events[-1]["text"] == TEXTS.stopped


@pytest.mark.parametrize(("inputs", "accepted", "asked"), [
    (["ja"], True, 1),
    (["nee hoor"], False, 1),
    (["misschien", "ja"], True, 2),
    (["hmm", "", "weet niet"], False, 3),  # three failed tries decline it
    (["stop"], False, 1),
    ([], False, 1),  # the input ended
])
def test_the_baseline_offer(inputs: list[str], accepted: bool, asked: int) -> None:
    events: list[Event] = []
    assert offer_baseline(ScriptedListener(inputs), events.append, PROTOCOL) is accepted
    data = [e.to_json() for e in events]
    asks = [e for e in data if e["event"] == "ask"]
    assert len(asks) == asked
    assert {(a["question"], a["text"]) for a in asks} == {(QUESTION, TEXTS.offer)}
    answers = [e["value"] for e in data if e["event"] == "answer"]
    assert answers == ([accepted] if inputs[-1:] in (["ja"], ["nee hoor"]) else [])
    assert all(e["text"].startswith((TEXTS.turns.not_understood, TEXTS.turns.silence))
               for e in data if e["event"] == "reprompt")


def test_help_on_the_baseline_offer_says_ja_or_nee() -> None:
    events: list[Event] = []
    assert offer_baseline(ScriptedListener(["help", "ja"]), events.append, PROTOCOL)
    [help_event] = [e for e in events if isinstance(e, Reprompt)]
    assert help_event.text == f"{TEXTS.turns.yes_or_no} {TEXTS.turns.command_hint}"


def run_named(inputs: list[str], **options: Any) -> tuple[Evaluation | None, list[str]]:
    events: list[Event] = []
    evaluation = run_evaluation(ScriptedListener(inputs), events.append, "B", **options)
    return evaluation, [e.text for e in events if isinstance(e, SPOKEN)]


def test_the_baseline_names_the_three_psk_activities_first() -> None:
    evaluation, said = run_named(["traplopen", "  auto   rijden ", "terug", "fietsen", "lezen",
                                  "zes", "vijf", "4", "drie"], baseline=True, name_activities=True)
    assert evaluation == Evaluation(nprs=6, psk=(5, 4, 3),
                                    psk_activities=("traplopen", "fietsen", "lezen"))
    assert said[0] == PROMPTS["activity1"]
    assert "PSK: fietsen. Hoe moeilijk is dat nu? Van nul tot tien. Tien is onmogelijk." in said


def test_the_activities_can_be_skipped_and_named_ones_are_not_asked_again() -> None:
    evaluation, said = run_named(["overslaan", "zes", "vijf", "4", "drie"], baseline=True,
                                 name_activities=True)
    assert evaluation is not None and evaluation.psk_activities == ()
    assert PROMPTS["psk1"] in said
    evaluation, said = run_named(["zes", "vijf", "4", "drie"], activities=("a", "b", "c"),
                                 name_activities=True)
    assert evaluation is not None and evaluation.psk_activities == ()  # nothing new named
    assert PROMPTS["activity1"] not in said and said[1].startswith("PSK: a.")


def test_an_activity_must_be_a_short_name_and_terug_from_the_score_goes_back() -> None:
    evaluation, said = run_named(["x" * 61, "a", "b", "c", "terug", "d", "zes", "1", "2", "3"],
                                 name_activities=True)
    assert evaluation is not None and evaluation.psk_activities == ("a", "b", "d")
    assert said.count(PROMPTS["activity1"]) == 2 and said.count(PROMPTS["activity3"]) == 2


def test_a_spoken_activity_cannot_be_recognised_so_only_commands_are_listened_for() -> None:
    listener = ScriptedListener(["stop"])
    run_evaluation(listener, lambda _: None, "B", name_activities=True)
    assert "stop" in listener.grammars[0] and "zes" not in listener.grammars[0]


# --- scores as therapists give them (issue 12) --------------------------------------------------

WHOLE_NUMBER = ["twee à drie", "2 of 3", "tussen twee en drie", "2,5", "2.5", "zeseneenhalf",
                "twee en een half", "zes en een half", "2-3", "een of twee", "vijf tot zes"]


@pytest.mark.parametrize("text", WHOLE_NUMBER)
def test_a_range_or_a_fraction_is_no_whole_score(text: str) -> None:
    assert read_score(text, VOCAB) == Unclear("whole_number")
    assert parse_score(text, VOCAB) is None


@pytest.mark.parametrize("text", WHOLE_NUMBER)
def test_a_range_or_a_fraction_is_asked_again_saying_the_scale_counts_whole_points(
        text: str) -> None:
    events = events_of([text, "zes", "vijf", "4", "drie"])
    [reprompt] = [e for e in events if e["event"] == "reprompt"]
    why = TEXTS.turns.why("whole_number")
    assert why == "De schaal telt in hele punten."
    assert (reprompt["question"], reprompt["reason"]) == ("nprs", "whole_number")
    assert reprompt["text"] == f"{why} {SCALE_HELP}"
    assert TEXTS.turns.not_understood not in str(reprompt["text"])
    assert [e["question"] for e in events if e["event"] == "ask"][:2] == ["nprs", "nprs"]
    answers = [(e["question"], e["value"]) for e in events if e["event"] == "answer"]
    assert answers[0] == ("nprs", 6)


@pytest.mark.parametrize(("text", "value", "note"), [
    ("zes, vooral 's avonds", 6, "vooral 's avonds"),
    ("Zes. Vooral 's avonds.", 6, "Vooral 's avonds"),
    ("een zes, na het werk erger", 6, "na het werk erger"),
    ("6/10", 6, ""),
    ("zes punten", 6, ""),
])
def test_a_score_with_an_explanation_keeps_the_note(text: str, value: int, note: str) -> None:
    reading = read_score(text, VOCAB)
    assert isinstance(reading, Understood) and (reading.value, reading.note) == (value, note)
    assert parse_score(text, VOCAB) == value


def test_the_note_of_a_score_is_in_its_answer_event() -> None:
    events = events_of(["zes, vooral 's avonds", "vijf", "4", "drie"])
    answers = [e for e in events if e["event"] == "answer"]
    assert (answers[0]["question"], answers[0]["value"], answers[0]["note"]) == (
        "nprs", 6, "vooral 's avonds")
    assert all(a["note"] is None for a in answers[1:])  # a plain score has none


@pytest.mark.parametrize("text", ["elf", "12", "twintig", "100"])
def test_a_score_above_ten_is_asked_again_saying_the_range(text: str) -> None:
    assert parse_score(text, VOCAB) is None
    events = events_of(["zes", text, "vijf", "4", "drie"])
    [reprompt] = [e for e in events if e["event"] == "reprompt"]
    assert (reprompt["question"], reprompt["reason"]) == ("psk1", "out_of_range")
    assert reprompt["text"] == ("De schaal gaat van nul tot en met tien. Zeg een heel getal "
                                "van nul tot en met tien.")
    answers = [(e["question"], e["value"]) for e in events if e["event"] == "answer"]
    assert answers == [("nprs", 6), ("psk1", 5), ("psk2", 4), ("psk3", 3)]


@pytest.mark.parametrize("text", ["weet ik niet", "geen idee", "misschien", "zes, denk ik"])
def test_doubt_on_a_score_gets_the_help_and_the_question_again(text: str) -> None:
    assert read_score(text, VOCAB) == Doubt()
    events = events_of([text, "zes", "vijf", "4", "drie"])
    [reprompt] = [e for e in events if e["event"] == "reprompt"]
    assert (reprompt["reason"], reprompt["text"]) == ("doubt", SCALE_HELP)
    assert [e["question"] for e in events if e["event"] == "ask"][:2] == ["nprs", "nprs"]


def test_the_arm_question_keeps_a_note_and_says_why_on_a_contradiction() -> None:
    events = events_of(["zes", "vijf", "4", "drie", "ja, nee", "ja, meer tintelingen"], "D")
    [reprompt] = [e for e in events if e["event"] == "reprompt"]
    assert (reprompt["question"], reprompt["reason"]) == ("neuro", "contradiction")
    assert str(reprompt["text"]).startswith(TEXTS.turns.why("contradiction"))
    answer = [e for e in events if e["event"] == "answer"][-1]
    assert (answer["question"], answer["value"], answer["note"]) == (
        "neuro", True, "meer tintelingen")


@pytest.mark.parametrize(("inputs", "accepted", "note"), [
    (["nee, later"], False, "later"),
    (["ja graag, nu meteen"], True, "nu meteen"),
])
def test_the_baseline_offer_takes_an_answer_with_an_explanation(
        inputs: list[str], accepted: bool, note: str) -> None:
    events: list[Event] = []
    assert offer_baseline(ScriptedListener(inputs), events.append, PROTOCOL) is accepted
    data = [e.to_json() for e in events]
    assert not [e for e in data if e["event"] == "reprompt"]
    [answer] = [e for e in data if e["event"] == "answer"]
    assert (answer["question"], answer["value"], answer["note"]) == (QUESTION, accepted, note)


def test_a_contradiction_on_the_baseline_offer_says_why() -> None:
    events: list[Event] = []
    assert offer_baseline(ScriptedListener(["ja, nee", "ja"]), events.append, PROTOCOL)
    data = [e.to_json() for e in events]
    [reprompt] = [e for e in data if e["event"] == "reprompt"]
    assert (reprompt["reason"], reprompt["text"]) == (
        "contradiction", TEXTS.turns.why("contradiction"))
    assert reprompt["text"] == "Ik hoorde twee verschillende antwoorden."
    assert [e["event"] for e in data if e["event"] in ("ask", "reprompt", "answer")] == [
        "ask", "reprompt", "ask", "answer"]


@pytest.mark.parametrize(("text", "expected"), [
    ("-1", Unclear("out_of_range")), ("- 5", Unclear("out_of_range")), (">6", None),
    ("6+", None), ("<3", None),
])
def test_a_score_with_a_sign_is_no_point_of_the_scale(text: str, expected: object) -> None:
    """'-1' was read as 1 and '>6' as 6; the command line refuses --nprs -1 as well."""
    assert read_score(text, VOCAB) == expected


def test_a_score_said_too_early_is_no_activity_name() -> None:
    """'zes' typed before the score question came is asked again, never stored as the name of
    an activity (a physiotherapist did exactly that)."""
    evaluation, said = run_named(["zes", "traplopen", "7", "lezen", "fietsen", "zes", "vijf",
                                  "4", "drie"], baseline=True, name_activities=True)
    assert evaluation == Evaluation(nprs=6, psk=(5, 4, 3),
                                    psk_activities=("traplopen", "lezen", "fietsen"))
    assert said.count(PROMPTS["activity1"]) == 2 and said.count(PROMPTS["activity2"]) == 2
