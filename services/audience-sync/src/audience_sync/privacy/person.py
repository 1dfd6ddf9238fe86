"""Finding a person and planning their erasure (one transaction per erasure).

Matching: by ``external_id`` exactly; by email, trimmed and lower-cased (a person's extra
emails too); by phone, the
profiles whose digits end like the number, compared in E.164. The profiles found are
widened once to every profile sharing their ``external_id`` (the same customer in
another segment). Nothing raw leaves this module: the receipt and the suppression list get
SHA-256 hex of the normalized values.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson

from audience_sync.db import driver_of
from audience_sync.privacy import bulk, store
from audience_sync.privacy.run import ErasureRun
from audience_sync.safeguards.identity import (
    Identifier,
    Kind,
    hashes_of,
    normalize_phone,
    phone_tail,
)
from audience_sync.sync.digest import lock_segment_profiles

logger = logging.getLogger(__name__)


def decode_json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


async def find(apg: store.Apg, user_id: uuid.UUID, who: Identifier) -> list[Any]:
    """Every profile of the person in the user's segments."""
    if who.kind == "external_id":
        found = await store.profiles_by_external_ids(apg, user_id, [who.value])
    elif who.kind == "email":
        found = await store.profiles_by_email(apg, user_id, who.value)
    else:
        candidates = await store.profiles_by_phone_tail(apg, user_id, phone_tail(who.value))
        found = [r for r in candidates if normalize_phone(r["phone"]) == who.value]
    ids = sorted({r["external_id"] for r in found})
    if who.kind != "external_id" and ids:
        found = await store.profiles_by_external_ids(apg, user_id, ids)
    return list(found)


def identifier_hashes(who: Identifier, profiles: list[Any]) -> list[tuple[Kind, str]]:
    """``(kind, sha256)`` of the request and of every identifier the profiles hold."""
    out: dict[str, Kind] = {who.sha256: who.kind}
    kinds: tuple[Kind, ...] = ("external_id", "email", "phone")
    for kind in kinds:
        for h in hashes_of(kind, [r[kind] for r in profiles]):
            out.setdefault(h, kind)
    for kind, column in (("email", "extra_emails"), ("phone", "extra_phones")):
        more = [v for r in profiles for v in r[column] or ()]
        for h in hashes_of(kind, more):
            out.setdefault(h, kind)
    return [(kind, h) for h, kind in out.items()]


PLAN_CHUNK = 2_000


async def plan_many(eraser: ErasureRun, rows: list[Any]) -> None:
    """Plan every unplanned erasure of the run, ``PLAN_CHUNK`` per transaction."""
    pending = [r for r in rows if r["planned_at"] is None]
    for start in range(0, len(pending), PLAN_CHUNK):
        await _plan_chunk(eraser, pending[start : start + PLAN_CHUNK])


def _subject(eraser: ErasureRun, row: Any) -> Identifier | None:
    subject = row["subject_encrypted"]
    value = eraser.cipher.decrypt_or_none(subject) if eraser.cipher and subject else None
    # An unreadable identifier (its key was dropped) matches nothing.
    return Identifier(row["kind"], value) if value is not None else None


async def _matches(
    apg: store.Apg, user_id: uuid.UUID, asked: dict[uuid.UUID, Identifier]
) -> dict[uuid.UUID, list[Any]]:
    """Each erasure's profiles, found with one query per identifier kind (then widened by
    external id)."""
    by_kind: dict[str, dict[str, list[uuid.UUID]]] = defaultdict(lambda: defaultdict(list))
    for erasure_id, who in asked.items():
        by_kind[who.kind][who.value].append(erasure_id)
    seeds: dict[uuid.UUID, set[str]] = defaultdict(set)
    direct: dict[uuid.UUID, list[Any]] = defaultdict(list)
    if by_kind["external_id"]:
        for r in await store.profiles_by_external_ids(apg, user_id, list(by_kind["external_id"])):
            for erasure_id in by_kind["external_id"][r["external_id"]]:
                direct[erasure_id].append(r)
    if by_kind["email"]:
        for r in await bulk.profiles_by_emails(apg, user_id, list(by_kind["email"])):
            for erasure_id in by_kind["email"].get(r["matched"], []):
                seeds[erasure_id].add(r["external_id"])
    if by_kind["phone"]:
        tails = sorted({phone_tail(v) for v in by_kind["phone"]})
        for r in await bulk.profiles_by_phone_tails(apg, user_id, tails):
            for erasure_id in by_kind["phone"].get(normalize_phone(r["phone"]) or "", []):
                seeds[erasure_id].add(r["external_id"])
    wanted = sorted({i for ids in seeds.values() for i in ids})
    if wanted:
        widened: dict[str, list[Any]] = defaultdict(list)
        for r in await store.profiles_by_external_ids(apg, user_id, wanted):
            widened[r["external_id"]].append(r)
        for erasure_id, ids in seeds.items():
            direct[erasure_id].extend(r for i in sorted(ids) for r in widened[i])
    return direct


async def _plan_chunk(eraser: ErasureRun, rows: list[Any]) -> None:
    """Find, copy the platform keys, delete, revoke, suppress: all or nothing."""
    asked = {r["id"]: _subject(eraser, r) for r in rows}
    users: dict[uuid.UUID, dict[uuid.UUID, Identifier]] = defaultdict(dict)
    for r in rows:
        who = asked[r["id"]]
        if who is not None:
            users[r["user_id"]][r["id"]] = who
    files: list[str] = []
    async with eraser.engine.begin() as conn:
        apg = await driver_of(conn)
        found: dict[uuid.UUID, list[Any]] = {}
        for user_id, people in users.items():
            found.update(await _matches(apg, user_id, people))
        keys: store_keys = ([], [], [])
        for erasure_id, profiles in found.items():
            for p in profiles:
                keys[0].append(erasure_id)
                keys[1].append(p["segment_id"])
                keys[2].append(p["external_id"])
        for segment_id in sorted(set(keys[1])):
            await lock_segment_profiles(apg, segment_id)
        await bulk.copy_members(apg, keys)
        pairs = sorted(set(zip(keys[1], keys[2], strict=True)))
        deleted = await bulk.delete_rows(apg, [p[0] for p in pairs], [p[1] for p in pairs])
        ids = [r["id"] for r in rows]
        await bulk.drop_shared_keys(apg, ids)
        await bulk.add_targets(apg, ids)
        revoked = await store.revoke_exports(apg, sorted(set(keys[1]))) if keys[1] else []
        files = [r["file_name"] for r in revoked if r["file_name"]]
        plans, hashes = _plans(rows, asked, found, deleted, revoked)
        await store.suppress_many(apg, hashes)
        await bulk.record_plans(apg, eraser.owner, plans)
    for name in files:
        with contextlib.suppress(OSError):
            (Path(eraser.settings.export_dir) / name).unlink(missing_ok=True)
    logger.info(
        "erasures planned",
        extra={"erasures": len(rows), "profiles": len(keys[2]), "exports_revoked": len(files)},
    )


store_keys = tuple[list[uuid.UUID], list[uuid.UUID], list[str]]


def _plans(
    rows: list[Any],
    asked: dict[uuid.UUID, Identifier | None],
    found: dict[uuid.UUID, list[Any]],
    deleted: tuple[list[Any], list[Any], list[Any]],
    revoked: list[Any],
) -> tuple[list[tuple[Any, ...]], list[tuple[uuid.UUID, uuid.UUID, str, str]]]:
    """Per erasure, what its receipt records; and the suppression rows of the run."""
    counted = [Counter((r["segment_id"], r["external_id"]) for r in part) for part in deleted]
    taken: set[tuple[Any, str]] = set()
    exports_of: Counter[Any] = Counter()
    for r in revoked:
        exports_of[r["segment_id"]] += 1
    plans: list[tuple[Any, ...]] = []
    suppressed: list[tuple[uuid.UUID, uuid.UUID, str, str]] = []
    for row in rows:
        erasure_id = row["id"]
        who = asked[erasure_id]
        profiles = found.get(erasure_id, [])
        mine = sorted({(p["segment_id"], p["external_id"]) for p in profiles} - taken)
        taken.update(mine)
        numbers = [sum(c[k] for k in mine) for c in counted]
        segments = sorted({p["segment_id"] for p in profiles})
        hashes = identifier_hashes(who, profiles) if who is not None else []
        suppressed.extend((row["user_id"], erasure_id, kind, h) for kind, h in hashes)
        plans.append(
            (
                erasure_id,
                orjson.dumps([{"kind": k, "sha256": h} for k, h in hashes]).decode(),
                len(profiles),
                len(segments),
                numbers[0],
                numbers[1],
                numbers[2],
                sum(exports_of.pop(s, 0) for s in segments),
            )
        )
    return plans, suppressed
