"""Load the guideline data file (nekpijn.toml) and validate it: the red flags, precautions,
therapies, actions, profiles, referral letter, reasons and dialog texts here; the sections,
questions and vocabulary in question_loader.py. Any fault is a ProtocolError naming the place."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from assistant.protocol.dialog_texts import parse_dialog_texts
from assistant.protocol.exercise_loader import load_library
from assistant.protocol.exercises import Library
from assistant.protocol.findings import LIST_FINDINGS, RED_FLAG_CATEGORIES, TRAUMA_WINDOW_WEEKS
from assistant.protocol.model import (
    Action,
    ClosurePlan,
    Condition,
    Precaution,
    Profile,
    ProfileAction,
    Protocol,
    RedFlag,
    Referral,
    Therapy,
)
from assistant.protocol.question_loader import parse_questions, parse_vocabulary
from assistant.protocol.tables import ProtocolError, Table, load_packaged

SCHEMA_VERSION = 2
DATA_FILE = "nekpijn.toml"
PROFILE_IDS = ("A", "B", "C", "D")
URGENCIES = ("acute", "routine")  # of a category; "emergency" comes from a deficit now
REASON_PLACEHOLDERS = {
    "grade_iv": {"signs"}, "course_normal": {"weeks"}, "course_long": {"weeks"},
    "absence": {"weeks"}, "absence_not_work": {"weeks"}, "grade_iii_signs": {"signs", "side"},
    "fracture_c_spine": {"step"}, "fracture_precaution": {"precautions"},
    "unresolved": {"signs"}, "unresolved_referral": {"signs"}, "precaution": {"precautions"},
    "minor": {"age"}, "trauma_old": {"weeks", "window"}, "unknown_no_manipulation": {"signs"},
}
REQUIRED_REASONS = (
    "grade_iv", "fracture_c_spine", "c_spine_high_risk", "c_spine_no_low_risk",
    "c_spine_no_rotation", "fracture_precaution", "unresolved_referral", "urgency_acute",
    "urgency_routine",
    "unresolved", "trauma_cleared", "trauma_imaged", "precaution", "grade_iii",
    "grade_iii_signs", "bilateral_arm_signs", "arm_side_left", "arm_side_right",
    "arm_side_both", "arm_side_unknown",
    "grade_iii_positive", "grade_iii_negative", "grade_iii_not_done", "grade_ii",
    "grade_i_none", "grade_i_mild", "course_normal",
    "course_long", "course_not_improving", "course_recurrent", "profile_a",
    "profile_b", "profile_c", "profile_d", "not_trauma", "work", "absence",
    "absence_not_work", "emergency", "urgency_emergency", "minor", "c_spine_child",
    "c_spine_age", "trauma_old", "unknown_no_manipulation",
)
LETTER_PLACEHOLDERS = {
    "seen": {"date"}, "seen_duration": {"date", "duration"}, "conclusion": {"categories"},
    "trauma": {"step"}, "trauma_precaution": {"precautions"}, "unresolved": {"categories"},
    "precautions": {"precautions"}, "age": {"age"}, "accident_when": {"weeks"},
    "precautions_unknown": {"precautions"}, "bilateral": {"signs"},
}
LETTER_PARTS = (
    "salutation", "patient", "seen", "seen_duration", "history", "examination", "not_checked",
    "not_ruled_out", "from_file", "trauma", "accident",
    "trauma_precaution", "precautions", "conclusion", "unresolved", "acute", "vascular_now",
    "routine", "closing", "therapist", "practice", "phone", "emergency", "age", "accident_when",
    "accident_when_unknown", "precautions_unknown", "bilateral",
)


def _condition(value: Any, where: str, allowed: set[Condition]) -> Condition:
    try:
        condition = Condition(value if value is not None else "always")
    except ValueError:
        raise ProtocolError(f"{where}: unknown condition '{value}'") from None
    if condition not in allowed:
        raise ProtocolError(f"{where}: condition '{condition}' is not allowed here")
    return condition


def _therapy(tid: str, t: Table) -> Therapy:
    t.check_keys({"name", "source", "when", "addition"})
    allowed = {Condition.ALWAYS, Condition.TRAUMA_RELATED, Condition.NOT_TRAUMA_RELATED,
               Condition.WORK_RELATED}
    return Therapy(id=tid, name=t.text("name"), source=t.text("source"),
                   when=_condition(t.data.get("when"), f"therapies.{tid}.when", allowed))


def _closure_plan(t: Table) -> ClosurePlan:
    t.check_keys({"max_sessions", "evaluate_with", "review_after_weeks", "refer_gp_if_worse"})
    for key in ("max_sessions", "review_after_weeks"):
        value = t.data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value <= 0):
            raise ProtocolError(f"{t.where}.{key}: expected a positive whole number")
    plan = ClosurePlan(
        max_sessions=t.data.get("max_sessions"),
        evaluate_with=t.texts("evaluate_with", optional=True),
        review_after_weeks=t.data.get("review_after_weeks"),
        refer_gp_if_worse=t.flag("refer_gp_if_worse"),
    )
    if plan.max_sessions is None and plan.review_after_weeks is None:
        raise ProtocolError(f"{t.where}: needs max_sessions or review_after_weeks")
    return plan


def _later(pid: str, later: tuple[str, ...], menu: tuple[str, ...]) -> tuple[str, ...]:
    """The exercises offered only when the therapy helps too little: none of them on the menu."""
    both = [code for code in later if code in menu]
    if both:
        raise ProtocolError(f"profiles.{pid}.exercises_if_insufficient: '{both[0]}' is also on "
                            "the menu")
    return later


def _profile(pid: str, t: Table, known: Mapping[str, set[str]]) -> Profile:
    t.check_keys({"title", "summary", "summary_no_manipulation", "advice", "work_advice",
                  "recommended", "consider",
                  "discouraged", "actions", "exercises", "exercises_if_insufficient",
                  "exercise_warning", "closure",
                  "closure_plan", "source"})

    def refs(key: str, kind: str) -> tuple[str, ...]:
        values = t.texts(key, optional=True)
        for value in values:
            if value not in known[kind]:
                raise ProtocolError(f"profiles.{pid}.{key}: unknown {kind} '{value}'")
        if len(set(values)) != len(values):
            raise ProtocolError(f"profiles.{pid}.{key}: listed twice")
        return values

    actions: list[ProfileAction] = []
    raw_actions = t.data.get("actions", [])
    if not isinstance(raw_actions, list):
        raise ProtocolError(f"profiles.{pid}.actions: expected a list")
    for i, raw in enumerate(raw_actions):
        a = Table(raw, f"profiles.{pid}.actions[{i}]")
        a.check_keys({"id", "when"})
        aid = a.text("id")
        if aid not in known["action"]:
            raise ProtocolError(f"{a.where}: unknown action '{aid}'")
        actions.append(ProfileAction(aid, _condition(a.data.get("when"), a.where, set(Condition))))
    exercises = refs("exercises", "exercise")
    if not exercises:
        raise ProtocolError(f"profiles.{pid}.exercises: the menu is empty")
    return Profile(
        id=pid, title=t.text("title"), summary=t.text("summary"),
        summary_no_manipulation=t.text("summary_no_manipulation", optional=True) or None,
        advice=t.texts("advice"),
        work_advice=t.texts("work_advice"), recommended=refs("recommended", "therapy"),
        consider=refs("consider", "therapy"), discouraged=refs("discouraged", "therapy"),
        actions=tuple(actions), exercises=exercises, closure=t.texts("closure"),
        closure_plan=_closure_plan(t.table("closure_plan")), source=t.text("source"),
        exercise_warning=t.text("exercise_warning", optional=True) or None,
        exercises_if_insufficient=_later(pid, refs("exercises_if_insufficient", "exercise"),
                                         exercises),
    )


def _placeholders(t: Table, keys: tuple[str, ...],
                  placeholders: Mapping[str, set[str]]) -> tuple[tuple[str, str], ...]:
    """Texts with exactly the placeholders their key allows."""
    t.check_keys(set(keys))
    return tuple((key, t.template(key, placeholders.get(key, set()))) for key in keys)


def _red_flag(category: str, t: Table) -> RedFlag:
    t.check_keys({"name", "urgency", "source", "addition"})
    if category not in RED_FLAG_CATEGORIES:
        raise ProtocolError(f"red_flags.{category}: unknown category (the findings know "
                            f"{', '.join(RED_FLAG_CATEGORIES)}: add a new one to "
                            "RED_FLAG_CATEGORIES in assistant/protocol/findings.py)")
    urgency = t.text("urgency")
    if urgency not in URGENCIES:
        raise ProtocolError(f"red_flags.{category}.urgency: expected acute or routine")
    return RedFlag(id=category, name=t.text("name"), urgency="acute" if urgency == "acute"
                   else "routine", source=t.text("source"),
                   addition=t.text("addition", optional=True) or None)


def _precaution(item: str, t: Table) -> Precaution:
    t.check_keys({"name", "why", "source", "addition"})
    if item not in LIST_FINDINGS["precautions"]:
        raise ProtocolError(f"precautions.{item}: unknown precaution (the findings know "
                            f"{', '.join(LIST_FINDINGS['precautions'])}: add a new one to "
                            "PRECAUTIONS in assistant/protocol/findings.py)")
    return Precaution(id=item, name=t.text("name"), why=t.text("why"), source=t.text("source"),
                      addition=t.text("addition", optional=True) or None)


def parse_protocol(data: Mapping[str, Any], library: Library | None = None) -> Protocol:
    """Build and validate the protocol from the parsed data file; the profiles' exercise menus
    refer to `library` (by default the shipped exercise library)."""
    if library is None:
        library = load_library()
    root = Table(data, "protocol file")
    root.check_keys({"schema_version", "protocol", "vocabulary", "commands", "units",
                    "unit_abbreviations", "red_flags",
                     "precautions", "sections", "questions", "therapies", "actions", "profiles",
                     "referral", "ending", "reasons", "dialog", "participation",
                     "c_spine_rule"})
    if root.data.get("schema_version") != SCHEMA_VERSION:
        raise ProtocolError(f"schema_version: expected {SCHEMA_VERSION}, "
                            f"found {root.data.get('schema_version')!r}")
    meta = root.table("protocol")
    meta.check_keys({"name", "version"})

    red_flags = tuple(_red_flag(c, t) for c, t in root.table("red_flags").items())
    missing = sorted(set(RED_FLAG_CATEGORIES) - {r.id for r in red_flags})
    if missing:
        raise ProtocolError(f"red_flags: category '{missing[0]}' is missing")
    precautions = tuple(_precaution(i, t) for i, t in root.table("precautions").items())
    missing = sorted(set(LIST_FINDINGS["precautions"]) - {p.id for p in precautions})
    if missing:
        raise ProtocolError(f"precautions: '{missing[0]}' is missing")

    sections, questions = parse_questions(root)

    therapies = tuple((tid, _therapy(tid, t)) for tid, t in root.table("therapies").items())
    actions = []
    for aid, t in root.table("actions").items():
        t.check_keys({"text", "source", "addition"})
        actions.append((aid, Action(aid, t.text("text"), t.text("source"))))
    known = {
        "therapy": {tid for tid, _ in therapies},
        "action": {aid for aid, _ in actions},
        "exercise": set(library.codes),
    }
    profile_table = root.table("profiles")
    profile_table.check_keys(set(PROFILE_IDS))
    profiles = []
    for pid in PROFILE_IDS:
        if pid not in profile_table.data:
            raise ProtocolError(f"profiles.{pid}: missing")
        profiles.append((pid, _profile(pid, profile_table.table(pid), known)))

    referral = root.table("referral")
    referral.check_keys({"summary_emergency", "summary_acute", "summary_routine", "letter",
                         "source"})
    participation = root.table("participation")
    participation.check_keys({"work", "school", "closure_work", "closure_no_work", "source",
                              "addition"})
    participation.text("addition")
    work = participation.text("work")
    for pid, prof in profiles:
        if work not in prof.advice:
            raise ProtocolError(f"profiles.{pid}.advice: the line participation.work is missing")
    if not any(participation.text("closure_work") in prof.closure for _, prof in profiles):
        raise ProtocolError("participation.closure_work: no profile's closure has this line")
    window = root.table("c_spine_rule")
    window.check_keys({"window_weeks", "source", "addition"})
    if window.data.get("window_weeks") != TRAUMA_WINDOW_WEEKS:
        raise ProtocolError(f"c_spine_rule.window_weeks: the rules use {TRAUMA_WINDOW_WEEKS}")
    window.text("source")
    window.text("addition")
    ending = root.table("ending")
    ending.check_keys({"advice", "source"})
    ending.text("source")
    return Protocol(
        schema_version=SCHEMA_VERSION, name=meta.text("name"), version=meta.text("version"),
        vocabulary=parse_vocabulary(root), red_flags=red_flags, precautions=precautions,
        sections=sections, questions=questions, therapies=therapies, actions=tuple(actions),
        library=library, profiles=tuple(profiles),
        referral=Referral(
            summary=(("emergency", referral.text("summary_emergency")),
                     ("acute", referral.text("summary_acute")),
                     ("routine", referral.text("summary_routine"))),
            letter=_placeholders(referral.table("letter"), LETTER_PARTS, LETTER_PLACEHOLDERS),
            source=referral.text("source")),
        ending_advice=ending.texts("advice"),
        participation=(work, participation.text("school")),
        closure_without_work=(participation.text("closure_work"),
                              participation.text("closure_no_work")),
        reasons=_placeholders(root.table("reasons"), REQUIRED_REASONS, REASON_PLACEHOLDERS),
        dialog=parse_dialog_texts(root.table("dialog")),
    )


def load_protocol_file(path: Path) -> Protocol:
    """Load a protocol data file from a path."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProtocolError(f"{path}: cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{path}: not valid TOML ({exc})") from None
    return parse_protocol(data)


@cache
def load_protocol() -> Protocol:
    """The protocol shipped with the package (loaded once)."""
    return load_packaged(DATA_FILE, parse_protocol)
