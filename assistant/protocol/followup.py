"""Follow-up rules: pure functions from the measurements since the intake to the guideline's
advice now (continue, conclude, stop and contact the GP, refer back, evaluate).

When each rule applies comes from the profile's closure plan in nekpijn.toml ("Afsluiting" of
profiles A–D); the texts come from followup.toml. Each function quotes its protocol line. No I/O,
no clock, no globals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from assistant.protocol.followup_data import CLOSING_ACTIONS, FollowupData
from assistant.protocol.model import ClosurePlan
from assistant.text import format_number, format_weeks

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


def _session_rule(plan: ClosurePlan, session: int, data: FollowupData) -> tuple[list[str],
                                                                                 list[str]]:
    """Profile A: 'Streef naar een maximum aantal van ongeveer drie behandelsessies.'"""
    assert plan.max_sessions is not None
    if session >= plan.max_sessions:
        return ["conclude_treatment"], [data.reason("sessions_reached",
                                                    max_sessions=plan.max_sessions)]
    return [], [data.reason("sessions_left", max_sessions=plan.max_sessions)]


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


def _referred_back_before(*, patient: str, profile: str, plan: ClosurePlan, intake_date: date,
                          day: date, measurements: Sequence[Measurement],
                          data: FollowupData) -> bool:
    """A referral back to the GP stands until a new intake: did the guideline's own rule advise
    it at an earlier evaluation of this treatment? (Each earlier day is judged without this
    check, so the work grows with the square of the evaluations, not exponentially.)"""
    return any("refer_back_gp" in evaluate(
        patient=patient, profile=profile, plan=plan, intake_date=intake_date, day=earlier,
        measurements=measurements, data=data, standing=False).actions
        for earlier in sorted({m.day for m in measurements if m.day < day}))


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
) -> Followup:
    """The advice on `day` for a patient in `profile`, from the measurements since the intake
    (those after `day` are ignored). `day` must not be before the intake. `standing`: a
    referral back advised at an earlier evaluation still stands (only the check itself looks
    at earlier days without it). `psk_activities`: the three activities named at the baseline,
    shown with the scores."""
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
    if clearly_worse:  # in every profile: re-check red flags and profile before treating on
        actions.append("reassess")
        reasons.append(data.reason("worse_reassess", min_drop=data.min_drop))
    if plan.max_sessions is not None and improved is not None and not clearly_worse:
        found, why = _session_rule(plan, session, data)
        actions += found
        reasons += why
    if plan.review_after_weeks is not None:
        due = review_due(intake_date, day, plan, baseline)
        found, why = _review_rule(plan, due, improved, worse, data)
        if standing and "refer_back_gp" not in found and _referred_back_before(
                patient=patient, profile=profile, plan=plan, intake_date=intake_date, day=day,
                measurements=taken, data=data):
            found, why = ["refer_back_gp"], [data.reason("referred_back_before")]
        if "stop_and_contact_gp" in found and "conclude_treatment" in actions:
            actions.remove("conclude_treatment")  # the stronger advice says it all
        actions += [a for a in found if a not in actions]
        reasons += why
    if not actions:
        actions.append("continue_treatment")
    if any(a in CLOSING_ACTIONS for a in actions):
        actions.append("closing_advice")
        reasons.append(data.reason("closing"))
    return Followup(
        patient=patient, profile=profile, intake_date=intake_date, day=day,
        days_since_intake=days, session=session, improved=improved, worse=worse,
        baseline=baseline, latest=latest, actions=tuple(actions),
        advice=tuple(data.action(a) for a in actions), reasons=tuple(reasons),
        psk_activities=tuple(psk_activities),
    )
