"""Vosk speech recognition with a closed grammar per question; parsing of its JSON results."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import RecognizerError as RecognizerError
from assistant.speech.interfaces import Decoder, Utterance

UNKNOWN = "[unk]"  # vosk's token for speech outside the grammar


def grammar_json(phrases: Iterable[str]) -> str:
    """The grammar for vosk's SetGrammar: the phrases, once each, plus [unk]."""
    unique = sorted({p.strip() for p in phrases if p.strip()})
    return json.dumps([*unique, UNKNOWN], ensure_ascii=False)


def grammar_words(phrases: Iterable[str]) -> set[str]:
    """Every word used in the phrases."""
    return {word for phrase in phrases for word in phrase.split()}


def unknown_words(words: Iterable[str], find_word: Callable[[str], int]) -> list[str]:
    """Words the model's vocabulary lacks (vosk's find_word returns -1 for them)."""
    return sorted(w for w in set(words) if find_word(w) < 0)


def final_phrases(phrases: Iterable[str]) -> set[str]:
    """The phrases no other phrase begins with: heard whole, nothing more can follow that
    changes them ('fors'; not 'twee', which 'twee maanden' goes on from, nor 'nee': 'nee hoor')."""
    unique = {p.strip() for p in phrases if p.strip()}
    starts = {" ".join(p.split()[:k]) for p in unique for k in range(1, len(p.split()))}
    return unique - starts


def continuations(phrases: Iterable[str], heard: str) -> list[str]:
    """What may follow `heard` to make a longer phrase of the grammar, sorted: 'drie' →
    ['dagen', 'weken'] when 'drie dagen' and 'drie weken' are phrases; [] when nothing can
    (a whole answer such as 'fors', or [unk])."""
    words = heard.split()
    size = len(words)
    rests = {" ".join(p.split()[size:]) for p in phrases
             if p.split()[:size] == words and len(p.split()) > size}
    return sorted(rests) if words else []


def going_on(phrases: Iterable[str], heard: str) -> str:
    """The longest start of `heard` that a longer phrase goes on from ('아니 네' → '아니' when
    '아니 다시' is a phrase): what is left of an answer whose last words were the decoder's
    guess; '' when no start goes on."""
    words = heard.split()
    return next((" ".join(words[:k]) for k in range(len(words), 0, -1)
                 if continuations(phrases, " ".join(words[:k]))), "")


def joined(first: Utterance, rest: Utterance | None) -> Utterance:
    """An answer heard in two parts, the decoder having closed the first in a pause: their
    words, at the confidence of the less certain part. Nothing after → the first part; only
    speech outside the grammar after it → the first part at confidence 0 (an answer beside
    [unk] is confirmed, as in `parse_result`)."""
    if rest is None:
        return first
    if rest.text == UNKNOWN:
        return Utterance(first.text, 0.0, first.source)
    return Utterance(f"{first.text} {rest.text}", min(first.confidence, rest.confidence),
                     first.source)


def partial_text(partial_json: str) -> str:
    """The words of a partial result (`{"partial": "nee"}` → 'nee'); '' when none."""
    try:
        data: Any = json.loads(partial_json)
    except json.JSONDecodeError:
        return ""
    return str(data.get("partial", "")).strip() if isinstance(data, dict) else ""


def parse_result(result_json: str) -> Utterance | None:
    """A vosk result (`{"text": …, "result": [{"word", "conf", …}]}`) as an utterance.

    None when nothing was said. Speech the grammar does not cover comes back as "[unk]" words;
    those are dropped, and an utterance of only [unk] has the text "[unk]" and confidence 0.
    The confidence is that of the least certain word: one doubtful word makes the answer
    doubtful. A word without a confidence, or with NaN, counts as 0 (a real decoder with a
    grammar says 1.0 even for wrong words, so a missing figure is no reason for trust), and so
    does an answer heard beside [unk] ('nee [unk] [unk]' is no clean 'nee': it is confirmed).
    """
    try:
        data: Any = json.loads(result_json)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    text = str(data.get("text", "")).strip()
    words = data.get("result")
    if not text:
        return None
    kept = [w for w in text.split() if w != UNKNOWN]
    if not kept:
        return Utterance(UNKNOWN, 0.0, "voice")
    said = [w for w in words or [] if isinstance(w, dict) and w.get("word") != UNKNOWN]
    confidences = [_confidence(w.get("conf")) for w in said]
    confidence = min(confidences) if confidences and len(said) == len(kept) else 0.0
    if len(kept) < len(text.split()):  # an answer beside [unk]
        confidence = 0.0
    return Utterance(" ".join(kept), confidence, "voice")


def _confidence(value: object) -> float:
    """A word's confidence in 0..1; missing, not a number, or NaN: 0."""
    try:
        conf = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, min(1.0, conf)) if math.isfinite(conf) else 0.0


@dataclass
class _VoskDecoder:
    recognizer: Any

    def accept(self, audio: bytes) -> bool:
        return bool(self.recognizer.AcceptWaveform(audio))

    def result(self) -> str:
        return str(self.recognizer.Result())

    def final_result(self) -> str:
        return str(self.recognizer.FinalResult())

    def partial(self) -> str:
        return str(self.recognizer.PartialResult())


class VoskRecognizer:
    """A loaded vosk model; each question gets a recogniser restricted to its grammar (a
    `speech.interfaces.Recognizer`)."""

    def __init__(self, model_path: Path) -> None:
        try:
            import vosk
        except (ImportError, OSError) as exc:
            raise RecognizerError(f"vosk kan niet worden geladen: {exc}") from None
        from assistant.invocation import command
        from assistant.speech.model_check import captured_fd2, ignoring_failed_del, kaldi_error

        vosk.SetLogLevel(-2)  # -1 still prints WARNING lines at every question
        self._vosk = vosk
        self.path = model_path
        # Kaldi writes its ERROR lines to fd 2 whatever the log level: kept out of the terminal
        with captured_fd2() as kaldi_lines, ignoring_failed_del():
            try:
                self.model = vosk.Model(str(model_path))
            except Exception:
                reason = None
            else:
                reason = ""
        if reason is None:
            why = kaldi_error(kaldi_lines)
            raise RecognizerError(
                f"het spraakmodel in {model_path} laadt niet{f' ({why})' if why else ''}; "
                f"haal het opnieuw op met '{command('model download')}'")

    def find_word(self, word: str) -> int:
        return int(self.model.vosk_model_find_word(word))

    def unknown_words(self, phrases: Iterable[str]) -> list[str]:
        """The words of `phrases` the model lacks, sorted."""
        return unknown_words(grammar_words(phrases), self.find_word)

    @property
    def has_unknown_token(self) -> bool:
        """Whether the model knows [unk]; without it a grammar forces any speech onto the
        nearest grammar word, with full confidence."""
        return self.find_word(UNKNOWN) >= 0

    def decoder(self, phrases: Sequence[str], rate: int) -> Decoder:
        from assistant.speech.model_check import captured_fd2

        known = [p for p in phrases if all(self.find_word(w) >= 0 for w in p.split())]
        with captured_fd2():  # a model without its graph says so on fd 2 at every question
            recognizer = self._vosk.KaldiRecognizer(self.model, float(rate), grammar_json(known))
        recognizer.SetWords(True)
        return _VoskDecoder(recognizer)

    def close(self) -> None:
        with suppress(Exception):
            del self.model
