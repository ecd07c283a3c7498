"""README.md and docs/ stand on their own in a plain clone: no link leaves the repository, and
every relative link points to a file that is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")  # [text](target)


def _relative_links(text: str) -> list[str]:
    targets = [match.group(1) for match in LINK.finditer(text)]
    return [t.split("#", 1)[0] for t in targets
            if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


@pytest.mark.parametrize("page", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_no_reference_outside_the_repository(page: Path) -> None:
    text = page.read_text("utf-8")
    assert "../shared" not in text and "/work/shared" not in text


@pytest.mark.parametrize("page", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_every_relative_link_points_to_a_file_in_the_repository(page: Path) -> None:
    links = _relative_links(page.read_text("utf-8"))
    missing = [link for link in links if not (page.parent / link).resolve().is_file()]
    outside = [link for link in links
               if not (page.parent / link).resolve().is_relative_to(ROOT)]
    assert missing == [] and outside == [], (missing, outside)


def test_the_readme_links_the_design_and_the_source_protocol() -> None:
    links = _relative_links((ROOT / "README.md").read_text("utf-8"))
    assert {"docs/design.md", "docs/source/kngf-nekpijn-oefenprotocol.txt"} <= set(links)
    design = (ROOT / "docs" / "design.md").read_text("utf-8")
    assert design.splitlines()[0].startswith("> The design and contract reference")
    assert "## Contracts" in design and "### Errors and exit codes" in design


def test_the_link_pattern_finds_relative_links_only() -> None:
    text = "[a](docs/x.md) [b](https://example.org/y) [c](#anchor) [d](../e.md#part)"
    assert _relative_links(text) == ["docs/x.md", "../e.md"]


def test_the_readmes_module_map_names_every_module() -> None:
    """The developer map in README.md ("For developers") names every module of the package,
    so a new maintainer finds each file there (a module added without its line fails here)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    start = readme.index("## For developers")
    tree = readme[readme.index("assistant/\n", start):readme.index("models/ ", start)]
    package = ROOT / "assistant"
    missing = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                     if p.name != "__init__.py" and p.name not in tree)
    assert missing == [], f"README's module map does not name {missing}"
