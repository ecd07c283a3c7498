"""Choosing the home exercises after the profile: parsing what the therapist says, the read-back,
and the whole intake through the harness."""

from __future__ import annotations

import pytest

from assistant.dialog.consultation import DialogConfig
from assistant.dialog.exercise_choice import QUESTION, choice_phrases, parse_choice, spoken_code
from assistant.speech.interfaces import Utterance
from tests.harness import (
    AFTER_FLAGS,
    GRADE_III,
    NO_NEURO,
    NO_RED_FLAGS,
    PROTOCOL,
    SCREENED,
    of,
    result_of,
    run_consultation,
)

VOCAB = PROTOCOL.vocabulary
NONE = PROTOCOL.library.choice.none
TEXTS = PROTOCOL.library.choice
# Profile B: grade II, ten weeks, not improving, no psychosocial factors, not work/trauma.
PROFILE_B = [*SCREENED, *NO_NEURO, "fors", "tien weken", "nee", "nee"]
PROFILE_A = [*SCREENED, *NO_NEURO, "een beetje", "drie weken", "ja", "nee", "nee"]


@pytest.mark.parametrize(("said", "codes"), [
    ("veertien en vijfenvijftig", ("F14", "F55")),
    ("veertien, zeventien en vijfenvijftig", ("F14", "F17", "F55")),
    ("F veertien", ("F14",)),
    ("f14", ("F14",)),
    ("F14a", ("F14a",)),
    ("oefening 26a", ("F26a",)),
    ("oefening zesentwintig a", ("F26a",)),
    ("F 56 b", ("F56b",)),
    ("zesenvijftig bee", ("F56b",)),
    ("26a", ("F26a",)),
    ("een a en vijf", ("F1a", "F5")),
    ("één", ("F1",)),
    ("eh veertien uhm en twintig", ("F14", "F20")),
    ("oefeningen 30 en 31", ("F30", "F31")),
    ("veertien en veertien", ("F14",)),
    ("nummer negenentwintig a", ("F29a",)),
])
def test_numbers_name_exercises(said: str, codes: tuple[str, ...]) -> None:
    choice = parse_choice(said, VOCAB, NONE)
    assert choice is not None and choice.codes == codes and not choice.none


@pytest.mark.parametrize("said", ["geen", "geen oefeningen", "niks", "eh geen"])
def test_geen_chooses_nothing(said: str) -> None:
    choice = parse_choice(said, VOCAB, NONE)
    assert choice is not None and choice.none and choice.codes == ()


@pytest.mark.parametrize("said", ["", "ja", "de rode", "veertien bananen", "a", "oefening",
                                  "honderdtwintig", "anderhalf"])
def test_other_words_are_not_understood(said: str) -> None:
    assert parse_choice(said, VOCAB, NONE) is None


def test_the_grammar_holds_every_word_of_the_menu() -> None:
    menu = PROTOCOL.profile("B").exercises
    words = set(choice_phrases(menu, VOCAB, NONE))
    for code in menu:
        assert set(spoken_code(code).split()) <= words
    assert {"geen", "ja", "nee", "stop", "oefening", "f"} <= words
    for code in menu:  # what is spoken can be parsed back
        choice = parse_choice(spoken_code(code), VOCAB, NONE)
        assert choice is not None and choice.codes == (code,)


def choice_events(inputs: list[str]) -> list[dict[str, object]]:
    return [e for e in run_consultation(inputs) if e.get("question") == QUESTION]


def test_after_the_profile_the_choice_is_read_back_and_confirmed() -> None:
    events = run_consultation([*PROFILE_B, "veertien en vijfenvijftig", "ja"])
    assert result_of(events)["profile"] == "B"
    asks = [e for e in of(events, "ask") if e["question"] == QUESTION]
    assert [a["text"] for a in asks] == [TEXTS.question]
    menu = of(events, "menu")[0]  # shown on screen before the question, not spoken
    assert [m["code"] for m in menu["exercises"]] == list(PROTOCOL.profile("B").exercises)
    assert menu["warning"] is None
    # asked after the result was given
    assert events.index(of(events, "result")[0]) < events.index(asks[0])
    confirm = of(events, "confirm")[-1]
    assert confirm["value"] == ["F14", "F55"] and confirm["finding"] is None
    # spoken and short: the plain name only
    f14 = PROTOCOL.exercise("F14")
    assert f"Oefening veertien: {f14.name}." in confirm["text"]
    assert f14.technical_name not in confirm["text"]
    assert "vijfenvijftig" in confirm["text"] and confirm["text"].endswith("Klopt dat?")
    answer = of(events, "answer")[-1]
    assert (answer["question"], answer["value"]) == (QUESTION, ["F14", "F55"])


def test_nee_on_the_read_back_asks_again() -> None:
    events = choice_events([*PROFILE_B, "veertien", "nee", "zeventien", "ja"])
    assert [e["event"] for e in events if e["event"] in ("ask", "confirm", "answer")] == [
        "ask", "confirm", "ask", "confirm", "answer"]
    assert events[-1]["value"] == ["F17"]


def test_a_number_outside_the_menu_is_named_and_the_question_stays() -> None:
    events = run_consultation([*PROFILE_A, "vijfenvijftig", "veertien", "ja"])
    reprompts = [e for e in of(events, "reprompt") if e["question"] == QUESTION]
    assert reprompts[0]["reason"] == "not_in_menu"
    assert "vijfenvijftig" in reprompts[0]["text"]
    assert of(events, "answer")[-1]["value"] == ["F14"]


def test_help_reads_the_menu_and_geen_chooses_nothing() -> None:
    events = run_consultation([*PROFILE_A, "help", "geen", "ja"])
    help_text = next(e["text"] for e in of(events, "reprompt") if e["reason"] == "help")
    assert "veertien a" in help_text and "zesentwintig a" in help_text
    assert of(events, "confirm")[-1]["text"] == TEXTS.readback_none
    assert of(events, "answer")[-1]["value"] == []


def test_herhaal_repeats_the_read_back_and_stop_leaves_no_choice() -> None:
    events = choice_events([*PROFILE_B, "veertien", "herhaal", "stop"])
    confirms = [e for e in events if e["event"] == "confirm"]
    assert len(confirms) == 2 and confirms[0]["text"] == confirms[1]["text"]
    assert not [e for e in events if e["event"] == "answer"]


def test_profile_d_menu_carries_its_warning() -> None:
    events = run_consultation([*SCREENED, *GRADE_III, "een beetje", "drie weken", "ja", "nee",
                               "nee", "geen", "ja"])
    assert result_of(events)["profile"] == "D"
    assert of(events, "menu")[0]["warning"] == PROTOCOL.profile("D").exercise_warning


def test_a_referral_has_no_choice() -> None:
    # the first red flag, confirmed; the screening still asks every other red flag
    events = run_consultation(["ja", "ja", *NO_RED_FLAGS[1:], *AFTER_FLAGS])
    assert result_of(events)["referral"] is True
    assert not [e for e in of(events, "ask") if e["question"] == QUESTION]


def test_the_choice_asks_again_like_the_intake() -> None:
    """Silence and words not understood get the hint (the question is not repeated: the hint
    says what to say), the third failed try adds the commands; pauze waits for verder."""
    turns = PROTOCOL.dialog.intake.turns
    events = choice_events([*PROFILE_B, "", "de rode", "bananen", "pauze", "veertien",
                            "verder", "veertien", "ja"])
    reprompts = [(e["reason"], e["text"]) for e in events if e["event"] == "reprompt"]
    assert reprompts == [
        ("silence", f"{turns.silence} {TEXTS.hint}"),
        ("not_understood", f"{TEXTS.not_understood} {TEXTS.hint}"),
        ("not_understood", f"{TEXTS.not_understood} {TEXTS.hint} {turns.command_hint}"),
        ("paused", turns.paused),
        ("paused", turns.still_paused),
    ]
    assert [e["event"] for e in events if e["event"] in ("ask", "confirm", "answer")] == [
        "ask", "ask", "confirm", "answer"]  # verder asks again
    assert events[-1]["value"] == ["F14"]


def test_terug_or_doubt_during_the_read_back() -> None:
    events = choice_events([*PROFILE_B, "veertien", "weet ik niet", "terug", "zeventien", "ja"])
    assert [e["event"] for e in events if e["event"] in ("ask", "confirm", "answer")] == [
        "ask", "confirm", "confirm", "ask", "confirm", "answer"]  # terug drops the read-back
    reprompt = next(e for e in events if e["event"] == "reprompt")
    assert reprompt["text"] == PROTOCOL.dialog.intake.turns.yes_or_no
    assert events[-1]["value"] == ["F17"]


def test_the_choice_offers_the_keyboard_after_three_failed_spoken_tries() -> None:
    spoken = [Utterance(text, 0.9, "voice") for text in ("", "de rode", "de rode")]
    events = run_consultation([*PROFILE_B, *spoken], DialogConfig(voice=True))
    last = [e for e in of(events, "reprompt") if e["question"] == QUESTION][-1]
    assert last["reason"] == "keyboard"
    assert PROTOCOL.dialog.intake.turns.keyboard_hint in last["text"]


def test_profile_d_offers_the_nerve_glides_apart_for_when_therapy_helps_too_little() -> None:
    events = run_consultation([*SCREENED, *GRADE_III, "een beetje", "drie weken", "ja", "nee",
                               "nee", "veertien en zesenvijftig", "ja"])
    menu = of(events, "menu")[0]
    assert "F56" not in [e["code"] for e in menu["exercises"]]
    assert "F56" in [e["code"] for e in menu["if_insufficient"]]
    assert of(events, "answer")[-1]["value"] == ["F14", "F56"]  # still choosable


def test_the_sheet_marks_a_nerve_glide_chosen_for_later() -> None:
    from datetime import date

    from assistant.output.sheet import LATER, render_sheet

    d = PROTOCOL.profile("D")
    html = render_sheet(PROTOCOL.library, ["F14", "F56"], day=date(2026, 11, 30),
                        warning=d.exercise_warning, later=d.exercises_if_insufficient)
    f56 = html.split('id="F56"')[1]
    assert LATER in f56 and LATER not in html.split('id="F56"')[0]


def test_the_menu_shows_the_therapist_the_plain_and_the_technical_name() -> None:
    import io

    from assistant.dialog.events import Menu, MenuItem
    from assistant.output.screen import Screen

    events = run_consultation([*PROFILE_B, "veertien", "ja"])
    menu = of(events, "menu")[0]
    for item in menu["exercises"]:
        ex = PROTOCOL.exercise(item["code"])
        assert (item["name"], item["technical_name"]) == (ex.name, ex.technical_name)
    out = io.StringIO()
    f28 = PROTOCOL.exercise("F28")
    Screen(out, echo=False)(Menu((MenuItem("F28", f28.name, f28.technical_name),), None))
    assert f"F28   {f28.name} ({f28.technical_name})" in out.getvalue()
    assert f"{f28.name} ({f28.technical_name})" == f28.therapist_name
