"""The therapist's screen in a real headless Chromium: how long a dialog event takes to show on
the page, how long from a click on an answer to the next question on screen, and the server's
memory. The server is `assistant ui --text --mute --no-browser` in its own process, as a
therapist starts it; the page is driven with selenium through Debian's chromedriver."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import Row, Section, at_most, markdown_table
from bench.stats import Summary, ms

TARGET = 0.100  # s, p95: event → page, and click → next question on screen
MEMORY_TARGET = 150 * 1024 * 1024  # bytes, peak RSS of the server (as the text intake)
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROUNDS = 3  # intakes; each answers the complaint, then clicks through the checklists
QUESTIONS = 12  # questions answered per intake after the age (up to work and the examination)
PREFERRED = ("Nee", "Geen", "Een beetje")  # the button clicked when a question has several
TYPED = (("Hoe lang", "3 weken"),)  # a typed question's answer, by the start of its text
SKIPPED_HINT = "apt-get install chromium chromium-driver"

# In the page: click the button `label` and resolve with the ms until #question changed.
CLICK = """
const label = arguments[0], done = arguments[arguments.length - 1];
const question = document.getElementById("question"), before = question.textContent;
const button = [...document.querySelectorAll("#buttons button, #checklist button")]
  .find((b) => b.textContent.trim() === label && !b.closest("[hidden]"));
if (!button) { done(null); return; }
const observer = new MutationObserver(() => {
  if (question.textContent !== before) { observer.disconnect(); done(performance.now() - t0); }
});
observer.observe(question, {childList: true, characterData: true, subtree: true});
const t0 = performance.now();
button.click();
"""
START = """
const done = arguments[arguments.length - 1];
fetch("/api/intake", {method: "POST", credentials: "same-origin",
  headers: {"Content-Type": "application/json",
            "X-CSRF-Token": document.querySelector('meta[name="csrf"]').content},
  body: "{}"}).then((r) => done(r.status));
"""


def _skipped(reason: str) -> Section:
    row = Row("screen: event → page p95", "skipped", "", "skipped")
    return Section("ui", "The therapist's screen (headless Chromium)", f"Skipped: {reason}.",
                   [row], details=f"Install the browser to measure it: `{SKIPPED_HINT}`.")


def _rss(pid: int) -> tuple[int, int]:
    """Current and peak resident set size of a process, bytes (Linux /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = {k: int(v) * 1024 for k, v in re.findall(r"(VmRSS|VmHWM):\s+(\d+) kB", status)}
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


def _driver(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                     f"--user-data-dir={profile}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def _wait(check: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError("the page did not show what was expected in time")


def _say(driver: Any, text: str) -> None:
    """Type `text` as the answer, as the page's answer field does."""
    driver.execute_async_script("""
      const text = arguments[0], done = arguments[arguments.length - 1];
      fetch("/api/say", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json",
                  "X-CSRF-Token": document.querySelector('meta[name="csrf"]').content},
        body: JSON.stringify({text: text})}).then((r) => done(r.status));""", text)


def _type(driver: Any, text: str) -> None:
    """Type `text` in the answer field and send it, then wait for the next question."""
    before = driver.execute_script("return document.getElementById('question').textContent")
    driver.execute_script("""
      const input = document.getElementById('answer-text');
      input.value = arguments[0]; input.form.requestSubmit();""", text)
    _wait(lambda: driver.execute_script(
        "return document.getElementById('question').textContent") != before)


def _round(driver: Any, clicks: list[float], shown: list[float]) -> None:
    """One intake: started from the page; the age and the duration typed; then, question by
    question, "Nee" (or the first of PREFERRED) clicked, and a checklist answered with "Geen
    van de overige" and "Klaar": each click that sends an answer is timed to the next
    question on screen, and every message published meanwhile from server to screen."""
    seq = int(driver.execute_script("return Number(document.body.dataset.seq || 0)"))
    assert driver.execute_async_script(START) == 200
    _wait(lambda: driver.execute_script(  # the age is asked first, typed (version 3)
        "return !document.getElementById('answer-text').disabled"
        " && document.getElementById('question').textContent"))
    _type(driver, "47")
    for _ in range(QUESTIONS):
        question = str(driver.execute_script(
            "return document.getElementById('question').textContent"))
        typed = next((answer for start, answer in TYPED if question.startswith(start)), None)
        if typed is not None:
            _type(driver, typed)
            continue
        if driver.execute_script("return !document.getElementById('checklist').hidden"):
            driver.execute_script(  # sets every sign to Nee; the question stays
                "document.getElementById('checklist-rest').click()")
            took = driver.execute_async_script(CLICK, "Klaar")
        else:
            labels = driver.execute_script(
                "return [...document.querySelectorAll('#buttons button')]"
                ".map((b) => b.textContent.trim())")
            if not labels:
                break  # a typed question this bench has no answer for: done
            label = next((p for p in PREFERRED if p in labels), labels[0])
            took = driver.execute_async_script(CLICK, label)
        if took is None:
            break
        clicks.append(float(took) / 1000)
    _say(driver, "stop")
    _wait(lambda: not driver.execute_script("return document.body.classList.contains('running')"))
    times = driver.execute_script("return window.uiTimes")
    shown.extend((t["shown"] - t["t"]) / 1000 for s, t in times.items() if int(s) > seq)


def measure(root: Path, rounds: int = ROUNDS) -> Section:
    """Run the server and the browser; the screen's section of docs/benchmarks.md."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return _skipped(f"{', '.join(missing)} not installed")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return _skipped("selenium is not installed (a dev dependency: `uv sync`)")
    clicks: list[float] = []
    shown: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ASSISTANT_DB": str(Path(folder) / "records.sqlite3")}
        server = subprocess.Popen(
            [sys.executable, "-m", "assistant", "ui", "--text", "--mute", "--no-browser"],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            idle_rss, _ = _rss(server.pid)
            driver = _driver(Path(folder) / "chromium")
            try:
                driver.get(url)
                driver.get(url.split("?")[0] + "intake")
                for _ in range(rounds):
                    _round(driver, clicks, shown)
            finally:
                driver.quit()
            rss, peak = _rss(server.pid)
        finally:
            server.terminate()
            server.wait(10)
    click, event = Summary.of(clicks), Summary.of(shown)
    mb = 1024 * 1024
    rows = [
        at_most("screen: event → page p95", event.p95, TARGET, ms(event.p95),
                f"≤ {ms(TARGET)}"),
        at_most("screen: click → next question p95", click.p95, TARGET, ms(click.p95),
                f"≤ {ms(TARGET)}"),
        at_most("screen: server peak RSS", peak, MEMORY_TARGET, f"{peak / mb:.0f} MB",
                f"≤ {MEMORY_TARGET // mb} MB"),
    ]
    details = markdown_table(
        ["measure", "n", "p50", "p95", "max"],
        [["event published → drawn on the page", str(event.n), ms(event.p50), ms(event.p95),
          ms(event.max)],
         ["click on an answer → next question on screen", str(click.n), ms(click.p50),
          ms(click.p95), ms(click.max)],
         ["server RSS idle / after / peak", "", f"{idle_rss / mb:.0f} MB", f"{rss / mb:.0f} MB",
          f"{peak / mb:.0f} MB"]])
    return Section(
        "ui", "The therapist's screen (headless Chromium)",
        f"`assistant ui --text --mute --no-browser` runs in its own process; Debian's headless "
        f"Chromium opens its URL through selenium. {rounds} intakes are started from the page "
        "and answered as a therapist clicks: the age and the duration typed, then 'Nee' (or "
        "'Een beetje') clicked, and each checklist (red flags, precautions) answered with "
        "'Geen van de overige' and 'Klaar', up to the questions about work. *Event → page*: "
        "each message "
        "of the event stream carries the server's time of publishing (`t`, ms since the "
        "epoch); the page notes `Date.now()` once it has drawn it (same machine, same clock). "
        "*Click → next question*: in the page, `performance.now()` at the click and again "
        "when the question's text has changed (a MutationObserver): the POST, the dialog's "
        "turn, the server-sent event and the drawing. RSS from /proc of the server process.",
        rows, details=details,
        notes="A miss here means the page lags behind the voice: the therapist hears the next "
              "question before seeing it.")
