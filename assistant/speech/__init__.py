"""Speech and text I/O behind small interfaces: sources of utterances and sinks for speech."""

from assistant.speech.interfaces import Listener, Speaker, Utterance

__all__ = ["Listener", "Speaker", "Utterance"]
