"""What the page shows beside each dialog event (the event itself is its to_json()): the
question's section and label, the answer buttons, an answer in words, and the result in Dutch.

Buttons are the utterances a click sends: the question's own answer words (the protocol's first
phrase of each choice), ja/nee, or the scores 0–10; what the dialog hears from a click is what
a therapist could have said or typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from assistant.dialog.checklist import described
from assistant.dialog.events import (
    Answer,
    Ask,
    Confirm,
    ErrorEvent,
    Event,
    ExerciseStart,
    Reprompt,
    ResultEvent,
    Say,
)
from assistant.dialog.exercise_choice import QUESTION as CHOICE_QUESTION
from assistant.dialog.phrases import display_value
from assistant.protocol.dialog_texts import ACTIVITIES
from assistant.protocol.model import AnswerType, Protocol, Question, Section
from assistant.ui.wording import screen_words

YES_NO: Final = ("ja", "nee")
DOUBT: Final = "weet ik niet"
SCORES: Final = tuple(str(n) for n in range(11))
SCORE_QUESTIONS: Final = frozenset({"nprs", "psk1", "psk2", "psk3"})
SKIP_ACTIVITY: Final = "overslaan"
COURSE_WORDS: Final = {"normal": "normaal", "abnormal": "afwijkend"}
URGENCY_WORDS: Final = {"emergency": "nu, via 112 of de spoedeisende hulp",
                         "acute": "vandaag nog", "routine": "op korte termijn, geen spoed"}
CAUTION_WORDS: Final = {"no_manipulation": "Geen manipulatie: alleen mobilisatie.",
                         "minor": "Jonger dan 18: de richtlijn is voor volwassenen."}
COMMANDS: Final = ("herhaal", "terug", "help", "pauze", "verder", "stop")
SESSION_COMMANDS: Final = ("pauze", "verder", "volgende", "herhaal", "langzamer", "sneller",
                           "stop")


@dataclass(frozen=True)
class Part:
    """A part of the intake as the screen lists it: the sections in a row whose titles begin
    alike ("Onderzoek: …"), under that beginning; in consultation order (the data's)."""

    title: str
    sections: tuple[str, ...]


def parts(protocol: Protocol) -> tuple[Part, ...]:
    """The intake's parts, in the order they are asked."""
    found: list[Part] = []
    for section in protocol.sections:
        title = section.title.split(":", 1)[0].strip()
        if found and found[-1].title == title:
            found[-1] = Part(title, (*found[-1].sections, section.id))
        else:
            found.append(Part(title, (section.id,)))
    return tuple(found)


def part_of(protocol: Protocol, section_id: str) -> int | None:
    """The number (from 1) of the part `section_id` is in; None for no section of the intake."""
    for number, part in enumerate(parts(protocol), 1):
        if section_id in part.sections:
            return number
    return None


def _section(protocol: Protocol, section_id: str) -> Section | None:
    try:
        return protocol.section(section_id)
    except KeyError:
        return None


def _where(protocol: Protocol, section: Section) -> dict[str, Any]:
    """Where the intake is: the section's title, its part's number and how many there are."""
    return {"section": section.title, "part": part_of(protocol, section.id),
            "parts": len(parts(protocol))}


def _question(protocol: Protocol, question_id: str) -> Question | None:
    try:
        return protocol.question(question_id)
    except KeyError:
        return None


def buttons(protocol: Protocol, question_id: str) -> list[str]:
    """The answers a click can give to a question (empty: type it, or use the menu)."""
    question = _question(protocol, question_id)
    if question is None:
        if question_id in SCORE_QUESTIONS:
            return list(SCORES)
        if question_id in ACTIVITIES:
            return [SKIP_ACTIVITY]
        if question_id == CHOICE_QUESTION:
            return []
        return list(YES_NO)  # the baseline offer, resume, the arm worse (neuro)
    if question.type is AnswerType.YES_NO:
        doubt = question.red_flag is not None or question.c_spine_step
        return [*YES_NO, DOUBT] if doubt else list(YES_NO)
    if question.type is AnswerType.CHOICE:
        return [phrases[0] for _, phrases in question.choices]
    return ["geen"] if question.allow_none else []


def _ask_view(event: Ask, protocol: Protocol) -> dict[str, Any]:
    question = _question(protocol, event.question)
    view: dict[str, Any] = {"text": screen_words(event.text)}
    checklist = _section(protocol, event.question) if event.signs else None
    if checklist is not None:  # a whole section at once: a choice per sign (app.js)
        view.update(_where(protocol, checklist), label=checklist.title, buttons=[],
                    checklist=True)
        if checklist.checklist:  # the list is on screen: its question alone, not read out
            view["text"] = screen_words(checklist.checklist)
        return view
    view["buttons"] = buttons(protocol, event.question)
    if question is not None:
        view.update(_where(protocol, protocol.section(question.section)))
        view["label"] = question.label
        view["duration"] = question.type is AnswerType.DURATION
    elif event.question == CHOICE_QUESTION:
        view["section"] = "Oefeningen kiezen"
    elif event.question in SCORE_QUESTIONS or event.question in ACTIVITIES \
            or event.question in ("baseline_offer", "neuro"):
        view["section"] = "Beginmeting"
    return view


def _answer_view(event: Answer, protocol: Protocol) -> dict[str, Any]:
    question = _question(protocol, event.question)
    checklist = _section(protocol, event.question)
    if question is None and checklist is not None and isinstance(event.value, dict):
        return {"intake": True, "label": checklist.title,
                "shown": described(event.value, protocol),
                **_where(protocol, checklist)}
    if question is None:
        return {"intake": False}
    try:
        shown = display_value(question, event.value, protocol)
    except (KeyError, TypeError):
        shown = str(event.value)
    return {"intake": True, "label": question.label, "shown": shown,
            **_where(protocol, protocol.section(question.section))}


def result_view(result: dict[str, Any], protocol: Protocol, *,
                work_related: bool = False) -> dict[str, Any]:
    """The result (DESIGN.md "Result") in Dutch, for the result screen; with `work_related`
    (the findings say so: rules.is_work_related) the profile's work advice too, as the report's
    plan has it ("Werkgerelateerde nekpijn")."""
    therapy = result.get("therapy", {})

    def names(ids: list[str]) -> list[str]:
        return [protocol.therapy(t).name for t in ids]

    profile = result.get("profile")
    view: dict[str, Any] = {
        "grade": result.get("grade"),
        "course": COURSE_WORDS.get(str(result.get("course")), ""),
        "referral": bool(result.get("referral")),
        "urgency": URGENCY_WORDS.get(str(result.get("urgency")), ""),
        "emergency": result.get("urgency") == "emergency",
        "red_flags": [protocol.red_flag_name(f) for f in result.get("red_flags", [])],
        "unresolved": [protocol.red_flag_name(f) for f in result.get("unresolved", [])],
        "provisional": bool(result.get("provisional")),
        "reasons": list(result.get("reasons", [])),
        "cautions": [CAUTION_WORDS.get(c, c) for c in result.get("cautions", [])],
        "actions": [protocol.action(a).text for a in result.get("actions", [])],
        "recommended": names(therapy.get("recommended", [])),
        "consider": names(therapy.get("consider", [])),
        "discouraged": names(therapy.get("discouraged", [])),
        "profile": "", "advice": [], "work_advice": [],
    }
    if profile:
        chosen = protocol.profile(profile)
        view["profile"] = chosen.title
        view["advice"] = list(result.get("advice") or chosen.advice)  # stored before v3: all
        if work_related:
            view["work_advice"] = list(chosen.work_advice)
    return view


def _exercise_view(event: ExerciseStart, protocol: Protocol) -> dict[str, Any]:
    """An exercise starts: its purpose, its video and its starting position, to show."""
    try:
        exercise = protocol.library.exercise(event.code)
    except KeyError:
        return {}
    return {"purpose": exercise.purpose, "video": exercise.video, "start": exercise.start}


def view_of(event: Event, protocol: Protocol, *, work_related: bool = False) -> dict[str, Any]:
    """What the page shows beside `event`; {} when the event speaks for itself. `work_related`:
    the intake's findings say the neck pain is work-related (for a result's work advice)."""
    match event:
        case Ask():
            return _ask_view(event, protocol)
        case Confirm():
            return {"buttons": list(YES_NO), "text": screen_words(event.text)}
        case Reprompt() | Say():
            return {"text": screen_words(event.text)}
        case Answer():
            return _answer_view(event, protocol)
        case ResultEvent():
            return result_view(event.result, protocol, work_related=work_related)
        case ErrorEvent():
            return {"message": event.message}
        case ExerciseStart():
            return _exercise_view(event, protocol)
    return {}
