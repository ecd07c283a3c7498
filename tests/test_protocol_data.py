"""The guideline data file: it loads, it is complete, and a broken copy fails clearly."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from assistant.protocol import ProtocolError, load_protocol
from assistant.protocol.findings import (
    C_SPINE_KEYS,
    FINDING_KEYS,
    PRECAUTIONS,
    RED_FLAG_CATEGORIES,
)
from assistant.protocol.loader import load_protocol_file, parse_protocol
from assistant.protocol.model import AnswerType

P = load_protocol()
# the protocol this product implements, kept in the repository beside the design reference
SOURCE = Path(__file__).resolve().parents[1] / "docs" / "source" / "kngf-nekpijn-oefenprotocol.txt"


def data() -> dict[str, Any]:
    text = resources.files("assistant.protocol").joinpath("nekpijn.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_loads_with_every_part() -> None:
    assert P.schema_version == 2
    assert {r.id for r in P.red_flags} == set(RED_FLAG_CATEGORIES)
    assert {p.id for p in P.precautions} == set(PRECAUTIONS)
    assert [pid for pid, _ in P.profiles] == ["A", "B", "C", "D"]
    assert len(P.exercises) == 24


@pytest.mark.parametrize("category", RED_FLAG_CATEGORIES)
def test_every_red_flag_category_is_screened_with_a_marked_addition(category: str) -> None:
    questions = [q for q in P.questions if q.red_flag == category]
    assert questions
    for q in questions:
        assert q.type is AnswerType.YES_NO
        assert q.addition, f"{q.id}: concrete signs are an addition and need a rationale"


def test_questions_are_short_and_single() -> None:
    """Written for the ear: short sentences, one question (a screening question may take two
    sentences to name a combination of signs)."""
    for q in P.questions:
        assert q.text.endswith("?"), q.id
        assert q.text.count("?") <= 2, q.id  # the choice question names its answers
        for sentence in re.split(r"(?<=[?.!])\s+", q.text):
            assert len(sentence.split()) <= 16, f"{q.id}: too long to say in one breath"
        assert len(q.text.split()) <= 24, f"{q.id}: too long to hold in mind"


SCREENING_PARTS = ("red_flags", "precautions", "c_spine_rule")


def test_every_screening_question_says_why_and_where_its_answer_comes_from() -> None:
    """DESIGN.md "Findings — version 2": each part of a list or object finding is asked."""
    for q in P.questions:
        if q.part is not None:
            assert q.part[0] in SCREENING_PARTS, q.id
            assert q.why, f"{q.id}: a screening question says why it is there"
            assert q.found_by in {"history", "examination"}
    assert {q.red_flag for q in P.questions if q.red_flag} == set(RED_FLAG_CATEGORIES)
    assert {q.part[1] for q in P.questions if q.part and q.part[0] == "precautions"} == set(
        PRECAUTIONS)
    assert {q.part[1] for q in P.questions if q.part and q.part[0] == "c_spine_rule"} == set(
        C_SPINE_KEYS)


def test_every_question_finding_names_a_version_2_key() -> None:
    keys = {*FINDING_KEYS} - {"red_flags", "precautions", "c_spine_rule", "red_flags_unknown"}
    for q in P.questions:
        if q.part is None:
            assert q.finding in keys, q.id
        else:
            key, member = q.part
            assert member in {"red_flags": RED_FLAG_CATEGORIES, "precautions": PRECAUTIONS,
                              "c_spine_rule": C_SPINE_KEYS}[key], q.id


def test_alarms_are_confirmed_where_they_matter() -> None:
    """Every red-flag "ja", every C-spine high-risk "ja" and a failed rotation raise the alarm;
    the midline-tenderness question is asked the other way round."""
    for q in P.questions:
        if q.red_flag or q.finding == "c_spine_rule.high_risk":
            assert q.alarm is True, q.id
    assert P.question("cs_rotation_45").alarm is False
    assert P.question("cs_midline_tenderness").yes_means is False
    assert P.question("cs_midline_tenderness").alarm is True  # asked last: it decides
    assert P.question("cs_midline_tenderness").found_by == "examination"


def test_every_red_flag_and_precaution_says_where_it_comes_from() -> None:
    for flag in P.red_flags:
        assert flag.source and flag.urgency in {"acute", "routine"}
    vascular = P.red_flag("vascular").addition
    assert vascular and "IFOMPT" in vascular
    for precaution in P.precautions:
        assert precaution.why and precaution.source and precaution.addition


# Sources outside the seed protocol are named, not quoted: the KNGF guideline's own pages and the
# screening rules it relies on.
REFERENCES = ("Canadian C-spine rule", "KNGF Nekpijn, ")


def test_every_source_quote_traces_to_the_protocol() -> None:
    """Each `source` quotes the protocol: its fragments (split at '…') occur in the text; or it
    names one of the REFERENCES."""
    text = " ".join(SOURCE.read_text("utf-8").split()).lower()
    quotes = [q.source for q in P.questions] + [t.source for _, t in P.therapies]
    quotes += [a.source for _, a in P.actions] + [p.source for _, p in P.profiles]
    quotes += [r.source for r in P.red_flags] + [p.source for p in P.precautions]
    for quote in quotes:
        if quote.startswith(REFERENCES):
            continue
        for fragment in re.split(r"…|:|;", quote):
            words = " ".join(fragment.split()).lower().strip(" .;()")
            assert not words or words in text or _loose(words) in _loose(text), quote


def _loose(text: str) -> str:
    return re.sub(r"[^a-zë]+", "", text)


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = d
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return mutate


_DELETE = object()
# The first red-flag question's place in the data (the age is asked before it, version 3).
RF = next(i for i, q in enumerate(data()["questions"]) if q["section"] == "red_flags")
# The red-flag checklist's section and the arm-complaints gate (issue 25).
RF_SECTION = next(i for i, s in enumerate(data()["sections"]) if s["id"] == "red_flags")
IMPACT = next(i for i, q in enumerate(data()["questions"]) if q["id"] == "adl_impact")


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (_set("schema_version", 1), "schema_version: expected 2"),
        (_set("colour", "red"), "unknown key 'colour'"),
        (_set("questions.0.colour", "red"), r"questions\[0\]: unknown key 'colour'"),
        (_set("questions.0.text", ""), r"questions\[0\].text: missing or empty text"),
        (_set("questions.0.help", _DELETE), r"questions\[0\].help: missing or empty text"),
        (_set("questions.0.section", "nowhere"), "unknown section 'nowhere'"),
        (_set("questions.0.finding", "red_flags.headache"), "unknown finding 'red_flags.headache'"),
        (_set(f"questions.{RF}.alarm", False), "a red-flag question needs alarm = true"),
        (_set(f"questions.{RF}.why", _DELETE), "says why it is asked"),
        (_set("questions.0.found_by", "rumour"), "found_by: expected one of"),
        (_set("red_flags.vascular.urgency", "soon"), "expected acute or routine"),
        (_set("precautions.anticoagulants", _DELETE), "'anticoagulants' is missing"),
        (_set("referral.letter.seen", "Op {day}"), "placeholders"),
        (_set(f"questions.{RF}.type", "duration"), "needs type 'yes_no'"),
        (_set("profiles.B.consider", ["cervical_pillow", "acupuncture"]),
         "profiles.B.consider: unknown therapy 'acupuncture'"),
        (_set("profiles.A.exercises", ["F1", "F99"]), "unknown exercise 'F99'"),
        (_set("profiles.D.actions", [{"id": "refer_gp", "when": "sometimes"}]),
         "unknown condition 'sometimes'"),
        (_set("therapies.kinesiotape.when", "work_absence"), "not allowed here"),
        (_set("profiles.C", _DELETE), "profiles.C: missing"),
        (_set("reasons.grade_ii", "Graad II {oops}"), "placeholders"),
        (_set("red_flags.tumour", _DELETE), "category 'tumour' is missing"),
        (_set("vocabulary.yes", ["ja", "nee"]), "'nee' is in two of yes, no and doubt"),
        (_set("vocabulary.doubt", ["misschien", "ja"]), "'ja' is in two of yes, no and doubt"),
        (_set("units.dag", 0), "positive number of days"),
        (_set("dialog.silence", " "), r"dialog\.silence: missing or empty text"),
        (_set("dialog", _DELETE), r"dialog: expected a table"),
        (_set("dialog.intake.stopped", _DELETE), r"dialog\.intake\.stopped: missing or empty"),
        (_set("dialog.intake.colour", "red"), r"dialog\.intake: unknown key 'colour'"),
        (_set("dialog.intake.confirm", "Ik hoorde: {waarde}."),
         r"dialog\.intake\.confirm: placeholders \['waarde'\] are not \['value'\]"),
        (_set("dialog.intake.confirm_yes", "U zei {value}. Klopt dat?"),
         r"dialog\.intake\.confirm_yes: placeholders"),
        (_set("dialog.yes_or_no", "Zeg {ja} of nee."), r"dialog\.yes_or_no: placeholders"),
        (_set("dialog.evaluation.command_hint", ""), r"dialog\.evaluation\.command_hint"),
        (_set("dialog.evaluation.neuro", _DELETE), r"dialog\.evaluation\.neuro: expected a table"),
        (_set("dialog.evaluation.psk2.help", _DELETE),
         r"dialog\.evaluation\.psk2\.help: missing or empty text"),
        (_set(f"sections.{RF_SECTION}.checklist_help", _DELETE),
         "'checklist' and 'checklist_help' come together"),
        (_set(f"questions.{RF}.names", _DELETE), "a checklist sign needs names"),
        (_set(f"questions.{RF}.names", ["koorts"]), "the name 'koorts' names"),
        (_set(f"questions.{IMPACT}.gate", True), "gate: only a yes/no question"),
        (_set(f"questions.{RF}.gate", True), "gate: only a yes/no question of a plain"),
    ],
)
def test_broken_data_fails_with_a_clear_message(mutation: Mutation, message: str) -> None:
    broken = data()
    mutation(broken)
    with pytest.raises(ProtocolError, match=message):
        parse_protocol(broken)


def test_a_question_removed_leaves_its_finding_unasked(tmp_path: Path) -> None:
    broken = data()
    broken["questions"] = [q for q in broken["questions"] if q["finding"] != "recurrent"]
    broken["sections"] = [s for s in broken["sections"] if s["id"] != "recurrent"]
    with pytest.raises(ProtocolError, match="finding 'recurrent' has no question"):
        parse_protocol(broken)


def test_file_errors_are_protocol_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = [", encoding="utf-8")
    with pytest.raises(ProtocolError, match="not valid TOML"):
        load_protocol_file(bad)
    with pytest.raises(ProtocolError, match="cannot be read"):
        load_protocol_file(tmp_path / "missing.toml")


def test_every_checklist_sign_has_a_short_label_and_names_that_find_it() -> None:
    """A checklist reads each sign's label aloud and finds it again by its names (issue 25)."""
    from assistant.dialog.checklist import Named, checklist_of, read_checklist

    for section in (s for s in P.sections if s.checklist):
        signs = P.section_questions(section.id)
        assert "?" in section.checklist and section.checklist_help, section.id
        for q in signs:
            assert len(q.label.split()) <= 16, f"{q.id}: a label to say in one breath"
            listed = checklist_of(section, [q])
            for name in q.names:
                reading = read_checklist(name, listed, P.vocabulary)
                assert isinstance(reading, Named) and reading.ids == (q.id,), (q.id, name)
