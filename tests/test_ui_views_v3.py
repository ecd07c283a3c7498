"""The screen's result view for version 3: an emergency is flagged for the red banner, a minor's
caution is in words, and the advice is the patient's own (no work line without work)."""

from __future__ import annotations

from assistant.protocol import classify, load_protocol, parse_findings
from assistant.ui.views import result_view
from tests.findings_cases import findings

P = load_protocol()


def test_an_emergency_is_flagged_for_the_red_banner_and_says_112() -> None:
    result = classify(parse_findings(findings(red_flags=["vascular"], acute_deficit_now=True)),
                      P).to_json()
    view = result_view(result, P)
    assert view["emergency"] is True and view["referral"] is True
    assert "112" in view["urgency"]
    acute = result_view(classify(parse_findings(findings(red_flags=["vascular"])), P).to_json(),
                        P)
    assert acute["emergency"] is False and acute["urgency"] == "vandaag nog"


def test_a_minor_and_no_work_show_in_words() -> None:
    result = classify(parse_findings(findings(age_years=15, has_work=False)), P).to_json()
    view = result_view(result, P)
    assert view["cautions"][0].startswith("Jonger dan 18")
    school, work = P.participation[1], P.participation[0]
    assert school in view["advice"] and work not in view["advice"]
