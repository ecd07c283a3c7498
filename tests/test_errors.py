"""One error base class with stable codes, and one place that turns errors into exit codes."""

from __future__ import annotations

import pytest

from assistant import errors
from assistant.cli_common import UsageError
from assistant.errors import EXIT_UNFINISHED, EXIT_USAGE, AssistantError
from assistant.intake_records import RecordsUnavailable
from assistant.protocol.findings import FindingsError
from assistant.protocol.tables import ProtocolError
from assistant.records.store import RecordsError
from assistant.speech.audio import AudioError
from assistant.speech.models import ModelError
from assistant.speech.recognizer import RecognizerError
from assistant.speech.tts import TtsError
from assistant.voice_setup import Unavailable


def all_errors() -> list[type[AssistantError]]:
    found: list[type[AssistantError]] = []
    todo: list[type[AssistantError]] = [AssistantError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


def test_every_error_of_the_assistant_has_the_one_base_and_its_own_stable_code() -> None:
    kinds = [UsageError, RecordsError, ProtocolError, FindingsError, AudioError,
             RecognizerError, TtsError, ModelError, Unavailable, RecordsUnavailable]
    assert all(issubclass(kind, AssistantError) for kind in kinds)
    codes = [kind.code for kind in all_errors()]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    assert {RecordsError.code, FindingsError.code, errors.JournalMismatch.code} == {
        "records", "bad-findings", "journal-mismatch"}


def test_value_errors_stay_value_errors_where_callers_catch_them() -> None:
    assert issubclass(FindingsError, ValueError) and issubclass(ProtocolError, ValueError)


@pytest.mark.parametrize("kind", all_errors())
def test_each_error_is_one_dutch_line_with_its_exit_code(kind: type[AssistantError]) -> None:
    error = kind("kan niet\nverder:\n  zie hier")
    assert error.message == "kan niet verder: zie hier" == str(error)
    assert error.line().startswith("assistant: ") and "\n" not in error.line()
    expected = EXIT_UNFINISHED if kind is errors.IntakeStopped else EXIT_USAGE
    assert error.exit_code == expected


def test_describe_gives_one_line_for_anything() -> None:
    assert errors.describe(OSError(28, "No space left on device")) == "de schijf is vol"
    assert errors.describe(RecursionError("deep")) == "te diep geneste gegevens"
    assert errors.describe(KeyError("x")) == "KeyError: 'x'"
    assert errors.describe(errors.RecordsLocked("in gebruik")) == "in gebruik"
