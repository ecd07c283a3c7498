"""Turning a Dutch utterance into what it means (readings.py). The same parser serves text and
voice.

Nothing is guessed: an answer matches the vocabulary of the protocol data (after normalisation
and without filler words), and may be followed by free words, which become its note ('ja, een
kop-staartbotsing'). An answer followed by its opposite ('ja, nee'), two amounts, a range or
anything worked out ('sinds september') is asked again or read back; see durations.py.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Final

from assistant.dialog.age import read_age
from assistant.dialog.durations import correction_at, read_duration
from assistant.dialog.readings import Between, Command, Doubt, Intent, Unclear, Understood
from assistant.dialog.words import clean, contains, longest_prefix, normal
from assistant.protocol.model import AnswerType, Question, Vocabulary

__all__ = [
    "Between",
    "Command",
    "Doubt",
    "Intent",
    "Unclear",
    "Understood",
    "interpret",
    "parse_command",
    "parse_yes_no",
    "read_yes_no",
]

# Keyboard shorthand and slips for the first word: 'j', 'n', 'jaa', 'neee'.
_SLIPS: Final = ((re.compile(r"j|ja+h?|jaa+"), "ja"), (re.compile(r"n|ne{3,}|neen+"), "nee"))
# After a "ja" these say the opposite ('ja, nee', 'ja maar niet altijd'); after a "nee" these
# ('nee hoor, toch wel'), or a short yes ('nee, wel eens'): 'nee, wel wat stijf' is a nee.
_AGAINST_YES: Final = frozenset({"nee", "neen", "n", "niet", "geen", "nooit", "niks", "niets"})
_AGAINST_NO: Final = frozenset({"ja", "j", "jawel", "toch", "welles", "soms", "behalve"})
_DECORATION: Final = frozenset({"hoor"})  # 'nee hoor, eerste keer': the note is 'eerste keer'

# Generic words that may follow a choice without naming another one ('fors, kan niet werken').
_GENERIC: Final = frozenset({"nee", "niet", "ja", "niks", "niets", "geen", "nul"})
_LEAD: Final = frozenset({"eerder"})  # 'eerder fors': the answer to a split question
_NEGATIONS: Final = frozenset({"niet", "geen", "nee"})
_NEGATION_WORDS: Final = frozenset({"niet", "geen", "nooit", "niks", "niets"})  # inside a phrase
# Before a word of checking ('gecontroleerd', 'gelet', 'gevraagd': the vocabulary's
# unchecked_words), anywhere in the answer: it was not done ('nee, nooit gecontroleerd', 'nee,
# daar heb ik niet op gelet', 'nog niet onderzocht'). Not 'niks': 'foto gemaakt, niks gezien'.
_UNDONE: Final = frozenset({"niet", "nog", "geen", "nooit"})
# After a "ja", these lead into what limits it ('ja, maar niet altijd', 'ja, eigenlijk niet',
# 'ja... nee toch niet'): a "no" right after them, or any negation after a limiting one, is a
# contradiction. A negation further on in a description is its story ('ja, CT-scan, geen
# breuk', 'ja, knoopjes lukken niet meer').
_LIMITING: Final = frozenset({"maar", "eigenlijk", "toch", "alleen", "behalve", "hoewel",
                              "alhoewel", "althans", "tenminste", "echter", "al"})
_LEADING: Final = _LIMITING | {"soms", "meestal", "vaak", "nu", "inmiddels", "tegenwoordig",
                               "wel", "nou", "dus", "ook", "of", "en", "hoor", "zeker"}
_NO_WORDS: Final = frozenset({"nee", "neen", "n"})  # a "nee" anywhere after a "ja"
# A negation before a degree takes the "ja" back, wherever it stands ('ja, het gaat niet beter',
# 'ja, niet echt', 'ja, maar niet altijd').
_HEDGED: Final = frozenset({"beter", "minder", "erger", "slechter", "echt", "altijd", "zo",
                            "zoveel", "veel", "vaak", "helemaal", "zeker", "duidelijk"})
# After a "ja", a description that starts with when, where or which side limits the "ja" too: a
# negation in it is a contradiction ('ja, links niet', 'ja, bij inspanning niet', 'ja,
# vroeger, nu niet meer', 'ja, 's nachts niet'), unlike a story ('ja, knoopjes lukken niet').
_ADVERBIAL: Final = frozenset({
    "bij", "in", "op", "met", "tijdens", "na", "voor", "onder", "zonder", "aan", "vanaf",
    "sinds", "s", "links", "rechts", "beide", "allebei", "beiden", "vroeger", "eerst", "toen",
    "momenteel", "vandaag", "laatst", "overdag", "nachts", "avonds", "ochtends", "middags",
})
# Words that are doubt when they are the answer ('onduidelijk', 'nee, onduidelijk', 'ja, dat is
# onduidelijk') and a symptom in a description after a clear answer ('ja, praat onduidelijk',
# 'ja, spraak is onduidelijk sinds gisteren'; 'links, loopt onzeker'). Every other word of doubt
# ('weet', 'denk', 'twijfelachtig') stays doubt wherever it stands.
SYMPTOM_WORDS: Final = frozenset({"onduidelijk", "onbekend", "onzeker"})
# Words that describe nothing before such a word: 'ja, dat is nog onduidelijk' stays doubt.
_VAGUE: Final = _LEADING | {"dat", "het", "dit", "die", "is", "was", "blijft", "bleef", "lijkt",
                            "nog", "wat", "erg", "heel", "zeer", "vrij", "nogal", "best", "een",
                            "beetje", "mij", "me", "voor", "allemaal", "helemaal", "zo", "te",
                            "ja", "nee", "niet", "geen", "er", "daar", "hier", "eh"}
_MASK: Final = "_"  # a word taken out of the doubt check (normalise never writes '_')
_COMPARED: Final = frozenset({"minder"})  # 'fors minder': compared with what?
_EXCEPT: Final = frozenset({"alleen", "behalve", "maar", "wel"})  # 'geen, alleen bij sporten'
# After 'geen' ('nee'): it grows or weighs ('nee, eigenlijk steeds erger', 'nee, het neemt
# toe', 'nee, steeds meer last'), so not none at all: asked again.
_WORSE: Final = frozenset({
    "erger", "slechter", "zwaarder", "heftiger", "lastiger", "groter", "meer", "steeds", "toe",
    "toenemend", "toenemende", "verergert", "verergerd", "verergeren"})
# After a "nee": now and then, or before, it was so ('nee, af en toe', 'nee, eerst wel').
_SOMETIMES: Final = ("af en toe", "eerst wel", "eerder wel", "nog wel", "wel eens",
                     "een keer", "1x", "een enkele keer", "soms")
_PUNCTUATION = " ,.;:!?-–—…"
_CLAUSE = re.compile(r"[;:!?…]|[,.](?!\d)")  # clause marks, not a decimal comma ('2,5')
_SPACED = re.compile(r"(?<=[^\W\d_])([,;:!?.])(?=\S)")  # 'nee,eerste' → 'nee, eerste'


def parse_command(text: str, vocab: Vocabulary) -> Command | None:
    phrase = clean(text, vocab)
    for name, phrases in vocab.commands:
        if phrase in phrases:
            return Command(name)
    return None


def _tokens(text: str, vocab: Vocabulary) -> list[str]:
    """The words of `text` without fillers, the first one's shorthand spelled out (only as
    typed: "'n beetje", 'N.B.' and 'n.v.t.' are no 'nee')."""
    words = clean(text, vocab).split()
    typed = [w for w in text.split() if normal(w) not in vocab.fillers]
    first = typed[0].lower().rstrip(",;:!?.") if typed else ""
    if words:
        for pattern, word in _SLIPS:
            if pattern.fullmatch(first) and normal(first) == words[0]:
                words[0] = word
    return words


def _first_clause(text: str, vocab: Vocabulary) -> int:
    """How many words come before the first comma, full stop or other clause mark ('Klopt.
    Niet bij inspanning.': 1), so an answer never takes a word from the next clause."""
    clause = _CLAUSE.split(text, maxsplit=1)[0]
    return len(clean(clause, vocab).split())


def _clause_of(text: str, vocab: Vocabulary) -> list[int]:
    """For each word of clean(text), the number of its clause (split as _first_clause does)."""
    numbers: list[int] = []
    for number, clause in enumerate(_CLAUSE.split(text)):
        numbers += [number] * len(clean(clause, vocab).split())
    return numbers


def _described(words: list[str], start: int, text: str, vocab: Vocabulary) -> list[str]:
    """`words` with each symptom word (SYMPTOM_WORDS) masked that stands in a description
    after the answer's first `start` words: in its clause, after the answer, a word that
    describes something comes before it ('ja, praat onduidelijk'), not only 'dat is', 'nog'
    ('ja, dat is nog onduidelijk': doubt)."""
    clause = _clause_of(text, vocab)
    if len(clause) != len(words) or not start:  # counted differently: mask nothing
        return words
    masked = list(words)
    for i in range(start, len(words)):
        if words[i] not in SYMPTOM_WORDS:
            continue
        before = [w for k, w in enumerate(words[start:i], start) if clause[k] == clause[i]]
        if any(w not in _VAGUE and w not in SYMPTOM_WORDS for w in before):
            masked[i] = _MASK
    return masked


def _doubtful(words: list[str], vocab: Vocabulary) -> bool:
    """Doubt: a phrase of doubt ('weet ik niet') or a word of it anywhere ('ik geloof niet',
    'denk het'), or a word of checking after a negation anywhere ('niet gecontroleerd', 'nee,
    nooit naar gevraagd', 'daar heb ik niet op gelet')."""
    if contains(words, vocab.doubt) or vocab.doubt_words.intersection(words):
        return True
    return any(w in vocab.unchecked_words and _UNDONE.intersection(words[:i])
               for i, w in enumerate(words))


def doubtful(text: str, vocab: Vocabulary) -> bool:
    """Whether `text` says doubt anywhere (a phrase or word of doubt, or a check not done)."""
    return _doubtful(_tokens(text, vocab), vocab)


def _against_yes(rest: list[str], vocab: Vocabulary) -> bool:
    """What follows a "ja" says the opposite: it begins with a no ('ja, nee', 'ja, niet
    altijd'), also after leading words ('ja, maar niet altijd', 'ja, eigenlijk niet', 'ja...
    nee toch niet'); a limiting word or a when, where or which side with a negation after it
    ('ja, maar het is niet erg', 'ja, links niet'); a negated degree ('ja, het gaat niet
    beter'); or a "nee" anywhere. A negation later in a description is its story ('ja,
    CT-scan, geen breuk', 'ja, knoopjes lukken niet meer')."""
    lead = 0
    while lead < len(rest) and rest[lead] in _LEADING:
        lead += 1
    after = rest[lead:]
    if (after[:1] and after[0] in _AGAINST_YES) or longest_prefix(after, vocab.no):
        return True
    if _NO_WORDS.intersection(rest):
        return True
    if any(w in _NEGATION_WORDS and nxt in _HEDGED for w, nxt in pairwise(rest)):
        return True  # 'ja, het gaat niet beter', 'ja, pijn is niet echt minder'
    limited = any(w in _LIMITING for w in rest[:lead]) or (after[:1] != []
                                                            and after[0] in _ADVERBIAL)
    return limited and bool(_NEGATION_WORDS.intersection(after))


def _note(text: str, vocab: Vocabulary, taken: int) -> str:
    """What was said after the first `taken` words of the answer, as it was typed or heard
    ('Ja, een kop-staartbotsing.' with 1 taken → 'een kop-staartbotsing')."""
    words, counted = _SPACED.sub(r"\1 ", text).split(), 0  # 'nee,eerste keer' too
    for i, word in enumerate(words):
        if counted >= taken:
            return " ".join(words[i:]).strip(_PUNCTUATION)
        counted += len([w for w in normal(word).split() if w not in vocab.fillers])
    return ""


def _strip_word(note: str, words: frozenset[str]) -> str:
    """`note` without a leading word of `words` ('hoor, een kop-staart' → 'een kop-staart')."""
    first, _, rest = note.partition(" ")
    return rest.strip(_PUNCTUATION) if normal(first) in words else note


def read_yes_no(text: str, vocab: Vocabulary) -> Understood | Doubt | Unclear | None:
    """'ja', 'nee hoor', 'j', 'neee'; 'ja, het gaat steeds beter' (with its note); doubt
    ('weet ik niet', 'nee, ik denk het niet', 'ja, misschien'); 'ja, nee' → Unclear."""
    words = _tokens(text, vocab)
    clause = words[: _first_clause(text, vocab)] or words
    yes, no = longest_prefix(clause, vocab.yes), longest_prefix(clause, vocab.no)
    taken = max(yes, no)
    # 'niet getest', 'ja, misschien', 'nee, ik geloof niet'; not 'ja, praat onduidelijk'
    if _doubtful(_described(words, yes if yes > no else 0, text, vocab), vocab):
        return Doubt()
    if not taken:
        return None
    value, rest = yes > no, words[taken:]
    if rest and " ".join(rest) in (vocab.yes if value else vocab.no):
        return Understood(value)  # 'ja, klopt', 'nee, niet echt': said twice, nothing more
    if value and _against_yes(rest, vocab):
        return Unclear("contradiction")  # 'ja, nee', 'ja, maar niet altijd'
    if not value and (_AGAINST_NO.intersection(rest) or rest[:1] == ["wel"]
                      or contains(rest, _SOMETIMES)
                      or (longest_prefix(rest, vocab.yes) and len(rest) <= 2)):
        return Unclear("contradiction")  # 'nee hoor, toch wel', 'nee, wel wat minder'
    if not rest:
        return Understood(value)
    # 'nee, geen koorts': the note keeps its 'geen' (the answer alone is 'nee'); 'ja graag,
    # nu meteen': the note is 'nu meteen'
    shortest = min(k for k in range(1, taken + 1)
                   if " ".join(words[:k]) in (vocab.yes if value else vocab.no))
    start = shortest if _AGAINST_YES.intersection(words[shortest:taken]) else taken
    if words[start - 1] in _NEGATION_WORDS and len(clause) > start:
        return Understood(value, text.strip(_PUNCTUATION))  # 'geen koorts': never 'koorts' alone
    return Understood(value, _strip_word(_note(text, vocab, start), _DECORATION))


def parse_yes_no(text: str, vocab: Vocabulary) -> bool | None:
    """A plain ja or nee, also with an explanation after it; None for anything else."""
    reading = read_yes_no(text, vocab)
    return reading.value is True if isinstance(reading, Understood) else None


def read_choice(text: str, question: Question,
                vocab: Vocabulary) -> Understood | Between | Doubt | Unclear | None:
    """One of the question's choices ('fors', 'links, vooral de duim'), a phrase between two of
    them ('matig'), doubt, or two choices at once ('links, nee rechts') → Unclear."""
    said = _tokens(text, vocab)
    lead = int(said[:1] != [] and said[0] in _LEAD)
    words = said[lead:]
    if longest_prefix(words, question.between):
        return Between()
    clause = words[: max(_first_clause(text, vocab) - lead, 0)] or words
    value, taken = _best_choice(clause, question)
    if not taken:  # 'ja, een beetje': a choice's own phrase may go on after a comma
        value, taken = _best_choice(words, question)
    rest = words[taken:]
    described = _described(said, lead + taken, text, vocab)[lead:] if taken else words
    if (rest or not taken) and _doubtful(described, vocab):  # 'geen idee'; not 'onbekend'
        return Doubt()  # alone as a choice's phrase, nor 'links, loopt onzeker'
    if not taken:
        return None
    if rest and taken == 1 and len(clause) > 1 and words[0] in _GENERIC:
        return None  # 'niet niks', 'niet gering': a negation of what follows, not 'geen'
    corrected = _corrected_choice(text, rest, question, vocab)
    if corrected is not None:
        return corrected
    same = dict(question.choices)[value]
    if rest[:1] and rest[0] in _NEGATIONS and " ".join(rest) not in same:
        return Unclear("contradiction")  # 'links niet', 'beide niet', 'fors, niet echt'
    if _COMPARED.intersection(rest) or (
            value == "none" and (_EXCEPT | _WORSE).intersection(rest)):
        return Unclear("contradiction")  # 'fors minder', 'geen, alleen bij sporten'
    if rest and " ".join(rest) in same:
        return Understood(value)  # 'een beetje, niet veel': said twice
    others = {p for v, phrases in question.choices if v != value for p in phrases}
    named = {p for p in others if p not in _GENERIC} | {p for p in others if rest[:1] == [p]}
    if contains(rest, named) or contains(rest, question.between):
        return Unclear("contradiction")
    return Understood(value, _note(text, vocab, lead + taken))


def _best_choice(words: list[str], question: Question) -> tuple[str, int]:
    """The choice whose phrase covers most leading words, and how many (0: none)."""
    lengths = {value: longest_prefix(words, phrases) for value, phrases in question.choices}
    return max(lengths.items(), key=lambda item: item[1])


def _corrected_choice(text: str, rest: list[str], question: Question,
                      vocab: Vocabulary) -> Understood | None:
    """'een beetje, eh nee, fors', 'links, sorry, rechts': a correcting word (durations.py's,
    or a filler), then a whole other choice to the end → that choice, read back."""
    words = normal(text).split()  # with the fillers: 'eh' may be what corrects
    for i in range(1, len(words)):
        fix = correction_at(words, i, vocab.fillers)
        if fix is None:
            continue
        after = " ".join(w for w in words[i + len(fix) :] if w not in vocab.fillers)
        chosen = [v for v, phrases in question.choices if after in phrases]
        if chosen and rest:
            return Understood(chosen[0], text.strip(), read_back=True)
    return None


def interpret(text: str, question: Question, vocab: Vocabulary,
              today: date | None = None) -> Intent | None:
    """A command, else what `text` says as the answer to `question` (an answer, doubt, between
    two choices, or Unclear with the reason), else None (not understood). `today`: the
    consultation date, for calendar answers ('sinds september'); by default the clock's."""
    command = parse_command(text, vocab)
    if command is not None:
        return command
    match question.type:
        case AnswerType.YES_NO:
            return read_yes_no(text, vocab)
        case AnswerType.CHOICE:
            return read_choice(text, question, vocab)
        case AnswerType.DURATION:
            if _doubtful(clean(text, vocab).split(), vocab):
                return Doubt()
            return read_duration(text, question, vocab, today or date.today())
        case AnswerType.AGE:
            if _doubtful(clean(text, vocab).split(), vocab):
                return Doubt()
            return read_age(text, vocab)
        case AnswerType.CHECKLIST:  # a whole section at once: dialog/checklist.read_checklist
            return None
