"""The dialogs' `transitions` machines: each is built from a table (a list of row dicts beside
its dialog) with only the table's triggers, and a dialog's `outcome` follows its final states.

A model's triggers are bound by `transitions` as methods named for them (`model.advance(…)`);
each model declares them for mypy as `ClassVar[Callable[..., bool]]` (True when a row was
taken, False when no row's conditions held)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from transitions import Machine

from assistant.dialog.loop import Outcome

Row = dict[str, Any]  # one row of a table: trigger, source, dest, conditions, unless, before


def table_machine(model: object, states: Sequence[str], rows: Sequence[Row],
                  initial: str) -> Machine:
    """The machine of `model` (its `state` attribute) over `states`, starting in `initial`,
    with the triggers of `rows` only (no `to_<state>`)."""
    return Machine(model=model, states=list(states), transitions=list(rows), initial=initial,
                   auto_transitions=False)


class MachineOutcome:
    """The `outcome` of a dialog whose machine ends in named states: `ENDS` gives the outcome of
    each final state; every other state is "running"."""

    state: str
    ENDS: ClassVar[Mapping[str, Outcome]]

    @property
    def outcome(self) -> Outcome:
        return self.ENDS.get(self.state, "running")
