"""The therapist's screen as a test drives it: a page (the client with its cookie and CSRF
header) on an engine with its own records file, the `page` fixture (registered in conftest.py),
and readers of the page's messages. Shared by the screen's tests."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
from tests.harness import profile
from tests.intake_lines import rehearse
from tests.intake_script import IntakeScript

PORT = 8124
PROTOCOL = load_protocol()
Messages = list[dict[str, Any]]


def rehearsed(inputs: IntakeScript) -> list[tuple[str, str]]:
    """Each question an intake answered by `inputs` asks, in order, with the line typed to it
    (a read-back as "confirm:" and the question's id), up to where the script ends the
    input: the dialog run in process, so the order is the dialog's, never written out here."""
    driver = rehearse(inputs)
    out: list[tuple[str, str]] = []
    for (mode, question), reply in zip(driver.listened, driver.said, strict=True):
        if reply is None:
            break
        out.append((question if mode == "ask" else f"confirm:{question}",
                    reply if isinstance(reply, str) else reply.text))
    return out


# Profile A as the screen is asked it (the age, the complaint, the red-flag checklist, ...; no
# read-back among them): the question ids in order and the line typed to each, up to the
# choice of exercises.
PROFILE_A_STEPS = rehearsed(profile("A"))
PROFILE_A_ASKED = [question for question, _ in PROFILE_A_STEPS]
PROFILE_A_SAID = [text for _, text in PROFILE_A_STEPS]


class Page:
    """A page of the screen: the client with the cookie, and the CSRF header for POSTs."""

    def __init__(self, client: TestClient, keys: Secrets, engine: Engine) -> None:
        self.client, self.keys, self.engine = client, keys, engine
        self.used: int | None = None  # the last prompt this page answered
        client.get(f"/?token={keys.token}")

    def post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers={"x-csrf-token": self.keys.csrf})
        assert response.status_code == status, response.text
        data: dict[str, Any] = response.json()
        return data

    def say(self, *texts: str) -> None:
        """Answer as the page does: each text to the prompt open now, once it is open."""
        for text in texts:
            self.post("/api/say", {"text": text, "prompt": self.prompt()})

    def prompt(self) -> int:
        """The prompt the dialog waits on now, as the page learns it (waits for it)."""
        seq = self.wait(lambda m: open_prompt(m) is not None and open_prompt(m) != self.used)
        self.used = open_prompt(seq)
        assert self.used is not None
        return self.used

    def change(self, question: str, status: int = 200) -> dict[str, Any]:
        return self.post("/api/change", {"question": question, "prompt": self.prompt()}, status)

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


def form_nonce(page: str) -> str:
    return page.split('data-nonce="', 1)[1].split('"', 1)[0]


def open_prompt(messages: Messages) -> int | None:
    """The seq of the prompt the page may answer: the last one, unless something was heard
    (or the dialog ended) after it."""
    for message in reversed(messages):
        if message["type"] == "prompt":
            return int(message["seq"])
        if message["type"] == "status" or (message["type"] == "event"
                                           and message["event"]["event"] == "heard"):
            return None
    return None


def ended(messages: Messages) -> bool:
    return any(m["type"] == "status" and not m["running"] for m in messages)


def last_ask(messages: Messages) -> dict[str, Any]:
    return events(messages, "ask")[-1]


def screen_for(db: Path) -> tuple[TestClient, Secrets, Engine]:
    keys = Secrets(PORT)
    engine = Engine(PROTOCOL, EventHub(), db=db)
    return TestClient(create_app(engine, RecordsView(PROTOCOL, db), keys),
                      base_url=f"http://{keys.host}"), \
        keys, engine


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    client, keys, engine = screen_for(tmp_path / "records.sqlite3")
    with client:
        yield Page(client, keys, engine)
    engine.shutdown()


def shown_question(messages: Messages) -> dict[str, Any] | None:
    """The last question the page shows (an ask or a confirm message), or None."""
    for message in reversed(messages):
        if message["type"] == "event" and message["event"]["event"] in ("ask", "confirm"):
            return message
    return None


def reply_as_shown(message: dict[str, Any]) -> str:
    """What a therapist answers to the question `message` shows, read from the screen and not
    from a known order: "ja" to a read-back, "nee" where it is a button, else the first
    button; typed: a duration ("drie weken") or the age. A checklist is answered with "geen"
    (typed, as the text box allows)."""
    event, view = message["event"], message.get("view", {})
    buttons = view.get("buttons", [])
    if event["event"] == "confirm":
        return "ja"
    if view.get("checklist"):
        return "geen"
    if "nee" in buttons:
        return "nee"
    if buttons:
        return str(buttons[0])
    return "drie weken" if view.get("duration") else "47"


def answer_until(page: Page, done: Callable[[dict[str, Any]], bool],
                 limit: int = 80) -> dict[str, Any]:
    """Answer each question as it is shown (reply_as_shown) until `done` holds for the one on
    screen (the ask or confirm message); that message."""
    for _ in range(limit):
        messages = page.wait(lambda m: open_prompt(m) is not None
                             and open_prompt(m) != page.used)
        message = shown_question(messages)
        assert message is not None, messages[-5:]
        if done(message):
            return message
        page.say(reply_as_shown(message))
    raise AssertionError(f"not reached in {limit} answers")
