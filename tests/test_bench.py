"""The benchmark's own helpers (bench/): percentiles, the corpus, the consultation scripts, the
journaled and exercise-session timers, the disk description, the doc renderer, and the
model-free parts of the recognition benchmark (espeak-ng voice variants, noise mixed by sox
at a given SNR). No timing assertions: figures live in docs/benchmarks.md."""

from __future__ import annotations

import os
import random
import shutil
import wave
from pathlib import Path
from typing import Any

import pytest

from assistant.dialog.intents import Command, Unclear, Understood
from assistant.intake.run import run_consultation
from assistant.protocol import load_protocol
from bench import dialog, exercises, recognition
from bench.disk import Mount, describe_disk, fsync_times, mount_of, parse_mountinfo
from bench.machine import Machine
from bench.report import Row, Section, at_least, at_most, render, table
from bench.scenarios import PROFILES, Patient, make_scripts
from bench.stats import Summary, median, ms, percentile
from bench.understanding import (
    KINDS,
    CorpusError,
    expected_intent,
    load_corpus,
    matches,
    misread,
    read,
    shown,
)
from tests.intent_tables import TABLE

P = load_protocol()


def test_percentile_interpolates_like_numpy() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([1.0, 2.0], 50) == 1.5
    assert median([7.0]) == 7.0
    summary = Summary.of(values)
    assert (summary.n, summary.p50, summary.max) == (5, 3.0, 5.0)


def test_percentile_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_ms_formats() -> None:
    assert ms(0.00042) == "0.42 ms"
    assert ms(0.0123) == "12.3 ms"
    assert ms(1.2344) == "1234 ms"


def test_corpus_is_large_and_every_row_is_well_formed() -> None:
    cases = load_corpus()
    assert len(cases) >= 300
    ids = {q.id for q in P.questions}
    for case in cases:
        assert case.question in ids, f"line {case.line}: unknown question {case.question}"
        assert case.utterance == case.utterance.strip() and case.utterance
        expected_intent(case.expected)  # raises when malformed
    assert {c.kind for c in cases} == set(KINDS)
    pairs = [(c.question, c.utterance) for c in cases]
    assert len(pairs) == len(set(pairs)), "duplicate rows"


@pytest.mark.parametrize("case", load_corpus(), ids=lambda c: f"{c.line}:{c.utterance}")
def test_corpus_row_reads_as_expected(case: Any) -> None:
    """Every corpus row, as the dialog reads it on the corpus's date: the expected answer, read
    back exactly when expected, or asked again (with its reason) — never a misreading."""
    got, want = read(case.utterance, case.question, P), expected_intent(case.expected)
    assert not misread(got, want), f"misreading: {shown(got)} for {case.expected}"
    assert matches(got, want), f"{shown(got)} for {case.expected}"


def test_a_misreading_is_an_answer_not_meant_and_asking_again_is_none() -> None:
    assert misread(Understood(8.0), Understood(3.0, read_back=True))
    assert misread(Understood(True), None) and misread(Command("stop"), None)
    assert not misread(None, Understood(3.0)) and not misread(Unclear("range"), Understood(3.0))
    assert not misread(Understood(3.0, read_back=True), Understood(3.0, read_back=True))


def test_corpus_expectations_fit_their_question() -> None:
    by_id = {q.id: q for q in P.questions}
    for case in load_corpus():
        kind, question = case.kind, by_id[case.question]
        if kind in ("yes/no", "choice", "duration"):
            assert question.type.value.replace("_", "/") == kind, case


def test_expectations() -> None:
    assert expected_intent("yes") == Understood(True)
    assert expected_intent("none") is None
    assert expected_intent("cmd:back") == Command("back")
    assert expected_intent("choice:mild") == Understood("mild")
    weeks = expected_intent("10:days")
    assert isinstance(weeks, Understood) and weeks.value == pytest.approx(10 / 7)
    assert matches(Understood(1.5 * 30.4375 / 7), expected_intent("1.5:months"))
    assert not matches(Understood(True), Understood(1.0))
    for bad in ("ja", "cmd:jump", "choice:some", "3:fortnights", "weeks:3", ""):
        with pytest.raises(CorpusError):
            expected_intent(bad)


def test_corpus_is_mostly_new_utterances() -> None:
    """The canonical answers ('ja', 'fors', 'drie weken') are in both; most rows are not."""
    from assistant.text import normalise

    unit = {(p.values[0], normalise(p.values[1])) for p in TABLE}
    cases = load_corpus()
    shared = [c for c in cases if (c.question, normalise(c.utterance)) in unit]
    assert len(shared) < len(cases) / 3


def test_scripts_end_in_the_profile_they_aim_for() -> None:
    scripts = make_scripts(P, 40)
    assert {s.profile for s in scripts} == set(PROFILES)
    for script in scripts:
        patient = Patient(script)
        outcome = run_consultation(P, patient, [patient])
        result = outcome.consultation.result
        assert result is not None
        assert ("referral" if result.referral else result.profile) == script.profile


def _machine() -> Machine:
    return Machine("CPU X", 2, 8.0, "Linux", "CPython 3.11", "espeak-ng 1.51", "2026-01-01",
                   "abc123")


def test_render_has_every_section() -> None:
    sections = [
        Section("dialog", "Dialog turn latency", "Timed.", [
            at_most("turn p95", 0.001, 0.02, "1 ms", "≤ 20 ms"),
            Row("turn p50", "0.5 ms")]),
        Section("understanding", "Understanding", "Parsed.", [
            at_least("accuracy", 0.98, 0.99, "98 %", "≥ 99 %")], details="Misses: one."),
        Section("recognition", "Recognition", "Heard.", [Row("voice", "—", "", "skipped")],
                details="skipped: no Vosk model"),
    ]
    text = render(_machine(), sections, seconds=12.0, options="")
    for heading in ("# Benchmarks", "## Machine", "## Figures", "## 1. Dialog turn latency",
                    "## 2. Understanding", "## 3. Recognition", "## How to reproduce"):
        assert heading in text
    assert "CPU X" in text and "python -m bench" in text
    assert "| turn p95 | 1 ms | ≤ 20 ms | met |" in text
    assert "| accuracy | 98 % | ≥ 99 % | **missed** |" in text
    assert "Missed: accuracy" in text
    assert "skipped: no Vosk model" in text
    printed = table(sections)
    assert "turn p95" in printed and "missed" in printed


needs_tools = pytest.mark.skipif(
    bool(recognition.tools_missing()),
    reason=f"needs {', '.join(recognition.tools_missing())} (apt-get install espeak-ng sox)")


@needs_tools
@pytest.mark.parametrize(("voice", "rate"), recognition.VARIANTS)
def test_espeak_variants_make_16khz_speech(tmp_path: Path, voice: str, rate: int) -> None:
    path = tmp_path / "answer.wav"
    recognition.espeak("anderhalve maand", voice, rate, path)
    with wave.open(str(path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() > 0.3 * 16000


@needs_tools
def test_rates_change_the_length(tmp_path: Path) -> None:
    lengths = []
    for rate in (120, 200):
        path = tmp_path / f"r{rate}.wav"
        recognition.espeak("drie weken en twee dagen", "nl", rate, path)
        with wave.open(str(path)) as wav:
            lengths.append(wav.getnframes())
    assert lengths[0] > lengths[1] * 1.3


@needs_tools
@pytest.mark.parametrize("snr", [24.0, 12.0, 6.0])
def test_noise_is_mixed_at_the_snr_asked(tmp_path: Path, snr: float) -> None:
    speech = tmp_path / "answer.wav"
    recognition.espeak("nee hoor", "nl+f3", 150, speech)
    mix = recognition.mix_at_snr(speech, snr, tmp_path)
    assert abs(recognition.measured_snr(mix, speech) - snr) <= 0.5
    with wave.open(str(mix.path)) as wav:
        frames = wav.getnframes()
    lead_tail = round((recognition.LEAD + recognition.TAIL) * recognition.RATE)
    assert frames == mix.end - mix.start + lead_tail


@needs_tools
def test_clean_clip_is_the_speech_alone(tmp_path: Path) -> None:
    speech = tmp_path / "answer.wav"
    recognition.espeak("ja", "nl", 150, speech)
    mix = recognition.mix_at_snr(speech, None, tmp_path)
    assert mix.noise_gain == 0.0
    assert recognition.measured_snr(mix, speech) > 60  # only rounding to 16 bits is left


def test_recognition_is_skipped_with_a_clear_line_without_a_model(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import assistant.speech.model_location as models

    monkeypatch.setattr(models, "find_model", lambda *a, **k: None)
    section = recognition.measure(P, None, None)
    assert section.rows[0].status == "skipped"
    assert "no Vosk model" in section.details
    assert "assistant model download" in section.details
    assert "ASSISTANT_VOSK_MODEL" in section.details


def test_tools_found_here() -> None:
    missing = recognition.tools_missing()
    assert missing == [] or all(shutil.which(t) is None for t in missing)


MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
31 27 0:28 / /tmp rw,relatime - tmpfs tmpfs rw,mode=1777
40 27 8:1 / /tmpdata rw - xfs /dev/sda1 rw
41 27 8:2 / /mnt/my\\040disk rw - ext4 /dev/sda2 rw
not a mount line
"""


def test_mount_of_takes_the_longest_whole_component() -> None:
    mounts = parse_mountinfo(MOUNTINFO)
    assert [m.point for m in mounts] == ["/proc", "/", "/tmp", "/tmpdata", "/mnt/my disk"]
    assert mount_of("/tmp/bench-journal-x", mounts) == Mount("/tmp", "tmpfs", "tmpfs", "0:28")
    assert mount_of("/tmpx/a", mounts) == Mount("/", "ext4", "/dev/vda", "254:0")
    assert mount_of("/tmpdata", mounts) == Mount("/tmpdata", "xfs", "/dev/sda1", "8:1")
    found = mount_of("/mnt/my disk/f", mounts)
    assert found is not None and found.fstype == "ext4"
    assert mount_of("/x", []) is None


def test_the_disk_here_is_described(tmp_path: Path) -> None:
    disk = describe_disk(str(tmp_path))
    assert str(tmp_path) in disk.describe() or disk.path in disk.describe()
    if disk.mount is not None and disk.mount.fstype == "tmpfs":
        assert "memory" in disk.describe()
    times = fsync_times(str(tmp_path), count=3)
    assert len(times) == 3 and min(times) >= 0
    assert list(tmp_path.iterdir()) == []  # the probe's file is removed


def test_journaled_turns_reach_the_store(tmp_path: Path) -> None:
    from assistant.records.store import Store

    script = make_scripts(P, 1)[0]
    store = dialog.TimedJournalStore(Store.open(tmp_path / "records.sqlite3"))
    try:
        with open(os.devnull, "w", encoding="utf-8") as devnull:
            timer, ended = dialog.run_one(P, script, devnull, store)
    finally:
        store.store.close()
    assert ended == script.profile
    assert timer.turns and len(timer.ready) == len(timer.turns)  # each question, then a listen
    assert store.appends and len(store.closes) == 1


def test_every_exercise_command_gets_one_reaction() -> None:
    commands = exercises.TimedCommands(random.Random(3), stop_after=15, rate=0.05)
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        timer, stopped = exercises.run_session(P, "A", commands, devnull)
    assert stopped and commands.said[-1] == "stop"
    assert [text for text, _ in timer.reactions] == commands.said
    assert "verder" not in commands.said or "pauze" in commands.said


def test_without_a_dutch_model_the_recognition_rows_wait_with_their_targets() -> None:
    section = recognition.skipped("skipped: no Vosk model")
    measures = [row.measure for row in section.rows]
    assert {row.status for row in section.rows} == {"skipped"}
    assert measures[:2] == ["model load", "RSS added by the model"]
    assert "end of speech → result p95, 6 dB SNR" in measures
    targets = {row.measure: row.target for row in section.rows}
    assert targets["end of speech → next prompt audible p95 (clean)"] == "≤ 0.4 s"
    assert targets["accepted, clean"] == "≥ 99 %" and targets["accepted, 6 dB SNR"] == "≥ 95 %"


def test_the_intake_length_patients_reach_their_profiles() -> None:
    """bench/length.py's textbook patients reach the profile they stand for (a script that
    answered a question wrongly would stop or loop, and the figures would mean nothing)."""
    from assistant.dialog.consultation import unit_answers
    from assistant.intake.run import run_consultation
    from bench.length import PATIENTS, Therapist

    profiles = []
    for answers in PATIENTS.values():
        therapist = Therapist(answers)
        outcome = run_consultation(P, therapist, [therapist])
        assert outcome.consultation.result is not None
        profiles.append(outcome.consultation.result.profile)
        answered = unit_answers(outcome.consultation.history)  # a checklist: one answer
        assert therapist.given == len(answered) + 2  # + the choice, its read-back
    assert profiles == ["A", "A", "D"]
