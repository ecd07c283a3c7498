"""Every error the assistant reports: one base class with a stable code and one Dutch line.

Modelled on Home Assistant's `assist_pipeline/error.py`: each kind of failure is a subclass with
a fixed `code` (for logs, the event stream and tests) and an `exit_code` (DESIGN.md "Errors and
exit codes"): 2 for bad input or a missing prerequisite, 1 where the consultation could not
finish. `assistant.cli.app` is the one place that turns them into an exit code and one line on
stderr; everywhere else raises them.

An error says what is wrong and carries, as data, the option it is about (`option`) and what
the user can do (`Advice`: a `Hint` code with its data). Only the front ends word those: the
command line names its flags and commands (assistant/cli/hints.py), the screen its own buttons
and pages (assistant/ui/hints.py); `worded` puts an error's parts together in either's words.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, Final, Protocol, TypeAlias

EXIT_DONE: Final = 0
EXIT_UNFINISHED: Final = 1  # the consultation could not finish (stopped; answers kept)
EXIT_USAGE: Final = 2  # bad input or a missing prerequisite, with one line that says the fix


class Hint(Enum):
    """What the user can do about an error, as a code; `Advice` holds the data its wording
    needs. Each front end words every hint (tests/test_messages.py checks both do)."""

    CHOOSE_DB = "choose-db"  # choose another records file; Advice.what: which ("een ander")
    GIVE_REPORT_FOLDER = "give-report-folder"  # give a folder for the report
    GIVE_FOLDERS = "give-folders"  # other folders for the report and records, or a writable one
    OMIT_PSK_ACTIVITIES = "omit-psk-activities"  # name no PSK activities (they are fixed)
    ADD_AGAIN = "add-again"  # ask for a second measurement on the same day
    WITH_PATIENT = "with-patient"  # (do it) with the patient's id, Advice.patient
    RESUME = "resume"  # go on with the interrupted intake (Advice.patient or none; Advice.db)
    RESTART = "restart"  # start the stored intake again to finish it (Advice.patient, .db)
    START_NEW = "start-new"  # start a new intake (Advice.patient or none; Advice.db)
    SEE_HISTORY = "see-history"  # see the patient's stored intakes (Advice.patient)
    CHOOSE_CODES = "choose-codes"  # choose the exercises by their codes
    OMIT_PORT = "omit-port"  # let the screen's server pick its port
    OMIT_MODEL = "omit-model"  # name no speech model (the default one is found)
    SET_DETAILS = "set-details"  # set the practice's details again


@dataclass(frozen=True)
class Advice:
    """A `hint` with the data its wording needs. `lead` joins it to the text before it
    ("; ", ", of ", " en "); a front end that words the hint as nothing leaves it out too."""

    hint: Hint
    patient: str | None = None  # the patient's id (WITH_PATIENT, RESUME, RESTART, START_NEW,
    #                             SEE_HISTORY)
    # the records the user gave (RESUME, RESTART, START_NEW): a file's Path, or a practice
    # server (records/server.py), which shows itself without its password
    db: object | None = None
    what: str = ""  # CHOOSE_DB: the file to choose ("een ander bestand", "dat")
    lead: str = "; "


class Wording(Protocol):
    """How a front end words an error's option and advice (see `worded`)."""

    def option(self, name: str) -> str:
        """The words before a message about option `name` ("" to name it not at all)."""

    def hint(self, advice: Advice) -> str:
        """`advice` in the front end's words ("" to leave it out, with its lead)."""


Part: TypeAlias = "str | Advice | AssistantError"


class _Plain:
    """Neither option nor advice: what is wrong, for logs and the event stream."""

    def option(self, name: str) -> str:
        return ""

    def hint(self, advice: Advice) -> str:
        return ""


def worded(exc: AssistantError, wording: Wording) -> str:
    """`exc` as one line in `wording`: its option's words, then its parts in order (a nested
    error worded the same way; an `Advice` after its lead, unless worded as nothing)."""
    text: list[str] = []
    for part in exc.parts:
        if isinstance(part, str):
            text.append(part)
        elif isinstance(part, AssistantError):
            text.append(worded(part, wording))
        elif words := wording.hint(part):
            text.append(part.lead + words)
    prefix = wording.option(exc.option) if exc.option is not None else ""
    return one_line(prefix + "".join(text))

class AssistantError(Exception):
    """A failure the user can act on, in one Dutch line. `parts` make the line: text, `Advice`
    (worded by the front end) and other errors (this one wraps them, worded the same way);
    `option` names the command-line option it is about, if any ("patient", or "port 8080"
    with the value given). `message` is the line with neither option nor advice."""

    code: ClassVar[str] = "error"
    exit_code: ClassVar[int] = EXIT_USAGE
    label: ClassVar[str] = "fout"  # how the line on stderr starts: "assistant: fout: …"

    def __init__(self, *parts: Part, option: str | None = None) -> None:
        self.parts: tuple[Part, ...] = parts
        self.option = option
        self.message = worded(self, _Plain())
        super().__init__(self.message)


class UsageError(AssistantError):
    """A bad flag or combination of flags."""

    code = "usage"


class InputError(AssistantError):
    """A file or stream given to the assistant cannot be used as input."""

    code = "bad-input"


class FindingsError(InputError, ValueError):
    """Findings are invalid or incomplete; the message names the key."""

    code = "bad-findings"


class OutputError(AssistantError):
    """The screen (stdout), the event log or a report cannot be written."""

    code = "output-failed"


class ProtocolError(AssistantError, ValueError):
    """The packaged protocol data is broken; the message names the place."""

    code = "protocol-data"
    label = "fout in de protocolgegevens"


class RecordsError(AssistantError):
    """The patient records cannot be used as asked (unknown patient, bad id, bad file…)."""

    code = "records"


class RecordsLocked(RecordsError):
    """Another program holds the records file locked."""

    code = "records-locked"


class RecordsCorrupt(RecordsError):
    """The records file is damaged, or is not the assistant's. For one damaged row (an
    impossible date, JSON of the wrong shape) `table` and `row` say which, so a reader
    (history, export, the screen) can pass it over and name it in one line."""

    code = "records-corrupt"

    def __init__(self, *parts: Part, table: str = "", row: int = 0) -> None:
        super().__init__(*parts)
        self.table = table  # "" when the file as a whole is damaged
        self.row = row


class RecordsReadOnly(RecordsError):
    """The records file, or its folder, cannot be written."""

    code = "records-read-only"


class RecordsFull(RecordsError):
    """The disk (or the file system) holding the records file is full: named as such, never
    as a damaged file; nothing half-written is kept (the transaction is rolled back)."""

    code = "disk-full"


class RecordsUnavailable(RecordsError):
    """An intake cannot use the records (to store it or to resume it)."""

    code = "records-unavailable"


class RecordsDenied(RecordsError):
    """The practice's server refuses this role: a wrong password, a failed TLS connection, or a
    missing grant (a therapist's role asked what only the practice's admin may do)."""

    code = "records-denied"


class RecordsServerGone(RecordsUnavailable):
    """The practice's server cannot be reached, or was lost mid-way."""

    code = "records-server-gone"


class PendingConflict(RecordsError):
    """The answers kept on this computer while the practice's server was gone no longer fit
    its journal (a colleague went on, or the file was damaged): set aside, never sent."""

    code = "records-pending-aside"


class IntakeBusy(RecordsError):
    """The patient's intake (or this journal) is running elsewhere: another window, the
    command line or the screen holds its lock."""

    code = "intake-busy"


class IntakeAlreadyStored(RecordsError):
    """The interrupted intake to resume was stored already (its journal was left open by an
    earlier version, or by a failure after the store): nothing is asked again. `patient` and
    `consultation` (the stored intake's id) say which."""

    code = "intake-stored"

    def __init__(self, *parts: Part, patient: str = "", consultation: int = 0) -> None:
        super().__init__(*parts)
        self.patient = patient
        self.consultation = consultation


class JournalMismatch(RecordsError):
    """An interrupted intake's journal does not fit this protocol (another version)."""

    code = "journal-mismatch"


class FolderUnwritable(OutputError):
    """A folder the intake will write in (the data folder, the reports' folder) cannot be
    made or written; found before the first question."""

    code = "folder-unwritable"


class VoiceUnavailable(AssistantError):
    """Voice (in or out) cannot be used here; the message says why and how to fix it."""

    code = "voice-unavailable"


class AudioError(AssistantError):
    """A sound device or a WAV file cannot be used; the message names it."""

    code = "audio"


class TtsError(AssistantError):
    """Speech output cannot be used; the message says why and what to install."""

    code = "tts"


class RecognizerError(AssistantError):
    """The speech recogniser (vosk) cannot be used."""

    code = "recognizer"


class ModelError(AssistantError):
    """A speech model cannot be found, downloaded or verified."""

    code = "model"


class IntakeInterrupted(AssistantError):
    """A live intake failed part-way; its journal stays open and the line says how to resume."""

    code = "intake-interrupted"


class IntakeStopped(IntakeInterrupted):
    """A live intake was interrupted by the user (Ctrl-C); answers kept, resumable."""

    code = "intake-stopped"
    exit_code = EXIT_UNFINISHED
    label = "onderbroken"


class InternalError(AssistantError):
    """Something the assistant did not expect; reported in one line, never as a traceback."""

    code = "internal"
    label = "interne fout"


def one_line(text: str) -> str:
    """The text on one line (a message that spans lines would break the one-line contract)."""
    return " ".join(text.split()) or "onbekende fout"


OS_REASONS: Final = {
    errno.ENOSPC: "de schijf is vol",
    errno.EROFS: "alleen-lezen bestandssysteem",
    errno.EACCES: "geen toegang",
    errno.EPERM: "niet toegestaan",
    errno.ENOENT: "bestaat niet",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.EISDIR: "is een map",
    errno.EPIPE: "de ontvanger is gesloten",
    errno.EBADF: "is gesloten",
    errno.EIO: "invoer/uitvoerfout van het apparaat",
    errno.ENXIO: "geen apparaat of adres (bijvoorbeeld een socket)",
    errno.ENODEV: "geen apparaat",
    errno.ELOOP: "te veel symbolische koppelingen",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.EBUSY: "is in gebruik",
}


def os_reason(exc: OSError) -> str:
    """An OSError in a few Dutch words (the system's own text for anything rarer)."""
    reason = OS_REASONS.get(exc.errno or -1)
    if reason is not None:
        return reason
    return exc.strerror or " ".join(str(exc).split()) or type(exc).__name__


def describe(exc: BaseException) -> str:
    """Any exception as one line: the message of ours (what is wrong, without the option and
    advice a front end words: to keep those, put the error itself in another's parts), a few
    words for the rest."""
    if isinstance(exc, AssistantError):
        return exc.message
    if isinstance(exc, OSError):
        return os_reason(exc)
    if isinstance(exc, RecursionError):
        return "te diep geneste gegevens"
    if isinstance(exc, MemoryError):
        return "te weinig geheugen"
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
