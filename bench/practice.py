"""The records on a practice's PostgreSQL server beside a SQLite file (issue 27): how long a
journal append takes, whether 20 intakes written at once keep every answer exactly once, and
what the access log (NEN 7513) costs a read.

The server is a private, throw-away cluster (tests/pg_cluster.py) on this machine, reached over
loopback TCP, restarted with fsync on (the tests run it without); the practice is set up as
`assistant practice init` does it, and the figures are those of a therapist's role. The
concurrent intakes run in processes of their own, started with `python -m bench.practice`
(this module's worker, `_worker`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from assistant.dialog.events import Answer
from assistant.errors import RecordsError
from assistant.protocol import classify, load_protocol, parse_findings
from assistant.protocol.model import AnswerType, Protocol
from assistant.records.schema import access_log, consultations, journal_entries
from assistant.records.server import PracticeServer
from assistant.records.store import BUSY_TIMEOUT, Store
from bench.disk import describe_disk
from bench.report import Row, Section, at_least, at_most, markdown_table
from bench.stats import Summary, ms
from tests.pg_cluster import Cluster, find_pg_bin, start_cluster
from tests.pg_practice import Practice, new_practice

if TYPE_CHECKING:
    from assistant.intake.records import IntakeLock

ROOT: Final = Path(__file__).resolve().parents[1]
JOURNALS: Final = 10  # journals per engine for the append latency …
ANSWERS: Final = 30  # … and answers per journal (per intake below too)
INTAKES: Final = 20  # concurrent intakes, one process each
READS: Final = 200  # patients read twice for the access log's cost
WARM: Final = 10  # warm-up patients / appends, not counted
APPEND_TARGET: Final = 0.050  # s: a turn's budget (the dialog's turn target)
WORKER_TIMEOUT: Final = 120.0  # s for the concurrent intakes, all of them
DAY: Final = date(2024, 3, 4)
CHOSEN: Final = ("F1", "F14")
# a textbook profile-A patient (tests/records_fixtures.py's BASE): what finish_intake stores
FINDINGS: Final[dict[str, Any]] = {
    "red_flags": [], "precautions": [], "neurological_signs": False, "adl_impact": "severe",
    "weeks_since_onset": 3, "improving": True, "recurrent": False,
    "psychosocial_dominant": False, "trauma_related": False, "work_related": False,
    "work_absence_weeks": 0,
}
SPOKEN: Final[dict[AnswerType, tuple[Any, str]]] = {  # a value and what was heard, by type
    AnswerType.YES_NO: (False, "nee"),
    AnswerType.AGE: (47, "zevenenveertig"),
    AnswerType.DURATION: (3.0, "drie weken"),
}


# --- the payloads ---------------------------------------------------------------------------

def answers(protocol: Protocol, patient: str, count: int = ANSWERS) -> list[dict[str, Any]]:
    """`count` answer events as the intake journal appends them (IntakeJournal: an `Answer`'s
    to_json(), with what was heard), one per question of the protocol in its order; distinct
    per patient too (what was heard names the patient and the answer's number)."""
    out = []
    for number, question in enumerate(protocol.questions[:count], 1):
        if question.type is AnswerType.CHOICE:
            value, heard = question.choices[0][0], question.choices[0][1][0]
        else:
            value, heard = SPOKEN[question.type]
        out.append(Answer(question.id, question.finding, value,
                          heard=f"{heard} ({patient}, {number})").to_json())
    return out


def stored_intake(protocol: Protocol) -> tuple[dict[str, Any], dict[str, Any]]:
    """The findings and the result JSON finish_intake stores for each intake."""
    findings = parse_findings(FINDINGS)
    result = {**classify(findings, protocol).to_json(), "chosen_exercises": list(CHOSEN)}
    return findings.to_json(), result


# --- the worker: one intake in its own process ----------------------------------------------

def _where(job: dict[str, Any]) -> Path | PracticeServer:
    return PracticeServer.parse(job["url"]) if "url" in job else Path(job["path"])


def _worker() -> int:
    """Intakes, one at a time, as `python -m bench.practice`: for each job (one JSON line on
    stdin) it opens its own Store and says "ready", waits for "go", then takes the patient's
    intake lock, opens a journal, appends the answers one by one and finishes the intake, and
    prints what it did as one JSON line; until stdin ends. Nothing is retried: an append that
    fails is counted, as the intake would stop there (the therapist is told)."""
    from assistant.intake.records import hold_intake_lock

    for line in sys.stdin:
        job = json.loads(line)
        patient: str = job["patient"]
        done: dict[str, Any] = {"patient": patient, "journal": None, "acknowledged": [],
                                "stored": None, "errors": [], "append_times": []}
        try:
            store = Store.open(_where(job))
        except RecordsError as exc:
            store = None
            done["errors"].append(f"open: {type(exc).__name__}: {exc}")
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            return 1
        done["started"] = time.monotonic()
        if store is not None:
            try:
                _intake(store, job, done, hold_intake_lock)
            except RecordsError as exc:  # the lock or the journal
                done["errors"].append(f"intake: {type(exc).__name__}: {exc}")
            finally:
                store.close()
        done["ended"] = time.monotonic()
        print(json.dumps(done), flush=True)
    return 0


def _intake(store: Store, job: dict[str, Any], done: dict[str, Any],
            hold: Callable[[Store, str, str], IntakeLock]) -> None:
    patient: str = job["patient"]
    lock = hold(store, f"patient:{patient}", f"de intake van patiënt '{patient}'")
    try:
        journal_id = done["journal"] = store.journal_open(patient, DAY)
        for number, payload in enumerate(job["payloads"]):
            began = time.monotonic()
            try:
                store.journal_append(journal_id, payload)
            except RecordsError as exc:
                done["errors"].append(f"append {number + 1}: {type(exc).__name__}: {exc}")
                continue
            done["append_times"].append(time.monotonic() - began)
            done["acknowledged"].append(number)
        try:
            done["stored"] = store.finish_intake(
                journal_id, patient, DAY, job["findings"], job["result"], list(CHOSEN))
        except RecordsError as exc:
            done["errors"].append(f"finish_intake: {type(exc).__name__}: {exc}")
    finally:
        lock.release()


# --- the measurements -----------------------------------------------------------------------

class DurableCluster(Cluster):
    """The tests' cluster with fsync on, as a practice's server runs (the tests switch it off
    for speed, tests/pg_cluster.py)."""

    def _server_options(self) -> str:
        options = super()._server_options()
        assert "-c fsync=off" in options, options  # else the tests' cluster changed: look
        return options.replace("-c fsync=off", "-c fsync=on")


def durable(cluster: Cluster) -> Cluster:
    """The same cluster restarted with fsync on."""
    cluster.stop()
    found = DurableCluster(**{f.name: getattr(cluster, f.name) for f in fields(cluster)})
    found.start()
    return found


def _owner(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool)


def _timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def append_times(stores: dict[str, Store], payloads: Sequence[dict[str, Any]],
                 ) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Seconds per journal_append on each store: JOURNALS journals of the payloads, the stores
    taking turns journal by journal (so drift in the machine falls on both); a warm-up journal
    of WARM appends first, not counted. And this process's CPU time per append, s (on the
    server: the client's share only)."""
    times: dict[str, list[float]] = {name: [] for name in stores}
    cpu = dict.fromkeys(stores, 0.0)
    for round_ in range(JOURNALS + 1):
        for name, store in stores.items():
            journal_id = store.journal_open(f"A-{round_:04d}", DAY)
            for payload in (payloads[:WARM] if round_ == 0 else payloads):
                used = time.process_time()
                took = _timed(lambda: store.journal_append(journal_id, payload))  # noqa: B023
                if round_:
                    cpu[name] += time.process_time() - used
                    times[name].append(took)
            store.journal_close(journal_id, "finished")
    return times, {name: used / len(times[name]) for name, used in cpu.items()}


def statements_per_append(store: Store, payload: dict[str, Any]) -> int:
    """How many SQL statements one journal_append sends (BEGIN and COMMIT not counted), on a
    journal of its own: each is a round trip to a server."""
    journal_id = store.journal_open("A-STATEMENTS", DAY)
    store.journal_append(journal_id, payload)  # the statements compiled
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", count)
    try:
        store.journal_append(journal_id, payload)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    store.journal_close(journal_id, "finished")
    return len(sent)


@dataclass
class Concurrent:
    """What INTAKES concurrent intakes did and left behind, on one engine."""

    wall: float  # s from "go" to the last intake done
    appends: int  # acknowledged appends (answers; the stored mark not counted)
    errors: list[str]  # failures the workers met (nothing retried)
    lost: int  # acknowledged entries (answers and stored marks) not found
    doubled: int  # entries found more than once, or in the wrong journal
    complete: int  # journals with their answers + the mark, seq 1..n once, and the intake
    consultations: int  # intakes stored for these patients
    logged: Counter[str] = field(default_factory=Counter)  # access-log rows by action
    append_times: list[float] = field(default_factory=list)  # s, as the workers saw them

    @property
    def rate(self) -> float:
        return self.appends / self.wall if self.wall > 0 else 0.0


class Workers:
    """INTAKES worker processes (`python -m bench.practice`), started once for both engines;
    killed after WORKER_TIMEOUT s, or when anything fails."""

    def __init__(self, count: int = INTAKES) -> None:
        self.processes = [subprocess.Popen(
            [sys.executable, "-m", "bench.practice"], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(count)]
        self.readying: list[float] = []  # s from the jobs sent to all ready, per run
        self._watchdog = threading.Timer(WORKER_TIMEOUT, self.kill)
        self._watchdog.start()

    def _say(self, process: subprocess.Popen[str], line: str) -> None:
        assert process.stdin is not None
        process.stdin.write(line + "\n")
        process.stdin.flush()

    def _hear(self, process: subprocess.Popen[str]) -> str:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            self.kill()
            assert process.stderr is not None
            raise RuntimeError(f"a worker stopped (exit {process.wait()}): "
                               f"{process.stderr.read()[-2000:]}")
        return line.strip()

    def run(self, jobs: Sequence[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
        """One job per worker: each opens its store; once all are ready, "go" to all; what
        each did, and the wall time from "go" to the last one done."""
        sent = time.monotonic()
        for process, job in zip(self.processes, jobs, strict=True):
            self._say(process, json.dumps(job))
        for process in self.processes:
            if self._hear(process) != "ready":
                raise RuntimeError("a worker said something else than 'ready'")
        go = time.monotonic()
        self.readying.append(go - sent)
        for process in self.processes:
            self._say(process, "go")
        results = [json.loads(self._hear(process)) for process in self.processes]
        return max(r["ended"] for r in results) - go, results

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()

    def close(self) -> None:
        """End the workers: stdin closed (they return), killed when they do not."""
        self._watchdog.cancel()
        for process in self.processes:
            with suppress(OSError):
                assert process.stdin is not None
                process.stdin.close()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


def _concurrent(workers: Workers, name: str, practice: Practice, path: Path,
                protocol: Protocol, findings: dict[str, Any], result: dict[str, Any],
                owner: Engine) -> Concurrent:
    """INTAKES intakes at once on the engine `name` (on the server the two therapists' roles
    take turns; on SQLite all share the file `path`), counted as the owner."""
    jobs = []
    for number in range(INTAKES):
        patient = f"C-{number:04d}"
        role = (practice.therapist, practice.other)[number % 2]
        at = {"url": practice.url(role)} if name == "PostgreSQL" else {"path": str(path)}
        jobs.append({**at, "patient": patient, "findings": findings, "result": result,
                     "payloads": answers(protocol, patient)})
    wall, results = workers.run(jobs)
    reader = owner if name == "PostgreSQL" else _owner(f"sqlite:///{path}")
    try:
        return count(reader, jobs, results, wall)
    finally:
        if reader is not owner:
            reader.dispose()


def count(engine: Engine, jobs: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]],
          wall: float) -> Concurrent:
    """Read back, as the database's owner, what the intakes left: each journal's entries
    against the answers its worker had acknowledged, their seq numbers, the stored intakes and
    the access log."""
    lost = doubled = complete = 0
    with engine.connect() as conn:
        for job, done in zip(jobs, results, strict=True):
            if done["journal"] is None:
                continue
            rows = conn.execute(select(journal_entries.c.seq, journal_entries.c.payload)
                                .where(journal_entries.c.journal == done["journal"])
                                .order_by(journal_entries.c.seq)).all()
            found = Counter(json.dumps(json.loads(p), sort_keys=True) for _, p in rows)
            wanted = [job["payloads"][n] for n in done["acknowledged"]]
            if done["stored"] is not None:
                wanted.append({"event": "stored", "consultation": done["stored"]})
            keys = Counter(json.dumps(w, sort_keys=True) for w in wanted)
            lost += sum((keys - found).values())
            doubled += sum((found - keys).values())  # twice, or never appended here
            seqs = [int(s) for s, _ in rows]
            intake = conn.execute(select(func.count()).select_from(consultations).where(
                consultations.c.id == done["stored"],
                consultations.c.patient == job["patient"])).scalar_one()
            if (seqs == list(range(1, len(job["payloads"]) + 2)) and found == keys
                    and len(done["acknowledged"]) == len(job["payloads"]) and intake == 1):
                complete += 1
        patients = [job["patient"] for job in jobs]
        stored = conn.execute(select(func.count()).select_from(consultations).where(
            consultations.c.patient.in_(patients))).scalar_one()
        logged = Counter({str(a): int(n) for a, n in conn.execute(
            select(access_log.c.action, func.count()).where(access_log.c.patient.in_(patients))
            .group_by(access_log.c.action))})
    return Concurrent(wall, sum(len(r["acknowledged"]) for r in results),
                      [e for r in results for e in r["errors"]], lost, doubled, complete,
                      int(stored), logged, [t for r in results for t in r["append_times"]])


def read_times(stores: dict[str, Store], patients: Sequence[str],
               ) -> dict[str, tuple[list[float], list[float]]]:
    """Seconds of the first (logged) and the second (already logged) `consultations(patient)`
    of each patient on each store, the stores taking turns patient by patient; the first WARM
    patients warm up, not counted."""
    times: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in stores}
    for number, patient in enumerate(patients):
        for name, store in stores.items():
            first = _timed(lambda: store.consultations(patient))  # noqa: B023
            second = _timed(lambda: store.consultations(patient))  # noqa: B023
            if number >= WARM:
                times[name][0].append(first)
                times[name][1].append(second)
    return times


def _settings(engine: Engine) -> str:
    with engine.connect() as conn:
        values = {name: conn.execute(text(f"SHOW {name}")).scalar_one()
                  for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")}
    return ", ".join(f"{k} {v}" for k, v in values.items())


@contextmanager
def _cluster() -> Iterator[Cluster]:
    """A private cluster with fsync on; stopped and removed at the end, also on a failure."""
    cluster = start_cluster()
    try:
        cluster = durable(cluster)
        yield cluster
    finally:
        with suppress(Exception):
            cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


TITLE: Final = "Records on a practice server (PostgreSQL) beside SQLite"


def measure() -> Section:
    if sys.platform == "win32" or find_pg_bin() is None:
        return Section("practice", TITLE, "Needs PostgreSQL's server programs (initdb, pg_ctl) "
                       "for a private cluster.",
                       [Row("records on a practice server", "—", "", "skipped")],
                       details="PostgreSQL's initdb not found: install the postgresql package "
                               "(or set PG_BIN).")
    stages: dict[str, float] = {}
    began = mark = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal mark
        stages[name] = time.perf_counter() - mark
        mark = time.perf_counter()

    load = [os.getloadavg()[0]]
    protocol = load_protocol()
    findings, result = stored_intake(protocol)
    with _cluster() as cluster, tempfile.TemporaryDirectory(prefix="bench-practice-") as tmp:
        practice = new_practice(cluster)
        owner = _owner(practice.url())
        settings = _settings(owner)
        files = {name: Path(tmp) / f"{name}.sqlite3" for name in ("append", "intakes", "reads")}
        servers: dict[str, Path | PracticeServer] = {
            "PostgreSQL": practice.server(practice.therapist), "SQLite": files["append"]}
        stage("cluster and practice set up")

        # 1. the journal append
        payloads = answers(protocol, "A-0000")
        with Store.open(servers["SQLite"]) as lite, Store.open(servers["PostgreSQL"]) as pg:
            appended, cpu = append_times({"SQLite": lite, "PostgreSQL": pg}, payloads)
            statements = statements_per_append(pg, payloads[0])
        stage("journal appends")

        # 2. INTAKES intakes at once, each in its own process, as therapists take turns
        outcomes: dict[str, Concurrent] = {}
        with Store.open(files["intakes"]):  # made and migrated before the workers come
            pass
        workers = Workers()
        stage("the intakes' files")
        try:
            for name in ("PostgreSQL", "SQLite"):
                outcomes[name] = _concurrent(workers, name, practice, files["intakes"],
                                             protocol, findings, result, owner)
        finally:
            workers.close()
        stage(f"{INTAKES} concurrent intakes on both engines (the workers' start included: "
              f"until all had imported and opened their store {workers.readying[0]:.1f} s on "
              f"PostgreSQL, then {workers.readying[1]:.2f} s opening theirs on SQLite)")

        # 3. the access log's cost per read: every patient with one stored intake
        patients = [f"R-{n:04d}" for n in range(WARM + READS)]
        reads_at: dict[str, Path | PracticeServer] = {
            "PostgreSQL": servers["PostgreSQL"], "SQLite": files["reads"]}
        for where in reads_at.values():
            with Store.open(where) as store:
                for patient in patients:
                    store.add_consultation(patient, DAY, findings, result, list(CHOSEN))
        stage(f"{len(patients)} stored intakes on each engine, for the reads")
        with Store.open(reads_at["SQLite"]) as lite, Store.open(reads_at["PostgreSQL"]) as pg:
            read = read_times({"SQLite": lite, "PostgreSQL": pg}, patients)
        read_logs = {"PostgreSQL": owner, "SQLite": _owner(f"sqlite:///{files['reads']}")}
        reads_logged = {}
        for name, engine in read_logs.items():
            with engine.connect() as conn:
                reads_logged[name] = int(conn.execute(select(func.count()).select_from(
                    access_log).where(access_log.c.action == "read")).scalar_one())
            if engine is not owner:
                engine.dispose()
        stage("the reads")
        disk = describe_disk(tmp).describe()
        owner.dispose()
    stage("the cluster stopped and removed")
    stages["in all"] = time.perf_counter() - began
    load.append(os.getloadavg()[0])
    return _section(appended, outcomes, read, reads_logged, settings, disk, stages,
                    statements, cpu, load)


# --- the section ----------------------------------------------------------------------------

def _section(appended: dict[str, list[float]], outcomes: dict[str, Concurrent],
             read: dict[str, tuple[list[float], list[float]]], reads_logged: dict[str, int],
             settings: str, disk: str, stages: dict[str, float], statements: int,
             cpu: dict[str, float], load: list[float]) -> Section:
    rows: list[Row] = []
    for name, label in (("SQLite", "SQLite (WAL, synchronous=FULL)"),
                        ("PostgreSQL", "PostgreSQL (loopback TCP)")):
        times = Summary.of(appended[name])
        rows.append(Row(f"journal append p50, {label}", ms(times.p50)))
        measure_name = f"journal append p95, {label}"
        rows.append(Row(measure_name, ms(times.p95)) if name == "SQLite" else
                    at_most(measure_name, times.p95, APPEND_TARGET, ms(times.p95),
                            f"≤ {APPEND_TARGET * 1000:.0f} ms"))
    for name, outcome in outcomes.items():
        lead = f"{INTAKES} concurrent intakes, {name}"
        rows += [
            Row(f"{lead}: wall time", f"{outcome.wall:.2f} s"),
            Row(f"{lead}: appends/s", f"{outcome.rate:.0f}"),
            at_most(f"{lead}: answers lost", outcome.lost, 0, str(outcome.lost), "0"),
            at_most(f"{lead}: answers doubled", outcome.doubled, 0, str(outcome.doubled), "0"),
            at_most(f"{lead}: errors", len(outcome.errors), 0, str(len(outcome.errors)), "0"),
            at_least(f"{lead}: journals complete", outcome.complete, INTAKES,
                     f"{outcome.complete}/{INTAKES}", f"{INTAKES}/{INTAKES}"),
        ]
    costs: dict[str, Summary] = {}
    for name in ("SQLite", "PostgreSQL"):
        first, second = read[name]
        costs[name] = Summary.of([a - b for a, b in zip(first, second, strict=True)])
        rows.append(Row(f"access log cost per read p50, {name}", ms(costs[name].p50)))
        rows.append(Row(f"access log cost per read p95, {name}", ms(costs[name].p95)))
    return Section("practice", TITLE,
                   _method(settings, disk), rows,
                   details=_details(appended, outcomes, read, costs, reads_logged, stages,
                                    statements, cpu, load),
                   notes=_notes(outcomes, appended, cpu))


def _method(settings: str, disk: str) -> str:
    return (
        "A private PostgreSQL cluster (`tests/pg_cluster.py`: initdb into a fresh temporary "
        "folder, a server on a free port of 127.0.0.1, scram-sha-256) is started for this "
        "section and restarted with **fsync on** — the tests run it with fsync off, which would "
        "flatter every commit — and stopped and removed at the end. The practice is set up as "
        "`assistant practice init` does it (`tests/pg_practice.py`: a database, the schema and "
        "grants as its owner, two therapists' roles and an admin's); every store below is "
        "opened as a therapist's role over loopback TCP (`Store.open(PracticeServer)`), so the "
        "figures include the network stack, not a network. The SQLite files are temporary "
        f"files on the same file system as the cluster, opened as the assistant opens them (WAL, "
        f"synchronous=FULL, busy timeout {BUSY_TIMEOUT:.0f} s). Server: {settings}. Disk: "
        f"{disk}\n\n"
        f"**Journal append.** {JOURNALS} journals of {ANSWERS} answers on each engine, the "
        "engines taking turns journal by journal (after a warm-up journal of "
        f"{WARM} appends, not counted): {JOURNALS * ANSWERS} timed `Store.journal_append` calls "
        "each, from the call to its return (one transaction: the journal row locked and "
        "checked open, the next seq, the insert, the commit — durable when it returns). Each "
        "payload is an `answer` event's `to_json()` as `IntakeJournal` appends it (question, "
        "finding, value, note, what was heard), one per protocol question. PostgreSQL's p95 "
        f"must stay within {APPEND_TARGET * 1000:.0f} ms: a voice turn's whole budget "
        "(the dialog's turn target), which a journaled turn spends waiting for this append.\n\n"
        f"**{INTAKES} concurrent intakes.** {INTAKES} patients, each intake in a process of "
        "its own (`python -m bench.practice`, started with `subprocess`): processes, not "
        "threads, so that Python's GIL does not serialise what the database should, and each "
        "is a therapist's computer with its own interpreter and connection; `subprocess` "
        "rather than `multiprocessing` so that a worker imports only the store (spawn would "
        "import `bench/__main__.py` and every benchmark part in each child) and a "
        "ready/go handshake over its pipes starts the clock only once all are imported and "
        "connected (how long that took is under the section's time below). "
        "Each worker first opens its own `Store` (on PostgreSQL as one of the two therapists' "
        "roles, alternately: its own connection, the schema checked; on SQLite the one shared "
        "file) and says it is ready; after \"go\" to all it takes the patient's "
        "intake lock (`hold_intake_lock`: the server's advisory lock, the lock file beside a "
        f"SQLite file), opens a journal, appends {ANSWERS} distinct answers back to back (no "
        "pause between answers: the worst case, not a therapist's pace) and calls "
        "`finish_intake` (the consultation and the stored mark, one transaction). Nothing is "
        "retried: a failure is counted as an error, as the intake would stop there. Wall "
        "time: from \"go\" to the last worker done (the workers' monotonic clock); appends/s: "
        "acknowledged answers over the wall time. Then the database's owner reads everything "
        "back: an answer is *lost* when its append returned but it is not in its journal "
        "(the stored mark counts as an entry), *doubled* when an entry is there more often "
        "than appended (or in another patient's journal); a journal is *complete* with its "
        f"{ANSWERS} answers and the stored mark, seq 1..{ANSWERS + 1} each once, and its "
        "patient's consultation stored under the id the mark names.\n\n"
        f"**Access log cost per read.** {WARM + READS} patients with one stored intake each, on "
        "each engine. One store per engine is opened as a therapist (a fresh one: nothing is "
        "logged on it yet), and each patient's history is read twice with "
        "`Store.consultations(patient)`, the engines taking turns patient by patient. The "
        "first read of a patient writes the access-log row first, in a transaction of its "
        "own (SQLite: BEGIN IMMEDIATE and a synchronous commit; PostgreSQL: a commit); the "
        "second is the same read without it (logged once per patient and action while the "
        f"store is open). The first {WARM} patients warm up and are not counted; the cost is "
        f"first − second, per patient, over {READS} patients. Opening one store for all of "
        "them, not one per patient, keeps SQLAlchemy's statement cache (one per engine) warm "
        "for both reads, so the difference is the log's alone; the owner counts the 'read' "
        "rows afterwards.")


def _details(appended: dict[str, list[float]], outcomes: dict[str, Concurrent],
             read: dict[str, tuple[list[float], list[float]]], costs: dict[str, Summary],
             reads_logged: dict[str, int], stages: dict[str, float], statements: int,
             cpu: dict[str, float], load: list[float]) -> str:
    def line(values: Sequence[float]) -> list[str]:
        summary = Summary.of(values)
        return [str(summary.n), ms(summary.p50), ms(summary.p95), ms(summary.max)]

    timing = markdown_table(["", "n", "p50", "p95", "max"], [
        *[[f"journal append, {name}", *line(appended[name])] for name in appended],
        *[[f"append under {INTAKES} concurrent intakes, {name}", *line(o.append_times)]
          for name, o in outcomes.items() if o.append_times],
        *[[f"first read (logged), {name}", *line(read[name][0])] for name in read],
        *[[f"second read (not logged), {name}", *line(read[name][1])] for name in read],
        *[[f"first − second, {name}", str(c.n), ms(c.p50), ms(c.p95), ms(c.max)]
          for name, c in costs.items()],
    ])
    concurrent = markdown_table(
        ["", "wall", "answers acknowledged", "appends/s", "lost", "doubled", "errors",
         "complete journals", "consultations", "access log rows"],
        [[name, f"{o.wall:.2f} s", str(o.appends), f"{o.rate:.0f}", str(o.lost),
          str(o.doubled), str(len(o.errors)), f"{o.complete}/{INTAKES}", str(o.consultations),
          ", ".join(f"{k} {v}" for k, v in sorted(o.logged.items()))]
         for name, o in outcomes.items()])
    errors = [f"- {name}: {e}" for name, o in outcomes.items() for e in o.errors[:10]]
    return "\n".join([
        timing, "",
        f"On the server a journal append is {statements} SQL statements (the journal row "
        "locked and checked open, its last entry checked for the stored mark, the next seq, "
        "the insert) between BEGIN and COMMIT, which psycopg sends as statements of their own: "
        f"{statements + 2} round trips. Loopback costs each a few tens of µs; across a "
        f"practice's network each adds its round-trip time (at 1 ms: ≈ {statements + 2} ms "
        f"more per append; the {APPEND_TARGET * 1000:.0f} ms budget holds up to a round trip "
        f"of ≈ {APPEND_TARGET * 1000 / (statements + 2):.0f} ms).",
        "", "This process's CPU time per append (on the server the client's share; the "
        "server's backend works besides): " + ", ".join(
            f"{name} {ms(used)}" for name, used in cpu.items()) + ".",
        "", concurrent, "",
        *(["Errors met (at most 10 per engine):", "", *errors, ""] if errors else []),
        "Access-log 'read' rows after the reads: " + ", ".join(
            f"{name} {n} (expected {WARM + READS}: one per patient, none for a second read)"
            for name, n in reads_logged.items()) + ".",
        "", "The section's time: " + "; ".join(f"{k} {v:.1f} s" for k, v in stages.items())
        + f". The machine's load average (1 min) was {load[0]:.1f} before it and "
        f"{load[1]:.1f} after, on {os.cpu_count()} cores: other work running beside it "
        "slows the concurrent figures most.",
    ])


def _notes(outcomes: dict[str, Concurrent], appended: dict[str, list[float]],
           cpu: dict[str, float]) -> str:
    """What the concurrent figures mean on this machine."""
    loaded = {name: Summary.of(o.append_times) for name, o in outcomes.items()
              if o.append_times}
    parts = []
    if loaded:
        parts.append(
            f"Under {INTAKES} intakes appending back to back, an append took "
            + "; ".join(f"{name} p50 {ms(t.p50)}, p95 {ms(t.p95)}, max {ms(t.max)}"
                        for name, t in loaded.items())
            + f" (the table above). That is mostly this machine, not the server: all {INTAKES} "
            "clients (each a Python interpreter) and the server's backends share its cores, "
            "so an append waits for CPU behind the others (a client alone spends "
            f"{ms(cpu['PostgreSQL'])} of CPU in Python per append of "
            f"{ms(Summary.of(appended['PostgreSQL']).p50)}); at a practice each therapist's "
            "computer does its own share of the work, and answers come seconds apart, not back "
            "to back. SQLite's writers take turns on the file's lock, each waiting in SQLite's "
            f"busy handler (sleeps of up to 100 ms, at most {BUSY_TIMEOUT:.0f} s): hence its "
            "long tail.")
    lite = outcomes.get("SQLite")
    if lite is not None and lite.errors:
        kinds = Counter(e.split(":")[1].strip() for e in lite.errors)
        parts.append(
            f"SQLite refused {len(lite.errors)} write(s) with {INTAKES} writers ("
            + ", ".join(f"{v}× {k}" for k, v in kinds.items())
            + f"): a writer waited longer than the busy timeout ({BUSY_TIMEOUT:.0f} s); an "
            "intake that meets this stops with a 'locked' line. Several therapists at once "
            "belong on the practice's server.")
    return "\n\n".join(parts)


if __name__ == "__main__":
    sys.exit(_worker())
