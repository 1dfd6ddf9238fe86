"""SQLite persistence: one WAL-mode database file (no fsync), used from a worker thread.

Every unit of work is a plain function taking a :class:`sqlite3.Connection`;
:meth:`Store.run` executes it in a thread inside its own savepoint, released on success
and rolled back on error. A lock serialises units of work, which keeps the single
connection safe and makes each request's state change atomic.

Units share a transaction for up to ``commit_seconds`` (group commit): a bulk upload
dirties pages all over the member tables, and committing each request wrote each of those
pages to the WAL once per request. The transaction commits when a unit ends after the
window, or from a timer when no unit comes; nothing reads the file but this connection, so
what a request wrote is visible to the next at once. A crash of the sandbox may lose the
last window of changes (its state is disposable); ``commit_seconds=0`` commits each unit.

Audience members live in two appended rowid tables: ``member``, a row per identity key
naming its person's row by rowid (``person_id``), and ``person``, a row per person (its
id, the first key, and its counters). An audience's rows of both are the rowid range
``audience_pk << 40`` on (``key_index.span``), so neither carries ``audience_pk``. A file
written in an earlier layout is carried over when it opens (``Store._upgrade_member_tables``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from adscale_sandbox.key_index import ROWS_PER_AUDIENCE, IndexedConnection, forget

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R", bound="DataclassInstance")


def as_record(cls: type[R], row: sqlite3.Row, **values: Any) -> R:
    """The dataclass ``cls`` of the row's columns that name its fields (other columns are
    left out); ``values`` stand in for columns that need converting."""
    columns = set(row.keys())
    found = {f.name: row[f.name] for f in fields(cls) if f.name in columns}
    return cls(**{**found, **values})


_APPENDED_TABLES = """
-- member and person rows are appended: an audience's rows are the rowid range
-- audience_pk << 40 .. (key_index.span), and their keys are indexed in memory
-- (key_index.py), not here. A member's person_id is the rowid of its person's row.
CREATE TABLE IF NOT EXISTS member (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    person_id INTEGER NOT NULL,
    matched INTEGER NOT NULL,
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS person (
    id INTEGER PRIMARY KEY,
    person BLOB NOT NULL,
    keys INTEGER NOT NULL,
    matched_keys INTEGER NOT NULL,
    extra INTEGER NOT NULL
);
"""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS auth_code (
    code TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    expires_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS token (
    token TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_token_platform_user ON token (platform, user_id);
CREATE TABLE IF NOT EXISTS ad_account (
    platform TEXT NOT NULL,
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    timezone TEXT NOT NULL,
    organization_id TEXT,
    position INTEGER NOT NULL,
    PRIMARY KEY (platform, account_id)
);
CREATE INDEX IF NOT EXISTS ix_ad_account_user ON ad_account (platform, user_id);
CREATE TABLE IF NOT EXISTS campaign (
    platform TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    objective TEXT NOT NULL,
    daily_budget_micros INTEGER NOT NULL,
    budget_id TEXT NOT NULL,
    start_date TEXT NOT NULL,
    position INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (platform, campaign_id)
);
CREATE INDEX IF NOT EXISTS ix_campaign_account ON campaign (platform, account_id);
CREATE INDEX IF NOT EXISTS ix_campaign_budget ON campaign (platform, budget_id);
CREATE TABLE IF NOT EXISTS audience (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    audience_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    identifier_type TEXT,
    attrs TEXT NOT NULL DEFAULT '{}',
    member_count INTEGER NOT NULL DEFAULT 0,
    matched_count INTEGER NOT NULL DEFAULT 0,
    pub_member_count INTEGER NOT NULL DEFAULT 0,
    pub_matched_count INTEGER NOT NULL DEFAULT 0,
    uploads INTEGER NOT NULL DEFAULT 0,
    last_change_at REAL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    accepted_batches INTEGER NOT NULL DEFAULT 0,
    received_rows INTEGER NOT NULL DEFAULT 0,
    duplicate_rows INTEGER NOT NULL DEFAULT 0,
    invalid_rows INTEGER NOT NULL DEFAULT 0,
    removed_rows INTEGER NOT NULL DEFAULT 0,
    UNIQUE (platform, audience_id)
);
CREATE INDEX IF NOT EXISTS ix_audience_account ON audience (platform, account_id);
"""
    + _APPENDED_TABLES
    + """
CREATE TABLE IF NOT EXISTS upload_session (
    audience_pk INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    batches INTEGER NOT NULL DEFAULT 0,
    last_seq INTEGER NOT NULL DEFAULT 0,
    received INTEGER NOT NULL DEFAULT 0,
    invalid INTEGER NOT NULL DEFAULT 0,
    estimated_total INTEGER,
    started_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (audience_pk, session_id)
);
CREATE TABLE IF NOT EXISTS staged_member (
    audience_pk INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    hash BLOB NOT NULL,
    person BLOB NOT NULL,
    matched INTEGER NOT NULL,
    extra INTEGER NOT NULL,
    PRIMARY KEY (audience_pk, session_id, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploaded_file (
    file_path TEXT PRIMARY KEY,
    advertiser_id TEXT NOT NULL,
    calculate_type TEXT NOT NULL,
    hashes BLOB NOT NULL,
    row_count INTEGER NOT NULL,
    invalid_count INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_request (
    request_id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
)

# How a carried-over layout's rows get their rowids: ``keyed`` rows had none (each
# audience's are numbered from the start of its range, members by key and people by id),
# ``wide`` ones keep theirs.
_CARRIED_IDS = {
    "keyed": {
        "member": "m.audience_pk * :rows "
        "+ row_number() OVER (PARTITION BY m.audience_pk ORDER BY m.hash) - 1",
        "person": "audience_pk * :rows "
        "+ row_number() OVER (PARTITION BY audience_pk ORDER BY person) - 1",
    },
    "wide": {"member": "m.id", "person": "id"},
}

TABLES = (
    "auth_code",
    "token",
    "ad_account",
    "campaign",
    "audience",
    "member",
    "person",
    "upload_session",
    "staged_member",
    "uploaded_file",
    "ingest_request",
    "counter",
)


class Store:
    """The sandbox's database: a single connection guarded by a lock."""

    def __init__(self, path: Path, *, commit_seconds: float = 0.0) -> None:
        self.path = path
        self.commit_seconds = commit_seconds
        self._opened_at: float | None = None  # when the open transaction began
        self._timer: threading.Timer | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, factory=IndexedConnection
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        # Sandbox state is disposable: no fsync at all (an OS crash may lose the last
        # moments, a sandbox crash loses nothing committed), and a WAL of up to ~40 MB
        # between checkpoints so a bulk upload copies each page once, not once a request.
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("PRAGMA wal_autocheckpoint=10000")
        self._conn.execute("PRAGMA temp_store=MEMORY")
        self._conn.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache
        self._conn.execute("PRAGMA foreign_keys=OFF")
        self._conn.row_factory = sqlite3.Row
        self._upgrade_member_tables()
        self._conn.executescript(SCHEMA)

    def _upgrade_member_tables(self) -> None:
        """A database from before people were stored (members as bare keys) starts its
        member tables afresh (sandbox state is disposable). One from a later layout keeps
        its members and people, copied into today's (:meth:`_carry_over`): keyed ``WITHOUT
        ROWID`` tables (no ``id``), or appended rows that still carry ``audience_pk`` and
        the person's 32-byte id in each member row."""
        members = {r[1] for r in self._conn.execute("PRAGMA table_info(member)")}
        people = {r[1] for r in self._conn.execute("PRAGMA table_info(person)")}
        if (members and not members & {"person", "person_id"}) or (
            people and "matched_keys" not in people
        ):
            for name in ("member", "person", "staged_member"):
                self._conn.execute(f"DROP TABLE IF EXISTS {name}")
        elif (members and "id" not in members) or (people and "id" not in people):
            self._carry_over("keyed")
        elif "audience_pk" in members or "audience_pk" in people:
            self._carry_over("wide")

    def _carry_over(self, layout: str) -> None:
        """Copy the member and person rows of an earlier ``layout`` into today's tables.
        ``keyed`` rows have no rowid: each audience's rows are numbered from the start of
        its rowid range (``key_index.span``). ``wide`` rows keep their rowids. Either way
        a member's ``person_id`` is found by its audience and person id (through an index
        on ``person.person`` that lives only for the copy), and the in-memory key index is
        built from the rows on the audience's first use.

        Runs before the sandbox listens: a large file takes a while (``deploy/stack.py
        up`` waits for the sandbox's health), so the start and the end are logged."""
        conn = self._conn
        started = time.monotonic()
        rows = conn.execute("SELECT count(*) FROM member").fetchone()[0]
        log.warning("carrying %d member rows over from the %s layout", rows, layout)
        conn.execute("BEGIN IMMEDIATE")
        for table in ("member", "person"):
            conn.execute(f"ALTER TABLE {table} RENAME TO carried_{table}")
        for statement in _APPENDED_TABLES.split(";"):  # executescript would commit
            conn.execute(statement)
        ids = _CARRIED_IDS[layout]
        conn.execute(
            "INSERT INTO person (id, person, keys, matched_keys, extra) "  # noqa: S608
            f"SELECT {ids['person']}, person, keys, matched_keys, extra FROM carried_person",
            {"rows": ROWS_PER_AUDIENCE},
        )
        conn.execute("CREATE INDEX carried_person_id ON person (person)")
        conn.execute(
            "INSERT INTO member (id, hash, person_id, matched, added_at) "  # noqa: S608
            f"SELECT {ids['member']}, m.hash, p.id, m.matched, m.added_at "
            "FROM carried_member m JOIN person p ON p.person = m.person "
            "AND p.id BETWEEN m.audience_pk * :rows AND (m.audience_pk + 1) * :rows - 1",
            {"rows": ROWS_PER_AUDIENCE},
        )
        orphans = rows - conn.execute("SELECT count(*) FROM member").fetchone()[0]
        if orphans:  # a member without its person's row (not written by the sandbox)
            log.warning("%d member rows without a person row were not carried over", orphans)
        conn.execute("DROP INDEX carried_person_id")
        for table in ("member", "person"):
            conn.execute(f"DROP TABLE carried_{table}")
        conn.execute("COMMIT")
        log.warning("member tables carried over in %.1f s", time.monotonic() - started)

    def run_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            conn = self._conn
            if self._opened_at is None:
                conn.execute("BEGIN IMMEDIATE")
                self._opened_at = time.monotonic()
            conn.execute("SAVEPOINT unit")
            try:
                result = fn(conn)
            except BaseException:
                forget(conn)  # the in-memory indexes may hold what is rolled back
                if conn.in_transaction:
                    conn.execute("ROLLBACK TO unit")
                    conn.execute("RELEASE unit")
                    self._commit_if_due()
                else:  # SQLite rolled the whole transaction back itself
                    self._opened_at = None
                raise
            conn.execute("RELEASE unit")
            self._commit_if_due()
            return result

    def _commit_if_due(self) -> None:
        """Commit when the window has passed, else make sure a timer will (lock held)."""
        assert self._opened_at is not None
        if time.monotonic() - self._opened_at >= self.commit_seconds:
            self._commit()
        elif self._timer is None:
            self._timer = threading.Timer(self.commit_seconds, self._flush)
            self._timer.daemon = True
            self._timer.start()

    def _commit(self) -> None:
        if self._opened_at is not None:
            self._conn.execute("COMMIT")
            self._opened_at = None

    def _flush(self) -> None:
        with self._lock:
            self._timer = None
            self._commit()

    def flush(self) -> None:
        """Commit what the open transaction holds now."""
        with self._lock:
            self._commit()

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.to_thread(self.run_sync, fn)

    def wipe_sync(self) -> None:
        def _wipe(conn: sqlite3.Connection) -> None:
            for table in TABLES:
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            conn.execute("DELETE FROM sqlite_sequence WHERE name = 'audience'")
            forget(conn)

        self.run_sync(_wipe)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._commit()
            self._conn.close()
