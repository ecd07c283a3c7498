"""The treatment plan's parts as they apply to one patient: the profile's advice and closing
lines (work, school, no work), the closure plan as result.json has it, and whether a red flag
or precaution not ruled out stands in the way of manipulation.

Pure functions; each quotes the DESIGN.md rule or the guideline line it follows."""

from __future__ import annotations

from typing import Any

from assistant.protocol.findings import Findings, is_minor
from assistant.protocol.model import Profile, Protocol


def manipulation_unresolved(f: Findings) -> bool:
    """DESIGN.md rules 10 and 13: a red flag or a precaution not yet ruled out counts as present
    for every manipulation decision."""
    return bool(f.red_flags_unknown) or bool(f.precautions_unknown)


def advice(f: Findings, prof: Profile, p: Protocol) -> tuple[str, ...]:
    """The profile's advice for this patient: the line about work only for someone who works
    or may (`has_work` not false), and for a minor the line about school instead (rule 11)."""
    work, school = p.participation
    out: list[str] = []
    for line in prof.advice:
        if line != work:
            out.append(line)
            continue
        if is_minor(f):
            out.append(school)
        if f.has_work is not False and not (is_minor(f) and f.has_work is None):
            out.append(line)
    return tuple(out)


def closure_lines(f: Findings, prof: Profile, p: Protocol) -> tuple[str, ...]:
    """The profile's closing lines for this patient: without work (`has_work` false) the
    occupational physician is not named."""
    with_work, without = p.closure_without_work
    if f.has_work is not False:
        return prof.closure
    return tuple(without if line == with_work else line for line in prof.closure)


def closure_json(prof: Profile) -> dict[str, Any]:
    """The profile's closure plan ('Afsluiting') for result.json: only the parts it sets
    (max_sessions, evaluate_with, review_after_weeks, refer_gp_if_worse)."""
    plan = prof.closure_plan
    out: dict[str, Any] = {}
    if plan.max_sessions is not None:
        out["max_sessions"] = plan.max_sessions
    if plan.evaluate_with:
        out["evaluate_with"] = list(plan.evaluate_with)
    if plan.review_after_weeks is not None:
        out["review_after_weeks"] = plan.review_after_weeks
    if plan.refer_gp_if_worse:
        out["refer_gp_if_worse"] = True
    return out
