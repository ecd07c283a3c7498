"""How the reasons and the referral letter name what was found, in Dutch: a list of names as
one phrase, and the step of the Canadian C-spine rule that did not clear the neck."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.protocol.findings import Findings, age_high_risk, child_after_trauma
from assistant.protocol.model import Protocol
from assistant.text import dutch_list


def names(ids: Sequence[str], name: Callable[[str], str]) -> str:
    """The Dutch names of `ids` as one phrase ('a, b en c'), for reasons and the letter."""
    return dutch_list([name(i) for i in ids])


def c_spine_step(f: Findings, p: Protocol) -> str:
    """The step of the Canadian C-spine rule that did not clear the neck, in Dutch (a child or
    the rule's high-risk age before its questions); only for a rule that did not clear it."""
    if child_after_trauma(f):
        return p.reason("c_spine_child")
    if age_high_risk(f):
        return p.reason("c_spine_age")
    rule = f.c_spine_rule
    assert rule is not None and rule.not_cleared()
    return p.reason("c_spine_high_risk" if rule.high_risk else "c_spine_no_low_risk"
                    if rule.low_risk is False else "c_spine_no_rotation")
