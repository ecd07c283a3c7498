"""A practice's records server (PostgreSQL): its address as given with `--db` or
`ASSISTANT_DB`, how it is shown in a message (never with its password), and the server's
failures as one Dutch line each (wrong password, TLS, no grant, gone).

An address is a PostgreSQL URL: `postgresql://ROLE@HOST/DATABASE?sslmode=verify-full`
(`postgres://` and `postgresql+psycopg://` are the same); psycopg 3 is the driver. It is
parsed here with the standard library, so naming a server costs nothing until it is used.
Outside the loopback TLS is required: an address without `sslmode` gets `require`, and one that
switches it off (`disable`, `allow`, `prefer`) is refused. The password comes from the URL,
`PGPASSWORD` or `~/.pgpass` (libpq's own rules), a client certificate from `sslcert`/`sslkey`.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from assistant.errors import RecordsDenied, RecordsError, RecordsServerGone, RecordsUnavailable

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

SCHEMES: Final = ("postgresql", "postgres", "postgresql+psycopg")
DRIVER: Final = "postgresql+psycopg"
LOOPBACK_NAMES: Final = ("localhost", "")
WEAK_SSLMODES: Final = ("disable", "allow", "prefer")
CONNECT_TIMEOUT: Final = 5  # s before an unreachable server is said to be so
USAGE: Final = "gebruik postgresql://ROL@SERVER/DATABASE"
SECRETS: Final = ("password", "sslpassword")  # options never shown
GONE_WORDS: Final = ("connect", "closed", "timeout", "name or service not known",
                     "could not translate host name", "nodename nor servname",
                     "no route to host", "network is unreachable")
# TCP keepalives: a laptop gone from the network is found within about a minute, so the
# advisory lock it held (its intake) is freed for a colleague
KEEPALIVES: Final = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                     "keepalives_count": 3}


def connect_args(application: str) -> dict[str, object]:
    """psycopg's connection options for every connection to a practice's server."""
    return {"connect_timeout": CONNECT_TIMEOUT, "application_name": application, **KEEPALIVES}


def is_server_address(text: str) -> bool:
    return text.strip().lower().split("://", 1)[0] in SCHEMES and "://" in text


@dataclass(frozen=True)
class PracticeServer:
    """The address of a practice's PostgreSQL database: role, host, port, database and the
    connection options (sslmode, sslrootcert, host for a Unix socket …); `password` only when
    the address held one."""

    role: str
    host: str
    port: int | None
    database: str
    options: tuple[tuple[str, str], ...] = ()
    password: str | None = None

    @classmethod
    def parse(cls, text: str) -> PracticeServer:
        """The address in `text`; RecordsError (one Dutch line, without the password) when it is
        no PostgreSQL URL or would send patient data without TLS outside the loopback."""
        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except ValueError:
            raise RecordsError(f"dit is geen geldig adres van een praktijkserver; {USAGE}"
                               ) from None
        if parts.scheme.lower() not in SCHEMES:
            raise RecordsError(f"onbekende soort server '{parts.scheme}'; {USAGE}")
        options = tuple(parse_qsl(parts.query, keep_blank_values=True))
        found = cls(unquote(parts.username or ""), parts.hostname or "", port,
                    unquote(parts.path.lstrip("/")), options,
                    None if parts.password is None else unquote(parts.password))
        if not found.database:
            raise RecordsError(f"het adres {found.shown} noemt geen database; {USAGE}")
        mode = found.option("sslmode")
        if not found.loopback:
            if mode in WEAK_SSLMODES:
                raise RecordsError(f"sslmode={mode} stuurt patiëntgegevens onversleuteld over "
                                   "het netwerk; gebruik sslmode=verify-full")
            if mode is None:
                found = cls(found.role, found.host, found.port, found.database,
                            (*options, ("sslmode", "require")), found.password)
        return found

    def option(self, name: str) -> str | None:
        """The option's value as libpq takes it: the last one given."""
        return next((v for k, v in reversed(self.options) if k == name), None)

    @property
    def loopback(self) -> bool:
        """Whether every address libpq may connect to is on this machine: the URL's host and
        each `host` and `hostaddr` option, each item of a comma-separated list (a loopback
        address, `localhost`, or a Unix socket's folder)."""
        if self.option("service") is not None:  # its host is in a file we do not read
            return False
        hosts = [self.host, *(v for k, v in self.options if k in ("host", "hostaddr"))]
        # libpq adds PGHOSTADDR (the address it connects to, whatever the host's name) and,
        # without a host in the address, PGHOST
        hosts += [os.environ.get("PGHOSTADDR", "")] + (
            [] if any(hosts) else [os.environ.get("PGHOST", "")])
        return all(_loopback(item.strip()) for value in hosts for item in value.split(","))

    @property
    def shown(self) -> str:
        """The address as a message names it and a command repeats it: no password."""
        return self._text(with_password=False)

    def url(self) -> URL:
        """SQLAlchemy's URL, with the driver named (imported only to connect)."""
        from sqlalchemy.engine import make_url

        return make_url(self._text(with_password=True)).set(drivername=DRIVER)

    def with_role(self, role: str, password: str | None = None) -> PracticeServer:
        return PracticeServer(role, self.host, self.port, self.database, self.options, password)

    def _text(self, *, with_password: bool) -> str:
        user = quote(self.role, safe="")
        if with_password and self.password is not None:
            user += ":" + quote(self.password, safe="")
        host = f"[{self.host}]" if ":" in self.host else self.host
        netloc = (f"{user}@" if user else "") + host + (f":{self.port}" if self.port else "")
        options = [(k, v) for k, v in self.options
                   if with_password or k.strip().lower() not in SECRETS]
        return urlunsplit(("postgresql", netloc, "/" + quote(self.database, safe=""),
                           urlencode(options), ""))

    def __str__(self) -> str:  # in a message or a command to type: never the password
        return self.shown

    def expanduser(self) -> PracticeServer:
        return self


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES or host.startswith("/"):  # a Unix socket is on this machine
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def server_error(server: str, exc: BaseException) -> RecordsError:
    """A PostgreSQL failure (psycopg's, as SQLAlchemy wraps it in `.orig`) as one Dutch line
    naming the server (`server`: its shown address) and the fix."""
    orig = getattr(exc, "orig", None) or exc
    state = str(getattr(orig, "sqlstate", "") or "")
    text = " ".join(str(orig).split())
    lower = text.lower()
    if state == "28P01" or "password authentication failed" in lower:
        return RecordsDenied(f"het wachtwoord voor {server} klopt niet; controleer het "
                             "(PGPASSWORD of ~/.pgpass)")
    if "no password supplied" in lower:
        return RecordsDenied(f"geen wachtwoord gevonden voor {server}; zet het in ~/.pgpass "
                             "(alleen voor u leesbaar: chmod 600; op Windows "
                             "%APPDATA%\\postgresql\\pgpass.conf) of in PGPASSWORD")
    if state == "28000" or "no pg_hba.conf entry" in lower or ("role" in lower and (
            "does not exist" in lower)):
        return RecordsDenied(f"{server} laat deze rol niet toe; vraag de beheerder om "
                             "`assistant practice add-therapist`")
    if state == "42501" or "permission denied" in lower:
        return RecordsDenied(f"geen rechten hiervoor op {server} ({_short(text)}); vraag de "
                             "beheerder van de praktijk")
    if "ssl" in lower or "certificate" in lower or "tls" in lower:
        return RecordsDenied(f"de versleutelde verbinding met {server} lukt niet (TLS: "
                             f"{_short(text)}); controleer sslmode, sslrootcert en het "
                             "certificaat van de server")
    if state.startswith("3D") or ("database" in lower and "does not exist" in lower):
        return RecordsUnavailable(f"de database van {server} bestaat niet; vraag de beheerder "
                                  "om `assistant practice init`")
    if state.startswith(("08", "57P")) or getattr(exc, "connection_invalidated", False) or (
            not state and any(words in lower for words in GONE_WORDS)):
        return RecordsServerGone(f"de praktijkserver {server} is niet bereikbaar "
                                 f"({_short(text)}); controleer het netwerk en of de server "
                                 "draait")
    return RecordsError(f"de praktijkserver {server} weigert dit ({_short(text)}); vraag de "
                        "beheerder van de praktijk")


def _short(text: str) -> str:
    """The server's own words, first sentence, without SQLAlchemy's link and statement."""
    first = text.split("\n")[0].split(" (Background on")[0].split("[SQL:")[0].strip()
    return first.split(": ", 1)[-1][:160]
