"""The follow-up texts (followup.toml), loaded strictly like nekpijn.toml: a ProtocolError names
the place of any fault."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from assistant.protocol import ProtocolError
from assistant.protocol.tables import load_packaged

SCHEMA_VERSION: Final = 1
DATA_FILE: Final = "followup.toml"
ACTIONS: Final = (
    "continue_treatment", "conclude_treatment", "stop_and_contact_gp", "refer_back_gp",
    "evaluate_now", "closing_advice", "reassess", "resolve_red_flags",
)
# The placeholders an action's text must use (none, unless named here).
ACTION_FIELDS: Final[dict[str, frozenset[str]]] = {"resolve_red_flags": frozenset({"signs"})}
# The same action said for another reason: each variant's text and the action it says.
VARIANTS: Final[dict[str, str]] = {
    "reassess_not_improved": "reassess",
    "reassess_arm_worse": "reassess",
    "refer_back_gp_soon": "refer_back_gp",
}
CLOSING_ACTIONS: Final = frozenset({"conclude_treatment", "stop_and_contact_gp", "refer_back_gp"})
# Each reason and the placeholders its text must use (no more, no fewer).
REASONS: Final[dict[str, frozenset[str]]] = {
    "timing": frozenset({"intake_date", "weeks"}),
    "session": frozenset({"session"}),
    "baseline": frozenset({"date", "nprs", "psk_mean"}),
    "latest": frozenset({"date", "nprs", "psk_mean"}),
    "no_earlier": frozenset(),
    "late_baseline": frozenset(),
    "improved": frozenset({"what", "min_drop"}),
    "not_improved": frozenset({"min_drop"}),
    "worse_pain": frozenset({"before", "after", "min_drop"}),
    "worse_neuro": frozenset(),
    "sessions_reached": frozenset({"max_sessions"}),
    "sessions_left": frozenset({"max_sessions"}),
    "before_review": frozenset({"review_weeks"}),
    "review_not_improved": frozenset({"review_weeks"}),
    "review_improved": frozenset(),
    "worse_refer": frozenset(),
    "worse_reassess": frozenset({"min_drop"}),
    "referred_back_before": frozenset(),
    "closing": frozenset(),
    "sessions_reached_not_improved": frozenset({"max_sessions"}),
    "arm_no_closing": frozenset(),
    "provisional": frozenset({"signs"}),
}
WORDS: Final = ("pain", "psk", "pain_and_psk", "unresolved_unnamed")


@dataclass(frozen=True)
class SourcedText:
    """A Dutch text and the protocol line it traces to."""

    text: str
    source: str
    addition: str | None = None  # the rationale, when it is not in the protocol itself


@dataclass(frozen=True)
class FollowupData:
    """Everything followup.toml holds."""

    min_drop: int  # points on 0–10 that count as improvement
    improvement: SourcedText  # its source and rationale (text is empty)
    actions: tuple[tuple[str, SourcedText], ...]
    reasons: tuple[tuple[str, SourcedText], ...]
    words: tuple[tuple[str, str], ...]
    variants: tuple[tuple[str, SourcedText], ...] = ()

    def action(self, action_id: str, variant: str | None = None, **values: object) -> str:
        """What the therapist hears for `action_id`: its own text, or `variant`'s (one of
        VARIANTS that says this action), with the placeholders filled in."""
        if variant is None:
            return dict(self.actions)[action_id].text.format(**values)
        if VARIANTS[variant] != action_id:
            raise ValueError(f"variant {variant} does not say {action_id}")
        return dict(self.variants)[variant].text.format(**values)

    def reason(self, key: str, **values: object) -> str:
        return dict(self.reasons)[key].text.format(**values)

    def word(self, key: str) -> str:
        return dict(self.words)[key]

    def sources(self) -> list[str]:
        """Every protocol quote in the file (for the traceability test)."""
        texts = [self.improvement, *(t for _, t in self.actions), *(t for _, t in self.reasons),
                 *(t for _, t in self.variants)]
        return [t.source for t in texts]


def _table(data: Any, where: str, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ProtocolError(f"{where}: expected a table")
    unknown = sorted(set(data) - keys)
    if unknown:
        raise ProtocolError(f"{where}: unknown key '{unknown[0]}'")
    return data


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(f"{where}.{key}: missing or empty text")
    return value.strip()


def _sourced(data: Any, where: str, *, with_text: bool = True) -> SourcedText:
    table = _table(data, where, {"text", "source", "addition"} if with_text
                   else {"source", "addition", "min_drop"})
    addition = table.get("addition")
    if addition is not None and (not isinstance(addition, str) or not addition.strip()):
        raise ProtocolError(f"{where}.addition: expected a non-empty text")
    return SourcedText(text=_text(table, "text", where) if with_text else "",
                       source=_text(table, "source", where),
                       addition=addition.strip() if addition else None)


def _named(data: Any, where: str, names: Mapping[str, frozenset[str]]
           ) -> tuple[tuple[str, SourcedText], ...]:
    table = _table(data, where, set(names))
    out = []
    for name, fields in names.items():
        if name not in table:
            raise ProtocolError(f"{where}.{name}: missing")
        text = _sourced(table[name], f"{where}.{name}")
        used = {f for _, f, _, _ in string.Formatter().parse(text.text) if f is not None}
        if used != fields:
            raise ProtocolError(f"{where}.{name}: placeholders {sorted(used)} are not "
                                f"{sorted(fields)}")
        out.append((name, text))
    return tuple(out)


def parse_followup(data: Mapping[str, Any]) -> FollowupData:
    """Build and validate the follow-up data from the parsed file."""
    root = _table(data, DATA_FILE, {"schema_version", "improvement", "actions", "reasons",
                                    "words", "variants"})
    if root.get("schema_version") != SCHEMA_VERSION:
        raise ProtocolError(f"{DATA_FILE}: schema_version: expected {SCHEMA_VERSION}, "
                            f"found {root.get('schema_version')!r}")
    improvement = _sourced(root.get("improvement"), "improvement", with_text=False)
    min_drop = root["improvement"].get("min_drop")
    if not isinstance(min_drop, int) or isinstance(min_drop, bool) or not 1 <= min_drop <= 10:
        raise ProtocolError("improvement.min_drop: expected a whole number from 1 to 10")
    words = _table(root.get("words"), "words", set(WORDS))
    return FollowupData(
        min_drop=min_drop,
        improvement=improvement,
        actions=_named(root.get("actions"), "actions",
                       {a: ACTION_FIELDS.get(a, frozenset()) for a in ACTIONS}),
        reasons=_named(root.get("reasons"), "reasons", REASONS),
        words=tuple((w, _text(words, w, "words")) for w in WORDS),
        variants=_named(root.get("variants"), "variants", dict.fromkeys(VARIANTS, frozenset())),
    )


@cache
def load_followup() -> FollowupData:
    """The follow-up data shipped with the package (loaded once)."""
    return load_packaged(DATA_FILE, parse_followup)
