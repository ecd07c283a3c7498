"""The guideline's decision rules: pure functions from findings to a result (result.py), the
classification (red flags, urgency, grade, course, profile) and the reasons for it; the plan's
parts for one patient are in plan.py.

Each function traces to the source protocol (docs/source/kngf-nekpijn-oefenprotocol.txt);
the quoted line is in its docstring. No I/O, no clock, no globals.
"""

from __future__ import annotations

from assistant.protocol.findings import (
    DEFICIT_FLAGS,
    LONG_ABSENCE_WEEKS,
    NORMAL_COURSE_MAX_WEEKS,
    RED_FLAG_CATEGORIES,
    TRAUMA_WINDOW_WEEKS,
    Findings,
    bone_precautions,
    deficit_flag,
    fracture_before_the_rule,
    is_minor,
    recent_trauma,
    require_complete,
    trauma_means_fracture,
    trauma_to_judge,
)
from assistant.protocol.model import Condition, Profile, Protocol, Question, Urgency
from assistant.protocol.plan import advice, closure_json, manipulation_unresolved
from assistant.protocol.result import Course, Grade, ProfileId, Result
from assistant.protocol.wording import c_spine_step, names
from assistant.text import format_span, format_weeks


def fracture_suspected(f: Findings) -> bool:
    """DESIGN.md rule 1: after a recent trauma (rule 12), a fracture is not ruled out when the
    Canadian C-spine rule does not clear the neck (Stiell et al., NEJM 2003), or when the rule
    cannot: a precaution means bone or ligaments fail at low force, or the patient is under 16
    (rule 11; the rule was validated for neither), or 65 or older (its first high-risk factor).
    Trauma alone is not a red flag."""
    if not trauma_to_judge(f):
        return False
    return fracture_before_the_rule(f) or (f.c_spine_rule is not None
                                           and f.c_spine_rule.not_cleared())


def red_flags(f: Findings) -> tuple[str, ...]:
    """Every red-flag category found: the ones given, the derived fracture, and the spinal cord
    when the arm signs are on both sides, in the data's order."""
    found = set(f.red_flags or ())
    if fracture_suspected(f):
        found.add("fracture")
    if not found and bilateral_arm_signs(f):  # asked only when no other flag was found
        found.add("spinal_cord")
    return tuple(c for c in RED_FLAG_CATEGORIES if c in found)


def bilateral_arm_signs(f: Findings) -> bool:
    """Arm signs on both sides fit pressure on the spinal cord, not one nerve root (grade III):
    the red flag 'tintelingen of krachtverlies in beide armen' (addition: the safer reading
    when the screening said no to it)."""
    return bool(f.neurological_signs) and f.arm_side == "both"


def skipped(q: Question, f: Findings) -> bool:
    """A question the intake does not ask: its answer is known from another finding (the
    C-spine rule's age item from the age), or the age rules it out or asks a variant instead
    (the '50+' signs of a 16-year-old; cancer history asked on its own from 50 on)."""
    if q.answered_by is not None and f.get(q.answered_by) is not None:
        return True
    age = f.age_years
    if age is None:
        return q.needs_age
    return ((q.min_age is not None and age < q.min_age)
            or (q.max_age is not None and age > q.max_age))


def has_red_flag(f: Findings) -> bool:
    """'Graad IV: Nekpijn met tekenen of symptomen die kunnen wijzen op ernstige structurele
    pathologie.'"""
    return bool(red_flags(f))


def is_fracture_ruled_out(f: Findings) -> bool:
    """A doctor ruled out a fracture with imaging after the trauma: the C-spine rule, a rule
    for deciding on imaging, is not needed."""
    return bool(f.fracture_ruled_out)


def c_spine_rule_needed(f: Findings) -> bool:
    """After a recent trauma the Canadian C-spine rule decides, unless a doctor ruled a
    fracture out with imaging, or the age or a precaution already makes it a fracture
    suspicion."""
    return trauma_to_judge(f) and not fracture_before_the_rule(f)


def is_recent_trauma(f: Findings) -> bool:
    """DESIGN.md rule 12: the trauma is within the C-spine rule's window, or its date unknown."""
    return recent_trauma(f)


def deficit_to_ask(f: Findings) -> bool:
    """A vascular or spinal-cord flag, found or not ruled out, and whether a deficit is present
    now not asked yet (the intake asks it right after the flag; this is the fallback)."""
    return deficit_flag(f) and f.acute_deficit_now is None


def has_deficit_now(f: Findings) -> bool:
    """A deficit present now with a vascular or spinal-cord flag (rule 9): 112, ask no more."""
    return is_emergency(f, red_flags(f))


def is_trauma_related(f: Findings) -> bool:
    """The neck pain began with an accident, a fall or a blow ('traumagerelateerde nekpijn')."""
    return bool(f.trauma_related)


def has_neurological_signs(f: Findings) -> bool:
    """'Graad III: … waarbij wel neurologische symptomen aanwezig zijn'."""
    return bool(f.neurological_signs)


def onset_beyond_normal(f: Findings) -> bool:
    """'nekpijn die langer duurt dan zes weken wordt gezien als … afwijkend beloop' (decided on
    the unrounded duration)."""
    return f.weeks_since_onset is not None and f.weeks_since_onset > NORMAL_COURSE_MAX_WEEKS


def is_improving(f: Findings) -> bool:
    """'… de pijn afneemt en/of de activiteiten en/of participatie toenemen'."""
    return bool(f.improving)


def abnormal_course(f: Findings) -> bool:
    """The course is known to be abnormal ('afwijkend beloop'), so the psychosocial factors
    choose between profiles B and C."""
    return course(f) == "abnormal"


def psychosocial_in_history(f: Findings) -> bool:
    """The psychosocial factors are asked with the history: an abnormal course without arm
    complaints (with arm complaints the examination decides first whether they matter: grade
    III does not need them)."""
    return abnormal_course(f) and f.neurological_signs is False


def psychosocial_after_examination(f: Findings) -> bool:
    """After the examination found no arm signs in a patient with arm complaints: the
    psychosocial factors, when the course is abnormal and they are not asked yet."""
    return (abnormal_course(f) and f.neurological_signs is False
            and f.psychosocial_dominant is None and f.has_work is not None)


def work_to_ask(f: Findings) -> bool:
    """Whether the patient works is not asked yet (the psychosocial factors come before it in
    the history)."""
    return f.has_work is None


def midline_to_examine(f: Findings) -> bool:
    """The C-spine rule is still open after the history's low-risk factors: midline
    tenderness, examined, decides its second step (Stiell et al., JAMA 2001)."""
    rule = f.c_spine_rule
    return (c_spine_rule_needed(f) and rule is not None and rule.high_risk is False
            and rule.low_risk is None)


def rotation_to_examine(f: Findings) -> bool:
    """A low-risk factor lets the rule go on: active rotation of 45 degrees, examined."""
    rule = f.c_spine_rule
    return (c_spine_rule_needed(f) and rule is not None and rule.high_risk is False
            and rule.low_risk is True and rule.rotation_45 is None)


def arm_to_examine(f: Findings) -> bool:
    """Arm complaints (the gate said "ja": the signs are not known yet) and no red flag: the
    three arm signs are examined (grade III)."""
    return f.neurological_signs is None and f.adl_impact is not None and not has_red_flag(f)


def has_work(f: Findings) -> bool:
    """The patient works, paid or voluntary (then sick leave is asked)."""
    return bool(f.has_work)


def is_work_related(f: Findings) -> bool:
    """'Aanvullend bij werkgerelateerde nekpijn'."""
    return bool(f.work_related)


def grade(f: Findings) -> Grade:
    """Neck Pain Task Force grade I–IV, as the source defines them (IV also for a deficit now
    with a vascular or spinal-cord flag not ruled out: rule 9)."""
    if has_red_flag(f) or is_emergency(f, ()):
        return "IV"
    if has_neurological_signs(f):
        return "III"
    return "II" if f.adl_impact == "severe" else "I"


def course(f: Findings) -> Course | None:
    """'normaal beloop' within six weeks with decreasing pain and/or increasing activity, not
    recurrent; otherwise 'afwijkend beloop'. None when the findings do not tell."""
    if onset_beyond_normal(f) or f.improving is False or f.recurrent is True:
        return "abnormal" if f.weeks_since_onset is not None else None
    if f.weeks_since_onset is None or f.improving is None or f.recurrent is None:
        return None
    return "normal"


def profile(f: Findings) -> ProfileId | None:
    """Treatment profile A–D; None for grade IV (referral)."""
    g = grade(f)
    if g == "IV":
        return None
    if g == "III":
        return "D"
    if course(f) == "normal":
        return "A"
    return "C" if f.psychosocial_dominant else "B"


def condition_holds(condition: Condition, f: Findings) -> bool:
    """Whether a therapy's or action's condition (named in the data file) holds."""
    absence = f.work_absence_weeks or 0.0
    match condition:
        case Condition.ALWAYS:
            return True
        case Condition.TRAUMA_RELATED:
            return bool(f.trauma_related)
        case Condition.NOT_TRAUMA_RELATED:
            return f.trauma_related is False
        case Condition.WORK_RELATED:
            return is_work_related(f)
        case Condition.WORK_ABSENCE:
            return is_work_related(f) and absence > 0
        case Condition.WORK_ABSENCE_OVER_4_WEEKS:
            return is_work_related(f) and absence > LONG_ABSENCE_WEEKS
        case Condition.NOT_REFERRED_FOR_ARM_SIGNS:
            return f.referred_for_arm_signs is False


def is_emergency(f: Findings, flags: tuple[str, ...]) -> bool:
    """DESIGN.md rule 9: a vascular or spinal-cord flag with a deficit present now (double
    vision, slurred speech, swallowing, ataxia, new weakness): 112 now, not 'today'."""
    return bool(f.acute_deficit_now) and bool(DEFICIT_FLAGS.intersection(
        (*flags, *f.red_flags_unknown)))  # a flag not ruled out too: the safer reading


def urgency(flags: tuple[str, ...], unresolved: tuple[str, ...], p: Protocol,
            emergency: bool = False) -> Urgency | None:
    """DESIGN.md rules 2 and 9: emergency (112 now) with a deficit present now; acute (a doctor
    today) when any category found is acute in the data (fracture, dislocation, spinal cord,
    infection, vascular, temporal arteritis), else routine; None without a flag. The safer
    reading: an acute category not ruled out makes a referral acute too."""
    if emergency:  # also with the flag only not ruled out (rule 9, the safer reading)
        return "emergency"
    if not flags:
        return None
    acute = any(p.red_flag(c).urgency == "acute" for c in (*flags, *unresolved))
    return "acute" if acute else "routine"


def _referral_reasons(f: Findings, p: Protocol, flags: tuple[str, ...],
                      unresolved: tuple[str, ...], level: Urgency) -> list[str]:
    reasons = [p.reason("grade_iv", signs=names(flags or unresolved, p.red_flag_name))]
    if level == "emergency":
        reasons.insert(0, p.reason("emergency"))
    if fracture_suspected(f):
        if trauma_means_fracture(f):
            reasons.append(p.reason("fracture_precaution", precautions=names(
                bone_precautions(f), p.precaution_name)))
        else:
            reasons.append(p.reason("fracture_c_spine", step=c_spine_step(f, p)))
    if flags == ("spinal_cord",) and not f.red_flags and bilateral_arm_signs(f):
        reasons.append(p.reason("bilateral_arm_signs"))
    if unresolved and flags:  # without a flag found, grade_iv already names them
        reasons.append(p.reason("unresolved_referral", signs=names(unresolved, p.red_flag_name)))
    reasons.append(p.reason(f"urgency_{level}"))
    return reasons


def _grade_reasons(f: Findings, p: Protocol, g: Grade) -> list[str]:
    if g == "III":  # KNGF recommendation 3: how probable, by the radicular test
        found = p.reason("grade_iii")
        if f.arm_signs:  # which signs, and where: the baseline for the follow-up
            found = p.reason("grade_iii_signs", signs=names(f.arm_signs, p.arm_sign_name),
                             side=p.reason(f"arm_side_{f.arm_side or 'unknown'}"))
        return [found, p.reason(f"grade_iii_{f.radicular_test or 'not_done'}")]
    if g == "II":
        return [p.reason("grade_ii")]
    return [p.reason("grade_i_none" if f.adl_impact == "none" else "grade_i_mild")]


def _course_reasons(f: Findings, p: Protocol, c: Course) -> list[str]:
    weeks = format_weeks(f.weeks_since_onset or 0.0)
    if c == "normal":
        return [p.reason("course_normal", weeks=weeks)]
    if onset_beyond_normal(f):
        return [p.reason("course_long", weeks=weeks)]
    if f.improving is False:
        return [p.reason("course_not_improving")]
    return [p.reason("course_recurrent")]


def _plan_reasons(f: Findings, p: Protocol, prof: Profile) -> list[str]:
    reasons = []
    if f.trauma_related and not recent_trauma(f):
        assert f.trauma_weeks_ago is not None
        reasons.append(p.reason("trauma_old", weeks=format_span(f.trauma_weeks_ago),
                                window=format_weeks(TRAUMA_WINDOW_WEEKS)))
    elif f.trauma_related:
        reasons.append(p.reason("trauma_imaged" if f.fracture_ruled_out else "trauma_cleared"))
    elif prof.id != "A" and f.trauma_related is not None:
        reasons.append(p.reason("not_trauma"))
    if f.precautions and prof.id != "A":
        reasons.append(p.reason("precaution", precautions=names(
            f.precautions, p.precaution_name)))
    unknown = (*(names(f.red_flags_unknown, p.red_flag_name),) * bool(f.red_flags_unknown),
               *(names(f.precautions_unknown, p.precaution_name),) * bool(f.precautions_unknown))
    if unknown:  # rules 10 and 13: what is not ruled out counts as present for manipulation
        reasons.append(p.reason("unknown_no_manipulation", signs=" en ".join(unknown)))
    absence = f.work_absence_weeks or 0.0
    if is_work_related(f):
        reasons.append(p.reason("work"))
        if absence > 0:
            reasons.append(p.reason("absence", weeks=format_weeks(absence)))
    elif absence > 0:  # sick leave is asked of all who work; the work advice needs both
        reasons.append(p.reason("absence_not_work", weeks=format_weeks(absence)))
    return reasons


def classify(f: Findings, p: Protocol) -> Result:
    """The result for complete findings (raises FindingsError naming a missing key)."""
    flags = red_flags(f)
    if not is_emergency(f, flags):  # 112 now: nothing else is needed (rule 9)
        require_complete(f)
    unresolved = tuple(c for c in f.red_flags_unknown if c not in flags)
    level = urgency(flags, unresolved, p, emergency=is_emergency(f, flags))
    minor = ("minor",) if is_minor(f) else ()  # rule 11: said first
    minor_reason = [p.reason("minor", age=str(f.age_years))] if minor else []
    if level is not None:
        referral = _referral_reasons(f, p, flags, unresolved, level)
        at = int(level == "emergency")  # the emergency first, then the age
        return Result(grade="IV", course=None, profile=None, referral=True,
                      reasons=tuple(referral[:at] + minor_reason + referral[at:]),
                      urgency=level, red_flags=flags, unresolved=unresolved,
                      cautions=minor, actions=(("call_112", "refer_gp") if level == "emergency"
                                               else ("refer_gp",)))
    g = grade(f)
    prof_id = profile(f)
    assert prof_id is not None
    reasons = list(minor_reason)
    if unresolved:
        reasons.append(p.reason("unresolved", signs=names(unresolved, p.red_flag_name)))
    reasons += _grade_reasons(f, p, g)
    prof = p.profile(prof_id)
    c = course(f)
    assert c is not None  # require_complete: the course of every patient is known
    reasons += _course_reasons(f, p, c)
    reasons.append(p.reason(f"profile_{prof_id.lower()}"))
    reasons += _plan_reasons(f, p, prof)
    no_manipulation = (bool(f.precautions) and prof_id != "A") or manipulation_unresolved(f)
    cautions = (*minor, *(("no_manipulation",) if no_manipulation else ()))

    def allowed(ids: tuple[str, ...]) -> tuple[str, ...]:
        kept = tuple(t for t in ids if condition_holds(p.therapy(t).when, f))
        if no_manipulation:  # DESIGN.md rules 8 and 10: mobilisation instead of manipulation
            kept = tuple("mobilisation" if t == "mobilisation_manipulation" else t
                         for t in kept)
        return kept

    actions = tuple(a.id for a in prof.actions if condition_holds(a.when, f))
    return Result(
        grade=g, course=c, profile=prof_id, referral=False, reasons=tuple(reasons),
        unresolved=unresolved, cautions=cautions, recommended=allowed(prof.recommended),
        consider=allowed(prof.consider), discouraged=allowed(prof.discouraged),
        actions=("resolve_red_flags", *actions) if unresolved else actions,
        exercises=prof.exercises, exercises_if_insufficient=prof.exercises_if_insufficient,
        closure=closure_json(prof), exercise_warning=prof.exercise_warning,
        advice=advice(f, prof, p),
    )
