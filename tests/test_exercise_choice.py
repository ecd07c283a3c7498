"""Choosing the home exercises after the profile: parsing what the therapist says, the read-back,
and the whole intake through the harness."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from importlib import resources
from typing import Any

import pytest

from assistant.dialog.choice_parsing import (
    choice_example,
    choice_phrases,
    menu_names,
    parse_choice,
    spoken_code,
)
from assistant.dialog.consultation import DialogConfig
from assistant.dialog.events import Event
from assistant.dialog.exercise_choice import QUESTION, ExerciseChoice
from assistant.dialog.loop import run_dialog
from assistant.protocol import ProtocolError
from assistant.protocol.exercise_loader import parse_library
from assistant.protocol.exercises import Library
from assistant.speech.interfaces import Utterance
from assistant.speech.text import ScriptedListener
from tests.harness import (
    PROFILE_ANSWERS,
    PROFILE_B_TEN_WEEKS,
    PROTOCOL,
    SCREENED_BY_ID,
    choosing,
    intake,
    of,
    result_of,
    run_consultation,
)
from tests.intake_script import IntakeScript, Reply

VOCAB = PROTOCOL.vocabulary
NONE = PROTOCOL.library.choice.none
TEXTS = PROTOCOL.library.choice
# Profile B: grade II, ten weeks, not improving, no psychosocial factors, no work, no trauma
# (by voice the red flags, all "nee", are read back as a whole: "ja" confirms them).
PROFILE_B = PROFILE_B_TEN_WEEKS
PROFILE_A = {**SCREENED_BY_ID, **PROFILE_ANSWERS["A"]}  # improving, not recurrent, no work
PROFILE_D = {**SCREENED_BY_ID, **PROFILE_ANSWERS["D"]}  # grade III, as profile A otherwise


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
    assert {"doe", "maar", "alleen"} <= words  # a spoken correction at the read-back
    for code in menu:  # what is spoken can be parsed back
        choice = parse_choice(spoken_code(code), VOCAB, NONE)
        assert choice is not None and choice.codes == (code,)


def choice_events(inputs: IntakeScript) -> list[dict[str, object]]:
    return [e for e in run_consultation(inputs) if e.get("question") == QUESTION]


def test_after_the_profile_the_choice_is_read_back_and_confirmed() -> None:
    events = run_consultation(choosing(PROFILE_B, "veertien en vijfenvijftig"))
    assert result_of(events)["profile"] == "B"
    asks = [e for e in of(events, "ask") if e["question"] == QUESTION]
    example = choice_example(PROTOCOL.profile("B").exercises)
    assert [a["text"] for a in asks] == [TEXTS.question.format(example=example)]
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
    events = choice_events(choosing(PROFILE_B, ["veertien", "zeventien"], ["nee", "ja"]))
    assert [e["event"] for e in events if e["event"] in ("ask", "confirm", "answer")] == [
        "ask", "confirm", "ask", "confirm", "answer"]
    assert events[-1]["value"] == ["F17"]


def test_a_number_outside_the_menu_is_named_and_the_question_stays() -> None:
    events = run_consultation(choosing(PROFILE_A, ["vijfenvijftig", "veertien"]))
    reprompts = [e for e in of(events, "reprompt") if e["question"] == QUESTION]
    assert reprompts[0]["reason"] == "not_in_menu"
    assert "vijfenvijftig" in reprompts[0]["text"]
    assert of(events, "answer")[-1]["value"] == ["F14"]


def test_help_reads_the_menu_and_geen_chooses_nothing() -> None:
    events = run_consultation(choosing(PROFILE_A, ["help", "geen"]))
    help_text = next(e["text"] for e in of(events, "reprompt") if e["reason"] == "help")
    assert "veertien a" in help_text and "zesentwintig a" in help_text
    assert of(events, "confirm")[-1]["text"] == TEXTS.readback_none
    assert of(events, "answer")[-1]["value"] == []


def test_herhaal_repeats_the_read_back_and_stop_leaves_no_choice() -> None:
    events = choice_events(choosing(PROFILE_B, "veertien", ["herhaal", "stop"]))
    confirms = [e for e in events if e["event"] == "confirm"]
    assert len(confirms) == 2 and confirms[0]["text"] == confirms[1]["text"]
    assert not [e for e in events if e["event"] == "answer"]


def test_profile_d_menu_carries_its_warning() -> None:
    events = run_consultation(choosing(PROFILE_D, "geen"))
    assert result_of(events)["profile"] == "D"
    assert of(events, "menu")[0]["warning"] == PROTOCOL.profile("D").exercise_warning


def test_a_referral_has_no_choice() -> None:
    # a red flag (an osteoporotic fracture), confirmed; the screening still asks every other
    # red flag, and the duration of the neck pain for the letter
    events = run_consultation(intake(SCREENED_BY_ID, {
        "rf_fracture_osteoporotic": "ja", "weeks_since_onset": "drie weken"}, strict=True))
    assert result_of(events)["referral"] is True
    assert not [e for e in of(events, "ask") if e["question"] == QUESTION]


def test_the_choice_asks_again_like_the_intake() -> None:
    """Silence and words not understood get the hint (the question is not repeated: the hint
    says what to say), the third failed try adds the commands; pauze waits for verder."""
    turns = PROTOCOL.dialog.intake.turns
    events = choice_events(choosing(PROFILE_B, ["", "de rode", "bananen", "pauze", "veertien",
                                                 "verder", "veertien"]))
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
    events = choice_events(choosing(PROFILE_B, ["veertien", "zeventien"],
                                    ["weet ik niet", "terug", "ja"]))
    assert [e["event"] for e in events if e["event"] in ("ask", "confirm", "answer")] == [
        "ask", "confirm", "confirm", "ask", "confirm", "answer"]  # terug drops the read-back
    reprompt = next(e for e in events if e["event"] == "reprompt")
    assert reprompt["text"] == PROTOCOL.dialog.intake.turns.yes_or_no
    assert events[-1]["value"] == ["F17"]


def test_the_choice_offers_the_keyboard_after_three_failed_spoken_tries() -> None:
    spoken: list[Reply] = [Utterance(text, 0.9, "voice") for text in ("", "de rode", "de rode")]
    events = run_consultation(intake(PROFILE_B, {QUESTION: [*spoken, None]}, strict=True),
                              DialogConfig(voice=True))  # the input ends there
    last = [e for e in of(events, "reprompt") if e["question"] == QUESTION][-1]
    assert last["reason"] == "keyboard"
    assert PROTOCOL.dialog.intake.turns.keyboard_hint in last["text"]


def test_profile_d_offers_the_nerve_glides_apart_for_when_therapy_helps_too_little() -> None:
    events = run_consultation(choosing(PROFILE_D, "veertien en zesenvijftig"))
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

    events = run_consultation(choosing(PROFILE_B, "veertien"))
    menu = of(events, "menu")[0]
    for item in menu["exercises"]:
        ex = PROTOCOL.exercise(item["code"])
        assert (item["name"], item["technical_name"]) == (ex.name, ex.technical_name)
    out = io.StringIO()
    f28 = PROTOCOL.exercise("F28")
    Screen(out, echo=False)(Menu((MenuItem("F28", f28.name, f28.technical_name),), None))
    assert f"F28   {f28.name} ({f28.technical_name})" in out.getvalue()
    assert f"{f28.name} ({f28.technical_name})" == f28.therapist_name


# --- names as well as numbers (issue 12) --------------------------------------------------------

MENU_B = PROTOCOL.profile("B").exercises
NAMES_B = menu_names(PROTOCOL.library, MENU_B, VOCAB)


@pytest.mark.parametrize(("said", "codes"), [
    ("de bodyscan en veertien", ("F5", "F14")),  # F5's technical name: 'Bodyscan: …'
    ("bodyscan", ("F5",)),
    ("veertien en de bodyscan", ("F14", "F5")),
    ("Ontspanningsoefening van voeten tot hoofd", ("F5",)),
    ("Bodyscan: ontspanningsoefening van tien tot twintig minuten", ("F5",)),
    ("schouderrondjes en veertien", ("F30", "F14")),
    ("schouderrondjes stap voor stap inoefenen", ("F31",)),  # the longest name wins
    ("de stofzuiger, twintig en F55", ("F17", "F20", "F55")),
    ("Roeioefening met oefenelastiek", ("F55",)),
    ("de pitcherstretch, met neurodynamica van de nervus medianus", ("F56b",)),
    ("pitcherstretch met neurodynamica van de nervus medianus", ("F56b",)),
    ("Steunen op een tafel en de schouderbladen bewegen en een", ("F20", "F1")),
])
def test_names_choose_exercises_mixed_with_numbers(said: str, codes: tuple[str, ...]) -> None:
    choice = parse_choice(said, VOCAB, NONE, NAMES_B)
    assert choice is not None and choice.codes == codes and not choice.ambiguous


@pytest.mark.parametrize("said", ["nek en romp", "romp draaien", "de scan", "bodyscans",
                                  "schouderrondjes a", "ontspanningsoefening"])
def test_a_name_is_said_whole_and_exact(said: str) -> None:
    assert parse_choice(said, VOCAB, NONE, NAMES_B) is None


def test_without_names_only_numbers_count() -> None:
    assert parse_choice("de bodyscan en veertien", VOCAB, NONE) is None


@pytest.mark.parametrize(("said", "codes"), [
    ("alleen veertien", ("F14",)),
    ("doe maar veertien en twintig", ("F14", "F20")),
    ("maak er veertien van", ("F14",)),
    ("dan maar alleen de bodyscan", ("F5",)),
])
def test_a_choice_may_open_with_alleen_or_doe_maar(said: str, codes: tuple[str, ...]) -> None:
    choice = parse_choice(said, VOCAB, NONE, NAMES_B)
    assert choice is not None and choice.codes == codes


def test_de_bodyscan_en_veertien_in_a_whole_intake() -> None:
    events = run_consultation(choosing(PROFILE_B, "de bodyscan en veertien"))
    assert "F5" in PROTOCOL.profile("B").exercises
    confirm = of(events, "confirm")[-1]
    assert confirm["value"] == ["F5", "F14"]
    assert f"Oefening vijf: {PROTOCOL.exercise('F5').name}." in confirm["text"]
    assert of(events, "answer")[-1]["value"] == ["F5", "F14"]


def test_a_name_not_on_the_menu_is_refused() -> None:
    assert "F5" not in PROTOCOL.profile("A").exercises
    events = run_consultation(choosing(PROFILE_A, ["de bodyscan en veertien",
                                                        "veertien"]))
    reprompt = next(e for e in of(events, "reprompt") if e["question"] == QUESTION)
    assert reprompt["reason"] == "not_in_menu"
    assert reprompt["text"] == f"{TEXTS.not_in_menu.format(codes='vijf')} {TEXTS.hint}"
    assert reprompt["text"] == ("Dit staat niet in het menu: vijf. Noem de nummers of de namen "
                                "van de oefeningen, of zeg: geen.")
    assert of(events, "answer")[-1]["value"] == ["F14"]


def choose(library: Library, menu: tuple[str, ...], inputs: list[str],
           later: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The choice dialog alone, on `menu`; its events as JSON."""
    events: list[Event] = []
    dialog = ExerciseChoice(library, VOCAB, menu, events.append,
                            PROTOCOL.dialog.intake.turns, later=later)
    run_dialog(dialog, ScriptedListener(inputs))
    return [e.to_json() for e in events]


def renamed(codes: set[str], name: str) -> Library:
    """The library with the exercises `codes` sharing one plain name."""
    library = PROTOCOL.library
    return replace(library, exercises=tuple(
        replace(e, name=name) if e.code in codes else e for e in library.exercises))


def test_a_name_two_menu_exercises_share_is_refused_naming_both() -> None:
    library = renamed({"F14", "F14a"}, "Nek en romp draaien")
    events = choose(library, MENU_B, ["nek en romp draaien", "veertien a", "ja"])
    reprompt = of(events, "reprompt")[0]
    assert reprompt["reason"] == "ambiguous"
    assert reprompt["text"] == ("Die naam past bij meer dan één oefening: veertien en veertien "
                                f"a. {TEXTS.hint}")
    assert of(events, "answer")[-1]["value"] == ["F14a"]
    # a name shared with an exercise that is not on the menu names the menu's one
    menu = tuple(c for c in MENU_B if c != "F14a")
    events = choose(library, menu, ["nek en romp draaien", "ja"])
    assert of(events, "answer")[-1]["value"] == ["F14"]


def test_the_nerve_glides_for_later_count_with_their_names() -> None:
    d = PROTOCOL.profile("D")
    events = choose(PROTOCOL.library, d.exercises,
                    ["zenuwglijder voor de arm, binnenkant en veertien", "ja"],
                    later=d.exercises_if_insufficient)
    assert of(events, "answer")[-1]["value"] == ["F56", "F14"]


# --- a correction at the read-back --------------------------------------------------------------

def test_nee_with_a_new_choice_at_the_read_back_replaces_it() -> None:
    events = [e for e in run_consultation(choosing(
        PROFILE_B, "veertien, zeventien en twintig",
        ["nee, doe maar alleen veertien en twintig", "ja"]))
              if e.get("question") in (QUESTION, None)]
    flow = [e["event"] for e in events if e["event"] in ("ask", "confirm", "reprompt", "answer")]
    assert flow == ["ask", "confirm", "confirm", "answer"]
    first, second = of(events, "confirm")
    assert first["value"] == ["F14", "F17", "F20"] and second["value"] == ["F14", "F20"]
    assert second["text"].startswith("U koos twee oefeningen. Oefening veertien:")
    heard = [e["text"] for e in of(events, "heard")]
    assert heard[-2:] == ["nee, doe maar alleen veertien en twintig", "ja"]
    assert of(events, "answer")[-1]["value"] == ["F14", "F20"]


def test_a_spoken_correction_at_the_read_back() -> None:
    choice, correction, yes = (Utterance(text, 0.95, "voice")
                               for text in ("veertien zeventien", "nee doe maar alleen veertien",
                                            "ja"))
    events = run_consultation(choosing(PROFILE_B, choice, [correction, yes]),
                              DialogConfig(voice=True))
    confirms = [e for e in of(events, "confirm") if e["question"] == QUESTION]
    assert [c["value"] for c in confirms] == [["F14", "F17"], ["F14"]]
    assert of(events, "answer")[-1]["value"] == ["F14"]


@pytest.mark.parametrize(("correction", "codes"), [
    ("nee, maak er de bodyscan van", ["F5"]),
    ("Nee hoor, alleen twintig.", ["F20"]),
    ("nee, zeventien en schouderrondjes", ["F17", "F30"]),
])
def test_other_corrections_at_the_read_back(correction: str, codes: list[str]) -> None:
    events = choice_events(choosing(PROFILE_B, "veertien", [correction, "ja"]))
    assert [e["value"] for e in of(events, "confirm")] == [["F14"], codes]
    assert of(events, "answer")[-1]["value"] == codes


def test_a_correction_that_cannot_be_taken_says_why_and_keeps_the_read_back() -> None:
    events = choice_events(choosing(PROFILE_A, "veertien", ["nee, alleen vijfenvijftig", "ja"]))
    first, again = of(events, "confirm")
    assert first == again  # the choice read back once more
    [reprompt] = of(events, "reprompt")
    assert (reprompt["reason"], reprompt["text"]) == (
        "not_in_menu", TEXTS.not_in_menu.format(codes="vijfenvijftig"))
    assert of(events, "answer")[-1]["value"] == ["F14"]


@pytest.mark.parametrize("reply", ["nee", "nee, niet twintig", "nee, geen oefeningen"])
def test_nee_without_a_new_choice_asks_the_choice_again(reply: str) -> None:
    events = choice_events(choosing(PROFILE_B, ["veertien en twintig", "zeventien"],
                                    [reply, "ja"]))
    flow = [e["event"] for e in events if e["event"] in ("ask", "confirm", "answer")]
    assert flow == ["ask", "confirm", "ask", "confirm", "answer"]
    assert of(events, "reprompt")[0]["reason"] == "not_confirmed"
    assert of(events, "answer")[-1]["value"] == ["F17"]


# --- the prompt's example is on the menu --------------------------------------------------------

@pytest.mark.parametrize("profile", ["A", "B", "C", "D"])
def test_the_prompts_example_is_on_every_profiles_menu(profile: str) -> None:
    p = PROTOCOL.profile(profile)
    example = choice_example(p.exercises)
    choice = parse_choice(example, VOCAB, NONE,
                          menu_names(PROTOCOL.library, p.exercises, VOCAB))
    expected = (p.exercises[0], next(c for c in p.exercises if c.rstrip("ab") != "F1"))
    assert p.exercises[0] == "F1" and choice is not None and choice.codes == expected
    # said back in the dialog itself, it is taken
    events = choose(PROTOCOL.library, p.exercises, [example, "ja"],
                    later=p.exercises_if_insufficient)
    [ask] = of(events, "ask")
    assert ask["text"] == TEXTS.question.format(example=example)
    assert f"bijvoorbeeld: {example}." in ask["text"]
    assert not of(events, "reprompt")
    assert of(events, "answer")[-1]["value"] == list(expected)


def test_profile_a_is_no_longer_offered_an_exercise_outside_its_menu() -> None:
    events = run_consultation(intake(PROFILE_A, {QUESTION: "stop"}, strict=True))
    ask = next(e for e in of(events, "ask") if e["question"] == QUESTION)
    assert "vijfenvijftig" not in ask["text"]
    assert ask["text"] == ("Welke oefeningen kiest u? Noem de nummers, bijvoorbeeld: één en "
                           "veertien. Of zeg: geen.")


def library_data() -> dict[str, Any]:
    text = resources.files("assistant.protocol").joinpath("exercises.toml").read_text("utf-8")
    return tomllib.loads(text)


@pytest.mark.parametrize(("key", "text"), [
    ("question", "Welke oefeningen kiest u? Bijvoorbeeld veertien."),
    ("question", "Welke oefeningen kiest u? Bijvoorbeeld {voorbeeld}."),
    ("ambiguous", "Die naam past bij meer dan één oefening."),
])
def test_the_choice_texts_placeholders_are_checked_at_load(key: str, text: str) -> None:
    data = library_data()
    data["choice"][key] = text
    with pytest.raises(ProtocolError, match=f"choice.{key}: placeholders"):
        parse_library(data)
