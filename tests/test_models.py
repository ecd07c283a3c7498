"""Speech models: manifest, search order, download against a local HTTP server, verify, CLI.

No test touches the internet: a fake model zip is served by http.server on 127.0.0.1.
"""

from __future__ import annotations

import gc
import hashlib
import io
import re
import socket
import sys
import threading
import types
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main, model_folder
from assistant.cli.model import TextProgress
from assistant.errors import ModelError
from assistant.speech import manifest, model_check, model_location
from assistant.speech.download import download
from assistant.speech.manifest import DEFAULT_MODEL, KnownModel, known_model, load_manifest
from assistant.speech.model_check import verify
from assistant.speech.model_location import ModelLocation, find_model, locate_model

NAME = DEFAULT_MODEL
EXPECTED = ("am/final.mdl", "conf/mfcc.conf", "conf/model.conf")
MODEL_FILES = {
    "am/final.mdl": b"not a real acoustic model",
    "conf/mfcc.conf": b"--sample-frequency=16000\n",
    "conf/model.conf": b"--min-active=200\n",
    "graph/HCLr.fst": b"fst",
    "graph/Gr.fst": b"fst",
    "ivector/final.ie": b"ie",
}


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def model_zip(files: dict[str, bytes] = MODEL_FILES, folder: str = NAME) -> bytes:
    return make_zip({f"{folder}/{name}": data for name, data in files.items()})


def known(url: str, body: bytes, *, sha256: str = "", size: int | None = None) -> KnownModel:
    return KnownModel(name=NAME, url=url, size=len(body) if size is None else size,
                      sha256=sha256, files=EXPECTED)


def write_model(folder: Path, files: dict[str, bytes] = MODEL_FILES) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


class Server:
    """http.server on 127.0.0.1 in a thread, serving `routes` (path -> body, send length)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, bool]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path not in routes:
                    self.send_error(404)
                    return
                body, with_length = routes[self.path]
                self.send_response(200)
                if with_length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def serve(self, path: str, body: bytes, *, with_length: bool = True) -> str:
        self.routes[path] = (body, with_length)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    srv.thread.join(timeout=5)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real model folders, environment variables or home directory leak into a test."""
    monkeypatch.delenv("ASSISTANT_VOSK_MODEL", raising=False)
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(model_location, "SYSTEM_VOSK_DIR", tmp_path / "usr-share-vosk")


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def assert_offline_message(exc: ModelError, dest: Path) -> None:
    message = str(exc)
    assert "\n" not in message
    assert "kon vosk-model-small-nl-0.22 niet downloaden" in message
    assert "geen internet?" in message
    assert str(dest / NAME) in message
    assert "ASSISTANT_VOSK_MODEL" in message


# --- manifest -------------------------------------------------------------------------------

def test_the_manifest_lists_the_small_dutch_model() -> None:
    model = known_model(DEFAULT_MODEL, load_manifest())
    assert model.url == "https://alphacephei.com/vosk/models/vosk-model-small-nl-0.22.zip"
    assert model.size == 40441176
    assert model.sha256 == ""  # not recorded yet: size and contents are checked
    assert {"am/final.mdl", "conf/model.conf"} <= set(model.files)


VALID_ENTRY = ('name = "m"\nurl = "https://example.org/m.zip"\nsize = 10\nsha256 = ""\n'
               'files = ["am/final.mdl"]\n')


@pytest.mark.parametrize(("text", "complaint"), [
    ("[[model]]\n" + VALID_ENTRY + "colour = 'red'\n", "onbekende sleutel 'colour'"),
    ("default = 'm'\n[[model]]\n" + VALID_ENTRY, "onbekende sleutel 'default'"),
    ("[[model]]\n" + VALID_ENTRY.replace("size = 10", "size = '10'"), "'size'"),
    ("[[model]]\n" + VALID_ENTRY.replace("size = 10", "size = true"), "'size'"),
    ("[[model]]\n" + VALID_ENTRY.replace('sha256 = ""', 'sha256 = "abc"'), "'sha256'"),
    ("[[model]]\n" + VALID_ENTRY.replace('"am/final.mdl"', '"../x"'), "ongeldig pad"),
    ("[[model]]\n" + VALID_ENTRY.replace('name = "m"', 'name = "../m"'), "'name'"),
    ("[[model]]\n" + VALID_ENTRY.replace('url = "https', 'url = "ftp'), "'url'"),
    ("[[model]]\n" + VALID_ENTRY.replace('name = "m"\n', ""), "'name' ontbreekt"),
    ("[[model]]\n" + VALID_ENTRY + "[[model]]\n" + VALID_ENTRY, "meer dan eens"),
    ("[[model\n", "geen geldige TOML"),
])
def test_a_bad_manifest_is_one_line_naming_the_problem(tmp_path: Path, text: str,
                                                        complaint: str) -> None:
    path = tmp_path / "manifest.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match=complaint) as caught:
        load_manifest(path)
    assert "\n" not in str(caught.value)


def test_unknown_model_name_lists_the_known_ones() -> None:
    with pytest.raises(ModelError, match=f"onbekend model: nope .*{DEFAULT_MODEL}"):
        known_model("nope", load_manifest())


# --- download -------------------------------------------------------------------------------

def test_download_unpacks_the_model_into_place(server: Server, tmp_path: Path) -> None:
    body = model_zip()
    url = server.serve("/m.zip", body)
    model = known(url, body, sha256=hashlib.sha256(body).hexdigest())
    calls: list[tuple[int, int]] = []
    dest = tmp_path / "models"

    path = download(model, dest, progress=lambda done, total: calls.append((done, total)))

    assert path == dest / NAME
    assert (path / "am" / "final.mdl").read_bytes() == MODEL_FILES["am/final.mdl"]
    assert sorted(p.name for p in dest.iterdir()) == [NAME]  # no temp files left
    assert calls and calls[-1] == (len(body), len(body))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_zip_without_top_folder_is_accepted(server: Server, tmp_path: Path) -> None:
    body = make_zip(MODEL_FILES)
    path = download(known(server.serve("/flat.zip", body), body), tmp_path)
    assert (path / "conf" / "model.conf").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]


@pytest.mark.parametrize(("announced", "size_delta"), [(True, 1), (False, 1), (False, -1)])
def test_wrong_size_is_rejected_and_nothing_is_left(server: Server, tmp_path: Path,
                                                    announced: bool, size_delta: int) -> None:
    body = model_zip()
    url = server.serve("/m.zip", body, with_length=announced)
    model = known(url, body, size=len(body) + size_delta)
    with pytest.raises(ModelError, match="verkeerde grootte"):
        download(model, tmp_path / "models", progress=None)
    assert list((tmp_path / "models").iterdir()) == []


def test_wrong_sha256_is_rejected(server: Server, tmp_path: Path) -> None:
    body = model_zip()
    model = known(server.serve("/m.zip", body), body, sha256="0" * 64)
    with pytest.raises(ModelError, match="SHA-256"):
        download(model, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_member_escaping_the_folder_is_rejected(server: Server, tmp_path: Path) -> None:
    body = make_zip({**{f"{NAME}/{k}": v for k, v in MODEL_FILES.items()}, "../evil": b"x"})
    dest = tmp_path / "models"
    with pytest.raises(ModelError, match=re.escape("onveilig pad: '../evil'")):
        download(known(server.serve("/m.zip", body), body), dest)
    assert list(dest.iterdir()) == []
    assert not (tmp_path / "evil").exists()


@pytest.mark.parametrize(("body", "complaint"), [
    (b"this is no zip file", "geen geldig zip-bestand"),
    (model_zip({"am/final.mdl": b"x"}), "ontbreekt: conf/mfcc.conf, conf/model.conf"),
])
def test_a_bad_archive_is_rejected(server: Server, tmp_path: Path, body: bytes,
                                   complaint: str) -> None:
    with pytest.raises(ModelError, match=re.escape(complaint)):
        download(known(server.serve("/m.zip", body), body), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_http_404_says_how_to_place_the_model_by_hand(server: Server, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="HTTP 404") as caught:
        download(known(server.url("/missing.zip"), b"x"), tmp_path)
    assert_offline_message(caught.value, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_connection_refused_is_the_offline_message(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{unused_port()}/m.zip"
    with pytest.raises(ModelError, match="verbinding geweigerd") as caught:
        download(known(url, b"x"), tmp_path, url=url, timeout=5)
    assert_offline_message(caught.value, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_silent_server_times_out(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/m.zip"
        with pytest.raises(ModelError, match="geen antwoord binnen de tijd") as caught:
            download(known(url, b"x"), tmp_path, timeout=0.3)
    assert_offline_message(caught.value, tmp_path)


def test_an_existing_folder_is_never_overwritten(server: Server, tmp_path: Path) -> None:
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "mine.txt").write_text("keep")
    body = model_zip()
    with pytest.raises(ModelError, match="bestaat al"):
        download(known(server.serve("/m.zip", body), body), tmp_path)
    assert (tmp_path / NAME / "mine.txt").read_text() == "keep"


# --- find_model -----------------------------------------------------------------------------

def test_search_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    repo = tmp_path / "repo-models"
    vosk_env = tmp_path / "vosk-env"
    cache = tmp_path / "home" / ".cache" / "vosk"
    explicit = write_model(tmp_path / "explicit")
    env = write_model(tmp_path / "env")
    assert find_model(None, models_dir=repo) is None

    english = write_model(cache / "vosk-model-small-en-us-0.15")
    assert find_model(None, models_dir=repo) == english
    dutch = write_model(cache / "vosk-model-small-nl-0.22")
    assert find_model(None, models_dir=repo) == dutch  # Dutch models first
    monkeypatch.setenv("VOSK_MODEL_PATH", str(vosk_env))
    in_vosk_env = write_model(vosk_env / "vosk-model-nl-spraakherkenning-0.6")
    assert find_model(None, models_dir=repo) == in_vosk_env  # VOSK_MODEL_PATH before the cache

    write_model(repo / "my-model")
    (repo / "not-a-model").mkdir()
    assert locate_model(None, models_dir=repo) == ModelLocation(repo / "my-model",
                                                                       "models/")
    monkeypatch.setenv("ASSISTANT_VOSK_MODEL", str(env))
    assert locate_model(None, models_dir=repo) == ModelLocation(env,
                                                                       "ASSISTANT_VOSK_MODEL")
    assert find_model(explicit, models_dir=repo) == explicit


@pytest.mark.parametrize("how", ["explicit", "env"])
def test_a_named_folder_that_is_no_model_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path, how: str) -> None:
    for folder, complaint in [(tmp_path / "absent", "bestaat niet"),
                              (tmp_path, "is geen Vosk-model")]:
        if how == "env":
            monkeypatch.setenv("ASSISTANT_VOSK_MODEL", str(folder))
        with pytest.raises(ModelError, match=complaint) as caught:
            find_model(folder if how == "explicit" else None, models_dir=tmp_path / "none")
        assert str(folder) in str(caught.value) and "\n" not in str(caught.value)


# --- verify ---------------------------------------------------------------------------------

def test_verify_reports_missing_files(tmp_path: Path) -> None:
    folder = write_model(tmp_path / NAME, {"am/final.mdl": b"x"})
    model = known("https://example.org/m.zip", b"x")
    assert verify(folder, model) == ["ontbreekt: conf/mfcc.conf", "ontbreekt: conf/model.conf"]
    assert verify(tmp_path / "absent", model) == [f"map {tmp_path / 'absent'} bestaat niet"]
    assert verify(tmp_path / "empty", None) == [f"map {tmp_path / 'empty'} bestaat niet"]
    (tmp_path / "empty").mkdir()
    assert verify(tmp_path / "empty", None) == ["ontbreekt: am/final.mdl of conf/model.conf"]


def test_verify_reports_a_model_vosk_cannot_load(tmp_path: Path,
                                                 capfd: pytest.CaptureFixture[str]) -> None:
    folder = write_model(tmp_path / NAME)
    problems = verify(folder, known("https://example.org/m.zip", b"x"))
    assert len(problems) == 1
    assert problems[0].startswith("vosk kan het model niet laden: Expected token")
    assert capfd.readouterr().err == ""  # Kaldi's own error lines are captured, not shown


def testkaldi_error_lines_are_shortened() -> None:
    lines = ["LOG (VoskAPI:ReadDataFiles():model.cc:206) Decoding params beam=13",
             'ERROR (VoskAPI:ExpectToken():io-funcs.cc:209) Expected token "<Nnet3>", got "x".',
             "ERROR (VoskAPI:Model():model.cc:122) Folder '/m' does not contain model files. "
             "Make sure you specified the model path properly in Model constructor."]
    assert model_check.kaldi_error(lines) == "Folder '/m' does not contain model files"
    assert model_check.kaldi_error(lines[:2]) == 'Expected token "<Nnet3>", got "x"'
    assert model_check.kaldi_error(lines[:1]) == ""


def test_a_failed_vosk_init_does_not_leak_an_unraisable_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class Model:
        _handle: Any

        def __init__(self, path: str) -> None:
            raise Exception("Failed to create a model")  # before _handle is set

        def __del__(self) -> None:
            self._handle.free()  # AttributeError, as in vosk

    fake = types.SimpleNamespace(SetLogLevel=lambda level: None, Model=Model)
    monkeypatch.setitem(sys.modules, "vosk", fake)
    seen: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    assert model_check.load_failure(write_model(tmp_path / NAME)) == "vosk kan het model niet laden"
    gc.collect()
    assert seen == []


# --- progress -------------------------------------------------------------------------------

def test_progress_bar_on_a_terminal_and_in_a_log() -> None:
    terminal, log = io.StringIO(), io.StringIO()
    bar, lines = TextProgress(terminal, tty=True, width=10), TextProgress(log, tty=False)
    total = 40_441_176
    for done in sorted([*range(0, total, total // 200), 17_000_000, 17_000_001, total]):
        bar(done, total)
        lines(done, total)
    assert "\r[####      ] 42% 17.0/40.4 MB" in terminal.getvalue()
    assert terminal.getvalue().count("\r") == 101  # redrawn only when the percentage changes
    assert terminal.getvalue().endswith("] 100% 40.4/40.4 MB\n")
    assert [line.split(" ")[1] for line in log.getvalue().splitlines()] == [
        "25%", "50%", "75%", "100%"]  # a log gets four lines, not a redrawn bar
    assert log.getvalue().endswith("download: 100% 40.4/40.4 MB\n")


# --- CLI ------------------------------------------------------------------------------------

def run_cli(*argv: str) -> int:
    """`assistant model …` through the one place that turns errors into exit codes."""
    return main(["model", *argv])


@pytest.fixture
def repo_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server: Server) -> Path:
    """A models/ folder whose manifest points the default model at the local server."""
    body = model_zip()
    url = server.serve("/vosk-model-small-nl-0.22.zip", body)
    folder = tmp_path / "repo-models"
    folder.mkdir()
    (folder / "manifest.toml").write_text(
        f'[[model]]\nname = "{NAME}"\nurl = "{url}"\nsize = {len(body)}\nsha256 = ""\n'
        f"files = {list(EXPECTED)!r}\n".replace("'", '"'), encoding="utf-8")
    monkeypatch.setattr(model_folder, "models_dir", lambda: folder)
    monkeypatch.setattr(manifest, "MANIFEST", folder / "manifest.toml")
    return folder


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("assistant: fout: ")
    return lines[0]


def test_cli_download_list_and_verify(repo_models: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("list") == 0
    out = capsys.readouterr().out
    assert f"{NAME}  (0.0 MB)  niet geïnstalleerd" in out
    assert "In gebruik: geen" in out

    assert run_cli("download") == 0
    captured = capsys.readouterr()
    assert f"Spraakmodel staat nu in {repo_models / NAME}" in captured.out
    assert "assistant doctor" in captured.out
    assert (repo_models / NAME / "am" / "final.mdl").is_file()

    assert run_cli("list") == 0
    out = capsys.readouterr().out
    assert f"{NAME}  (0.0 MB)  {repo_models / NAME}" in out
    assert f"In gebruik: {repo_models / NAME} (via models/)" in out

    assert run_cli("download") == 0  # already there: nothing to do
    assert "staat al in" in capsys.readouterr().out

    assert run_cli("verify") == 2  # dummy files: vosk cannot load them
    line = one_error_line(capsys.readouterr().err)
    assert f"spraakmodel {repo_models / NAME} is niet bruikbaar: vosk kan" in line


def test_cli_download_elsewhere_says_how_it_is_found(repo_models: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("download", NAME, "--dir", str(tmp_path / "elsewhere")) == 0
    out = capsys.readouterr().out
    assert f"ASSISTANT_VOSK_MODEL={tmp_path / 'elsewhere' / NAME}" in out


@pytest.mark.parametrize(("argv", "complaint"), [
    (("download", "--url", "http://127.0.0.1:{port}/x.zip"), "geen internet?"),
    (("download", "nope"), "onbekend model: nope"),
    (("verify",), "geen spraakmodel gevonden"),
    (("verify", "{tmp}/absent"), "bestaat niet"),
])
def test_cli_failures_are_one_line_and_exit_2(repo_models: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              argv: tuple[str, ...], complaint: str) -> None:
    argv = tuple(a.format(port=unused_port(), tmp=tmp_path) for a in argv)
    assert run_cli(*argv) == 2
    assert complaint in one_error_line(capsys.readouterr().err)
    assert sorted(p.name for p in repo_models.iterdir()) == ["manifest.toml"]


def test_cli_list_with_a_bad_env_model_exits_2(repo_models: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ASSISTANT_VOSK_MODEL", str(tmp_path / "gone"))
    assert run_cli("list") == 2
    captured = capsys.readouterr()
    assert NAME in captured.out
    assert "ASSISTANT_VOSK_MODEL: map" in one_error_line(captured.err)
