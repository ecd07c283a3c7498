"""The screen in a real headless Chromium, as the browser tests drive it: the `driver`
fixture (Debian's chromium and chromedriver; skipped with the reason when they are absent,
failed when CI is set), the `screen` fixture (a running screen on its own records), and the
live page driven as a therapist would (`Live`). Screenshots go to /tmp/ui-shots/."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.protocol import load_protocol
from assistant.ui.server import Screen, running

PROTOCOL = load_protocol()
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOTS = Path("/tmp/ui-shots")
REBOUND = "rebound.test"  # a name that resolves to 127.0.0.1, as after DNS rebinding
WAIT = 15.0  # s for anything to show on the page


def _browser_missing() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return None
    return (f"{', '.join(missing)} not installed; run `apt-get install chromium "
            "chromium-driver` to run the real-browser test")


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _browser_missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                     f"--host-resolver-rules=MAP {REBOUND} 127.0.0.1",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def screen(tmp_path: Path) -> Iterator[Screen]:
    with running(PROTOCOL, db=tmp_path / "records.sqlite3") as served:
        yield served


def until(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # the element is being replaced: look again
            value = None
        if value:
            return value
        time.sleep(0.03)
    raise AssertionError(f"timed out waiting for {what}")


def still(driver: Any) -> None:
    """Until the page has stopped scrolling: the screen brings a new question into view
    smoothly, and a click while it moves lands where the button was a moment before (a lost
    click). A therapist clicks what stands still; so do the tests."""
    seen: list[Any] = []

    def stopped() -> bool:
        seen.append(driver.execute_script("return [window.scrollX, window.scrollY]"))
        return len(seen) >= 4 and all(place == seen[-1] for place in seen[-4:])  # ~0.1 s
    until(stopped, "the page to stop scrolling")


def shot(driver: Any, name: str) -> None:
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


class Live:
    """The live page, driven as a therapist would: clicking buttons, typing answers."""

    def __init__(self, driver: Any) -> None:
        from selenium.webdriver.common.by import By

        self.driver, self.by = driver, By

    def find(self, css: str) -> Any:
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        return str(self.find(css).text)

    def question(self) -> str:
        return self.text("#question")

    def seq(self) -> int:
        return int(self.driver.execute_script("return Number(document.body.dataset.seq || 0)"))

    def _after(self, act: Callable[[], None], what: str) -> None:
        """Do `act`, then wait for the page to show what the dialog did next."""
        before = self.question(), self.seq()
        act()
        until(lambda: self.seq() > before[1]
              and (self.question() != before[0] or not self.find("#question-panel")
                   .is_displayed()), what)

    def button(self, label: str) -> Any:
        """The answer button `label`, once the dialog listens (it is enabled)."""
        def enabled() -> Any:
            buttons = self.driver.find_elements(self.by.CSS_SELECTOR, "#buttons button")
            button = next(b for b in buttons if b.text == label)
            return button if button.is_enabled() else None
        found = until(enabled, f"the button {label!r} enabled")
        still(self.driver)
        return found

    def in_view(self, css: str) -> bool:
        """`css` wholly in the window (and not scrolling there any more)."""
        return bool(self.driver.execute_script(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
            "return r.top >= 0 && r.bottom <= window.innerHeight;", css))

    def enabled(self, css: str) -> Any:
        """The element `css`, once it is enabled and the page stands still (to click)."""
        found = until(lambda: self.find(css) if self.find(css).is_enabled() else None,
                      f"{css} enabled")
        still(self.driver)
        return found

    def click(self, label: str) -> None:
        self._after(lambda: self.button(label).click(), f"the question after {label!r}")

    def type(self, answer: str) -> None:
        def act() -> None:
            box = self.enabled("#answer-text")
            box.send_keys(answer)
            self.find("#answer-form button").click()
        self._after(act, f"the question after typing {answer!r}")

    def shows_checklist(self) -> bool:
        return bool(self.find("#checklist").is_displayed())

    def labels(self) -> list[str]:
        """The answer buttons on screen, by their labels."""
        return [str(b.text) for b in
                self.driver.find_elements(self.by.CSS_SELECTOR, "#buttons button")]

    def none_of_them(self) -> None:
        """A checklist answered "geen" on screen: 'Geen van de overige', then 'Klaar'."""
        self.enabled("#checklist-rest").click()
        until(lambda: self.driver.execute_script(  # every sign has its choice on screen
            "return [...document.querySelectorAll('#signs fieldset')].every("
            "(f) => f.querySelector('input:checked'))"), "every sign chosen")
        self._after(lambda: self.enabled("#checklist-done").click(),
                    "the question after the checklist")

    def ready(self) -> None:
        """Until the page takes an answer (the dialog listens to the question on screen)."""
        until(lambda: self.driver.execute_script(
            "return !document.body.classList.contains('waiting')"), "the page open to answer")

    def answer(self, text: str) -> None:
        """Answer the question on screen with `text` as a therapist does here (once it takes
        one): a checklist's "geen" with its buttons, an answer that is a button by clicking
        it, else typed."""
        self.ready()
        if text == "geen" and self.shows_checklist():
            self.none_of_them()
        elif text in self.labels():
            self.click(text)
        else:
            self.type(text)

    def answers(self) -> list[Any]:
        """The answers listed (each an item: its label and value as shown)."""
        return list(self.driver.find_elements(self.by.CSS_SELECTOR, "#answers .answer-item"))

    def listed(self) -> list[str]:
        """The answers listed, as text (label and value)."""
        return [" ".join(str(item.text).split()) for item in self.answers()]
