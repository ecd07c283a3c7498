"""The screen follows issue 23's records and command-line fixes: an intake whose report cannot
be kept is not started; a resume of an intake stored already says so and offers the patient's
page; a damaged row is passed over on the patient's page and chart with a one-line notice; the
plan carries the report's work advice; the follow-up keeps to the command line's rules (one
measurement a day unless asked again, the arm only for profile D)."""

from __future__ import annotations

import html
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import Advice, Hint, UsageError
from assistant.protocol import load_protocol
from assistant.records.store import Store
from assistant.ui.hints import screen_text
from assistant.ui.records_view import RecordsView
from assistant.ui.views import result_view
from tests.intake_lines import NOT_WORK_RELATED_A, WORK_RELATED_A
from tests.interrupted_intakes import stored_but_open
from tests.records_fixtures import add_intake
from tests.ui_screen import Page, ended, events, form_nonce

PROTOCOL = load_protocol()


def _db(page: Page) -> Path:
    db = page.engine.db
    assert db is not None
    return db


def _count(db: Path, query: str) -> int:
    with sqlite3.connect(db) as conn:
        found = int(conn.execute(query).fetchone()[0])
    conn.close()
    return found


def _handles(start: str) -> dict[str, str]:
    """patient id → handle, from the start page's list of patients."""
    return {patient: handle
            for handle, patient in re.findall(r'href="/patient/([^"]+)">([^<]+)</a>', start)}


# --- 1: the report's folder is checked before the first question -------------------------------

def test_an_intake_whose_report_cannot_be_kept_is_not_started(
        page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocked))  # the reports' folder cannot be made
    for patient in ("P-0500", ""):
        refused = page.post("/api/intake", {"patient": patient}, status=400)["error"]
        assert refused.startswith("De intake is niet gestart: ")
        assert str(blocked) in refused and "schrijfbaar" in refused
        assert "--" not in refused and "\n" not in refused
    assert not page.engine.running and page.engine.activity == "idle"
    assert not events(page.messages(), "ask")  # not one question asked
    db = _db(page)
    assert not db.exists() or _count(db, "SELECT COUNT(*) FROM journal") == 0
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # writable again: it starts
    page.post("/api/intake", {"patient": "P-0500"})
    page.wait(lambda m: bool(events(m, "ask")))
    page.say("stop")
    page.wait(ended)


# --- 2: an interrupted intake that was stored already ------------------------------------------

@pytest.mark.parametrize("resume", [True, False])
def test_a_resume_of_an_intake_stored_already_offers_the_patient_page(
        page: Page, resume: bool) -> None:
    db = _db(page)
    stored_but_open(db, "P-0600", date.today() - timedelta(days=1))
    start = page.client.get("/").text
    assert "al opgeslagen" in start and 'class="stored"' in start
    assert 'class="resume"' not in start  # nothing to resume: no 'Hervat'
    listed = re.search(r'class="stored" data-patient="P-0600" data-href="(/patient/[^"]+)"',
                       start)
    assert listed is not None
    refused = page.post("/api/intake", {"patient": "P-0600", "resume": resume}, status=409)
    assert refused["error"] == ("De onderbroken intake van patiënt P-0600 is al opgeslagen; "
                                "er wordt geen tweede gemaakt.")
    assert refused["stored"] == listed[1]
    shown = page.client.get(refused["stored"])
    assert shown.status_code == 200 and "Patiënt P-0600" in shown.text
    assert not page.engine.running and not events(page.messages(), "ask")
    assert _count(db, "SELECT COUNT(*) FROM consultations") == 1  # no second intake
    assert _count(db, "SELECT COUNT(*) FROM journal WHERE status = 'open'") == 0
    assert _count(db, "SELECT COUNT(*) FROM journal_entries") == 1  # set aside, kept
    again = page.client.get("/").text
    assert "al opgeslagen" not in again and "Geen onderbroken intakes." in again


# --- 3: damaged rows -----------------------------------------------------------------------------

def test_a_damaged_intake_is_passed_over_on_the_patient_page_with_one_line(page: Page) -> None:
    db = _db(page)
    first = add_intake(db, "P-0700", "A", date(2024, 3, 4))
    add_intake(db, "P-0700", "B", date(2024, 5, 6))
    with Store.open(db) as store:
        store.add_evaluation("P-0700", date(2024, 3, 4), 6, (5, 6, 7), consultation=first)
    with sqlite3.connect(db) as conn:  # the later intake: edited by hand
        conn.execute("UPDATE consultations SET date = '2024-05-32' WHERE date = '2024-05-06'")
    conn.close()
    handle = _handles(page.client.get("/").text)["P-0700"]
    shown = page.client.get(f"/patient/{handle}")
    assert shown.status_code == 200, shown.text
    skipped = re.findall(r'<p class="warning skipped">([^<]*)</p>', shown.text)
    assert len(skipped) == 1, shown.text
    assert skipped[0].startswith("Overgeslagen: ") and "beschadigd" in skipped[0]
    assert "tabel consultations" in skipped[0] and "--" not in skipped[0]
    assert "5 / 6 / 7" in shown.text  # the earlier, readable intake with its measurement
    chart = page.client.get(f"/chart/{handle}.png")
    assert chart.status_code == 200 and chart.content[:4] == b"\x89PNG"


def test_a_damaged_measurement_is_passed_over_on_the_page_and_the_chart(page: Page) -> None:
    db = _db(page)
    add_intake(db, "P-0701", "B", date(2024, 3, 4))
    with Store.open(db) as store:
        store.add_evaluation("P-0701", date(2024, 3, 4), 6, (5, 6, 7))
        bad = store.add_evaluation("P-0701", date(2024, 3, 18), 5, (4, 5, 6))
        store.add_evaluation("P-0701", date(2024, 4, 1), 3, (3, 3, 3))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE evaluations SET date = '2024-02-31' WHERE id = ?", (bad,))
    conn.close()
    handle = _handles(page.client.get("/").text)["P-0701"]
    shown = page.client.get(f"/patient/{handle}")
    assert shown.status_code == 200, shown.text
    skipped = re.findall(r'<p class="warning skipped">([^<]*)</p>', shown.text)
    assert len(skipped) == 1 and f"de meting met nummer {bad}" in skipped[0], skipped
    assert "5 / 6 / 7" in shown.text and "3 / 3 / 3" in shown.text
    assert "4 / 5 / 6" not in shown.text
    chart = page.client.get(f"/chart/{handle}.png")
    assert chart.status_code == 200 and chart.content[:4] == b"\x89PNG"


def test_a_damaged_interrupted_intake_on_the_start_page_is_named_by_its_row(page: Page) -> None:
    db = _db(page)
    add_intake(db, "P-0702", "A")
    with Store.open(db) as store:
        journal = store.journal_open("P-0702", date(2024, 3, 4))
        store.journal_append(journal, {"kind": "answer", "question": "age_years",
                                       "heard": "47", "value": 47})
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE journal SET date = '2024-02-31'")
    conn.close()
    start = page.client.get("/")
    assert start.status_code == 200 and ">P-0702</a>" in start.text
    notice = re.findall(r'<p class="error" id="damaged">([^<]*)</p>', start.text)
    assert len(notice) == 1
    assert f"P-0702 (rij {journal} van tabel journal)" in notice[0]


# --- 4: the plan's work advice -------------------------------------------------------------------

def test_the_result_view_carries_the_work_advice_only_when_work_related() -> None:
    result = {"grade": "II", "profile": "A", "referral": False, "advice": ["a"]}
    work = PROTOCOL.profile("A").work_advice
    assert work
    assert result_view(result, PROTOCOL, work_related=True)["work_advice"] == list(work)
    assert result_view(result, PROTOCOL)["work_advice"] == []
    referral = {"grade": "IV", "profile": None, "referral": True}
    assert result_view(referral, PROTOCOL, work_related=True)["work_advice"] == []


def _plan_of(page: Page, answers: list[str]) -> dict[str, Any]:
    page.post("/api/intake", {})
    page.say(*answers)
    messages = page.wait(ended)
    view: dict[str, Any] = next(m["view"] for m in messages if m["type"] == "event"
                                and m["event"]["event"] == "result")
    return view


def test_the_screen_plan_has_the_work_advice_the_report_has(page: Page) -> None:
    view = _plan_of(page, WORK_RELATED_A)
    work = list(PROTOCOL.profile("A").work_advice)
    assert view["work_advice"] == work
    report = " ".join(html.unescape(page.client.get("/report").text).split())
    assert "Werkgerelateerde nekpijn" in report
    for line in work:  # the same lines as the report's plan
        assert " ".join(line.split()) in report, line
    assert page.client.get("/intake").status_code == 200
    js = page.client.get("/static/app.js").text
    assert 'listBlock("Werkgerelateerde nekpijn", view.work_advice)' in js


def test_the_screen_plan_has_no_work_advice_when_work_does_not_add_to_it(page: Page) -> None:
    view = _plan_of(page, NOT_WORK_RELATED_A)
    assert view["work_advice"] == []
    assert "Werkgerelateerde nekpijn" not in page.client.get("/report").text


# --- 5: the follow-up's rules --------------------------------------------------------------------

def _patient_page(page: Page, patient: str) -> tuple[str, str]:
    handle = _handles(page.client.get("/").text)[patient]
    return handle, page.client.get(f"/patient/{handle}").text


def test_a_second_measurement_today_needs_again(page: Page) -> None:
    db = _db(page)
    add_intake(db, "P-0800", "B", date.today() - timedelta(days=14))
    handle, first = _patient_page(page, "P-0800")
    assert 'id="again"' not in first
    measured = {"handle": handle, "nprs": 6, "psk": [5, 6, 7],
                "activities": ["traplopen", "autorijden", "lezen"]}
    page.post("/api/followup", {**measured, "nonce": form_nonce(first)})
    _, second = _patient_page(page, "P-0800")
    assert 'id="again"' in second
    assert "Nog een meting vandaag telt niet als nieuwe sessie." in second
    nonce = form_nonce(second)
    refused = page.post("/api/followup", {**measured, "nonce": nonce, "nprs": 4}, status=400)
    assert refused["error"] == (f"patiënt P-0800 heeft op {date.today().isoformat()} al een "
                                "meting (pijn 6, PSK 5/6/7); nog een meting op die dag: vink "
                                "‘Nog een meting vandaag’ aan")
    assert _count(db, "SELECT COUNT(*) FROM evaluations") == 1
    page.post("/api/followup", {**measured, "nonce": nonce, "nprs": 4, "again": True})
    assert _count(db, "SELECT COUNT(*) FROM evaluations") == 2  # the same form, now asked


def test_the_worse_arm_is_asked_and_taken_only_for_profile_d(page: Page) -> None:
    db = _db(page)
    earlier = date.today() - timedelta(days=14)
    add_intake(db, "P-0801", "B", earlier)
    add_intake(db, "P-0802", "D", earlier)
    handle_b, shown_b = _patient_page(page, "P-0801")
    handle_d, shown_d = _patient_page(page, "P-0802")
    assert 'id="neuro"' not in shown_b and 'id="neuro"' in shown_d
    sent = {"nprs": 5, "psk": [5, 5, 5], "neuro_worse": True}
    refused = page.post("/api/followup", {**sent, "handle": handle_b,
                                          "nonce": form_nonce(shown_b)}, status=400)
    assert refused["error"] == ("'arm erger' hoort bij profiel D (klachten in de arm); "
                                "patiënt P-0801 heeft profiel B")
    assert _count(db, "SELECT COUNT(*) FROM evaluations") == 0
    taken = page.post("/api/followup", {**sent, "handle": handle_d,
                                        "nonce": form_nonce(shown_d)})
    assert "refer_back_gp" in taken["actions"]
    view = RecordsView(PROTOCOL, db)
    assert view.asks_arm("D") and not any(view.asks_arm(p) for p in ("A", "B", "C", None))


def test_the_command_lines_again_hint_is_said_in_the_screens_words() -> None:
    refused = UsageError("nog een meting op die dag", Advice(Hint.ADD_AGAIN, lead=": "))
    assert screen_text(refused) == "nog een meting op die dag: vink ‘Nog een meting vandaag’ aan"
