"""A library's repeated complaints (aiokafka while the broker is down) come out as one line
per kind per window, carrying the count of those dropped; every other line passes."""

from __future__ import annotations

import logging
import subprocess
import sys

import orjson

from adscale_common.log_repeats import MAX_KINDS, RepeatFilter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def record(name: str, msg: str, *args: object, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.makeLogRecord(
        {"name": name, "levelno": level, "levelname": "ERROR", "msg": msg, "args": args}
    )


CONNECT = "Unable connect to node with id %s: %s"


def test_the_first_of_a_kind_passes_the_rest_of_the_window_is_counted() -> None:
    clock = Clock()
    repeats = RepeatFilter(window_seconds=10, clock=clock)
    first = record("aiokafka", CONNECT, 1, "refused")
    assert repeats.filter(first) and not hasattr(first, "repeated")
    dropped = [repeats.filter(record("aiokafka", CONNECT, n, "refused")) for n in range(250)]
    assert dropped == [False] * 250
    clock.now += 9.9
    assert not repeats.filter(record("aiokafka", CONNECT, 1, "refused"))
    clock.now += 0.2  # the window closed
    after = record("aiokafka", CONNECT, 1, "refused")
    assert repeats.filter(after)
    assert after.repeated == 251
    clock.now += 10.5  # a window with nothing dropped: the next line carries no count
    quiet = record("aiokafka", CONNECT, 1, "refused")
    assert repeats.filter(quiet) and not hasattr(quiet, "repeated")


def test_kinds_are_logger_level_and_message_and_other_loggers_always_pass() -> None:
    repeats = RepeatFilter(window_seconds=10, clock=Clock())
    assert repeats.filter(record("aiokafka", CONNECT, 1, "x"))
    assert repeats.filter(record("aiokafka", "Unable to update metadata from %s", [1]))
    assert repeats.filter(record("aiokafka.consumer.fetcher", CONNECT, 1, "x"))
    assert repeats.filter(record("aiokafka", CONNECT, 1, "x", level=logging.WARNING))
    assert not repeats.filter(record("aiokafka.consumer.fetcher", CONNECT, 2, "y"))
    for _ in range(5):
        assert repeats.filter(record("adscale_common.worker", "worker task crashed"))
        assert repeats.filter(record("aiokafkaesque", CONNECT, 1, "x"))  # not a child


def test_messages_that_carry_their_values_do_not_pile_up() -> None:
    clock = Clock()
    repeats = RepeatFilter(window_seconds=10, clock=clock)
    for n in range(MAX_KINDS):
        assert repeats.filter(record("aiokafka", f"partition {n} moved"))
    clock.now += 11
    assert repeats.filter(record("aiokafka", "partition -1 moved"))
    assert len(repeats._kinds) == 1


SCRIPT = """
import logging
from adscale_common.observability import configure_logging
configure_logging("svc")
noisy = logging.getLogger("aiokafka.consumer.group_coordinator")
for n in range(500):
    noisy.error("Group Coordinator Request failed: %s", f"NodeNotReadyError {n}")
for n in range(3):
    logging.getLogger("adscale_common.worker").warning("worker task crashed %s", n)
"""


def test_every_process_s_log_thins_out_aiokafka() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, check=True, timeout=60
    )
    lines = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert [(line["logger"], line["msg"]) for line in lines] == [
        (
            "aiokafka.consumer.group_coordinator",
            "Group Coordinator Request failed: NodeNotReadyError 0",
        ),
        ("adscale_common.worker", "worker task crashed 0"),
        ("adscale_common.worker", "worker task crashed 1"),
        ("adscale_common.worker", "worker task crashed 2"),
    ]
