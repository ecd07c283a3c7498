"""Understanding answers as therapists give them, third round (issue 21): doubt wherever a check
was not done, "zo'n" is no "nee", a "ja" with a negation in its story, symptom words after a
clear answer, the 0–10 score reader, and quote marks after a number."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.dialog.evaluation import run_evaluation
from assistant.dialog.events import SPOKEN, Confirm, Event
from assistant.dialog.intents import SYMPTOM_WORDS, interpret
from assistant.dialog.numbers import FRACTION_WORDS, MULTIPLIERS
from assistant.dialog.readings import Doubt, Intent, Unclear, Understood
from assistant.dialog.scores import SCALE, parse_score, read_score
from assistant.dialog.spoken import spoken_number
from assistant.dialog.words import clean, normal
from assistant.protocol import load_protocol
from assistant.text import printable
from bench.understanding import SCORE_QUESTIONS, expectation, load_scores, matches, misread, read
from tests.intake_script import Said, ScriptDriver, script

P = load_protocol()
V = P.vocabulary
TODAY = date(2026, 11, 30)
ONSET = "weeks_since_onset"


def said(question_id: str, text: str) -> Intent | None:
    return interpret(text, P.question(question_id), V, TODAY)


# --- 1. Not looked at, not checked, not compared, never asked: doubt --------------------------

NOT_CHECKED = [
    "nee, niet op gelet", "nee, nooit gecontroleerd", "nee, pupillen niet vergeleken",
    "nee, nooit naar gevraagd", "niet naar gevraagd", "nee, daar heb ik niet op gelet",
    "heb ik niet gevraagd", "nee nog niet onderzocht", "nee, niet beoordeeld",
    "nee, niet uitgevoerd", "nooit getest", "nee, niet gepalpeerd", "nee, nog niet geprobeerd",
    "ja, niet vergeleken", "nee hoor, daar heb ik nooit naar gekeken", "Nee. Niet gewogen.",
]


@pytest.mark.parametrize("question_id", ["rf_vascular_horner", "rf_infection", "improving"])
@pytest.mark.parametrize("text", NOT_CHECKED)
def test_a_check_not_done_is_doubt_whatever_comes_first(question_id: str, text: str) -> None:
    assert said(question_id, text) == Doubt()


@pytest.mark.parametrize(("text", "note"), [
    ("nee, nagevraagd, niks bijzonders", "nagevraagd, niks bijzonders"),
    ("nee, vergeleken, gelijk", "vergeleken, gelijk"),
    ("nee, op gelet, niks gezien", "op gelet, niks gezien"),
])
def test_a_check_that_was_done_keeps_its_nee(text: str, note: str) -> None:
    assert said("rf_infection", text) == Understood(False, note)


_NEGATIONS = ["niet", "nooit", "nog niet", "geen", "nog nooit"]
_OPENINGS = ["", "nee, ", "nee hoor, ", "ja, ", "Nee. ", "eh, nee, "]


@settings(max_examples=300)
@given(st.sampled_from(_OPENINGS), st.sampled_from(["", "daar heb ik ", "pupillen "]),
       st.sampled_from(_NEGATIONS), st.sampled_from(["", "op ", "naar "]),
       st.sampled_from(sorted(V.unchecked_words)))
def test_a_negation_before_any_word_of_checking_is_doubt(opening: str, subject: str,
                                                         negation: str, particle: str,
                                                         participle: str) -> None:
    text = f"{opening}{subject}{negation} {particle}{participle}"
    assert said("rf_vascular_horner", text) == Doubt(), text


@given(st.sampled_from(sorted(V.unchecked_words)))
def test_a_word_of_checking_without_a_negation_is_no_doubt(participle: str) -> None:
    text = f"nee, {participle}, niks bijzonders"
    assert said("rf_infection", text) == Understood(False, f"{participle}, niks bijzonders")


def test_the_words_of_checking_include_looking_comparing_judging_and_trying() -> None:
    assert {"gelet", "vergeleken", "beoordeeld", "uitgevoerd", "gepalpeerd",
            "geprobeerd"} <= V.unchecked_words


# --- 2. "zo'n", "m'n", "'n" are words, never a 'nee' ----------------------------------------------


@pytest.mark.parametrize(("text", "value", "note"), [
    ("nee, zo'n 110 per uur", False, "zo'n 110 per uur"),
    ("ja zo'n 110 per uur", True, "zo'n 110 per uur"),
    ("ja, zo’n 130 op de snelweg", True, "zo’n 130 op de snelweg"),
    ("Ja, z'n auto is over de kop gegaan", True, "z'n auto is over de kop gegaan"),
    ("ja, 'n frontale botsing", True, "'n frontale botsing"),
])
def test_zon_is_a_word_not_the_shorthand_for_nee(text: str, value: bool, note: str) -> None:
    assert said("cs_vehicle", text) == Understood(value, note)


@pytest.mark.parametrize(("text", "words"), [
    ("zo'n", "zon"), ("Zo’n 110", "zon 110"), ("m'n duim", "mn duim"), ("z'n", "zn"),
    ("'n beetje", "een beetje"), ("ja,'n beetje", "ja een beetje"), ("n", "n"),
    ("N.B.", "n b"), ("n.v.t.", "n v t"), ("nee", "nee"),
])
def test_normal_never_leaves_the_n_of_an_article(text: str, words: str) -> None:
    assert normal(text) == words


@pytest.mark.parametrize(("question_id", "text"), [
    ("neuro_sensory", "'n beetje"), ("adl_impact", "'n hoop"),
    ("rf_infection", "N.B. koorts gehad"), ("rf_infection", "n.v.t."),
])
def test_the_short_article_and_abbreviations_are_still_no_answer(question_id: str,
                                                                 text: str) -> None:
    assert not isinstance(said(question_id, text), Understood)


def test_op_zn_minst_is_a_bound_read_back() -> None:
    reading = said(ONSET, "op z'n minst zes weken")
    assert reading == Understood(6.0, "op z'n minst zes weken", read_back=True)


@given(st.sampled_from(["zo", "Zo", "m", "z"]), st.sampled_from(["'", "’", "‘", "`"]),
       st.sampled_from(["ja", "nee"]))
def test_no_clitic_makes_a_bare_n(word: str, mark: str, answer: str) -> None:
    text = f"{answer}, {word}{mark}n 110 per uur"
    assert "n" not in clean(text, V).split()
    reading = said("cs_vehicle", text)
    assert isinstance(reading, Understood) and reading.value is (answer == "ja")


# --- 3. A "ja" with a negation in its story is a "ja" with a note --------------------------------


@pytest.mark.parametrize(("question_id", "text", "note"), [
    ("fracture_ruled_out", "ja, CT-scan, geen breuk", "CT-scan, geen breuk"),
    ("rf_spinal_cord_gait_hands", "ja, knoopjes lukken niet meer", "knoopjes lukken niet meer"),
    ("fracture_ruled_out", "ja, foto gemaakt, niks gezien", "foto gemaakt, niks gezien"),
    ("rf_spinal_cord_gait_hands", "Ja. Kan de pen niet meer vasthouden.",
     "Kan de pen niet meer vasthouden"),
    ("fracture_ruled_out", "klopt, MRI, geen afwijkingen", "MRI, geen afwijkingen"),
])
def test_a_yes_with_a_negation_in_its_story(question_id: str, text: str, note: str) -> None:
    assert said(question_id, text) == Understood(True, note)


CONTRADICTIONS = ["ja, nee", "ja nee", "ja, maar niet altijd", "ja, eigenlijk niet",
                  "ja... nee toch niet", "ja, niet altijd", "ja, toch niet",
                  "ja, maar het is niet erg", "ja, geen idee eigenlijk", "ja, of nee",
                  "ja, CT-scan. Nee, geen breuk", "Zeker, niet alleen 's nachts", "ja geen",
                  # a when, where or which side, or a degree, negated: the "ja" is taken back
                  "ja, links niet", "ja, bij inspanning niet", "ja vroeger, nu niet meer",
                  "ja, 's nachts niet", "ja, het gaat niet beter", "ja, pijn is niet echt minder"]


@pytest.mark.parametrize("text", CONTRADICTIONS)
def test_a_no_after_the_yes_is_a_contradiction(text: str) -> None:
    assert said("fracture_ruled_out", text) in (Unclear("contradiction"), Doubt())


@settings(max_examples=200)
@given(st.sampled_from(["ja", "ja hoor", "klopt", "Ja"]),
       st.sampled_from(["", "maar ", "eigenlijk ", "toch ", "nou ", "maar eigenlijk "]),
       st.sampled_from(["nee", "niet", "geen", "nooit", "niks", "niet echt", "helemaal niet"]),
       st.sampled_from(["", " altijd", " hoor", " meer"]))
def test_a_no_right_after_the_yes_or_its_turn_is_always_a_contradiction(
        yes: str, turn: str, no: str, tail: str) -> None:
    assert said("improving", f"{yes}, {turn}{no}{tail}") == Unclear("contradiction")


@settings(max_examples=200)
@given(st.sampled_from(["CT-scan", "foto gemaakt", "knoopjes", "de pen", "lopen gaat slecht"]),
       st.sampled_from(["geen breuk", "lukken niet meer", "niks gezien",
                        "kan niet meer schrijven", "nooit eerder gehad"]))
def test_a_negation_later_in_the_story_is_a_note(story: str, negated: str) -> None:
    text = f"ja, {story}, {negated}"
    assert said("rf_spinal_cord_gait_hands", text) == Understood(True, f"{story}, {negated}")


# --- 4. A symptom word after a clear "ja" describes; alone it is doubt -------------------------


@pytest.mark.parametrize(("question_id", "text", "note"), [
    ("rf_vascular_brainstem", "ja, praat onduidelijk", "praat onduidelijk"),
    ("rf_vascular_brainstem", "ja, spraak is onduidelijk sinds gisteren",
     "spraak is onduidelijk sinds gisteren"),
    ("rf_vascular_brainstem", "ja praat onduidelijk", "praat onduidelijk"),
    ("rf_spinal_cord_gait_hands", "ja, loopt onzeker", "loopt onzeker"),
    ("rf_tumour_history", "ja, borstkanker, stadium onbekend", "borstkanker, stadium onbekend"),
])
def test_a_symptom_word_in_a_description_after_a_yes(question_id: str, text: str,
                                                    note: str) -> None:
    assert said(question_id, text) == Understood(True, note)


@pytest.mark.parametrize("text", [
    "onduidelijk", "nee, onduidelijk", "dat is onduidelijk", "ja, onduidelijk",
    "ja, dat is nog onduidelijk", "ja, CT-scan, onduidelijk", "onbekend", "ja, onbekend",
    "nee, onbekend", "onzeker", "ja, onzeker", "ja, twijfelachtig", "ja, praat twijfelachtig",
    "ja, praat onduidelijk, denk ik", "ja, weet niet of hij onduidelijk praat",
    "ja, misschien praat onduidelijk", "ja, spraak onduidelijk, geloof ik",
])
def test_a_symptom_word_as_the_answer_and_every_other_doubt_stays_doubt(text: str) -> None:
    assert said("rf_vascular_brainstem", text) == Doubt()


def test_the_symptom_words_are_doubt_phrases_of_the_vocabulary() -> None:
    assert V.doubt >= SYMPTOM_WORDS  # alone they are doubt; only a description frees them


def test_a_symptom_word_after_a_clear_choice_describes() -> None:
    assert said("arm_side", "links, loopt onzeker") == Understood("left", "loopt onzeker")
    assert said("arm_side", "links, onduidelijk") == Doubt()


# --- 5. The 0–10 score: one whole number, else asked again or read back ------------------------

NON_SCORES = [
    # fractions and the decimal comma
    "drie en een kwart", "twee derde", "vijf achtste", "drie kwart", "een kwart", "half",
    "de helft", "twee en een half", "zes en een halve", "zesenhalf", "zeseneenhalf", "6,5",
    "6.5", "zes komma vijf", "7,25",
    # numbers multiplied, big numbers
    "2 miljoen", "3 dozijn", "5 duizend", "zes honderd", "honderd", "1.000", "twee miljard",
    "elf", "twaalf", "20", "100",
    # percentages, ordinals
    "6 procent", "6%", "50 procent", "6 promille", "1e", "2de", "3ste", "tweede", "eerste",
    "de zesde", "achtste",
    # times of the day, durations, counts, measures
    "6 uur", "zes uur", "om zes uur", "half zes", "kwart over zes", "18:00", "6:30",
    "tien minuten", "5 min", "zes keer", "6x", "6 x per dag", "twee keer per week", "zes weken",
    "drie dagen", "tien jaar", "6 kilo", "38 graden", "6°", "6 euro", "€6", "nummer zes",
    # dates
    "6 mei", "zes januari", "16/11", "3-9-2025", "sinds maandag", "gisteren een acht",
    "vorige week zeven", "na zes weken", "over zes dagen",
    # bounds, ranges, two numbers, signs, quote marks
    "meer dan zes", "minder dan vier", "bijna zes", "hooguit zeven", "minstens vijf",
    "tussen vijf en zes", "vijf of zes", "5-6", "zes acht", "-1", ">6", "6+", '6"', "2'",
    "5’", "elk uur zes",
    # no number, or doubt
    "een beetje", "veel", "geen idee", "misschien zes", "ik denk zes", "zes, denk ik",
]


def taken_as_score(reading: Intent | None) -> bool:
    """The dialog would keep it as a score at once: a whole point of the scale, not read back."""
    return isinstance(reading, Understood) and not reading.read_back \
        and isinstance(reading.value, float) and reading.value in SCALE


def test_the_table_of_non_scores_is_large_and_distinct() -> None:
    assert len(NON_SCORES) >= 60 and len(set(NON_SCORES)) == len(NON_SCORES)


@pytest.mark.parametrize("text", NON_SCORES)
def test_no_non_score_is_taken_as_a_score(text: str) -> None:
    reading = read_score(text, V)
    assert not taken_as_score(reading), reading
    assert not isinstance(reading, Understood) or reading.value not in SCALE  # not even read back
    assert parse_score(text, V) is None


@pytest.mark.parametrize(("text", "reason"), [
    ("drie en een kwart", "whole_number"), ("twee derde", "whole_number"),
    ("vijf achtste", "whole_number"), ("drie kwart", "whole_number"),
    ("zesenhalf", "whole_number"), ("6,5", "whole_number"), ("zes komma vijf", "whole_number"),
    ("2 miljoen", "out_of_range"), ("3 dozijn", "out_of_range"), ("5 duizend", "out_of_range"),
    ("zes honderd", "out_of_range"), ("1.000", "out_of_range"),
])
def test_a_fraction_or_a_multiplied_number_says_why(text: str, reason: str) -> None:
    assert read_score(text, V) == Unclear(reason)


@pytest.mark.parametrize("text", ["6 procent", "1e", "tweede", "6 uur", "zes keer",
                                  "tien minuten", "zes weken", "6 mei", "om zes uur", "6%"])
def test_an_ordinal_a_time_or_a_count_of_something_else_is_no_score(text: str) -> None:
    assert read_score(text, V) is None


@pytest.mark.parametrize(("text", "value", "note"), [
    ("6", 6, ""), ("zes", 6, ""), ("een zes", 6, ""), ("zes op tien", 6, ""), ("6/10", 6, ""),
    ("zes, vooral 's avonds", 6, "vooral 's avonds"), ("Een 7.", 7, ""), ("nul", 0, ""),
    ("tien", 10, ""), ("een", 1, ""), ("acht punten", 8, ""), ("zes hoor", 6, ""),
])
def test_a_plain_score_is_taken_as_it_is(text: str, value: int, note: str) -> None:
    assert read_score(text, V) == Understood(float(value), note)


@pytest.mark.parametrize(("text", "value"), [
    ("ik zou zeggen een zes", 6), ("de pijn is zo'n zes", 6), ("ongeveer zeven", 7),
    ("zo'n vier", 4), ("de pijn is een 5", 5), ("zes vooral 's avonds", 6),
    ("nou, zes vooral 's avonds, na het werk", 6), ("score: 3", 3),
])
def test_a_score_taken_from_a_longer_phrase_is_read_back(text: str, value: int) -> None:
    assert read_score(text, V) == Understood(float(value), text, read_back=True)
    assert parse_score(text, V) == value  # the number itself; the dialog reads it back


def _measure(answers: dict[str, Said], confirms: dict[str, Said] | None = None,
             ) -> tuple[Any, list[Event]]:
    """The measurements of profile B answered by question id (nprs, psk1 … psk3)."""
    events: list[Event] = []
    driver = ScriptDriver(script(answers, confirms=confirms, strict=True), P)

    def emit(event: Event) -> None:
        events.append(event)
        driver(event)

    evaluation = run_evaluation(driver, emit, "B")
    driver.check()
    return evaluation, events


def test_the_measurement_reads_a_score_from_a_longer_phrase_back() -> None:
    evaluation, events = _measure({"nprs": "ik zou zeggen een zes", "psk1": "vijf", "psk2": "4",
                                   "psk3": "drie"})
    assert evaluation is not None and evaluation.nprs == 6
    [confirm] = [e for e in events if isinstance(e, Confirm)]
    assert (confirm.question, confirm.value, confirm.text) == (
        "nprs", 6, P.dialog.intake.confirm_inferred.format(value=6))
    answers = [e.to_json() for e in events if e.to_json()["event"] == "answer"]
    assert (answers[0]["value"], answers[0]["note"]) == (6, "ik zou zeggen een zes")


def test_a_score_read_back_and_denied_is_asked_again() -> None:
    evaluation, events = _measure({"nprs": ["de pijn is zo'n zes", "zeven"], "psk1": "vijf",
                                   "psk2": "4", "psk3": "drie"}, confirms={"nprs": ["nee"]})
    assert evaluation is not None and evaluation.nprs == 7
    asked = [e.to_json()["question"] for e in events if e.to_json()["event"] == "ask"]
    assert asked[:2] == ["nprs", "nprs"]
    assert any(e.to_json().get("reason") == "not_confirmed" for e in events)


def test_a_plain_score_is_not_read_back() -> None:
    evaluation, events = _measure({"nprs": "zes", "psk1": "een 5",
                                   "psk2": "4, na het werk erger", "psk3": "drie"})
    assert evaluation is not None and (evaluation.nprs, evaluation.psk) == (6, (5, 4, 3))
    assert not [e for e in events if isinstance(e, Confirm)]
    assert [e.text for e in events if isinstance(e, SPOKEN)][1].startswith("PSK")


@given(st.integers(min_value=0, max_value=10), st.sampled_from(["", "een "]),
       st.sampled_from(["", " op tien", " punten", ", vooral 's avonds"]))
def test_every_plain_score_0_to_10(n: int, article: str, after: str) -> None:
    for number in (str(n), spoken_number(n)):
        reading = read_score(f"{article}{number}{after}", V)
        assert isinstance(reading, Understood) and reading.value == n and not reading.read_back


_NOT_A_COUNT = sorted(FRACTION_WORDS | MULTIPLIERS | {"uur", "keer", "minuten", "procent",
                                                      "weken", "dagen", "mei", "tweede"})


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10), st.booleans(), st.sampled_from(_NOT_A_COUNT),
       st.sampled_from(["", "ik zou zeggen ", "de pijn is ", "ongeveer "]))
def test_a_number_with_a_fraction_multiplier_or_unit_is_never_a_score(
        n: int, spoken: bool, word: str, lead: str) -> None:
    number = spoken_number(n) if spoken else str(n)
    reading = read_score(f"{lead}{number} {word}", V)
    assert not isinstance(reading, Understood), (number, word, reading)


@given(st.text(max_size=60))
def test_any_text_as_a_score_never_raises_and_a_read_back_keeps_the_words(text: str) -> None:
    reading = read_score(text, V)
    assert reading is None or isinstance(reading, Understood | Doubt | Unclear)
    if isinstance(reading, Understood) and reading.read_back:
        assert reading.note == printable(text.strip())  # as given, without control codes


# --- 6. Quote marks after a number are no unit -------------------------------------------------


@pytest.mark.parametrize("text", ['1"', "2'", "3''", "4”", "5’", "6 ′", "2″", "6%", "3°"])
@pytest.mark.parametrize("question_id", [ONSET, "work_absence_weeks"])
def test_a_quote_mark_after_a_number_is_asked_again(question_id: str, text: str) -> None:
    assert said(question_id, text) is None


@given(st.integers(min_value=0, max_value=999),
       st.sampled_from(['"', "'", "''", "”", "’", "‘", "″", "′", "`", "´"]),
       st.sampled_from(["", " weken"]))
def test_no_number_with_a_quote_mark_is_a_duration_or_a_score(n: int, mark: str,
                                                              unit: str) -> None:
    text = f"{n}{mark}{unit}"
    assert not isinstance(said(ONSET, text), Understood)
    assert not isinstance(read_score(text, V), Understood)


@pytest.mark.parametrize(("text", "weeks"), [
    ("3 weken, 's nachts erger", 3.0), ("zo'n drie weken", 3.0), ("sinds '25", None)])
def test_an_apostrophe_that_is_no_sign_after_a_number_still_reads(text: str,
                                                                  weeks: float | None) -> None:
    reading = said(ONSET, text)
    if weeks is None:
        assert reading == Unclear("year")
    else:
        assert isinstance(reading, Understood) and reading.value == pytest.approx(weeks)


# --- 7. The benchmark corpus's score rows -------------------------------------------------------


def test_the_corpus_has_score_rows_of_every_kind() -> None:
    rows = load_scores()
    assert len(rows) >= 30 and {r.question for r in rows} <= SCORE_QUESTIONS
    expected = {r.expected.split(":")[0] for r in rows}
    assert {"score", "readback", "ask", "none", "doubt"} <= expected


@pytest.mark.parametrize("case", load_scores(), ids=lambda c: f"{c.line}:{c.utterance}")
def test_corpus_score_row_reads_as_expected(case: Any) -> None:
    got, want = read(case.utterance, case.question, P), expectation(case)
    assert not misread(got, want) and matches(got, want), got
