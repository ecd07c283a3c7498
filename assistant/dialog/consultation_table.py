"""The consultation's `transitions` machine, as a table: one state per section of the protocol
data (questions are asked in data order within it), plus `result` and `stopped`.

After a section is answered the consultation fires `advance`; TRANSITIONS says where that
leads, with conditions that are the protocol's own rule functions. `terug` fires `back` with
the state the answer taken back was asked in; BACK, made from the `advance` rows, leads there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from assistant.dialog.machine import Row
from assistant.protocol import rules
from assistant.protocol.findings import Findings

Condition = Callable[[Findings], bool]

RESULT: Final = "result"
STOPPED: Final = "stopped"
RED_FLAGS: Final = "red_flags"
EXAMINATION: Final = "examination"  # the examination block's red flags (its first section)
SCREENING_STATES: Final = (RED_FLAGS, EXAMINATION)  # a vascular or cord flag: a deficit now?
# In the order of a consultation (issue 25): the age; the complaint (duration, onset with the
# C-spine rule's history after an accident, course, impact, arm complaints); the red-flag
# history and the precautions; work and psychosocial factors; then the examination block.
STATES: Final = (
    "age", "onset", "trauma", "trauma_when", "trauma_imaging", "c_spine_high", "c_spine_low",
    "improving", "recurrent", "impact", "arm_complaints", RED_FLAGS, "precautions",
    "acute_deficit", "psychosocial", "employment", "work", "absence", EXAMINATION,
    "c_spine_tenderness", "c_spine_rotation", "neurological", "arm_side", "radicular",
    "referred", RESULT, STOPPED,
)
QUESTION_STATES: Final = STATES[:-2]


def _advance(source: str, dest: str, *conditions: Condition) -> Row:
    row: Row = {"trigger": "advance", "source": source, "dest": dest}
    if conditions:
        row["conditions"] = list(conditions)
    return row


def _to_course(source: str, *first: tuple[str, Condition]) -> list[Row]:
    """From the onset's sections: each of `first` in turn; after a fracture suspicion straight
    to the history's red flags and precautions (the course does not decide a referral);
    else the course (improvement only within the normal six weeks), then the impact."""
    return [*(_advance(source, dest, condition) for dest, condition in first),
            _advance(source, RED_FLAGS, rules.fracture_suspected),
            {"trigger": "advance", "source": source, "dest": "improving",
             "unless": [rules.onset_beyond_normal]},
            _advance(source, "impact")]


def _examination(source: str) -> list[Row]:
    """Within the examination block, from `source`: the tests this patient still needs, in
    order (midline tenderness, rotation, the arm); else the result."""
    return [_advance(source, "c_spine_tenderness", rules.midline_to_examine),
            _advance(source, "c_spine_rotation", rules.rotation_to_examine),
            _advance(source, "neurological", rules.arm_to_examine),
            _advance(source, "psychosocial", rules.psychosocial_after_examination),
            _advance(source, RESULT)]


# The consultation, as a table. First matching row wins; a row without conditions is the
# "otherwise" of the rows above it. Conditions are pure rule functions of the findings.
TRANSITIONS: Final[list[Row]] = [
    _advance("age", "onset"),
    _advance("onset", "trauma"),
    *_to_course("trauma", ("trauma_when", rules.is_trauma_related)),
    # Only a recent trauma (or one of unknown date) goes through the C-spine rule (rule 12).
    *_to_course("trauma_when", ("trauma_imaging", rules.is_recent_trauma)),
    *_to_course("trauma_imaging", ("c_spine_high", rules.c_spine_rule_needed)),
    # a high-risk factor found: a fracture suspicion, so no low-risk factor is asked
    {"trigger": "advance", "source": "c_spine_high", "dest": "c_spine_low",
     "conditions": [rules.c_spine_rule_needed], "unless": [rules.fracture_suspected]},
    *_to_course("c_spine_high"),
    *_to_course("c_spine_low"),
    _advance("improving", "recurrent", rules.is_improving),
    _advance("improving", "impact"),
    _advance("recurrent", "impact"),
    _advance("impact", "arm_complaints"),
    _advance("arm_complaints", RED_FLAGS),
    # A vascular or spinal-cord flag: is the deficit there now? Then 112, and nothing more is
    # asked (DESIGN.md rule 9). It is asked right after the flag; the acute_deficit section
    # is the fallback.
    _advance(RED_FLAGS, RESULT, rules.has_deficit_now),
    # The precautions after a red flag too: a fracture suspicion makes a referral acute, and
    # the letter names them.
    _advance(RED_FLAGS, "precautions"),
    _advance("precautions", "acute_deficit", rules.deficit_to_ask),
    # After a red flag: the examination's red flags (the letter names them), not work.
    _advance("precautions", EXAMINATION, rules.has_red_flag),
    _advance("precautions", "psychosocial", rules.psychosocial_in_history),
    _advance("precautions", "employment"),
    _advance("acute_deficit", RESULT, rules.has_deficit_now),
    # from the arm signs on both sides (the spinal cord, examined last): the result
    _advance("acute_deficit", RESULT, rules.has_neurological_signs),
    _advance("acute_deficit", EXAMINATION),
    # Psychosocial factors choose B or C (grades I-II): in the history, or after an
    # examination that found no arm signs in a patient with arm complaints.
    _advance("psychosocial", "employment", rules.work_to_ask),
    _advance("psychosocial", RESULT),
    # Work: whether the patient works; then whether the work adds to the neck pain, and the
    # sick leave of everybody who works (the actions keep the seed's own conditions).
    _advance("employment", "work", rules.has_work),
    _advance("employment", EXAMINATION),
    _advance("work", "absence"),
    _advance("absence", EXAMINATION),
    # The examination block: its red flags (upper motor neuron signs, Horner) of every
    # patient, then what the C-spine rule and arm complaints still need.
    _advance(EXAMINATION, RESULT, rules.has_deficit_now),
    *_examination(EXAMINATION),
    *_examination("c_spine_tenderness")[1:],
    *_examination("c_spine_rotation")[2:],
    # Grade III: the side, the radicular test and whether the patient was referred for it.
    _advance("neurological", "arm_side", rules.has_neurological_signs),
    _advance("neurological", "psychosocial", rules.psychosocial_after_examination),
    _advance("neurological", RESULT),
    # both sides: the spinal cord; a deficit now?
    _advance("arm_side", "acute_deficit", rules.deficit_to_ask),
    _advance("arm_side", RESULT, rules.has_red_flag),
    _advance("arm_side", "radicular"),
    _advance("radicular", "referred"),
    _advance("referred", RESULT),
    {"trigger": "stop", "source": list(QUESTION_STATES), "dest": STOPPED},
]


def asked_in(state: str) -> Callable[[str], bool]:
    """The condition of a `back` row: the answer taken back was asked in `state` (`back` is
    fired with the state it was asked in)."""
    def condition(asked: str) -> bool:
        return asked == state

    condition.__name__ = f"asked_in_{state}"
    return condition


def back_rows(rows: list[Row]) -> list[Row]:
    """`terug`: within a state (an earlier question of its section), or along an `advance`
    row the other way, to the state the answer taken back was asked in. Nothing goes back
    from the result or a stop."""
    steps = [(state, state) for state in QUESTION_STATES]
    steps += [(row["dest"], row["source"]) for row in rows
              if row["trigger"] == "advance" and row["dest"] != RESULT]
    return [{"trigger": "back", "source": source, "dest": None if dest == source else dest,
             "conditions": [asked_in(dest)]} for source, dest in dict.fromkeys(steps)]


BACK: Final = back_rows(TRANSITIONS)
