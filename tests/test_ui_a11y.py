"""The screen at the treatment table (issue 25, item 6) in a real headless Chromium: axe-core
(shipped offline in the dev dependency axe-core-python) finds no critical and no serious
violation on any page state reached (start, a yes/no question, a choice, a checklist and its
refusal, a read-back, the stop dialog, the result, the records on the start page, the patient
page); the intake page and the patient page fit a 390 px phone without horizontal scroll;
every tap target is at least 44 × 44 px; where the intake is, is shown; and an intake done
with the keyboard alone (Tab, Space, Enter) puts the focus on each new question, with a focus
ring of 3:1 or more against what is behind it. The answers are read from the screen, not from a
known order of questions. axe's figures per state go to /tmp/ui-shots/axe.json."""

from __future__ import annotations

import json
import time
from importlib.resources import files
from typing import Any

from assistant.ui.server import Screen
from tests import ui_chromium
from tests.ui_chromium import SHOTS, shot, still, until

driver, screen = ui_chromium.driver, ui_chromium.screen  # the fixtures
AXE = (files("axe_core_python") / "axe.min.js").read_text("utf-8")  # axe-core, offline
FIGURES: dict[str, dict[str, Any]] = {}  # page state → violations per impact, and which
PHONE = (390, 844)
DESKTOP = (1280, 800)
MIN_TARGET = 43.5  # px: 44, less what rounding takes off

STATE_JS = """
const panel = document.getElementById('question-panel');
const visible = (id) => { const n = document.getElementById(id);
  return !!n && !n.hidden && n.getClientRects().length > 0; };
return {
  shown: panel.dataset.shown || '',
  question: visible('question-panel') ? document.getElementById('question').textContent : '',
  confirming: panel.classList.contains('confirming'),
  checklist: visible('checklist'),
  buttons: [...document.querySelectorAll('#buttons button')].map((b) => b.textContent),
  placeholder: document.getElementById('answer-text').placeholder,
  open: !document.body.classList.contains('waiting'),
  menu: visible('menu-panel'),
  result: visible('result-panel'),
  running: document.body.classList.contains('running'),
  active: document.activeElement ? document.activeElement.id : '',
};
"""

TARGETS_JS = """
const small = [];
for (const node of document.querySelectorAll(
    'button, a[href], input, select, textarea, [role=button], [tabindex]')) {
  if (node.matches('a') && node.closest('p')) continue;  // a link in a sentence (exempt)
  if (node.id === 'question' || node.matches('.table-scroll')) continue;  // not tapped
  let target = node;
  if (node.matches('input[type=radio], input[type=checkbox]')) {
    target = node.closest('label') || document.querySelector(`label[for="${node.id}"]`) || node;
  }
  const box = target.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || getComputedStyle(target).visibility === 'hidden')
    continue;
  if (box.width < arguments[0] || box.height < arguments[0])
    small.push(`${target.tagName.toLowerCase()}#${target.id}.${target.className} ` +
               `'${target.textContent.trim().slice(0, 30)}' ${box.width}x${box.height}`);
}
return small;
"""

RING_JS = """
const node = document.activeElement;
let target = node;
if (node.matches('input[type=radio], input[type=checkbox]')) {
  target = node.closest('label') || document.querySelector(`label[for="${node.id}"]`) || node;
}
const style = getComputedStyle(target);
let behind = target.parentElement, color = 'rgb(255, 255, 255)';
while (behind) {
  const fill = getComputedStyle(behind).backgroundColor;
  if (fill && fill !== 'transparent' && !fill.endsWith(', 0)')) { color = fill; break; }
  behind = behind.parentElement;
}
return {id: node.id, text: (node.textContent || node.value || '').trim().slice(0, 30),
        style: style.outlineStyle, width: parseFloat(style.outlineWidth),
        ring: style.outlineColor, behind: color};
"""


def _luminance(css: str) -> float:
    inside = css[css.index("(") + 1:css.index(")")]
    red, green, blue = (int(float(v)) for v in inside.split(",")[:3])

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def axe(driver: Any, state: str) -> None:
    """Run axe-core on the page as it is: no critical and no serious violation."""
    driver.set_script_timeout(60)
    driver.execute_script(AXE)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then((r) => done("
        "r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}))));")
    figures = dict.fromkeys(("critical", "serious", "moderate", "minor"), 0)
    for violation in violations:
        figures[violation["impact"]] += 1
    FIGURES[state] = {**figures, "rules": sorted(f"{v['impact']}: {v['id']}"
                                                 for v in violations)}
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "axe.json").write_text(json.dumps(FIGURES, indent=1), "utf-8")
    shot(driver, f"a11y-{state.replace(' ', '-')}")
    bad = [v for v in violations if v["impact"] in ("critical", "serious")]
    assert bad == [], f"{state}: {bad}"
    targets_are_large(driver, state)


def fits_a_phone(driver: Any, state: str) -> None:
    """At 390 px wide: no horizontal scroll, every tap target 44 × 44 px or more."""
    driver.set_window_size(*PHONE)
    try:
        until(lambda: driver.execute_script("return window.innerWidth") <= PHONE[0],
              "the phone's width")
        wide = driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        shot(driver, f"a11y-phone-{state.replace(' ', '-')}")
        assert wide[0] <= wide[1], f"{state}: {wide[0]} px wide at {wide[1]} px"
        small = driver.execute_script(TARGETS_JS, MIN_TARGET)
        assert small == [], f"{state}: {small}"
    finally:
        driver.set_window_size(*DESKTOP)


def targets_are_large(driver: Any, state: str) -> None:
    small = driver.execute_script(TARGETS_JS, MIN_TARGET)
    assert small == [], f"{state}: {small}"


class Screenful:
    """The live page, read as a therapist reads it and answered with clicks or typing."""

    def __init__(self, driver: Any) -> None:
        from selenium.webdriver.common.by import By

        self.driver, self.by = driver, By

    def state(self) -> dict[str, Any]:
        found: dict[str, Any] = self.driver.execute_script(STATE_JS)
        return found

    def find(self, css: str) -> Any:
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def ready(self, after: str = "", settle: bool = True) -> dict[str, Any]:
        """The next screen to answer (a question other than `after`, open), or the end; once
        the page stands still unless `settle` is False (as it is the moment it shows)."""
        last: list[dict[str, Any]] = []

        def done() -> dict[str, Any] | None:
            now = self.state()
            last[:] = [now]
            if not now["running"] and now["result"]:
                return now
            if (now["question"] and now["shown"] != after and now["open"]
                    and now["active"] in ("question", "answer-text")):  # focus has moved
                return now
            return None
        try:
            found: dict[str, Any] = until(done, f"the screen after {after!r}")
        except AssertionError as error:  # what the screen showed instead, to see why
            raise AssertionError(f"{error}; the screen last showed {last}") from None
        if settle:
            still(self.driver)  # a new question is brought into view smoothly: click it still
        return found

    def in_view(self) -> bool:
        """The question wholly in the window."""
        return bool(self.driver.execute_script(
            "const r = document.getElementById('question').getBoundingClientRect();"
            "return r.top >= 0 && r.bottom <= window.innerHeight;"))

    def click(self, css: str) -> None:
        until(lambda: self.find(css).is_enabled(), f"{css} enabled")
        self.find(css).click()

    def button(self, label: str) -> None:
        buttons = self.driver.find_elements(self.by.CSS_SELECTOR, "#buttons button")
        next(b for b in buttons if b.text == label).click()

    def type(self, text: str) -> None:
        box = self.find("#answer-text")
        box.clear()
        box.send_keys(text)
        self.find("#answer-form button").click()

    def answer(self, now: dict[str, Any]) -> None:
        """Answer what is on screen: a read-back "ja"; a checklist: the rest "nee", then
        Klaar; the menu: no exercises; "nee" where it is a button, else the first button;
        typed: a duration or the age."""
        if now["confirming"]:
            self.button("ja")
        elif now["menu"]:
            self.click("#choose-none")
        elif now["checklist"]:
            self.click("#checklist-rest")
            self.click("#checklist-done")
        elif "nee" in now["buttons"]:
            self.button("nee")
        elif now["buttons"]:
            self.button(now["buttons"][0])
        else:
            self.type("drie weken" if "duur" in now["placeholder"] else "47")


def test_every_state_of_the_screen_passes_axe_and_fits(driver: Any, screen: Screen) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Screenful(driver)
    driver.set_window_size(*DESKTOP)
    driver.get(screen.url)
    axe(driver, "start")
    fits_a_phone(driver, "start")
    page.find("#patient").send_keys("P-0200")
    page.find("#start-intake").click()
    until(lambda: driver.current_url.endswith("/intake"), "the intake page")
    now = page.ready()
    assert now["active"] == "answer-text"  # the first question: focus where to type
    page.type("weet niet hoor")  # not an age: asked again, with why, said at once
    reason = until(lambda: page.find("#reprompt").text, "the reason")
    until(lambda: page.find("#announce-alert").text == reason, "the reason said")
    now = page.ready(now["shown"])
    assert now["active"] == "answer-text" and page.find("#reprompt").is_displayed()
    assert page.find("#parts-card").is_displayed()
    current = driver.find_elements(page.by.CSS_SELECTOR, '#parts li[aria-current="step"]')
    assert len(current) == 1 and "nu" in current[0].text
    section = page.find("#section").text.lower()
    assert " — deel 1 van " in section, section
    seen: set[str] = set()
    stopped_once = confirmed_once = refused_once = False
    for _ in range(80):
        if now["result"] and not now["running"]:
            break
        if now["confirming"]:
            if "confirm" not in seen:
                axe(driver, "confirm")
                seen.add("confirm")
        elif now["menu"]:
            axe(driver, "result and menu")
        elif now["checklist"]:
            if not refused_once:  # Klaar with nothing chosen: refused, and said
                axe(driver, "checklist")
                fits_a_phone(driver, "checklist")
                page.click("#checklist-done")
                error = until(lambda: page.find("#checklist-error").text, "the refusal")
                assert error.startswith("Nog niet klaar")
                assert driver.execute_script("return document.activeElement.type") == "radio"
                said = str(error)
                until(lambda: page.find("#announce-alert").text == said,  # noqa: B023
                      "the refusal said")
                axe(driver, "checklist refused")
                refused_once = True
            elif not confirmed_once:  # typed numbers: read back, then not confirmed
                page.type("1")
                now = page.ready(now["shown"])
                assert now["confirming"], now
                axe(driver, "confirm")
                seen.add("confirm")
                page.button("nee")
                now = page.ready(now["shown"])
                confirmed_once = True
                continue
        elif now["buttons"] and set(now["buttons"]) <= {"ja", "nee", "weet ik niet"}:
            if "yes/no" not in seen:
                axe(driver, "yes/no question")
                fits_a_phone(driver, "yes/no question")
                seen.add("yes/no")
            elif not stopped_once:  # Stop asks first; Escape goes back to the question
                page.click("#stop-intake")
                until(lambda: page.find("#stop-dialog").is_displayed(), "the stop dialog")
                assert "blijven bewaard" in page.find("#stop-text").text
                assert driver.execute_script("return document.activeElement.id") == "stop-no"
                axe(driver, "stop dialog")
                driver.switch_to.active_element.send_keys(Keys.ESCAPE)
                until(lambda: not page.find("#stop-dialog").is_displayed(), "the dialog closed")
                assert driver.execute_script("return document.activeElement.id") == \
                    "stop-intake"
                assert page.state()["running"]
                stopped_once = True
        elif now["buttons"] and "choice" not in seen:
            axe(driver, "choice question")
            seen.add("choice")
        before = now["shown"]
        page.answer(now)
        now = page.ready(before)
    assert {"yes/no", "choice", "confirm"} <= seen and stopped_once and refused_once
    until(lambda: page.find("#result-panel").is_displayed(), "the result")
    axe(driver, "result")
    # after the result: every answer stands, in full, readable (4.5:1 or more)
    items = driver.find_elements(page.by.CSS_SELECTOR, "#answers .answer-item")
    assert items and not driver.find_elements(page.by.CSS_SELECTOR, "#answers button")
    for item in items:
        for part in item.find_elements(page.by.CSS_SELECTOR, ".label, .value"):
            assert "…" not in part.text
            color = part.value_of_css_property("color")
            opacity = float(driver.execute_script(
                "let n = arguments[0], o = 1; while (n) { o *= Number(getComputedStyle(n)"
                ".opacity); n = n.parentElement; } return o;", part))
            assert opacity == 1.0 and contrast(color, "rgb(255, 255, 255)") >= 4.5
    states = [li.get_attribute("class") for li in
              driver.find_elements(page.by.CSS_SELECTOR, "#parts li")]
    assert all(s in ("part done", "part skipped") for s in states), states
    assert not driver.find_elements(page.by.CSS_SELECTOR, '#parts li[aria-current]')

    driver.get(screen.url)  # the records: the patient listed
    until(lambda: driver.find_element(page.by.LINK_TEXT, "P-0200"), "the patient listed")
    axe(driver, "records")
    driver.find_element(page.by.LINK_TEXT, "P-0200").click()
    until(lambda: "/patient/" in driver.current_url, "the patient page")
    axe(driver, "patient page")
    fits_a_phone(driver, "patient page")
    for box, name in zip(driver.find_elements(page.by.CSS_SELECTOR, 'input[name="activity"]'),
                         ("traplopen", "autorijden", "lezen"), strict=False):
        box.send_keys(name)
    page.find("#nprs").send_keys("6")
    for box in driver.find_elements(page.by.CSS_SELECTOR, 'input[name="psk"]'):
        box.send_keys("5")
    page.find("#save-followup").click()
    until(lambda: page.find("#followup-result").is_displayed(), "the advice")
    until(lambda: driver.find_elements(page.by.CSS_SELECTOR, "table.measurements"),
          "the table")
    axe(driver, "patient page with a measurement")
    fits_a_phone(driver, "patient page with a measurement")


def test_with_less_motion_asked_for_each_question_is_in_view_at_once(
        driver: Any, screen: Screen) -> None:
    """prefers-reduced-motion (WCAG 2.3.3): the screen brings each new question into view at
    once, without the smooth scroll, from the first question to the result."""
    page = Screenful(driver)
    driver.set_window_size(*PHONE)  # short: most questions come after a scroll
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
    try:
        driver.get(screen.url)
        assert driver.execute_script(
            "return matchMedia('(prefers-reduced-motion: reduce)').matches")
        page.find("#patient").send_keys("P-0201")
        page.find("#start-intake").click()
        until(lambda: driver.current_url.endswith("/intake"), "the intake page")
        now, asked = page.ready(settle=False), 0
        while not (now["result"] and not now["running"]):
            assert page.in_view(), f"not in view at once: {now['question']!r}"
            asked += 1
            assert asked < 80, "the intake did not end"
            page.answer(now)
            now = page.ready(now["shown"], settle=False)
        assert asked >= 10, asked
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        driver.set_window_size(*DESKTOP)


def test_an_intake_by_keyboard_alone_puts_the_focus_on_each_question(
        driver: Any, screen: Screen) -> None:
    """Tab, Space and Enter only (and typing where a question asks for it): the focus is on
    each new question as it comes (the question, or the box to type in named by it), and every
    control tabbed to shows a focus ring of 3:1 or more against what is behind it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page = Screenful(driver)
    driver.set_window_size(*DESKTOP)
    driver.get(screen.url)
    rings: list[str] = []

    def press(*keys: str) -> None:
        ActionChains(driver).send_keys(*keys).perform()

    def tab_to(css: str, limit: int = 120) -> None:
        """Tab until `css` has the focus (Shift+Tab never needed), checking each ring."""
        for _ in range(limit):
            press(Keys.TAB)
            ring = driver.execute_script(RING_JS)
            if ring["style"] == "none" or ring["width"] < 2 \
                    or contrast(ring["ring"], ring["behind"]) < 3:
                rings.append(str(ring))
            if driver.execute_script("return document.activeElement.matches(arguments[0])",
                                     css):
                return
        raise AssertionError(f"{css} not reached with Tab")

    tab_to("#patient")
    press("P-0300")
    tab_to("#start-intake")
    press(Keys.ENTER)
    until(lambda: driver.current_url.endswith("/intake"), "the intake page")
    now = page.ready()
    asked = 0
    for _ in range(80):
        if now["result"] and not now["running"]:
            break
        active = driver.execute_script(
            "const a = document.activeElement; return [a.id, "
            "(a.getAttribute('aria-labelledby') || '').split(' ')];")
        assert active[0] == "question" or (active[0] == "answer-text"
                                           and "question" in active[1]), (now, active)
        asked += 1
        before = now["shown"]
        if now["confirming"]:
            tab_to("#buttons button:first-child")  # ja
            press(Keys.SPACE)
        elif now["menu"]:
            tab_to("#choose-none")
            press(Keys.ENTER)
        elif now["checklist"]:
            tab_to("#checklist-rest")
            press(Keys.ENTER)
            until(lambda: page.find("#checklist-note").is_displayed(), "the rest set to nee")
            checked = driver.execute_script(
                "return [...document.querySelectorAll('#signs fieldset')].every("
                "(f) => f.querySelector('input[value=\"no\"]').checked)")
            assert checked
            tab_to("#checklist-done")
            press(Keys.SPACE)
        elif now["buttons"]:
            wanted = "nee" if "nee" in now["buttons"] else now["buttons"][0]
            index = now["buttons"].index(wanted) + 1
            tab_to(f"#buttons button:nth-child({index})")
            press(Keys.ENTER)
        else:
            press("drie weken" if "duur" in now["placeholder"] else "47", Keys.ENTER)
        now = page.ready(before)
        if not now["running"]:
            break
    assert asked >= 10
    until(lambda: page.find("#result-panel").is_displayed(), "the result")
    assert rings == [], rings[:5]


def test_the_voice_and_the_recording_to_take_home_pass_axe_and_fit(
        driver: Any, screen: Screen, tmp_path: Any) -> None:
    """The start page's voice, said after a change; the patient page with its session and the
    recording to take home, and the recording refused (issue 26)."""
    from selenium.webdriver.common.by import By

    from tests.records_fixtures import add_intake

    add_intake(tmp_path / "records.sqlite3", "P-0210", "A", chosen=("F14",))  # the screen's
    driver.get(screen.url)
    driver.find_element(By.ID, "set-voice").click()
    until(lambda: driver.find_element(By.ID, "voice-line").text.endswith(
        "gekozen op het scherm.") or driver.find_element(By.ID, "voice-error").text,
        "the voice said (or why it cannot speak)")
    axe(driver, "voice chosen")
    driver.find_element(By.LINK_TEXT, "P-0210").click()
    until(lambda: "/patient/" in driver.current_url, "the patient page")
    axe(driver, "patient page with a recording")
    fits_a_phone(driver, "patient page with a recording")
    with screen.engine.aside("een opname voor thuis gemaakt"):
        driver.find_element(By.ID, "make-home-audio").click()
        until(lambda: driver.find_element(By.ID, "home-audio-error").text, "the refusal")
    axe(driver, "recording refused")


def test_the_focus_ring_is_seen_on_every_background() -> None:
    """The ring's colour against the page, the cards, a read-back and the notes; white in the
    bar (the style sheet's own figures, so a change of colour is caught without a browser)."""
    from pathlib import Path

    from assistant.ui import views

    css = (Path(views.__file__).parent / "static" / "style.css").read_text("utf-8")
    ring = css.split("--focus:", 1)[1].split(";", 1)[0].strip()
    assert ring.startswith("#")

    def rgb(hex_colour: str) -> str:
        value = hex_colour.lstrip("#")
        return "rgb(" + ", ".join(str(int(value[i:i + 2], 16)) for i in (0, 2, 4)) + ")"

    for behind in ("#ffffff", "#f4f6f8", "#fffdf6", "#e3f1ef", "#fff3e0", "#fdecec"):
        assert contrast(rgb(ring), rgb(behind)) >= 3, behind
    assert contrast("rgb(255, 255, 255)", rgb("#0b6660")) >= 3  # the bar's white ring
    time.sleep(0)
