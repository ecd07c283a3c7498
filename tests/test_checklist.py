"""Checklists (issue 25): a screening section asked as one question. How an answer to one is
read (unit and property tests), and, over whole intakes in every path, that every red-flag sign
and precaution is still presented (read out in a checklist, or asked on its own) and that the
findings give every red-flag category and precaution a value (yes, no or not known)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.dialog.checklist import (
    Named,
    NoneOfThem,
    OneByOne,
    Which,
    checked_value,
    checklist_of,
    read_checklist,
)
from assistant.dialog.consultation import Consultation, DialogConfig
from assistant.dialog.readings import Doubt
from assistant.protocol.findings import LIST_FINDINGS, UNKNOWN, Findings
from assistant.protocol.rules import skipped
from assistant.speech.interfaces import Utterance
from tests.harness import PROTOCOL, collect

VOCAB = PROTOCOL.vocabulary
ADULT = Findings(age_years=47)
RED_FLAGS = checklist_of(PROTOCOL.section("red_flags"),
                         [q for q in PROTOCOL.section_questions("red_flags")
                          if not skipped(q, ADULT)])
PRECAUTIONS = checklist_of(PROTOCOL.section("precautions"),
                           PROTOCOL.section_questions("precautions"))
EXAMINATION = checklist_of(PROTOCOL.section("examination"),
                           PROTOCOL.section_questions("examination"))
SIGN = {q.id: i for i, q in enumerate(RED_FLAGS.signs, 1)}  # id → its number in the list


@pytest.mark.parametrize("said", ["geen", "nee", "Geen van alle.", "nee, geen van deze",
                                  "allemaal niet", "geen enkele"])
def test_none_of_them(said: str) -> None:
    assert read_checklist(said, RED_FLAGS, VOCAB) == NoneOfThem()


@pytest.mark.parametrize("said, ids", [
    ("7", ("rf_infection",)),
    ("drie en zeven", ("rf_spinal_cord_gait_hands", "rf_infection")),
    ("7, 3", ("rf_spinal_cord_gait_hands", "rf_infection")),  # in the list's order
    ("koorts", ("rf_infection",)),
    ("alleen koorts", ("rf_infection",)),
    ("koorts en dubbelzien", ("rf_infection", "rf_vascular_brainstem")),
    ("een nieuwe hoofdpijn", ("rf_vascular_headache",)),
])
def test_signs_named_by_number_or_name(said: str, ids: tuple[str, ...]) -> None:
    reading = read_checklist(said, RED_FLAGS, VOCAB)
    assert isinstance(reading, Named) and reading.ids == ids


@pytest.mark.parametrize("said", ["nee, geen koorts", "geen koorts", "geen Horner"])
def test_a_sign_denied_by_name_says_nothing_of_the_others_so_is_asked_again(said: str) -> None:
    """'geen koorts' is no "none of them": the other signs were not answered."""
    assert read_checklist(said, RED_FLAGS, VOCAB) is None
    assert read_checklist(said, EXAMINATION, VOCAB) is None


def test_a_denied_sign_beside_a_named_one_is_not_named() -> None:
    reading = read_checklist("geen koorts, wel dubbelzien", RED_FLAGS, VOCAB)
    assert isinstance(reading, Named) and reading.ids == ("rf_vascular_brainstem",)


@pytest.mark.parametrize("said, reading", [
    ("ja", Which()), ("weet ik niet", Doubt()), ("misschien", Doubt()),
    ("een voor een", OneByOne()), ("koorts, maar dat weet ik niet zeker", Doubt()),
])
def test_yes_doubt_and_one_by_one(said: str, reading: object) -> None:
    assert read_checklist(said, RED_FLAGS, VOCAB) == reading


@pytest.mark.parametrize("said, ids", [
    ("acht, borstkanker tien jaar geleden", ("rf_tumour_history",)),
    ("14, pijn past niet bij bewegen", ("rf_unrecognised",)),
    ("drie en zeven, sinds gisteren", ("rf_spinal_cord_gait_hands", "rf_infection")),
])
def test_numbers_with_words_beside_them_keep_the_words(said: str, ids: tuple[str, ...]) -> None:
    """The words beside the numbers go with the answer, read back and into the letter."""
    assert read_checklist(said, RED_FLAGS, VOCAB) == Named(ids, said)


def test_een_before_a_name_is_an_article_not_number_one() -> None:
    reading = read_checklist("een nieuwe hoofdpijn", RED_FLAGS, VOCAB)
    assert isinstance(reading, Named) and reading.ids == ("rf_vascular_headache",)


@pytest.mark.parametrize("said", ["", "99", "0", "vijftien en drie", "de kat", "blauw",
                                  "drie en dertig"])
def test_what_names_no_sign_is_not_understood(said: str) -> None:
    assert read_checklist(said, RED_FLAGS, VOCAB) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_read_without_error_and_never_named_beyond_the_list(text: str) -> None:
    reading = read_checklist(text, RED_FLAGS, VOCAB)
    if isinstance(reading, Named):
        assert reading.ids and set(reading.ids) <= {q.id for q in RED_FLAGS.signs}


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(1, len(RED_FLAGS.signs)), min_size=1))
def test_numbers_said_name_exactly_those_signs(numbers: set[int]) -> None:
    said = " en ".join(str(n) for n in sorted(numbers, reverse=True))
    reading = read_checklist(said, RED_FLAGS, VOCAB)
    assert isinstance(reading, Named)
    assert reading.ids == tuple(RED_FLAGS.signs[n - 1].id for n in sorted(numbers))


def test_a_typed_value_must_give_every_sign_and_only_yes_no_unknown() -> None:
    value = {q.id: False for q in PRECAUTIONS.signs}
    assert checked_value(PRECAUTIONS, value) == value
    for bad in ({**value, "extra": False}, {k: v for k, v in list(value.items())[1:]},
                {**value, "pr_osteoporosis": 1}, {**value, "pr_osteoporosis": "ja"}, ["x"]):
        with pytest.raises(ValueError):
            checked_value(PRECAUTIONS, bad)
    assert checked_value(PRECAUTIONS, {**value, "pr_osteoporosis": UNKNOWN})[
        "pr_osteoporosis"] == UNKNOWN


# --- every path: every sign presented, every category given a value ----------------------------

COMPLAINT = {"age_years": ["47", "72", "16", "weet ik niet"],
             "weeks_since_onset": ["twee weken", "drie maanden"],
             "trauma_related": ["nee", "ja"], "trauma_weeks_ago": ["drie maanden", "een half jaar"],
             "fracture_ruled_out": ["nee", "ja"], "improving": ["ja", "nee"],
             "recurrent": ["nee", "ja"], "adl_impact": ["een beetje", "fors", "geen"],
             "arm_complaints": ["nee", "ja"], "arm_side": ["links", "beide"],
             "radicular_test": ["positief", "niet gedaan"],
             "referred_for_arm_signs": ["nee"], "psychosocial_dominant": ["nee", "ja"],
             "has_work": ["nee", "ja"], "work_related": ["nee"], "work_absence_weeks": ["geen"],
             "acute_deficit_now": ["nee", "ja"]}
SCREENING = ["ja", "nee", "nee", "nee", "weet ik niet"]  # a sign asked on its own


def _checklist_answer(rng: random.Random, count: int) -> str:
    roll = rng.random()
    if roll < 0.4:
        return "geen"
    if roll < 0.7:
        return " en ".join(str(n) for n in rng.sample(range(1, count + 1), rng.randint(1, 2)))
    if roll < 0.85:
        return "een voor een"
    return rng.choice(["weet ik niet", "ja", "misschien"])


def _run(seed: int, voice: bool) -> tuple[Consultation, list[dict[str, object]]]:
    """A whole intake answered at random (but always with something the dialog can take in
    the end): checklists with none, numbers, doubt or one by one; a read-back "ja" mostly."""
    rng = random.Random(seed)
    events: list[dict[str, object]] = []
    consultation = Consultation(PROTOCOL, collect(events), DialogConfig(voice=voice))
    consultation.start()
    for _ in range(400):
        if consultation.outcome != "running" or consultation.result is not None:
            break
        last = next(e for e in reversed(events) if e["event"] in ("ask", "confirm"))
        if last["event"] == "confirm":
            said = "ja" if rng.random() < 0.85 else "nee"
        elif last.get("signs"):
            said = _checklist_answer(rng, len(last["signs"]))  # type: ignore[arg-type]
        elif last["question"] in COMPLAINT:
            said = rng.choice(COMPLAINT[str(last["question"])])
        elif str(last["question"]).startswith(("rf_", "pr_", "neuro_", "cs_")):
            said = rng.choice(SCREENING)
        else:
            said = "nee"
        consultation.hear(Utterance(said, 1.0, "voice" if voice else "text"))
    assert consultation.result is not None, events[-5:]
    return consultation, events


@pytest.mark.parametrize("seed", range(60))
def test_every_sign_is_presented_and_every_category_has_a_value(seed: int) -> None:
    consultation, events = _run(seed, voice=seed % 2 == 1)
    presented = {str(e["question"]) for e in events if e["event"] == "ask"}
    for e in events:
        if e["event"] == "ask":
            signs: list[dict[str, str]] = e.get("signs", [])  # type: ignore[assignment]
            presented |= {sign["id"] for sign in signs}
    f = consultation.findings
    result = consultation.result
    assert result is not None
    if result.urgency == "emergency":  # a deficit now: 112, and nothing more is asked
        return
    for section in ("precautions", "red_flags", "examination"):
        wanted = {q.id for q in PROTOCOL.section_questions(section) if not skipped(q, f)}
        assert wanted <= presented, (section, wanted - presented)
    for key in ("red_flags", "precautions"):
        found, unknown = getattr(f, key), getattr(f, f"{key}_unknown")
        assert found is not None, key  # every category: yes (found), unknown, or else no
        assert not set(found) & set(unknown)
        assert set(found) | set(unknown) <= set(LIST_FINDINGS[key])
    json = result.to_json()
    assert set(json["red_flags"]) >= set(f.red_flags or ())  # the result gives the yes
    assert set(json["unresolved"]) == set(f.red_flags_unknown) - set(json["red_flags"])


# --- the journal: a checklist is one answer; a resume replays it, or its signs one by one ------

RESUMED = ["47", "drie weken", "nee", "ja", "nee", "een beetje", "nee", "2", "ja",
           "een voor een", "nee", "nee", "weet ik niet", "weet ik niet", "nee", "nee", "nee",
           "nee", "nee", "nee", "nee", "nee", "nee", "nee", "nee", "nee", "ja", "terug",
           "nee", "nee", "nee"]


@pytest.mark.parametrize("cut", range(len(RESUMED) + 1))
def test_any_prefix_with_checklists_replays_to_the_same_place(cut: int) -> None:
    """Precautions answered "2" (read back, "ja"); the red flags one by one, one doubted twice
    (the deficit question follows); a 'terug' in between: a resume from any point of the
    journal stands where the intake stood."""
    from assistant.intake.journal import IntakeJournal, journal_events
    from assistant.intake.resume import replay
    from assistant.intake.run import run_consultation as run_intake_dialog
    from assistant.speech.text import ScriptedListener
    from tests.fakes import MemoryJournal

    memory = MemoryJournal()
    run_intake_dialog(PROTOCOL, ScriptedListener(RESUMED[:cut]), [],
                      journal=IntakeJournal(memory, 1))
    entries = memory.entries
    checklists = [e for e in entries if e["event"] == "answer" and e["question"] == "precautions"]
    assert all(isinstance(e["value"], dict) and len(e["value"]) == 4 for e in checklists)
    restored = Consultation(PROTOCOL, lambda e: None)
    restored.start()
    replay(restored, journal_events(entries))
    straight = Consultation(PROTOCOL, lambda e: None)
    straight.start()
    for said in RESUMED[:cut]:
        straight.hear(Utterance(said))
    assert [(r.question.id, r.value) for r in restored.history] == [
        (r.question.id, r.value) for r in straight.history]
    assert restored.findings == straight.findings and restored.state == straight.state
    waiting = straight.turns.confirming  # a read-back not yet answered is not journaled
    # "een voor een" is no answer either: before a sign is answered, the resume asks the
    # checklist again (the same section)
    assert waiting or (restored.current.section if restored.current else None) == (
        straight.current.section if straight.current else None)



@pytest.mark.parametrize("said, ids", [
    ("nee, geen Hoffmann, wel levendige reflexen", ("rf_spinal_cord_hyperreflexia",)),
    ("Babinski en clonus", ("rf_spinal_cord_babinski", "rf_spinal_cord_clonus")),
    ("alleen een hangend ooglid", ("rf_vascular_horner",)),
])
def test_the_examination_records_the_signs_found_as_said(said: str,
                                                          ids: tuple[str, ...]) -> None:
    """Issue 25: a partly positive examination is recorded as it is, not as "nee"."""
    reading = read_checklist(said, EXAMINATION, VOCAB)
    assert isinstance(reading, Named) and reading.ids == ids


def test_a_test_not_done_asks_the_examination_one_by_one() -> None:
    assert read_checklist("Babinski niet gedaan", EXAMINATION, VOCAB) == Doubt()


@pytest.mark.parametrize("said", ["nee, alleen koorts vorige week door een keelontsteking",
                                  "nee, maar wel koorts", "niks, behalve koorts"])
def test_a_sign_named_after_no_but_only_is_named_and_read_back(said: str) -> None:
    """A "nee" before 'alleen koorts' does not deny the fever: it is named, so it is read back
    with the words (fever counts, also after a sore throat)."""
    reading = read_checklist(said, RED_FLAGS, VOCAB)
    assert isinstance(reading, Named) and reading.ids == ("rf_infection",)
    assert reading.note == said


@pytest.mark.parametrize("said", ["Hoffmann negatief", "Babinski neg", "reflexen niet verhoogd"])
def test_a_sign_said_to_be_negative_is_not_named(said: str) -> None:
    assert read_checklist(said, EXAMINATION, VOCAB) is None  # asked again, never "wel"


@pytest.mark.parametrize("said", ["geen, wel koorts", "nee, wel koorts", "geen. wel koorts",
                                  "geen, behalve koorts"])
def test_a_sign_affirmed_after_none_is_named(said: str) -> None:
    reading = read_checklist(said, RED_FLAGS, VOCAB)
    assert isinstance(reading, Named) and reading.ids == ("rf_infection",)


def test_every_sign_named_is_read_back_without_the_others() -> None:
    from assistant.dialog.checklist import checklist_value, read_back

    texts = PROTOCOL.dialog.intake
    every = checklist_value(PRECAUTIONS, [q.id for q in PRECAUTIONS.signs])
    assert texts.checklist_rest not in read_back(PRECAUTIONS, every, texts, "")
    one = checklist_value(PRECAUTIONS, ["pr_anticoagulants"])
    assert texts.checklist_rest in read_back(PRECAUTIONS, one, texts, "")


def test_a_checklist_asked_again_after_a_failed_try_does_not_read_the_list_again() -> None:
    """The list takes a minute to say: a failed try gives the help and the short question;
    'herhaal' reads the whole list again (issue 25)."""
    events: list[dict[str, object]] = []
    consultation = Consultation(PROTOCOL, collect(events), DialogConfig())
    consultation.start()
    for said in ["47", "drie weken", "nee", "ja", "nee", "een beetje", "nee"]:
        consultation.hear(Utterance(said))
    first = [e for e in events if e["event"] == "ask"][-1]
    assert first["question"] == "red_flags" and "1: " in str(first["text"])
    consultation.hear(Utterance("blauw"))
    again = [e for e in events if e["event"] == "ask"][-1]
    assert again["question"] == "red_flags" and "1: " not in str(again["text"])
    assert again["signs"] == first["signs"]  # the screen still shows every sign
    consultation.hear(Utterance("herhaal"))
    assert [e for e in events if e["event"] == "ask"][-1]["text"] == first["text"]


def test_an_arm_sign_not_examined_counts_as_present_never_as_no() -> None:
    """Issue 25: every test of the examination block takes a result or "niet gedaan"; an arm
    sign not examined (asked once more) does not exclude grade III."""
    events: list[dict[str, object]] = []
    consultation = Consultation(PROTOCOL, collect(events), DialogConfig())
    consultation.start()
    said = ["47", "drie weken", "nee", "ja", "nee", "een beetje", "ja", "geen", "geen", "nee",
            "geen", "niet gedaan", "niet gedaan", "nee", "nee", "links", "negatief", "nee"]
    for text in said:
        consultation.hear(Utterance(text))
    result = consultation.result
    assert result is not None and result.grade == "III" and result.profile == "D"
    (reflexes,) = [r for r in consultation.history if r.question.id == "neuro_reflexes"]
    assert reflexes.value == UNKNOWN
