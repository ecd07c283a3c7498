"""A private, throw-away PostgreSQL cluster for the tests (the `pg_cluster` fixture of
tests/conftest.py): initdb into a fresh temporary folder, a server on a free TCP port of
127.0.0.1 and a Unix socket in that folder, scram-sha-256 password authentication for every
role over both. For speed, the cluster runs without fsync (`initdb --no-sync`, `fsync=off`):
a crash of the server process (`Cluster.kill`) loses nothing, since the operating system keeps
the written pages; only a crash of the whole machine could, and the cluster is thrown away
anyway.

PostgreSQL refuses to run as root: a root test process runs initdb and the server as the
`postgres` system user (Debian's package creates it; else `nobody`), which owns the folder.
POSIX only (the fixture skips on Windows)."""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    import psycopg

SUPERUSER = "nekpijn_admin"
START_TIMEOUT = 15.0  # s for the server to accept connections
SERVER_USERS = ("postgres", "nobody")  # who runs the server when the tests run as root
LOG_TAIL = 30  # lines of the server log in an error


def find_pg_bin() -> Path | None:
    """The folder with PostgreSQL's initdb and pg_ctl: $PG_BIN if set (None when it lacks
    them), else `pg_config --bindir`, else the highest /usr/lib/postgresql/*/bin, else the
    folder of the initdb on PATH; None when there is none."""
    explicit = os.environ.get("PG_BIN")
    if explicit:
        return Path(explicit) if _has_tools(Path(explicit)) else None
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                  timeout=10, check=False)
        except OSError:
            done = None
        if done is not None and done.returncode == 0 and done.stdout.strip():
            candidates.append(Path(done.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    return next((folder for folder in candidates if _has_tools(folder)), None)


def _has_tools(folder: Path) -> bool:
    return all(shutil.which(tool, path=str(folder)) for tool in ("initdb", "pg_ctl"))


def _version(bin_dir: Path) -> tuple[int, ...]:
    """(15,) for /usr/lib/postgresql/15/bin; () for a name that is not a version."""
    try:
        return tuple(int(part) for part in bin_dir.parent.name.split("."))
    except ValueError:
        return ()


@dataclass
class Cluster:
    """A running (or stopped) private cluster; `folder` holds everything, data_dir included,
    and is what to remove at the end."""

    data_dir: Path
    socket_dir: Path
    port: int
    superuser: str
    superuser_password: str = field(repr=False)
    bin_dir: Path
    folder: Path
    run_as: str | None = None  # the system user running the server (when the tests are root)

    def url(self, user: str | None = None, password: str | None = None,
            database: str = "postgres") -> str:
        """A SQLAlchemy URL over TCP: postgresql+psycopg://user:password@127.0.0.1:PORT/db.
        Without a user, the superuser with its password."""
        return (f"postgresql+psycopg://{self._credentials(user, password)}@127.0.0.1:{self.port}"
                f"/{quote(database, safe='')}")

    def socket_url(self, user: str | None = None, password: str | None = None,
                   database: str = "postgres") -> str:
        """A SQLAlchemy URL over the Unix socket:
        postgresql+psycopg://user:password@/db?host=SOCKET_DIR&port=PORT (the socket asks for
        the password too). Without a user, the superuser with its password."""
        return (f"postgresql+psycopg://{self._credentials(user, password)}@"
                f"/{quote(database, safe='')}"
                f"?host={quote(str(self.socket_dir), safe='/')}&port={self.port}")

    def _credentials(self, user: str | None, password: str | None) -> str:
        name = user or self.superuser
        if password is None and name == self.superuser:
            password = self.superuser_password
        quoted = quote(name, safe="")
        return quoted if password is None else f"{quoted}:{quote(password, safe='')}"

    def create_database(self, name: str) -> None:
        """CREATE DATABASE name (owned by the superuser), over the socket."""
        from psycopg import sql

        with self._connect() as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def _connect(self, timeout: float = 5.0) -> psycopg.Connection[tuple[Any, ...]]:
        import psycopg  # here, so that conftest.py does not need it when nothing uses the cluster

        return psycopg.connect(host=str(self.socket_dir), port=self.port, user=self.superuser,
                               password=self.superuser_password, dbname="postgres",
                               autocommit=True, connect_timeout=max(1, round(timeout)))

    def postmaster_pid(self) -> int | None:
        """The server's process id from data_dir/postmaster.pid, while that process lives."""
        pid = self._pid_file_pid()
        return pid if pid is not None and _alive(pid) else None

    def _pid_file_pid(self) -> int | None:
        try:
            first = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
            return int(first)
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """pg_ctl stop -m fast; nothing when the server is not running."""
        if self.postmaster_pid() is None:
            return
        done = self._run(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w",
                          "-t", str(round(START_TIMEOUT)), "stop"])
        if done.returncode != 0 and self.postmaster_pid() is not None:
            raise RuntimeError(self._failure("pg_ctl stop", done))

    def kill(self) -> None:
        """SIGKILL the postmaster, as if the server disappeared mid-work; returns once it and
        its child processes are gone, so that connecting fails from then on."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        children = _children(pid)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + START_TIMEOUT
        while any(_alive(p) for p in (pid, *children)) and time.monotonic() < deadline:
            time.sleep(0.02)

    def start(self) -> None:
        """Start the server again (after stop or kill) on the same port and wait, at most
        START_TIMEOUT, until it accepts connections."""
        if self.postmaster_pid() is not None:
            return
        self._launch(time.monotonic() + START_TIMEOUT)

    def _launch(self, deadline: float) -> None:
        while True:
            self._clear_stale_locks()
            logged = self.log.stat().st_size if self.log.exists() else 0
            remaining = max(1, round(deadline - time.monotonic()))
            done = self._run(["pg_ctl", "-D", str(self.data_dir), "-l", str(self.log), "-w",
                              "-t", str(remaining), "-o", self._server_options(), "start"])
            if done.returncode == 0:
                break
            # a killed server's processes may still hold its shared memory for a moment
            transient = "is still in use" in self._log_since(logged)
            if not transient or time.monotonic() >= deadline:
                raise RuntimeError(self._failure("pg_ctl start", done))
            time.sleep(0.1)
        while True:  # pg_ctl -w has seen "ready"; make sure the superuser gets in
            try:
                self._connect(timeout=2.0).close()
                return
            except Exception as error:
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"the server does not accept connections: {error}\n"
                                       f"{self.log_tail()}") from error
                time.sleep(0.05)

    def _server_options(self) -> str:
        """The server's settings, for pg_ctl -o (which a shell splits)."""
        return " ".join(f"-c {name}={shlex.quote(value)}" for name, value in (
            ("listen_addresses", "127.0.0.1"), ("port", str(self.port)),
            ("unix_socket_directories", str(self.socket_dir)),
            ("fsync", "off"),  # throw-away data: see the module's docstring
            ("max_connections", "60"), ("shared_buffers", "32MB")))

    def _clear_stale_locks(self) -> None:
        """Remove the lock files a killed server left whose process is gone or an unreaped
        zombie: PostgreSQL's own check takes a zombie for a running server and refuses."""
        for lock in (self.data_dir / "postmaster.pid",
                     self.socket_dir / f".s.PGSQL.{self.port}.lock"):
            try:
                pid = int(lock.read_text().split("\n", 1)[0])
            except (OSError, ValueError):
                continue
            if not _alive(pid):
                lock.unlink(missing_ok=True)

    def _log_since(self, offset: int) -> str:
        try:
            with self.log.open("rb") as log:
                log.seek(offset)
                return log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    @property
    def log(self) -> Path:
        return self.data_dir / "log"

    def log_tail(self, lines: int = LOG_TAIL) -> str:
        try:
            text = self.log.read_text("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _run(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        return _run(command, self.bin_dir, self.run_as, self.folder)

    def _failure(self, what: str, done: subprocess.CompletedProcess[str]) -> str:
        return (f"{what} failed (exit {done.returncode}): {done.stdout.strip()} "
                f"{done.stderr.strip()}\nserver log ({self.log}):\n{self.log_tail()}")


def start_cluster(base: Path | None = None) -> Cluster:
    """initdb a new cluster in a fresh folder (under `base`, else the system's temporary
    folder) and start it; raises RuntimeError (with the log's tail) when that fails.

    The folder comes from tempfile.mkdtemp, not pytest's tmp_path: as root, the server runs
    as another user, who cannot reach pytest's root-owned private folders."""
    if sys.platform == "win32":
        raise RuntimeError("the private PostgreSQL cluster runs on POSIX systems only")
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL's initdb not found: install the postgresql package "
                           "(or set PG_BIN)")
    run_as = _server_user() if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="nekpijn-pg-", dir=base))
    try:
        return _init_and_start(folder, bin_dir, run_as)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _init_and_start(folder: Path, bin_dir: Path, run_as: str | None) -> Cluster:
    data_dir, socket_dir = folder / "data", folder / "socket"
    socket_dir.mkdir()
    password = secrets.token_urlsafe(18)
    password_file = folder / "password"  # for initdb only: it never sees the command line
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    try:
        if run_as is not None:
            _give(folder, run_as)
        initdb = ["initdb", "-D", str(data_dir), "-U", SUPERUSER, f"--pwfile={password_file}",
                  "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
                  "--no-sync"]
        done = _run([*initdb, "--locale=C.UTF-8"], bin_dir, run_as, folder)
        if done.returncode != 0:  # no C.UTF-8 locale here: the plain C locale
            shutil.rmtree(data_dir, ignore_errors=True)
            done = _run([*initdb, "--no-locale"], bin_dir, run_as, folder)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-LOG_TAIL:])
            raise RuntimeError(f"initdb failed (exit {done.returncode}):\n{tail}")
    finally:
        password_file.unlink(missing_ok=True)
    cluster = Cluster(data_dir=data_dir, socket_dir=socket_dir, port=0, superuser=SUPERUSER,
                      superuser_password=password, bin_dir=bin_dir, folder=folder,
                      run_as=run_as)
    for attempt in range(3):  # another process may take the free port before the server does
        cluster.port = _free_port()
        logged = cluster.log.stat().st_size if cluster.log.exists() else 0
        try:
            cluster._launch(time.monotonic() + START_TIMEOUT)
            return cluster
        except BaseException as error:
            cluster.stop()
            if (attempt == 2 or not isinstance(error, RuntimeError)
                    or "could not bind" not in cluster._log_since(logged)):
                raise
    raise AssertionError("unreachable")


def _server_user() -> str:
    import pwd  # POSIX only, like everything here; this module is imported on Windows too

    for name in SERVER_USERS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root, and neither a 'postgres' nor a 'nobody' user exists "
                       "to run PostgreSQL as (it refuses to run as root)")


def _give(folder: Path, user: str) -> None:
    """chown -R folder to the user (and its primary group)."""
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.chown(Path(root) / name, entry.pw_uid, entry.pw_gid)


def _run(command: list[str], bin_dir: Path, run_as: str | None,
         cwd: Path) -> subprocess.CompletedProcess[str]:
    """A PostgreSQL tool from bin_dir, as the user run_as (via runuser or setpriv) if given."""
    tool = [str(bin_dir / command[0]), *command[1:]]
    if run_as is not None:
        if shutil.which("runuser"):
            tool = ["runuser", "-u", run_as, "--", *tool]
        else:
            import pwd

            tool = ["setpriv", f"--reuid={run_as}", f"--regid={pwd.getpwnam(run_as).pw_gid}",
                    "--init-groups", "--", *tool]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_MESSAGES"] = "C"
    return subprocess.run(tool, capture_output=True, text=True, cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, timeout=120, check=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _alive(pid: int) -> bool:
    """Whether the process runs: gone and zombie (not reaped: a container's init may never
    reap) processes do not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): signal 0 reached it
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _children(pid: int) -> list[int]:
    """The child processes of pid (Linux's /proc; none found elsewhere)."""
    found: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
