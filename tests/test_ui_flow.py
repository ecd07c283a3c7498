"""The screen as a sink and source on the one dialog: a whole intake by POSTed answers reaches
the result (and is stored, with the report), a reload replays the events, a clicked answer is
changed as with 'terug', an interrupted intake resumes, the guided session and the follow-up run
through the page, and the live stream (server-sent events) replays to a late page."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient on httpx: a deprecation notice
    from starlette.testclient import TestClient

from assistant.protocol import load_protocol
from assistant.ui.app import create_app
from assistant.ui.engine import Engine
from assistant.ui.hub import EventHub
from assistant.ui.records_view import RecordsView
from assistant.ui.security import Secrets
from assistant.ui.server import running
from tests.harness import AFTER_FLAGS, NO_NEURO, NO_RED_FLAGS, RED_FLAG_QUESTIONS, SCREENED

PORT = 8124
BASE = f"http://127.0.0.1:{PORT}"
PROTOCOL = load_protocol()
# Profile A (as the golden intake_a): then exercises 14 and 20, read back and confirmed.
PROFILE_A = [*SCREENED, *NO_NEURO, "een beetje", "drie weken", "ja", "nee", "nee"]
CHOOSE = ["14 en 20", "ja"]
# A referral (as the golden one): a sign of the spinal cord, confirmed; an infection not ruled out.
REFERRAL = [*NO_RED_FLAGS[:5], "ja", "ja", "weet ik niet", "weet ik niet", *NO_RED_FLAGS[7:],
            *AFTER_FLAGS]
Messages = list[dict[str, Any]]


class Page:
    """A page of the screen: the client with the cookie, and the CSRF header for POSTs."""

    def __init__(self, client: TestClient, keys: Secrets, engine: Engine) -> None:
        self.client, self.keys, self.engine = client, keys, engine
        client.get(f"/?token={keys.token}")

    def post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers={"x-csrf-token": self.keys.csrf})
        assert response.status_code == status, response.text
        data: dict[str, Any] = response.json()
        return data

    def say(self, *texts: str) -> None:
        for text in texts:
            self.post("/api/say", {"text": text})

    def messages(self) -> Messages:
        data: Messages = self.client.get("/api/events").json()["messages"]
        return data

    def wait(self, done: Callable[[Messages], bool], timeout: float = 20.0) -> Messages:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages()
            if done(messages):
                return messages
            time.sleep(0.02)
        raise AssertionError(f"timed out; last messages: {self.messages()[-5:]}")


def events(messages: Messages, kind: str | None = None) -> list[dict[str, Any]]:
    return [m["event"] for m in messages
            if m["type"] == "event" and (kind is None or m["event"]["event"] == kind)]


def ended(messages: Messages) -> bool:
    return any(m["type"] == "status" and not m["running"] for m in messages)


def last_ask(messages: Messages) -> dict[str, Any]:
    return events(messages, "ask")[-1]


def screen_for(db: Path) -> tuple[TestClient, Secrets, Engine]:
    keys = Secrets(PORT)
    engine = Engine(PROTOCOL, EventHub(), db=db)
    return TestClient(create_app(engine, RecordsView(PROTOCOL, db), keys), base_url=BASE), \
        keys, engine


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    client, keys, engine = screen_for(tmp_path / "records.sqlite3")
    with client:
        yield Page(client, keys, engine)
    engine.shutdown()


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
    first = asks[0]["view"]
    assert first["buttons"] == ["ja", "nee", "weet ik niet"]  # a red flag: doubt is a button
    impact = next(m["view"] for m in asks if m["event"]["finding"] == "adl_impact")
    assert impact["buttons"] and "fors" in impact["buttons"]
    assert [m["seq"] for m in messages] == sorted(m["seq"] for m in messages)
    page.post("/api/change", {"question": RED_FLAG_QUESTIONS[0]}, status=400)  # concluded


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
    page.say("nee", "nee", "nee")
    before = page.wait(lambda m: len(events(m, "answer")) == 3)
    again = page.messages()  # a reload: the same messages, from the reset on
    assert again[: len(before)] == before
    assert again[0]["type"] == "reset"
    other = Page(page.client, page.keys, page.engine).messages()  # a second page, late
    assert other[: len(before)] == before
    assert last_ask(again)["question"] == RED_FLAG_QUESTIONS[3]


def test_clicking_an_answer_changes_it_as_terug_does(page: Page) -> None:
    page.post("/api/intake", {})
    page.say("nee", "nee", "nee", "nee")
    page.wait(lambda m: len(events(m, "answer")) == 4)
    steps = page.post("/api/change", {"question": RED_FLAG_QUESTIONS[1]})["steps"]
    assert steps == 3
    messages = page.wait(lambda m: last_ask(m)["question"] == RED_FLAG_QUESTIONS[1])
    heard = [e["text"] for e in events(messages, "heard")]
    assert heard[-3:] == ["terug"] * 3  # the page says what a therapist could have said
    assert page.engine.intake.answers == [RED_FLAG_QUESTIONS[0]]
    page.post("/api/change", {"question": "not_answered"}, status=400)


def test_changing_an_answer_while_another_waits_for_confirmation(page: Page) -> None:
    page.post("/api/intake", {})
    page.say("nee", "nee", "ja")  # the third: a red flag, read back, waiting for ja or nee
    page.wait(lambda m: bool(events(m, "confirm")))
    assert page.post("/api/change", {"question": RED_FLAG_QUESTIONS[1]})["steps"] == 2
    messages = page.wait(lambda m: last_ask(m)["question"] == RED_FLAG_QUESTIONS[1])
    assert page.engine.intake.answers == [RED_FLAG_QUESTIONS[0]]
    assert [e["question"] for e in events(messages, "answer")] == RED_FLAG_QUESTIONS[:2]


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
        page.say("nee", "nee", "nee")
        page.wait(lambda m: len(events(m, "answer")) == 3)
        engine.shutdown()  # as Ctrl-C: the dialog's input ends, the journal stays open
    client, keys, engine = screen_for(db)
    with client:
        page = Page(client, keys, engine)
        start = client.get("/").text
        assert "3 antwoorden, patiënt P-0009" in start and 'class="resume"' in start
        page.post("/api/intake", {"patient": "P-0009", "resume": True})
        messages = page.wait(lambda m: bool(events(m, "ask")))
        assert last_ask(messages)["question"] == RED_FLAG_QUESTIONS[3]
        shown = [m for m in messages if m["type"] == "event"
                 and m["event"]["event"] == "answer"]
        assert [m["event"]["question"] for m in shown] == RED_FLAG_QUESTIONS[:3]
        assert [m["view"]["shown"] for m in shown] == ["nee"] * 3  # the answers that stand
        assert page.engine.intake.answers == RED_FLAG_QUESTIONS[:3]
        assert page.post("/api/change", {"question": RED_FLAG_QUESTIONS[2]})["steps"] == 1
        page.wait(lambda m: last_ask(m)["question"] == RED_FLAG_QUESTIONS[2])
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
    data = page.post("/api/followup", {"handle": handle, "nprs": 6, "psk": [5, 6, 7],
                                       "activities": ["traplopen", "autorijden", "lezen"]})
    assert data["actions"] and data["advice"]
    assert "evaluate_now" in data["actions"]  # the first measurement becomes the baseline
    history = page.client.get(f"/patient/{handle}").text
    assert "traplopen" in history and "5 / 6 / 7" in history
    chart = page.client.get(f"/chart/{handle}.png")
    assert chart.headers["content-type"] == "image/png" and chart.content[:4] == b"\x89PNG"
    bad = page.post("/api/followup", {"handle": handle, "nprs": 11, "psk": [1, 2, 3]},
                    status=400)
    assert "0 tot en met 10" in bad["error"]
    page.post("/api/followup", {"handle": "nobody", "nprs": 1, "psk": [1, 2, 3]}, status=404)
    page.post("/api/session", {"handle": handle})  # the patient's chosen exercises again
    page.wait(lambda m: bool(events(m, "done")))
    page.post("/api/intake", {"patient": "P-0011"})  # a second intake never hides the first
    page.say(*PROFILE_A, "geen", "ja", "nee")
    page.wait(ended)
    history = page.client.get(f"/patient/{handle}").text
    assert "Eerdere intakes" in history and "1 meting(en)" in history


def test_the_live_stream_replays_to_a_late_page(tmp_path: Path) -> None:
    """Over a real socket: the server-sent events of an intake, replayed to a page that
    connects after they happened, then the new ones as they come."""
    with running(PROTOCOL, db=tmp_path / "records.sqlite3") as screen:
        base = f"http://127.0.0.1:{screen.keys.port}"
        with httpx.Client(base_url=base, follow_redirects=True) as client:
            assert client.get(screen.url).status_code == 200  # the redirect sets the cookie
            headers = {"x-csrf-token": screen.keys.csrf}
            assert client.post("/api/intake", json={}, headers=headers).status_code == 200
            for _ in range(2):
                client.post("/api/say", json={"text": "nee"}, headers=headers)
            seen: Messages = []
            sent = False
            with client.stream("GET", "/events", timeout=10) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                for line in stream.iter_lines():
                    if not line.startswith("data: "):
                        continue
                    seen.append(json.loads(line[6:]))
                    if not sent and len(events(seen, "ask")) == 3:  # live, after the replay
                        client.post("/api/say", json={"text": "nee"}, headers=headers)
                        sent = True
                    if len(events(seen, "answer")) == 3:
                        break
            assert seen[0]["type"] == "reset"
            assert [e["question"] for e in events(seen, "answer")] == RED_FLAG_QUESTIONS[:3]
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
