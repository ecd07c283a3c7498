"""Load the guideline data file and validate it; any fault is a ProtocolError naming the place."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from assistant.protocol.exercise_loader import load_library
from assistant.protocol.exercises import Library
from assistant.protocol.findings import FINDING_KEYS, RED_FLAG_CATEGORIES
from assistant.protocol.model import (
    RED_FLAG_PREFIX,
    Action,
    AnswerType,
    ClosurePlan,
    Condition,
    Profile,
    ProfileAction,
    Protocol,
    Question,
    Referral,
    Section,
    Therapy,
    Vocabulary,
)
from assistant.protocol.tables import ProtocolError, Table, load_packaged
from assistant.text import normalise

SCHEMA_VERSION = 1
DATA_FILE = "nekpijn.toml"
PROFILE_IDS = ("A", "B", "C", "D")
COMMANDS = ("repeat", "back", "help", "pause", "resume", "stop")
CHOICE_VALUES = {"adl_impact": ("none", "mild", "severe")}
BOOLEAN_FINDINGS = frozenset(
    {"neurological_signs", "improving", "recurrent", "psychosocial_dominant",
     "trauma_related", "work_related"}
)
DURATION_FINDINGS = frozenset({"weeks_since_onset", "work_absence_weeks"})
REASON_PLACEHOLDERS = {
    "grade_iv": {"signs"}, "course_normal": {"weeks"}, "course_long": {"weeks"},
    "absence": {"weeks"},
}
REQUIRED_REASONS = (
    "grade_iv", "grade_iii", "grade_ii", "grade_i_none", "grade_i_mild", "course_normal",
    "course_long", "course_not_improving", "course_recurrent", "course_not_needed", "profile_a",
    "profile_b", "profile_c", "profile_d", "trauma", "not_trauma", "work", "absence",
)


def _phrases(table: Table, key: str) -> frozenset[str]:
    return frozenset(normalise(p) for p in table.texts(key))


def _vocabulary(root: Table) -> Vocabulary:
    vocab = root.table("vocabulary")
    vocab.check_keys({"fillers", "yes", "no", "none_duration"})
    commands = root.table("commands")
    commands.check_keys(set(COMMANDS))
    units = root.table("units")
    unit_days: list[tuple[str, float]] = []
    for word, days in units.data.items():
        if not isinstance(days, int | float) or isinstance(days, bool) or days <= 0:
            raise ProtocolError(f"units.{word}: expected a positive number of days")
        unit_days.append((normalise(word), float(days)))
    yes, no = _phrases(vocab, "yes"), _phrases(vocab, "no")
    both = sorted(yes & no)
    if both:
        raise ProtocolError(f"vocabulary: '{both[0]}' is both a yes and a no")
    command_phrases = tuple((c, tuple(sorted(_phrases(commands, c)))) for c in COMMANDS)
    return Vocabulary(
        fillers=_phrases(vocab, "fillers"),
        yes=yes,
        no=no,
        none_duration=_phrases(vocab, "none_duration"),
        commands=command_phrases,
        units=tuple(unit_days),
    )


def _section(t: Table) -> Section:
    t.check_keys({"id", "title", "intro", "ends_on_yes"})
    return Section(
        id=t.text("id"), title=t.text("title"), intro=t.text("intro", empty_ok=True),
        ends_on_yes=t.flag("ends_on_yes"),
    )


def _question(t: Table, sections: set[str]) -> Question:
    t.check_keys({"id", "section", "finding", "type", "text", "help", "label", "source",
                  "addition", "unit", "allow_none", "choices"})
    qid = t.text("id")
    where = f"question '{qid}'"
    section = t.text("section")
    if section not in sections:
        raise ProtocolError(f"{where}: unknown section '{section}'")
    try:
        kind = AnswerType(t.text("type"))
    except ValueError:
        raise ProtocolError(f"{where}: unknown type '{t.data.get('type')}'") from None
    finding = t.text("finding")
    if finding.startswith(RED_FLAG_PREFIX):
        if finding[len(RED_FLAG_PREFIX):] not in RED_FLAG_CATEGORIES:
            raise ProtocolError(f"{where}: unknown red flag '{finding}'")
        expected = AnswerType.YES_NO
    elif finding in BOOLEAN_FINDINGS:
        expected = AnswerType.YES_NO
    elif finding in DURATION_FINDINGS:
        expected = AnswerType.DURATION
    elif finding in CHOICE_VALUES:
        expected = AnswerType.CHOICE
    else:
        raise ProtocolError(f"{where}: unknown finding '{finding}'")
    if kind is not expected:
        raise ProtocolError(f"{where}: finding '{finding}' needs type '{expected}'")
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if kind is AnswerType.CHOICE:
        table = t.table("choices")
        table.check_keys(set(CHOICE_VALUES[finding]))
        choices = tuple(
            (value, tuple(normalise(p) for p in table.texts(value)))
            for value in CHOICE_VALUES[finding]
        )
        seen: dict[str, str] = {}
        for value, phrases in choices:
            for phrase in phrases:
                if seen.setdefault(phrase, value) != value:
                    raise ProtocolError(f"{where}: '{phrase}' names two choices")
    elif "choices" in t.data:
        raise ProtocolError(f"{where}: only choice questions have choices")
    unit = t.text("unit", optional=True) or None
    if kind is AnswerType.DURATION and unit is None:
        raise ProtocolError(f"{where}: a duration question needs a unit")
    addition = t.text("addition", optional=True) or None
    return Question(
        id=qid, section=section, finding=finding, type=kind, text=t.text("text"),
        help=t.text("help"), label=t.text("label"), source=t.text("source"), addition=addition,
        unit=unit, allow_none=t.flag("allow_none"), choices=choices,
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
    t.check_keys({"name", "source", "when"})
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


def _profile(pid: str, t: Table, known: Mapping[str, set[str]]) -> Profile:
    t.check_keys({"title", "summary", "advice", "work_advice", "recommended", "consider",
                  "discouraged", "actions", "exercises", "exercise_warning", "closure",
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
        id=pid, title=t.text("title"), summary=t.text("summary"), advice=t.texts("advice"),
        work_advice=t.texts("work_advice"), recommended=refs("recommended", "therapy"),
        consider=refs("consider", "therapy"), discouraged=refs("discouraged", "therapy"),
        actions=tuple(actions), exercises=exercises, closure=t.texts("closure"),
        closure_plan=_closure_plan(t.table("closure_plan")), source=t.text("source"),
        exercise_warning=t.text("exercise_warning", optional=True) or None,
    )


def _reasons(t: Table) -> tuple[tuple[str, str], ...]:
    t.check_keys(set(REQUIRED_REASONS))
    reasons = []
    for key in REQUIRED_REASONS:
        text = t.text(key)
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        if fields != REASON_PLACEHOLDERS.get(key, set()):
            raise ProtocolError(f"reasons.{key}: placeholders {sorted(fields)} are not "
                                f"{sorted(REASON_PLACEHOLDERS.get(key, set()))}")
        reasons.append((key, text))
    return tuple(reasons)


def parse_protocol(data: Mapping[str, Any], library: Library | None = None) -> Protocol:
    """Build and validate the protocol from the parsed data file; the profiles' exercise menus
    refer to `library` (by default the shipped exercise library)."""
    if library is None:
        library = load_library()
    root = Table(data, "protocol file")
    root.check_keys({"schema_version", "protocol", "vocabulary", "commands", "units", "red_flags",
                     "sections", "questions", "therapies", "actions", "profiles",
                     "referral", "ending", "reasons"})
    if root.data.get("schema_version") != SCHEMA_VERSION:
        raise ProtocolError(f"schema_version: expected {SCHEMA_VERSION}, "
                            f"found {root.data.get('schema_version')!r}")
    meta = root.table("protocol")
    meta.check_keys({"name", "version"})

    red_flags = []
    for category, t in root.table("red_flags").items():
        t.check_keys({"name", "source"})
        if category not in RED_FLAG_CATEGORIES:
            raise ProtocolError(f"red_flags.{category}: unknown category")
        t.text("source")
        red_flags.append((category, t.text("name")))
    missing = sorted(set(RED_FLAG_CATEGORIES) - {c for c, _ in red_flags})
    if missing:
        raise ProtocolError(f"red_flags: category '{missing[0]}' is missing")

    sections = tuple(_section(t) for t in root.tables("sections"))
    section_ids = {s.id for s in sections}
    questions = tuple(_question(t, section_ids) for t in root.tables("questions"))
    ids = [q.id for q in questions]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise ProtocolError(f"question '{duplicate}' is defined twice")
    for section in sections:
        if not any(q.section == section.id for q in questions):
            raise ProtocolError(f"section '{section.id}' has no questions")
    asked = {q.finding for q in questions}
    for category in RED_FLAG_CATEGORIES:
        if RED_FLAG_PREFIX + category not in asked:
            raise ProtocolError(f"red flag '{category}' has no screening question")
    for key in FINDING_KEYS:
        if key != "red_flags" and key not in asked:
            raise ProtocolError(f"finding '{key}' has no question")

    therapies = tuple((tid, _therapy(tid, t)) for tid, t in root.table("therapies").items())
    actions = []
    for aid, t in root.table("actions").items():
        t.check_keys({"text", "source"})
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
    referral.check_keys({"summary", "letter", "source"})
    ending = root.table("ending")
    ending.check_keys({"advice", "source"})
    ending.text("source")
    return Protocol(
        schema_version=SCHEMA_VERSION,
        name=meta.text("name"),
        version=meta.text("version"),
        vocabulary=_vocabulary(root),
        red_flags=tuple(red_flags),
        sections=sections,
        questions=questions,
        therapies=therapies,
        actions=tuple(actions),
        library=library,
        profiles=tuple(profiles),
        referral=Referral(referral.text("summary"), referral.texts("letter"),
                          referral.text("source")),
        ending_advice=ending.texts("advice"),
        reasons=_reasons(root.table("reasons")),
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
