"""Finishing an intake under faults (the review after issue 23): a kill, a closed window or a
full disk between storing the intake and writing its report loses nothing and never makes a
second intake. Storing marks the journal 'stored' in the same transaction and leaves it open;
it is closed only once the report is written and the baseline taken, and the next run of that
intake (command line or screen) writes the report from the journal. A report folder whose
writing was cut off never blocks the write that completes it. A journal entry of the wrong
shape is set aside intact, like any journal that cannot be replayed."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from assistant.dialog.yes_no import offer_baseline as real_offer_baseline
from assistant.errors import RecordsError
from assistant.intake import filing, flow
from assistant.intake.filing import UNFINISHED
from assistant.output.report import write_report as real_write_report
from assistant.records.location import reports_dir
from assistant.records.store import Store
from tests.in_process import one_line, run
from tests.intake_lines import PROFILE_B_LINES as ANSWERS
from tests.intake_lines import PROFILE_B_TYPED as TYPED
from tests.records_fixtures import count, records
from tests.ui_screen import Page, ended, screen_for

ROOT = Path(__file__).resolve().parents[1]
# ANSWERS: profile B; at the menu no exercise; then the baseline is offered
REPORT = ("report.html", "report.txt", "report.md", "findings.json", "result.json")


class Killed(BaseException):
    """The process ends here, as under SIGKILL: no handler of the assistant's runs."""


def last_entry() -> dict[str, Any]:
    with Store.open(records()) as store:
        row = store._conn.execute(text("SELECT payload FROM journal_entries ORDER BY journal"
                                       " DESC, seq DESC LIMIT 1")).scalar_one()
    payload: dict[str, Any] = json.loads(row)
    return payload


def complete(folder: Path) -> bool:
    return (all((folder / name).is_file() for name in REPORT)
            and not (folder / UNFINISHED).exists()
            and not [p for p in folder.iterdir() if p.name.startswith(".")])


def killed_at_the_report(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                         argv: list[str], *, after: str | None = None) -> None:
    """Run the intake with a kill in the report's writing: before any file (`after` None) or
    once the file `after` is written (a half folder, its temporary file left beside it)."""
    def write_report(folder: Path, **kwargs: Any) -> list[Path]:
        if after is not None:
            (folder / after).write_text("half", encoding="utf-8")
            (folder / f".{'report.txt'}.zcpe0fyc").write_text("half", encoding="utf-8")
        raise Killed

    monkeypatch.setattr(filing, "write_report", write_report)
    with pytest.raises(Killed):
        run(argv, capsys, monkeypatch, TYPED)
    monkeypatch.setattr(filing, "write_report", real_write_report)
    capsys.readouterr()


def test_a_kill_before_the_report_is_finished_by_the_next_run(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["intake", "--text", "--mute", "--patient", "M1"]
    killed_at_the_report(monkeypatch, capsys, argv)
    assert count("SELECT COUNT(*) FROM consultations") == 1
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 1
    assert last_entry()["event"] == "stored"  # the exact link, not a guess by date
    code, out, err = run(argv, capsys, monkeypatch)
    assert code == 0, err
    assert "De intake van patiënt M1" in out and "was al opgeslagen; het verslag is nu " \
        "geschreven in" in out
    assert "Let op" not in err  # finishing the one intake is no second one
    assert count("SELECT COUNT(*) FROM consultations") == 1  # no second intake
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 0
    assert count("SELECT COUNT(*) FROM journal_entries") == 0  # closed as finished
    folders = list(reports_dir().iterdir())
    assert len(folders) == 1 and complete(folders[0])
    assert "Graad: II" in (folders[0] / "report.txt").read_text(encoding="utf-8")


def test_a_half_written_report_folder_does_not_block_the_write_that_completes_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "rep"
    argv = ["intake", "--text", "--mute", "--patient", "M2", "--report", str(folder)]
    killed_at_the_report(monkeypatch, capsys, argv, after="report.html")
    assert (folder / "report.html").exists() and (folder / UNFINISHED).exists()
    code, out, err = run(argv, capsys, monkeypatch)
    assert code == 0, err
    assert f"het verslag is nu geschreven in {folder}" in out
    assert complete(folder)  # the marker and the temporary file are gone
    assert count("SELECT COUNT(*) FROM consultations") == 1
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 0
    # a complete report is never written over
    code, _, err = run(argv, capsys, monkeypatch, TYPED)
    assert code == 2 and "staat al een verslag" in one_line(err)


def test_a_half_written_default_folder_is_completed_not_left_beside_another(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["intake", "--text", "--mute", "--patient", "M3"]
    killed_at_the_report(monkeypatch, capsys, argv, after="report.html")
    code, _, err = run(argv, capsys, monkeypatch)
    assert code == 0, err
    folders = list(reports_dir().iterdir())
    assert len(folders) == 1 and complete(folders[0])


def test_a_sigkill_at_the_baseline_loses_nothing(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """As the review did it: the real process, killed at the PSK's second activity."""
    env = {**os.environ, "ASSISTANT_FAST_CLOCK": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "intake", "--text", "--mute", "--patient", "M4"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(TYPED + "geen\nja\nja\ntraplopen\n")
    process.stdin.flush()
    seen = []
    deadline = time.monotonic() + 60
    try:
        for line in process.stdout:
            seen.append(line)
            if "tweede activiteit" in line.lower() or time.monotonic() > deadline:
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert "tweede activiteit" in "".join(seen).lower(), "".join(seen[-20:])
    assert count("SELECT COUNT(*) FROM consultations") == 1
    assert count("SELECT COUNT(*) FROM evaluations") == 0
    assert last_entry()["event"] == "stored"
    # the next run: the baseline offered again (taken now), the report written, no second one
    code, out, err = run(["intake", "--text", "--mute", "--patient", "M4"], capsys,
                         monkeypatch, "ja\ntraplopen\nautorijden\nlezen\n4\n5\n6\n7\n")
    assert code == 0, err
    assert "was al opgeslagen; het verslag is nu geschreven in" in out
    assert count("SELECT COUNT(*) FROM consultations") == 1
    assert count("SELECT COUNT(*) FROM evaluations") == 1
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 0
    folders = [f for f in reports_dir().iterdir() if complete(f)]
    assert len(folders) == 1
    assert "traplopen" in (folders[0] / "report.txt").read_text(encoding="utf-8")


def test_a_full_disk_at_the_report_says_how_to_write_it_later(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "full" / "rep"
    argv = ["intake", "--text", "--mute", "--patient", "RF", "--report", str(folder)]
    def full(folder: Path, **kwargs: Any) -> list[Path]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(filing, "write_report", full)
    code, _, err = run(argv, capsys, monkeypatch, TYPED)
    line = one_line(err)
    assert code == 2
    assert "de schijf is vol" in line and "de intake is opgeslagen" in line
    assert "maak ruimte en start" in line and "intake --patient RF" in line
    assert "alsnog geschreven" in line
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 1
    monkeypatch.setattr(filing, "write_report", real_write_report)
    code, out, err = run(argv, capsys, monkeypatch)
    assert code == 0, err
    assert complete(folder) and "was al opgeslagen" in out
    assert count("SELECT COUNT(*) FROM consultations") == 1


def test_ctrl_c_at_the_baseline_offer_says_how_to_finish(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(flow, "offer_baseline", interrupted)
    code, _, err = run(["intake", "--text", "--mute", "--patient", "M6"], capsys, monkeypatch,
                       TYPED)
    line = one_line(err)
    assert code == 1 and "de intake is opgeslagen" in line and "intake --patient M6" in line
    assert last_entry()["event"] == "stored"
    monkeypatch.setattr(flow, "offer_baseline", real_offer_baseline)
    code, out, err = run(["intake", "--text", "--mute", "--patient", "M6"], capsys, monkeypatch)
    assert code == 0 and "was al opgeslagen" in out, err
    assert count("SELECT COUNT(*) FROM consultations") == 1


def test_an_intake_without_a_patient_cut_off_at_its_report_is_finished_by_resume(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    killed_at_the_report(monkeypatch, capsys, ["intake", "--text", "--mute"])
    assert last_entry() == {"event": "stored", "consultation": None}
    code, out, err = run(["intake", "--text", "--mute", "--resume"], capsys, monkeypatch)
    assert code == 0, err
    assert "De intake van de intake zonder patiënt-id" not in out
    assert "was al opgeslagen; het verslag is nu geschreven in" in out
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 0
    assert count("SELECT COUNT(*) FROM consultations") == 0


def test_a_second_intake_on_one_day_is_said(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["intake", "--text", "--mute", "--patient", "M5"]
    code, _, err = run(argv, capsys, monkeypatch, TYPED)
    assert code == 0 and err == "", err
    code, _, err = run(argv, capsys, monkeypatch, TYPED)
    assert code == 0
    line = one_line(err)
    assert line.startswith("Let op: patiënt M5 heeft al een intake van "
                           f"{date.today().isoformat()}") and "tweede" in line
    assert "history --patient M5" in line
    assert count("SELECT COUNT(*) FROM consultations") == 2  # said, not refused


def test_the_stored_mark_and_its_journal(tmp_path: Path) -> None:
    day = date(2026, 3, 4)
    with Store.open(tmp_path / "r.sqlite3") as store:
        journal = store.journal_open("P-1", day)
        store.journal_append(journal, {"kind": "answer", "question": "age_years",
                                       "heard": "47", "value": 47})
        stored = store.finish_intake(journal, "P-1", day, {"red_flags": []},
                                     {"grade": "II", "profile": "B"}, [])
        assert store.journal_stored_entry(journal) == {"event": "stored",
                                                       "consultation": stored}
        row = store.journal_find_open("P-1")
        assert row is not None and row.id == journal  # open until the report is written
        found = store.journal_stored(row)
        assert found is not None and found.id == stored
        with pytest.raises(RecordsError):  # the answers are final
            store.journal_append(journal, {"kind": "back"})
        with pytest.raises(RecordsError):  # and stored once
            store.finish_intake(journal, "P-1", day, {"red_flags": []}, {}, [])
        assert len(store.consultations("P-1")) == 1


def test_an_earlier_versions_stored_mark_still_counts(tmp_path: Path) -> None:
    """A journal written before the journal was events ends in {"kind": "stored"}: it is the
    same mark (no second intake is stored, the report is finished)."""
    import sqlite3

    with Store.open(tmp_path / "r.sqlite3") as store:
        journal = store.journal_open("P-1", date(2026, 3, 4))
        store.journal_append(journal, {"kind": "answer", "question": "age_years",
                                       "heard": "47", "value": 47})
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        conn.execute("INSERT INTO journal_entries (journal, seq, payload) VALUES (?, 2, ?)",
                     (journal, '{"kind": "stored", "consultation": null}'))
    with Store.open(tmp_path / "r.sqlite3") as store:
        assert store.journal_stored_entry(journal) == {"kind": "stored", "consultation": None}
        with pytest.raises(RecordsError):  # the answers are final
            store.journal_append(journal, {"event": "back", "question": "age_years"})


# --- a journal entry of the wrong shape --------------------------------------------------------

@pytest.mark.parametrize("form", ["kind", "event"])  # an earlier version's entry, and an event
@pytest.mark.parametrize("value", [{"x": 1}, [1, 2], "veertig", None, True, -3, 200, 0.5,
                                   10**400])  # out of range, or too big for a float
def test_an_answer_of_the_wrong_shape_sets_the_journal_aside(
        value: object, form: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(records()) as store:
        journal = store.journal_open("P-6", date.today())
        store.journal_append(journal, {form: "answer", "question": "age_years",
                                       "finding": "age_years", "heard": "x", "value": value})
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-6", "--yes"], capsys,
                       monkeypatch)
    line = one_line(err)
    assert code == 2 and "apart gezet" in line, line
    assert "Error" not in line and "afgebroken" not in line
    assert count("SELECT COUNT(*) FROM journal_entries WHERE journal = :j", j=journal) == 1
    assert count("SELECT COUNT(*) FROM journal WHERE id = :j AND status = 'abandoned'",
                 j=journal) == 1
    # the next intake starts afresh
    code, _, err = run(["intake", "--text", "--mute", "--patient", "P-6"], capsys, monkeypatch,
                       TYPED)
    assert code == 0, err


# --- the screen ----------------------------------------------------------------------------------

@pytest.fixture
def screen(tmp_path: Path) -> Iterator[Page]:
    client, keys, engine = screen_for(records())
    with client:
        yield Page(client, keys, engine)
    engine.shutdown()


def notices(messages: list[dict[str, Any]]) -> list[str]:
    return [str(m["text"]) for m in messages if m["type"] == "notice"]


def test_the_screen_finishes_a_stored_intake_and_shows_its_report(
        screen: Page, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    killed_at_the_report(monkeypatch, capsys, ["intake", "--text", "--mute", "--patient", "M7"])
    screen.post("/api/intake", {"patient": "M7"})  # not unasked into a second intake
    screen.say("nee")  # the baseline, offered as after an intake
    messages = screen.wait(ended)
    said = notices(messages)
    assert any("De intake van patiënt M7" in text and "was al opgeslagen; het verslag is nu "
               "geschreven in" in text for text in said), said
    assert any(m["type"] == "report" and m["finished"] for m in messages)
    assert any(m["type"] == "event" and m["event"]["event"] == "result" for m in messages)
    assert "Nekpijn-intake" in screen.client.get("/report").text
    assert count("SELECT COUNT(*) FROM consultations") == 1
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 0
    folders = list(reports_dir().iterdir())
    assert len(folders) == 1 and complete(folders[0])


def test_the_screen_keeps_the_journal_open_when_the_report_cannot_be_written(
        screen: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(folder: Path, **kwargs: Any) -> list[Path]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(filing, "write_report", full)
    screen.post("/api/intake", {"patient": "M8"})
    screen.say(*ANSWERS, "geen", "ja", "nee")
    messages = screen.wait(ended)
    assert any("alsnog geschreven" in text and "M8" in text for text in notices(messages))
    assert count("SELECT COUNT(*) FROM consultations") == 1
    assert count("SELECT COUNT(*) FROM journal WHERE status = 'open'") == 1
    assert last_entry()["event"] == "stored"


def test_the_screen_sets_a_journal_of_the_wrong_shape_aside(screen: Page) -> None:
    with Store.open(records()) as store:
        journal = store.journal_open("M9", date.today())
        store.journal_append(journal, {"kind": "answer", "question": "age_years",
                                       "heard": "x", "value": {"x": 1}})
    screen.post("/api/intake", {"patient": "M9", "resume": True})
    messages = screen.wait(ended)
    said = notices(messages)
    assert any("apart gezet" in text and "begin een nieuwe intake op het beginscherm" in text
               for text in said), said
    assert not any("Error" in text or "--" in text for text in said), said
    assert count("SELECT COUNT(*) FROM journal WHERE id = :j AND status = 'abandoned'",
                 j=journal) == 1
