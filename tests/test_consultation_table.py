"""The consultation's machine table (assistant/dialog/consultation_table.py): `terug` goes back
along the table's own `advance` rows, to the state the answer taken back was asked in."""

from __future__ import annotations

from assistant.dialog.consultation_table import BACK, QUESTION_STATES, RESULT, TRANSITIONS


def test_every_way_back_is_an_advance_row_the_other_way_or_stays() -> None:
    forward = {(r["source"], r["dest"]) for r in TRANSITIONS if r["trigger"] == "advance"}
    for row in BACK:
        dest = row["dest"] or row["source"]
        assert dest == row["source"] or (dest, row["source"]) in forward, row
        assert [c(dest) for c in row["conditions"]] == [True]
        assert not any(c(RESULT) for c in row["conditions"])
    assert {r["source"] for r in BACK} <= set(QUESTION_STATES)
    assert all(any(r["source"] == s and r["dest"] is None for r in BACK)
               for s in QUESTION_STATES)  # an earlier question of the same section
    back_to = {(r["source"], r["dest"]) for r in BACK if r["dest"] is not None}
    assert back_to == {(d, s) for s, d in forward if d != RESULT}
