"""followup, history, forget and export through `assistant.cli.app`, with real SQLite files."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.records.migrate import REVISIONS
from assistant.records.store import Store
from tests.records_fixtures import (
    INTAKE_DAY,
    add_intake,
    add_provisional_intake,
    legacy_file,
    legacy_intake,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def day(weeks: float) -> str:
    return (INTAKE_DAY + timedelta(days=round(weeks * 7))).isoformat()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def followup(db: Path, patient: str, weeks: float, nprs: int, psk: str, *extra: str) -> int:
    return main(["followup", "--db", str(db), "--patient", patient, "--nprs", str(nprs),
                 "--psk", psk, "--date", day(weeks), *extra])


def followup_json(db: Path, capsys: pytest.CaptureFixture[str], patient: str, weeks: float,
                  nprs: int, psk: str, *extra: str) -> dict[str, Any]:
    assert followup(db, patient, weeks, nprs, psk, "--json", *extra) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("assistant: fout: "), err
    assert "Traceback" not in err
    return err


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "records.sqlite3"


# --- the scenario of issue 5: intake on day 0, follow-ups at weeks 2, 4 and 7 -----------------


@pytest.mark.parametrize(
    ("profile", "scores", "week_7_actions"),
    [
        ("A", [(5, "5,5,5"), (4, "4,4,4"), (3, "3,3,3")], ["conclude_treatment",
                                                           "closing_advice"]),
        ("B", [(6, "6,6,6"), (6, "6,5,6"), (5, "6,5,5")], ["stop_and_contact_gp",
                                                           "closing_advice"]),
        ("B", [(5, "5,5,5"), (4, "4,4,4"), (3, "3,3,3")], ["continue_treatment"]),
        ("C", [(6, "6,6,6"), (6, "6,6,6"), (6, "6,6,5")], ["stop_and_contact_gp",
                                                           "closing_advice"]),
        ("D", [(6, "6,6,6"), (6, "6,6,6"), (5, "6,6,5")], ["refer_back_gp", "closing_advice"]),
    ],
    ids=["A", "B-not-improved", "B-improved", "C-not-improved", "D-not-improved"],
)
def test_three_follow_ups_over_seven_weeks(
    db: Path, capsys: pytest.CaptureFixture[str], profile: str,
    scores: list[tuple[int, str]], week_7_actions: list[str],
) -> None:
    add_intake(db, "P-1", profile)
    assert followup_json(db, capsys, "P-1", 0, 6, "6,6,6")["session"] == 1  # the baseline
    results = [followup_json(db, capsys, "P-1", week, nprs, psk)
               for week, (nprs, psk) in zip((2, 4, 7), scores, strict=True)]
    assert [r["session"] for r in results] == [2, 3, 4]
    assert [r["weeks_since_intake"] for r in results] == [2.0, 4.0, 7.0]
    if profile == "A":  # session 3 at week 4 already concludes
        assert results[1]["actions"] == ["conclude_treatment", "closing_advice"]
    else:
        assert results[0]["actions"] == ["continue_treatment"]
        assert results[1]["actions"] == ["continue_treatment"]
    assert results[2]["actions"] == week_7_actions
    assert results[2]["baseline"]["date"] == INTAKE_DAY.isoformat()


def test_d_worse_at_week_2_refers_back_already(db: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "D-1", "D")
    add_intake(db, "D-2", "D")
    for patient in ("D-1", "D-2"):
        followup_json(db, capsys, patient, 0, 5, "5,5,5")
    by_pain = followup_json(db, capsys, "D-1", 2, 7, "5,5,5")  # up by the margin: 2 points
    by_arm = followup_json(db, capsys, "D-2", 2, 5, "5,5,5", "--neuro-worse")
    for result in (by_pain, by_arm):
        assert result["worse"] is True
    assert by_pain["actions"] == ["reassess", "refer_back_gp", "closing_advice"]
    assert by_arm["actions"] == ["refer_back_gp", "reassess"]  # no closing advice: see below


def test_text_output_gives_the_advice_in_short_dutch_lines(
    db: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    add_intake(db, "P-1", "B")
    assert followup(db, "P-1", 0, 6, "6,6,6") == 0
    capsys.readouterr()
    assert followup(db, "P-1", 6, 6, "6,6,6") == 0
    out = capsys.readouterr().out
    assert "Vervolg voor patiënt P-1, profiel B" in out
    assert "Advies:\n- Beëindig de behandeling." in out
    assert "Waarom:" in out and "Beginmeting op 2024-03-04: pijn 6, PSK gemiddeld 6." in out
    assert mode(db) == 0o600


def test_followup_report_writes_markdown_json_and_chart(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    add_intake(db, "P-1", "B")
    report = tmp_path / "verslag"
    for week, nprs in ((0, 7), (2, 6), (4, 5), (7, 4)):
        assert followup(db, "P-1", week, nprs, "6,6,6", "--report", str(report)) == 0
    names = sorted(p.name for p in report.iterdir())
    assert names == ["followup.json", "followup.md", "history.png"]
    assert all(mode(report / n) == 0o600 for n in names)
    markdown = (report / "followup.md").read_text("utf-8")
    assert "![Verloop van NPRS en PSK sinds de intake](history.png)" in markdown
    assert "| Begin | 2024-03-04 | 7 |" in markdown
    assert json.loads((report / "followup.json").read_text("utf-8"))["session"] == 4
    png = (report / "history.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000


def test_interactive_followup_by_text(db: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    add_intake(db, "P-1", "D")
    # the first measurement names the PSK's activities first
    monkeypatch.setattr("sys.stdin", io.StringIO(
        "traplopen\nauto rijden\nlezen\nzes\ntwaalf\nvijf\nvier\ndrie\nnee\n"))
    code = main(["followup", "--db", str(db), "--patient", "P-1", "--date", day(0), "--mute",
                 "--json"])
    captured = capsys.readouterr()
    assert code == 0
    out = json.loads(captured.out)
    assert out["latest"] == {
        "date": day(0), "nprs": 6, "psk": [5, 4, 3], "psk_mean": 4.0, "neuro_worse": False}
    assert out["psk_activities"] == ["traplopen", "auto rijden", "lezen"]
    assert "PSK: traplopen. Hoe moeilijk is dat nu?" in captured.err  # prompts off stdout
    assert "erger geworden" not in captured.err  # on the intake day: the baseline
    # twaalf is not on the scale: the help says which numbers are
    assert "Zeg een heel getal van nul tot en met tien." in captured.err
    # a later measurement names each activity again, and asks no names
    monkeypatch.setattr("sys.stdin", io.StringIO("vier\n4\n3\n2\nnee\n"))
    assert main(["followup", "--db", str(db), "--patient", "P-1", "--date", day(2), "--mute",
                 "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["latest"]["psk"] == [4, 3, 2]
    assert "PSK: lezen. Hoe moeilijk is dat nu?" in captured.err
    assert "Zijn de klachten in de arm erger geworden?" in captured.err
    assert "Eerst de drie activiteiten" not in captured.err


def test_psk_activities_are_fixed_once_named(db: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "P-1", "B")
    first = followup_json(db, capsys, "P-1", 0, 6, "6,6,6", "--psk-activities",
                          "traplopen,fietsen,lezen")
    assert first["psk_activities"] == ["traplopen", "fietsen", "lezen"]
    assert followup_json(db, capsys, "P-1", 1, 5, "5,5,5")["psk_activities"] == [
        "traplopen", "fietsen", "lezen"]
    code = main(["followup", "--db", str(db), "--patient", "P-1", "--date", day(2),
                 "--nprs", "4", "--psk", "4,4,4", "--psk-activities", "a,b,c"])
    err = capsys.readouterr().err
    assert code == 2 and "liggen vast sinds de beginmeting: traplopen, fietsen, lezen" in err
    with pytest.raises(SystemExit) as info:  # argparse's own exit, one line
        main(["followup", "--db", str(db), "--patient", "P-1", "--nprs", "4", "--psk",
              "4,4,4", "--psk-activities", "a,b"])
    assert info.value.code == 2 and "drie activiteiten" in capsys.readouterr().err


@pytest.mark.parametrize("stdin", ["zes\nstop\n", "zes\nvijf\n"], ids=["stop", "end"])
def test_interactive_followup_stopped_stores_nothing(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str,
) -> None:
    add_intake(db, "P-1", "B")
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["followup", "--db", str(db), "--patient", "P-1", "--mute"]) == 1
    assert "Er is niets bewaard." in capsys.readouterr().out
    with Store.open(db) as store:
        assert store.evaluations("P-1") == []


# --- bad input: one Dutch line, exit 2 --------------------------------------------------------


def test_a_date_before_the_intake_is_refused(db: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "P-1", "B")
    assert followup(db, "P-1", -1, 5, "5,5,5") == 2
    assert "ligt voor de intake (2024-03-04)" in one_error_line(capsys)


def test_unknown_and_invalid_patients(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "P-1", "B")
    for command in (["followup", "--nprs", "5", "--psk", "5,5,5"], ["history"], ["export"],
                    ["forget", "--yes"]):
        assert main([*command, "--db", str(db), "--patient", "P-2"]) == 2, command
        assert "onbekende patiënt: P-2" in one_error_line(capsys)
        assert main([*command, "--db", str(db), "--patient", "../x"]) == 2, command
        assert "ongeldige patiënt-id" in one_error_line(capsys)


def test_a_referral_has_no_follow_up(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "R-1", "IV")
    assert followup(db, "R-1", 2, 5, "5,5,5") == 2
    assert "verwezen (graad IV)" in one_error_line(capsys)


def test_nprs_and_psk_go_together(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "P-1", "B")
    assert main(["followup", "--db", str(db), "--patient", "P-1", "--nprs", "5"]) == 2
    assert "--nprs en --psk samen" in one_error_line(capsys)


@pytest.mark.parametrize(("flag", "value"), [("--psk", "5,5"), ("--psk", "5,5,11"),
                                             ("--nprs", "zes"), ("--nprs", "-1"),
                                             ("--date", "gisteren")])
def test_bad_values_exit_2(db: Path, capsys: pytest.CaptureFixture[str], flag: str,
                           value: str) -> None:
    args = {"--nprs": "5", "--psk": "5,5,5", "--date": "2024-03-04", flag: value}
    with pytest.raises(SystemExit) as info:
        main(["followup", "--db", str(db), "--patient", "P-1",
              *[x for pair in args.items() for x in pair]])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fout" in err


def test_a_corrupt_or_newer_database_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"not sqlite " * 100)
    assert main(["history", "--db", str(corrupt), "--patient", "P-1"]) == 2
    assert str(corrupt) in one_error_line(capsys)
    newer = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    assert main(["history", "--db", str(newer), "--patient", "P-1"]) == 2
    assert "nieuwere versie" in one_error_line(capsys)


def test_an_old_database_is_migrated_on_first_use(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.sqlite3"
    legacy_file(old, 1)  # as the first version made it, with an intake of P-2
    legacy_intake(old, "P-2", INTAKE_DAY, {}, {"profile": "B"}, [])
    assert main(["history", "--db", str(old), "--patient", "P-1"]) == 2  # no such patient yet
    capsys.readouterr()
    add_intake(old, "P-1", "A")
    assert followup(old, "P-1", 1, 4, "4,4,4") == 0
    check = sqlite3.connect(old)
    assert check.execute("PRAGMA user_version").fetchone()[0] == len(REVISIONS)
    assert check.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0] == 1
    assert check.execute("SELECT COUNT(*) FROM consultations WHERE patient = 'P-2'"
                         ).fetchone()[0] == 1
    check.close()


def test_assistant_db_environment_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env" / "records.sqlite3"
    monkeypatch.setenv("ASSISTANT_DB", str(db))
    add_intake(db, "P-1", "B")
    assert main(["followup", "--patient", "P-1", "--nprs", "5", "--psk", "5,5,5",
                 "--date", day(1)]) == 0
    assert mode(db) == 0o600 and mode(db.parent) == 0o700


# --- history ----------------------------------------------------------------------------------


def test_history_text_json_and_chart(db: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "P-1", "B")
    for week, nprs in ((0, 7), (2, 6)):
        followup(db, "P-1", week, nprs, "6,5,4")
    with Store.open(db) as store:  # stored before --neuro-worse was refused for profile B
        store.add_evaluation("P-1", date.fromisoformat(day(7)), 3, (6, 5, 4), True)
    capsys.readouterr()
    assert main(["history", "--db", str(db), "--patient", "P-1"]) == 0
    out = capsys.readouterr().out
    assert "Intake op 2024-03-04: graad II." in out and "Behandelprofiel B" in out
    assert "Gekozen oefeningen: F1, F14." in out
    assert " 7 ███████···" in out and "── 6 weken: evaluatie ──" in out
    assert "arm erger" in out and "--report MAP" in out
    assert main(["history", "--db", str(db), "--patient", "P-1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intake"]["profile"] == "B" and data["intake"]["chosen_exercises"] == ["F1",
                                                                                      "F14"]
    assert [e["weeks_since_intake"] for e in data["evaluations"]] == [0.0, 2.0, 7.0]
    report = tmp_path / "r"
    assert main(["history", "--db", str(db), "--patient", "P-1", "--report", str(report)]) == 0
    png = report / "history.png"
    assert png.read_bytes().startswith(PNG_SIGNATURE) and png.stat().st_size > 10_000
    assert mode(png) == 0o600


def test_a_second_intake_never_hides_the_first(db: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    add_intake(db, "H-1", "B")
    followup(db, "H-1", 2, 6, "6,5,4")
    add_intake(db, "h-1", "A", date(2024, 6, 1))  # the same patient, later
    capsys.readouterr()
    assert main(["history", "--db", str(db), "--patient", "H-1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [i["date"] for i in data["intakes"]] == ["2024-03-04", "2024-06-01"]
    assert [i["profile"] for i in data["intakes"]] == ["B", "A"]
    assert [len(i["evaluations"]) for i in data["intakes"]] == [1, 0]
    assert data["intake"]["date"] == "2024-06-01"  # the latest, as before
    assert main(["history", "--db", str(db), "--patient", "H-1"]) == 0
    out = capsys.readouterr().out
    assert "Eerdere intake:" in out and "Laatste intake:" in out
    assert "meting 2024-03-18: pijn 6, PSK 6/5/4" in out


def test_history_of_an_intake_without_measurements(db: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "P-1", "A")
    assert main(["history", "--db", str(db), "--patient", "P-1"]) == 0
    assert "Nog geen metingen." in capsys.readouterr().out


# --- forget and export ------------------------------------------------------------------------


def test_forget_needs_yes_and_then_leaves_nothing(db: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    secret = "Pseudo-XYZ-4711"
    intake = add_intake(db, secret, "D")
    add_intake(db, "other", "B")
    followup(db, secret, 2, 5, "5,5,5")
    with Store.open(db) as store:
        store.journal_append(store.journal_open(secret, INTAKE_DAY), {"heard": "ja, geheim"})
        store.set_psk_activities(intake, ["tuinieren-4711", "fietsen", "lezen"])
    capsys.readouterr()
    assert main(["forget", "--db", str(db), "--patient", secret]) == 2
    assert "bevestig met --yes" in one_error_line(capsys)
    with Store.open(db) as store:
        assert secret in store.patients()
    assert main(["forget", "--db", str(db), "--patient", secret, "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"Gewist: patiënt {secret} met 1 intake en 1 meting" in out
    with Store.open(db) as store:
        assert store.patients() == ["other"]
        for table in ("consultations", "evaluations", "journal", "journal_entries"):
            rows = store._conn.exec_driver_sql(f"SELECT * FROM {table}").all()
            assert secret not in json.dumps([tuple(r) for r in rows]), table
        # NEN 7513: the access log keeps its rows of the patient, the erasure added
        logged = store._conn.exec_driver_sql(
            "SELECT action FROM access_log WHERE patient = ? ORDER BY id", (secret,)).scalars()
        assert list(logged)[-1] == "forget"
    files = [db, db.with_name(db.name + "-wal")]
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    assert b"tuinieren-4711" not in raw and b"ja, geheim" not in raw


def test_export_to_stdout_and_to_a_private_file(db: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "P-1", "C")
    followup(db, "P-1", 3, 5, "5,4,3")
    capsys.readouterr()
    assert main(["export", "--db", str(db), "--patient", "P-1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["patient"] == "P-1" and data["consultations"][0]["result"]["profile"] == "C"
    assert data["evaluations"][0]["psk"] == [5, 4, 3]
    target = tmp_path / "out" / "p1.json"
    assert main(["export", "--db", str(db), "--patient", "P-1", "--output", str(target)]) == 0
    assert json.loads(target.read_text("utf-8")) == data
    assert mode(target) == 0o600


def test_the_date_defaults_to_today(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "P-1", "B", date.today() - timedelta(days=3))
    assert main(["followup", "--db", str(db), "--patient", "P-1", "--nprs", "5", "--psk",
                 "5,5,5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["date"] == date.today().isoformat()


def test_arm_worse_on_the_intake_day_is_refused_and_activities_wait_for_the_measurement(
        db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_intake(db, "P-1", "D")
    assert main(["followup", "--db", str(db), "--patient", "P-1", "--date", day(0), "--nprs",
                 "5", "--psk", "5,5,5", "--neuro-worse"]) == 2
    assert "beginmeting" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("stop\n"))  # stopped: nothing is kept
    assert main(["followup", "--db", str(db), "--patient", "P-1", "--mute",
                 "--psk-activities", "a,b,c"]) == 1
    capsys.readouterr()
    with Store.open(db) as store:
        intake = store.latest_consultation("P-1")
        assert intake is not None and intake.psk_activities == ()
    followup_json(db, capsys, "P-1", 1, 5, "5,5,5")  # measured without names
    assert main(["followup", "--db", str(db), "--patient", "P-1", "--date", day(2), "--nprs",
                 "5", "--psk", "5,5,5", "--psk-activities", "a,b,c"]) == 2
    assert "al metingen zonder namen" in capsys.readouterr().err


# --- issue 21: provisional plans, A without improvement, D with the arm worse ------------------


def test_a_provisional_intake_stays_provisional_in_followup_and_history(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_provisional_intake(db, "V-1", ["spinal_cord", "infection"])
    first = followup_json(db, capsys, "V-1", 0, 6, "6,6,6")
    later = followup_json(db, capsys, "V-1", 2, 5, "5,5,5")
    for data in (first, later):
        assert data["provisional"] is True
        assert data["unresolved"] == ["spinal_cord", "infection"]
        assert data["actions"][0] == "resolve_red_flags"
        assert data["advice"][0] == (
            "Het plan is voorlopig. Sluit eerst uit: mogelijke schade aan of druk op het "
            "ruggenmerg en mogelijke infectie. Pas daarna geldt dit advies.")
    assert later["actions"] == ["resolve_red_flags", "continue_treatment"]
    assert followup(db, "V-1", 3, 5, "5,5,5") == 0
    out = capsys.readouterr().out
    assert "Voorlopig plan: bij de intake is niet alles uitgesloten" in out
    assert "Advies:\n- Het plan is voorlopig. Sluit eerst uit: mogelijke schade" in out
    assert main(["history", "--db", str(db), "--patient", "V-1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intake"]["provisional"] is True
    assert data["intake"]["unresolved"] == ["spinal_cord", "infection"]
    assert main(["history", "--db", str(db), "--patient", "V-1"]) == 0
    assert ("Voorlopig plan: bij deze intake bleef onbekend: mogelijke schade aan of druk op "
            "het ruggenmerg en mogelijke infectie.") in capsys.readouterr().out


def test_a_new_intake_ends_the_provisional_plan_and_history_keeps_both(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_provisional_intake(db, "V-1", ["tumour"])
    add_intake(db, "V-1", "B", INTAKE_DAY + timedelta(days=7))
    data = followup_json(db, capsys, "V-1", 2, 5, "5,5,5")
    assert (data["provisional"], data["unresolved"]) == (False, [])
    assert "resolve_red_flags" not in data["actions"]
    assert main(["history", "--db", str(db), "--patient", "V-1", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [i["provisional"] for i in history["intakes"]] == [True, False]
    assert history["intakes"][0]["unresolved"] == ["tumour"]
    assert history["intake"]["provisional"] is False


def test_an_intake_stored_before_provisional_existed_is_not_provisional(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "O-1", "B")
    with Store.open(db) as store:  # as an older version stored it: no such keys
        store._conn.exec_driver_sql("UPDATE consultations SET result = json_remove(result, "
                                    "'$.provisional', '$.unresolved')")
        store._conn.commit()
        intake = store.latest_consultation("O-1")
        assert intake is not None and "provisional" not in intake.result
    data = followup_json(db, capsys, "O-1", 2, 5, "5,5,5")
    assert (data["provisional"], data["unresolved"]) == (False, [])
    assert main(["history", "--db", str(db), "--patient", "O-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intake"]["provisional"] is False


def test_a_at_session_3_without_improvement_is_not_told_to_conclude(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "A-1", "A")
    followup_json(db, capsys, "A-1", 0, 6, "6,6,6")
    followup_json(db, capsys, "A-1", 1, 6, "6,6,6")
    third = followup_json(db, capsys, "A-1", 2, 5, "5,5,5")  # one point: no improvement
    assert (third["session"], third["improved"]) == (3, False)
    assert third["actions"] == ["reassess"]
    assert "Rond niet af" in third["advice"][0] and "B of C" in third["advice"][0]
    assert not any("actief" in a for a in third["advice"])


def test_d_arm_worse_is_referred_back_soon_without_closing_advice(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_intake(db, "D-1", "D")
    followup_json(db, capsys, "D-1", 0, 5, "5,5,5")
    assert followup(db, "D-1", 2, 5, "5,5,5", "--neuro-worse") == 0
    out = capsys.readouterr().out
    assert "- Verwijs de patiënt op korte termijn terug naar de huisarts." in out
    assert "ruggenmerg" in out
    assert "blijf lichamelijk actief" not in out


@pytest.mark.parametrize(("worse", "soon"), [(("5", "5,5,5", "--neuro-worse"), True),
                                             (("8", "5,5,5"), False)], ids=["arm", "pain"])
def test_a_second_measurement_the_same_day_keeps_the_referral_back(
        db: Path, capsys: pytest.CaptureFixture[str], worse: tuple[str, ...],
        soon: bool) -> None:
    add_intake(db, "D-1", "D")
    followup_json(db, capsys, "D-1", 0, 5, "5,5,5")
    nprs, psk, *extra = worse
    assert "refer_back_gp" in followup_json(db, capsys, "D-1", 2, int(nprs), psk,
                                            *extra)["actions"]
    again = followup_json(db, capsys, "D-1", 2, 3, "3,3,3", "--again")  # the same day, better
    assert again["worse"] is False and again["improved"] is True
    assert "refer_back_gp" in again["actions"]
    assert "continue_treatment" not in again["actions"]
    assert ("op korte termijn" in " ".join(again["advice"])) is soon
    assert ("closing_advice" in again["actions"]) is not soon
    later = followup_json(db, capsys, "D-1", 3, 2, "2,2,2")  # and a week later
    assert "refer_back_gp" in later["actions"]
