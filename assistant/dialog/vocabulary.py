"""The words and phrases the dialogs can accept: what the speech recogniser must know. Gathered
here, above the speech layer, which is handed them (speech/setup.py)."""

from __future__ import annotations

from assistant.dialog.choice_parsing import choice_phrases
from assistant.dialog.numbers import NUMBER_WORDS
from assistant.dialog.phrases import accepted_phrases
from assistant.dialog.session_hearing import session_commands
from assistant.protocol.model import Protocol


def all_phrases(protocol: Protocol) -> set[str]:
    """Every phrase the assistant listens for: the answers to any question (or a
    confirmation), the choice of exercises, and the exercise session's commands."""
    vocab = protocol.vocabulary
    phrases = set(accepted_phrases(vocab, None))
    for question in protocol.questions:
        phrases.update(accepted_phrases(vocab, question))
    library = protocol.library
    phrases.update(choice_phrases(library.codes, vocab, library.choice.none,
                                  library.choice.frequencies))
    phrases.update(session_commands(library.session, vocab))
    return phrases


def core_words(protocol: Protocol) -> set[str]:
    """The words no Dutch consultation can do without (DESIGN.md "Voice safety"): ja and nee,
    one word for each global command, and the numbers nul to tien."""
    vocab = protocol.vocabulary
    commands = {min((p for p in phrases if " " not in p), key=len, default="")
                for _, phrases in vocab.commands}
    numbers = {w for w, v in NUMBER_WORDS.items() if float(v).is_integer() and 0 <= v <= 10}
    return ({"ja", "nee"} | commands | numbers) - {""}
