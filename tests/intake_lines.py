"""Typed input for the command line and the screen, computed from scripts by question id: the
dialog is run in process with the script, and what it was told, in order, is the input. A
question inserted or moved changes the lines, never the script."""

from __future__ import annotations

from assistant.dialog.consultation import DialogConfig
from assistant.intake.run import run_consultation
from assistant.speech.interfaces import Utterance
from tests.harness import (
    AGE,
    END_AT_CHOICE,
    PROFILE_B_TEN_WEEKS,
    PROTOCOL,
    RED_FLAG_QUESTIONS,
    REFERRAL_BY_ID,
    intake,
    profile,
)
from tests.intake_script import IntakeScript, ScriptDriver


def rehearse(inputs: IntakeScript, config: DialogConfig | None = None) -> ScriptDriver:
    """Run an intake answered by `inputs` in process; the driver that answered it (what it
    said, and to what: `said`, `listened`)."""
    driver = ScriptDriver(inputs, PROTOCOL)
    run_consultation(PROTOCOL, driver, [driver], config)
    driver.check()
    return driver


def said_to(inputs: IntakeScript, config: DialogConfig | None = None) -> list[Utterance]:
    """What an intake answered by `inputs` is told, in order, up to its end or up to where the
    script ends the input (a None reply, not included)."""
    out: list[Utterance] = []
    for reply in rehearse(inputs, config).said:
        if reply is None:
            break
        out.append(reply if isinstance(reply, Utterance) else Utterance(reply))
    return out


def lines(inputs: IntakeScript, config: DialogConfig | None = None) -> list[str]:
    """The typed lines of an intake answered by `inputs` (see said_to)."""
    return [u.text for u in said_to(inputs, config)]


def typed(inputs: IntakeScript, config: DialogConfig | None = None) -> str:
    """The same as stdin: one line each, each ended by a newline."""
    return "".join(f"{line}\n" for line in lines(inputs, config))


# Profile A, up to the choice of exercises (the input ends there).
PROFILE_A_LINES = lines(profile("A"))
# The referral (as the golden one), to its end: no exercises at a referral.
REFERRAL_LINES = lines(intake(REFERRAL_BY_ID))
# Profile B without work: fors for ten weeks, no psychosocial factors, no work; the input ends
# at the choice of exercises.
PROFILE_B_LINES = lines(intake(PROFILE_B_TEN_WEEKS, END_AT_CHOICE))
PROFILE_B_TYPED = "".join(f"{line}\n" for line in PROFILE_B_LINES)
# Profile D (grade III), up to the choice of exercises.
PROFILE_D_LINES = lines(profile("D"))
# The age, the complaint (the harness's defaults), the red flags one by one: "nee" to the
# first, then "stop" at the second.
STOP_AT_SECOND_FLAG = typed(intake({"age_years": AGE, RED_FLAG_QUESTIONS[0]: "nee",
                                    RED_FLAG_QUESTIONS[1]: "stop"}))
# Profile A for someone whose work adds to the neck pain (with no sick leave, or not
# work-related); no exercises chosen.
WORK_RELATED_A = lines(profile("A", {"has_work": "ja", "work_related": "ja",
                                     "work_absence_weeks": "geen", "exercise_choice": "geen"}))
NOT_WORK_RELATED_A = lines(profile("A", {"has_work": "ja", "work_related": "nee",
                                         "work_absence_weeks": "geen",
                                         "exercise_choice": "geen"}))
