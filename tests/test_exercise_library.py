"""The exercise library (exercises.toml): complete for every menu, written for the ear, sane
dosage, traceable to the protocol, and a broken copy fails clearly."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from assistant.protocol import ProtocolError, load_protocol
from assistant.protocol.exercise_loader import DOSAGE_RANGES, parse_library

P = load_protocol()
LIB = P.library
# the protocol this product implements, kept in the repository beside the design reference
SOURCE = Path(__file__).resolve().parents[1] / "docs" / "source" / "kngf-nekpijn-oefenprotocol.txt"
# DESIGN.md "Result": A's menu, and what B, C and D add.
MENU_A = ["F1", "F1a", "F14", "F14a", "F14b", "F17", "F20", "F26", "F26a", "F30", "F31", "F32",
          "F33", "F34"]
MENU_BCD = [*MENU_A, "F5", "F27", "F28", "F29", "F29a", "F55", "F56", "F56b", "F57", "F58"]


def data() -> dict[str, Any]:
    text = resources.files("assistant.protocol").joinpath("exercises.toml").read_text("utf-8")
    return tomllib.loads(text)

NERVE_GLIDES = ["F27", "F28", "F29", "F29a", "F56", "F56b", "F57", "F58"]


def test_every_code_of_every_menu_is_in_the_library() -> None:
    assert sorted(LIB.codes) == sorted(MENU_BCD)
    assert sorted(P.profile("A").exercises) == sorted(MENU_A)
    for pid in "BC":
        assert sorted(P.profile(pid).exercises) == sorted(MENU_BCD)
    d = P.profile("D")  # our reading of the seed: the nerve glides 'bij onvoldoende effect'
    assert sorted(d.exercises + d.exercises_if_insufficient) == sorted(MENU_BCD)
    assert sorted(d.exercises_if_insufficient) == sorted(NERVE_GLIDES)


@pytest.mark.parametrize("code", MENU_BCD)
def test_each_exercise_is_complete_and_written_for_the_ear(code: str) -> None:
    ex = LIB.exercise(code)
    assert ex.name and ex.purpose and ex.start and ex.video == code[1:]
    assert len(ex.steps) >= 2
    for text in (ex.purpose, ex.start, *ex.steps, *ex.safety):
        assert text.endswith((".", "?", "!")), text
        assert not re.search(r"\d|\(|;", text), text
        for part in re.split(r"(?<=[.?!]) ", text):  # each sentence short enough to hear
            assert len(part.split()) <= 18, part
    d = ex.dosage
    if code == "F5":  # the bodyscan: 10–20 minutes (protocol), spread over its prompts
        assert d.timed and 10 <= d.minutes <= 20 and len(ex.steps) >= 8
    else:
        assert not d.timed
        for key, (low, high) in DOSAGE_RANGES.items():
            assert low <= getattr(d, key) <= high, key
        assert d.repetitions * d.sets * d.sides * (d.pace_seconds + d.hold_seconds) <= 20 * 60


def test_nerve_exercises_are_gentle_and_say_what_to_do_when_it_tingles() -> None:
    for code in ["F27", "F28", "F29", "F29a", "F56", "F56b", "F57", "F58"]:
        ex = LIB.exercise(code)
        assert "neurodynamica" in ex.technical_name.lower()
        assert any("tintel" in s.lower() for s in ex.safety), code
        assert ex.dosage.hold_seconds <= 5, code


# Words of the protocol a patient does not know: the technical name keeps them, not the name.
JARGON = re.compile(r"neurodynamica|nervus|\bn\.|weefsel|rotatie|circumductie|deviatie|"
                    r"retractie|stenvers|inslijpen|bodyscan|medianus|radialis|ulnaris|variant",
                    re.IGNORECASE)


@pytest.mark.parametrize("code", MENU_BCD)
def test_every_exercise_has_a_plain_name_beside_its_technical_name(code: str) -> None:
    ex = LIB.exercise(code)
    assert ex.name and ex.technical_name and ex.name != ex.technical_name
    assert not re.search(r"\d", ex.name), ex.name  # spoken: no digits
    assert not JARGON.search(ex.name), ex.name
    assert len(ex.name.split()) <= 10, ex.name  # short enough to say
    assert ex.technical_name == data()["exercises"][code]["technical_name"]
    assert ex.therapist_name == f"{ex.name} ({ex.technical_name})"
    assert ex.to_json()["name"] == ex.name
    assert ex.to_json()["technical_name"] == ex.technical_name


def test_plain_names_tell_the_exercises_apart() -> None:
    names = [e.name for e in LIB.exercises]
    assert len(set(names)) == len(names)


def test_the_nerve_glides_are_done_with_the_exercise_arm_and_name_no_side_themselves() -> None:
    assert [e.code for e in LIB.exercises if e.one_arm] == NERVE_GLIDES
    for ex in LIB.exercises:
        for text in (ex.purpose, ex.start, *ex.steps):
            assert "hoort noemen" not in text and "genoemde kant" not in text, ex.code
    f28 = LIB.exercise("F28")
    assert f28.dosage.sides == 1
    assert f28.sides("left") == ("left",) and f28.sides("right") == ("right",)
    assert f28.sides("both") == ("left", "right") and f28.sides(None) == (None,)
    # an exercise done on both sides (not one arm) is not changed by the arm side
    assert LIB.exercise("F14b").sides("left") == ("left", "right")
    assert LIB.exercise("F14").sides("right") == (None,)
    texts = LIB.session
    assert texts.arm("left") == "Uw oefenarm is de linkerarm."
    assert "rechterarm" in texts.arm("right") and "beide armen" in texts.arm("both")
    assert "fysiotherapeut" in texts.arm(None)
    assert all(w in texts.arm_fill_in for w in ("links", "rechts", "beide", "omcirkel"))


def test_the_session_says_the_general_safety_and_closing_advice() -> None:
    safety = " ".join(LIB.session.safety).lower()
    assert "arm" in safety and "tintel" in safety and "stop" in safety
    closing = " ".join(LIB.session.closing).lower()
    assert "actief" in closing and "terugkomen" in closing
    assert "fysiotherapeut" in " ".join(LIB.session.intro) and "filmpje" in " ".join(
        LIB.session.intro)


def test_every_exercise_source_quotes_the_protocol() -> None:
    text = " ".join(SOURCE.read_text("utf-8").split()).lower()

    def loose(t: str) -> str:
        return re.sub(r"[^a-zë]+", "", t)

    for quote in [e.source for e in LIB.exercises] + [LIB.session.closing_source,
                                                      LIB.choice.source,
                                                      LIB.session.pain_rule_graded_source]:
        for fragment in re.split(r"…|:|;", quote):
            words = " ".join(fragment.split()).lower().strip(" .;()")
            assert not words or words in text or loose(words) in loose(text), quote


Mutation = Callable[[dict[str, Any]], None]


def _set(path: list[str], value: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        node = d
        for part in path[:-1]:
            node = node[part]
        if value is None:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return mutate


@pytest.mark.parametrize(("mutation", "message"), [
    (_set(["schema_version"], 2), "schema_version: expected 1"),
    (_set(["exercises", "F14", "steps"], ["Draai uw hoofd."]), "at least two steps"),
    (_set(["exercises", "F14", "steps"], ["Draai uw hoofd", "Kom terug."]), "full stop"),
    (_set(["exercises", "F14", "purpose"], "Tien keer per dag: 10 keer."), "digits"),
    (_set(["exercises", "F31", "name"], "Schouderrondjes in 5 fasen"), "name: .* has digits"),
    (_set(["exercises", "F14", "name"], ""), "name: missing or empty"),
    (_set(["exercises", "F14", "technical_name"], None), "technical_name: missing or empty"),
    (_set(["exercises", "F14", "name"], "Rotatieoefening nek en romp"), "give a plain name"),
    (_set(["exercises", "F28", "one_arm"], "ja"), "one_arm: expected true or false"),
    (_set(["exercises", "F28", "dosage", "sides"], 2), "one_arm exercise .* sides = 1"),
    (_set(["session", "arm_left"], "Uw oefenarm is de linkerarm"), "arm_left: .* full stop"),
    (_set(["session", "arm_fill_in"], None), "arm_fill_in: missing"),
    (_set(["exercises", "F14", "video"], "41"), "expected '14'"),
    (_set(["exercises", "F14", "colour"], "rood"), "unknown key 'colour'"),
    (_set(["exercises", "F14", "dosage", "repetitions"], 0), "from 1 to 30"),
    (_set(["exercises", "F14", "dosage", "sides"], 3), "from 1 to 2"),
    (_set(["exercises", "F14", "dosage", "hold_seconds"], None), "hold_seconds: missing"),
    (_set(["exercises", "F5", "dosage"], {"minutes": 15, "sets": 2, "frequency": "elke avond"}),
     "unknown key 'sets'"),
    (_set(["exercises", "F5", "dosage"], {"minutes": 60, "frequency": "elke avond"}),
     "from 5 to 30"),
    (_set(["exercises", "F5", "dosage", "frequency"], None), "frequency: missing"),
    (_set(["exercises", "F5", "dosage", "frequency"], "2x per dag"), "no frequency in words"),
    (_set(["exercises", "F5", "dosage", "frequency"], "elke middag"),
     "add 'elke middag'"),
    (_set(["exercises", "F27", "dosage", "hold_seconds"], 2), "does not hold"),
    (_set(["exercises", "F14", "movements"], ["nek_draaien"]), "unknown 'nek_draaien'"),
    (_set(["exercises", "F14", "text_source"], None), "text_source: missing"),
    (_set(["cautions", "worse_arm", "profiles"], ["E"]), "unknown 'E'"),
    (_set(["cautions", "bone_end_range", "precautions"], ["diabetes"]), "unknown 'diabetes'"),
    (_set(["cautions", "bone_end_range", "therapist"], "Let op."), "placeholders"),
    (_set(["cautions", "worse_arm", "therapist"], "Let op: {codes}."), "names no exercises"),
    (_set(["cautions", "worse_arm", "patient"], ["Stop dan"]), "full stop"),
    (_set(["cautions", "electric_sensation", "patient"], None),
     "electric_sensation.patient: expected a list"),
    (_set(["exercises", "F20", "hold_cue"], None), "F20.hold_cue: missing"),
    (_set(["exercises", "F14", "hold_cue"], "Houd vast."), "only an exercise with a hold"),
    (_set(["cautions", "roll_down_left_out", "codes"], None), "name the exercises it leaves"),
    (_set(["cautions", "roll_down_left_out", "codes"], ["F99"]), "unknown 'F99'"),
    (_set(["cautions", "bone_end_range", "replace"], [["Draai heel ver.", "Draai minder."]]),
     "'Draai heel ver.' is no step"),
    (_set(["cautions", "bone_end_range", "replace"], [["Draai zo ver als prettig is."]]),
     "list of \\[said now, said instead\\]"),
    (_set(["cautions", "bone_end_range", "replace"],
          [["Draai zo ver als prettig is.", "Draai 2 keer."]]), "digits"),
    (_set(["exercises", "F1", "side_texts"], None), "says how each side begins"),
    (_set(["exercises", "F14", "side_texts"], ["Links.", "Rechts."]), "others have none"),
    (_set(["exercises", "F55", "setup_seconds"], 600), "from 10 to 120"),
    (_set(["exercises", "F20", "rep_cues"], ["Omhoog.", "Omlaag."]), "without a hold"),
    (_set(["exercises", "F31", "rep_cues"], ["Een.", "Twee.", "Drie.", "Vier.", "Vijf.", "Zes.",
                                             "Zeven.", "Acht."]), "at least 4 s each"),
    (_set(["exercises", "X14"], {}), "not an exercise code"),
    (_set(["session", "exercise"], "Oefening {nummer}."), "placeholders"),
    (_set(["session", "commands", "next"], None), "expected a list"),
    (_set(["choice", "readback"], "U koos {items}."), "placeholders"),
])
def test_broken_library_fails_with_a_clear_message(mutation: Mutation, message: str) -> None:
    broken = data()
    mutation(broken)
    with pytest.raises(ProtocolError, match=message):
        parse_library(broken)


def test_a_profile_menu_naming_an_exercise_outside_the_library_fails() -> None:
    from assistant.protocol.loader import parse_protocol

    nekpijn = tomllib.loads(
        resources.files("assistant.protocol").joinpath("nekpijn.toml").read_text("utf-8"))
    library = data()
    del library["exercises"]["F34"]
    with pytest.raises(ProtocolError, match="unknown exercise 'F34'"):
        parse_protocol(nekpijn, parse_library(library))


def test_list_json_shape() -> None:
    entry = LIB.exercise("F55").to_json()
    assert set(entry) >= {"code", "name", "technical_name", "steps", "dosage", "purpose",
                          "start", "safety", "video", "one_arm"}
    assert set(entry["dosage"]) == {"repetitions", "sets", "hold_seconds", "pace_seconds",
                                    "rest_seconds", "sides", "frequency"}
    timed = LIB.exercise("F5").dosage
    assert LIB.exercise("F5").to_json()["dosage"] == {"minutes": timed.minutes,
                                                      "frequency": timed.frequency}


@pytest.mark.parametrize("code", ["F14", "F14a", "F14b"])
def test_every_neck_rotation_stops_on_signs_of_the_arteries(code: str) -> None:
    safety = " ".join(LIB.exercise(code).safety)
    assert all(word in safety for word in ("duizelig", "misselijk", "wazig", "dubbel", "Stop"))


def test_one_rule_for_tingling() -> None:
    """Brief tingling in a nerve glide: smaller; tingling that stays: stop (as the general
    safety note says for every exercise)."""
    general = " ".join(LIB.session.safety)
    assert "blijft het tintelen? Stop" in general
    for code in NERVE_GLIDES:
        lines = [s for s in LIB.exercise(code).safety if "intel" in s]
        assert lines == ["Tintelt het even, maak de beweging dan kleiner. Blijft het tintelen, "
                         "stop dan."], code
