"""`assistant exercises` and the exercises of an intake, from the command line as a user runs
them: the library listing, a guided session, the sheet (also rendered in headless Chromium)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.protocol import classify, load_protocol
from assistant.protocol.exercises import Patient
from assistant.protocol.findings_json import parse_findings
from assistant.records.store import Store
from tests.harness import PROFILE_B_TEN_WEEKS, intake
from tests.intake_lines import typed
from tests.records_fixtures import GRADE_III_FILE

P = load_protocol()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "ASSISTANT_FAST_CLOCK": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env=environ)


def events_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_list_json_has_every_exercise_with_steps_and_dosage() -> None:
    done = run("exercises", "--list", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert [e["code"] for e in listed] == list(P.library.codes)
    for entry in listed:
        assert len(entry["steps"]) >= 2 and entry["dosage"] and entry["name"]
        ex = P.library.exercise(entry["code"])
        assert (entry["name"], entry["technical_name"]) == (ex.name, ex.technical_name)
        assert entry["name"] != entry["technical_name"] and entry["one_arm"] == ex.one_arm
    f28 = next(e for e in listed if e["code"] == "F28")
    assert f28["name"] == "Zenuwglijder voor de arm, binnenkant, met katrol"
    assert f28["technical_name"] == "Stretch van het medianusweefsel met neurodynamica en katrol"
    assert f28["one_arm"] is True
    # codes are read as the spoken choice is: glued, spaced, as words, repeated
    picked = run("exercises", "--list", "--codes", "f14; 26A, F 56 b,vijfenvijftig,F14")
    assert [line.split()[0] for line in picked.stdout.splitlines()] == [
        "F14", "F26a", "F56b", "F55"]
    text = run("exercises", "--list", "--profile", "A")
    assert text.returncode == 0
    assert [line.split()[0] for line in text.stdout.splitlines()] == list(
        P.profile("A").exercises)


def test_a_profile_session_guides_through_its_whole_menu(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    done = run("exercises", "--profile", "B", "--text", "--mute", "--events", str(log))
    assert done.returncode == 0, done.stderr
    events = events_of(log)
    menu = list(P.profile("B").exercises)
    assert [e["code"] for e in events if e["event"] == "exercise"] == menu
    assert events[-1] == {"event": "done", "completed": menu, "skipped": [], "stopped": False}
    assert {"step", "rep", "hold"} <= {e["event"] for e in events}
    assert P.library.exercise("F14").name in done.stdout  # the patient reads the plain name
    assert P.library.session.closing[-1] in done.stdout


def test_typed_commands_pause_resume_and_stop_a_session(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    done = run("exercises", "--profile", "B", "--text", "--mute", "--events", str(log),
               stdin="pauze\nverder\nstop\n")
    assert done.returncode == 1, done.stderr
    events = events_of(log)
    heard = [e["text"] for e in events if e["event"] == "heard"]
    assert heard == ["pauze", "verder", "stop"]
    assert events[-1]["event"] == "done" and events[-1]["stopped"] is True
    texts = P.library.session
    assert texts.paused in done.stdout and texts.resumed in done.stdout
    assert texts.stopped in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--codes", "F14,F99"], "onbekende oefening 'F99'"),
    ([], "kies de oefeningen met --codes, --profile of --patient"),
    (["--codes", "F14", "--json"], "--json hoort bij --list"),
    (["--profile", "A", "--codes", "F55"], "F55 staat niet in het menu van profiel A"),
    (["--codes", ","], "geen oefeningen genoemd"),
    (["--codes", "geen"], "onbekende oefening 'geen'"),
    (["--codes", "F28", "--side", "boven"], "geen oefenarm: kies links, rechts of beide"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = run("exercises", "--text", "--mute", *args)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_the_program_chosen_at_a_patients_intake(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    findings = parse_findings({"red_flags": [], "precautions": [], "neurological_signs": True,
                               "trauma_related": False, "work_related": False,
                               **GRADE_III_FILE})
    result = classify(findings, P).to_json()
    with Store.open(db) as store:
        store.add_consultation("pt-7", date(2026, 11, 1), findings.to_json(), result,
                               ["F56", "F28"])
        store.add_consultation("pt-8", date(2026, 11, 1), findings.to_json(), result, [])
    log = tmp_path / "events.jsonl"
    done = run("exercises", "--patient", "pt-7", "--db", str(db), "--text", "--mute",
               "--events", str(log))
    assert done.returncode == 0, done.stderr
    events = events_of(log)
    assert [e["code"] for e in events if e["event"] == "exercise"] == ["F56", "F28"]
    warning = P.profile("D").exercise_warning
    assert warning and warning in done.stdout  # profile D's caution
    # the arm: from the intake's findings (none stored: the therapist points it out) ...
    texts = P.library.session
    assert texts.arm_unknown in done.stdout
    sides = {e["side"] for e in events_of(log) if e["event"] == "rep"}
    assert sides == {None}
    # ... or --side, which overrides them
    right = run("exercises", "--patient", "pt-7", "--db", str(db), "--text", "--mute",
                "--side", "rechts", "--events", str(log))
    assert right.returncode == 0, right.stderr
    assert right.stdout.count(texts.arm_right) == 2 and texts.arm_unknown not in right.stdout
    assert {e["side"] for e in events_of(log) if e["event"] == "rep"} == {"right"}
    unknown = run("exercises", "--patient", "pt-9", "--db", str(db), "--text")
    assert unknown.returncode == 2 and "pt-9" in unknown.stderr
    nothing = run("exercises", "--patient", "pt-8", "--db", str(db), "--text")
    assert nothing.returncode == 2 and "geen oefeningen gekozen" in nothing.stderr


def test_an_intake_ends_with_a_choice_in_the_report_result_and_sheet(tmp_path: Path) -> None:
    report = tmp_path / "verslag"
    done = run("intake", "--text", "--mute", "--report", str(report),
               stdin=typed(intake(PROFILE_B_TEN_WEEKS,  # no work
                                  {"exercise_choice": "veertien en vijfenvijftig"})))
    assert done.returncode == 0, done.stderr
    result = json.loads((report / "result.json").read_text("utf-8"))
    assert result["profile"] == "B" and result["chosen_exercises"] == ["F14", "F55"]
    text = (report / "report.md").read_text("utf-8")
    assert "Gekozen voor thuis" in text
    assert "- F55: Roeien met het oefenelastiek (Roeioefening met oefenelastiek), 12 keer" in text
    assert "- F14: Nek en romp draaien, zittend (Rotatieoefening nek en romp), 10 keer" in text
    assert "Menu van profiel B: F1, F1a, F5, F14, " in text  # the menu: one line of codes
    assert "- F1: " not in text
    sheet = (report / "oefenblad.html").read_text("utf-8")
    for code in ("F14", "F55"):
        for step in P.library.exercise(code).steps:
            assert step in sheet
    assert "12 keer, 3 series" in sheet
    assert P.library.session.safety[0] in sheet
    assert oct((report / "oefenblad.html").stat().st_mode & 0o777) == "0o600"


def test_the_sheet_for_a_profile_d_choice_carries_the_warning(tmp_path: Path) -> None:
    sheet = tmp_path / "blad.html"
    done = run("exercises", "--profile", "D", "--codes", "F56,F57", "--sheet", str(sheet),
               "--date", "2026-11-24")
    assert done.returncode == 0, done.stderr
    html = sheet.read_text("utf-8")
    warning = P.profile("D").exercise_warning
    assert warning and warning in html and 'class="warning"' in html
    assert "24-11-2026" in html and html.count('class="exercise"') == 2
    plain = tmp_path / "b.html"
    run("exercises", "--profile", "B", "--codes", "F56", "--sheet", str(plain))
    assert warning not in plain.read_text("utf-8")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium;"
                                             " .ci/run installs it) to render the sheet")
def test_the_sheet_renders_in_headless_chromium(tmp_path: Path) -> None:
    sheet, png = tmp_path / "blad.html", tmp_path / "blad.png"
    assert run("exercises", "--profile", "D", "--codes", "F14,F55,F56", "--sheet",
               str(sheet)).returncode == 0
    assert CHROMIUM is not None
    shot = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
         "--window-size=900,1800", f"--screenshot={png}", sheet.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (900, 1800)
    assert len(data) > 50_000  # text and boxes, not a blank page


def test_the_patients_arm_side_comes_from_the_stored_intake(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    findings = parse_findings({"red_flags": [], "precautions": [], "neurological_signs": True,
                               "trauma_related": False, "work_related": False,
                               **GRADE_III_FILE}).to_json()
    result = classify(parse_findings(findings), P).to_json()
    with Store.open(db) as store:  # as stored: the findings JSON with arm_side
        store.add_consultation("pt-5", date(2026, 11, 1), {**findings, "arm_side": "left"},
                               result, ["F28"])
    sheet = tmp_path / "blad.html"
    done = run("exercises", "--patient", "pt-5", "--db", str(db), "--sheet", str(sheet))
    assert done.returncode == 0, done.stderr
    html = sheet.read_text("utf-8")
    assert P.library.session.arm_left in html and "linkerarm" in html
    both = run("exercises", "--patient", "pt-5", "--db", str(db), "--sheet", str(sheet),
               "--side", "beide")
    assert both.returncode == 0, both.stderr
    assert P.library.session.arm_both in sheet.read_text("utf-8")


def test_side_rechts_guides_the_right_arm(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    done = run("exercises", "--codes", "F28,F14", "--side", "rechts", "--text", "--mute",
               "--events", str(log))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(P.library.session.arm_right) == 1  # F28 only, not F14
    reps = [e for e in events_of(log) if e["event"] == "rep"]
    assert {e["side"] for e in reps if e["code"] == "F28"} == {"right"}
    assert {e["side"] for e in reps if e["code"] == "F14"} == {None}


def test_the_sheet_spells_out_the_arm_and_shows_the_technical_name_small() -> None:
    from html import escape

    from assistant.output.sheet import THERAPIST, render_sheet

    texts = P.library.session
    f28 = P.library.exercise("F28")
    left = render_sheet(P.library, ["F28", "F14"], day=date(2026, 11, 30),
                        patient=Patient(arm_side="left"))
    assert "linkerarm" in left and texts.arm_left in left
    assert "de kant die u hoort noemen" not in left and "hoort noemen" not in left
    assert escape(texts.arm_fill_in) not in left and texts.arm_unknown not in left
    assert left.count("Welke arm") == 1  # F28, not F14
    heading = left.split('id="F28"')[1].split("</h2>")[0]
    assert escape(f28.name) in heading and f28.technical_name not in heading
    assert f'<p class="technical">{escape(THERAPIST + f28.technical_name)}</p>' in left
    unknown = render_sheet(P.library, ["F28"], day=date(2026, 11, 30))
    assert texts.arm_unknown in unknown and escape(texts.arm_fill_in) in unknown
    assert "linkerarm" not in unknown and "rechterarm" not in unknown
    both = render_sheet(P.library, ["F28"], day=date(2026, 11, 30),
                        patient=Patient(arm_side="both"))
    assert texts.arm_both in both and escape(texts.arm_fill_in) not in both


def test_every_precaution_has_the_therapists_words() -> None:
    """A precaution added to the findings (findings.PRECAUTIONS) needs its Dutch words for
    `exercises --precautions`: this names the one that has none."""
    from assistant.cli.exercises import PRECAUTION_NAMES, parse_precautions
    from assistant.protocol.findings import PRECAUTIONS

    assert sorted(set(PRECAUTIONS) - set(PRECAUTION_NAMES)) == []
    for key, words in PRECAUTION_NAMES.items():
        assert all(parse_precautions(word) == {key} for word in words)


def test_geen_with_a_precaution_is_a_contradiction_not_an_unknown_word() -> None:
    import argparse

    from assistant.cli.exercises import parse_precautions

    with pytest.raises(argparse.ArgumentTypeError, match="'geen' gaat niet samen"):
        parse_precautions("geen,osteoporose")
    assert parse_precautions("geen") == frozenset()


def test_the_sheet_prints_the_emergency_number_in_figures() -> None:
    """The voice says 'één-één-twee' (espeak-ng would say 'honderdtwaalf'); the paper says 112."""
    from assistant.output.sheet import render_sheet

    said = [s for s in P.library.exercise("F14").safety if "één-één-twee" in s]
    assert said  # the spoken form is in the data, for the voice
    sheet = render_sheet(P.library, ["F14"], day=date(2026, 11, 30))
    assert "alarmnummer 112" in sheet and "één-één-twee" not in sheet
