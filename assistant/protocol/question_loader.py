"""Load what the intake asks and how it hears the answers from the guideline's data file:
[[sections]], [[questions]] (each checked against the findings it fills) and the vocabulary.
Any fault is a ProtocolError naming the place."""

from __future__ import annotations

from assistant.protocol.findings import (
    BOOLEAN_FINDINGS,
    CHOICE_FINDINGS,
    DURATION_FINDINGS,
    FINDING_KEYS,
    LIST_FINDINGS,
    MAX_AGE,
    NOT_RECORDED,
    OBJECT_FINDINGS,
    OPTIONAL_KEYS,
)
from assistant.protocol.model import AnswerType, Question, Section, Vocabulary
from assistant.protocol.tables import ProtocolError, Table
from assistant.text import normalise

COMMANDS = ("repeat", "back", "help", "pause", "resume", "stop")
CHOICE_VALUES = CHOICE_FINDINGS
ALARM_FINDINGS = ("red_flags", "c_spine_rule", "acute_deficit_now")
FOUND_BY = ("history", "examination")


def _phrases(table: Table, key: str) -> frozenset[str]:
    return frozenset(normalise(p) for p in table.texts(key))


def parse_vocabulary(root: Table) -> Vocabulary:
    """How answers and commands are heard: [vocabulary], [commands], [units] (word → days) and
    [unit_abbreviations], as normalised phrases; a phrase in two of yes, no and doubt, or a
    doubt word that is no single word, is a ProtocolError."""
    vocab = root.table("vocabulary")
    vocab.check_keys({"fillers", "yes", "no", "doubt", "doubt_words", "unchecked_words",
                      "none_duration", "just_now"})
    commands = root.table("commands")
    commands.check_keys(set(COMMANDS))
    units = root.table("units")
    unit_days: list[tuple[str, float]] = []
    for word, days in units.data.items():
        if not isinstance(days, int | float) or isinstance(days, bool) or days <= 0:
            raise ProtocolError(f"units.{word}: expected a positive number of days")
        unit_days.append((normalise(word), float(days)))
    abbreviations = root.table("unit_abbreviations")
    typed: list[tuple[str, float]] = []
    for word, unit in abbreviations.data.items():
        if not isinstance(unit, str) or normalise(unit) not in dict(unit_days):
            raise ProtocolError(f"unit_abbreviations.{word}: expected a unit word of [units]")
        typed.append((normalise(word), dict(unit_days)[normalise(unit)]))
    yes, no = _phrases(vocab, "yes"), _phrases(vocab, "no")
    doubt = _phrases(vocab, "doubt")
    both = sorted((yes & no) | (doubt & (yes | no)))
    if both:
        raise ProtocolError(f"vocabulary: '{both[0]}' is in two of yes, no and doubt")
    doubt_words, unchecked = _phrases(vocab, "doubt_words"), _phrases(vocab, "unchecked_words")
    if clash := sorted(w for w in doubt_words | unchecked if " " in w or w in yes | no):
        raise ProtocolError(f"vocabulary.doubt_words: '{clash[0]}' is no single word of doubt")
    command_phrases = tuple((c, tuple(sorted(_phrases(commands, c)))) for c in COMMANDS)
    return Vocabulary(
        fillers=_phrases(vocab, "fillers"),
        yes=yes,
        no=no,
        doubt=doubt,
        doubt_words=doubt_words,
        unchecked_words=unchecked,
        none_duration=_phrases(vocab, "none_duration"),
        just_now=_phrases(vocab, "just_now"),
        commands=command_phrases,
        units=tuple(unit_days),
        typed_units=tuple(typed),
    )


def _section(t: Table) -> Section:
    t.check_keys({"id", "title", "intro", "ends_when_found", "checklist", "checklist_help",
                  "only_found"})
    checklist = t.text("checklist", optional=True) or None
    checklist_help = t.text("checklist_help", optional=True) or None
    if (checklist is None) != (checklist_help is None):
        raise ProtocolError(f"section '{t.data.get('id')}': 'checklist' and 'checklist_help' "
                            "come together")
    return Section(
        id=t.text("id"), title=t.text("title"), intro=t.text("intro", empty_ok=True),
        ends_when_found=t.flag("ends_when_found"), checklist=checklist,
        checklist_help=checklist_help, only_found=t.flag("only_found"),
    )


def _question(t: Table, sections: set[str]) -> Question:
    t.check_keys({"id", "section", "finding", "type", "text", "help", "label", "source",
                  "addition", "unit", "allow_none", "choices", "why", "yes_means", "alarm",
                  "found_by", "letter_label", "also", "between", "split", "may_be_unknown",
                  "unknown_counts",
                  "answered_by", "min_age", "max_age", "needs_age", "read_back_yes",
                  "read_back_bare", "sign_words", "names", "gate"})
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
    key, dot, member = finding.partition(".")
    members = {**LIST_FINDINGS, **OBJECT_FINDINGS}
    if dot:
        if member not in members.get(key, ()):
            raise ProtocolError(f"{where}: unknown finding '{finding}'")
        expected = AnswerType.YES_NO
    elif finding in BOOLEAN_FINDINGS:
        expected = AnswerType.YES_NO
    elif finding in DURATION_FINDINGS:
        expected = AnswerType.DURATION
    elif finding in CHOICE_VALUES:
        expected = AnswerType.CHOICE
    elif finding == "age_years":
        expected = AnswerType.AGE
    else:
        raise ProtocolError(f"{where}: unknown finding '{finding}'")
    if kind is not expected:
        raise ProtocolError(f"{where}: finding '{finding}' needs type '{expected}'")
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if kind is AnswerType.CHOICE:
        table = t.table("choices")
        values: tuple[str, ...] = CHOICE_VALUES[finding]
        if finding in OPTIONAL_KEYS and NOT_RECORDED in table.data:  # "niet genoteerd"
            values = (*values, NOT_RECORDED)
        table.check_keys(set(values))
        choices = tuple(
            (value, tuple(normalise(p) for p in table.texts(value))) for value in values
        )
        seen: dict[str, str] = {}
        for value, phrases in choices:
            for phrase in phrases:
                if seen.setdefault(phrase, value) != value:
                    raise ProtocolError(f"{where}: '{phrase}' names two choices")
    elif "choices" in t.data or "between" in t.data:
        raise ProtocolError(f"{where}: only choice questions have choices or between")
    between = tuple(normalise(p) for p in t.texts("between", optional=True))
    split = t.text("split", optional=True) or None
    if bool(between) != bool(split):
        raise ProtocolError(f"{where}: 'between' and 'split' come together")
    if named := [p for p in between if any(p in phrases for _, phrases in choices)]:
        raise ProtocolError(f"{where}.between: '{named[0]}' is a choice already")
    unit = t.text("unit", optional=True) or None
    if kind is AnswerType.DURATION and unit is None:
        raise ProtocolError(f"{where}: a duration question needs a unit")
    addition = t.text("addition", optional=True) or None
    alarm = t.data.get("alarm")
    if alarm is not None and (not isinstance(alarm, bool) or key not in ALARM_FINDINGS):
        raise ProtocolError(f"{where}.alarm: only red-flag, C-spine and deficit questions "
                            "raise an alarm (true or false)")
    if key == "red_flags" and alarm is not True:
        raise ProtocolError(f"{where}.alarm: a red-flag question needs alarm = true")
    why = t.text("why", optional=True) or None
    if dot and why is None:
        raise ProtocolError(f"{where}.why: a screening question says why it is asked")
    found_by = t.data.get("found_by", "history")
    if found_by not in FOUND_BY:
        raise ProtocolError(f"{where}.found_by: expected one of {', '.join(FOUND_BY)}")
    if kind is not AnswerType.YES_NO and ("yes_means" in t.data or alarm is not None
                                          or "also" in t.data):
        raise ProtocolError(f"{where}: only yes/no questions have yes_means, alarm or also")
    also = t.text("also", optional=True) or None
    if also is not None:
        also_key, _, also_member = also.partition(".")
        if dot or also_member not in LIST_FINDINGS.get(also_key, ()):
            raise ProtocolError(f"{where}.also: expected '<list finding>.<member>' on a "
                                f"question of a plain finding, not '{also}'")
    ages = {key: t.data.get(key) for key in ("min_age", "max_age")}
    for key, age in ages.items():
        if age is not None and (not isinstance(age, int) or isinstance(age, bool)
                                or not 0 < age <= MAX_AGE):
            raise ProtocolError(f"{where}.{key}: expected whole years 1-{MAX_AGE}")
    if t.flag("needs_age") and ages["min_age"] is None and ages["max_age"] is None:
        raise ProtocolError(f"{where}.needs_age: goes with min_age or max_age")
    answered_by = t.text("answered_by", optional=True) or None
    if answered_by is not None and answered_by not in FINDING_KEYS:
        raise ProtocolError(f"{where}.answered_by: unknown finding '{answered_by}'")
    return Question(
        id=qid, section=section, finding=finding, type=kind, text=t.text("text"),
        help=t.text("help"), label=t.text("label"), source=t.text("source"), addition=addition,
        unit=unit, allow_none=t.flag("allow_none"), choices=choices, between=between,
        split=split, why=why,
        yes_means=t.flag("yes_means", default=True), alarm=alarm, found_by=found_by,
        letter_label=t.text("letter_label", optional=True) or None, also=also,
        may_be_unknown=t.flag("may_be_unknown"), answered_by=answered_by,
        unknown_counts=_unknown_counts(t, where),
        min_age=ages["min_age"], max_age=ages["max_age"], needs_age=t.flag("needs_age"),
        read_back_yes=t.flag("read_back_yes"), read_back_bare=t.flag("read_back_bare"),
        sign_words=t.texts("sign_words", optional=True),
        names=tuple(normalise(n) for n in t.texts("names", optional=True)),
        gate=_gate(t, where, kind, dot),
    )


def _unknown_counts(t: Table, where: str) -> bool | None:
    """What a not-known answer counts as: only for a yes/no question that records doubt."""
    if "unknown_counts" not in t.data:
        return None
    value = t.flag("unknown_counts")
    if not t.flag("may_be_unknown") or t.data.get("type") != "yes_no":
        raise ProtocolError(f"{where}.unknown_counts: only with may_be_unknown, on a yes/no "
                            "question")
    return value


def _gate(t: Table, where: str, kind: AnswerType, part: str) -> bool:
    """A gate is a yes/no question of a plain finding (its "nee" gives the finding)."""
    gate = t.flag("gate")
    if gate and (kind is not AnswerType.YES_NO or part):
        raise ProtocolError(f"{where}.gate: only a yes/no question of a plain finding")
    return gate


def _check_checklist(section: Section, signs: list[Question]) -> None:
    """A checklist's signs are yes/no parts of one list finding, each with names; no name
    names signs of two categories (an answer naming it would be ambiguous)."""
    keys = {q.part[0] if q.part else q.finding for q in signs}
    if len(keys) != 1 or next(iter(keys)) not in LIST_FINDINGS:
        raise ProtocolError(f"section '{section.id}': a checklist's questions fill one list "
                            "finding")
    seen: dict[str, Question] = {}
    for q in signs:
        if not q.names:
            raise ProtocolError(f"question '{q.id}': a checklist sign needs names")
        for name in q.names:  # shared only by variants of one sign ('50+' or not)
            if seen.setdefault(name, q).finding != q.finding:
                raise ProtocolError(f"question '{q.id}': the name '{name}' names "
                                    f"'{seen[name].id}' too")


def parse_questions(root: Table) -> tuple[tuple[Section, ...], tuple[Question, ...]]:
    """The sections and their questions, in the data's order: every question's id once, every
    section with a question, and every finding (each part of a list or object finding) asked
    by some question (the optional "unknown" lists excepted)."""
    sections = tuple(_section(t) for t in root.tables("sections"))
    section_ids = {s.id for s in sections}
    questions = tuple(_question(t, section_ids) for t in root.tables("questions"))
    ids = [q.id for q in questions]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise ProtocolError(f"question '{duplicate}' is defined twice")
    for section in sections:
        members = [q for q in questions if q.section == section.id]
        if not members:
            raise ProtocolError(f"section '{section.id}' has no questions")
        if section.checklist is not None:
            _check_checklist(section, members)
    asked = {q.finding for q in questions} | {q.also for q in questions if q.also}
    for key, parts in {**LIST_FINDINGS, **OBJECT_FINDINGS}.items():
        for part in parts:
            if f"{key}.{part}" not in asked:
                raise ProtocolError(f"finding '{key}.{part}' has no question")
    for key in FINDING_KEYS:
        if key not in (*LIST_FINDINGS, *OBJECT_FINDINGS, "red_flags_unknown",
                       "precautions_unknown") \
                and key not in asked:
            raise ProtocolError(f"finding '{key}' has no question")
    return sections, questions
