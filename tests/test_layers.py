"""Dependencies point one way (issue 24, in part): the command line and the screen are front
ends on top; nothing below them imports them, and the screen does not import the command
line. Checked on the source, imports inside functions and TYPE_CHECKING blocks included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
FRONT_ENDS = ("assistant.cli", "assistant.ui")


def imported(path: Path) -> set[str]:
    """Every module `path` imports (absolute names), wherever the import stands."""
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def below_the_front_ends() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if not module_of(p).startswith(FRONT_ENDS) and module_of(p) != "assistant"
                  and p.name != "__main__.py")


@pytest.mark.parametrize("path", below_the_front_ends(), ids=lambda p: module_of(p))
def test_nothing_below_the_front_ends_imports_them(path: Path) -> None:
    upward = sorted(name for name in imported(path) if name.startswith(FRONT_ENDS))
    assert upward == [], f"{module_of(path)} imports {upward}"


def test_the_screen_does_not_import_the_command_line() -> None:
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        upward = sorted(n for n in imported(path) if n.startswith("assistant.cli"))
        assert upward == [], f"{module_of(path)} imports {upward}"


SPEECH_MAY_IMPORT = ("assistant", "assistant.errors", "assistant.invocation")


@pytest.mark.parametrize("path", sorted((PACKAGE / "speech").rglob("*.py")),
                         ids=lambda p: module_of(p))
def test_the_speech_layer_imports_only_the_basics(path: Path) -> None:
    """Speech is the bottom layer of the voice (issue 24): it imports itself and the basics
    only: the package (its version), `assistant.errors` and `assistant.invocation` (the command
    named in a fix). Never the dialog, records, intake, output, protocol or a front end: what it
    must recognise (the dialog's phrases, the models folder) is handed to it by its callers."""
    ours = {n for n in imported(path) if n == "assistant" or n.startswith("assistant.")}
    foreign = sorted(n for n in ours
                     if n not in SPEECH_MAY_IMPORT and not n.startswith("assistant.speech"))
    assert foreign == [], f"{module_of(path)} imports {foreign}"


# Each layer may import the layers listed for it, and itself (README "For developers"). The
# basics (errors, text, clock, invocation, files, settings) sit below them all.
BASICS = frozenset({"assistant", "assistant.errors", "assistant.text", "assistant.clock",
                    "assistant.invocation", "assistant.files", "assistant.settings"})
LAYERS: dict[str, frozenset[str]] = {
    "protocol": frozenset(),
    "speech": frozenset(),
    "dialog": frozenset({"protocol", "speech"}),
    "output": frozenset({"dialog", "protocol", "speech"}),
    "records": frozenset({"protocol"}),
    "intake": frozenset({"dialog", "output", "records", "protocol", "speech"}),
    "ui": frozenset({"intake", "dialog", "output", "records", "protocol", "speech"}),
    "cli": frozenset({"ui", "intake", "dialog", "output", "records", "protocol", "speech"}),
}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_of(p))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    """No module imports a layer above it (issue 24): the one direction of data, checked on
    the source, imports inside functions and TYPE_CHECKING blocks included."""
    module = module_of(path)
    layer = layer_of(module)
    ours = {n for n in imported(path) if n == "assistant" or n.startswith("assistant.")}
    if layer is None:  # a basic: only other basics (the package's __init__ starts the CLI)
        allowed = {n for n in ours if n in BASICS or module in ("assistant", "assistant.__main__")}
    else:
        allowed = {n for n in ours if n in BASICS or layer_of(n) in {layer, *LAYERS[layer]}}
    assert sorted(ours - allowed) == [], f"{module} imports {sorted(ours - allowed)}"


def test_no_import_circle_between_modules() -> None:
    """No module imports itself through others at import time (imports inside functions and
    TYPE_CHECKING blocks are left out: they do not run when the module loads)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        found: set[str] = set()
        for node in tree.body:  # module level only
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[module_of(path)] = {m for m in found if m.startswith("assistant.")}
    known = set(graph)
    edges = {m: {t for t in targets if t in known and t != m} for m, targets in graph.items()}
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError(" → ".join([*trail[trail.index(module):], module]))
        if module in done:
            return
        for target in sorted(edges[module]):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def test_the_sections_of_the_data_are_the_states_of_the_consultation() -> None:
    """Issue 24: the section list lives in the data and in the machine; checked when a
    consultation is made, so a section added to the data alone fails at once, by name."""
    from dataclasses import replace

    from assistant.dialog.consultation import Consultation, check_sections
    from assistant.errors import ProtocolError
    from assistant.protocol import load_protocol

    protocol = load_protocol()
    check_sections(protocol)  # the shipped data fits
    swapped = replace(protocol, sections=(protocol.sections[1], protocol.sections[0],
                                          *protocol.sections[2:]))
    with pytest.raises(ProtocolError, match=r"section 1 is 'onset'.*asks 'age'"):
        Consultation(swapped, lambda event: None)
    shorter = replace(protocol, sections=protocol.sections[:-1])
    with pytest.raises(ProtocolError, match=r"is '\(geen\)'"):
        check_sections(shorter)
