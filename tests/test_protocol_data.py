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
from assistant.protocol.findings import RED_FLAG_CATEGORIES
from assistant.protocol.loader import load_protocol_file, parse_protocol
from assistant.protocol.model import AnswerType

P = load_protocol()
SHARED = Path(__file__).resolve().parents[2] / "shared"
SOURCE = SHARED / "source" / "kngf-nekpijn-oefenprotocol.txt"


def data() -> dict[str, Any]:
    text = resources.files("assistant.protocol").joinpath("nekpijn.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_loads_with_every_part() -> None:
    assert P.schema_version == 1
    assert {c for c, _ in P.red_flags} == set(RED_FLAG_CATEGORIES)
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
    for q in P.questions:
        assert q.text.endswith("?"), q.id
        assert q.text.count("?") <= 2, q.id  # the choice question names its answers
        assert len(q.text.split()) <= 16, f"{q.id}: too long to say in one breath"


@pytest.mark.skipif(not SOURCE.exists(), reason="needs ../shared/source beside the checkout")
def test_every_source_quote_traces_to_the_protocol() -> None:
    """Each `source` quotes the protocol: its fragments (split at '…') occur in the text."""
    text = " ".join(SOURCE.read_text("utf-8").split()).lower()
    quotes = [q.source for q in P.questions] + [t.source for _, t in P.therapies]
    quotes += [a.source for _, a in P.actions] + [p.source for _, p in P.profiles]
    for quote in quotes:
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


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (_set("schema_version", 2), "schema_version: expected 1"),
        (_set("colour", "red"), "unknown key 'colour'"),
        (_set("questions.0.colour", "red"), r"questions\[0\]: unknown key 'colour'"),
        (_set("questions.0.text", ""), r"questions\[0\].text: missing or empty text"),
        (_set("questions.0.help", _DELETE), r"questions\[0\].help: missing or empty text"),
        (_set("questions.0.section", "nowhere"), "unknown section 'nowhere'"),
        (_set("questions.0.finding", "red_flags.headache"), "unknown red flag"),
        (_set("questions.0.type", "duration"), "needs type 'yes_no'"),
        (_set("profiles.B.consider", ["cervical_pillow", "acupuncture"]),
         "profiles.B.consider: unknown therapy 'acupuncture'"),
        (_set("profiles.A.exercises", ["F1", "F99"]), "unknown exercise 'F99'"),
        (_set("profiles.D.actions", [{"id": "refer_gp", "when": "sometimes"}]),
         "unknown condition 'sometimes'"),
        (_set("therapies.kinesiotape.when", "work_absence"), "not allowed here"),
        (_set("profiles.C", _DELETE), "profiles.C: missing"),
        (_set("reasons.grade_ii", "Graad II {oops}"), "placeholders"),
        (_set("red_flags.tumour", _DELETE), "category 'tumour' is missing"),
        (_set("vocabulary.yes", ["ja", "nee"]), "'nee' is both a yes and a no"),
        (_set("units.dag", 0), "positive number of days"),
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
