"""What can be said at a given moment (a recogniser's grammar) and how answers are read back."""

from __future__ import annotations

from functools import cache

from assistant.dialog.numbers import NUMBER_WORDS
from assistant.protocol.findings import MAX_AGE, UNKNOWN, Value
from assistant.protocol.model import AnswerType, Protocol, Question, Vocabulary
from assistant.protocol.result import Result
from assistant.text import format_weeks

MAX_SPOKEN_AMOUNT = 60  # durations said in words go up to sixty (weeks, days, months)


def command_phrases(vocab: Vocabulary) -> list[str]:
    """Every phrase of every command (herhaal, terug, help, pauze, verder, stop)."""
    return sorted({p for _, phrases in vocab.commands for p in phrases})


@cache
def _duration_phrases(vocab: Vocabulary, allow_none: bool) -> tuple[str, ...]:
    amounts = sorted(w for w, v in NUMBER_WORDS.items() if v <= MAX_SPOKEN_AMOUNT)
    units = sorted(u for u, _ in vocab.units)
    phrases = {f"{a} {u}" for a in amounts for u in units} | set(amounts)
    phrases |= {f"een half {u}" for u in units} | {f"een halve {u}" for u in units}
    if allow_none:
        phrases |= vocab.none_duration
    return tuple(sorted(phrases))


@cache
def _age_phrases() -> frozenset[str]:
    """Ages said in words: 'zevenenveertig', 'zevenenveertig jaar' (whole numbers to 100)."""
    words = [w for w, v in NUMBER_WORDS.items() if float(v).is_integer() and v <= MAX_AGE]
    return frozenset(words) | {f"{w} jaar" for w in words}


@cache
def accepted_phrases(vocab: Vocabulary, question: Question | None) -> list[str]:
    """Answers to `question` (yes/no when None: a confirmation or a pause) plus the commands."""
    if question is None:
        answers: list[str] = sorted(vocab.yes | vocab.no)
    elif question.type is AnswerType.YES_NO:
        answers = sorted(vocab.yes | vocab.no | vocab.doubt)
    elif question.type is AnswerType.AGE:
        answers = sorted(_age_phrases() | vocab.doubt)
    elif question.type is AnswerType.CHOICE:
        chosen = {p for _, phrases in question.choices for p in phrases}
        if question.between:  # 'matig', and the answers to the split ('eerder fors')
            chosen |= set(question.between) | {f"eerder {p}" for p in chosen}
        answers = sorted(chosen)
    else:
        answers = list(_duration_phrases(vocab, question.allow_none))
    return answers + command_phrases(vocab)


def display_value(question: Question, value: Value, protocol: Protocol) -> str:
    """An answer as it is read back: 'ja', 'fors', '3 weken', 'geen'."""
    if question.type is AnswerType.YES_NO:
        if value == UNKNOWN:
            return "weet niet: niet uitgesloten"
        return "ja" if value is True else "nee"
    if value == UNKNOWN:  # a doubt recorded, or left out of a findings file
        return "niet bekend"
    if question.type is AnswerType.CHOICE:
        return dict(question.choices)[str(value)][0]
    assert isinstance(value, int | float) and not isinstance(value, bool)  # a journal's 47 too
    if question.type is AnswerType.AGE:
        return f"{int(value)} jaar"
    if value == 0 and question.allow_none:
        return "geen"
    if value * 7 < 1:  # 'vandaag', 'een paar uur geleden'
        return "minder dan een dag"
    return format_weeks(value)


def spoken_summary(result: Result, protocol: Protocol) -> str:
    """What the assistant says at the end: the conclusion and its reasons."""
    if result.referral:
        assert result.urgency is not None
        parts = [*result.reasons[:-1], dict(protocol.referral.summary)[result.urgency]]
        if "vascular" in result.red_flags and result.urgency != "emergency":
            parts.append(protocol.referral.text("vascular_now"))
        return " ".join(parts)
    assert result.profile is not None
    prof = protocol.profile(result.profile)
    summary = prof.summary  # without manipulation when it is ruled out (rules 8 and 10)
    if "no_manipulation" in result.cautions and prof.summary_no_manipulation:
        summary = prof.summary_no_manipulation
    if result.provisional:  # the plan holds only once the flags are ruled out: say that first
        return " ".join([result.reasons[0], summary, *result.reasons[1:]])
    return " ".join([summary, *result.reasons])
