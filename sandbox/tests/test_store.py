"""The store's group commit: units share a transaction for a while, each atomic on its own."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from adscale_sandbox.store import Store


def _counters(path: Path) -> dict[str, int]:
    """What another connection sees (only committed rows)."""
    other = sqlite3.connect(path)
    try:
        return dict(other.execute("SELECT name, value FROM counter").fetchall())
    finally:
        other.close()


def _put(name: str, value: int) -> object:
    def work(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO counter (name, value) VALUES (?, ?)", (name, value))

    return work


def test_a_failing_unit_undoes_only_its_own_changes(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db", commit_seconds=5.0)
    store.run_sync(_put("kept", 1))

    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO counter (name, value) VALUES ('undone', 2)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.run_sync(half_done)
    store.run_sync(_put("after", 3))
    seen = store.run_sync(lambda c: dict(c.execute("SELECT name, value FROM counter")))
    assert seen == {"kept": 1, "after": 3}
    store.close()
    assert _counters(tmp_path / "s.db") == {"kept": 1, "after": 3}


def test_changes_commit_within_the_window_without_another_request(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db", commit_seconds=0.2)
    store.run_sync(_put("a", 1))
    assert _counters(tmp_path / "s.db") == {}  # still in the shared transaction
    deadline = time.monotonic() + 5
    while not _counters(tmp_path / "s.db") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _counters(tmp_path / "s.db") == {"a": 1}
    store.close()


def test_without_a_window_each_unit_commits(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db", commit_seconds=0)
    store.run_sync(_put("a", 1))
    assert _counters(tmp_path / "s.db") == {"a": 1}
    store.close()
