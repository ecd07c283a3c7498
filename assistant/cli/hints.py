"""The command line's words for an error's option and advice (assistant/errors.py: `Hint`,
`Advice`): the flags to give and the commands to type, as the user starts the assistant
(assistant/invocation.py). The screen says the same in its own words (assistant/ui/hints.py)."""

from __future__ import annotations

from assistant.errors import Advice, AssistantError, Hint, worded
from assistant.invocation import command, program
from assistant.records.location import ENV_DB


class CommandLine:
    """The command line's `Wording`: "--patient: " before a message about that option, and each
    hint naming the flag or the command that does it."""

    def option(self, name: str) -> str:
        return f"--{name}: "

    def hint(self, advice: Advice) -> str:
        match advice.hint:
            case Hint.CHOOSE_DB:
                return f"kies {advice.what} met --db"
            case Hint.GIVE_REPORT_FOLDER:
                return "geef een map met --report"
            case Hint.GIVE_FOLDERS:
                return (f"geef een map met --report MAP (en een gegevensbestand met --db of "
                        f"{ENV_DB}), of maak de gegevensmap schrijfbaar")
            case Hint.OMIT_PSK_ACTIVITIES:
                return "laat --psk-activities weg"
            case Hint.ADD_AGAIN:
                return "voeg --again toe"
            case Hint.WITH_PATIENT:
                return f"met {patient_flag(advice.patient)}"
            case Hint.RESUME:
                return f"ga verder met '{intake_command(advice)}'"
            case Hint.RESTART:
                return f"start '{intake_command(advice)}' opnieuw"
            case Hint.START_NEW:
                who = f" {patient_flag(advice.patient)}" if advice.patient is not None else ""
                return f"start een nieuwe intake met '{command(f'intake{who}{_db(advice)}')}'"
            case Hint.SEE_HISTORY:
                history = f"history {patient_flag(advice.patient)}"
                return f"Bekijk hem met '{command(history)}'"
            case Hint.CHOOSE_CODES:
                return "kies ze met --codes"
            case Hint.OMIT_PORT:
                return "laat --port weg"
            case Hint.OMIT_MODEL:
                return "laat --model en ASSISTANT_VOSK_MODEL dan weg"
            case Hint.SET_DETAILS:
                return f"stel de gegevens opnieuw in met '{command('settings')}'"


def intake_command(advice: Advice) -> str:
    """The command that continues (or finishes) the intake of `advice`: by the patient's id, or
    `--resume` for the one without an id; with `--db` when a records file was given."""
    who = patient_flag(advice.patient) if advice.patient is not None else "--resume"
    return command(f"intake {who}{_db(advice)}")


def patient_flag(patient: str | None) -> str:
    """`--patient P`, typed as it stands: `--patient=-a1` for an id that starts with a dash
    (argparse would take `-a1` for a flag)."""
    return f"--patient={patient}" if str(patient).startswith("-") else f"--patient {patient}"


def _db(advice: Advice) -> str:
    """` --db PATH` when a records file was given; in double quotes when the path holds a
    space or a character a shell would take (they work in bash, PowerShell and cmd alike)."""
    if advice.db is None:
        return ""
    path = str(advice.db)
    plain = path and all(c.isalnum() or c in "/\\._-:+@%=,~" for c in path)
    return f" --db {path}" if plain else f' --db "{path}"'


def cli_text(exc: AssistantError) -> str:
    """`exc` in the command line's words: its option's flag first, every hint worded."""
    return worded(exc, CommandLine())


def error_line(exc: AssistantError) -> str:
    """The line for stderr, naming the command as it was started: "assistant: fout: …"."""
    return f"{program()}: {exc.label}: {cli_text(exc)}"
