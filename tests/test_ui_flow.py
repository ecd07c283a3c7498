"""The screen as a sink and source on the one dialog: a whole intake by POSTed answers reaches
the result (and is stored, with the report), a reload replays the events, a clicked answer is
changed as with 'terug', an interrupted intake resumes, the guided session and the follow-up run
through the page, and the live stream (server-sent events) replays to a late page."""

from __future__ import annotations

import json
import time
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient on httpx: a deprecation notice

from assistant.intake.filing import UNFINISHED
from assistant.ui.server import running
from tests import ui_loopback as loopback
from tests.harness import (
    AGE,
    END_AT_CHOICE,
    PROFILE_B_NOT_WORKING,
    RED_FLAG_QUESTIONS,
    SCREENED_BY_ID,
    intake,
)
from tests.intake_lines import PROFILE_A_LINES as PROFILE_A
from tests.intake_lines import REFERRAL_LINES as REFERRAL
from tests.intake_lines import lines
from tests.ui_screen import (
    PROFILE_A_ASKED,
    PROFILE_A_SAID,
    PROTOCOL,
    Messages,
    Page,
    ended,
    events,
    form_nonce,
    last_ask,
    open_prompt,
    screen_for,
)

# Every intake is asked the age first (version 3), then the complaint (issue 25): ASKED and
# SAID, the questions of profile A in the dialog's order and what is typed to each (the age,
# the duration, no accident, improving, not recurrent, ...).
# Profile A (PROFILE_A, as the golden intake_a): then exercises 14 and 20, read back and
# confirmed. REFERRAL: as the golden referral.
ASKED, SAID = PROFILE_A_ASKED, PROFILE_A_SAID
CHOOSE = ["14 en 20", "ja"]

def test_a_whole_intake_by_posted_answers_reaches_a_result(page: Page) -> None:
    page.post("/api/intake", {"patient": "P-0007"})
    page.say(*PROFILE_A, *CHOOSE, "nee")  # "nee": no baseline measurement now
    messages = page.wait(ended)
    results = events(messages, "result")
    assert len(results) == 1 and results[0]["result"]["profile"] == "A"
    view = next(m["view"] for m in messages if m["type"] == "event"
                and m["event"]["event"] == "result")
    assert view["grade"] == "I" and view["course"] == "normaal"
    assert view["profile"] == PROTOCOL.profile("A").title and view["advice"]
    assert view["reasons"] == results[0]["result"]["reasons"]
    chosen = [e for e in events(messages, "answer") if e["question"] == "exercise_choice"]
    assert chosen[0]["value"] == ["F14", "F20"]
    report = next(m for m in messages if m["type"] == "report")
    assert report["finished"] and report["chosen"] == ["F14", "F20"]
    notices = [m["text"] for m in messages if m["type"] == "notice"]
    assert any("Opgeslagen bij patiënt P-0007" in n for n in notices)
    assert page.engine.intake.report is not None
    printed = page.client.get("/report")
    assert "Nekpijn-intake" in printed.text and "F14" in printed.text and "P-0007" in printed.text
    assert "<script" not in printed.text  # the printable report: its own style, no script
    assert "script-src" not in printed.headers["content-security-policy"]
    assert "default-src 'none'" in printed.headers["content-security-policy"]
    asks = [m for m in messages if m["type"] == "event" and m["event"]["event"] == "ask"]
    assert asks[0]["event"]["question"] == "age_years"  # the age first
    flags = next(m for m in asks if m["event"]["question"] == "red_flags")
    assert flags["view"]["checklist"] is True  # the red flags: one checklist, every sign shown
    assert [s["id"] for s in flags["event"]["signs"]] == RED_FLAG_QUESTIONS
    assert all(s["label"] for s in flags["event"]["signs"])
    gate = next(m["view"] for m in asks if m["event"]["question"] == "arm_complaints")
    assert gate["buttons"] == ["ja", "nee"]  # the gate of the arm signs: yes or no
    impact = next(m["view"] for m in asks if m["event"]["finding"] == "adl_impact")
    assert impact["buttons"] and "fors" in impact["buttons"]
    assert [m["seq"] for m in messages] == sorted(m["seq"] for m in messages)
    page.post("/api/change", {"question": "red_flags"}, status=400)  # concluded


def test_a_referral_shows_its_urgency_and_no_menu(page: Page) -> None:
    page.post("/api/intake", {})
    page.say(*REFERRAL)
    messages = page.wait(ended)
    view = next(m["view"] for m in messages if m["type"] == "event"
                and m["event"]["event"] == "result")
    assert view["referral"] and view["urgency"] == "vandaag nog"
    assert view["grade"] == "IV" and not view["profile"] and not view["advice"]
    assert PROTOCOL.red_flag_name("spinal_cord") in view["red_flags"]
    assert not events(messages, "menu")  # no exercises at a referral
    report = next(m for m in messages if m["type"] == "report")
    assert report["finished"] and report["chosen"] == []
    assert "Verwijsbrief" in page.client.get("/report").text


def test_a_reload_replays_the_same_messages(page: Page) -> None:
    page.post("/api/intake", {})
    page.say(*SAID[:4])
    before = page.wait(lambda m: len(events(m, "answer")) == 4)
    again = page.messages()  # a reload: the same messages, from the reset on
    assert again[: len(before)] == before
    assert again[0]["type"] == "reset"
    other = Page(page.client, page.keys, page.engine).messages()  # a second page, late
    assert other[: len(before)] == before
    assert last_ask(again)["question"] == ASKED[4]


def test_clicking_an_answer_changes_it_as_terug_would(page: Page) -> None:
    page.post("/api/intake", {})
    page.say(*SAID[:5])
    page.wait(lambda m: len(events(m, "answer")) == 5)
    steps = page.change(ASKED[2])["steps"]
    assert steps == 3
    messages = page.wait(lambda m: last_ask(m)["question"] == ASKED[2])
    heard = [e["text"] for e in events(messages, "heard")]
    assert "terug" not in heard  # a typed correction, not words put in the therapist's mouth
    assert page.engine.intake.answers == ASKED[:2]
    page.say(SAID[2])  # answered anew, as before: the later answers still apply, kept
    messages = page.wait(lambda m: last_ask(m)["question"] == ASKED[5]
                         and open_prompt(m) is not None)
    assert page.engine.intake.answers == ASKED[:5]
    assert len(events(messages, "heard")) == 6  # nothing asked again but the changed one
    page.change("not_answered", status=400)


def test_changing_an_answer_while_another_waits_for_confirmation(page: Page) -> None:
    page.post("/api/intake", {})
    flags = ASKED.index("red_flags")
    page.say(*SAID[:flags], "1")  # the first red flag named: read back, waiting for ja or nee
    page.wait(lambda m: bool(events(m, "confirm")))
    assert page.change(ASKED[flags - 1])["steps"] == 2
    messages = page.wait(lambda m: last_ask(m)["question"] == ASKED[flags - 1])
    assert page.engine.intake.answers == ASKED[:flags - 1]
    assert [e["question"] for e in events(messages, "answer")] == ASKED[:flags]
    page.say(SAID[flags - 1])  # the checklist waited for its read-back: asked again
    messages = page.wait(lambda m: last_ask(m)["question"] == "red_flags"
                         and open_prompt(m) is not None)
    assert page.engine.intake.answers == ASKED[:flags]


def test_only_one_activity_at_a_time(page: Page) -> None:
    page.post("/api/intake", {})
    error = page.post("/api/intake", {}, status=409)["error"]
    assert "er loopt al een intake" in error
    page.say("stop")
    page.wait(ended)
    page.post("/api/say", {"text": "ja"}, status=400)  # nothing runs now


def test_an_interrupted_intake_resumes_from_the_start_page(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    client, keys, engine = screen_for(db)
    with client:
        page = Page(client, keys, engine)
        page.post("/api/intake", {"patient": "P-0009"})
        page.say(*SAID[:4])
        first = page.wait(lambda m: len(events(m, "answer")) == 4)
        engine.shutdown()  # as Ctrl-C: the dialog's input ends, the journal stays open
    listed = [m["view"]["shown"] for m in first if m["type"] == "event"
              and m["event"]["event"] == "answer"]
    assert listed[0] == f"{AGE} jaar"
    client, keys, engine = screen_for(db)
    with client:
        page = Page(client, keys, engine)
        start = client.get("/").text
        assert "4 antwoorden, patiënt P-0009" in start and 'class="resume"' in start
        page.post("/api/intake", {"patient": "P-0009", "resume": True})
        messages = page.wait(lambda m: bool(events(m, "ask")))
        assert last_ask(messages)["question"] == ASKED[4]
        shown = [m for m in messages if m["type"] == "event"
                 and m["event"]["event"] == "answer"]
        assert [m["event"]["question"] for m in shown] == ASKED[:4]
        # the answers that stand, shown as before the interruption
        assert [m["view"]["shown"] for m in shown] == listed
        assert page.engine.intake.answers == ASKED[:4]
        assert page.change(ASKED[3])["steps"] == 1
        page.wait(lambda m: last_ask(m)["question"] == ASKED[3])
        page.say("stop")
        page.wait(ended)
    engine.shutdown()


def test_the_session_and_the_followup_through_the_page(page: Page,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    page.post("/api/intake", {"patient": "P-0011"})
    page.say(*PROFILE_A, *CHOOSE, "nee")
    page.wait(ended)
    page.post("/api/session", {})
    messages = page.wait(lambda m: bool(events(m, "done")))
    done = events(messages, "done")[0]
    assert done["completed"] == ["F14", "F20"] and not done["stopped"]
    assert [e["code"] for e in events(messages, "exercise")] == ["F14", "F20"]
    start = page.client.get("/").text
    handle = start.split('href="/patient/', 1)[1].split('"', 1)[0]
    history = page.client.get(f"/patient/{handle}")
    assert history.status_code == 200 and "Patiënt P-0011" in history.text
    nonce = form_nonce(history.text)
    bad = page.post("/api/followup", {"handle": handle, "nonce": nonce, "nprs": 11,
                                      "psk": [1, 2, 3]}, status=400)
    assert "0 tot en met 10" in bad["error"]  # refused: the form may be sent again
    page.post("/api/followup", {"handle": handle, "nonce": nonce, "nprs": 6, "psk": [5]},
              status=400)
    sent = {"handle": handle, "nonce": nonce, "nprs": 6, "psk": [5, 6, 7],
            "activities": ["traplopen", "autorijden", "lezen"]}
    data = page.post("/api/followup", sent)
    assert data["actions"] and data["advice"]
    assert "evaluate_now" in data["actions"]  # the first measurement becomes the baseline
    again = page.post("/api/followup", sent, status=409)  # a double click: not stored twice
    assert again["error"].startswith("Deze meting is al bewaard")
    history = page.client.get(f"/patient/{handle}").text
    assert "traplopen" in history and history.count("5 / 6 / 7") == 1
    chart = page.client.get(f"/chart/{handle}.png")
    assert chart.headers["content-type"] == "image/png" and chart.content[:4] == b"\x89PNG"
    page.post("/api/followup", {"handle": handle, "nprs": 1, "psk": [1, 2, 3]},
              status=409)  # no form nonce: nothing stored
    page.post("/api/followup", {"handle": "nobody", "nprs": 1, "psk": [1, 2, 3]}, status=404)
    page.post("/api/session", {"handle": handle})  # the patient's chosen exercises again
    page.wait(lambda m: bool(events(m, "done")))
    page.post("/api/intake", {"patient": "P-0011"})  # a second intake never hides the first
    page.say(*PROFILE_A, "geen", "ja", "nee")
    page.wait(ended)
    history = page.client.get(f"/patient/{handle}").text
    assert "Eerdere intakes" in history and "1 meting(en)" in history


def _wait_for_prompt(client: httpx.Client) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        prompt = open_prompt(client.get("/api/events").json()["messages"])
        if prompt is not None:
            return prompt
        time.sleep(0.01)
    raise AssertionError("no prompt opened")


def test_the_live_stream_replays_to_a_late_page(tmp_path: Path) -> None:
    """Over a real socket: the server-sent events of an intake, replayed to a page that
    connects after they happened, then the new ones as they come."""
    with running(PROTOCOL, db=tmp_path / "records.sqlite3") as screen, \
            loopback.client(base_url=f"http://{screen.keys.host}",
                            follow_redirects=True) as client:
        assert client.get(screen.url).status_code == 200  # the redirect sets the cookie
        headers = {"x-csrf-token": screen.keys.csrf}
        assert client.post("/api/intake", json={}, headers=headers).status_code == 200
        for text in SAID[:2]:  # each answer to the prompt open then
            prompt = _wait_for_prompt(client)
            said = client.post("/api/say", json={"text": text, "prompt": prompt},
                               headers=headers)
            assert said.status_code == 200
            while open_prompt(client.get("/api/events").json()["messages"]) == prompt:
                time.sleep(0.01)
        seen: Messages = []
        sent = False
        with client.stream("GET", "/events", timeout=10) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if not line.startswith("data: "):
                    continue
                seen.append(json.loads(line[6:]))
                live = open_prompt(seen)
                if not sent and len(events(seen, "ask")) == 3 and live is not None:
                    client.post("/api/say", json={"text": SAID[2], "prompt": live},
                                headers=headers)  # live, after the replay
                    sent = True
                if len(events(seen, "answer")) == 3:
                    break
        assert seen[0]["type"] == "reset"
        assert [e["question"] for e in events(seen, "answer")] == ASKED[:3]
        assert [m["seq"] for m in seen] == sorted({m["seq"] for m in seen})


def test_a_bad_patient_id_is_refused_before_anything_starts(page: Page) -> None:
    page.post("/api/intake", {"patient": "P-0012"})
    page.say("stop")
    before = page.wait(ended)
    error = page.post("/api/intake", {"patient": "Jan de Vries"}, status=400)["error"]
    assert error.startswith("ongeldige patiënt-id")
    error = page.post("/api/intake", {"resume": True}, status=400)["error"]
    assert error == "geen onderbroken intake gevonden voor een intake zonder patiënt-id"
    assert page.messages() == before  # a start that failed leaves the last one on screen


def test_an_answer_is_taken_once_for_the_prompt_it_answers(page: Page) -> None:
    """Two quick answers (a double click, Enter twice, two tabs) answer one question, not two:
    the second is refused with 409 and nothing of it reaches the dialog."""
    page.post("/api/intake", {})
    page.say(SAID[0])  # the age first
    prompt = page.prompt()
    again = SAID[1]  # the duration, twice
    assert page.post("/api/say", {"text": again, "prompt": prompt})["ok"]
    refused = page.post("/api/say", {"text": again, "prompt": prompt}, status=409)
    assert refused["error"].startswith("Dit antwoord hoort bij een vraag die niet meer open")
    page.post("/api/say", {"text": again}, status=409)  # no prompt named at all
    page.post("/api/say", {"text": again, "prompt": True}, status=409)
    messages = page.wait(lambda m: open_prompt(m) not in (None, prompt))
    assert [e["question"] for e in events(messages, "answer")] == ASKED[:2]
    assert [e["text"] for e in events(messages, "heard")] == SAID[:2]
    assert last_ask(messages)["question"] == ASKED[2]
    page.post("/api/say", {"text": "nee", "prompt": prompt}, status=409)  # an old one
    time.sleep(0.1)
    assert page.engine.intake.answers == ASKED[:2]
    page.post("/api/say", {"text": "stop"})  # stopping answers nothing: no prompt needed
    page.wait(ended)


def test_a_double_click_on_an_answer_goes_back_once(page: Page) -> None:
    page.post("/api/intake", {})
    page.say(*SAID[:5])
    page.wait(lambda m: len(events(m, "answer")) == 5)
    prompt = page.prompt()
    body = {"question": ASKED[3], "prompt": prompt}
    assert page.post("/api/change", body)["steps"] == 2
    assert "niet meer open" in page.post("/api/change", body, status=409)["error"]
    messages = page.wait(lambda m: last_ask(m)["question"] == ASKED[3]
                         and open_prompt(m) is not None)
    assert len(events(messages, "heard")) == 5  # the five answers: the change is typed
    assert [e["question"] for e in events(messages, "ask")][-3:] == [  # back once, not twice
        ASKED[5], ASKED[4], ASKED[3]]
    assert page.engine.intake.answers == ASKED[:3]
    page.post("/api/change", {"question": ASKED[1], "prompt": prompt},
              status=409)  # the prompt it was clicked on is gone
    assert page.engine.intake.answers == ASKED[:3]


def test_a_change_cannot_slip_between_the_terugs_of_another(page: Page) -> None:
    """While a change's 'terug's are still being heard, no prompt opens to the page."""
    from assistant.ui.page_input import PageInput

    page_input = PageInput()
    page_input.put("terug")
    assert page_input.open_prompt(lambda: 99) is None
    assert not page_input.answer(99, ["nee"])
    assert page_input.poll() == "terug"
    assert page_input.open_prompt(lambda: 100) == 100
    assert page_input.answer(100, ["nee"]) and not page_input.answer(100, ["nee"])


def test_the_choice_and_the_baseline_scores_are_taken_once(page: Page) -> None:
    page.post("/api/intake", {"patient": "P-0301"})
    page.say(*PROFILE_A)
    messages = page.wait(lambda m: bool(events(m, "menu")) and open_prompt(m) is not None)
    prompt = page.prompt()
    assert last_ask(messages)["question"] == "exercise_choice"
    page.post("/api/say", {"text": "14 en 20", "prompt": prompt})
    page.post("/api/say", {"text": "14", "prompt": prompt}, status=409)
    page.say("ja", "ja", "traplopen", "autorijden", "lezen")  # confirmed; the baseline
    messages = page.wait(lambda m: last_ask(m)["question"] == "nprs"
                         and open_prompt(m) is not None)
    prompt = page.prompt()
    page.post("/api/say", {"text": "5", "prompt": prompt})
    page.post("/api/say", {"text": "7", "prompt": prompt}, status=409)  # not a PSK score
    page.say("4", "5", "6")
    messages = page.wait(ended)
    chosen = [e for e in events(messages, "answer") if e["question"] == "exercise_choice"]
    assert [e["value"] for e in chosen] == [["F14", "F20"]]
    scores = {e["question"]: e["value"] for e in events(messages, "answer")
              if e["question"] in ("nprs", "psk1", "psk2", "psk3")}
    assert scores == {"nprs": 5, "psk1": 4, "psk2": 5, "psk3": 6}


def test_the_report_folder_is_written_and_again_with_the_baseline(page: Page) -> None:
    page.post("/api/intake", {"patient": "P-0302"})
    page.say(*PROFILE_A, *CHOOSE, "ja", "traplopen", "autorijden", "lezen", "5", "4", "5", "6")
    messages = page.wait(ended)
    reports = [m for m in messages if m["type"] == "report"]
    assert len(reports) == 2  # after the intake, then with the baseline
    folders = {m["folder"] for m in reports}
    assert len(folders) == 1  # the same folder, written over by its own report
    folder = Path(folders.pop())
    assert folder.name.endswith("_P-0302")
    for name in ("report.html", "report.txt", "report.md", "findings.json", "result.json"):
        assert (folder / name).is_file(), name
    assert "Verslag bewaard in " + str(folder) in [m["text"] for m in messages
                                                    if m["type"] == "notice"]
    written = (folder / "report.md").read_text(encoding="utf-8")
    assert written == page.engine.intake.report  # the one shown is the one written
    assert "traplopen" in written  # with the baseline
    printed = page.client.get("/report").text
    assert printed == (folder / "report.html").read_text(encoding="utf-8")
    assert len(list(folder.parent.iterdir())) == 1  # one folder for one intake
    assert not (folder / UNFINISHED).exists()  # complete once the baseline is taken


def test_the_report_shown_before_the_baseline_stays_marked_unfinished(page: Page) -> None:
    """While the baseline is offered, the report folder written for the page keeps its
    unfinished mark: a screen killed now leaves a folder the next start completes, not a
    complete one beside which it writes a second (the hostile review)."""
    page.post("/api/intake", {"patient": "P-0303"})
    page.say(*PROFILE_A, *CHOOSE)
    messages = page.wait(lambda m: any(x["type"] == "report" for x in m)
                         and open_prompt(m) is not None)
    folder = Path(next(m["folder"] for m in messages if m["type"] == "report"))
    assert (folder / "report.html").is_file() and (folder / UNFINISHED).exists()
    page.say("nee")  # no baseline now
    page.wait(ended)
    assert not (folder / UNFINISHED).exists()
    assert len(list(folder.parent.iterdir())) == 1


def test_a_new_intake_never_resumes_an_interrupted_one_unasked(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    client, keys, engine = screen_for(db)
    with client:
        page = Page(client, keys, engine)
        page.post("/api/intake", {"patient": "P-0303"})
        page.say(*SAID[:2])
        page.wait(lambda m: len(events(m, "answer")) == 2)
        engine.shutdown()
    client, keys, engine = screen_for(db)
    with client:
        page = Page(client, keys, engine)
        error = page.post("/api/intake", {"patient": "P-0303"}, status=409)["error"]
        assert error.startswith("Er is een onderbroken intake (begonnen op ")
        assert "2 antwoorden, patiënt P-0303" in error and "‘Hervat’" in error
        assert not engine.running and page.messages() == []  # nothing started
        page.post("/api/intake", {"patient": "P-0303", "resume": True})  # asked: resumed
        messages = page.wait(lambda m: open_prompt(m) is not None)
        assert last_ask(messages)["question"] == ASKED[2]
        page.say("stop")
        page.wait(ended)
    engine.shutdown()


def test_a_session_while_an_intake_runs_is_busy(page: Page) -> None:
    page.post("/api/intake", {})
    error = page.post("/api/session", {}, status=409)["error"]
    assert error == "er loopt al een intake; stop die eerst"
    page.post("/api/say", {"text": "stop"})
    page.wait(ended)
    assert "kies eerst oefeningen" in page.post("/api/session", {}, status=400)["error"]


def test_screen_messages_name_no_command_line_flags() -> None:
    from assistant.errors import Advice, Hint, OutputError, RecordsCorrupt, UsageError
    from assistant.ui.hints import screen_text

    assert screen_text(UsageError("het dagboek past niet; start een nieuwe intake",
                                  option="resume")) == \
        "het dagboek past niet; start een nieuwe intake"
    assert screen_text(UsageError("de PSK-activiteiten liggen vast sinds de beginmeting: a, b, c",
                                  Advice(Hint.OMIT_PSK_ACTIVITIES))) == (
        "de PSK-activiteiten liggen vast sinds de beginmeting: a, b, c; laat de activiteiten "
        "leeg")
    assert screen_text(RecordsCorrupt("/x/r.db is geen bruikbaar gegevensbestand (x); zet het "
                                      "opzij", Advice(Hint.CHOOSE_DB, what="een ander bestand",
                                                      lead=" en "))) == (
        "/x/r.db is geen bruikbaar gegevensbestand (x); zet het opzij en kies een ander "
        "bestand bij het starten van de assistent")
    assert screen_text(UsageError("De 3 antwoorden zijn bewaard",
                                  Advice(Hint.RESUME, patient="P-1", db=Path("/x")))) == (
        "De 3 antwoorden zijn bewaard; hervat de intake op het beginscherm")
    assert screen_text(UsageError("geen oefeningen gekozen", Advice(Hint.CHOOSE_CODES),
                                  option="patient")) == "geen oefeningen gekozen"
    assert screen_text(OutputError("kan niet", Advice(Hint.GIVE_REPORT_FOLDER))) == "kan niet"


def test_a_refusal_on_the_screen_names_no_flag(page: Page, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    from assistant.errors import Advice, Hint, RecordsError

    def refused(*args: Any, **kwargs: Any) -> None:
        raise RecordsError("de PSK-activiteiten liggen vast sinds de beginmeting: a, b, c",
                           Advice(Hint.OMIT_PSK_ACTIVITIES))

    monkeypatch.setattr(page.engine, "start_intake", refused)
    error = page.post("/api/intake", {}, status=400)["error"]
    assert error.endswith("laat de activiteiten leeg") and "--" not in error


def test_a_report_that_cannot_be_written_is_still_shown_and_said_without_flags(
        page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    page.post("/api/intake", {})  # the folder is checked before the first question: fine
    monkeypatch.setenv("XDG_DATA_HOME", str(blocked))  # then it cannot be made any more
    page.say(*PROFILE_A, "geen", "ja")
    messages = page.wait(ended)
    said = [m["text"] for m in messages if m["type"] == "notice"
            and m["text"].startswith("Het verslag kon niet worden bewaard: ")]
    assert len(said) == 1 and "--" not in said[0]
    report = next(m for m in messages if m["type"] == "report")
    assert report["folder"] is None and report["finished"]
    assert "Nekpijn-intake" in page.client.get("/report").text  # printable all the same


# Profile B with an infection not ruled out (as test_dialog's): a provisional plan.
PROVISIONAL = lines(intake(SCREENED_BY_ID, PROFILE_B_NOT_WORKING, END_AT_CHOICE,
                           {"rf_infection": ["weet ik niet", "niet getest"]}))


def test_a_provisional_plan_says_so_in_its_view(page: Page) -> None:
    page.post("/api/intake", {})
    page.say(*PROVISIONAL)
    messages = page.wait(lambda m: bool(events(m, "result")))
    view = next(m["view"] for m in messages if m["type"] == "event"
                and m["event"]["event"] == "result")
    assert view["provisional"] is True and view["profile"]
    assert view["unresolved"] == [PROTOCOL.red_flag_name("infection")]
    page.say("stop")
    page.wait(ended)
    shown = page.client.get("/intake").text
    assert 'id="result-provisional"' in shown  # the banner the page fills in
    assert shown.index('id="result-provisional"') < shown.index('id="result-headline"')


def test_a_stored_referral_is_said_as_a_profile_is(page: Page) -> None:
    page.post("/api/intake", {"patient": "P-0008"})
    page.say(*REFERRAL)
    messages = page.wait(ended)
    notices = [m["text"] for m in messages if m["type"] == "notice"]
    assert any(n.startswith("Opgeslagen bij patiënt P-0008 (") for n in notices), notices


def test_an_exercise_start_carries_its_starting_position(page: Page,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_FAST_CLOCK", "1")
    page.post("/api/intake", {})
    page.say(*PROFILE_A, *CHOOSE)  # no patient id: no baseline offer
    page.wait(ended)
    page.post("/api/session", {})
    messages = page.wait(lambda m: bool(events(m, "done")))
    started = [m for m in messages if m["type"] == "event"
               and m["event"]["event"] == "exercise"]
    first = PROTOCOL.library.exercise("F14")
    assert started[0]["view"] == {"purpose": first.purpose, "video": first.video,
                                  "start": first.start}
    assert first.start and first.purpose


def test_a_double_volgende_skips_one_exercise(page: Page) -> None:
    """Two clicks on 'Volgende' for the same exercise: one is sent, the other refused (409);
    a command naming an exercise no longer under way is refused too."""
    page.post("/api/intake", {})
    page.say(*PROFILE_A, *CHOOSE)
    page.wait(ended)
    page.post("/api/session", {})  # the real clock: the first exercise takes its time
    page.wait(lambda m: bool(events(m, "exercise")))
    page.post("/api/say", {"text": "volgende", "exercise": 1})
    again = page.post("/api/say", {"text": "volgende", "exercise": 1}, status=409)
    assert again["error"]
    messages = page.wait(lambda m: len(events(m, "exercise")) == 2)
    assert [e["code"] for e in events(messages, "exercise")] == ["F14", "F20"]
    page.post("/api/say", {"text": "volgende", "exercise": 1}, status=409)  # F14 is over
    page.post("/api/say", {"text": "pauze", "exercise": 1}, status=409)
    time.sleep(0.3)
    messages = page.messages()
    assert not events(messages, "done")  # F20 still under way: not skipped
    page.post("/api/say", {"text": "stop"})
    done = events(page.wait(lambda m: bool(events(m, "done"))), "done")[0]
    assert done["skipped"] == ["F14"] and done["stopped"]


def test_the_patient_page_warns_of_a_second_measurement_today(page: Page) -> None:
    page.post("/api/intake", {"patient": "P-0012"})
    page.say(*PROFILE_A, "geen", "ja", "nee")
    page.wait(ended)
    handle = page.client.get("/").text.split('href="/patient/', 1)[1].split('"', 1)[0]
    first = page.client.get(f"/patient/{handle}").text
    assert "Vandaag is al gemeten" not in first
    page.post("/api/followup", {"handle": handle, "nonce": form_nonce(first), "nprs": 6,
                                "psk": [5, 6, 7], "activities": ["traplopen", "lezen", "fietsen"]})
    second = page.client.get(f"/patient/{handle}").text
    assert "Vandaag is al gemeten. Nog een meting vandaag telt niet als nieuwe sessie." in second
    assert 'id="again"' in second  # asked for explicitly, as --again on the command line
    assert 'id="history-card"' in second  # what the page refreshes after a save


def test_a_patient_whose_intake_runs_elsewhere_is_refused_with_409(page: Page,
                                                                  tmp_path: Path) -> None:
    """The command line holds P-0300's intake: the screen may not answer it too (both would
    write into one journal)."""
    from assistant.intake.records import IntakeRecords

    elsewhere = IntakeRecords.open(tmp_path / "records.sqlite3", "P-0300", date(2026, 11, 30),
                                   resume=False)
    try:
        refused = page.post("/api/intake", {"patient": "p-0300"}, status=409)
        assert "loopt al" in str(refused)
    finally:
        elsewhere.close()
