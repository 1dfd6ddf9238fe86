"""Changes to a whole audience's members in SQL: remove-all (or all added before a time),
a replace session's staging and swap, recounts. Their rows stay in the audience's rowid
range (:func:`adscale_sandbox.key_index.span`), members naming their person's row by its
rowid (``member.person_id``); each change forgets the audience's key index, which the next
upload or removal rebuilds from the table."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from adscale_sandbox import key_index
from adscale_sandbox.audience import Audience
from adscale_sandbox.key_index import span
from adscale_sandbox.people import Row, as_people, is_match


def recount(conn: sqlite3.Connection, audience: Audience, *, now: float) -> None:
    row = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(matched_keys > 0 OR extra > 0), 0) FROM person "
        "WHERE id BETWEEN ? AND ?",
        span(audience.pk),
    ).fetchone()
    conn.execute(
        "UPDATE audience SET member_count = ?, matched_count = ?, last_change_at = ?, "
        "updated_at = ? WHERE pk = ?",
        (row[0], row[1], now, now, audience.pk),
    )


def rebuild_people(conn: sqlite3.Connection, audience: Audience) -> None:
    """People from the members left (after a bulk delete), keeping their match evidence."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS held_person "
        "(person_id INTEGER PRIMARY KEY, keys INTEGER, matched_keys INTEGER)"
    )
    conn.execute("DELETE FROM held_person")
    conn.execute(
        "INSERT INTO held_person SELECT person_id, COUNT(*), SUM(matched) FROM member "
        "WHERE id BETWEEN ? AND ? GROUP BY person_id",
        span(audience.pk),
    )
    conn.execute(
        "DELETE FROM person WHERE id BETWEEN ? AND ? "
        "AND id NOT IN (SELECT person_id FROM held_person)",
        span(audience.pk),
    )
    conn.execute(
        "UPDATE person SET "
        "keys = (SELECT h.keys FROM held_person h WHERE h.person_id = person.id), "
        "matched_keys = (SELECT h.matched_keys FROM held_person h WHERE h.person_id = person.id) "
        "WHERE id BETWEEN ? AND ?",
        span(audience.pk),
    )
    key_index.forget(conn, audience.pk)


def _people(conn: sqlite3.Connection, audience: Audience) -> int:
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM person WHERE id BETWEEN ? AND ?", span(audience.pk)
        ).fetchone()[0]
    )


def delete_all(conn: sqlite3.Connection, audience: Audience) -> None:
    """Delete the audience's members and people."""
    conn.execute("DELETE FROM member WHERE id BETWEEN ? AND ?", span(audience.pk))
    conn.execute("DELETE FROM person WHERE id BETWEEN ? AND ?", span(audience.pk))
    key_index.forget(conn, audience.pk)


def remove_all_members(
    conn: sqlite3.Connection, audience: Audience, *, before: float | None, now: float
) -> int:
    """Delete every member (or those last added before ``before``); returns the number of
    people that left."""
    people_before = _people(conn, audience)
    if before is None:
        delete_all(conn, audience)
    else:
        conn.execute(
            "DELETE FROM member WHERE id BETWEEN ? AND ? AND added_at < ?",
            (*span(audience.pk), before),
        )
        rebuild_people(conn, audience)
    removed = people_before - _people(conn, audience)
    conn.execute(
        "UPDATE audience SET removed_rows = removed_rows + ?, accepted_batches = "
        "accepted_batches + 1, uploads = uploads + 1 WHERE pk = ?",
        (removed, audience.pk),
    )
    recount(conn, audience, now=now)
    return removed


def stage_people(
    conn: sqlite3.Connection,
    audience_pk: int,
    session_id: str,
    hashes: Sequence[Row],
    *,
    permille: int,
) -> int:
    """Stage people for a replace; returns how many were new to the session."""
    people = as_people(hashes)
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO staged_member "
        "(audience_pk, session_id, hash, person, matched, extra) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                audience_pk,
                session_id,
                key,
                p.id,
                1 if is_match(key, permille) else 0,
                1 if any(is_match(k, permille) for k in p.extra) else 0,
            )
            for p in people
            for key in p.keys
        ],
    )
    return min(len(people), conn.total_changes - before)


def swap_in_staged(
    conn: sqlite3.Connection, audience: Audience, session_id: str, *, now: float
) -> int:
    """The audience's members become the staged people; returns the people that left."""
    args = (audience.pk, session_id)
    first, last = span(audience.pk)
    removed = conn.execute(
        "SELECT COUNT(*) FROM person WHERE id BETWEEN ? AND ? AND person NOT IN "
        "(SELECT person FROM staged_member WHERE audience_pk = ? AND session_id = ?)",
        (first, last, *args),
    ).fetchone()[0]
    delete_all(conn, audience)
    # Appended from the audience's first rowid on: people in id order, members in the
    # staged (key) order, each naming its person by the same numbering (its id's rank).
    conn.execute(
        "INSERT INTO person (id, person, keys, matched_keys, extra) "
        "SELECT ? + ROW_NUMBER() OVER (ORDER BY person) - 1, person, COUNT(*), "
        "SUM(matched), MAX(extra) FROM staged_member "
        "WHERE audience_pk = ? AND session_id = ? GROUP BY person",
        (first, *args),
    )
    conn.execute(
        "INSERT INTO member (id, hash, person_id, matched, added_at) "
        "SELECT ? + ROW_NUMBER() OVER (ORDER BY hash) - 1, hash, person_id, matched, ? FROM "
        "(SELECT hash, ? + DENSE_RANK() OVER (ORDER BY person) - 1 AS person_id, matched "
        "FROM staged_member WHERE audience_pk = ? AND session_id = ?)",
        (first, now, first, *args),
    )
    conn.execute("DELETE FROM staged_member WHERE audience_pk = ? AND session_id = ?", args)
    conn.execute(
        "UPDATE audience SET removed_rows = removed_rows + ? WHERE pk = ?", (removed, audience.pk)
    )
    recount(conn, audience, now=now)
    return int(removed)
