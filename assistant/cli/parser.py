"""The Dutch command-line parser: argparse with Dutch headings, help and errors.

`DutchParser` is the parser of the main command and, through `add_subparsers`, of every
subcommand. What the user reads is Dutch:

- help: `gebruik:`, `positionele argumenten:`, `opties:`, `-h, --help  toon deze hulp en stop`,
  and `--version` (`toon het versienummer en stop`) when no help is given;
- errors: one line on stderr, `PROG: fout: MESSAGE`, then exit 2 (`EXIT_USAGE`; DESIGN.md
  "Errors and exit codes"). argparse's English messages are translated by their known templates
  (`translate`); a message that matches none, such as the Dutch text of our own type functions
  (`argparse.ArgumentTypeError`), is kept. A mistyped command or option gets the closest one:
  `onbekende opdracht 'intak'. Bedoelt u 'intake'?`, `onbekende optie --pateint. Bedoelt u
  --patient?`.

argparse's wording and internals differ between Python versions (3.11 to 3.14): the headings
are set in three independent ways (the formatter's usage prefix, the group titles, and a last
rewrite of the formatted text), and the error templates are matched loosely (3.12 lists choices
without quotes; 3.14 may add "maybe you meant …"). The suggestions are our own (difflib).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn, TypeVar, overload

from assistant.errors import EXIT_USAGE

HELP_HELP = "toon deze hulp en stop"
VERSION_HELP = "toon het versienummer en stop"
USAGE_PREFIX = "gebruik: "
SEE_HELP = " (zie --help)"

_N = TypeVar("_N")

_HEADINGS = {
    "positional arguments": "positionele argumenten",
    "options": "opties",
    "optional arguments": "opties",  # Python < 3.10
}
_ENGLISH_HELP = {
    "show this help message and exit": HELP_HELP,
    "show program's version number and exit": VERSION_HELP,
}


class DutchHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the Dutch usage heading (`gebruik: `)."""

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[Any], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)


def dutch_headings(text: str) -> str:
    """Rewrite argparse's English headings and help lines in formatted help or usage `text`
    (a last safety net: the formatter and the group titles normally did it already)."""
    text = re.sub(r"(?m)^usage: ", USAGE_PREFIX, text)
    for english, dutch in _HEADINGS.items():
        text = re.sub(rf"(?m)^{re.escape(english)}:$", f"{dutch}:", text)
    for english, dutch in _ENGLISH_HELP.items():
        text = text.replace(english, dutch)
    return text


class DutchParser(argparse.ArgumentParser):
    """An `argparse.ArgumentParser` whose help and errors are Dutch (see the module).

    Takes argparse's arguments; a `formatter_class` is given the Dutch usage heading. `error`
    writes one line on stderr and exits 2 (`SystemExit(2)`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        formatter = kwargs.get("formatter_class", DutchHelpFormatter)
        if formatter is argparse.HelpFormatter:
            formatter = kwargs["formatter_class"] = DutchHelpFormatter
        if not issubclass(formatter, DutchHelpFormatter):
            kwargs["formatter_class"] = type(
                f"Dutch{formatter.__name__}", (DutchHelpFormatter, formatter), {})
        super().__init__(*args, **kwargs)
        self._argv: list[str] | None = None
        for group in self._action_groups:
            if group.title in _HEADINGS:
                group.title = _HEADINGS[group.title]
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = HELP_HELP

    def add_argument(self, *name_or_flags: str, **kwargs: Any) -> argparse.Action:
        if kwargs.get("action") == "version" and kwargs.get("help") is None:
            kwargs["help"] = VERSION_HELP
        return super().add_argument(*name_or_flags, **kwargs)

    def format_usage(self, *args: Any, **kwargs: Any) -> str:
        return dutch_headings(super().format_usage(*args, **kwargs))

    def format_help(self, *args: Any, **kwargs: Any) -> str:
        return dutch_headings(super().format_help(*args, **kwargs))

    @overload
    def parse_known_args(self, args: Iterable[str] | None = None,
                         namespace: None = None) -> tuple[argparse.Namespace, list[str]]: ...
    @overload
    def parse_known_args(self, args: Iterable[str] | None,
                         namespace: _N) -> tuple[_N, list[str]]: ...
    @overload
    def parse_known_args(self, *, namespace: _N) -> tuple[_N, list[str]]: ...

    def parse_known_args(self, args: Iterable[str] | None = None,
                         namespace: Any = None) -> tuple[Any, list[str]]:
        # Remembered for the error line: which subcommand an unknown option was given to.
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(self._argv, namespace)

    def error(self, message: str) -> NoReturn:
        prog, text = translate(self, message, self._argv or [])
        self.exit(EXIT_USAGE, f"{prog}: fout: {text}\n")


# --- translating argparse's errors -------------------------------------------------------------

_ARGUMENT = re.compile(r"argument (?P<name>.+?): (?P<message>.*)", re.DOTALL)
_CHOICE = re.compile(r"(?:invalid choice: (?P<value>.*?)(?:, maybe you meant .*?\?)?"
                     r" \(choose from (?P<choices>.*)\)"
                     r"|unknown parser (?P<parser>.*?) \(choices: (?P<parser_choices>.*)\))",
                     re.DOTALL)
_EXPECTED = {
    "expected one argument": "hier hoort één waarde bij",
    "expected at most one argument": "hier hoort hoogstens één waarde bij",
    "expected at least one argument": "hier hoort minstens één waarde bij",
}
_EXPECTED_N = re.compile(r"expected (?P<count>\d+) arguments?")
_NOT_WITH = re.compile(r"not allowed with argument (?P<other>.+)")
_IGNORED = re.compile(r"ignored explicit argument (?P<value>.+)")
_INVALID_TYPE = re.compile(r"invalid (?P<type>\S+) value: (?P<value>.+)")
_CANNOT_OPEN = re.compile(r"can't open '(?P<file>.*)': (?P<reason>.*)", re.DOTALL)
_REQUIRED = re.compile(r"the following arguments are required: (?P<names>.+)")
_ONE_OF = re.compile(r"one of the arguments (?P<names>.+) is required")
_UNRECOGNISED = re.compile(r"unrecognized arguments: (?P<args>.*)", re.DOTALL)
_AMBIGUOUS = re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)")
_TYPE_NAMES = {"int": "geen heel getal", "float": "geen getal"}


def translate(parser: argparse.ArgumentParser, message: str,
              argv: Sequence[str]) -> tuple[str, str]:
    """argparse's error `message` of `parser` as (prog, one Dutch line). `argv` is what the
    parser was given (it finds the subcommand an unknown option belongs to). A message without a
    known English template is kept (our type functions raise Dutch ones). Never raises."""
    message = " ".join(message.splitlines())
    argument = _ARGUMENT.fullmatch(message)
    if argument is not None:
        return parser.prog, _argument_error(parser, argument["name"], argument["message"])
    if match := _UNRECOGNISED.fullmatch(message):
        extras = match["args"].split()
        target = _subcommand_parser(parser, argv, extras[0] if extras else None)
        return target.prog, _unrecognised(target, extras)
    if match := _REQUIRED.fullmatch(message):
        return parser.prog, _required(parser, match["names"], argv)
    if match := _ONE_OF.fullmatch(message):
        return parser.prog, f"geef een van deze opties: {match['names']}{SEE_HELP}"
    if match := _AMBIGUOUS.fullmatch(message):
        options = [_unquote(part) for part in match["matches"].split(", ")]
        return parser.prog, (f"{match['option']} is niet eenduidig. "
                             f"Bedoelt u {_either(options)}?")
    if match := _CANNOT_OPEN.fullmatch(message):
        return parser.prog, f"kan '{match['file']}' niet openen: {match['reason']}"
    return parser.prog, message + SEE_HELP


def _argument_error(parser: argparse.ArgumentParser, name: str, message: str) -> str:
    action = _find_action(parser, name)
    if choice := _CHOICE.fullmatch(message):
        value = _unquote(choice["value"] if choice["value"] is not None else choice["parser"])
        listed = choice["choices"] if choice["choices"] is not None else choice["parser_choices"]
        choices = ([str(c) for c in action.choices] if action is not None and action.choices
                   else [_unquote(part) for part in listed.split(", ")])
        return _invalid_choice(name, value, choices,
                               command=isinstance(action, argparse._SubParsersAction))
    if message in _EXPECTED:
        return f"{name}: {_EXPECTED[message]}{SEE_HELP}"
    if match := _EXPECTED_N.fullmatch(message):
        return f"{name}: hier horen {match['count']} waarden bij{SEE_HELP}"
    if match := _NOT_WITH.fullmatch(message):
        return f"{name} kan niet samen met {match['other']}{SEE_HELP}"
    if match := _IGNORED.fullmatch(message):
        return f"{name}: hier hoort geen waarde bij, ook niet {match['value']}{SEE_HELP}"
    if match := _INVALID_TYPE.fullmatch(message):
        what = _TYPE_NAMES.get(match["type"], "ongeldige waarde")
        return f"{name}: {what}: {match['value']}{SEE_HELP}"
    if match := _CANNOT_OPEN.fullmatch(message):
        return f"{name}: kan '{match['file']}' niet openen: {match['reason']}"
    return f"{name}: {message}{SEE_HELP}"


def _invalid_choice(name: str, value: str, choices: list[str], *, command: bool) -> str:
    what = f"onbekende opdracht '{value}'" if command else f"{name}: ongeldige keuze '{value}'"
    closest = _closest(value, choices)
    if closest is not None:
        return f"{what}. Bedoelt u '{closest}'?"
    return f"{what}. Kies uit: {', '.join(choices)}{SEE_HELP}"


def _unrecognised(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    if extras and _is_option(parser, extras[0]):
        option = extras[0].split("=", 1)[0]
        closest = _closest(option, _option_strings(parser))
        if closest is not None:
            return f"onbekende optie {option}. Bedoelt u {closest}?"
        return f"onbekende optie {option}{SEE_HELP}"
    return f"niet herkend: {' '.join(extras)}{SEE_HELP}"


def _required(parser: argparse.ArgumentParser, names: str, argv: Sequence[str]) -> str:
    commands = _subcommands(parser)
    command_names = {_action_name(action) for action in parser._actions
                     if isinstance(action, argparse._SubParsersAction)}
    # A mistyped option ("assistant --verison", "followup --nrps 3") is the likelier problem
    # than the missing one: argparse names the missing one first.
    known = _option_strings(parser)
    unknown = [arg for arg in argv if _is_option(parser, arg) and not any(
        option.startswith(arg.split("=", 1)[0]) for option in known)]  # abbreviations count
    if unknown:
        return _unrecognised(parser, unknown)
    if commands and any(part in command_names for part in names.split(", ")):
        return f"geef een opdracht: {', '.join(commands)}{SEE_HELP}"
    return f"verplicht, maar niet gegeven: {names}{SEE_HELP}"


# --- helpers -----------------------------------------------------------------------------------

def _closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word` (case-insensitive), or None when none is close."""
    by_key = {candidate.casefold(): candidate for candidate in candidates}
    found = difflib.get_close_matches(word.casefold(), list(by_key), n=1, cutoff=0.6)
    return by_key[found[0]] if found else None


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} of {options[-1]}"


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _is_option(parser: argparse.ArgumentParser, arg: str) -> bool:
    return len(arg) > 1 and arg[0] in parser.prefix_chars and not _is_number(arg)


def _is_number(arg: str) -> bool:
    try:
        float(arg)
    except ValueError:
        return False
    return True


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [option for action in parser._actions for option in action.option_strings]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def _subcommand_parser(parser: argparse.ArgumentParser, argv: Sequence[str],
                       until: str | None) -> argparse.ArgumentParser:
    """The (sub)command parser `argv` reaches before the argument `until`: `intake --x` → the
    parser of `intake`."""
    for arg in argv:
        if arg == until:
            break
        commands = _subcommands(parser)
        if arg in commands:
            parser = commands[arg]
    return parser


def _action_name(action: argparse.Action) -> str:
    """How argparse names `action` in its messages."""
    if action.option_strings:
        return "/".join(action.option_strings)
    if isinstance(action.metavar, str) and action.metavar != argparse.SUPPRESS:
        return action.metavar
    if isinstance(action.metavar, tuple):
        return " ".join(action.metavar)
    if action.dest and action.dest != argparse.SUPPRESS:
        return action.dest
    return "{" + ",".join(str(choice) for choice in action.choices or ()) + "}"


def _find_action(parser: argparse.ArgumentParser, name: str) -> argparse.Action | None:
    for action in parser._actions:
        if _action_name(action) == name or name in action.option_strings:
            return action
    return None
