"""Finding a person and planning their erasure (one transaction per erasure).

Matching: by ``external_id`` exactly; by email, trimmed and lower-cased; by phone, the
profiles whose digits end like the number, compared in E.164. The profiles found are
widened once to every profile sharing their ``external_id`` (the same customer in
another segment). Nothing raw leaves this module: the receipt and the suppression list get
SHA-256 hex of the normalized values.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from audience_sync.db import driver_of
from audience_sync.privacy import store
from audience_sync.privacy.identity import Identifier, Kind, hashes_of, normalize_phone
from audience_sync.sync.digest import lock_segment_profiles

if TYPE_CHECKING:
    from audience_sync.privacy.eraser import Eraser

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
        tail = who.value[-7:]
        candidates = await store.profiles_by_phone_tail(apg, user_id, tail)
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
    return [(kind, h) for h, kind in out.items()]


async def plan(eraser: Eraser, row: Any) -> None:
    """Find, copy the platform keys, delete, revoke, suppress: all or nothing."""
    erasure_id: uuid.UUID = row["id"]
    user_id: uuid.UUID = row["user_id"]
    subject = row["subject_encrypted"]
    value = eraser.cipher.decrypt_or_none(subject) if eraser.cipher and subject else None
    files: list[str] = []
    async with eraser.engine.begin() as conn:
        apg = await driver_of(conn)
        if value is None:
            # Unreadable identifier (the key was dropped): nothing can be matched.
            profiles: list[Any] = []
            who = None
        else:
            who = Identifier(row["kind"], value)
            profiles = await find(apg, user_id, who)
        by_segment: dict[uuid.UUID, list[str]] = defaultdict(list)
        for r in profiles:
            by_segment[r["segment_id"]].append(r["external_id"])
        deleted = [0, 0, 0]
        for segment_id in sorted(by_segment):
            ids = sorted(set(by_segment[segment_id]))
            await lock_segment_profiles(apg, segment_id)
            await store.copy_members(apg, erasure_id, segment_id, ids)
            for i, n in enumerate(await store.delete_person_rows(apg, segment_id, ids)):
                deleted[i] += n
        await store.drop_shared_keys(apg, erasure_id)
        await store.add_targets(apg, erasure_id)
        revoked = await store.revoke_exports(apg, sorted(by_segment)) if by_segment else []
        files = [r["file_name"] for r in revoked if r["file_name"]]
        hashes = identifier_hashes(who, profiles) if who is not None else []
        if hashes:
            await store.suppress(apg, user_id, erasure_id, hashes)
        await store.record_plan(
            apg,
            erasure_id,
            eraser.owner,
            identifier_hashes=orjson.dumps([{"kind": k, "sha256": h} for k, h in hashes]).decode(),
            matched=len(profiles),
            segments=len(by_segment),
            deleted=(deleted[0], deleted[1], deleted[2]),
            exports=len(revoked),
        )
    for name in files:
        with contextlib.suppress(OSError):
            (Path(eraser.settings.export_dir) / name).unlink(missing_ok=True)
    logger.info(
        "erasure planned",
        extra={
            "erasure_id": str(erasure_id),
            "profiles": len(profiles),
            "exports_revoked": len(files),
        },
    )
