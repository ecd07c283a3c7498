"""DESIGN.md "Version 3 additions": rules 9-13 (emergency, unresolved means no manipulation, age,
old trauma, unknown precautions), the new findings keys and their validation, and the advice
for someone without work or at school."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from assistant.protocol import classify, load_protocol, parse_findings
from assistant.protocol.findings import (
    DEFICIT_FLAGS,
    TRAUMA_WINDOW_SAID,
    TRAUMA_WINDOW_WEEKS,
    Findings,
    FindingsError,
)
from assistant.protocol.rules import red_flags
from tests.findings_cases import findings, run
from tests.findings_strategies import findings_strategy

P = load_protocol()
WORK_LINE, SCHOOL_LINE = P.participation
NOT_CLEARED = {"high_risk": True}


@pytest.mark.parametrize("flag", sorted(DEFICIT_FLAGS))
def test_a_deficit_now_with_a_vascular_or_cord_flag_is_112_said_first(flag: str) -> None:
    r = run(red_flags=[flag], acute_deficit_now=True)
    assert r["urgency"] == "emergency" and r["referral"]
    assert "112" in r["reasons"][0] and "112" in r["reasons"][-1]
    assert r["actions"] == ["call_112", "refer_gp"]
    assert run(red_flags=[flag], acute_deficit_now=False)["urgency"] == "acute"
    assert run(red_flags=[flag])["urgency"] == "acute"  # absent: as in version 2


def test_a_deficit_now_needs_a_vascular_or_cord_flag() -> None:
    with pytest.raises(FindingsError, match="acute_deficit_now"):
        parse_findings(findings(red_flags=["tumour"], acute_deficit_now=True))


@pytest.mark.parametrize("unknown", [{"red_flags_unknown": ["vascular"]},
                                     {"precautions_unknown": ["anticoagulants"]}])
@pytest.mark.parametrize("case", [
    {"adl_impact": "severe", "weeks_since_onset": 10},  # B
    {"weeks_since_onset": 10, "psychosocial_dominant": True},  # C
    {"neurological_signs": True},  # D
    {},  # A
])
def test_nothing_unresolved_is_manipulated(unknown: dict[str, Any],
                                           case: dict[str, Any]) -> None:
    r = run(**case, **unknown)
    assert "no_manipulation" in r["cautions"]
    assert "mobilisation_manipulation" not in r["therapy"]["recommended"]
    if r["profile"] != "A":
        assert "mobilisation" in r["therapy"]["recommended"]
    assert any("Daarom voorlopig geen manipulatie" in reason for reason in r["reasons"])


def test_an_unknown_precaution_is_not_a_provisional_plan_nor_a_fracture() -> None:
    r = run(trauma_related=True, trauma_weeks_ago=1, precautions_unknown=["osteoporosis"])
    assert r["profile"] == "A" and not r["provisional"] and not r["referral"]
    assert "antistolling" not in " ".join(r["reasons"])
    assert "botontkalking" in " ".join(r["reasons"])


def test_a_minor_is_said_first_and_hears_about_school() -> None:
    r = run(age_years=17, has_work=False)
    assert r["cautions"][0] == "minor" and "17 jaar" in r["reasons"][0]
    assert SCHOOL_LINE in r["advice"] and WORK_LINE not in r["advice"]
    r = run(age_years=17, has_work=True)  # a side job: both
    assert SCHOOL_LINE in r["advice"] and WORK_LINE in r["advice"]
    adult = run(age_years=40)
    assert "minor" not in adult["cautions"] and WORK_LINE in adult["advice"]


def test_no_work_no_work_advice() -> None:
    r = run(has_work=False)
    assert WORK_LINE not in r["advice"] and SCHOOL_LINE not in r["advice"]
    assert r["advice"] == [line for line in P.profile("A").advice if line != WORK_LINE]


def test_under_16_after_a_recent_trauma_the_rule_cannot_clear_the_neck() -> None:
    r = run(age_years=15, trauma_related=True, trauma_weeks_ago=0.3)  # rule 'cleared' it
    assert r["referral"] and "fracture" in r["red_flags"] and r["urgency"] == "acute"
    assert any("jonger dan 16" in reason for reason in r["reasons"])
    assert r["cautions"] == ["minor"]
    imaged = run(age_years=15, trauma_related=True, fracture_ruled_out=True)
    assert not imaged["referral"]
    assert not run(age_years=16, trauma_related=True, trauma_weeks_ago=0.3)["referral"]


def test_65_or_older_is_the_rules_high_risk_factor() -> None:
    r = run(age_years=68, trauma_related=True, trauma_weeks_ago=1)
    assert r["referral"] and r["red_flags"] == ["fracture"]
    assert any("65 jaar of ouder" in reason for reason in r["reasons"])


def test_an_old_trauma_does_not_go_through_the_rule() -> None:
    """The review's case: a minor collision two years ago, 68 years old, never imaged."""
    old = run(age_years=68, trauma_related=True, trauma_weeks_ago=104, c_spine_rule=None,
              precautions=["osteoporosis"])
    assert not old["referral"] and old["profile"] == "A"
    assert any("ongeveer 2 jaar geleden" in reason for reason in old["reasons"])
    # inside the window (its last day included) the rule and the precautions still decide
    three_months = 3 * 365.25 / 12 / 7  # 'drie maanden geleden': about twelve weeks
    assert run(trauma_related=True, trauma_weeks_ago=three_months,
               c_spine_rule=NOT_CLEARED)["referral"]
    at_edge = run(trauma_related=True, trauma_weeks_ago=TRAUMA_WINDOW_WEEKS,
                  c_spine_rule=NOT_CLEARED)
    assert at_edge["referral"]
    unknown_date = run(trauma_related=True, c_spine_rule=NOT_CLEARED)  # the safer reading
    assert unknown_date["referral"]
    assert "kinesiotape" in run(trauma_related=True, trauma_weeks_ago=50, c_spine_rule=None,
                                adl_impact="severe", weeks_since_onset=50)["therapy"]["consider"]


@pytest.mark.parametrize("bad, key", [
    ({"age_years": 121}, "age_years"), ({"age_years": 3.5}, "age_years"),
    ({"age_years": True}, "age_years"), ({"age_years": "47"}, "age_years"),
    ({"trauma_weeks_ago": 2}, "trauma_weeks_ago"),  # without a trauma
    ({"trauma_related": True, "trauma_weeks_ago": -1}, "trauma_weeks_ago"),
    ({"precautions": ["osteoporosis"], "precautions_unknown": ["osteoporosis"]},
     "osteoporosis"),
    ({"precautions_unknown": ["aspirine"]}, "aspirine"),
    ({"acute_deficit_now": "ja", "red_flags": ["vascular"]}, "acute_deficit_now"),
])
def test_bad_version_3_values_are_refused_naming_the_key(bad: dict[str, Any], key: str) -> None:
    with pytest.raises(FindingsError, match=key):
        parse_findings(findings(**bad))


def test_the_new_categories_refer() -> None:
    unrecognised = run(red_flags=["unrecognised"])
    assert unrecognised["urgency"] == "routine" and unrecognised["referral"]
    assert run(red_flags=["temporal_arteritis"])["urgency"] == "acute"


def test_a_version_3_file_round_trips() -> None:
    data = findings(age_years=47, trauma_related=True, trauma_weeks_ago=0.5,
                    precautions_unknown=["anticoagulants"])
    f = parse_findings(data)
    assert parse_findings(f.to_json()) == f
    assert f.to_json()["age_years"] == 47 and f.to_json()["trauma_weeks_ago"] == 0.5


@given(findings_strategy)
def test_emergency_exactly_with_a_deficit_now_and_its_flag(f: Findings) -> None:
    r = classify(f, P).to_json()
    emergency = bool(f.acute_deficit_now) and bool(
        DEFICIT_FLAGS & {*red_flags(f), *f.red_flags_unknown})  # not ruled out too
    assert (r["urgency"] == "emergency") == emergency


@given(findings_strategy)
def test_never_manipulation_while_anything_is_unresolved(f: Findings) -> None:
    r = classify(f, P).to_json()
    if f.red_flags_unknown or f.precautions_unknown:
        assert "mobilisation_manipulation" not in r["therapy"]["recommended"]
        if not r["referral"]:
            assert "no_manipulation" in r["cautions"]


@given(findings_strategy)
def test_a_minor_is_always_said_first(f: Findings) -> None:
    r = classify(f, P).to_json()
    if f.age_years is not None and f.age_years < 18:
        assert r["cautions"][0] == "minor"
        assert f"{f.age_years} jaar" in r["reasons"][0 if r["urgency"] != "emergency" else 1]
    else:
        assert "minor" not in r["cautions"]


@given(findings_strategy)
def test_an_old_trauma_never_derives_a_fracture(f: Findings) -> None:
    if f.trauma_related and f.trauma_weeks_ago is not None \
            and f.trauma_weeks_ago > TRAUMA_WINDOW_SAID:
        given_flags = set(f.red_flags or ())
        assert ("fracture" in red_flags(f)) == ("fracture" in given_flags)


def test_no_work_no_occupational_physician_at_the_closure() -> None:
    from assistant.protocol.plan import closure_lines

    with_work, without = P.closure_without_work
    prof = P.profile("B")
    assert with_work in prof.closure
    retired = parse_findings(findings(adl_impact="severe", weeks_since_onset=10, has_work=False))
    assert without in closure_lines(retired, prof, P) and with_work not in closure_lines(
        retired, prof, P)
    working = parse_findings(findings(adl_impact="severe", weeks_since_onset=10, has_work=True))
    assert closure_lines(working, prof, P) == prof.closure
