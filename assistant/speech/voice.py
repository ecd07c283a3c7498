"""Listening for one answer: audio blocks → end-of-speech segmenter and vosk decoder, with
typed answers accepted at any moment."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

import numpy as np

from assistant.speech.enhance import Enhancer
from assistant.speech.interfaces import (
    AudioSource,
    Correction,
    Input,
    Recognizer,
    Speaker,
    Utterance,
)
from assistant.speech.keyboard import TypedLines
from assistant.speech.recognizer import (
    UNKNOWN,
    continuations,
    final_phrases,
    going_on,
    joined,
    parse_result,
    partial_text,
)
from assistant.speech.segmenter import EPSILON, EndOfSpeech, EnergyDetector, Segment
from assistant.speech.vad import Detector, DetectorFactory

POLL_SECONDS = 0.05  # how long one read waits for audio before the keyboard is checked
SILENCE = Utterance("", 0.0, "voice")  # nothing was said before the timeout
# s after the detector's last speech in which the decoder's partial may still grow by the
# word just spoken (it trails the audio: with the stand-in model by up to 0.3 s after the
# energy detector says silence, which falls sooner than Silero's). Later growth is the
# decoder's guess, not speech: in the pause of '아니 … 다시' it made '아니 다시' 0.4–0.6 s into
# the silence, before '다시' was said. A guess sooner than this is caught when the final result
# leaves it out (the quick end is then taken back: `EndOfSpeech.reopen`). With 0.25 s the
# energy detector lost its quick end on whole words (end p95 0.37 → 0.54 s at pink 12 dB).
DECODER_LAG = 0.5
VOICED_BLOCKS = 2  # blocks standing out of the room before a forced result counts (0.1 s)


def _as_bytes(block: bytes | np.ndarray) -> bytes:
    if isinstance(block, bytes):
        return block
    return np.asarray(block, dtype="<i2").tobytes()


class VoiceListener:
    """A HearingListener that hears answers through a recogniser restricted to each question's
    grammar. What was captured while the assistant spoke is dropped, so it never hears itself.

    `detectors` makes the speech detector (assistant/speech/vad.py; the product passes the
    neural one, the default is the energy detector); `enhancer` cleans every block before
    the detector and the recogniser hear it (assistant/speech/enhance.py; None: no cleaning).
    """

    def __init__(
        self,
        recognizer: Recognizer,
        source: AudioSource,
        keyboard: TypedLines | None = None,
        *,
        timeout: float = 8.0,  # s of silence before the question is asked again
        detectors: DetectorFactory | None = None,
        enhancer: Enhancer | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.source = source
        self.keyboard = keyboard
        self.timeout = timeout
        self.carried: list[bytes] = []  # speech caught while the assistant spoke (barge-in)
        self.detectors: DetectorFactory = detectors or (lambda rate: EnergyDetector())
        self.enhancer = enhancer
        self.detector: Detector = self.detectors(source.rate) if detectors else EnergyDetector()

    def close(self) -> None:
        self.source.close()

    @property
    def forces_grammar(self) -> bool:
        """Whether the model has no [unk]: any speech, noise too, becomes a grammar word, so
        every screening answer is read back (DESIGN.md "Voice safety")."""
        return not self.recognizer.has_unknown_token

    def hears(self, phrases: Sequence[str]) -> bool:
        """Whether the model knows every word of at least one of `phrases` (the others are left
        out of the question's grammar: DESIGN.md "Voice safety")."""
        return any(not self.recognizer.unknown_words([p]) for p in phrases)

    def _silence(self) -> Utterance | None:
        """Silence; or, when the source is a file that has ended, the end of the input."""
        return None if self.source.ended else SILENCE

    def typed(self) -> Input | None:
        """What was typed (or a screen's correction) since the last look, or None."""
        if self.keyboard is None:
            return None
        line = self.keyboard.poll()
        if isinstance(line, Correction):
            return line
        return Utterance(line, 1.0, "text") if line else None

    def _next_block(self) -> bytes | np.ndarray | None:
        if self.carried:
            return self.carried.pop(0)
        return self.source.read(POLL_SECONDS)

    def clean(self, block: bytes | np.ndarray) -> bytes:
        """The block as int16 bytes, through the enhancer when there is one (carried blocks
        of a barge-in were cleaned when caught)."""
        audio = _as_bytes(block)
        return audio if self.enhancer is None else self.enhancer.process(audio)

    def listen(self, grammar: Sequence[str]) -> Input | None:
        if not self.carried:  # after a barge-in the answer has begun: keep it
            self.source.flush()
            self.detector.settle()  # the first blocks after the prompt: the room's level
        decoder = self.recognizer.decoder(grammar, self.source.rate)
        detector = self.detector  # the room's noise floor, learned across questions
        # the detector says how long a silence ends a whole answer (assistant/speech/vad.py)
        segmenter = EndOfSpeech(timeout=self.timeout, quick_end=detector.quick_end)
        # whole answers no longer phrase begins with: 'fors', not 'twee' ('twee maanden')
        answers = final_phrases(grammar)
        # A model without [unk] makes a grammar word of any sound, noise too: its results count
        # only once something rose out of the room's level (DESIGN.md "Voice safety").
        forced = self.forces_grammar
        voiced = 0  # blocks (after the first ones, which measure the room) that stood out
        waited = 0.0  # s without any audio arriving at all
        begun: Utterance | None = None  # an answer's start the decoder closed in a pause
        quiet = 0.0  # s since the detector last said speech
        heard_text = ""  # the partial as it stood up to DECODER_LAG after the last speech
        spoke_on = False  # speech came after `begun`: its rest, even if the decoder made nothing
        while True:
            typed = self.typed()
            if typed is not None:
                return typed
            carried = bool(self.carried)
            block = self._next_block()
            if block is None:
                waited += POLL_SECONDS
                if waited >= self.timeout:
                    return self._silence()
                continue
            audio = _as_bytes(block) if carried else self.clean(block)
            if not audio:  # the enhancer waits for a whole frame
                continue
            seconds = len(audio) / 2 / self.source.rate
            settled = not detector.settling
            speech = detector.is_speech(audio)
            if settled and detector.stood_out:
                voiced += 1
            if decoder.accept(audio):
                heard = parse_result(decoder.result())
                if heard is not None and (voiced >= VOICED_BLOCKS or not forced):
                    heard = heard if begun is None else joined(begun, heard)
                    rests = continuations(grammar, heard.text)
                    if not rests:
                        return heard
                    # The decoder's own endpoint (a small model's conf: 0.5 s of trailing
                    # silence) fell in a pause inside the answer, 'drie … weken': keep 'drie'
                    # and go on with what may follow it; the segmenter says when it has ended.
                    begun, heard_text, quiet = heard, heard.text, math.inf
                    decoder = self.recognizer.decoder(rests, self.source.rate)
            # a whole answer heard ('fors'): a short silence ends it (faster than a fixed window);
            # 'drie' is none while 'drie weken' is in the grammar, so a pause after it is kept
            quiet = 0.0 if speech else quiet + seconds  # inf stays inf until speech
            spoke_on = spoke_on or (speech and begun is not None)
            if quiet <= DECODER_LAG + EPSILON:
                heard_text = partial_text(decoder.partial())
                if begun is not None:
                    heard_text = f"{begun.text} {heard_text}".strip()
            complete = (segmenter.state is Segment.SPEAKING and not speech
                        and heard_text in answers)
            state = segmenter.process(seconds, speech, complete)
            if state is Segment.ENDED:
                last = parse_result(decoder.final_result())
                if begun is not None and last is None and spoke_on:
                    last = Utterance(UNKNOWN, 0.0, "voice")  # said, but nothing understood
                heard = joined(begun, last) if begun is not None else last
                if heard is None:
                    return Utterance(UNKNOWN, 0.0, "voice")
                start = heard.text
                if segmenter.ended_quickly and start not in answers:
                    start = going_on(grammar, start)  # '아니 네' → '아니'
                rests = continuations(grammar, start)
                if not (rests and segmenter.ended_quickly):
                    return heard
                # The partial was whole ('아니 다시'), the final result is not ('아니', or
                # '아니 네'): its last word was the decoder's guess at the pause's start. Go on
                # from what goes on as after its endpoint; the full window awaits the rest.
                heard = Utterance(start, heard.confidence, heard.source)
                # A fresh decoder has heard only silence: its partial counts once speech comes.
                begun, heard_text, quiet = heard, heard.text, math.inf
                decoder = self.recognizer.decoder(rests, self.source.rate)
                segmenter.reopen()
            if state is Segment.TIMEOUT:
                return self._silence()


class BargeIn:
    """A speaker that stops talking when the user starts: while it speaks, the microphone is
    watched; speech cuts the prompt off and is handed to the listener as the answer's start.

    Only for a headset or a microphone that does not hear the speaker (no echo cancellation
    here): otherwise the assistant would interrupt itself."""

    def __init__(self, speaker: Speaker, listener: VoiceListener,
                 speech_start: float = 0.25) -> None:  # s of speech that counts as barging in
        self.speaker = speaker
        self.listener = listener
        self.speech_start = speech_start
        self.interrupted = 0  # prompts cut off

    def say(self, text: str) -> None:
        if self.listener.carried:  # the user is already answering: let them
            return
        done = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(done,), daemon=True)
        self.listener.source.flush()
        watcher.start()
        try:
            self.speaker.say(text)
        finally:
            done.set()
            watcher.join()

    def _watch(self, done: threading.Event) -> None:
        source = self.listener.source
        detector = self.listener.detectors(source.rate)
        segmenter = EndOfSpeech(timeout=float("inf"), speech_start=self.speech_start)
        heard: list[bytes] = []
        while not done.is_set():
            block = source.read(POLL_SECONDS)
            if block is None:
                continue
            audio = self.listener.clean(block)
            if not audio:
                continue
            heard.append(audio)
            state = segmenter.process(len(audio) / 2 / source.rate, detector.is_speech(audio))
            if state is Segment.SPEAKING:
                self.listener.carried = heard
                self.interrupted += 1
                self.speaker.stop()
                return
            heard = heard[-int(1 / POLL_SECONDS):]  # about a second of lead-in

    def stop(self) -> None:
        self.speaker.stop()

    def take_late(self) -> float:
        return self.speaker.take_late()

    def close(self) -> None:
        self.speaker.close()
