"""Where the records database and the reports live: `--db`, else `ASSISTANT_DB`, else the user's
data folder from platformdirs. `--db` and `ASSISTANT_DB` take a file or a practice server's
address (`postgresql://…`, records/server.py).

Versions before platformdirs looked the folder up by hand (`legacy_data_dir`). The two agree on
most machines but not everywhere (macOS with `$XDG_DATA_HOME` set; Windows when `%LOCALAPPDATA%`
is not the shell's folder), so a records file at the old place is used as long as it exists:
nothing is lost by the move.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path
from typing import Final

import platformdirs
from platformdirs.api import PlatformDirsABC

from assistant.errors import Advice, FolderUnwritable, Hint, RecordsError, os_reason
from assistant.files import make_private_dirs
from assistant.records.server import PracticeServer, is_server_address

Location = Path | PracticeServer  # a SQLite file, or a practice's PostgreSQL database

ENV_DB: Final = "ASSISTANT_DB"
APP_DIR: Final = "nekpijn-assistent"
DB_NAME: Final = "records.sqlite3"
REPORTS_DIR: Final = "verslagen"


def _platform_dirs(platform: str | None) -> PlatformDirsABC:
    """platformdirs' answer for `platform` (a `sys.platform` value; None: this machine)."""
    if platform is None:
        return platformdirs.PlatformDirs(APP_DIR, appauthor=False)
    if platform.startswith("win"):
        from platformdirs.windows import Windows

        return Windows(APP_DIR, appauthor=False)
    if platform == "darwin":
        from platformdirs.macos import MacOS

        return MacOS(APP_DIR, appauthor=False)
    from platformdirs.unix import Unix

    return Unix(APP_DIR, appauthor=False)


def data_dir(platform: str | None = None) -> Path:
    """Our folder for per-user data, from platformdirs (it reads the process environment):
    `$XDG_DATA_HOME` or `~/.local/share` (Linux; macOS too when XDG_DATA_HOME is set, else
    `~/Library/Application Support`), the Local AppData folder (Windows); then
    `nekpijn-assistent`."""
    return Path(_platform_dirs(platform).user_data_dir)


def legacy_data_dir(
    platform: str | None = None, env: Mapping[str, str] | None = None, home: Path | None = None,
) -> Path:
    """Our data folder as versions before platformdirs found it, to find their records file.

    Linux and other Unix: `$XDG_DATA_HOME` (absolute), else `~/.local/share`; Windows:
    `%LOCALAPPDATA%`, else `~/AppData/Local`; macOS: `~/Library/Application Support`; then
    `nekpijn-assistent`.
    """
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    if platform.startswith("win"):
        local = env.get("LOCALAPPDATA")
        base = Path(local) if local else home / "AppData" / "Local"
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = env.get("XDG_DATA_HOME")
        # The XDG spec: a relative path is invalid and must be ignored.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / APP_DIR


def app_data_dir(platform: str | None = None) -> Path:
    """The folder of the default records file and of the reports: the old folder while it
    holds a records file, else platformdirs' folder."""
    try:
        legacy = legacy_data_dir(platform)
    except RuntimeError:  # no home folder to be found: there is no old file either
        return data_dir(platform)
    try:
        kept = (legacy / DB_NAME).exists()
    except OSError:  # there, but unreadable: the records store names the problem
        kept = True
    return legacy if kept else data_dir(platform)


def reports_dir(platform: str | None = None) -> Path:
    """Where an intake's reports go when no --report folder is given."""
    return app_data_dir(platform) / REPORTS_DIR


def location(text: str) -> Location:
    """`--db` or $ASSISTANT_DB as given: a practice server's address (RecordsError, one line
    without the password, when it is not a usable one), else a file's path."""
    if is_server_address(text):
        return PracticeServer.parse(text)
    scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme:  # another server, or a typing error: never a file named after it
        raise RecordsError(f"onbekend soort adres '{scheme[1]}://'; een praktijkserver heeft "
                           "een adres als postgresql://ROL@SERVER/DATABASE")
    return Path(text).expanduser()


def resolve_db(
    explicit: Location | None, *, platform: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Location:
    """The records: `explicit` (--db), else $ASSISTANT_DB, else `records.sqlite3` in
    `app_data_dir` (the old location while a file is there)."""
    if explicit is not None:
        return explicit.expanduser() if isinstance(explicit, Path) else explicit
    env = os.environ if env is None else env
    from_env = env.get(ENV_DB)
    if from_env:
        return location(from_env)
    return app_data_dir(platform) / DB_NAME


def new_report_dir(day: date, label: str | None, *, root: Path | None = None,
                   now: datetime | None = None) -> Path:
    """Make and return a new, empty folder for an intake's reports under `root` (default:
    `reports_dir()`): `<day>_<label>` (the patient id), or `<day>_<time>` without one, with
    `-2`, `-3` … when that name is taken; an earlier report is never overwritten. The folders
    are made 0700. OSError when the folder cannot be made."""
    root = reports_dir() if root is None else root
    make_private_dirs(root)
    name = f"{day.isoformat()}_{label or (now or datetime.now()).strftime('%H%M%S')}"
    for n in range(1, 10_000):
        folder = root / (name if n == 1 else f"{name}-{n}")
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"{root / name}: te veel verslagen met deze naam")


def check_reports_dir(root: Path | None = None) -> Path:
    """Before an intake's first question: make the folder its report will go to (default:
    `reports_dir()`, each new folder 0700) and check a file can be made in it, so no answers
    are asked and then lost. FolderUnwritable, one line naming the folder and the fix
    (--report, or a writable data folder), when it cannot be (read-only, full, or the home
    folder is a file)."""
    root = reports_dir() if root is None else root
    try:
        make_private_dirs(root)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as exc:
        raise FolderUnwritable(
            f"het verslag kan niet in de gegevensmap {root.parent} worden bewaard "
            f"({os_reason(exc)})", Advice(Hint.GIVE_FOLDERS)) from None
    return root


_REPORT_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}_(?P<label>.+)")
_PATIENT_LINE = re.compile(r"Patiënt: (?P<id>\S+)")


def report_roots() -> list[Path]:
    """Every folder the reports of an intake without --report may be in (this version's, and
    platformdirs' and the old folder's when they differ), each once."""
    roots = [reports_dir()]
    with suppress(RuntimeError):  # no home folder: there is no old folder either
        roots += [data_dir() / REPORTS_DIR, legacy_data_dir() / REPORTS_DIR]
    return list(dict.fromkeys(roots))


def _report_patient(folder: Path) -> str | None:
    """The patient id the folder's report.txt names in its header, or None (no such file)."""
    try:
        with (folder / "report.txt").open("rb") as report:
            head = report.read(4096).decode("utf-8", "replace")
    except OSError:
        return None
    found = _PATIENT_LINE.search(" ".join(head.split()))  # a long id may be on the next line
    return found["id"] if found else ""


def patient_report_dirs(patient: str, roots: list[Path] | None = None) -> list[Path]:
    """The report folders `new_report_dir` made for the patient: `<date>_<id>` and
    `<date>_<id>-N` (the id compared case-insensitively), confirmed by the patient line of
    their report.txt where there is one; a `-N` folder without a report.txt is left alone (it
    may be the first folder of a patient whose id ends in '-N'). Sorted."""
    wanted = patient.casefold()
    found: list[Path] = []
    for root in report_roots() if roots is None else roots:
        try:
            folders = [f for f in root.iterdir() if f.is_dir() and not f.is_symlink()]
        except OSError:
            continue
        for folder in folders:
            match = _REPORT_FOLDER.fullmatch(folder.name)
            if match is None:
                continue
            label = match["label"].casefold()
            exact = label == wanted
            numbered = re.fullmatch(re.escape(wanted) + r"-\d+", label) is not None
            if not (exact or numbered):
                continue
            named = _report_patient(folder)
            if (named is None and exact) or (named is not None and named.casefold() == wanted):
                found.append(folder)
    return sorted(found)
