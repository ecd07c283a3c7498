"""The follow-up rules: every boundary of the 'Afsluiting' rules, the data file, properties."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Sequence
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.protocol import ProtocolError, load_protocol
from assistant.protocol.followup import (
    Followup,
    Measurement,
    baseline_of,
    evaluate,
    is_improved,
    review_due,
    session_number,
)
from assistant.protocol.followup_data import (
    ACTIONS,
    CLOSING_ACTIONS,
    VARIANTS,
    load_followup,
    parse_followup,
)

P = load_protocol()
DATA = load_followup()
INTAKE = date(2024, 1, 1)
# the protocol this product implements, kept in the repository beside the design reference
SOURCE = Path(__file__).resolve().parents[1] / "docs" / "source" / "kngf-nekpijn-oefenprotocol.txt"

def m(days: int, nprs: int, psk: tuple[int, int, int] = (5, 5, 5),
      neuro: bool = False) -> Measurement:
    return Measurement(INTAKE + timedelta(days=days), nprs, psk, neuro)


def follow(profile: str, points: Sequence[Measurement], today: int | None = None,
           **intake: Any) -> Followup:
    day = INTAKE + timedelta(days=today) if today is not None else max(p.day for p in points)
    return evaluate(patient="p1", profile=profile, plan=P.profile(profile).closure_plan,
                    intake_date=INTAKE, day=day, measurements=points, data=DATA, **intake)


# --- definitions ------------------------------------------------------------------------------


def test_session_counts_the_intake_and_each_later_day() -> None:
    assert session_number(INTAKE, []) == 1
    assert session_number(INTAKE, [m(0, 5)]) == 1  # the baseline at the intake
    assert session_number(INTAKE, [m(0, 5), m(7, 5), m(7, 4), m(14, 4)]) == 3


@pytest.mark.parametrize(("days", "due"), [(41, False), (42, True), (43, True), (0, False)])
def test_six_weeks_is_42_days(days: int, due: bool) -> None:
    for profile in "ABCD":  # "Afronding van de behandeling" holds for every profile, A too
        plan = P.profile(profile).closure_plan
        assert review_due(INTAKE, INTAKE + timedelta(days=days), plan) is due


def test_six_weeks_run_from_a_baseline_taken_after_the_intake() -> None:
    plan = P.profile("B").closure_plan
    late = m(14, 6)
    assert review_due(INTAKE, INTAKE + timedelta(days=55), plan, late) is False
    assert review_due(INTAKE, INTAKE + timedelta(days=56), plan, late) is True
    assert review_due(INTAKE, INTAKE + timedelta(days=42), plan, m(0, 6)) is True


def test_baseline_is_the_intake_day_else_the_earliest() -> None:
    assert baseline_of(INTAKE, [m(14, 3), m(0, 7)]) == m(0, 7)
    assert baseline_of(INTAKE, [m(21, 3), m(14, 6)]) == m(14, 6)
    assert baseline_of(INTAKE, []) is None


@pytest.mark.parametrize(
    ("before", "after", "improved"),
    [
        ((6, (5, 5, 5)), (5, (5, 5, 5)), False),  # NPRS 1 point
        ((6, (5, 5, 5)), (4, (5, 5, 5)), True),  # NPRS 2 points
        ((6, (6, 6, 6)), (6, (5, 4, 4)), False),  # PSK mean 1.67
        ((6, (6, 6, 6)), (6, (4, 4, 4)), True),  # PSK mean 2.0
        ((6, (6, 6, 6)), (6, (6, 6, 0)), True),  # PSK mean 2.0 from one activity
        ((6, (6, 6, 6)), (7, (6, 6, 6)), False),
    ],
)
def test_improvement_is_two_points_on_nprs_or_psk_mean(
    before: tuple[int, tuple[int, int, int]], after: tuple[int, tuple[int, int, int]],
    improved: bool,
) -> None:
    assert is_improved(m(0, *before), m(14, *after), DATA.min_drop) is improved


# --- profile A: about three sessions ---------------------------------------------------------


def test_a_session_2_continues_session_3_concludes() -> None:
    two = follow("A", [m(0, 6), m(7, 5)])
    assert (two.session, two.actions) == (2, ("continue_treatment",))
    three = follow("A", [m(0, 6), m(7, 5), m(14, 4)])  # improved: pain 2 points lower
    assert three.session == 3 and three.improved is True
    assert three.actions == ("conclude_treatment", "closing_advice")
    assert any("3 sessies" in r and "bereikt" in r for r in three.reasons)


def test_a_clearly_worse_is_reassessed_not_concluded_and_never_referred() -> None:
    f = follow("A", [m(0, 3), m(7, 5), m(14, 8, neuro=True)])  # session 3, pain 3 → 8
    assert f.worse is True
    assert f.actions == ("reassess",)  # not 'Rond de behandeling af', not 'Ga door'
    assert any("opnieuw nagaan" in r for r in f.reasons)


@pytest.mark.parametrize(("after", "actions"), [
    (6, ("continue_treatment",)),  # a rise of 1: below the margin
    (7, ("reassess",)),  # a rise of exactly the margin (2): the same margin as improvement
])
@pytest.mark.parametrize("profile", ["A", "B", "C"])
def test_a_rise_by_the_improvement_margin_means_reassess(after: int, actions: tuple[str, ...],
                                                         profile: str) -> None:
    f = follow(profile, [m(0, 5), m(7, after)])
    assert f.actions == actions


def test_a_psk_rise_by_the_margin_means_reassess() -> None:
    f = follow("B", [m(0, 5, psk=(4, 4, 4)), m(7, 5, psk=(6, 6, 6))])
    assert f.actions == ("reassess",)


# --- profiles B and C: six weeks --------------------------------------------------------------


@pytest.mark.parametrize("profile", ["B", "C"])
def test_b_c_not_improved_at_41_days_continues_at_42_stops(profile: str) -> None:
    early = follow(profile, [m(0, 6), m(41, 5)])
    assert early.actions == ("continue_treatment",)
    assert any("Nog geen 6 weken" in r for r in early.reasons)
    due = follow(profile, [m(0, 6), m(42, 5)])
    assert due.improved is False
    assert due.actions == ("stop_and_contact_gp", "closing_advice")
    assert any("huisarts of de bedrijfsarts" in a for a in due.advice)
    assert any("actief" in a and "terugkomen" in a for a in due.advice)


@pytest.mark.parametrize(("nprs", "psk", "improved"),
                         [(5, (5, 5, 5), False), (4, (5, 5, 5), True),
                          (6, (5, 4, 4), False), (6, (4, 4, 4), True)])
def test_b_at_six_weeks_on_each_side_of_two_points(
    nprs: int, psk: tuple[int, int, int], improved: bool,
) -> None:
    f = follow("B", [m(0, 6, (6, 6, 6)), m(42, nprs, psk)])
    assert f.improved is improved
    if improved:
        assert f.actions == ("continue_treatment",)
        assert any("doelen" in r for r in f.reasons)
    else:
        assert f.actions == ("stop_and_contact_gp", "closing_advice")


def test_b_worse_before_six_weeks_is_reassessed() -> None:
    f = follow("B", [m(0, 4), m(14, 6)])
    assert f.worse is True and f.actions == ("reassess",)
    assert any("minstens 2 punten hoger" in r for r in f.reasons)


@pytest.mark.parametrize("profile", ["A", "B", "C", "D"])
@pytest.mark.parametrize(("after", "psk", "reassess"), [
    (6, (5, 5, 5), True),  # NPRS up by exactly the margin
    (5, (5, 5, 5), False),  # one point: a wobble, not a worsening
    (4, (7, 7, 7), True),  # PSK mean up by exactly 2
    (4, (7, 7, 6), False),  # PSK mean up by 1.67
])
def test_a_rise_of_the_margin_is_reassessed_in_every_profile(
        profile: str, after: int, psk: tuple[int, int, int], reassess: bool) -> None:
    f = follow(profile, [m(0, 4), m(14, after, psk)])
    assert ("reassess" in f.actions) is reassess
    assert f.worse is reassess
    if not reassess:
        assert "refer_back_gp" not in f.actions


def test_a_pain_rising_from_five_to_eight_is_not_continued() -> None:
    f = follow("A", [m(0, 5), m(7, 8)])
    assert "reassess" in f.actions and "continue_treatment" not in f.actions
    f = follow("A", [m(0, 5), m(7, 8), m(14, 9)])  # session 3: no "rond af" over a worsening
    assert f.session == 3 and f.actions == ("reassess",)
    assert "Rond de behandeling af" not in " ".join(f.advice)


def test_one_point_more_pain_is_said_but_not_called_worse() -> None:
    f = follow("D", [m(0, 6), m(14, 7)])
    assert f.worse is False and f.actions == ("continue_treatment",)
    assert any("van 6 naar 7" in r and "nog geen verslechtering" in r for r in f.reasons)


# --- profile D: six weeks, and worsening at any time ------------------------------------------


def test_d_not_improved_at_six_weeks_refers_back() -> None:
    f = follow("D", [m(0, 6), m(14, 6), m(28, 5), m(49, 5)])
    assert f.actions == ("refer_back_gp", "closing_advice")
    assert "Verwijs de patiënt terug naar de huisarts." in f.advice


@pytest.mark.parametrize("second", [m(14, 8), m(14, 6, (7, 7, 7))], ids=["nprs_up", "psk_up"])
def test_d_worse_refers_back_at_once(second: Measurement) -> None:
    f = follow("D", [m(0, 6), second])
    assert f.weeks_since_intake == 2.0 and f.worse is True
    assert "refer_back_gp" in f.actions and f.actions[-1] == "closing_advice"
    assert f.refer_soon is False


def test_d_referral_back_stands_across_two_later_follow_ups() -> None:
    points = [m(0, 6), m(14, 8), m(21, 3), m(28, 2)]
    for today in (21, 28):
        f = follow("D", points, today=today)
        assert f.improved is True and "refer_back_gp" in f.actions
        assert "continue_treatment" not in f.actions
        assert any("tot een nieuwe intake" in r for r in f.reasons)


def test_d_arm_worse_at_the_first_measurement_refers_back() -> None:
    f = follow("D", [m(10, 5, neuro=True)])  # no baseline score needed for the arm
    assert "refer_back_gp" in f.actions and f.improved is None


# --- profile A: the six-week rule --------------------------------------------------------------


@pytest.mark.parametrize(("today", "stop"), [(41, False), (42, True), (43, True)])
def test_a_not_improved_at_six_weeks_stops(today: int, stop: bool) -> None:
    f = follow("A", [m(0, 5), m(today, 5)])
    assert ("stop_and_contact_gp" in f.actions) is stop
    if stop:  # the stronger advice replaces "rond af"
        assert "conclude_treatment" not in f.actions and "closing_advice" in f.actions


def test_d_same_pain_no_neuro_is_not_worse() -> None:
    f = follow("D", [m(0, 6), m(14, 6)])
    assert f.worse is False and f.actions == ("continue_treatment",)


# --- no earlier measurement -------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["B", "C", "D"])
def test_no_earlier_measurement_at_six_weeks_evaluates_instead_of_guessing(profile: str) -> None:
    f = follow(profile, [m(45, 5)])
    assert f.improved is None
    assert f.actions == ("evaluate_now",)
    assert any("Deze meting wordt de beginmeting" in r for r in f.reasons)
    assert f.to_json()["improved"] is None


@pytest.mark.parametrize("profile", ["A", "B", "C", "D"])
def test_a_late_baseline_gets_no_stop_advice_a_week_later(profile: str) -> None:
    f = follow(profile, [m(42, 6), m(49, 6)])  # six weeks after the intake, one after baseline
    assert f.improved is False  # (A's "about three sessions" counts sessions, not weeks)
    assert not {"stop_and_contact_gp", "refer_back_gp"} & set(f.actions)
    f = follow(profile, [m(42, 6), m(84, 6)])  # six weeks after the baseline: now it counts
    assert {"stop_and_contact_gp", "refer_back_gp"} & set(f.actions)


def test_the_baseline_at_the_intake_gets_no_stop_advice() -> None:
    f = follow("B", [m(0, 6)])
    assert (f.improved, f.session, f.actions) == (None, 1, ("evaluate_now",))
    assert any("geen eerdere meting" in r for r in f.reasons)


def test_no_measurement_at_all_still_gives_advice() -> None:
    f = follow("B", [], today=10)
    assert (f.baseline, f.latest, f.improved, f.worse) == (None, None, None, False)
    assert f.actions == ("continue_treatment",)


def test_later_measurements_are_ignored_and_day_before_intake_refused() -> None:
    f = follow("B", [m(0, 6), m(42, 6), m(50, 1)], today=42)
    assert f.latest == m(42, 6) and f.improved is False
    with pytest.raises(ValueError, match="before the intake"):
        follow("B", [m(0, 6)], today=-1)


def test_json_has_every_field_with_numbers() -> None:
    f = follow("B", [m(0, 6, (6, 7, 8)), m(45, 3, (3, 4, 4))])
    data = f.to_json()
    assert {"patient", "profile", "intake_date", "date", "weeks_since_intake", "session",
            "improved", "worse", "baseline", "latest", "actions", "advice",
            "reasons", "psk_activities"} <= set(data)
    assert data["weeks_since_intake"] == 6.4 and data["session"] == 2
    assert data["baseline"] == {"date": "2024-01-01", "nprs": 6, "psk": [6, 7, 8],
                                "psk_mean": 7.0, "neuro_worse": False}
    assert data["latest"]["psk_mean"] == 3.67
    assert data["actions"] == ["continue_treatment"] and data["improved"] is True
    assert "Dat is 6,4 weken geleden." in data["reasons"][0]
    assert any("pijn 3, PSK gemiddeld 3,7" in r for r in data["reasons"])


# --- properties -------------------------------------------------------------------------------

scores = st.integers(0, 10)
measurements = st.lists(
    st.builds(m, st.integers(0, 120), scores, st.tuples(scores, scores, scores), st.booleans()),
    max_size=6,
)


@given(st.sampled_from("ABCD"), measurements, st.integers(0, 120))
def test_properties_of_the_advice(profile: str, points: list[Measurement], today: int) -> None:
    f = follow(profile, points, today=today)
    assert f.actions and len(set(f.actions)) == len(f.actions)
    assert set(f.actions) <= set(ACTIONS)
    assert ("closing_advice" in f.actions) == (
        any(a in CLOSING_ACTIONS for a in f.actions) and not f.refer_soon)
    assert len(f.advice) == len(f.actions) and all(f.reasons)
    if profile == "A":
        assert "refer_back_gp" not in f.actions
    if profile in "BC":
        assert "refer_back_gp" not in f.actions and "conclude_treatment" not in f.actions
    if profile == "D":
        assert "stop_and_contact_gp" not in f.actions
        if f.worse:
            assert "refer_back_gp" in f.actions
    if f.days_since_intake < 42:
        assert "stop_and_contact_gp" not in f.actions
    assert ("evaluate_now" in f.actions) == (f.latest is not None and f.improved is None)
    if f.improved is None:  # no comparison: no advice to stop (an arm worse in D excepted)
        assert not {"stop_and_contact_gp", "conclude_treatment"} & set(f.actions)


@given(measurements)
def test_improved_is_known_exactly_when_there_are_two_measurements(
    points: list[Measurement],
) -> None:
    f = follow("B", points, today=120)
    assert (f.improved is None) == (len(points) < 2)


# --- the data file ----------------------------------------------------------------------------


def raw() -> dict[str, Any]:
    text = resources.files("assistant.protocol").joinpath("followup.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_data_loads_with_every_action_and_reason() -> None:
    assert [a for a, _ in DATA.actions] == list(ACTIONS)
    assert DATA.min_drop == 2 and DATA.improvement.addition
    assert DATA.action("refer_back_gp") == "Verwijs de patiënt terug naar de huisarts."


def test_every_source_quote_traces_to_the_protocol() -> None:
    text = " ".join(SOURCE.read_text("utf-8").split()).lower()
    for quote in DATA.sources():
        for fragment in re.split(r"…|:|;", quote):
            words = " ".join(fragment.split()).lower().strip(" .;()")
            assert not words or words in text, quote


def test_spoken_texts_are_short_sentences() -> None:
    for _, t in (*DATA.actions, *DATA.reasons, *DATA.variants):
        for sentence in re.split(r"(?<=[.?!])\s+", t.text):
            assert len(sentence.split()) <= 16, sentence


def _without(path: str) -> dict[str, Any]:
    data = copy.deepcopy(raw())
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    del node[last]
    return data


def _with(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw())
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    node[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_without("actions.refer_back_gp"), "actions.refer_back_gp: missing"),
        (_without("actions.closing_advice.source"), "closing_advice.source: missing"),
        (_with("actions.evaluate_now.text", "  "), "evaluate_now.text: missing or empty"),
        (_with("actions.extra", {"text": "x", "source": "y"}), "unknown key 'extra'"),
        (_with("reasons.session.text", "Sessie."), "placeholders [] are not ['session']"),
        (_with("reasons.timing.text", "{weeks} {oops}"), "reasons.timing: placeholders"),
        (_with("improvement.min_drop", 0), "min_drop: expected a whole number"),
        (_with("improvement.min_drop", True), "min_drop: expected a whole number"),
        (_with("schema_version", 2), "schema_version: expected 1"),
        (_with("words.pain", 3), "words.pain: missing or empty"),
        (_with("actions.conclude_treatment.colour", "x"), "unknown key 'colour'"),
        (_without("variants.refer_back_gp_soon"), "variants.refer_back_gp_soon: missing"),
        (_without("variants"), "variants: expected a table"),
        (_with("actions.resolve_red_flags.text", "Sluit eerst uit."),
         "actions.resolve_red_flags: placeholders [] are not ['signs']"),
        (_with("variants.reassess_arm_worse.text", "{signs}"),
         "variants.reassess_arm_worse: placeholders ['signs'] are not []"),
    ],
)
def test_a_broken_data_file_names_the_place(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ProtocolError, match=re.escape(message)):
        parse_followup(data)


def test_a_referral_back_stands_at_later_follow_ups() -> None:
    points = [m(0, 5), m(14, 7, neuro=True)]  # D worse at week 2: refer back
    assert "refer_back_gp" in follow("D", points).actions
    for later in ([m(21, 4)], [m(21, 4), m(28, 3)]):  # better afterwards: it still stands
        f = follow("D", [*points, *later])
        assert "refer_back_gp" in f.actions and "continue_treatment" not in f.actions
        assert any("Dat blijft zo tot een nieuwe intake" in r for r in f.reasons)


# --- issue 21: A without improvement, D with the arm worse, standing referrals, provisional -----


@pytest.mark.parametrize("session", [3, 4, 5])
def test_a_without_improvement_at_session_3_or_later_is_reassessed_not_concluded(
        session: int) -> None:
    points = [m(0, 6), *(m(7 * s, 5) for s in range(1, session))]  # 1 point better: not 2
    f = follow("A", points)
    assert (f.session, f.improved, f.worse) == (session, False, False)
    assert f.actions == ("reassess",)  # no 'rond af', so no closing advice either
    assert "Rond niet af" in f.advice[0] and "misschien past B of C" in f.advice[0]
    assert "niet meer normaal" in f.advice[0]
    assert any("bereikt, zonder verbetering" in r for r in f.reasons)


def test_a_improved_at_session_3_still_concludes() -> None:
    f = follow("A", [m(0, 6), m(7, 5), m(14, 6, (3, 3, 3))])  # PSK mean 2 lower
    assert f.improved is True and f.actions == ("conclude_treatment", "closing_advice")


def test_a_without_improvement_at_six_weeks_stops_instead_of_reassessing() -> None:
    f = follow("A", [m(0, 6), m(7, 6), m(42, 6)])  # session 3 and six weeks: the stronger
    assert f.session == 3 and f.actions == ("stop_and_contact_gp", "closing_advice")


def test_a_without_a_comparison_never_concludes() -> None:
    f = follow("A", [m(7, 5)])  # the first measurement is the baseline: nothing to judge
    assert f.improved is None and f.actions == ("evaluate_now",)


@given(measurements, st.integers(0, 120))
def test_a_never_concludes_without_improvement(points: list[Measurement], today: int) -> None:
    f = follow("A", points, today=today)
    if "conclude_treatment" in f.actions:
        assert f.improved is True and f.session >= 3
    if f.session >= 3 and f.improved is False and not f.worse:
        assert "reassess" in f.actions or "stop_and_contact_gp" in f.actions
        assert "conclude_treatment" not in f.actions


@pytest.mark.parametrize("pain_after", [6, 8], ids=["arm_only", "arm_and_pain"])
def test_d_arm_worse_refers_back_soon_reassesses_and_gives_no_closing_advice(
        pain_after: int) -> None:
    f = follow("D", [m(0, 6), m(14, pain_after, neuro=True)])
    assert f.actions == ("refer_back_gp", "reassess") and f.refer_soon is True
    assert f.advice[0] == "Verwijs de patiënt op korte termijn terug naar de huisarts."
    assert "ruggenmerg" in f.advice[1] and "arm" in f.advice[1]
    assert "closing_advice" not in f.actions
    assert not any("actief" in a for a in f.advice)
    assert any("vermijd wat de arm erger maakt" in r for r in f.reasons)


def test_d_arm_worse_at_six_weeks_without_improvement_is_still_soon() -> None:
    f = follow("D", [m(0, 6), m(42, 6, neuro=True)])
    assert f.actions == ("refer_back_gp", "reassess") and f.refer_soon is True


def test_d_arm_worse_at_the_first_measurement_refers_back_soon() -> None:
    f = follow("D", [m(10, 5, neuro=True)])
    assert f.actions[:2] == ("refer_back_gp", "reassess") and "evaluate_now" in f.actions
    assert "closing_advice" not in f.actions


def test_d_worse_pain_alone_keeps_the_plain_referral_and_the_closing_advice() -> None:
    f = follow("D", [m(0, 6), m(14, 8)])
    assert f.actions == ("reassess", "refer_back_gp", "closing_advice")
    assert "Verwijs de patiënt terug naar de huisarts." in f.advice
    assert f.advice[0].startswith("Het gaat slechter")


@pytest.mark.parametrize(("worse", "soon"), [(m(14, 5, neuro=True), True), (m(14, 8), False)],
                         ids=["arm", "pain"])
def test_a_referral_back_stands_for_a_second_measurement_on_the_same_day(
        worse: Measurement, soon: bool) -> None:
    first = follow("D", [m(0, 5), worse])
    assert "refer_back_gp" in first.actions
    again = follow("D", [m(0, 5), worse, m(14, 3)])  # the same day, better, arm not worse
    assert again.latest == m(14, 3) and again.worse is False
    assert "refer_back_gp" in again.actions and "continue_treatment" not in again.actions
    assert any("Dat blijft zo tot een nieuwe intake" in r for r in again.reasons)
    assert again.refer_soon is soon
    assert ("closing_advice" in again.actions) is not soon
    assert "reassess" not in again.actions  # re-checking belonged to the worse measurement


def test_a_referral_back_for_the_arm_stands_soon_at_later_days() -> None:
    f = follow("D", [m(0, 5), m(14, 5, neuro=True), m(21, 2), m(28, 1)])
    assert f.actions == ("refer_back_gp",) and f.refer_soon is True
    assert "op korte termijn" in f.advice[0]


def test_an_evaluation_after_the_last_measurement_keeps_its_referral() -> None:
    f = follow("D", [m(0, 5), m(14, 5, neuro=True)], today=20)
    assert "refer_back_gp" in f.actions and f.refer_soon is True


ordered = measurements.map(lambda ps: sorted(ps, key=lambda p: p.day))


@given(st.sampled_from("ABCD"), ordered)
def test_once_referred_back_every_later_evaluation_refers_back(
        profile: str, points: list[Measurement]) -> None:
    """Each measurement evaluated as the CLI does, in the order taken (same days included)."""
    referred = soon = False
    for i, point in enumerate(points):
        f = follow(profile, points[:i + 1], today=(point.day - INTAKE).days)
        if referred:
            assert "refer_back_gp" in f.actions
        if soon:
            assert f.refer_soon and "closing_advice" not in f.actions
        referred = referred or "refer_back_gp" in f.actions
        soon = soon or f.refer_soon


def test_a_provisional_intake_says_first_what_is_still_to_rule_out() -> None:
    f = follow("B", [m(0, 6), m(14, 5)], provisional=True,
               unresolved=("fracture", "infection"), flag_name=P.red_flag_name)
    assert f.actions == ("resolve_red_flags", "continue_treatment")
    assert f.advice[0] == ("Het plan is voorlopig. Sluit eerst uit: mogelijke fractuur en "
                           "mogelijke infectie. Pas daarna geldt dit advies.")
    assert f.reasons[0].startswith("Bij de intake bleef onbekend: mogelijke fractuur")
    data = f.to_json()
    assert data["provisional"] is True and data["unresolved"] == ["fracture", "infection"]


def test_provisional_without_names_and_not_provisional() -> None:
    f = follow("A", [m(0, 6)], provisional=True)
    assert f.actions[0] == "resolve_red_flags" and "onbekend bleven" in f.advice[0]
    plain = follow("A", [m(0, 6)]).to_json()
    assert plain["provisional"] is False and plain["unresolved"] == []
    assert "resolve_red_flags" not in plain["actions"]


@given(st.sampled_from("ABCD"), measurements, st.integers(0, 120),
       st.lists(st.sampled_from([r.id for r in P.red_flags]), max_size=3, unique=True))
def test_provisional_comes_first_and_changes_nothing_else(
        profile: str, points: list[Measurement], today: int, unresolved: list[str]) -> None:
    plain = follow(profile, points, today=today)
    f = follow(profile, points, today=today, unresolved=tuple(unresolved),
               flag_name=P.red_flag_name)
    assert f.provisional is bool(unresolved)
    if unresolved:
        assert f.actions == ("resolve_red_flags", *plain.actions)
        assert all(P.red_flag_name(u) in f.advice[0] for u in unresolved)
    else:
        assert f == plain


def test_a_variant_says_only_its_own_action() -> None:
    assert set(VARIANTS.values()) <= set(ACTIONS)
    assert "op korte termijn" in DATA.action("refer_back_gp", "refer_back_gp_soon")
    with pytest.raises(ValueError, match="does not say"):
        DATA.action("reassess", "refer_back_gp_soon")
