"""The Dutch answer parser, utterance by utterance: yes/no, choices, durations, commands, nonsense.

Every row of the table (tests/intent_tables.py) is one utterance as a user might type it or a
recogniser might write it, and the one result the parser must give. Vague answers must give
None: the parser never guesses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.dialog.intents import (
    Between,
    Command,
    Doubt,
    Unclear,
    Understood,
    interpret,
    parse_command,
    parse_yes_no,
)
from assistant.dialog.spoken import spoken_number
from assistant.protocol import load_protocol
from tests.intent_tables import (
    ABSENCE,
    DAY,
    IMPACT,
    MONTH,
    ONSET,
    SIX_WEEKS,
    TABLE,
    TODAY,
    TUMOUR,
    WEEK,
    YEAR,
    YES_NO,
    parse_duration,
)

P = load_protocol()
V = P.vocabulary


def test_table_is_large_and_ids_unique() -> None:
    assert len(TABLE) >= 170
    ids = [p.id for p in TABLE]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize(("question_id", "text", "expected", "over_six"), TABLE)
def test_utterance(question_id: str, text: str, expected: Any, over_six: bool | None) -> None:
    result = interpret(text, P.question(question_id), V, TODAY)
    if expected is None:  # asked again: not understood, doubt, between two choices, unclear
        assert not isinstance(result, Understood | Command), result
    elif isinstance(expected, Command):
        assert result == expected
    else:
        assert isinstance(result, Understood), result
        value = result.value
        if isinstance(expected, bool):
            assert value is expected
        elif isinstance(expected, str):
            assert value == expected
        else:
            assert isinstance(value, float) and not isinstance(value, bool), value
            assert value == pytest.approx(expected)
            if over_six is True:
                assert value > SIX_WEEKS
            elif over_six is False:
                assert value <= SIX_WEEKS


# ---------------------------------------------------------------------------------------------
# The parts on their own
# ---------------------------------------------------------------------------------------------


def test_forty_two_days_is_exactly_six_weeks() -> None:
    assert parse_duration("42 dagen", P.question(ONSET), V) == 6.0


def test_parts_return_none_outside_their_kind() -> None:
    assert parse_command("ja", V) is None
    assert parse_command("drie weken", V) is None
    assert parse_yes_no("herhaal", V) is None
    assert parse_yes_no("fors", V) is None
    assert interpret("ja", P.question(IMPACT), V) is None
    assert parse_duration("ja", P.question(ONSET), V) is None
    assert parse_duration("geen", P.question(ONSET), V) is None
    assert parse_duration("geen", P.question(ABSENCE), V) == 0.0


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

# The speaker's number words (assistant.dialog.spoken) against the parser's (numbers.py): two
# separate implementations that must agree on 0..99.
dutch_number = spoken_number


def test_dutch_number_builder_itself() -> None:
    assert dutch_number(0) == "nul" and dutch_number(1) == "één"
    assert dutch_number(13) == "dertien"
    assert dutch_number(21) == "eenentwintig"
    assert dutch_number(22) == "tweeëntwintig"
    assert dutch_number(33) == "drieëndertig"
    assert dutch_number(55) == "vijfenvijftig"
    assert dutch_number(90) == "negentig"
    assert dutch_number(99) == "negenennegentig"


def test_every_number_word_0_to_99_in_weeks() -> None:
    question = P.question(ONSET)
    for n in range(100):
        result = interpret(f"{dutch_number(n)} weken", question, V)
        assert result == Understood(float(n)), (n, dutch_number(n), result)


@given(st.integers(min_value=0, max_value=99))
def test_number_word_weeks_property(n: int) -> None:
    result = interpret(f"{dutch_number(n)} weken", P.question(ONSET), V)
    assert isinstance(result, Understood)
    assert result.value == pytest.approx(float(n))


@given(st.integers(min_value=0, max_value=99), st.sampled_from(["weken", "dagen"]))
def test_digits_with_unit_property(n: int, unit: str) -> None:
    result = interpret(f"{n} {unit}", P.question(ONSET), V)
    assert isinstance(result, Understood)
    assert result.value == pytest.approx(n if unit == "weken" else n / WEEK)


QUESTIONS = st.sampled_from([YES_NO, TUMOUR, IMPACT, ONSET, ABSENCE])
LETTERS_AND_SPACES = st.text(
    alphabet=st.one_of(st.characters(categories=["L"]), st.just(" ")), max_size=60,
)


@given(LETTERS_AND_SPACES, QUESTIONS)
def test_random_letters_never_raise(text: str, question_id: str) -> None:
    result = interpret(text, P.question(question_id), V)
    assert result is None or isinstance(result, Command | Understood | Doubt | Between | Unclear)


@given(st.text(max_size=60), QUESTIONS)
def test_any_text_never_raises(text: str, question_id: str) -> None:
    result = interpret(text, P.question(question_id), V)
    assert result is None or isinstance(result, Command | Understood | Doubt | Between | Unclear)


# Fillers chosen here, spelled as they are typed; decorations that must not change the meaning.
TEST_FILLERS = ["", "eh ", "ehm, ", "uhm... ", "nou, "]
decorate = st.tuples(
    st.sampled_from(TEST_FILLERS),
    st.sampled_from([str.lower, str.upper, str.capitalize]),
    st.sampled_from(["", ".", "!", "?", "...", " "]),
)


@settings(max_examples=200)
@given(st.sampled_from(sorted(V.yes)), st.sampled_from([YES_NO, TUMOUR]), decorate)
def test_every_yes_phrase_is_true(phrase: str, question_id: str, deco: Any) -> None:
    filler, case, end = deco
    result = interpret(f"{filler}{case(phrase)}{end}", P.question(question_id), V)
    assert result == Understood(True)


@settings(max_examples=200)
@given(st.sampled_from(sorted(V.no)), st.sampled_from([YES_NO, TUMOUR]), decorate)
def test_every_no_phrase_is_false(phrase: str, question_id: str, deco: Any) -> None:
    filler, case, end = deco
    result = interpret(f"{filler}{case(phrase)}{end}", P.question(question_id), V)
    assert result == Understood(False)


def test_every_yes_and_no_phrase_plain() -> None:
    question = P.question(YES_NO)
    for phrase in V.yes:
        assert interpret(phrase, question, V) == Understood(True), phrase
    for phrase in V.no:
        assert interpret(phrase, question, V) == Understood(False), phrase


def test_every_choice_phrase() -> None:
    question = P.question(IMPACT)
    for value, phrases in question.choices:
        for phrase in phrases:
            assert interpret(phrase, question, V) == Understood(value), phrase


@given(
    st.sampled_from([(name, phrase) for name, phrases in V.commands for phrase in phrases]),
    QUESTIONS,
)
def test_every_command_phrase_on_every_question(command: tuple[str, str],
                                                question_id: str) -> None:
    name, phrase = command
    assert interpret(phrase, P.question(question_id), V) == Command(name)


@pytest.mark.parametrize("text", ["twee weken twee weken", "drie weken, twee maanden",
                                  "tien dagen drie dagen", "2020"])
def test_a_repeat_or_a_bare_year_is_asked_again_never_added(text: str) -> None:
    """'twee weken twee weken' was read as 4 weeks, '2019' as 2019 weeks."""
    assert isinstance(interpret(text, P.question(ONSET), V, TODAY), Unclear)


@pytest.mark.parametrize(("text", "weeks"), [("een week en twee dagen", 9 / 7),
                                             ("twee maanden en drie weken", None),
                                             ("anderhalve maand", None)])
def test_a_compound_going_down_in_unit_still_adds(text: str, weeks: float | None) -> None:
    value = parse_duration(text, P.question("weeks_since_onset"), P.vocabulary)
    assert value is not None and (weeks is None or value == pytest.approx(weeks))


# ---------------------------------------------------------------------------------------------
# Answers with their explanation, doubt, between-choices, corrections and calendar answers
# (issue 12; DESIGN.md "Understanding answers as therapists give them")
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("question_id", "text", "value", "note"), [
    ("improving", "ja, het gaat steeds beter", True, "het gaat steeds beter"),
    ("recurrent", "nee, eerste keer", False, "eerste keer"),
    ("trauma_related", "Ja, een kop-staartbotsing.", True, "een kop-staartbotsing"),
    ("rf_spinal_cord_bilateral", "nee, alleen rechts", False, "alleen rechts"),
    ("work_related", "ja, veel beeldschermwerk", True, "veel beeldschermwerk"),
    ("improving", "ja duidelijk", True, "duidelijk"),
    ("improving", "nee, niet echt", False, ""),
    ("improving", "j", True, ""),
    ("improving", "n", False, ""),
    ("improving", "jaa", True, ""),
    ("improving", "neee", False, ""),
    ("improving", "eh, ja hoor. Sinds vorige week", True, "Sinds vorige week"),
    ("adl_impact", "fors, kan niet meer fietsen", "severe", "kan niet meer fietsen"),
    ("adl_impact", "eerder een beetje", "mild", ""),
    ("arm_side", "links, vooral de duim", "left", "vooral de duim"),
    # the note keeps what the answer's own words say ('geen', 'nooit'), never the opposite
    ("rf_infection", "nee, geen koorts", False, "geen koorts"),
    ("rf_infection", "nee hoor, geen koorts", False, "geen koorts"),
    ("rf_tumour_history", "Nee, nooit kanker gehad.", False, "nooit kanker gehad"),
    ("rf_dislocation", "nee, kan het hoofd wel dragen", False, "kan het hoofd wel dragen"),
    ("improving", "ja hoor, een kop-staart", True, "een kop-staart"),
    ("work_absence_weeks", "geen, hij werkt gewoon", 0.0, "hij werkt gewoon"),
    ("work_absence_weeks", "n", 0.0, ""),
    ("adl_impact", "behoorlijk", "severe", ""),
    ("adl_impact", "valt wel mee", "mild", ""),
    ("adl_impact", "ja, een beetje", "mild", ""),
    ("improving", "nee,eerste keer", False, "eerste keer"),
    ("rf_infection", "ja,38.5 graden", True, "38.5 graden"),
    ("improving", "Ja. Het gaat beter.", True, "Het gaat beter"),
    ("improving", "ja, klopt", True, ""),
    ("improving", "ja graag, nu meteen", True, "nu meteen"),
    ("improving", "nee \x1b[31mrood\x00", False, "[31mrood"),  # no ESC or NUL in a report
    ("rf_infection", "nee, nagevraagd, niks bijzonders", False, "nagevraagd, niks bijzonders"),
    ("rf_infection", "geen koorts", False, "geen koorts"),  # never 'koorts' alone
    ("work_absence_weeks", "niet ziekgemeld", 0.0, "niet ziekgemeld"),
    ("work_absence_weeks", "n.v.t.", 0.0, ""),
    # issue 21: a negation or a symptom word in the story; "zo'n" is no 'n(ee)
    ("fracture_ruled_out", "ja, CT-scan, geen breuk", True, "CT-scan, geen breuk"),
    ("rf_vascular_brainstem", "ja, praat onduidelijk", True, "praat onduidelijk"),
    ("cs_vehicle", "ja zo'n 110 per uur", True, "zo'n 110 per uur"),
    ("cs_vehicle", "nee, zo'n 110 per uur", False, "zo'n 110 per uur"),
])
def test_a_clear_answer_with_its_explanation(question_id: str, text: str, value: Any,
                                            note: str) -> None:
    assert interpret(text, P.question(question_id), V, TODAY) == Understood(value, note)


@pytest.mark.parametrize(("question_id", "text", "expected"), [
    ("improving", "ja, nee", Unclear("contradiction")),
    ("improving", "nee hoor, toch wel", Unclear("contradiction")),
    ("improving", "ja, maar niet altijd", Unclear("contradiction")),
    ("adl_impact", "een beetje, fors", Unclear("contradiction")),
    ("arm_side", "links rechts", Unclear("contradiction")),
    ("improving", "weet ik niet", Doubt()),
    ("rf_tumour_history", "niet getest", Doubt()),
    ("rf_tumour_history", "misschien", Doubt()),
    ("rf_tumour_history", "ik denk het niet", Doubt()),
    ("rf_tumour_history", "nee, ik denk het niet", Doubt()),
    ("rf_tumour_history", "ja, denk ik", Doubt()),
    ("rf_tumour_history", "volgens mij niet", Doubt()),
    # not checked yet is never a "nee" (a physiotherapist's trial)
    ("rf_spinal_cord_hoffmann", "niet gedaan", Doubt()),
    ("rf_spinal_cord_hoffmann", "nee, niet naar gekeken", Doubt()),
    ("rf_spinal_cord_hoffmann", "nee, nog niet gekeken", Doubt()),
    ("rf_spinal_cord_lhermitte", "nee, moet ik nog doen", Doubt()),
    ("rf_infection", "nee, vergeten te vragen", Doubt()),
    ("rf_infection", "niet dat ik weet", Doubt()),
    ("rf_infection", "nee, voor zover ik weet", Doubt()),
    ("recurrent", "nee, wel eens", Unclear("contradiction")),
    ("recurrent", "nee, af en toe", Unclear("contradiction")),
    ("rf_infection", "nee, eerst wel", Unclear("contradiction")),
    ("rf_infection", "n, j", Unclear("contradiction")),
    ("rf_infection", "nee, niet uitgesloten", Doubt()),
    ("rf_infection", "temperatuur niet opgenomen", Doubt()),
    ("rf_infection", "nog niet aan toegekomen", Doubt()),
    ("rf_infection", "nee, ik vermoed van niet", Doubt()),
    ("rf_infection", "lijkt me niet", Doubt()),
    ("rf_infection", "n.t.b.", Doubt()),
    ("weeks_since_onset", "sinds '25", Unclear("year")),
    ("weeks_since_onset", "sinds 19", Unclear("year")),
    ("work_absence_weeks", "nee, wel minder uren", None),
    ("work_absence_weeks", "geen verzuim, wel aangepast werk", None),
    ("adl_impact", "fors minder", Unclear("contradiction")),
    ("adl_impact", "geen, alleen bij sporten", Unclear("contradiction")),
    # the physiotherapist's review: 'nee' then words that say it weighs is no 'geen'
    ("adl_impact", "nee, eigenlijk steeds erger", Unclear("contradiction")),
    ("adl_impact", "geen, maar het wordt slechter", Unclear("contradiction")),
    ("adl_impact", "nee, het neemt toe", Unclear("contradiction")),
    ("adl_impact", "nee, het verergert", Unclear("contradiction")),
    ("adl_impact", "nee, steeds heftiger", Unclear("contradiction")),
    ("adl_impact", "nee, steeds meer last", Unclear("contradiction")),
    ("adl_impact", "nee, het wordt steeds lastiger", Unclear("contradiction")),
    ("improving", "nee, wel wat minder", Unclear("contradiction")),
    ("rf_vascular_dizziness", "nee, wel wat duizelig", Unclear("contradiction")),
    # found by trying to break it: hedges, shorthand that is none, clauses, repeats, signs
    ("rf_infection", "nee niet gecontroleerd", Doubt()),
    ("rf_infection", "geen flauw idee", Doubt()),
    ("rf_infection", "nee, weet ik eigenlijk niet", Doubt()),
    ("rf_infection", "nee, ik geloof niet", Doubt()),
    ("improving", "ja, denk het", Doubt()),
    ("neuro_sensory", "'n beetje", None),
    ("rf_infection", "N.B. koorts gehad", None),
    ("rf_infection", "n.v.t.", None),
    ("adl_impact", "'n hoop", None),
    ("rf_tumour_weight_night", "Zeker, niet alleen 's nachts", Unclear("contradiction")),
    ("rf_tumour_weight_night", "Klopt. Niet bij inspanning.", Unclear("contradiction")),
    ("arm_side", "links, en rechts niet", Unclear("contradiction")),
    ("arm_side", "links niet", Unclear("contradiction")),
    ("arm_side", "beide niet", Unclear("contradiction")),
    ("adl_impact", "niet niks", None),
    ("adl_impact", "niet gering", None),
    ("weeks_since_onset", "een week, zeven dagen", Unclear("two_amounts")),
    ("weeks_since_onset", "een jaar, 12 maanden", Unclear("two_amounts")),
    ("weeks_since_onset", "twee maanden, negen weken", Unclear("two_amounts")),
    ("weeks_since_onset", "sinds 1899", Unclear("year")),
    ("weeks_since_onset", "1899", Unclear("year")),
    ("weeks_since_onset", "sinds 2200", Unclear("year")),
    ("weeks_since_onset", "over een week", None),
    ("work_absence_weeks", "nee, hij werkt gewoon de hele dag", None),
    ("work_absence_weeks", "nee, werkt halve dagen", None),
    ("weeks_since_onset", "de hele dag", None),
    ("weeks_since_onset", "sinds september, drie weken", None),
    ("adl_impact", "weet ik niet", Doubt()),
    ("weeks_since_onset", "weet ik niet precies", Doubt()),
    ("adl_impact", "matig", Between()),
    ("adl_impact", "gemiddeld", Between()),
    ("adl_impact", "redelijk veel", Between()),
    ("weeks_since_onset", "twee à drie weken", Unclear("range")),
    ("weeks_since_onset", "2-3 weken", Unclear("range")),
    ("weeks_since_onset", "tussen vijf en zeven weken", Unclear("range")),
    ("weeks_since_onset", "drie of vier weken", Unclear("range")),
    ("weeks_since_onset", "twee weken twee weken", Unclear("two_amounts")),
    ("weeks_since_onset", "drie weken, twee maanden", Unclear("two_amounts")),
    ("weeks_since_onset", "2019", Unclear("year")),
    ("weeks_since_onset", "60 jaar", Unclear("implausible")),
    ("weeks_since_onset", "2.000.000 dagen", Unclear("implausible")),
    ("weeks_since_onset", "half", None),
    ("weeks_since_onset", "elke twee weken", None),
    ("weeks_since_onset", "twee keer", None),
    ("weeks_since_onset", "een paar weken", None),
    # issue 21: a check not done is doubt after any opening; a no after the yes contradicts;
    # a symptom word alone is doubt; a quote mark is no unit
    ("rf_vascular_horner", "nee, pupillen niet vergeleken", Doubt()),
    ("rf_tumour_history", "nooit getest", Doubt()),
    ("improving", "ja, eigenlijk niet", Unclear("contradiction")),
    ("improving", "ja... nee toch niet", Unclear("contradiction")),
    ("rf_vascular_brainstem", "nee, onduidelijk", Doubt()),
    ("weeks_since_onset", "2'", None),
    ("weeks_since_onset", '1"', None),
])
def test_what_is_asked_again_and_why(question_id: str, text: str, expected: Any) -> None:
    assert interpret(text, P.question(question_id), V, TODAY) == expected


@pytest.mark.parametrize(("text", "weeks", "since"), [
    ("vijf weken, eh, drie weken", 3.0, None),
    ("drie weken, nee, vier", 4.0, None),
    ("twee maanden, ik bedoel twee weken", 2.0, None),
    ("meer dan zes weken", 6 + 1 / 7, None),
    ("sinds september", 90 / 7, date(2026, 9, 1)),
    ("sinds 2019", (TODAY - date(2019, 1, 1)).days / 7, date(2019, 1, 1)),
    ("sinds de zomer", (TODAY - date(2026, 6, 21)).days / 7, date(2026, 6, 21)),
    ("sinds gisteren", 1 / 7, date(2026, 11, 29)),
    ("vorige week maandag", 1.0, date(2026, 11, 23)),
    ("sinds september, na de verhuizing", 90 / 7, date(2026, 9, 1)),
    ("sinds 16/11", 2.0, date(2026, 11, 16)),
    ("sinds 16-11", 2.0, date(2026, 11, 16)),
    ("sinds 3-9-2025", (TODAY - date(2025, 9, 3)).days / 7, date(2025, 9, 3)),
    (">6 weken", 6 + 1 / 7, None),
    ("6+ weken", 6 + 1 / 7, None),
    ("<6 weken", 6 - 1 / 7, None),
    ("krap 6 weken", 6 - 1 / 7, None),
    ("hooguit 6 weken", 6.0, None),
    ("sinds 16.11", 2.0, date(2026, 11, 16)),
])
def test_a_worked_out_duration_is_read_back(text: str, weeks: float,
                                            since: date | None) -> None:
    reading = interpret(text, P.question(ONSET), V, TODAY)
    assert isinstance(reading, Understood) and reading.read_back, reading
    assert reading.value == pytest.approx(weeks) and reading.since == since
    assert reading.note == text  # readable in the report exactly as given


@pytest.mark.parametrize(("question_id", "text", "value"), [
    ("adl_impact", "een beetje, eh nee, fors", "severe"),
    ("adl_impact", "fors, nee een beetje", "mild"),
    ("arm_side", "links, sorry, rechts", "right"),
    ("radicular_test", "positief, ik bedoel negatief", "negative"),
])
def test_a_corrected_choice_is_the_last_one_read_back(question_id: str, text: str,
                                                      value: str) -> None:
    assert interpret(text, P.question(question_id), V, TODAY) == Understood(value, text,
                                                                        read_back=True)


@pytest.mark.parametrize(("text", "weeks", "note"), [
    ("3 wk", 3.0, ""), ("drie wkn", 3.0, ""), ("2 mnd", 2 * MONTH / WEEK, ""),
    ("10 dgn", 10 / 7, ""), ("1 jr", YEAR / WEEK, ""), ("1.000 dagen", 1000 / 7, ""),
    ("0.500 weken", 0.5, ""),
    ("een week en twee dagen", 9 / 7, ""), ("anderhalve maand", 1.5 * MONTH / WEEK, ""),
    ("deze keer twee weken", 2.0, "deze keer twee weken"),
    ("sinds het ongeluk, tien weken geleden", 10.0, "sinds het ongeluk, tien weken geleden"),
])
def test_plain_durations_are_taken_without_read_back(text: str, weeks: float,
                                                     note: str) -> None:
    reading = interpret(text, P.question(ONSET), V, TODAY)
    assert isinstance(reading, Understood) and not reading.read_back, reading
    assert reading.value == pytest.approx(weeks) and reading.note == note


# Two amounts of which the second corrects the first, joined as people do it.
_JOINS = ["", ", ", ", eh, ", " nee ", ", ik bedoel ", " of nee ", " sorry ", " en "]
_AMOUNTS = st.tuples(st.integers(min_value=1, max_value=40),
                     st.sampled_from(["dagen", "weken", "maanden", "jaar"]))


@settings(max_examples=300)
@given(_AMOUNTS, _AMOUNTS, st.sampled_from(_JOINS))
def test_two_amounts_are_never_added_unless_a_compound(first: tuple[int, str],
                                                       second: tuple[int, str],
                                                       join: str) -> None:
    """No duration answer is read as the sum of two amounts of which one corrects the other:
    either the last amount (read back), or asked again; a sum only for a compound going down
    in unit without a correcting word ('twee maanden en drie weken')."""
    days = {"dagen": DAY, "weken": WEEK, "maanden": MONTH, "jaar": YEAR}
    text = f"{first[0]} {first[1]}{join}{second[0]} {second[1]}"
    reading = interpret(text, P.question(ONSET), V, TODAY)
    a, b = first[0] * days[first[1]] / WEEK, second[0] * days[second[1]] / WEEK
    if not isinstance(reading, Understood):
        return
    if join.strip(", ") in ("", "en") and days[second[1]] < days[first[1]]:
        assert reading.value == pytest.approx(a + b) and not reading.read_back
    else:
        assert reading.value == pytest.approx(b) and reading.read_back, (text, reading)
