"""The screen's part of the intake at the treatment table (issue 25, item 6), without a
browser: a checklist's choices checked against the checklist on screen and sent to the dialog
as a typed answer; where the intake is (its parts, from the protocol's sections); the answer
list's words for a checklist; and the dialog's words as the screen shows them (what to click or
type, never "zeg")."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.dialog.checklist import described
from assistant.dialog.events import Answer, Ask, Confirm, Reprompt, Say
from assistant.errors import InputError
from assistant.protocol import load_protocol
from assistant.speech.interfaces import Given
from assistant.ui import views
from assistant.ui.checklist import INCOMPLETE, NONE_OPEN, Checklist
from assistant.ui.page_input import PageInput, PageListener
from assistant.ui.screen_intake import IntakeState
from assistant.ui.views import part_of, parts, view_of
from assistant.ui.wording import screen_words
from tests.ui_screen import Page, answer_until, events

PROTOCOL = load_protocol()
SIGNS = ({"id": "pr_osteoporosis", "label": "botontkalking"},
         {"id": "pr_anticoagulants", "label": "bloedverdunners"})
ASK = Ask("precautions", "precautions", "1: botontkalking. 2: bloedverdunners. Welke?",
          signs=SIGNS)
SAY = re.compile(r"\bzeg\w*\b", re.IGNORECASE)


def test_a_checklist_is_the_ask_with_signs_and_its_choices_are_checked() -> None:
    checklist = Checklist.of(ASK)
    assert checklist == Checklist("precautions", ("pr_osteoporosis", "pr_anticoagulants"))
    assert Checklist.of(Ask("improving", "improving", "Gaat het beter?")) is None
    given = checklist.given({"pr_osteoporosis": True, "pr_anticoagulants": "unknown"})
    assert given == Given("precautions", {"pr_osteoporosis": True,
                                          "pr_anticoagulants": "unknown"})
    for wrong in ({"pr_osteoporosis": True},  # a sign without a choice
                  {"pr_osteoporosis": True, "pr_anticoagulants": False, "other": False},
                  {"pr_osteoporosis": 1, "pr_anticoagulants": False},  # not a choice
                  {"pr_osteoporosis": "ja", "pr_anticoagulants": False},
                  ["pr_osteoporosis", "pr_anticoagulants"], None):
        with pytest.raises(InputError) as refused:
            checklist.given(wrong)
        assert refused.value.message == INCOMPLETE


def test_the_checklist_on_screen_follows_the_questions() -> None:
    state = IntakeState()
    state.follow(ASK)
    assert state.checklist is not None and state.checklist.question == "precautions"
    state.follow(Reprompt("precautions", "not_understood", "Wat zegt u?"))
    assert state.checklist is not None  # the same checklist, asked again
    state.follow(Confirm("precautions", "precautions", {}, "Dus geen. Klopt dat?"))
    assert state.checklist is None  # a read-back: ja or nee, no choices
    state.follow(ASK)
    state.follow(Answer("precautions", "precautions",
                        {"pr_osteoporosis": False, "pr_anticoagulants": False}, ""))
    assert state.checklist is None and state.answers == ["precautions"]


def test_a_typed_answer_reaches_the_dialog_through_the_page_listener() -> None:
    page = PageInput()
    prompt = page.open_prompt(lambda: 5)
    given = Given("precautions", {"pr_osteoporosis": False})
    assert page.answer(prompt, [given])
    assert not page.answer(prompt, [given])  # once per prompt
    assert PageListener(page).listen([]) == given


def test_the_parts_follow_the_sections_in_consultation_order() -> None:
    found = parts(PROTOCOL)
    flat = [section for part in found for section in part.sections]
    assert flat == [s.id for s in PROTOCOL.sections]  # each once, in the data's order
    assert len({p.title for p in found}) == len(found)  # no part comes back later
    for number, part in enumerate(found, 1):
        for section in part.sections:
            assert part_of(PROTOCOL, section) == number
            assert PROTOCOL.section(section).title.startswith(part.title)
    assert part_of(PROTOCOL, "exercise_choice") is None


def test_a_question_shows_its_part_and_a_checklist_its_signs() -> None:
    red_flags = PROTOCOL.section("red_flags")
    view = view_of(Ask("red_flags", "red_flags", "1: … Welke?", signs=SIGNS), PROTOCOL)
    assert view["checklist"] is True and view["buttons"] == []
    assert view["section"] == red_flags.title
    assert view["part"] == part_of(PROTOCOL, "red_flags")
    assert view["parts"] == len(parts(PROTOCOL))
    assert view["text"] == screen_words(red_flags.checklist or "")
    age = view_of(Ask("age_years", "age_years", "Hoe oud is de patiënt?"), PROTOCOL)
    assert age["part"] == 1 and age["section"] == PROTOCOL.section("age").title


def test_a_checklist_answer_is_listed_with_every_label_in_full() -> None:
    signs = {q.id: False for q in PROTOCOL.questions if q.section == "red_flags"}
    first, second = list(signs)[:2]
    assert described(signs, PROTOCOL) == "geen"
    labels = {q.id: q.label for q in PROTOCOL.questions}
    shown = described({**signs, first: True, second: "unknown"}, PROTOCOL)
    assert shown == f"ja: {labels[first]}; weet niet: {labels[second]}; de rest nee"
    view = view_of(Answer("red_flags", "red_flags", {**signs, first: True}, ""), PROTOCOL)
    assert view["intake"] is True and view["label"] == PROTOCOL.section("red_flags").title
    assert "…" not in view["shown"] and labels[first] in view["shown"]


def _texts(value: object, seen: set[int]) -> Iterator[str]:
    """Every string in the protocol's data (dataclasses, mappings, sequences) but the words it
    understands (its vocabulary: never shown)."""
    if id(value) in seen or value is PROTOCOL.vocabulary:
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _texts(getattr(value, item.name), seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _texts(item, seen)


def test_the_screen_says_what_to_click_or_type_never_zeg() -> None:
    texts = [t for t in _texts(PROTOCOL, set()) if SAY.search(t)]
    assert len(texts) > 20  # the dialog speaks: it says "zeg" often
    assert [screen_words(t) for t in texts if SAY.search(screen_words(t))] == []
    assert screen_words("Klopt dat? Zeg ja of nee.") == "Klopt dat? Kies ja of nee."
    assert screen_words("Pauze. Zeg verder als u wilt doorgaan.") == \
        "Pauze. Klik op Verder als u wilt doorgaan."
    for event in (Ask("x", None, "Zeg ja of nee."), Confirm("x", None, True, "Zeg ja."),
                  Reprompt("x", "help", "Zeg een duur."), Say("intro", "Zeg daarna welke.")):
        assert not SAY.search(view_of(event, PROTOCOL)["text"])


def test_the_pages_never_say_zeg() -> None:
    root = Path(views.__file__).parent
    for path in [*root.glob("templates/*.html"), root / "static" / "app.js"]:
        assert not SAY.search(path.read_text("utf-8")), path


def _at_checklist(page: Page) -> dict[str, Any]:
    page.post("/api/intake", {"patient": "", "resume": False})
    return answer_until(page, lambda m: bool(m.get("view", {}).get("checklist")))


def test_a_checklist_posted_is_checked_then_taken_by_the_dialog(page: Page) -> None:
    """On the real dialog: the first checklist shown, answered as the page does; a wrong answer
    is refused with a Dutch line and the question stays open; a right one is the answer."""
    shown = _at_checklist(page)
    ask = shown["event"]
    ids = [sign["id"] for sign in ask["signs"]]
    assert len(ids) >= 2 and all(sign["label"] for sign in ask["signs"])
    prompt = page.prompt()
    refused = page.post("/api/say", {"prompt": prompt, "checklist": {ids[0]: True}}, 400)
    assert refused["error"] == INCOMPLETE
    refused = page.post("/api/say", {"prompt": prompt, "checklist": {
        **dict.fromkeys(ids, False), ids[0]: "misschien"}}, 400)
    assert refused["error"] == INCOMPLETE
    page.post("/api/say", {"prompt": prompt + 1000, "checklist": dict.fromkeys(ids, False)},
              409)  # another prompt: nothing sent
    chosen = {**dict.fromkeys(ids, False), ids[-1]: "unknown"}
    page.post("/api/say", {"prompt": prompt, "checklist": chosen})
    messages = page.wait(lambda m: any(e["question"] == ask["question"]
                                       for e in events(m, "answer")))
    answer = next(m for m in messages if m["type"] == "event"
                  and m["event"]["event"] == "answer"
                  and m["event"]["question"] == ask["question"])
    assert answer["event"]["value"] == chosen
    assert answer["view"]["intake"] is True
    assert answer["view"]["shown"].startswith("weet niet: ")
    assert page.engine.intake.answers[-1] == ask["question"]
    with page.engine._lock:
        after = page.engine.intake.checklist
    assert after is None or after.question != ask["question"]  # (the next checklist)


def test_choices_for_no_checklist_are_refused(page: Page) -> None:
    page.post("/api/intake", {"patient": "", "resume": False})
    prompt = page.prompt()  # the first question: no checklist
    refused = page.post("/api/say", {"prompt": prompt, "checklist": {"rf_x": False}}, 400)
    assert refused["error"] == NONE_OPEN
    page.post("/api/say", {"prompt": prompt, "text": "47"})  # still open: nothing was sent
    assert any(e["text"] == "47" for e in events(page.wait(
        lambda m: bool(events(m, "heard"))), "heard"))
