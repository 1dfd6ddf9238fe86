"""One line per kind of library complaint per window, with a count of the ones it stands for.

While the Kafka broker is down, aiokafka logs each failed connect, metadata refresh, fetch
and heartbeat of every consumer and producer in a process: a 10 s broker restart wrote
1.35 MiB of such lines across the stack's workers, and up to 4,600 lines a second in one
worker during a chaos run. The filter lets the first record of a kind through (the logger
and the message before its arguments are filled in: ``Unable connect to node with id %s:
%s`` is one kind whatever the node), drops the others for ``window_seconds``, and marks the
first one after that with ``repeated``: how many were dropped in between. The outage is
still reported as it starts and while it lasts (a line per kind per window). The count
of the last window is not written once the complaints stop: no record follows to carry it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

DEFAULT_WINDOW_SECONDS = 10.0
LIBRARIES = ("aiokafka", "kafka")
MAX_KINDS = 1024  # kinds remembered; past it, the ones with nothing pending are forgotten


class RepeatFilter(logging.Filter):
    """Thins out repeats of the records of loggers under ``prefixes``; others pass as they
    are. Attach it to a handler (a logger's filters do not see its children's records)."""

    def __init__(
        self,
        prefixes: tuple[str, ...] = LIBRARIES,
        *,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.prefixes = prefixes
        self.window = window_seconds
        self.clock = clock
        # kind -> (when the window that the last record let through opened, dropped since)
        self._kinds: dict[tuple[str, int, str], tuple[float, int]] = {}

    def _watched(self, name: str) -> bool:
        return any(name == p or name.startswith(p + ".") for p in self.prefixes)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._watched(record.name):
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen[0] < self.window:
            self._kinds[kind] = (seen[0], seen[1] + 1)
            return False
        if seen is not None and seen[1]:
            record.repeated = seen[1]
        elif seen is None and len(self._kinds) >= MAX_KINDS:
            self._forget(now)
        self._kinds[kind] = (now, 0)
        return True

    def _forget(self, now: float) -> None:
        """Drop the kinds whose window closed with no record dropped (a message text that
        carries its values would otherwise add a kind per value)."""
        self._kinds = {
            kind: (opened, dropped)
            for kind, (opened, dropped) in self._kinds.items()
            if dropped or now - opened < self.window
        }


__all__ = ["DEFAULT_WINDOW_SECONDS", "LIBRARIES", "RepeatFilter"]
