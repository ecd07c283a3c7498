"""`assistant followup | history | forget | export`: the patient records (DESIGN.md "Contracts").

Exit codes: 0 done; 1 the interactive measurement was stopped (nothing stored); 2 bad input, an
unknown patient or an unusable database: a RecordsError, which `assistant.cli.app` turns into
one Dutch line on stderr. Handlers take `(args, protocol)` like the other commands.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli import streams
from assistant.cli.common import (
    ParserT,
    UsageError,
    add_db_option,
    check_folder,
    parse_date,
    parse_psk,
    parse_psk_activities,
    parse_score,
)
from assistant.cli.hints import cli_text
from assistant.dialog.evaluation import Evaluation, run_evaluation
from assistant.errors import EXIT_DONE, EXIT_UNFINISHED, RecordsDenied, RecordsError
from assistant.files import check_overwritable, to_json_text, write_private
from assistant.intake.run import Fanout, SpeechOutput
from assistant.output.screen import Screen
from assistant.protocol.followup import Followup
from assistant.protocol.model import Protocol
from assistant.records.chart import write_chart
from assistant.records.location import (
    patient_report_dirs,
    reports_dir,
    resolve_db,
)
from assistant.records.locks import remove_patient_locks
from assistant.records.measurements import finished_intake, fixed_activities, one_a_day
from assistant.records.render import (
    CHART_FILE,
    followup_for,
    followup_lines,
    followup_markdown,
    history_json,
    history_text,
)
from assistant.records.rows import ConsultationRow, EvaluationRow, validate_patient_id
from assistant.speech.interfaces import SilentSpeaker, Speaker
from assistant.speech.text import StreamListener
from assistant.text import dutch_list

if TYPE_CHECKING:
    from assistant.records.store import Store


def _common(parser: argparse.ArgumentParser, *, with_json: bool = False) -> None:
    parser.add_argument("--patient", required=True, metavar="ID",
                        help="de pseudonieme patiënt-id van de intake")
    add_db_option(parser)
    if with_json:
        parser.add_argument("--json", action="store_true", help="uitvoer als JSON")


def add_records_parsers(sub: argparse._SubParsersAction[ParserT]) -> None:
    """Add `followup`, `history`, `forget` and `export` to the main command's subparsers."""
    followup = sub.add_parser(
        "followup", help="vervolgmeting: NPRS en PSK vastleggen en het advies van nu",
        description="Leg een vervolgmeting vast (NPRS en drie PSK-scores) en hoor wat de "
                    "richtlijn nu adviseert. Zonder --nprs en --psk vraagt de assistent ze.")
    _common(followup, with_json=True)
    followup.add_argument("--nprs", type=parse_score, metavar="0..10", help="de pijn nu (NPRS)")
    followup.add_argument("--psk", type=parse_psk, metavar="A,B,C",
                          help="de drie PSK-scores (0..10, 10 = onmogelijk)")
    followup.add_argument("--date", type=parse_date, default=date.today(), metavar="JJJJ-MM-DD",
                          help="datum van de meting (standaard: vandaag)")
    followup.add_argument("--psk-activities", type=parse_psk_activities, metavar="A,B,C",
                          help="de drie activiteiten van de PSK, als ze nog niet genoteerd zijn "
                               "(zoals traplopen,autorijden,lezen)")
    followup.add_argument("--neuro-worse", action="store_true",
                          help="profiel D: de neurologische klachten in de arm zijn erger "
                               "geworden")
    followup.add_argument("--again", action="store_true",
                          help="nog een meting op een dag die er al een heeft (telt niet als "
                               "nieuwe sessie)")
    followup.add_argument("--report", type=Path, metavar="MAP",
                          help=f"schrijf followup.md, followup.json en {CHART_FILE} in MAP")
    followup.add_argument("--mute", action="store_true", help="geen gesproken uitvoer")
    followup.set_defaults(handler=cmd_followup)

    history = sub.add_parser("history", help="de intake en alle metingen van een patiënt")
    _common(history, with_json=True)
    history.add_argument("--report", type=Path, metavar="MAP",
                         help=f"schrijf de grafiek {CHART_FILE} in MAP")
    history.set_defaults(handler=cmd_history)

    forget = sub.add_parser("forget", help="wis alle gegevens van een patiënt")
    _common(forget)
    forget.add_argument("--yes", action="store_true", help="bevestig het wissen")
    forget.set_defaults(handler=cmd_forget)

    export = sub.add_parser("export", help="alle gegevens van een patiënt als JSON")
    _common(export)
    export.add_argument("--output", type=Path, metavar="BESTAND",
                        help="schrijf naar BESTAND (alleen voor u leesbaar) in plaats van stdout")
    export.set_defaults(handler=cmd_export)


def _open(args: argparse.Namespace, *, write: bool = True) -> Store:
    """The records file; a bad --patient is refused before it is opened."""
    validate_patient_id(args.patient)
    from assistant.records.store import Store  # the database library only when it is used

    return Store.open(resolve_db(args.db), write=write)


def _report_dir(path: Path | None) -> None:
    if path is not None:
        check_folder(path, "--report")


def _speaker(args: argparse.Namespace) -> Speaker:
    if args.mute:
        return SilentSpeaker()
    from assistant.cli.model_folder import models_dir, speech_cache_dir
    from assistant.speech.setup import SpeechOptions, Unavailable, open_speaker

    try:
        return open_speaker(SpeechOptions(models_dir=models_dir(),
                                         cache_dir=speech_cache_dir()))
    except Unavailable as exc:
        print(f"Geen spraakuitvoer: {cli_text(exc)}.", file=sys.stderr)
        return SilentSpeaker()


def _ask(args: argparse.Namespace, profile: str, protocol: Protocol, speaker: Speaker,
         activities: tuple[str, ...], first: bool, baseline: bool) -> Evaluation | None:
    """The interactive measurement from stdin; shown on stdout (stderr with --json), as the
    intake shows its questions, and spoken unless muted."""
    out = sys.stderr if args.json else sys.stdout  # stdout carries only the JSON then
    interactive = streams.stdin_is_tty() and out.isatty()
    listener = StreamListener(streams.stdin(), "› " if interactive else "", out)
    screen = Screen(out, echo=not streams.stdin_is_tty())  # typed answers are seen as typed
    return run_evaluation(listener, Fanout([screen, SpeechOutput(speaker)]), profile, protocol,
                          activities=activities, name_activities=first, baseline=baseline)


def cmd_followup(args: argparse.Namespace, protocol: Protocol) -> int:
    """Record an evaluation and print what the guideline advises now."""
    if (args.nprs is None) != (args.psk is None):
        raise RecordsError("geef --nprs en --psk samen, of geen van beide (dan vraag ik ze)")
    _report_dir(args.report)
    with _open(args) as store:
        consultation = finished_intake(store, args.patient)
        patient = consultation.patient  # as first stored: "P-0001" for "p-0001"
        profile = consultation.result.get("profile")
        if not profile:
            raise RecordsError(f"patiënt {patient} is verwezen (graad IV): volgens de "
                               "richtlijn is er geen vervolgbehandeling")
        if args.date > date.today():
            raise UsageError(f"--date: {args.date.isoformat()} ligt in de toekomst; een meting "
                             "is van vandaag of eerder")
        if args.date < consultation.date:
            raise RecordsError(f"de datum {args.date.isoformat()} ligt voor de intake "
                               f"({consultation.date.isoformat()})")
        on_intake_day = args.date == consultation.date
        if args.neuro_worse and not protocol.profile(profile).closure_plan.refer_gp_if_worse:
            raise UsageError(f"--neuro-worse hoort bij profiel D (klachten in de arm); patiënt "
                             f"{patient} heeft profiel {profile}: laat --neuro-worse weg")
        if args.neuro_worse and on_intake_day:
            raise UsageError("--neuro-worse: een meting op de dag van de intake is de "
                             "beginmeting; er is nog niets om mee te vergelijken")
        earlier = store.evaluations(patient, consultation.id)
        one_a_day(patient, args.date, earlier, again=args.again)
        speaker: Speaker = SilentSpeaker()
        first = not earlier
        activities = fixed_activities(consultation, args.psk_activities, not first)
        if args.nprs is None:
            streams.stdin()  # a closed stdin is refused before the speaker starts
            speaker = _speaker(args)
            asked = _ask(args, profile, protocol, speaker, activities, first, on_intake_day)
            if asked is None:
                speaker.close()
                return EXIT_UNFINISHED
            nprs, psk, neuro = asked.nprs, asked.psk, asked.neuro_worse or args.neuro_worse
            activities = activities or asked.psk_activities
        else:
            nprs, psk, neuro = args.nprs, args.psk, args.neuro_worse
            if (not neuro and not on_intake_day
                    and protocol.profile(profile).closure_plan.refer_gp_if_worse):
                print("Let op: profiel D, de arm is niet nagevraagd; vastgelegd als niet erger. "
                      "Zijn de klachten in de arm erger? Meet dan opnieuw met --again "
                      "--neuro-worse.", file=sys.stderr)
        store.add_evaluation(patient, args.date, nprs, psk, neuro)
        if activities and not consultation.psk_activities:  # named now: kept with the intake
            store.set_psk_activities(consultation.id, activities)
        rows = store.evaluations(patient, consultation.id)
        outcome = followup_for(protocol, consultation, profile, args.date, rows, activities)
        if args.json:
            print(to_json_text(outcome.to_json()), end="")
        else:
            print("\n".join(followup_lines(outcome)))
        for advice in outcome.advice:
            speaker.say(advice)
        speaker.close()
        if args.report is not None:
            _write_followup_report(args.report, outcome, rows, consultation)
    return EXIT_DONE


def _write_followup_report(directory: Path, outcome: Followup, rows: list[EvaluationRow],
                           consultation: ConsultationRow) -> None:
    """followup.md (with the chart), followup.json and the chart, each 0600 and atomic."""
    evaluations = [r for r in rows if r.date <= outcome.day]
    try:
        chart = write_chart(directory / CHART_FILE, evaluations, consultation.date)
        markdown = followup_markdown(outcome, chart.name)
        written = [write_private(directory / "followup.md", markdown),
                   write_private(directory / "followup.json", to_json_text(outcome.to_json())),
                   chart]
    except OSError as exc:
        raise RecordsError(f"--report: kan niet schrijven in {directory}: {exc}") from None
    print(f"Verslag geschreven: {', '.join(str(p) for p in written)}", file=sys.stderr)


def cmd_history(args: argparse.Namespace, protocol: Protocol) -> int:
    """The intake and every evaluation since, as text with bars or as JSON."""
    _report_dir(args.report)
    with _open(args, write=False) as store:
        consultation = finished_intake(store, args.patient, skip_damaged=True)
        rows = store.evaluations(args.patient, consultation.id, skip_damaged=True)
        earlier = [(c, store.evaluations(args.patient, c.id, skip_damaged=True))
                   for c in store.consultations(args.patient, skip_damaged=True)
                   if c.id != consultation.id]
        _name_skipped(store)
    patient = consultation.patient  # as first stored: "P-0001" for "p-0001"
    if args.json:
        print(to_json_text(history_json(patient, consultation, rows, earlier)), end="")
    else:
        print(history_text(patient, consultation, rows, protocol, earlier), end="")
    if args.report is not None:
        try:
            chart = write_chart(args.report / CHART_FILE, rows, consultation.date)
        except OSError as exc:
            raise RecordsError(f"--report: kan niet schrijven in {args.report}: {exc}") from None
        print(f"Grafiek geschreven: {chart}", file=sys.stderr)
    elif not args.json:
        print(f"Een grafiek als afbeelding: voeg --report MAP toe (dan staat {CHART_FILE} in "
              "MAP).")
    return EXIT_DONE


def cmd_forget(args: argparse.Namespace, protocol: Protocol) -> int:
    """Erase everything stored about the patient (only with --yes): the rows (one transaction,
    then the file compacted), then the report folders in the data folder, the lock files;
    one line says what was removed."""
    if not args.yes:
        raise RecordsError(f"forget wist alle gegevens van {args.patient} voorgoed; "
                           "bevestig met --yes")
    from assistant.intake.records import hold_intake_lock, pending_answers

    with _open(args) as store:
        lock = hold_intake_lock(store, f"patient:{args.patient}",  # not while it runs
                                f"de intake van patiënt '{args.patient}'")
        try:
            erased = store.erase_patient(args.patient)
        except RecordsDenied:
            raise RecordsDenied(f"alleen de beheerder van de praktijk mag een patiënt wissen "
                                f"op {store.shown}; vraag de beheerder") from None
        finally:
            lock.release()
        db, shown = store.path, store.shown
        kept = pending_answers(store)
    if kept is not None:  # answers this computer kept while the server was gone: theirs too
        kept.discard(erased.journals)
    folders, left = _remove_reports(args.patient)
    if db is not None:  # this computer's bookkeeping, not the patient's data: not said
        _remove_locks(db, args.patient, erased.journals)
    if not erased.found and not folders:
        raise RecordsError(f"onbekende patiënt: {args.patient} (niet in {shown})")
    counted = [_count(n, one, many) for n, one, many in (
        (erased.intakes, "intake", "intakes"), (erased.measurements, "meting", "metingen"),
        (len(folders), "verslagmap", "verslagmappen")) if n]
    what = f" met {dutch_list(counted)}" if counted else ""
    print(f"Gewist: patiënt {args.patient}{what}, ook de antwoorden van de intakes.")
    if db is None:
        print("De server bewaart in het toegangslog dat deze patiënt is gewist. Verslagen en "
              "oefenbladen op de computers van de andere therapeuten staan daar nog; wis die "
              "daar.")
    elif erased.not_compacted is None:
        print("Het bestand is opgeschoond.")
    else:
        print(f"De gegevens zijn gewist en overschreven, maar het bestand is niet opgeschoond: "
              f"{cli_text(erased.not_compacted)}.")
    if left:
        print(f"Niet gewist (verwijder zelf): {', '.join(str(f) for f in left)}.",
              file=sys.stderr)
    print(f"Verslagen buiten {reports_dir()} (met --report) wist u zelf.")
    return EXIT_DONE


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _remove_reports(patient: str) -> tuple[list[Path], list[Path]]:
    """Remove the patient's report folders in the data folder: (removed, not removable)."""
    removed: list[Path] = []
    left: list[Path] = []
    for folder in patient_report_dirs(patient):
        try:
            shutil.rmtree(folder)
        except OSError:
            left.append(folder)
        else:
            removed.append(folder)
    return removed, left


def _remove_locks(db: Path, patient: str, journals: tuple[int, ...]) -> int:
    """Remove the patient's lock files (records/locks.py); how many."""
    try:
        return remove_patient_locks(db, patient, journals)
    except OSError:
        return 0


def _name_skipped(store: Store) -> None:
    """A line on stderr for each damaged row passed over (the rest is shown all the same)."""
    for damaged in store.skipped:
        print(f"Overgeslagen: {cli_text(damaged)}.", file=sys.stderr)


def cmd_export(args: argparse.Namespace, protocol: Protocol) -> int:
    """Everything stored about the patient as JSON, on stdout or in a private file."""
    if args.output is not None:  # the records file named by mistake: refused before reading,
        check_overwritable(args.output)  # so no export is logged that never happened
    with _open(args, write=False) as store:
        if not store.has_patient(args.patient):
            raise RecordsError(f"onbekende patiënt: {args.patient} (niet in {store.shown})")
        data = store.export(args.patient)
        for row, damaged in zip(data.get("damaged", ()), store.skipped, strict=True):
            row["reason"] = cli_text(damaged)
        _name_skipped(store)
    text = to_json_text(data)
    if args.output is None:
        print(text, end="")
        return EXIT_DONE
    try:
        write_private(args.output, text)
    except OSError as exc:
        raise RecordsError(f"--output: kan niet schrijven naar {args.output}: {exc}") from None
    print(f"Geëxporteerd naar {args.output}", file=sys.stderr)
    return EXIT_DONE
