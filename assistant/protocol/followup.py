"""Follow-up rules: pure functions from the measurements since the intake to the guideline's
advice now (continue, conclude, stop and contact the GP, refer back, reassess, evaluate; and,
while the intake's plan is provisional, first what is still to rule out).

When each rule applies comes from the profile's closure plan in nekpijn.toml ("Afsluiting" of
profiles A–D); the texts come from followup.toml. Each function quotes its protocol line. No I/O,
no clock, no globals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from assistant.protocol.followup_data import CLOSING_ACTIONS, FollowupData
from assistant.protocol.model import ClosurePlan
from assistant.text import dutch_list, format_number, format_weeks

DAYS_PER_WEEK: Final = 7
PSK_ACTIVITY_MAX: Final = 60  # characters of one PSK activity's name: a name, not a story


def activity_name(text: str) -> str | None:
    """One PSK activity as the patient named it, whitespace collapsed ('auto  rijden' → 'auto
    rijden'); None unless 1–PSK_ACTIVITY_MAX printable characters with at least one letter."""
    name = " ".join(text.split())
    if 0 < len(name) <= PSK_ACTIVITY_MAX and name.isprintable() \
            and any(c.isalpha() for c in name):
        return name
    return None


@dataclass(frozen=True)
class Measurement:
    """One evaluation: NPRS and the three PSK scores (0–10; PSK 10 = impossible)."""

    day: date
    nprs: int
    psk: tuple[int, int, int]
    neuro_worse: bool = False  # neurological symptoms worse (profile D asks)

    @property
    def psk_mean(self) -> float:
        return sum(self.psk) / 3

    def to_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "nprs": self.nprs, "psk": list(self.psk),
                "psk_mean": round(self.psk_mean, 2), "neuro_worse": self.neuro_worse}


@dataclass(frozen=True)
class Followup:
    """What the guideline advises at this evaluation, and why."""

    patient: str
    profile: str
    intake_date: date
    day: date
    days_since_intake: int
    session: int
    improved: bool | None  # None: no earlier measurement to compare with
    worse: bool
    baseline: Measurement | None
    latest: Measurement | None
    actions: tuple[str, ...]
    advice: tuple[str, ...]  # Dutch, one per action
    reasons: tuple[str, ...]  # Dutch, each step with its numbers
    psk_activities: tuple[str, ...] = ()  # the three PSK activities named at the baseline
    provisional: bool = False  # the intake's plan holds only once `unresolved` is ruled out
    unresolved: tuple[str, ...] = ()  # red-flag categories the intake could not rule out
    refer_soon: bool = False  # the referral back is 'op korte termijn' (D: the arm worse)
    referred_on: date | None = None  # the evaluation that first advised the referral back

    @property
    def weeks_since_intake(self) -> float:
        return round(self.days_since_intake / DAYS_PER_WEEK, 1)

    @property
    def closing(self) -> bool:
        return any(a in CLOSING_ACTIONS for a in self.actions)

    def to_json(self) -> dict[str, Any]:
        return {
            "patient": self.patient,
            "profile": self.profile,
            "intake_date": self.intake_date.isoformat(),
            "date": self.day.isoformat(),
            "days_since_intake": self.days_since_intake,
            "weeks_since_intake": self.weeks_since_intake,
            "session": self.session,
            "improved": self.improved,
            "worse": self.worse,
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "latest": None if self.latest is None else self.latest.to_json(),
            "actions": list(self.actions),
            "advice": list(self.advice),
            "reasons": list(self.reasons),
            "psk_activities": list(self.psk_activities),
            "provisional": self.provisional,
            "unresolved": list(self.unresolved),
        }


# --- definitions ------------------------------------------------------------------------------


def up_to(measurements: Sequence[Measurement], day: date) -> list[Measurement]:
    """The measurements taken on or before `day`, in date order (stable for equal dates)."""
    return sorted((m for m in measurements if m.day <= day), key=lambda m: m.day)


def session_number(intake_date: date, measurements: Sequence[Measurement]) -> int:
    """'Streef naar een maximum aantal van ongeveer drie behandelsessies': the intake is session
    1; every later day with an evaluation is one more session."""
    return 1 + len({m.day for m in measurements if m.day > intake_date})


def review_due(intake_date: date, day: date, plan: ClosurePlan,
               baseline: Measurement | None = None) -> bool:
    """'indien er geen verbetering is opgetreden na zes weken': decided on exact days (six
    weeks = 42 days, so the evaluation at six weeks is the review), never on rounded weeks.
    The weeks run from the intake, and from the baseline measurement when that was taken
    later (addition: without six weeks since the baseline, 'geen verbetering na zes weken'
    cannot be judged)."""
    weeks = plan.review_after_weeks
    if weeks is None:
        return False
    start = max(intake_date, baseline.day) if baseline is not None else intake_date
    return (day - start).days >= weeks * DAYS_PER_WEEK


def baseline_of(intake_date: date, measurements: Sequence[Measurement]) -> Measurement | None:
    """The measurement to compare with: the one on the intake date, else the earliest ('de
    behandelresultaten, bij voorkeur met de N(P)RS en de PSK')."""
    ordered = sorted(measurements, key=lambda m: m.day)
    on_intake = [m for m in ordered if m.day == intake_date]
    return on_intake[0] if on_intake else (ordered[0] if ordered else None)


def is_improved(baseline: Measurement, latest: Measurement, min_drop: int) -> bool:
    """'geen verbetering … na zes weken': improvement is NPRS at least `min_drop` points below
    the baseline, or the PSK mean at least `min_drop` below the baseline mean (compared on the
    sums, so 5 points over three activities (1.67) is not 2)."""
    nprs_drop = baseline.nprs - latest.nprs
    psk_sum_drop = sum(baseline.psk) - sum(latest.psk)
    return nprs_drop >= min_drop or psk_sum_drop >= 3 * min_drop


def is_clearly_worse(baseline: Measurement, latest: Measurement, margin: int) -> bool:
    """The same margin as improvement, the other way (symmetric): NPRS at least `margin`
    points above the baseline, or the PSK mean at least `margin` above it (on the sums)."""
    nprs_rise = latest.nprs - baseline.nprs
    psk_sum_rise = sum(latest.psk) - sum(baseline.psk)
    return nprs_rise >= margin or psk_sum_rise >= 3 * margin


def is_worse(baseline: Measurement | None, latest: Measurement, margin: int) -> bool:
    """'verslechtering (toename van de pijn, meer sensorische symptomen of een toenemend verlies
    van motorische controle)': pain or PSK clearly worse than at the baseline (the margin of
    improvement, so a one-point wobble is not a worsening), or the neurological symptoms
    worse (these need no baseline measurement: the intake recorded the arm signs)."""
    pain_up = (baseline is not None and latest is not baseline
               and is_clearly_worse(baseline, latest, margin))
    return pain_up or latest.neuro_worse


# --- the advice -------------------------------------------------------------------------------


def _mean(value: float) -> str:
    return format_number(round(value, 1))


def _measurement_reasons(data: FollowupData, baseline: Measurement | None,
                         latest: Measurement | None) -> list[str]:
    reasons = []
    if baseline is not None:
        reasons.append(data.reason("baseline", date=baseline.day.isoformat(),
                                   nprs=baseline.nprs, psk_mean=_mean(baseline.psk_mean)))
    if latest is not None and latest is not baseline:
        reasons.append(data.reason("latest", date=latest.day.isoformat(), nprs=latest.nprs,
                                   psk_mean=_mean(latest.psk_mean)))
    return reasons


def _improvement_reason(data: FollowupData, baseline: Measurement, latest: Measurement) -> str:
    nprs = baseline.nprs - latest.nprs >= data.min_drop
    psk = sum(baseline.psk) - sum(latest.psk) >= 3 * data.min_drop
    if not (nprs or psk):
        return data.reason("not_improved", min_drop=data.min_drop)
    what = data.word("pain_and_psk" if nprs and psk else "pain" if nprs else "psk")
    return data.reason("improved", what=what, min_drop=data.min_drop)


def _session_rule(plan: ClosurePlan, session: int, improved: bool,
                  data: FollowupData) -> tuple[list[str], list[str]]:
    """Profile A: 'Streef naar een maximum aantal van ongeveer drie behandelsessies.' That is
    for a normal course ('Binnen 6 weken neemt de pijn af en nemen de activiteiten toe'): at or
    after that session without improvement the course is no longer normal, so `reassess`
    (profile B or C may apply), never `conclude_treatment`. Called only with a comparison: with
    none (`improved` None) the caller gives no session advice at all, the safer reading, since
    'rond af' needs an improvement shown (and at session 3 or later there are always two
    measurement days to compare)."""
    assert plan.max_sessions is not None
    if session < plan.max_sessions:
        return [], [data.reason("sessions_left", max_sessions=plan.max_sessions)]
    if improved:
        return ["conclude_treatment"], [data.reason("sessions_reached",
                                                    max_sessions=plan.max_sessions)]
    return ["reassess"], [data.reason("sessions_reached_not_improved",
                                      max_sessions=plan.max_sessions)]


def _review_rule(plan: ClosurePlan, due: bool, improved: bool | None, worse: bool,
                 data: FollowupData) -> tuple[list[str], list[str]]:
    """Every profile: 'Beëindig de behandeling … indien er geen verbetering is opgetreden na zes
    weken'; then contact the GP or occupational physician, and D refers back to the GP, also
    at any worsening ('of zelfs tot verslechtering … verwijs de patiënt terug'). With no
    earlier measurement there is nothing to judge: no stop advice."""
    weeks = plan.review_after_weeks
    stop = "refer_back_gp" if plan.refer_gp_if_worse else "stop_and_contact_gp"
    if plan.refer_gp_if_worse and worse:
        return [stop], [data.reason("worse_refer")]
    if improved is None:
        return [], []
    if not due:
        return [], [data.reason("before_review", review_weeks=weeks)]
    if improved:
        return [], [data.reason("review_improved")]
    return [stop], [data.reason("review_not_improved", review_weeks=weeks)]


def _referrals_before(*, patient: str, profile: str, plan: ClosurePlan, intake_date: date,
                      day: date, taken: Sequence[Measurement],
                      data: FollowupData) -> list[Followup]:
    """A referral back to the GP stands until a new intake: the earlier evaluations of this
    treatment at which the guideline's own rule advised it. Each measurement was an evaluation,
    a second one on the same day too: each is judged on the measurements up to and including
    itself (`taken` in date order, same-day ones in the order taken), all but the one being
    evaluated now. (Each is judged without this check, so the work grows with the square of
    the evaluations, not exponentially.)"""
    found = []
    for i, point in enumerate(taken):
        if i == len(taken) - 1 and point.day == day:
            break  # this is the evaluation of now
        earlier = evaluate(patient=patient, profile=profile, plan=plan, intake_date=intake_date,
                           day=point.day, measurements=taken[:i + 1], data=data,
                           standing=False)
        if "refer_back_gp" in earlier.actions:
            found.append(earlier)
    return found


def _arm_worse(plan: ClosurePlan, intake_date: date, latest: Measurement | None) -> bool:
    """Profile D, the neurological symptoms worse since the intake ('meer sensorische symptomen
    of een toenemend verlies van motorische controle'): refer back 'op korte termijn'."""
    return (plan.refer_gp_if_worse and latest is not None and latest.day > intake_date
            and latest.neuro_worse)


def evaluate(
    *,
    patient: str,
    profile: str,
    plan: ClosurePlan,
    intake_date: date,
    day: date,
    measurements: Sequence[Measurement],
    data: FollowupData,
    standing: bool = True,
    psk_activities: Sequence[str] = (),
    provisional: bool = False,
    unresolved: Sequence[str] = (),
    flag_name: Callable[[str], str] = str,
) -> Followup:
    """The advice on `day` for a patient in `profile`, from the measurements since the intake
    (those after `day` are ignored; same-day ones in the order taken). `day` must not be before
    the intake. `standing`: a referral back advised at an earlier evaluation still stands, the
    same day's included (only the check itself looks at earlier evaluations without it).
    `psk_activities`: the three activities named at the baseline, shown with the scores.
    `provisional`, `unresolved`: the intake's plan was provisional, these red-flag categories
    not ruled out (any `unresolved` makes it provisional); the advice says first what is still
    to rule out, each by `flag_name` (the protocol's Dutch name)."""
    if day < intake_date:
        raise ValueError(f"{day} is before the intake on {intake_date}")
    taken = up_to(measurements, day)
    session = session_number(intake_date, taken)
    days = (day - intake_date).days
    baseline = baseline_of(intake_date, taken)
    latest = taken[-1] if taken else None
    improved: bool | None = None
    if baseline is not None and latest is not None and latest is not baseline:
        improved = is_improved(baseline, latest, data.min_drop)
    worse = (latest is not None and latest.day > intake_date  # the intake day is the start
             and is_worse(baseline, latest, data.min_drop))

    reasons = [data.reason("timing", intake_date=intake_date.isoformat(),
                           weeks=format_weeks(round(days / DAYS_PER_WEEK, 1))),
               data.reason("session", session=session)]
    reasons += _measurement_reasons(data, baseline, latest)
    actions: list[str] = []
    if improved is not None:
        assert baseline is not None and latest is not None
        reasons.append(_improvement_reason(data, baseline, latest))
        if 0 < latest.nprs - baseline.nprs < data.min_drop:
            reasons.append(data.reason("worse_pain", before=baseline.nprs, after=latest.nprs,
                                       min_drop=data.min_drop))
    elif baseline is not None:  # this measurement is the first: the baseline from now on
        actions.append("evaluate_now")
        reasons.append(data.reason("no_earlier" if baseline.day == intake_date
                                   else "late_baseline"))
    if latest is not None and latest.neuro_worse:
        reasons.append(data.reason("worse_neuro"))

    clearly_worse = (improved is not None and baseline is not None and latest is not None
                     and is_clearly_worse(baseline, latest, data.min_drop))
    variants: dict[str, str] = {}  # action → the variant of its text said now
    if clearly_worse:  # in every profile: re-check red flags and profile before treating on
        actions.append("reassess")
        reasons.append(data.reason("worse_reassess", min_drop=data.min_drop))
    if plan.max_sessions is not None and improved is not None and not clearly_worse:
        found, why = _session_rule(plan, session, improved, data)
        if "reassess" in found:
            variants["reassess"] = "reassess_not_improved"
        actions += found
        reasons += why
    arm_now = _arm_worse(plan, intake_date, latest)
    soon = arm_now
    before: list[Followup] = []
    if plan.review_after_weeks is not None:
        due = review_due(intake_date, day, plan, baseline)
        found, why = _review_rule(plan, due, improved, worse, data)
        before = _referrals_before(patient=patient, profile=profile, plan=plan,
                                   intake_date=intake_date, day=day, taken=taken,
                                   data=data) if standing else []
        if before and "refer_back_gp" not in found:
            found, why = ["refer_back_gp"], [data.reason("referred_back_before")]
        # a referral back 'op korte termijn' stands as it was given
        soon = soon or any(f.refer_soon for f in before)
        if "stop_and_contact_gp" in found:  # the stronger advice says it all
            if "conclude_treatment" in actions:
                actions.remove("conclude_treatment")
            if variants.get("reassess") == "reassess_not_improved":  # no other profile now:
                actions.remove("reassess")  # after six weeks B and C stop as well
                del variants["reassess"]
        actions += [a for a in found if a not in actions]
        reasons += why
    if soon and "refer_back_gp" in actions:
        variants["refer_back_gp"] = "refer_back_gp_soon"
        if arm_now:  # the referral first, then what to re-check
            variants["reassess"] = "reassess_arm_worse"
            actions = ["refer_back_gp", "reassess",
                       *(a for a in actions if a not in ("refer_back_gp", "reassess"))]
    if not actions:
        actions.append("continue_treatment")
    if any(a in CLOSING_ACTIONS for a in actions):
        if variants.get("refer_back_gp") == "refer_back_gp_soon":  # D: 'vermijd … die
            reasons.append(data.reason("arm_no_closing"))  # klachten aan de arm provoceren'
        else:
            actions.append("closing_advice")
            reasons.append(data.reason("closing"))
    provisional = provisional or bool(unresolved)
    values: dict[str, dict[str, str]] = {}
    if provisional:  # the advice says first what is still to rule out
        signs = dutch_list([flag_name(c) for c in unresolved]) or data.word("unresolved_unnamed")
        actions.insert(0, "resolve_red_flags")
        values["resolve_red_flags"] = {"signs": signs}
        reasons.insert(0, data.reason("provisional", signs=signs))
    return Followup(
        patient=patient, profile=profile, intake_date=intake_date, day=day,
        days_since_intake=days, session=session, improved=improved, worse=worse,
        baseline=baseline, latest=latest, actions=tuple(actions),
        advice=tuple(data.action(a, variants.get(a), **values.get(a, {})) for a in actions),
        reasons=tuple(reasons), psk_activities=tuple(psk_activities),
        provisional=provisional, unresolved=tuple(unresolved),
        refer_soon=variants.get("refer_back_gp") == "refer_back_gp_soon",
        referred_on=before[0].day if before else day if "refer_back_gp" in actions else None,
    )
