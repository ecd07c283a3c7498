"""Messages carry codes, the front ends add the hints (issue 24): below assistant/cli/ no message
names a command-line flag; an error carries the option it is about and what the user can do
(`Hint`, `Advice`) as data, and the command line (cli/hints.py) and the screen (ui/hints.py)
each word them: the command line as it always did, the screen without a flag."""

from __future__ import annotations

import ast
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import cast

import pytest

from assistant.cli.hints import CommandLine, cli_text
from assistant.errors import (
    Advice,
    AssistantError,
    FolderUnwritable,
    Hint,
    IntakeInterrupted,
    IntakeStopped,
    JournalMismatch,
    ModelError,
    RecordsCorrupt,
    RecordsReadOnly,
    UsageError,
)
from assistant.intake.guard import keeping_answers
from assistant.intake.program import patient_program
from assistant.intake.records import IntakeRecords
from assistant.protocol import load_protocol
from assistant.records.failures import records_error
from assistant.records.location import check_reports_dir
from assistant.records.measurements import one_a_day
from assistant.records.rows import EvaluationRow
from assistant.records.store import Store
from assistant.speech.model_location import locate_model
from assistant.speech.setup import vocabulary_problem
from assistant.ui.hints import WORDS, Screen, screen_text

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


# --- (a) no message below the command line names a flag -------------------------------------

def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are documentation: a bare string statement (a
    module's, class's or function's docstring, or an attribute's)."""
    return {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)}


def literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal in `path` that is not documentation, f-strings'
    literal parts included (comments are not in the tree at all)."""
    tree = ast.parse(path.read_text("utf-8"))
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def below_the_command_line() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts)


@pytest.mark.parametrize("path", below_the_command_line(),
                         ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_no_string_below_the_command_line_names_a_flag(path: Path) -> None:
    named = [f"{path.name}:{line}: {text!r}" for line, text in literals(path)
             if FLAG.search(text)]
    assert named == [], "a flag is the command line's to name (assistant/cli/hints.py)"


def test_the_scan_sees_f_strings_and_passes_over_docstrings(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text('"""Run with --db."""\n\ndef f(x: str) -> str:\n    """--patient."""\n'
                      '    return f"kies {x} met --db"\n', encoding="utf-8")
    assert [text for _, text in literals(source) if FLAG.search(text)] == [" met --db"]


# --- (b) every hint has a wording on both front ends ----------------------------------------

EVERY_HINT = [Advice(hint, patient="P-1", db=Path("/x/r.db"), what="een ander bestand")
              for hint in Hint]


def test_the_screen_has_words_for_every_hint() -> None:
    assert set(WORDS) == set(Hint)


@pytest.mark.parametrize("advice", EVERY_HINT, ids=lambda a: a.hint.value)
def test_every_hint_is_worded_by_both_front_ends(advice: Advice) -> None:
    on_the_command_line = CommandLine().hint(advice)
    on_screen = Screen().hint(advice)
    assert isinstance(on_the_command_line, str) and on_the_command_line
    assert isinstance(on_screen, str)  # "" where the screen has nothing to do about it
    assert not FLAG.search(on_screen) and "assistant" not in on_screen.replace(
        "de assistent", "")


def test_an_option_is_the_command_lines_flag_and_not_named_on_the_screen() -> None:
    error = UsageError("geen intake gevonden voor 'P-1'", option="patient")
    assert cli_text(error) == "--patient: geen intake gevonden voor 'P-1'"
    assert screen_text(error) == error.message == "geen intake gevonden voor 'P-1'"


def test_a_hint_worded_as_nothing_takes_its_lead_along() -> None:
    error = UsageError("kan niet", Advice(Hint.GIVE_REPORT_FOLDER), "; meer")
    assert cli_text(error) == "kan niet; geef een map met --report; meer"
    assert screen_text(error) == error.message == "kan niet; meer"


# --- (c) representative errors: the command line's text as before, the screen's without flags

@pytest.fixture(autouse=True)
def launcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_COMMAND", "./assistant.sh")


def said(error: AssistantError, command_line: str, screen: str) -> None:
    assert cli_text(error) == command_line
    assert screen_text(error) == screen and not FLAG.search(screen)


def test_a_damaged_records_file() -> None:
    error = records_error(Path("/x/r.db"), sqlite3.DatabaseError("file is not a database"))
    assert isinstance(error, RecordsCorrupt)
    said(error,
         "/x/r.db is geen bruikbaar gegevensbestand (file is not a database); zet het opzij en "
         "kies een ander bestand met --db",
         "/x/r.db is geen bruikbaar gegevensbestand (file is not a database); zet het opzij en "
         "kies een ander bestand bij het starten van de assistent")


def test_a_second_measurement_on_one_day() -> None:
    day = date(2026, 12, 1)
    earlier = [EvaluationRow(1, "P-1", 1, day, 4, (5, 6, 7), False, "")]
    with pytest.raises(UsageError) as refused:
        one_a_day("P-1", day, earlier, again=False)
    said(refused.value,
         "patiënt P-1 heeft op 2026-12-01 al een meting (pijn 4, PSK 5/6/7); nog een meting op "
         "die dag: voeg --again toe",
         "patiënt P-1 heeft op 2026-12-01 al een meting (pijn 4, PSK 5/6/7); nog een meting op "
         "die dag: vink ‘Nog een meting vandaag’ aan")


def test_exercises_of_a_patient_without_an_intake(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    Store.open(db).close()
    with pytest.raises(UsageError) as refused:
        patient_program("P-1", db, load_protocol())
    said(refused.value, "--patient: geen intake gevonden voor 'P-1'",
         "geen intake gevonden voor 'P-1'")


def test_a_data_folder_that_cannot_hold_the_report(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(FolderUnwritable) as refused:
        check_reports_dir(blocker / "reports")
    said(refused.value,
         f"het verslag kan niet in de gegevensmap {blocker} worden bewaard (een deel van het pad "
         "is geen map); geef een map met --report MAP (en een gegevensbestand met --db of "
         "ASSISTANT_DB), of maak de gegevensmap schrijfbaar",
         f"het verslag kan niet in de gegevensmap {blocker} worden bewaard (een deel van het pad "
         "is geen map)")


class _Kept:
    """Just enough of IntakeRecords for keeping_answers: a journal with three answers."""

    patient = "P-7"
    stored = False
    closed = False

    def settle(self) -> int:
        return 3


def test_an_interrupted_intake_wraps_the_failure_with_its_own_advice() -> None:
    records = cast(IntakeRecords, _Kept())
    failure = RecordsReadOnly("kan niet schrijven in /x/r.db (readonly); controleer de rechten",
                              Advice(Hint.CHOOSE_DB, what="een ander bestand", lead=", of "))
    with pytest.raises(IntakeInterrupted) as interrupted, keeping_answers(records,
                                                                          Path("/x/r.db")):
        raise failure
    said(interrupted.value,
         "de intake is afgebroken: kan niet schrijven in /x/r.db (readonly); controleer de "
         "rechten, of kies een ander bestand met --db. De 3 antwoorden zijn bewaard; ga verder "
         "met './assistant.sh intake --patient P-7 --db /x/r.db'",
         "de intake is afgebroken: kan niet schrijven in /x/r.db (readonly); controleer de "
         "rechten, of kies een ander bestand bij het starten van de assistent. De 3 antwoorden "
         "zijn bewaard; hervat de intake op het beginscherm")
    with pytest.raises(IntakeStopped) as stopped, keeping_answers(records, None):
        raise KeyboardInterrupt
    said(stopped.value, "De 3 antwoorden zijn bewaard; ga verder met './assistant.sh intake "
         "--patient P-7'", "De 3 antwoorden zijn bewaard; hervat de intake op het beginscherm")


class _Mismatched(_Kept):
    """A journal that does not fit this protocol: it is set aside."""

    abandoned = False

    def abandon(self) -> None:
        self.abandoned = True


def test_a_journal_that_does_not_fit_says_how_to_start_a_new_intake() -> None:
    records = _Mismatched()
    with pytest.raises(UsageError) as refused, keeping_answers(cast(IntakeRecords, records),
                                                               Path("/x/r.db")):
        raise JournalMismatch("onbekende regel in het dagboek")
    assert records.abandoned
    said(refused.value,
         "onbekende regel in het dagboek; het dagboek is onveranderd apart gezet in "
         "het gegevensbestand; start een nieuwe intake met './assistant.sh intake --patient P-7 "
         "--db /x/r.db'",
         "onbekende regel in het dagboek; het dagboek is onveranderd apart gezet in het "
         "gegevensbestand; begin een nieuwe intake op het beginscherm")
    with pytest.raises(UsageError) as anonymous, keeping_answers(None, None):
        raise JournalMismatch("onbekende regel in het dagboek")
    assert cli_text(anonymous.value).endswith("; start een nieuwe intake met './assistant.sh "
                                              "intake'")


def test_a_stored_intake_whose_journal_does_not_fit_is_not_started_again() -> None:
    """The intake is in the records, only its report was not written: a journal that no longer
    replays cannot rebuild the report, and a new intake would be a second one. The line says
    so and points at the stored intake (the hostile review)."""
    records = _Mismatched()
    records.stored = True
    with pytest.raises(UsageError) as refused, keeping_answers(cast(IntakeRecords, records),
                                                               None):
        raise JournalMismatch("onbekende regel in het dagboek")
    assert records.abandoned
    said(refused.value,
         "de opgeslagen intake kan niet opnieuw worden opgebouwd voor het verslag: onbekende "
         "regel in het dagboek; het dagboek is onveranderd apart gezet in het "
         "gegevensbestand; de intake zelf staat in het dossier. Bekijk hem met "
         "'./assistant.sh history --patient P-7'",
         "de opgeslagen intake kan niet opnieuw worden opgebouwd voor het verslag: onbekende "
         "regel in het dagboek; het dagboek is onveranderd apart gezet in het "
         "gegevensbestand; de intake zelf staat in het dossier")


def test_a_model_that_is_not_dutch_and_one_that_is_not_there(tmp_path: Path) -> None:
    problem = vocabulary_problem(["ja", "nee"])
    assert problem is not None
    said(problem,
         "dit model kent de Nederlandse antwoordwoorden niet (ja, nee): het is geen Nederlands "
         "model. Haal dat op met './assistant.sh model download' en laat --model en "
         "ASSISTANT_VOSK_MODEL dan weg",
         "dit model kent de Nederlandse antwoordwoorden niet (ja, nee): het is geen Nederlands "
         "model. Haal dat op met './assistant.sh model download'")
    with pytest.raises(ModelError) as missing:
        locate_model(tmp_path / "nope", models_dir=None)
    said(missing.value, f"--model: map {tmp_path / 'nope'} bestaat niet",
         f"map {tmp_path / 'nope'} bestaat niet")


def test_a_command_in_a_hint_can_be_typed_as_it_is_shown() -> None:
    """An id that starts with a dash is given as --patient=ID (argparse would take it for a
    flag), and a records file with a space is quoted (the hostile review)."""
    from assistant.cli.hints import intake_command

    assert intake_command(Advice(Hint.RESUME, patient="-a1")).endswith(
        "intake --patient=-a1")
    assert intake_command(Advice(Hint.RESUME, patient="P-1", db=Path("/tmp/my dir/x.db"))
                          ).endswith('intake --patient P-1 --db "/tmp/my dir/x.db"')
    assert intake_command(Advice(Hint.RESUME, db=Path("/tmp/x.db"))).endswith(
        "intake --resume --db /tmp/x.db")
