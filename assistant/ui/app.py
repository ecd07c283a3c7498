"""The screen's routes (Starlette), behind the Guard (security.py).

Pages (GET): `/` start (new intake, resume, patients), `/intake` the live intake or session,
`/report` the report to print, `/patient/<handle>` a patient's history with the chart and the
follow-up form, `/chart/<handle>.png`. Live updates: `/events` (server-sent events, the current
activity replayed first) and `/api/events?after=N` (the same messages as JSON). Actions (POST,
JSON body, CSRF header): `/api/intake`, `/api/say`, `/api/change`, `/api/session`,
`/api/followup`, `/api/voice` (the screen's voice, voices.py) and `/api/home-audio` (the
patient's guided session as an audio file to take home, answered as a download). During a
session `/api/say` names the `exercise` (its number) a command acts on: refused (409) once
another is under way, and 'volgende' is taken once per exercise. An action that cannot be
done answers 400 or 409 with `{"error": line}` (the line without command-line flags:
hints.screen_text); a body over 10 kB answers 413.

An answer (`/api/say` during an intake) and a change (`/api/change`) name the `prompt` they
answer: the seq of the last "prompt" message, which the dialog opens each time it listens; one
answer per prompt, and one for the prompt open now, else 409 and nothing reaches the dialog
('stop' needs none). The follow-up form carries a one-time `nonce`: sent twice, it is stored
once (409); as on the command line, a second measurement on a day that has one needs
`"again": true`, and `neuro_worse` is refused outside profile D. Resuming an intake that was
stored already answers 409 with `stored`, the patient's page, and starts nothing.

The voice changes, and a recording is made, only while no intake or session runs, one at a
time (409 otherwise): they need speech to themselves (Engine.aside); the synthesis runs on a
worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from assistant.errors import (
    AssistantError,
    InputError,
    IntakeAlreadyStored,
    IntakeBusy,
    VoiceUnavailable,
)
from assistant.ui.engine import Engine, status
from assistant.ui.hints import screen_text
from assistant.ui.hub import Message, encoded_message
from assistant.ui.records_view import Interrupted, RecordsView, score
from assistant.ui.screen_intake import Conflict
from assistant.ui.security import Guard, Secrets
from assistant.ui.views import parts
from assistant.ui.voices import ScreenVoices

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.intake.session_audio import HomeAudio
    from assistant.speech.interfaces import Speaker
    from assistant.speech.tts import Playback

HERE: Final = Path(__file__).parent
KEEPALIVE: Final = 15.0  # s between comments on an idle event stream
RETRY_MS: Final = 1000  # ms before a page's stream tries again after it broke
MAX_BODY: Final = 10_000  # bytes: no action needs more
MAX_DEPTH: Final = 8  # levels of nesting in a POST's JSON: no action needs more than 3
NOT_JSON: Final = "geen geldig verzoek"
NOT_TEXT: Final = "geen geldig verzoek: de tekst bevat een ongeldig teken"
MAX_FORMS: Final = 1000  # follow-up forms open at once (their nonces)
# what the page may ask a recording as → (file suffix, media type); MP3 plays on every phone
HOME_FORMATS: Final = {"mp3": (".mp3", "audio/mpeg"), "ogg": (".ogg", "audio/ogg")}
RECORDING: Final = "een opname voor thuis gemaakt"
LOADING_VOICE: Final = "een andere stem geladen"
REPORT_POLICY: Final = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.autoescape = True
    return templates


class Pages:
    """The routes' handlers and what they share: the engine, the records and the secrets the
    pages carry."""

    def __init__(self, engine: Engine, records: RecordsView, keys: Secrets,
                 voices: ScreenVoices) -> None:
        self.engine = engine
        self.records = records
        self.keys = keys
        self.voices = voices
        self.templates = _templates()
        self.forms = FormNonces()

    def page(self, request: Request, name: str, status_code: int = 200,
             **context: Any) -> Response:
        return self.templates.TemplateResponse(
            request, name, {"csrf": self.keys.csrf, "state": status(self.engine), **context},
            status_code=status_code)

    # --- pages --------------------------------------------------------------------------------

    async def start(self, request: Request) -> Response:
        patients: list[tuple[str, str]] = []
        interrupted: list[Interrupted] = []
        problem: str | None = None
        damaged: str | None = None
        try:
            patients = await run_in_threadpool(self.records.patients)
            interrupted, unread = await run_in_threadpool(self.records.interrupted)
        except AssistantError as exc:
            problem = screen_text(exc)
        else:
            if unread:
                damaged = (f"Let op: de onderbroken intake van {', '.join(unread)} kan niet "
                           f"worden gelezen (een beschadigde rij in {self.records.path}); de "
                           "rest staat hieronder.")
        return self.page(request, "start.html", patients=patients, interrupted=interrupted,
                         problem=problem, damaged=damaged, voices=self.voices,
                         choices=await run_in_threadpool(self.voices.choices))

    async def intake(self, request: Request) -> Response:
        return self.page(request, "live.html", parts=parts(self.engine.protocol))

    async def report(self, request: Request) -> Response:
        html = self.engine.intake.report_html
        if html is not None:  # self-contained: its own inline style, no script at all
            return Response(html, media_type="text/html; charset=utf-8",
                            headers={"content-security-policy": REPORT_POLICY})
        return self.page(request, "report.html", report=self.engine.intake.report)

    async def patient(self, request: Request) -> Response:
        patient = self.records.handles.patient(request.path_params["handle"])
        if patient is None:
            return self.page(request, "missing.html", 404)
        try:
            history = await run_in_threadpool(self.records.history, patient)
        except AssistantError as exc:
            return self.page(request, "missing.html", 404, problem=screen_text(exc))
        profile = history["intake"].get("profile")
        today = date.today().isoformat()  # the day a follow-up is stored on (records_view)
        measured_today = any(str(e.get("date")) == today for e in history["evaluations"])
        return self.page(request, "patient.html", history=history,
                         measured_today=measured_today, asks_arm=self.records.asks_arm(profile),
                         handle=request.path_params["handle"], profile=profile,
                         activities=history["intake"].get("psk_activities", []),
                         nonce=self.forms.issue(), voice=self.voices.chosen.label)

    async def chart(self, request: Request) -> Response:
        patient = self.records.handles.patient(request.path_params["handle"])
        if patient is None:
            return Response(status_code=404)
        try:
            png = await run_in_threadpool(self.records.chart, patient)
        except AssistantError:
            return Response(status_code=404)
        return Response(png, media_type="image/png")

    # --- the event stream -----------------------------------------------------------------------

    async def events(self, request: Request) -> Response:
        hub = self.engine.hub

        async def stream() -> AsyncIterator[str]:
            replay, queue = hub.subscribe()
            try:
                yield f"retry: {RETRY_MS}\n\n"  # a stopped server is noticed within seconds
                for message in replay:
                    yield _sse(message)
                while True:
                    try:
                        next_message: Message | None = await asyncio.wait_for(queue.get(),
                                                                              KEEPALIVE)
                    except TimeoutError:
                        yield ": nog verbonden\n\n"
                        continue
                    if next_message is None:
                        return
                    yield _sse(next_message)
            finally:
                hub.unsubscribe(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"x-accel-buffering": "no"})

    async def messages(self, request: Request) -> Response:
        try:
            after = int(request.query_params.get("after", "0"))
        except ValueError:
            after = 0
        messages = [m for m in self.engine.hub.messages(after)
                    if encoded_message(m) is not None]
        return JSONResponse({"messages": messages, "state": status(self.engine)})

    # --- actions --------------------------------------------------------------------------------

    async def start_intake(self, request: Request) -> Response:
        body = await _body(request)
        patient = str(body.get("patient") or "").strip() or None
        resume = bool(body.get("resume"))
        try:
            await run_in_threadpool(self.engine.start_intake, patient, resume=resume)
        except IntakeAlreadyStored as exc:  # nothing to ask again: the stored intake instead
            return JSONResponse({
                "error": f"De onderbroken intake van patiënt {exc.patient} is al opgeslagen; "
                         "er wordt geen tweede gemaakt.",
                "stored": f"/patient/{self.records.handles.handle(exc.patient)}"},
                status_code=409)
        return JSONResponse({"ok": True})

    async def say(self, request: Request) -> Response:
        body = await _body(request)
        if "checklist" in body:  # a checklist's choices, one per sign
            self.engine.answer_checklist(body["checklist"], body.get("prompt"))
            return JSONResponse({"ok": True})
        text = str(body.get("text") or "").strip()
        if not text:
            return _error("typ of kies een antwoord")
        self.engine.say(text, body.get("prompt"), body.get("exercise"))
        return JSONResponse({"ok": True})

    async def change(self, request: Request) -> Response:
        body = await _body(request)
        steps = self.engine.change(str(body.get("question") or ""), body.get("prompt"))
        return JSONResponse({"ok": True, "steps": steps})

    async def session(self, request: Request) -> Response:
        body = await _body(request)
        self.engine.check_free()
        handle = body.get("handle")
        if handle:
            patient = self.records.handles.patient(str(handle))
            if patient is None:
                return _error("onbekende patiënt", 404)
            program = await run_in_threadpool(self.engine.patient_program, patient)
        else:
            found = self.engine.session_program()
            if found is None:
                return _error("kies eerst oefeningen bij de intake")
            program = found
        self.engine.start_session(program)
        return JSONResponse({"ok": True})

    async def followup(self, request: Request) -> Response:
        body = await _body(request)
        patient = self.records.handles.patient(str(body.get("handle") or ""))
        if patient is None:
            return _error("onbekende patiënt", 404)
        nonce = str(body.get("nonce") or "")
        if not self.forms.take(nonce):
            return _error("Deze meting is al bewaard. Laad de pagina opnieuw voor een nieuwe "
                          "meting.", 409)
        try:
            response = await self._followup(patient, body)
        except BaseException:
            self.forms.give_back(nonce)  # not stored: the same form may be sent again
            raise
        if response.status_code >= 400:
            self.forms.give_back(nonce)
        return response

    async def _followup(self, patient: str, body: dict[str, Any]) -> Response:
        psk_given = body.get("psk")
        if not isinstance(psk_given, list) or len(psk_given) != 3:
            return _error("geef drie PSK-scores")
        psk = (score(psk_given[0], "PSK 1"), score(psk_given[1], "PSK 2"),
               score(psk_given[2], "PSK 3"))
        nprs = score(body.get("nprs"), "Pijn (NPRS)")
        named = body.get("activities")
        activities = (tuple(str(a).strip() for a in named)
                      if isinstance(named, list) and any(str(a).strip() for a in named)
                      else None)
        if activities is not None:
            from assistant.records.rows import validate_psk_activities

            activities = validate_psk_activities(activities)
        outcome, lines = await run_in_threadpool(
            lambda: self.records.followup(patient, nprs, psk,
                                          neuro_worse=bool(body.get("neuro_worse")),
                                          activities=activities,
                                          again=body.get("again") is True))
        return JSONResponse({"ok": True, "lines": lines, "advice": list(outcome.advice),
                             "reasons": list(outcome.reasons),
                             "actions": list(outcome.actions)})


    async def voice(self, request: Request) -> Response:
        """Speak with another voice (voices.py): loaded first, while nothing runs."""
        body = await _body(request)
        choice = self.voices.find(body.get("voice"))
        if choice is None:
            return _error("Onbekende stem; kies er een uit de lijst.")

        def load() -> None:
            with self.engine.aside(LOADING_VOICE):
                speaker = self.voices.choose(choice)
                if speaker is not None:
                    self.engine.use_speaker(speaker)

        try:
            await run_in_threadpool(load)
        except VoiceUnavailable as exc:
            return _error(f"Deze stem kan niet spreken: {screen_text(exc)}.")
        return JSONResponse({"ok": True, "voice": choice.key, "line": self.voices.shown})

    async def home_audio(self, request: Request) -> Response:
        """The guided session of the patient's chosen exercises as one audio file to take
        home (intake/session_audio.py), in the screen's voice, as a download."""
        body = await _body(request)
        kind = body.get("format", "mp3")
        if not isinstance(kind, str) or kind not in HOME_FORMATS:
            return _error("Kies MP3 of OGG als bestandsvorm.")
        patient = self.records.handles.patient(str(body.get("handle") or ""))
        if patient is None:
            return _error("onbekende patiënt", 404)
        suffix, media_type = HOME_FORMATS[kind]
        try:
            home = await run_in_threadpool(self._record, patient, Path(f"sessie{suffix}"))
        except VoiceUnavailable as exc:
            return _error(f"De opname is niet gemaakt: geen stem: {screen_text(exc)}.")
        # the date and the exercises (no patient id): two patients' files of one day differ
        name = f"oefensessie-{self.engine.today().isoformat()}-{'-'.join(home.starts)}{suffix}"
        return Response(home.data, media_type=media_type, headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
            "x-audio-seconds": f"{home.seconds:.1f}"})

    def _record(self, patient: str, path: Path) -> HomeAudio:
        """Record the session (on a worker thread); UsageError when the patient chose no
        exercises or a sentence could not be said (the file would miss it)."""
        from assistant.intake.session_audio import record_session

        def make_speaker(playback: Playback, on_error: Callable[[str], None]) -> Speaker:
            return self.voices.open(self.voices.chosen, playback, on_error)[0]

        with self.engine.aside(RECORDING):
            program = self.engine.patient_program(patient)
            return record_session(program, self.engine.protocol, path, make_speaker)


class FormNonces:
    """One-time nonces for the follow-up form: each page gets one, a submission takes it, so a
    double click (or the same form sent twice) stores one measurement, not two."""

    def __init__(self) -> None:
        self._open: dict[str, None] = {}  # in the order issued; the oldest are dropped

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(16)
        self._open[nonce] = None
        while len(self._open) > MAX_FORMS:
            del self._open[next(iter(self._open))]
        return nonce

    def take(self, nonce: str) -> bool:
        return self._open.pop(nonce, False) is None

    def give_back(self, nonce: str) -> None:
        self._open[nonce] = None


def _sse(message: Message) -> str:
    """One message as a server-sent event; one that cannot be sent (the hub keeps none such)
    as a comment, so the stream goes on."""
    encoded = encoded_message(message)
    if encoded is None:
        return ": overgeslagen\n\n"
    return f"id: {message['seq']}\ndata: {encoded}\n\n"


def _error(text: str, status_code: int = 400) -> Response:
    return JSONResponse({"error": text}, status_code=status_code)


class TooLarge(InputError):
    """A request body over MAX_BODY (the screen answers 413)."""

    code = "too-large"


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object a POST carries; read in chunks, refused (413) as soon as it is over
    MAX_BODY, or at once when its Content-Length says so."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        raise TooLarge("het verzoek is te groot")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge("het verzoek is te groot")
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested thousands deep
        raise InputError(NOT_JSON) from None
    if not isinstance(data, dict):
        raise InputError(NOT_JSON)
    _check_text(data)
    return data


def _check_text(data: object) -> None:
    """InputError unless every string in `data` is text that can be stored and sent: a lone
    surrogate (JSON's "\\ud800") cannot be written as UTF-8, and would end the intake that
    journals it. Nesting deeper than MAX_DEPTH is refused too. Without recursion."""
    pending: list[tuple[object, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise InputError(NOT_JSON)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(NOT_TEXT) from None
        elif isinstance(value, dict):
            pending.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AssistantError)
    code = (409 if isinstance(exc, Conflict | IntakeBusy) else 413 if isinstance(exc, TooLarge)
            else 400)
    return _error(screen_text(exc), code)


async def _failed(request: Request, exc: Exception) -> Response:
    """A bug: one Dutch line (the Guard keeps the traceback out of every log)."""
    return _error("er ging iets mis op het scherm; probeer het opnieuw", 500)


def create_app(engine: Engine, records: RecordsView, keys: Secrets,
               voices: ScreenVoices | None = None) -> Guard:
    """The whole screen as an ASGI app, guarded. `voices`: the voices it may speak with
    (default: as the speech options' defaults find them, the screen silent)."""
    screen = Pages(engine, records, keys, voices or ScreenVoices())
    routes = [
        Route("/", screen.start),
        Route("/intake", screen.intake),
        Route("/report", screen.report),
        Route("/patient/{handle}", screen.patient),
        Route("/chart/{handle}.png", screen.chart),
        Route("/events", screen.events),
        Route("/api/events", screen.messages),
        Route("/api/intake", screen.start_intake, methods=["POST"]),
        Route("/api/say", screen.say, methods=["POST"]),
        Route("/api/change", screen.change, methods=["POST"]),
        Route("/api/session", screen.session, methods=["POST"]),
        Route("/api/followup", screen.followup, methods=["POST"]),
        Route("/api/voice", screen.voice, methods=["POST"]),
        Route("/api/home-audio", screen.home_audio, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={AssistantError: _refused,
                                                       Exception: _failed})
    return Guard(app, keys)
