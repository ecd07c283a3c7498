"""The event stream to the pages: every message of the current intake or session, kept so that
a page that connects late (or reloads) gets them all replayed, then the new ones as they come.

A message is a JSON object: `seq` (1, 2, … for the server's life), `t` (ms since the epoch when
published: the bench compares it with the page's clock), `type` ("event": a dialog event, its
to_json() in `event` and what the page shows beside it in `view`; "notice": a line in `text`;
"report": the report is ready, with the `folder` it was written to; "status": an activity
started or ended, in `activity` and `running`; "prompt": the dialog listens, and an answer or a
change from a page names this message's seq as its `prompt`). Publishing is thread-safe (the
dialog runs in a worker thread); subscribers are asyncio queues fed on their own loop. A message
that cannot be sent as JSON text (a value JSON does not know, a lone surrogate in a string) is
not kept or sent: one line is logged (its seq and type, no content) and the stream goes on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]
LOG = logging.getLogger("assistant.ui")


def encoded_message(message: Message) -> str | None:
    """`message` as JSON text (UTF-8 safe), or None when it cannot be."""
    try:
        text = json.dumps(message, ensure_ascii=False)
        text.encode("utf-8")
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return None
    return text


@dataclass(eq=False)
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Message | None] = field(default_factory=asyncio.Queue)

    def send(self, message: Message | None) -> None:
        with suppress(RuntimeError):  # the page's loop has closed (the server is stopping)
            self.loop.call_soon_threadsafe(self.queue.put_nowait, message)


class EventHub:
    """The current activity's messages and the pages following them."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._messages: list[Message] = []
        self._subscribers: set[_Subscriber] = set()
        self._seq = 0
        self.closed = False

    def publish(self, message: Message) -> Message:
        """Stamp `message` with `seq` and `t`, keep it and send it to every page (skipped, with
        one line in the log, when it cannot be sent)."""
        with self._lock:
            self._seq += 1
            stamped = {"seq": self._seq, "t": time.time() * 1000, **message}
            if encoded_message(stamped) is None:
                LOG.warning("scherm: bericht %d (%s) kon niet worden verstuurd en is "
                            "overgeslagen", self._seq, str(message.get("type"))[:20])
                return stamped
            self._messages.append(stamped)
            for subscriber in self._subscribers:
                subscriber.send(stamped)
        return stamped

    def reset(self) -> None:
        """A new activity begins: the pages clear their screen, nothing before is replayed."""
        with self._lock:
            self._messages.clear()
        self.publish({"type": "reset"})

    def messages(self, after: int = 0) -> list[Message]:
        """The current activity's messages with `seq` above `after`."""
        with self._lock:
            return [m for m in self._messages if m["seq"] > after]

    def subscribe(self) -> tuple[list[Message], asyncio.Queue[Message | None]]:
        """From the running loop: the messages so far and a queue of those that follow (None
        when the hub closes). Call `unsubscribe` with the queue when done."""
        subscriber = _Subscriber(asyncio.get_running_loop())
        with self._lock:
            replay = list(self._messages)
            if self.closed:
                subscriber.queue.put_nowait(None)
            self._subscribers.add(subscriber)
        return replay, subscriber.queue

    def unsubscribe(self, queue: asyncio.Queue[Message | None]) -> None:
        with self._lock:
            self._subscribers = {s for s in self._subscribers if s.queue is not queue}

    def close(self) -> None:
        """The server stops: every page's stream ends."""
        with self._lock:
            self.closed = True
            for subscriber in self._subscribers:
                subscriber.send(None)
