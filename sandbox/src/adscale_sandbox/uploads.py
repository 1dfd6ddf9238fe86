"""Upload sessions and uploaded files: units of work (run through :meth:`Store.run`).

Meta's ``session`` (a batched upload, replace sessions staged and swapped in at the end)
and TikTok's uploaded customer files; the members themselves are people.py's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from adscale_sandbox.audience import Audience
from adscale_sandbox.people import Row
from adscale_sandbox.people_bulk import stage_people, swap_in_staged
from adscale_sandbox.store import as_record

# --------------------------------------------------------------------------- sessions (Meta)


@dataclass
class UploadSession:
    audience_pk: int
    session_id: str
    kind: str
    status: str
    batches: int
    last_seq: int
    received: int
    invalid: int
    estimated_total: int | None
    started_at: float
    updated_at: float


def get_session(
    conn: sqlite3.Connection, audience: Audience, session_id: str
) -> UploadSession | None:
    row = conn.execute(
        "SELECT * FROM upload_session WHERE audience_pk = ? AND session_id = ?",
        (audience.pk, session_id),
    ).fetchone()
    return as_record(UploadSession, row) if row else None


def open_replace_sessions(conn: sqlite3.Connection, audience: Audience) -> list[UploadSession]:
    rows = conn.execute(
        "SELECT * FROM upload_session WHERE audience_pk = ? AND kind = 'replace' "
        "AND status = 'open'",
        (audience.pk,),
    ).fetchall()
    return [as_record(UploadSession, r) for r in rows]


def start_session(
    conn: sqlite3.Connection,
    audience: Audience,
    session_id: str,
    kind: str,
    estimated_total: int | None,
    now: float,
) -> UploadSession:
    conn.execute(
        "DELETE FROM staged_member WHERE audience_pk = ? AND session_id = ?",
        (audience.pk, session_id),
    )
    conn.execute(
        "INSERT OR REPLACE INTO upload_session (audience_pk, session_id, kind, status, batches, "
        "last_seq, received, invalid, estimated_total, started_at, updated_at) "
        "VALUES (?, ?, ?, 'open', 0, 0, 0, 0, ?, ?, ?)",
        (audience.pk, session_id, kind, estimated_total, now, now),
    )
    session = get_session(conn, audience, session_id)
    assert session is not None
    return session


def record_batch(
    conn: sqlite3.Connection,
    session: UploadSession,
    *,
    seq: int,
    received: int,
    invalid: int,
    last: bool,
    now: float,
) -> None:
    session.batches += 1
    session.last_seq = max(session.last_seq, seq)
    session.received += received
    session.invalid += invalid
    session.status = "closed" if last else "open"
    conn.execute(
        "UPDATE upload_session SET batches = ?, last_seq = ?, received = ?, invalid = ?, "
        "status = ?, updated_at = ? WHERE audience_pk = ? AND session_id = ?",
        (
            session.batches,
            session.last_seq,
            session.received,
            session.invalid,
            session.status,
            now,
            session.audience_pk,
            session.session_id,
        ),
    )


def stage_members(
    conn: sqlite3.Connection, session: UploadSession, hashes: Sequence[Row], *, permille: int
) -> int:
    """Stage people for a replace; returns how many were new to the session."""
    return stage_people(conn, session.audience_pk, session.session_id, hashes, permille=permille)


def commit_replace(
    conn: sqlite3.Connection, audience: Audience, session: UploadSession, *, now: float
) -> int:
    """Swap the audience's members for the staged people in one transaction."""
    return swap_in_staged(conn, audience, session.session_id, now=now)


def note_batch(
    conn: sqlite3.Connection,
    audience: Audience,
    *,
    received: int,
    invalid: int,
    duplicates: int,
    now: float,
) -> None:
    """Upload stats for a batch that did not change members yet (a staged replace batch)."""
    conn.execute(
        "UPDATE audience SET accepted_batches = accepted_batches + 1, received_rows = "
        "received_rows + ?, invalid_rows = invalid_rows + ?, duplicate_rows = duplicate_rows + ?, "
        "updated_at = ? WHERE pk = ?",
        (received, invalid, duplicates, now, audience.pk),
    )


# --------------------------------------------------------------------------- uploaded files


def save_file(
    conn: sqlite3.Connection,
    *,
    file_path: str,
    advertiser_id: str,
    calculate_type: str,
    hashes: Sequence[bytes],
    invalid: int,
    now: float,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO uploaded_file (file_path, advertiser_id, calculate_type, hashes, "
        "row_count, invalid_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (file_path, advertiser_id, calculate_type, b"".join(hashes), len(hashes), invalid, now),
    )


@dataclass(frozen=True)
class UploadedFile:
    file_path: str
    advertiser_id: str
    calculate_type: str
    hashes: list[bytes]
    invalid_count: int


def get_file(conn: sqlite3.Connection, file_path: str) -> UploadedFile | None:
    row = conn.execute("SELECT * FROM uploaded_file WHERE file_path = ?", (file_path,)).fetchone()
    if row is None:
        return None
    blob = bytes(row["hashes"])
    return as_record(UploadedFile, row, hashes=[blob[i : i + 32] for i in range(0, len(blob), 32)])
