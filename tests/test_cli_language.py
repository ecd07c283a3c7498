"""Everything the command line says is Dutch, argparse's own help and errors included.

Each argparse error kind is one Dutch line on stderr with exit 2; a mistyped command or option
gets "Bedoelt u …?". The English templates of other Python versions (3.12 lists choices without
quotes, 3.14 may add "maybe you meant") are translated too.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.cli.app import build_parser, main
from assistant.cli.parser import HELP_HELP, VERSION_HELP, DutchParser, translate

ENGLISH = ("usage:", "invalid choice", "the following arguments", "unrecognized",
           "expected one argument", "options:", "positional arguments", "show this help",
           "show program's version", "error:", "subcommands")


APP_PARSER = build_parser()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int | str | None, str, str]:
    """`assistant ARGS` in-process, for an argparse exit: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def error_line(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one stderr line of `assistant ARGS`, checked to exit 2 with nothing on stdout."""
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "", (code, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert not any(word in err for word in ENGLISH), err
    return err.rstrip("\n")


@pytest.mark.parametrize(("args", "line"), [
    (["intak"], "assistant: fout: onbekende opdracht 'intak'. Bedoelt u 'intake'?"),
    (["histroy"], "assistant: fout: onbekende opdracht 'histroy'. Bedoelt u 'history'?"),
    (["model", "downlaod"],
     "assistant model: fout: onbekende opdracht 'downlaod'. Bedoelt u 'download'?"),
    (["intake", "--pateint", "X"],
     "assistant intake: fout: onbekende optie --pateint. Bedoelt u --patient?"),
    (["intake", "--pateint=X"],
     "assistant intake: fout: onbekende optie --pateint. Bedoelt u --patient?"),
    (["followup", "--patient", "P-1", "--nrps", "5"],
     "assistant followup: fout: onbekende optie --nrps. Bedoelt u --nprs?"),
    # the typo, not the required option it hides, is what went wrong
    (["followup", "--nrps", "3"],
     "assistant followup: fout: onbekende optie --nrps. Bedoelt u --nprs?"),
    (["export", "--ouput", "x"],
     "assistant export: fout: onbekende optie --ouput. Bedoelt u --output?"),
    (["--verison"], "assistant: fout: onbekende optie --verison. Bedoelt u --version?"),
    # an option before the command belongs to the main command
    (["--verbose", "intake"], "assistant: fout: onbekende optie --verbose. Bedoelt u --version?"),
    (["Intake"], "assistant: fout: onbekende opdracht 'Intake'. Bedoelt u 'intake'?"),
    (["exercises", "--profile", "b"],
     "assistant exercises: fout: --profile: ongeldige keuze 'b'. Bedoelt u 'B'?"),
])
def test_a_mistyped_command_or_option_gets_the_closest(
        capsys: pytest.CaptureFixture[str], args: list[str], line: str) -> None:
    assert error_line(capsys, *args) == line


@pytest.mark.parametrize(("args", "line"), [
    ([], "assistant: fout: geef een opdracht: intake, classify, "),
    (["model"], "assistant model: fout: geef een opdracht: list, download, verify (zie --help)"),
    (["xyzzy"], "assistant: fout: onbekende opdracht 'xyzzy'. Kies uit: intake, classify, "),
    (["classify"], "assistant classify: fout: verplicht, maar niet gegeven: --findings "
                   "(zie --help)"),
    (["intake", "--qqqq"], "assistant intake: fout: onbekende optie --qqqq (zie --help)"),
    (["intake", "extra"], "assistant intake: fout: niet herkend: extra (zie --help)"),
    (["intake", "--patient"],
     "assistant intake: fout: --patient: hier hoort één waarde bij (zie --help)"),
    (["intake", "--text", "--voice"],
     "assistant intake: fout: --voice kan niet samen met --text (zie --help)"),
    (["intake", "--mute=ja"],
     "assistant intake: fout: --mute: hier hoort geen waarde bij, ook niet 'ja' (zie --help)"),
    (["intake", "--p", "x"], "assistant intake: fout: --p is niet eenduidig. "
                             "Bedoelt u --patient, --psk of --psk-activities?"),
    (["exercises", "--profile", "E"],
     "assistant exercises: fout: --profile: ongeldige keuze 'E'. Kies uit: A, B, C, D "
     "(zie --help)"),
    # our own type functions' Dutch messages are kept
    (["followup", "--patient", "P-1", "--nprs", "elf"],
     "assistant followup: fout: --nprs: geen heel getal van 0 tot en met 10: 'elf' "
     "(zie --help)"),
    (["exercises", "--side", "boven"],
     "assistant exercises: fout: --side: geen oefenarm: kies links, rechts of beide, niet "
     "'boven' (zie --help)"),
])
def test_every_argparse_error_of_the_app_is_one_dutch_line(
        capsys: pytest.CaptureFixture[str], args: list[str], line: str) -> None:
    assert error_line(capsys, *args).startswith(line)


def _parser() -> DutchParser:
    """A parser with every kind of argument whose errors the app's commands do not all reach."""
    parser = DutchParser(prog="proef")
    parser.add_argument("--count", type=int)
    parser.add_argument("--ratio", type=float)
    parser.add_argument("--pair", nargs=2)
    parser.add_argument("--some", nargs="+")
    parser.add_argument("--file", type=argparse.FileType("r"))
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--left", action="store_true")
    group.add_argument("--right", action="store_true")
    return parser


@pytest.mark.parametrize(("args", "line"), [
    (["--left", "--count", "drie"], "proef: fout: --count: geen heel getal: 'drie' (zie --help)"),
    (["--left", "--ratio", "half"], "proef: fout: --ratio: geen getal: 'half' (zie --help)"),
    (["--left", "--pair", "a"], "proef: fout: --pair: hier horen 2 waarden bij (zie --help)"),
    (["--left", "--some"], "proef: fout: --some: hier hoort minstens één waarde bij (zie --help)"),
    ([], "proef: fout: geef een van deze opties: --left --right (zie --help)"),
    (["--left", "--file", "/nonexistent/x"], "proef: fout: --file: kan '/nonexistent/x' niet "
                                             "openen: "),
])
def test_the_other_argparse_errors_are_dutch(
        capsys: pytest.CaptureFixture[str], args: list[str], line: str) -> None:
    with pytest.raises(SystemExit) as info:
        _parser().parse_args(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.startswith(line) and err.count("\n") == 1, err


@pytest.mark.parametrize(("message", "line"), [
    # Python 3.12.8+ and 3.13: choices without quotes
    ("argument OPDRACHT: invalid choice: 'intak' (choose from intake, classify)",
     "onbekende opdracht 'intak'. Bedoelt u 'intake'?"),
    # Python 3.14 with suggest_on_error: argparse's own suggestion is replaced by ours
    ("argument OPDRACHT: invalid choice: 'intak', maybe you meant 'intake'? "
     "(choose from 'intake', 'classify')", "onbekende opdracht 'intak'. Bedoelt u 'intake'?"),
    ("argument --profile: invalid choice: 'E' (choose from A, B)",
     "--profile: ongeldige keuze 'E'. Kies uit: A, B (zie --help)"),
    ("argument --x: expected at most one argument",
     "--x: hier hoort hoogstens één waarde bij (zie --help)"),
    ("argument --x: expected 1 argument", "--x: hier horen 1 waarden bij (zie --help)"),
    ("argument --x: invalid Path value: 'a'", "--x: ongeldige waarde: 'a' (zie --help)"),
    ("argument --x: iets nieuws in het Nederlands", "--x: iets nieuws in het Nederlands "
                                                    "(zie --help)"),
    ("can't open 'a.txt': geen toegang", "kan 'a.txt' niet openen: geen toegang"),
    ("the following arguments are required: --a, --b",
     "verplicht, maar niet gegeven: --a, --b (zie --help)"),
    ("ambiguous option: --p could match --patient, --psk",
     "--p is niet eenduidig. Bedoelt u --patient of --psk?"),
    ("a message\nof a future version", "a message of a future version (zie --help)"),
])
def test_translate_is_tolerant_of_other_python_versions(message: str, line: str) -> None:
    parser = build_parser()
    assert translate(parser, message, []) == ("assistant", line)


@settings(deadline=None)
@given(st.text(max_size=80), st.sampled_from([
    "", "argument OPDRACHT: ", "argument --x: invalid choice: ", "unrecognized arguments: ",
    "the following arguments are required: ", "ambiguous option: ", "argument --x: invalid "]))
def test_translate_always_gives_one_line(tail: str, head: str) -> None:
    prog, line = translate(APP_PARSER, head + tail, ["intake", tail])
    assert prog.startswith("assistant") and "\n" not in line and "\r" not in line and line


def _all_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from _all_parsers(child)


def _progs() -> list[str]:
    return [parser.prog for parser in _all_parsers(build_parser())]


def test_every_command_is_checked() -> None:
    progs = _progs()
    assert {"assistant", "assistant intake", "assistant classify", "assistant model download",
            "assistant exercises", "assistant followup"} <= set(progs)
    assert len(progs) == len(set(progs)) >= 14


@pytest.mark.parametrize("prog", _progs())
def test_help_of_every_command_is_dutch(capsys: pytest.CaptureFixture[str], prog: str) -> None:
    code, out, err = run(capsys, *prog.split()[1:], "--help")
    assert code == 0 and err == ""
    assert out.startswith(f"gebruik: {prog} ")
    assert "-h, --help" in out and HELP_HELP in out and "\nopties:\n" in out
    found = [word for word in ENGLISH if word in out]
    assert not found, (found, out)
    if prog == "assistant":
        assert VERSION_HELP in out and "\nopdrachten:\n" in out


def test_positional_arguments_have_a_dutch_heading(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "model", "verify", "--help")
    assert code == 0 and "\npositionele argumenten:\n  MAP " in out


def test_usage_and_help_stay_dutch_with_another_formatter() -> None:
    parser = DutchParser(prog="proef", formatter_class=argparse.RawDescriptionHelpFormatter,
                         description="regel één\n  regel twee")
    parser.add_argument("naam")
    parser.add_argument("--version", action="version", version="1")
    text = parser.format_help()
    assert text.startswith("gebruik: proef [-h] [--version] naam\n")
    assert "regel één\n  regel twee" in text  # the raw formatter still works
    assert "\npositionele argumenten:\n" in text and VERSION_HELP in text
    assert parser.format_usage() == "gebruik: proef [-h] [--version] naam\n"


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("assistant ") and out.count("\n") == 1


def test_the_real_program_says_it_in_dutch(tmp_path: Path) -> None:
    run_ = subprocess.run([sys.executable, "-m", "assistant", "intak"], capture_output=True,
                          text=True, timeout=60, check=False, cwd=tmp_path)
    assert run_.returncode == 2 and run_.stdout == ""
    assert run_.stderr.count("\n") == 1 and run_.stderr.endswith(  # named as started
        " -m assistant: fout: onbekende opdracht 'intak'. Bedoelt u 'intake'?\n")
