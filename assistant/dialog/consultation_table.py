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
REFERRAL_DURATION: Final = "referral_duration"  # before a referral: the duration, for the letter
STATES: Final = (
    "age", RED_FLAGS, "acute_deficit", "precautions", "trauma", "trauma_when", "trauma_imaging",
    "c_spine_high", "c_spine_low", "c_spine_rotation", "neurological", "arm_side", "radicular",
    "referred", "impact", "onset", "improving", "recurrent", "psychosocial", "employment",
    "work", "absence", REFERRAL_DURATION, RESULT, STOPPED,
)
QUESTION_STATES: Final = STATES[:-2]


def _advance(source: str, dest: str, *conditions: Condition) -> Row:
    row: Row = {"trigger": "advance", "source": source, "dest": dest}
    if conditions:
        row["conditions"] = list(conditions)
    return row


def _onward_or_referral(source: str, otherwise: str, *first: tuple[str, Condition]) -> list[Row]:
    """From `source`: each of `first` (a state and its condition) in turn; else, after a red
    flag, the duration for the referral letter; else `otherwise`."""
    return [*(_advance(source, dest, condition) for dest, condition in first),
            _advance(source, REFERRAL_DURATION, rules.has_red_flag),
            _advance(source, otherwise)]


# The consultation, as a table. First matching row wins; a row without conditions is the
# "otherwise" of the rows above it. Conditions are pure rule functions of the findings.
TRANSITIONS: Final[list[Row]] = [
    {"trigger": "advance", "source": "age", "dest": RED_FLAGS},
    # A vascular or spinal-cord flag: is the deficit there now? Then 112, and nothing more is
    # asked (DESIGN.md rule 9).
    {"trigger": "advance", "source": RED_FLAGS, "dest": RESULT,
     "conditions": [rules.has_deficit_now]},  # asked right after the flag: 112 now
    {"trigger": "advance", "source": RED_FLAGS, "dest": "acute_deficit",
     "conditions": [rules.deficit_to_ask]},
    {"trigger": "advance", "source": RED_FLAGS, "dest": "precautions"},
    {"trigger": "advance", "source": "acute_deficit", "dest": RESULT,
     "conditions": [rules.has_deficit_now]},
    # from the arm signs on both sides (the spinal cord): on to the duration for the letter
    {"trigger": "advance", "source": "acute_deficit", "dest": REFERRAL_DURATION,
     "conditions": [rules.has_neurological_signs]},
    # The precautions and a trauma are asked even after a red flag: a fracture suspicion makes
    # a referral acute, and the letter names them.
    {"trigger": "advance", "source": "acute_deficit", "dest": "precautions"},
    {"trigger": "advance", "source": "precautions", "dest": "trauma"},
    *_onward_or_referral("trauma", "neurological", ("trauma_when", rules.is_trauma_related)),
    # Only a recent trauma (or one of unknown date) goes through the C-spine rule (rule 12).
    *_onward_or_referral("trauma_when", "neurological",
                         ("trauma_imaging", rules.is_recent_trauma)),
    *_onward_or_referral("trauma_imaging", "neurological",
                         ("c_spine_high", rules.c_spine_rule_needed)),
    {"trigger": "advance", "source": "c_spine_high", "dest": REFERRAL_DURATION,
     "conditions": [rules.fracture_suspected]},
    {"trigger": "advance", "source": "c_spine_high", "dest": "c_spine_low"},
    {"trigger": "advance", "source": "c_spine_low", "dest": REFERRAL_DURATION,
     "conditions": [rules.fracture_suspected]},
    {"trigger": "advance", "source": "c_spine_low", "dest": "c_spine_rotation"},
    *_onward_or_referral("c_spine_rotation", "neurological"),
    # Grade III: the radicular test and whether the patient was referred for it; then, as for
    # every patient, the impact and the course (psychosocial factors only choose B or C).
    {"trigger": "advance", "source": "neurological", "dest": "arm_side",
     "conditions": [rules.has_neurological_signs]},
    {"trigger": "advance", "source": "neurological", "dest": "impact"},
    # both sides: the spinal cord; a deficit now?
    *_onward_or_referral("arm_side", "radicular", ("acute_deficit", rules.deficit_to_ask)),
    {"trigger": "advance", "source": "radicular", "dest": "referred"},
    {"trigger": "advance", "source": "referred", "dest": "impact"},
    {"trigger": "advance", "source": "impact", "dest": "onset"},
    {"trigger": "advance", "source": "onset", "dest": "psychosocial",
     "conditions": [rules.onset_beyond_normal], "unless": [rules.has_neurological_signs]},
    {"trigger": "advance", "source": "onset", "dest": "employment",
     "conditions": [rules.onset_beyond_normal]},
    {"trigger": "advance", "source": "onset", "dest": "improving"},
    {"trigger": "advance", "source": "improving", "dest": "recurrent",
     "conditions": [rules.is_improving]},
    {"trigger": "advance", "source": "improving", "dest": "psychosocial",
     "unless": [rules.has_neurological_signs]},
    {"trigger": "advance", "source": "improving", "dest": "employment"},
    {"trigger": "advance", "source": "recurrent", "dest": "psychosocial",
     "conditions": [rules.is_recurrent], "unless": [rules.has_neurological_signs]},
    {"trigger": "advance", "source": "recurrent", "dest": "employment"},
    {"trigger": "advance", "source": "psychosocial", "dest": "employment"},
    # Work: whether the patient works; then whether the work adds to the neck pain, and the
    # sick leave of everybody who works (the actions keep the seed's own conditions).
    {"trigger": "advance", "source": "employment", "dest": "work",
     "conditions": [rules.has_work]},
    {"trigger": "advance", "source": "employment", "dest": RESULT},
    {"trigger": "advance", "source": "work", "dest": "absence"},
    {"trigger": "advance", "source": "absence", "dest": RESULT},
    {"trigger": "advance", "source": REFERRAL_DURATION, "dest": RESULT},
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
