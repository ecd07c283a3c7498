"""The rules of DESIGN.md "Rules" and "Result", row by row, at every boundary."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given

from assistant.protocol import classify, load_protocol, parse_findings
from assistant.protocol.findings import (
    RED_FLAG_CATEGORIES,
    TRAUMA_WINDOW_SAID,
    CSpineRule,
    Findings,
    FindingsError,
    missing_keys,
    needed_keys,
)
from assistant.protocol.rules import course, grade, profile, red_flags
from tests.findings_cases import CLEARED, findings, run
from tests.findings_strategies import findings_strategy, needed_only
from tests.records_fixtures import GRADE_III_FILE

P = load_protocol()
BASE_MENU = ["F1", "F1a", "F14", "F14a", "F14b", "F17", "F20", "F26", "F26a", "F30", "F31",
             "F32", "F33", "F34"]
EXTRA_MENU = ["F5", "F27", "F28", "F29", "F29a", "F55", "F56", "F56b", "F57", "F58"]
DISCOURAGED = ["dry_needling", "electrotherapy", "ultrasound_shockwave", "laser"]
CONSIDER_BASE = ["cervical_pillow", "cbt", "massage", "heat_cold"]


@pytest.mark.parametrize("flag", RED_FLAG_CATEGORIES)
def test_any_red_flag_is_grade_iv_referral_with_nothing_else(flag: str) -> None:
    r = run(red_flags=[flag], neurological_signs=True)
    assert r["grade"] == "IV" and r["referral"] is True and r["profile"] is None
    assert r["exercises"] == [] and r["actions"] == ["refer_gp"]
    assert r["therapy"] == {"recommended": [], "consider": [], "discouraged": []}
    assert r["closure"] == {}
    assert P.red_flag_name(flag) in r["reasons"][0]


def test_red_flag_alone_is_enough() -> None:
    r = classify(parse_findings({"red_flags": ["tumour"]}), P).to_json()
    assert r["grade"] == "IV"


def test_neurological_signs_are_grade_iii_profile_d() -> None:
    r = run(neurological_signs=True, adl_impact="none", weeks_since_onset=1)
    assert (r["grade"], r["profile"]) == ("III", "D")
    assert r["therapy"]["recommended"] == ["exercise_therapy", "mobilisation_manipulation"]
    assert r["exercises"] == [*BASE_MENU[:2], "F5", *BASE_MENU[2:], "F55"]
    assert r["exercises_if_insufficient"] == ["F27", "F28", "F29", "F29a", "F56", "F56b",
                                              "F57", "F58"]  # 'bij onvoldoende effect'
    assert run(weeks_since_onset=9)["exercises_if_insufficient"] == []
    assert "uitstralende pijn" in r["exercise_warning"]
    assert r["closure"] == {"evaluate_with": ["NPRS", "PSK"], "review_after_weeks": 6,
                            "refer_gp_if_worse": True}


def test_grade_iii_asks_the_course_as_for_every_patient() -> None:
    base = {"red_flags": [], "precautions": [], "neurological_signs": True,
            "trauma_related": False, "work_related": False}
    with pytest.raises(FindingsError, match="'radicular_test'"):
        classify(parse_findings(base), P)
    r = classify(parse_findings({**base, **GRADE_III_FILE, "weeks_since_onset": 9}), P).to_json()
    assert r["profile"] == "D" and r["course"] == "abnormal"
    assert "langer dan zes weken" in " ".join(r["reasons"])


@pytest.mark.parametrize(("test", "sure"), [("positive", "waarschijnlijk"),
                                            ("negative", "minder zeker"),
                                            ("not_done", "minder zeker")])
@pytest.mark.parametrize("referred", [True, False])
def test_grade_iii_radicular_test_and_contact_with_the_gp(test: str, sure: str,
                                                         referred: bool) -> None:
    r = run(neurological_signs=True, radicular_test=test, referred_for_arm_signs=referred)
    assert r["reasons"][0].startswith("Graad III:") and sure in r["reasons"][1]
    assert ("contact_gp" in r["actions"]) is (not referred)  # KNGF recommendation 3


@pytest.mark.parametrize(("impact", "expected"), [("none", "I"), ("mild", "I"), ("severe", "II")])
def test_grade_from_adl_impact(impact: str, expected: str) -> None:
    assert run(adl_impact=impact)["grade"] == expected


@pytest.mark.parametrize(
    ("weeks", "improving", "recurrent", "expected"),
    [
        (6, True, False, "normal"),       # "in de eerste zes weken"
        (6.01, True, False, "abnormal"),  # unrounded: just over six weeks
        (7, True, False, "abnormal"),
        (0, True, False, "normal"),
        (3, False, False, "abnormal"),    # not improving
        (3, True, True, "abnormal"),      # recurrent
    ],
)
def test_course(weeks: float, improving: bool, recurrent: bool, expected: str) -> None:
    r = run(weeks_since_onset=weeks, improving=improving, recurrent=recurrent)
    assert r["course"] == expected
    assert r["profile"] == ("A" if expected == "normal" else "B")


def test_profile_a_has_no_extra_therapy_and_three_sessions() -> None:
    r = run()
    assert r["profile"] == "A"
    assert r["therapy"] == {"recommended": ["exercise_therapy"], "consider": [], "discouraged": []}
    assert r["exercises"] == BASE_MENU
    assert r["closure"] == {"max_sessions": 3, "review_after_weeks": 6}  # six weeks: every profile
    assert r["actions"] == []


def test_profile_b_and_c() -> None:
    b = run(weeks_since_onset=8)
    assert b["profile"] == "B"
    assert b["therapy"]["recommended"] == ["exercise_therapy", "mobilisation_manipulation"]
    assert b["therapy"]["consider"] == CONSIDER_BASE
    assert b["therapy"]["discouraged"] == DISCOURAGED
    assert sorted(b["exercises"]) == sorted(BASE_MENU + EXTRA_MENU)
    assert b["closure"] == {"evaluate_with": ["NPRS", "PSK"], "review_after_weeks": 6}
    c = run(weeks_since_onset=8, psychosocial_dominant=True)
    assert c["profile"] == "C"
    assert c["therapy"]["recommended"] == [
        "exercise_therapy", "mobilisation_manipulation", "graded_exposure"]
    assert c["therapy"]["consider"] == CONSIDER_BASE
    assert c["exercises"] == b["exercises"]


def test_psychosocial_does_not_change_a_normal_course() -> None:
    assert run(psychosocial_dominant=True)["profile"] == "A"


@pytest.mark.parametrize("prof", ["B", "C", "D"])
@pytest.mark.parametrize("trauma", [True, False])
@pytest.mark.parametrize("work", [True, False])
def test_conditional_therapies(prof: str, trauma: bool, work: bool) -> None:
    r = run(weeks_since_onset=10, psychosocial_dominant=prof == "C",
            neurological_signs=prof == "D", trauma_related=trauma, work_related=work)
    assert r["profile"] == prof
    consider = r["therapy"]["consider"]
    assert ("kinesiotape" in consider) is trauma
    assert ("workplace_intervention" in consider) is work
    if prof == "D":
        assert {"nerve_mobilisation", "traction"} <= set(consider)
        assert ("semi_rigid_collar" in consider) is (not trauma)
    else:
        assert not {"nerve_mobilisation", "traction", "semi_rigid_collar"} & set(consider)


@pytest.mark.parametrize(
    ("absence", "expected"),
    [(0, []), (0.5, ["consider_occupational_physio"]), (1, ["consider_occupational_physio"])],
)
def test_actions_profile_a(absence: float, expected: list[str]) -> None:
    assert run(work_related=True, work_absence_weeks=absence)["actions"] == expected
    assert run(work_related=False, work_absence_weeks=absence)["actions"] == []


@pytest.mark.parametrize(
    ("absence", "expected"),
    [
        (0, ["advise_occupational_physician"]),
        # B: "Als bij behandelprofiel A, plus": A's consult with an occupational physiotherapist
        # holds for any absence
        (0.5, ["consider_occupational_physio", "advise_occupational_physician"]),
        (4, ["consider_occupational_physio", "advise_occupational_physician"]),  # not longer
        (4.1, ["consider_occupational_physio", "advise_occupational_physician",
               "coordinate_with_occupational_physician"]),
        (5, ["consider_occupational_physio", "advise_occupational_physician",
             "coordinate_with_occupational_physician"]),
    ],
)
@pytest.mark.parametrize("prof", ["B", "C", "D"])
def test_actions_profiles_b_to_d(absence: float, expected: list[str], prof: str) -> None:
    overrides = {"weeks_since_onset": 9, "psychosocial_dominant": prof == "C",
                 "neurological_signs": prof == "D", "referred_for_arm_signs": True}
    r = run(work_related=True, work_absence_weeks=absence, **overrides)
    assert r["profile"] == prof and r["actions"] == expected
    assert run(work_related=False, work_absence_weeks=None, **overrides)["actions"] == []


@pytest.mark.parametrize("absence", [0, 3])
def test_work_that_does_not_add_to_the_pain_keeps_the_seeds_conditions(absence: float) -> None:
    """Sick leave is asked of all who work; the work actions still need work-related pain."""
    r = run(has_work=True, work_related=False, work_absence_weeks=absence, weeks_since_onset=9)
    assert r["profile"] == "B" and r["actions"] == []
    said = [x for x in r["reasons"] if "verzuim" in x]
    assert said == ([] if not absence else [
        "Er is 3 weken verzuim of productieverlies. Het werk draagt niet bij aan de nekpijn: "
        "de werkadviezen van de richtlijn gelden daarom niet."])


def test_no_work_needs_no_work_questions() -> None:
    f = parse_findings(findings(has_work=False, work_related=None, work_absence_weeks=None))
    assert missing_keys(f) == [] and "work_related" not in needed_keys(f)
    assert "work_absence_weeks" in needed_keys(parse_findings(findings(has_work=True)))
    with pytest.raises(FindingsError, match="'work_absence_weeks' ontbreekt"):
        classify(parse_findings(findings(has_work=True, work_absence_weeks=None)), P)


def test_grade_iii_names_the_signs_and_their_side() -> None:
    r = run(neurological_signs=True, arm_signs=["weakness", "sensory"], arm_side="right")
    assert r["reasons"][0] == ("Graad III: spierzwakte in de arm en een gevoelsstoornis in de "
                               "arm, rechts.")
    both = run(neurological_signs=True, arm_signs=["weakness"], arm_side="both")
    assert (both["grade"], both["red_flags"], both["urgency"]) == ("IV", ["spinal_cord"], "acute")
    assert run(neurological_signs=True)["reasons"][0] == (
        "Graad III: er zijn neurologische tekenen in de arm.")  # a file without them


def test_reasons_explain_each_step() -> None:
    r = run(adl_impact="severe", weeks_since_onset=9, work_related=True, work_absence_weeks=5)
    assert r["reasons"][0] == ("Graad II: de nekpijn heeft een forse invloed op de dagelijkse "
                               "activiteiten.")
    assert "langer dan zes weken" in r["reasons"][1]
    assert r["reasons"][2].startswith("Behandelprofiel B")
    assert any("werkgerelateerd" in reason for reason in r["reasons"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (findings(improving=None), "'improving'"),
        (findings(weeks_since_onset=8, psychosocial_dominant=None), "'psychosocial_dominant'"),
        (findings(work_related=True, work_absence_weeks=None), "'work_absence_weeks'"),
        ({"red_flags": []}, "'precautions'"),
        ({}, "'red_flags'"),
        # a version-1 file: refused on the first version-2 key it lacks
        ({"red_flags": [], "neurological_signs": False, "adl_impact": "mild",
          "weeks_since_onset": 3, "improving": True, "recurrent": False, "work_related": False,
          "trauma_related": False, "psychosocial_dominant": False, "work_absence_weeks": 0},
         "sleutel 'precautions' ontbreekt"),
        (findings(trauma_related=True, c_spine_rule=None), "'c_spine_rule.high_risk'"),
        (findings(trauma_related=True, c_spine_rule={"high_risk": False}),
         "'c_spine_rule.low_risk'"),
        (findings(trauma_related=True, c_spine_rule={"high_risk": False, "low_risk": True}),
         "'c_spine_rule.rotation_45'"),
    ],
)
def test_missing_needed_key_is_named(data: dict[str, Any], message: str) -> None:
    with pytest.raises(FindingsError, match=message):
        classify(parse_findings(data), P)


def test_keys_not_needed_may_be_absent() -> None:
    data = findings(weeks_since_onset=10, improving=None, recurrent=None)
    assert run(**{k: data.get(k) for k in findings()})["profile"] == "B"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": "red"}, "onbekende sleutel 'colour'"),
        ({"red_flags": ["headache"]}, "onbekende waarde 'headache' in 'red_flags'"),
        ({"precautions": ["smoking"]}, "onbekende waarde 'smoking' in 'precautions'"),
        ({"red_flags_unknown": ["x"]}, "'red_flags_unknown'"),
        ({"c_spine_rule": {"age": True}}, "'c_spine_rule.age'"),
        ({"c_spine_rule": {"high_risk": "ja"}}, "'c_spine_rule.high_risk'"),
        ({"c_spine_rule": []}, "'c_spine_rule'"),
        ({"weeks_since_onset": 10**400}, "'weeks_since_onset'"),
        ({"weeks_since_onset": 3000}, "'weeks_since_onset'"),
        ({"red_flags": "fracture"}, "'red_flags'"),
        ({"neurological_signs": "yes"}, "'neurological_signs'"),
        ({"neurological_signs": 1}, "'neurological_signs'"),
        ({"adl_impact": "some"}, "'adl_impact'"),
        ({"weeks_since_onset": -1}, "'weeks_since_onset'"),
        ({"weeks_since_onset": "3"}, "'weeks_since_onset'"),
        ({"work_absence_weeks": True}, "'work_absence_weeks'"),
        ({"arm_signs": ["tingling"]}, "onbekende waarde 'tingling' in 'arm_signs'"),
        ({"arm_side": "links"}, "'arm_side'"),
        ({"has_work": "ja"}, "'has_work'"),
        ({"neurological_signs": False, "arm_signs": ["weakness"]}, "spreken elkaar tegen"),
        ({"neurological_signs": True, "arm_signs": []}, "spreken elkaar tegen"),
        ({"neurological_signs": False, "arm_side": "left"}, "'arm_side'"),
        ({"has_work": False, "work_related": True}, "'has_work' is false"),
        ([], "JSON-object"),
    ],
)
def test_invalid_findings_name_the_key(data: Any, message: str) -> None:
    with pytest.raises(FindingsError, match=message):
        parse_findings(data)


# --- red flags, the Canadian C-spine rule, precautions (DESIGN.md rules 1-3, 8) ---------------

ACUTE = {"fracture", "dislocation", "spinal_cord", "infection", "vascular", "temporal_arteritis"}


@pytest.mark.parametrize("flag", RED_FLAG_CATEGORIES)
def test_each_category_has_its_urgency(flag: str) -> None:
    r = run(red_flags=[flag])
    assert r["urgency"] == ("acute" if flag in ACUTE else "routine")
    assert r["red_flags"] == [flag]
    expected = "urgency_acute" if flag in ACUTE else "urgency_routine"
    assert r["reasons"][-1] == P.reason(expected)


def test_acute_wins_over_routine_and_every_category_is_kept() -> None:
    r = run(red_flags=["tumour", "vascular", "systemic"])
    assert r["urgency"] == "acute"
    assert r["red_flags"] == ["tumour", "systemic", "vascular"]  # the data's order
    assert run(red_flags=["tumour", "systemic"])["urgency"] == "routine"


@pytest.mark.parametrize(
    ("rule", "fracture", "step"),
    [
        ({"high_risk": True}, True, "c_spine_high_risk"),
        ({"high_risk": False, "low_risk": False}, True, "c_spine_no_low_risk"),
        ({"high_risk": False, "low_risk": True, "rotation_45": False}, True,
         "c_spine_no_rotation"),
        (CLEARED, False, None),
    ],
)
def test_canadian_c_spine_rule_step_by_step(rule: dict[str, bool], fracture: bool,
                                            step: str | None) -> None:
    r = run(trauma_related=True, c_spine_rule=rule)
    if fracture:
        assert (r["grade"], r["referral"], r["urgency"]) == ("IV", True, "acute")
        assert r["red_flags"] == ["fracture"]
        assert P.reason("fracture_c_spine", step=P.reason(str(step))) in r["reasons"]
    else:
        assert not r["referral"] and r["red_flags"] == [] and r["profile"] == "A"
        assert P.reason("trauma_cleared") in r["reasons"]


@pytest.mark.parametrize("rule", [{"high_risk": True}, CLEARED])
@pytest.mark.parametrize("precautions", [[], ["osteoporosis"]])
def test_a_fracture_ruled_out_by_imaging_ends_the_suspicion(rule: dict[str, bool],
                                                           precautions: list[str]) -> None:
    r = run(trauma_related=True, fracture_ruled_out=True, c_spine_rule=rule,
            precautions=precautions)
    assert not r["referral"] and P.reason("trauma_imaged") in r["reasons"]
    not_imaged = run(trauma_related=True, fracture_ruled_out=False, c_spine_rule=rule,
                     precautions=precautions)
    assert not_imaged["referral"] is (rule != CLEARED or bool(precautions))


def test_c_spine_rule_is_not_asked_about_without_trauma() -> None:
    r = run(trauma_related=False, c_spine_rule={"high_risk": True})
    assert not r["referral"]


@pytest.mark.parametrize("precaution", ["osteoporosis", "corticosteroids",
                                        "rheumatoid_arthritis", "anticoagulants"])
@pytest.mark.parametrize("trauma", [True, False])
def test_precaution_with_and_without_trauma(precaution: str, trauma: bool) -> None:
    r = run(precautions=[precaution], trauma_related=trauma, weeks_since_onset=9)
    bone = precaution != "anticoagulants"
    if trauma and bone:  # rule 1: the C-spine rule does not hold for weak bone or ligaments
        assert r["referral"] and r["red_flags"] == ["fracture"] and r["urgency"] == "acute"
        assert P.precaution(precaution).name in " ".join(r["reasons"])
        return
    assert (r["grade"], r["profile"], r["referral"]) == ("I", "B", False)
    assert r["therapy"]["recommended"] == ["exercise_therapy", "mobilisation"]
    assert r["cautions"] == ["no_manipulation"]
    assert P.reason("precaution", precautions=P.precaution(precaution).name) in r["reasons"]


def test_precaution_alone_is_never_grade_iv_and_a_needs_no_caution() -> None:
    r = run(precautions=["osteoporosis", "corticosteroids", "rheumatoid_arthritis",
                         "anticoagulants"])
    assert (r["grade"], r["profile"]) == ("I", "A")
    assert r["cautions"] == [] and r["therapy"]["recommended"] == ["exercise_therapy"]


def test_grade_iii_with_a_precaution_has_no_manipulation() -> None:
    r = run(neurological_signs=True, precautions=["anticoagulants"])
    assert r["profile"] == "D" and r["cautions"] == ["no_manipulation"]
    assert "mobilisation_manipulation" not in r["therapy"]["recommended"]


def test_unresolved_red_flags_make_the_plan_provisional() -> None:
    r = run(red_flags_unknown=["vascular", "infection"], weeks_since_onset=9)
    assert r["provisional"] is True and r["unresolved"] == ["infection", "vascular"]
    assert r["profile"] == "B" and not r["referral"]
    assert r["actions"][0] == "resolve_red_flags"
    assert r["reasons"][0].startswith("Voorlopig")
    plain = run(weeks_since_onset=9)
    assert plain["provisional"] is False and plain["unresolved"] == []
    assert "resolve_red_flags" not in plain["actions"]


def test_a_red_flag_outweighs_an_unknown_one() -> None:
    r = run(red_flags=["tumour"], red_flags_unknown=["vascular"])
    assert r["referral"] and r["provisional"] is False


# --- properties over all findings ---------------------------------------------------------------

@given(findings_strategy)
def test_red_flag_means_referral_and_nothing_else(f: Findings) -> None:
    r = classify(f, P).to_json()
    if red_flags(f) or r["urgency"] == "emergency":  # a deficit now with a flag not ruled out
        assert r["grade"] == "IV" and r["referral"] and r["profile"] is None
        assert not r["exercises"] and r["actions"][-1] == "refer_gp"
        assert r["actions"][:-1] == (["call_112"] if r["urgency"] == "emergency" else [])
    else:
        assert not r["referral"] and r["profile"] in {"A", "B", "C", "D"}
        assert "refer_gp" not in r["actions"]


@given(findings_strategy)
def test_profile_consistent_with_grade_and_course(f: Findings) -> None:
    r = classify(f, P).to_json()
    g, c, prof = grade(f), course(f), profile(f)
    expected_course = None if g == "IV" else c  # a referral says nothing about the course
    assert (r["grade"], r["course"], r["profile"]) == (g, expected_course, prof)
    if g == "III":
        assert prof == "D"
    if g in {"I", "II"}:
        assert (prof == "A") == (c == "normal")
        assert prof in {"A", "B", "C"}
    if prof == "C":
        assert c == "abnormal" and f.psychosocial_dominant


@given(findings_strategy)
def test_no_trauma_cleared_by_the_rule_is_grade_iv(f: Findings) -> None:
    cleared = replace(f, red_flags=(), trauma_related=True, precautions=(),
                      c_spine_rule=CSpineRule(False, True, True), acute_deficit_now=None)
    bilateral = bool(f.neurological_signs) and f.arm_side == "both"  # the spinal cord instead
    # the rule cannot clear a child's neck, and 65 or older is its first high-risk factor
    # (rule 11), after a recent trauma without imaging (rule 12)
    recent = f.trauma_weeks_ago is None or f.trauma_weeks_ago <= TRAUMA_WINDOW_SAID
    by_age = f.age_years is not None and not 16 <= f.age_years < 65
    by_age = by_age and recent and not f.fracture_ruled_out
    assert (classify(cleared, P).to_json()["grade"] == "IV") is (bilateral or by_age)


@given(findings_strategy)
def test_never_manipulation_with_a_precaution(f: Findings) -> None:
    r = classify(f, P).to_json()
    if f.precautions:
        assert "mobilisation_manipulation" not in r["therapy"]["recommended"]
        if r["profile"] in {"B", "C", "D"}:
            assert "no_manipulation" in r["cautions"]
            assert "mobilisation" in r["therapy"]["recommended"]


@given(findings_strategy)
def test_only_needed_keys_are_needed(f: Findings) -> None:
    """Removing a key the decision does not need changes nothing."""
    full = classify(f, P).to_json()
    assert missing_keys(f) == []
    reduced = needed_only(f)
    r = classify(reduced, P).to_json()
    assert (r["grade"], r["profile"], r["referral"]) == (
        full["grade"], full["profile"], full["referral"])
    assert r["therapy"] == full["therapy"] and r["actions"] == full["actions"]


def test_profile_d_advice_keeps_to_the_seeds_d_adaptations() -> None:
    """The seed limits 'meer pijn betekent geen schade' to 'dit type pijn' (A, B): not for
    radiating arm pain; D asks for 'vooraf een duidelijk tijdspad'."""
    d = P.profile("D")
    assert not any("geen schade" in line for line in d.advice)
    assert any("uitstralende pijn" in line for line in d.advice)
    assert any("tijdspad" in line and "zes weken" in line for line in d.closure)
