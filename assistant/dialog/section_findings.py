"""What a completed section of the intake yields as findings (the consultation's table closes
a section, then this reads its answers), and whether the words said beside a "nee" name the red
flag's sign itself. Pure functions of the protocol data and the answers."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from assistant.protocol.findings import (
    LIST_FINDINGS,
    NOT_RECORDED,
    UNKNOWN,
    CSpineRule,
    Findings,
    Value,
)
from assistant.protocol.model import AnswerType, Protocol, Question
from assistant.text import normalise

_NEGATED_BY: Final = frozenset({"geen", "niet", "nooit", "zonder", "niks", "niets"})
_NOT_A_SIGN: Final = frozenset({"patient", "patiënt", "nekpijn", "tekenen", "andere", "samen",
                                "zonder", "nieuwe", "beide", "kanten"})
_STEM: Final = 6  # letters compared: 'koorts' and 'koortsig', 'tintelingen' and 'tinteling'


def names_the_sign(question: Question, note: str) -> bool:
    """Whether the words said beside a "nee" name the red flag's sign (a word of its label, or
    one of its `sign_words`, also inside a longer word: 'borstkanker') without a negation
    before it ('alleen koorts vorige week' names 'koorts'; 'geen koorts' does not): then the
    "nee" is asked again, never taken."""
    said = " ".join((question.label, *question.sign_words))
    stems = {w[:_STEM] for w in normalise(said).split()
             if len(w) >= _STEM and w not in _NOT_A_SIGN}
    words = normalise(note).split()
    return any(len(w) >= _STEM and any(stem in w for stem in stems)
               and not _NEGATED_BY.intersection(words[max(0, i - 2):i])
               for i, w in enumerate(words))


def section_findings(
    findings: Findings, last: Question, answered: dict[str, Value], protocol: Protocol,
    *, record_also: bool = True,
) -> Findings:
    """The findings a completed section yields: a list finding holds the members answered
    "ja", added to those an earlier section found (the red flags of the history and of the
    examination); red flags of doubt go to red_flags_unknown. A part of the C-spine rule, or a
    finding asked by several questions, is true when any answer gives it (`yes_means`); a
    section that records only what it finds (`only_found`: the history's low-risk factors)
    leaves the part open when it finds none, for the examination to decide. A gate's "nee"
    gives its finding (False); its "ja" leaves the finding to the questions it opens."""
    section = protocol.section(last.section)
    questions = [q for q in protocol.section_questions(section.id) if q.id in answered]
    part = last.part
    if part is not None and part[0] in LIST_FINDINGS:
        key = part[0]

        def members(value: Value, before: object = ()) -> tuple[str, ...]:
            said = {q.part[1] for q in questions if q.part and answered[q.id] == value}
            earlier = set(before) if isinstance(before, tuple) else set()
            return tuple(m for m in LIST_FINDINGS[key] if m in said | earlier)

        found = members(True, getattr(findings, key))
        findings = findings.with_value(key, found)
        if key in ("red_flags", "precautions"):  # doubt that stayed doubt: not ruled out
            unknown = tuple(c for c in members(UNKNOWN, getattr(findings, f"{key}_unknown"))
                            if c not in found)
            findings = findings.with_value(f"{key}_unknown", unknown)
        return findings
    def said(q: Question) -> Value:  # a doubt that stayed doubt: the safer answer
        return q.counted_if_unknown if answered[q.id] == UNKNOWN else answered[q.id]

    given = any(said(q) == q.yes_means for q in questions if q.finding == last.finding)
    if last.gate:
        return findings if answered[last.id] is not False else findings.with_value(
            last.finding, False)
    if section.only_found and not given:
        return findings
    if part is not None:  # a step of the C-spine rule
        rule = replace(findings.c_spine_rule or CSpineRule(), **{part[1]: given})
        return findings.with_value(part[0], rule)
    if last.type is AnswerType.YES_NO:
        findings = findings.with_value(last.finding, given)
        return _also_recorded(findings, questions, answered) if record_also else findings
    value = answered[last.id]
    if value in (NOT_RECORDED, UNKNOWN):  # not known: each rule takes its safer reading
        return findings.with_value(last.finding, None)
    if last.type is AnswerType.AGE:
        assert isinstance(value, float)
        return findings.with_value(last.finding, int(value))
    return findings.with_value(last.finding, value)


def _also_recorded(findings: Findings, questions: list[Question],
                   answered: dict[str, Value]) -> Findings:
    """The list members the section's questions record as well (`also`: which arm signs)."""
    parts = [(q.also.partition(".")[::2], answered[q.id] is True) for q in questions if q.also]
    for key in dict.fromkeys(k for (k, _), _ in parts):
        said = {member for (k, member), yes in parts if k == key and yes}
        if said:  # none found: the list is not needed (no arm signs, no grade III)
            findings = findings.with_value(key, tuple(m for m in LIST_FINDINGS[key]
                                                      if m in said))
    return findings
