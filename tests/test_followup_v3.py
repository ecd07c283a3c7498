"""Issue 21 on the screen: the records view (assistant ui) carries a provisional plan and the
standing referral back exactly as `assistant followup` and `history` do (same helper)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from assistant.protocol import load_protocol
from assistant.ui.records_view import RecordsView
from tests.records_fixtures import INTAKE_DAY, add_intake, add_provisional_intake


def test_the_screen_shows_a_provisional_plan_in_the_history_and_the_advice(
        tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    add_provisional_intake(db, "V-1", ["vascular"])
    view = RecordsView(load_protocol(), db)
    history = view.history("V-1")
    assert history["intake"]["provisional"] is True
    assert any(line.startswith("Voorlopig plan: bij deze intake bleef onbekend: mogelijke "
                               "stoornis van de halsslagaders") for line in history["lines"])
    outcome, lines = view.followup("V-1", 6, (6, 6, 6), day=INTAKE_DAY)
    assert outcome.provisional and outcome.unresolved == ("vascular",)
    assert outcome.actions[0] == "resolve_red_flags"
    assert lines[1].startswith("Voorlopig plan")
    advice = lines.index("Advies:")
    assert lines[advice + 1].startswith("- Het plan is voorlopig. Sluit eerst uit: mogelijke "
                                        "stoornis")


def test_the_screen_keeps_the_referral_back_for_a_second_measurement_the_same_day(
        tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    add_intake(db, "D-1", "D")
    view = RecordsView(load_protocol(), db)
    week_2 = INTAKE_DAY + timedelta(days=14)
    view.followup("D-1", 5, (5, 5, 5), day=INTAKE_DAY)
    worse, _ = view.followup("D-1", 5, (5, 5, 5), neuro_worse=True, day=week_2)
    assert worse.actions == ("refer_back_gp", "reassess")
    again, lines = view.followup("D-1", 3, (3, 3, 3), day=week_2, again=True)
    assert again.actions == ("refer_back_gp",) and again.refer_soon
    assert "- Verwijs de patiënt op korte termijn terug naar de huisarts." in lines
