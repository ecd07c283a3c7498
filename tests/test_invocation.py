"""The commands the messages suggest name what the user typed to start the assistant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.invocation import ENV_COMMAND, command


def test_the_command_is_the_launcher_that_started_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_COMMAND, raising=False)
    assert command("intake --resume") == "assistant intake --resume"
    monkeypatch.setenv(ENV_COMMAND, "./assistant.sh")
    assert command("intake --resume") == "./assistant.sh intake --resume"
    monkeypatch.setenv(ENV_COMMAND, "  ")
    assert command("doctor") == "assistant doctor"


def test_a_message_names_the_launcher(tmp_path: Path) -> None:
    env = {**os.environ, ENV_COMMAND: ".\\assistant.ps1", "ASSISTANT_VOSK_MODEL": "",
           "VOSK_MODEL_PATH": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "assistant", "model", "list"],
                          capture_output=True, text=True, timeout=60, check=False, env=env,
                          stdin=subprocess.DEVNULL)
    assert "haal het op met '.\\assistant.ps1 model download'" in done.stdout, done.stdout
