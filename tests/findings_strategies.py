"""Hypothesis strategies over every valid `Findings`, and `needed_only`, the same findings cut
down to the keys the decision needs: what the property tests of the rules and the dialog use."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from assistant.protocol.findings import (
    ADL_IMPACTS,
    ARM_SIDES,
    ARM_SIGNS,
    PRECAUTIONS,
    RADICULAR_TESTS,
    RED_FLAG_CATEGORIES,
    CSpineRule,
    Findings,
    needed_keys,
)


def _members(known: tuple[str, ...], most: int) -> st.SearchStrategy[tuple[str, ...]]:
    """Members of a list finding in the data's order, as `parse_findings` gives them."""
    return st.lists(st.sampled_from(known), unique=True, max_size=most).map(
        lambda xs: tuple(sorted(xs, key=known.index)))


findings_strategy = st.builds(
    Findings,
    red_flags=_members(RED_FLAG_CATEGORIES, 3),
    red_flags_unknown=_members(RED_FLAG_CATEGORIES, 2),
    precautions=_members(PRECAUTIONS, 2),
    c_spine_rule=st.builds(CSpineRule, st.booleans(), st.booleans(), st.booleans()),
    fracture_ruled_out=st.booleans(),
    neurological_signs=st.booleans(),
    radicular_test=st.sampled_from(RADICULAR_TESTS),
    referred_for_arm_signs=st.booleans(),
    adl_impact=st.sampled_from(ADL_IMPACTS),
    weeks_since_onset=st.floats(0, 200, allow_nan=False) | st.integers(0, 200).map(float),
    improving=st.booleans(),
    recurrent=st.booleans(),
    psychosocial_dominant=st.booleans(),
    work_related=st.booleans(),
    trauma_related=st.booleans(),
    work_absence_weeks=st.floats(0, 60, allow_nan=False) | st.integers(0, 60).map(float),
    arm_signs=st.none() | _members(ARM_SIGNS, 3),
    arm_side=st.none() | st.sampled_from(ARM_SIDES),
    has_work=st.none() | st.booleans(),
    age_years=st.none() | st.integers(0, 120),
    trauma_weeks_ago=st.none() | st.floats(0, 600, allow_nan=False),
    acute_deficit_now=st.none() | st.booleans(),
    precautions_unknown=_members(PRECAUTIONS, 2),
).map(lambda f: replace(
    f, work_related=False if f.has_work is False else f.work_related,
    trauma_weeks_ago=f.trauma_weeks_ago if f.trauma_related else None,
    acute_deficit_now=f.acute_deficit_now
    if {"vascular", "spinal_cord"} & {*(f.red_flags or ()), *f.red_flags_unknown} else None,
    precautions_unknown=tuple(c for c in f.precautions_unknown
                              if c not in (f.precautions or ())),
    work_absence_weeks=0.0 if f.has_work is False else f.work_absence_weeks,
    arm_signs=None if f.arm_signs is None else (f.arm_signs or ARM_SIGNS[:1])
    if f.neurological_signs else None,
    arm_side=f.arm_side if f.neurological_signs else None))


def needed_only(f: Findings) -> Findings:
    """The findings with only the keys `needed_keys` names (and the doubt, which is optional)."""
    keys = needed_keys(f)
    kept: dict[str, Any] = {k: f.get(k) for k in keys if "." not in k}
    steps = {k.split(".")[1]: getattr(f.c_spine_rule, k.split(".")[1]) for k in keys if "." in k}
    if steps:
        kept["c_spine_rule"] = CSpineRule(**steps)
    return Findings(**kept, red_flags_unknown=f.red_flags_unknown,
                    precautions_unknown=f.precautions_unknown)
