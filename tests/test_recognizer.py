"""Recognition without a model: vosk JSON parsing, grammars, vocabulary checks, end of speech,
and the voice listener driven by audio blocks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from assistant.dialog.phrases import accepted_phrases
from assistant.speech.interfaces import Utterance
from assistant.speech.keyboard import KeyboardInput
from assistant.speech.recognizer import (
    final_phrases,
    grammar_json,
    grammar_words,
    parse_result,
    unknown_words,
)
from assistant.speech.segmenter import EndOfSpeech, EnergyDetector, Segment, level_dbfs
from assistant.speech.voice import SILENCE, VoiceListener
from tests.fakes import RATE, MemorySource, ScriptedRecognizer, silence, tone
from tests.harness import PROTOCOL, RED_FLAG_QUESTIONS

RED_FLAG = PROTOCOL.question(RED_FLAG_QUESTIONS[0])  # a yes/no question


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ('{"text": ""}', None),
        ("", None),
        ("not json", None),
        ("[1, 2]", None),
        ('{"text": "nee hoor", "result": [{"word": "nee", "conf": 0.99}, '
         '{"word": "hoor", "conf": 0.61}]}', Utterance("nee hoor", 0.61, "voice")),
        # no confidences (SetWords off): low, never 1.0 (DESIGN.md "Voice safety")
        ('{"text": "ja"}', Utterance("ja", 0.0, "voice")),
        ('{"text": "[unk]", "result": [{"word": "[unk]", "conf": 0.4}]}',
         Utterance("[unk]", 0.0, "voice")),
        ('{"text": "[unk] ja", "result": [{"word": "[unk]", "conf": 0.2}, '
         '{"word": "ja", "conf": 0.9}]}', Utterance("ja", 0.0, "voice")),  # beside [unk]
        ('{"text": "fors", "result": [{"word": "fors", "conf": 1.7}]}',
         Utterance("fors", 1.0, "voice")),
    ],
)
def test_parse_vosk_result(result: str, expected: Utterance | None) -> None:
    assert parse_result(result) == expected


def test_grammar_for_every_question_holds_its_answers_commands_and_unk() -> None:
    vocab = PROTOCOL.vocabulary
    for question in PROTOCOL.questions:
        phrases = accepted_phrases(vocab, question)
        grammar = json.loads(grammar_json(phrases))
        assert grammar[-1] == "[unk]" and len(grammar) == len(set(grammar))
        assert {"herhaal", "terug", "help", "pauze", "stop"} <= set(grammar)
        if question.type.value == "yes_no":
            assert {"ja", "nee", "nee hoor", "jawel"} <= set(grammar)
            assert "fors" not in grammar
        elif question.type.value == "choice":
            assert {p for _, phrases in question.choices for p in phrases} <= set(grammar)
            if question.id == "adl_impact":
                assert {"geen", "een beetje", "fors"} <= set(grammar)
                assert "ja" not in grammar
        elif question.type.value == "age":
            assert {"zevenenveertig", "zevenenveertig jaar", "weet ik niet"} <= set(grammar)
            assert "drie weken" not in grammar
        else:
            assert {"drie weken", "anderhalve maand", "tien dagen", "tweeëntwintig"} <= set(
                grammar)
            assert ("geen" in grammar) is question.allow_none


def test_unknown_words_are_reported() -> None:
    known = {"ja", "nee", "hoor"}
    words = grammar_words(["ja", "nee hoor", "jazeker"])
    assert unknown_words(words, lambda w: 1 if w in known else -1) == ["jazeker"]


def test_segmenter_ends_after_speech_and_silence() -> None:
    seg = EndOfSpeech(timeout=8, speech_start=0.1, silence_end=0.5)
    assert seg.process(0.05, True) is Segment.WAITING
    assert seg.process(0.05, True) is Segment.SPEAKING
    for _ in range(9):
        assert seg.process(0.05, False) is Segment.SPEAKING
    assert seg.process(0.05, False) is Segment.ENDED
    assert seg.process(0.05, True) is Segment.ENDED


def test_segmenter_ignores_clicks_and_times_out() -> None:
    seg = EndOfSpeech(timeout=1.0, speech_start=0.15)
    states = [seg.process(0.05, i % 3 == 0) for i in range(20)]  # isolated 50 ms clicks
    assert Segment.SPEAKING not in states and states[-1] is Segment.TIMEOUT


def test_segmenter_caps_a_monologue() -> None:
    seg = EndOfSpeech(max_speech=2.0, speech_start=0.1)
    states = [seg.process(0.1, True) for _ in range(25)]
    assert states.index(Segment.ENDED) == 20


def test_energy_detector() -> None:
    assert math.isinf(level_dbfs(silence(0.05)))
    assert level_dbfs(tone(0.05, level=0.5)) == pytest.approx(-9.03, abs=0.1)
    detector = EnergyDetector()
    assert not detector.is_speech(silence(0.05))
    assert detector.is_speech(tone(0.05, level=0.1))
    assert not detector.is_speech(tone(0.05, level=0.0005))  # room hiss


def test_the_floor_is_the_room_measured_right_after_the_prompt() -> None:
    rng = np.random.default_rng(1)
    fan = (rng.normal(0, 0.03 * 32767, RATE * 3)).astype("<i2").tobytes()  # about -30 dBFS
    block = 2 * int(0.05 * RATE)
    detector = EnergyDetector()
    detector.settle()
    heard = [detector.is_speech(fan[i:i + block]) for i in range(0, len(fan), block)]
    assert not any(heard)  # steady noise is the floor from the first 0.2 s on
    assert detector.noise_floor == pytest.approx(-30.5, abs=1.0)
    assert detector.is_speech(tone(0.05, level=0.5))  # speech 20 dB above it still counts
    # settling in a quiet room leaves the floor where it was: it only ever raises it
    quiet = EnergyDetector()
    quiet.settle()
    assert not any(quiet.is_speech(silence(0.05)) for _ in range(4))
    assert quiet.noise_floor == -70.0 and quiet.is_speech(tone(0.05, level=0.1))
    detector.settle()  # the fan is off now: the floor learned stays until quiet blocks lower it
    assert not any(detector.is_speech(silence(0.05)) for _ in range(4))
    assert detector.noise_floor == pytest.approx(-30.5, abs=1.0)


def test_listener_hears_the_scripted_answer_after_speech_ends() -> None:
    recognizer = ScriptedRecognizer([("nee hoor", 0.9)])
    source = MemorySource(silence(0.3) + tone(0.5) + silence(0.8))
    grammar = accepted_phrases(PROTOCOL.vocabulary, RED_FLAG)
    heard = VoiceListener(recognizer, source).listen(grammar)
    assert heard == Utterance("nee hoor", 0.9, "voice")
    assert source.flushed == 1  # what was captured before listening is dropped
    assert recognizer.decoders[0].fed > 0 and recognizer.grammars == [grammar]


def test_listener_out_of_grammar_is_unk_and_silence_times_out() -> None:
    grammar = accepted_phrases(PROTOCOL.vocabulary, RED_FLAG)
    recognizer = ScriptedRecognizer([("blauw", 0.9)])
    answer = silence(0.3) + tone(0.4) + silence(1.0)  # an answer comes after a short gap
    heard = VoiceListener(recognizer, MemorySource(answer)).listen(grammar)
    assert heard == Utterance("[unk]", 0.0, "voice")
    quiet = VoiceListener(ScriptedRecognizer([]), MemorySource(silence(3.0)), timeout=2.0)
    assert quiet.listen(grammar) == SILENCE
    no_audio = VoiceListener(ScriptedRecognizer([]), MemorySource(b""), timeout=0.2)
    assert no_audio.listen(grammar) == SILENCE


def test_typed_answers_win_at_any_moment() -> None:
    import io

    keyboard = KeyboardInput(io.StringIO("ja\n"))
    import time

    deadline = time.monotonic() + 2
    while keyboard._lines.qsize() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    listener = VoiceListener(ScriptedRecognizer([("nee", 0.9)]),
                             MemorySource(tone(0.5) + silence(1)), keyboard)
    assert listener.listen(["ja", "nee"]) == Utterance("ja", 1.0, "text")


def test_unknown_grammar_words_are_named_in_one_line() -> None:
    from assistant.dialog.vocabulary import all_phrases
    from assistant.speech.setup import vocabulary_warning

    assert vocabulary_warning([]) is None
    words = [f"woord{i}" for i in range(10)]
    line = vocabulary_warning(words)
    assert line is not None and "woord0" in line and "en nog 2" in line and "\n" not in line
    phrases = all_phrases(PROTOCOL)
    assert {"ja", "nee hoor", "fors", "drie weken", "herhaal"} <= phrases
    # the choice of exercises and the session's commands are checked against the model too
    assert {"vijfenvijftig", "zesentwintig", "geen", "volgende", "langzamer", "sneller"} <= phrases


def test_a_whole_answer_ends_after_a_short_silence_a_partial_one_after_the_long_one() -> None:
    quick, slow = EndOfSpeech(speech_start=0.1), EndOfSpeech(speech_start=0.1)
    for seg in (quick, slow):
        seg.process(0.2, True)
    states_quick = [quick.process(0.05, False, complete=True) for _ in range(12)]
    states_slow = [slow.process(0.05, False) for _ in range(12)]
    assert states_quick.index(Segment.ENDED) == 5  # 0.3 s
    assert states_slow.index(Segment.ENDED) == 11  # 0.6 s


def test_a_whole_answer_stays_whole_while_the_silence_lasts() -> None:
    """The decoder turns the noise after 'nee' into a word ('nee ja'): nobody spoke (the
    detector hears silence), so the quick end holds; speech again puts it back on the long
    window, and a partial that was never whole waits the whole 0.6 s."""
    seg = EndOfSpeech(speech_start=0.1, quick_end=0.2)
    seg.process(0.2, True)
    heard = [True, False, False, False]  # whole on the first silent block, then it grows
    states = [seg.process(0.05, False, complete=c) for c in heard]
    assert states[-1] is Segment.ENDED  # 0.2 s of silence
    again = EndOfSpeech(speech_start=0.1, quick_end=0.2)
    again.process(0.2, True)
    again.process(0.05, False, complete=True)
    again.process(0.05, True)  # more speech: 'nee … hoor'
    states = [again.process(0.05, False) for _ in range(12)]
    assert states.index(Segment.ENDED) == 11  # 0.6 s: the whole answer is not kept


def test_the_quick_end_is_the_detectors() -> None:
    """Silero bridges the dips inside a word, the energy detector does not: its quick end is
    shorter (assistant/speech/vad.py QUICK_ENDS); the long window is the same for both, so a
    half-second pause inside 'drie … weken' is kept whichever listens."""
    from assistant.speech import vad
    from assistant.speech.segmenter import QUICK_END

    assert EnergyDetector().quick_end == QUICK_END == 0.3
    assert vad.QUICK_ENDS["silero"] == 0.2 < QUICK_END
    detector = vad.make_factory("silero")(RATE)
    assert detector.quick_end == 0.2
    listener = VoiceListener(ScriptedRecognizer([]), MemorySource(silence(0.1)),
                             detectors=lambda rate: detector)
    assert listener.detector.quick_end == 0.2
    for quick in (0.2, QUICK_END):
        seg = EndOfSpeech(speech_start=0.1, quick_end=quick)
        seg.process(0.2, True)
        states = [seg.process(0.05, False) for _ in range(12)]  # 'drie' is no whole answer
        assert states.index(Segment.ENDED) == 11  # 0.6 s


def test_the_noise_floor_learns_steady_noise_so_speech_can_end() -> None:
    """Steady noise above -50 dBFS was 'speech' for ever: the floor only learned from quiet
    blocks, so the segmenter never found the end of an answer."""
    detector = EnergyDetector()
    fan = tone(0.05, level=0.01)  # -43 dBFS, every block
    judged = [detector.is_speech(fan) for _ in range(80)]  # 4 s
    assert judged[0] and not judged[-1]
    first_quiet = judged.index(False) * 0.05
    assert 2.0 < first_quiet <= 3.5  # never within an answer's length
    assert detector.is_speech(tone(0.05, level=0.2))  # an answer over the fan still counts


def test_a_listener_keeps_the_rooms_noise_floor_between_questions() -> None:
    listener = VoiceListener(ScriptedRecognizer([]), MemorySource(tone(5.0, level=0.01)),
                             timeout=2.0)
    listener.listen(["ja"])
    assert listener.detector.noise_floor > -56  # learned, not reset to -70 by the next one


def test_only_a_phrase_nothing_can_follow_ends_early() -> None:
    """'twee' may go on as 'twee maanden' (a pause there must not make it two weeks), 'nee' as
    'nee hoor'; 'fors' and 'vijf maanden' cannot."""
    final = final_phrases(["twee", "twee maanden", "nee", "nee hoor", "fors", "vijf maanden"])
    assert final == {"twee maanden", "nee hoor", "fors", "vijf maanden"}


def test_a_quick_end_can_be_reopened_and_then_waits_the_full_window() -> None:
    segmenter = EndOfSpeech(quick_end=0.2, silence_end=0.6)
    for _ in range(4):
        segmenter.process(0.05, True)
    states = [segmenter.process(0.05, False, complete=True) for _ in range(4)]
    assert states[-1] is Segment.ENDED and segmenter.ended_quickly
    segmenter.reopen()
    assert segmenter.state is Segment.SPEAKING and not segmenter.ended_quickly
    more = [segmenter.process(0.05, False) for _ in range(8)]
    assert more.index(Segment.ENDED) == 7  # 0.2 + 0.4 s: the silence so far still counts
    assert not segmenter.ended_quickly
    segmenter.reopen()  # a full-window end is never reopened
    assert segmenter.state is Segment.ENDED


def test_the_maximum_length_is_no_quick_end() -> None:
    """A whole answer heard, but the answer's maximum length ends it before the quick end."""
    segmenter = EndOfSpeech(quick_end=0.2, silence_end=0.6, max_speech=0.3)
    states = [segmenter.process(0.05, i < 5, complete=i >= 5) for i in range(9)]
    assert states.index(Segment.ENDED) == 8  # 0.3 s after speech began (block 2): max_speech
    assert not segmenter.ended_quickly


def test_going_on_is_the_longest_start_a_longer_phrase_goes_on_from() -> None:
    from assistant.speech.recognizer import going_on

    grammar = ["drie weken", "drie dagen", "fors", "een half jaar", "nee"]
    assert going_on(grammar, "drie fors") == "drie"
    assert going_on(grammar, "een half fors") == "een half"
    assert going_on(grammar, "fors") == ""
    assert going_on(grammar, "[unk]") == ""
