"""The consultation report three ways (report.html to print, report.txt for the EPD,
report.md) from one model; the short summary in the terminal; the reports folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import date
from html import escape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.intake.run import IntakeOutcome
from assistant.output.report import REPORT_FILES, write_report
from assistant.output.report_build import build_report
from assistant.output.report_content import AnswerRow, Answers, Baseline, Bullets, Report, Section
from assistant.output.report_html import render_html
from assistant.output.report_markdown import render_markdown
from assistant.output.report_text import WIDTH, render_summary, render_text
from assistant.records.location import new_report_dir
from assistant.settings import PracticeSettings, save_settings
from tests.harness import (
    AGE,
    CLEARED_TRAUMA_BY_ID,
    PROFILE_ANSWERS,
    PROTOCOL,
    SCREENED_BY_ID,
    intake,
    profile,
    run_intake,
)
from tests.intake_lines import lines
from tests.intake_script import IntakeScript, Said

DAY = date(2026, 11, 30)
SCRIPT = "<script>alert('x')</script>"
# profile B after a trauma the rule clears, the psychosocial question answered with a note
# that is markup, two exercises
PROFILE_B = intake(CLEARED_TRAUMA_BY_ID, PROFILE_ANSWERS["B"], {
    "psychosocial_dominant": f"nee, {SCRIPT}", "exercise_choice": "veertien en vijfenvijftig"},
    strict=True)
PROFILE_D = profile("D", {"exercise_choice": "F14"}, strict=True)
# a spinal-cord sign, confirmed, then no deficit now (asked right after it); the duration the
# referral asks for the letter
REFERRAL = intake(SCREENED_BY_ID, {"rf_spinal_cord_hoffmann": "ja", "acute_deficit_now": "nee",
                                   "weeks_since_onset": "drie weken"},
                  confirms={"rf_spinal_cord_hoffmann": "ja"}, strict=True)
# profile A: a little impact, three weeks, improving, not recurrent; then work (or none); the
# input ends at the choice of exercises
WORKS: dict[str, Said] = {"has_work": "ja", "work_related": "nee",
                          "work_absence_weeks": "geen"}  # works, not work-related, no absence
NO_WORK: dict[str, Said] = {"has_work": "nee"}
# a note on the second red flag (read back, confirmed); "stop" at the third
STOPPED_EARLY = intake({"age_years": AGE, "rf_dislocation": "nee, nooit gehad",
                        "rf_spinal_cord_gait_hands": "stop"},
                       confirms={"rf_dislocation": "ja"}, strict=True)
BASELINE = Baseline(7, (6, 7, 8), ("traplopen", "autorijden", "lezen"))
SETTINGS = PracticeSettings(therapist="Sam de Vries", practice="Fysio & Co <Utrecht>",
                            agb="04123456", phone="030 123 45 67")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def outcome_of(inputs: IntakeScript) -> IntakeOutcome:
    """A whole intake answered by `inputs`, to its result."""
    outcome, _ = run_intake(inputs)
    assert outcome.consultation.result is not None
    return outcome


def report_of(outcome: IntakeOutcome, *, patient: str | None = None,
              baseline: Baseline | None = None,
              settings: PracticeSettings | None = None) -> Report:
    consultation = outcome.consultation
    return build_report(protocol=PROTOCOL, answers=outcome.answers,
                        findings=consultation.findings, result=consultation.result, day=DAY,
                        chosen=outcome.chosen_exercises, patient=patient, baseline=baseline,
                        settings=settings)


def three(report: Report) -> dict[str, str]:
    return {"html": render_html(report), "txt": render_text(report),
            "md": render_markdown(report)}


def flat(text: str) -> str:
    """The text with every run of white space as one space (lines wrapped or not)."""
    return " ".join(text.split())


def test_every_report_carries_id_date_baseline_chosen_exercises_and_the_menu_as_one_line(
) -> None:
    outcome = outcome_of(PROFILE_B)
    assert outcome.chosen_exercises == ("F14", "F55")
    result = outcome.consultation.result
    assert result is not None and result.profile == "B"
    menu = f"Menu van profiel B: {', '.join(result.exercises)}."
    for kind, text in three(report_of(outcome, patient="P-0042", baseline=BASELINE)).items():
        words = flat(text)
        assert "P-0042" in words and "2026-11-30" in words, kind
        assert "Pijn (NPRS): 7 van 10" in words and "PSK, lezen: 8 van 10" in words, kind
        assert "PSK gemiddeld: 7" in words, kind
        assert "F14: Nek en romp draaien, zittend" in words, kind
        assert "F55: Roeien met het oefenelastiek" in words, kind
        assert menu in words, kind  # the whole menu: one line of codes
        assert "Schouderrondjes" not in words, kind  # F30, on the menu, not chosen
        assert "Behandelprofiel B" in words and "Graad II" in words, kind
        assert "De Canadian C-spine rule sluit een fractuur uit." in words, kind


def test_report_txt_has_no_markdown_and_no_line_over_80() -> None:
    text = render_text(report_of(outcome_of(PROFILE_B), patient="P-0042", baseline=BASELINE))
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # Notepad: CR LF
    lines = text.split("\r\n")
    assert max(len(line) for line in lines) <= WIDTH
    for mark in ("#", "**", "](", "---", "```"):
        assert mark not in text, mark
    # the note keeps its words exactly; no other '|' anywhere (no tables)
    assert text.count("|") == 0 and f"Toelichting: {SCRIPT}" in text
    assert "NEKPIJN-INTAKE" in lines[0] and "CONCLUSIE" in lines


def test_report_html_escapes_every_user_text() -> None:
    html = render_html(report_of(outcome_of(PROFILE_B), patient="P<b>42</b>",
                                 settings=SETTINGS))
    assert "<script" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>42" not in html and "P&lt;b&gt;42&lt;/b&gt;" in html
    assert "Fysio &amp; Co &lt;Utrecht&gt;" in html
    assert html.count("<tr>") == 1 + len(outcome_of(PROFILE_B).answers)  # header and answers
    assert "@page { size: A4" in html and "@media print" in html


def test_the_d_report_has_the_time_path_and_the_nerve_glides_as_one_line() -> None:
    outcome = outcome_of(PROFILE_D)
    result = outcome.consultation.result
    assert result is not None and result.profile == "D"
    later = f"Bij onvoldoende effect, samen met zenuwmobilisatie: " \
            f"{', '.join(result.exercises_if_insufficient)}."
    for kind, text in three(report_of(outcome)).items():
        words = flat(text)
        assert ("Tijdspad: evalueer op of rond 11 januari 2027 (6 weken na de intake), met de "
                "NPRS en de PSK.") in words, kind
        assert later in words and "Neurologische beginsituatie".upper() in words.upper(), kind
        assert f"Let op: {result.exercise_warning}" in words, kind


def test_a_referral_letter_is_signed_with_the_practice_details() -> None:
    outcome = outcome_of(REFERRAL)
    assert outcome.consultation.result is not None and outcome.consultation.result.referral
    signed = report_of(outcome, settings=SETTINGS)
    assert not signed.letter_unsigned
    for kind, text in three(signed).items():
        words = flat(text)
        for line in ("Naam fysiotherapeut: Sam de Vries", "AGB-code: 04123456",
                     "Telefoon: 030 123 45 67"):
            assert line in words, kind
        assert "____" not in text.split("Met collegiale groet")[1], kind
    unsigned = report_of(outcome)
    assert unsigned.letter_unsigned
    md = render_markdown(unsigned)
    assert "Naam fysiotherapeut: ____________________" in md and "AGB-code" not in md
    partly = render_markdown(report_of(outcome, settings=PracticeSettings(therapist="Sam")))
    assert "Naam fysiotherapeut: Sam" in partly and "Praktijk: ____" in partly


def test_the_referral_summary_names_the_urgency_and_no_exercises() -> None:
    summary = render_summary(report_of(outcome_of(REFERRAL)))
    assert "Verwijzing naar de huisarts of een specialist: vandaag nog" in summary
    assert "oefeningen" not in summary.lower()
    assert len(summary.splitlines()) < 15


def test_the_written_report_html_is_the_rendered_report_and_private(tmp_path: Path) -> None:
    outcome = outcome_of(PROFILE_B)
    report = report_of(outcome, patient="P-1", baseline=BASELINE, settings=SETTINGS)
    written = write_report(tmp_path, report=report, findings=outcome.consultation.findings,
                           result=outcome.consultation.result, chosen=outcome.chosen_exercises)
    assert [p.name for p in written] == [*REPORT_FILES, "findings.json", "result.json"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    assert render_html(report) == (tmp_path / "report.html").read_text("utf-8")
    assert (tmp_path / "report.txt").read_bytes().count(b"\r\n") > 100


def test_an_unfinished_intake_is_marked_and_keeps_its_answers() -> None:
    outcome, _ = run_intake(STOPPED_EARLY)
    report = report_of(outcome)
    assert not report.complete and render_summary(report) == ""
    for kind, text in three(report).items():
        assert "(onvolledig)" in text.lower() and "nooit gehad" in text, kind


def test_a_new_report_folder_never_reuses_a_name(tmp_path: Path) -> None:
    first = new_report_dir(DAY, "P-1", root=tmp_path)
    second = new_report_dir(DAY, "P-1", root=tmp_path)
    assert (first.name, second.name) == ("2026-11-30_P-1", "2026-11-30_P-1-2")
    anonymous = new_report_dir(DAY, None, root=tmp_path)
    assert re.fullmatch(r"2026-11-30_\d{6}", anonymous.name)
    assert stat.S_IMODE(first.stat().st_mode) == 0o700


def typed(inputs: IntakeScript, *after: str) -> str:
    """What is typed at the intake answered by `inputs`, the age first; then the lines `after`
    (what the command asks after the intake)."""
    return "\n".join([*lines(inputs), *after]) + "\n"


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)


def reports_root() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "nekpijn-assistent" / "verslagen"


def test_the_intake_ends_with_a_summary_and_writes_to_the_data_folder() -> None:
    stdin = typed(PROFILE_B, "nee")  # no baseline measurement now
    done = cli("intake", "--text", "--mute", "--patient", "P-7", "--date", "2026-11-30",
               stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert "## " not in done.stdout and "| Vraag |" not in done.stdout  # no Markdown report
    tail = done.stdout.split("Uitkomst:")[1]
    assert "- Behandelprofiel B" in tail and "Waarom:" in tail
    assert "- F14: Nek en romp draaien, zittend" in tail
    folder = reports_root() / "2026-11-30_P-7"
    assert f"Verslag geschreven in {folder}" in tail
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*REPORT_FILES, "findings.json", "result.json", "oefenblad.html"])
    assert "Patiënt: P-7" in (folder / "report.md").read_text("utf-8")
    again = cli("intake", "--text", "--mute", "--patient", "P-7", "--date", "2026-11-30",
                stdin=stdin)
    assert again.returncode == 0, again.stderr
    assert (reports_root() / "2026-11-30_P-7-2" / "report.html").exists()
    assert json.loads((folder / "result.json").read_text("utf-8"))["profile"] == "B"


def test_a_referral_says_once_how_to_sign_the_letter_until_it_is_set() -> None:
    stdin = typed(REFERRAL)
    done = cli("intake", "--text", "--mute", stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("assistant settings --naam") == 1
    save_settings(SETTINGS)  # ASSISTANT_CONFIG: the test's own file
    signed = cli("intake", "--text", "--mute", stdin=stdin)
    assert signed.returncode == 0, signed.stderr
    assert "assistant settings" not in signed.stdout
    folder = Path(signed.stdout.split("Verslag geschreven in ")[1].splitlines()[0])
    assert "Naam fysiotherapeut: Sam de Vries" in (folder / "report.txt").read_text("utf-8")


def test_a_damaged_settings_file_does_not_stop_the_intake(tmp_path: Path) -> None:
    Path(os.environ["ASSISTANT_CONFIG"]).parent.mkdir(parents=True, exist_ok=True)
    Path(os.environ["ASSISTANT_CONFIG"]).write_text("therapist = [", "utf-8")
    done = cli("intake", "--text", "--mute", "--report", str(tmp_path / "r"),
               stdin=typed(REFERRAL))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and "is beschadigd" in done.stderr
    assert "____" in (tmp_path / "r" / "report.md").read_text("utf-8")


def test_a_stopped_intake_without_a_journal_is_still_written(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", "utf-8")  # the records file cannot be made under a file
    done = cli("intake", "--text", "--mute", "--db", str(blocked / "r.sqlite3"),
               stdin=typed(STOPPED_EARLY))
    assert done.returncode == 1
    written = [p for p in reports_root().iterdir()] if reports_root().exists() else []
    assert len(written) == 1 and "nooit gehad" in (written[0] / "report.txt").read_text("utf-8")
    kept = cli("intake", "--text", "--mute", stdin="nee\nstop\n")  # the journal keeps it
    assert kept.returncode == 1 and len(list(reports_root().iterdir())) == 1


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium;"
                                             " .ci/run installs it) to print the report")
def test_report_html_prints_to_a4_pdf_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(report_of(outcome_of(PROFILE_D), patient="P-1",
                                          baseline=BASELINE)), "utf-8")
    pdf = tmp_path / "report.pdf"
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    sizes = {(round(float(w)), round(float(h)))
             for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)}
    assert sizes == {(595, 842)}  # A4 in points, every page
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", data)) >= 2  # answers, then the plan


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=5),
       st.text(min_size=1, max_size=120))
def test_any_note_keeps_report_txt_within_80_columns_and_the_html_escaped(
        notes: list[str], patient: str) -> None:
    rows = tuple(AnswerRow(f"Vraag {n}?", "ja", note) for n, note in enumerate(notes))
    report = Report("Nekpijn-intake", True, (("Patiënt", patient), ("Datum", "2026-11-30")),
                    (Section("Antwoorden", (Answers(rows),)),))
    text = render_text(report)
    assert all(len(line) <= WIDTH for line in text.split("\r\n"))
    assert flat(text).count("Antwoord: ja") == len(notes)
    html = render_html(report)
    body = html.split("<body>", 1)[1]
    for note in (*notes, patient):
        assert escape(note) in body  # as text, never as markup
    assert body.count("<tr>") == 1 + len(notes) and body.count("<td") == 3 * len(notes)


def test_the_d_summary_says_to_contact_the_gp() -> None:
    """Grade III not referred for it: the most important thing to do now is in the summary
    (KNGF recommendation 3), not only in the files."""
    summary = render_summary(report_of(outcome_of(PROFILE_D)))
    actions = summary.split("Acties:", 1)[1]
    assert "contact op met de huisarts" in actions.split("Gekozen oefeningen:")[0]


# --- version 3: no empty therapy lists, a minor, someone without work -------------------------

def test_profile_a_prints_only_the_recommended_therapy() -> None:
    outcome = outcome_of(profile("A", WORKS, strict=True))
    result = outcome.consultation.result
    assert result is not None and result.profile == "A"
    assert not result.consider and not result.discouraged
    for kind, text in three(report_of(outcome)).items():
        therapy = text.split("Aanbevolen", 1)[1]
        assert "Te overwegen" not in text and "Afgeraden" not in text, kind
        assert PROTOCOL.therapy("exercise_therapy").name in therapy, kind
        lines = [line.strip(" \r") for line in text.splitlines()]
        for bullet in ("- geen", "• geen", "<li>geen</li>"):
            assert bullet not in lines and bullet not in text, (kind, bullet)


def test_a_minors_conclusion_says_so_first() -> None:
    outcome = outcome_of(profile("A", WORKS, {"age_years": "17"}, strict=True))
    result = outcome.consultation.result
    assert result is not None and result.cautions[:1] == ("minor",)
    report = report_of(outcome)
    conclusion = next(section for section in report.sections if section.title == "Conclusie")
    first = conclusion.blocks[0]
    assert isinstance(first, Bullets) and first.items[0].startswith("Jonger dan 18 (17 jaar)")
    for kind, text in three(report).items():
        words = flat(text)
        assert "Jonger dan 18 (17 jaar): de richtlijn is geschreven voor volwassenen" in words, \
            kind
    adult = outcome_of(profile("A", WORKS, strict=True))
    assert "Jonger dan 18" not in flat(render_text(report_of(adult)))  # an adult's report does not


def test_without_work_there_is_no_line_about_working() -> None:
    working = outcome_of(profile("A", WORKS, strict=True))
    idle = outcome_of(profile("A", NO_WORK, strict=True))
    assert idle.consultation.findings.has_work is False
    assert "Blijf werken" in flat(render_text(report_of(working)))  # the line exists
    for kind, text in three(report_of(idle)).items():
        assert "Blijf werken" not in text, kind
        assert "Stel de patiënt gerust" in flat(text), kind  # the rest of the advice is there


def test_a_precaution_is_named_in_the_conclusion_of_every_report() -> None:
    outcome, _ = run_intake(profile("B", {"pr_anticoagulants": "ja"}, strict=True))
    result = outcome.consultation.result
    assert result is not None and result.cautions == ("no_manipulation",)
    name = PROTOCOL.precaution_name("anticoagulants")
    for kind, text in three(report_of(outcome)).items():
        assert f"Voorzorgen: {name}" in flat(text), kind
    plain = outcome_of(profile("A", WORKS, strict=True))  # no precaution: no such line
    assert "Voorzorgen" not in render_text(report_of(plain))
