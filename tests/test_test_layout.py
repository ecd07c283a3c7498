"""Shared test helpers live in helper modules (tests/*.py not named test_*), never in a test
file: no module under tests/ imports a tests/test_*.py, so running or editing one test file
cannot break another. Checked on the source, imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_test_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) for every test module (`tests.test_*`) a parsed module of tests/ imports,
    in any form: `import tests.test_x`, `from tests.test_x import y`, `from tests import
    test_x`, `from .test_x import y`, `from . import test_x`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            package = "tests" if node.level else ""  # relative: from the tests package
            module = ".".join(part for part in (package, node.module) if part)
            modules = ([f"tests.{alias.name}" for alias in node.names] if module == "tests"
                       else [module])
        else:
            continue
        found += [(node.lineno, name) for name in modules
                  if name.startswith("tests.test_")]
    return sorted(found)


def test_no_module_under_tests_imports_a_test_file() -> None:
    offenders = [f"{path.relative_to(TESTS.parent)}:{line} imports {module}"
                 for path in sorted(TESTS.glob("*.py"))
                 for line, module in imported_test_modules(ast.parse(path.read_text("utf-8")))]
    assert offenders == [], ("move the shared helper into a helper module (not test_*.py): "
                             + "; ".join(offenders))


def test_the_check_sees_every_form_of_import() -> None:
    source = ("import tests.test_a\n"
              "from tests.test_b import x\n"
              "from tests import test_c, harness\n"
              "from .test_d import y\n"
              "from . import test_e\n"
              "def f() -> None:\n    from tests.test_f import z\n"
              "from tests.harness import test_helper\n"
              "from tests.records_fixtures import add_intake\n"
              "import pytest\n")
    assert imported_test_modules(ast.parse(source)) == [
        (1, "tests.test_a"), (2, "tests.test_b"), (3, "tests.test_c"), (4, "tests.test_d"),
        (5, "tests.test_e"), (7, "tests.test_f")]
