"""``cdp.profiles``: a user's own CDP feeding segments continuously.

Messages are keyed by the profile's external id (so one profile's changes stay in order)
and carry plain JSON (not an event envelope)::

    {"op": "upsert" | "remove", "user_id": "<uuid>", "segment_id": "<uuid>",
     "profile": {"external_id": "...", "email": "...", ...}}

``profile`` takes the fields of ``POST /cdp/segments/{id}/profiles`` (a field left out keeps
its stored value); a ``remove`` needs only ``external_id``. Each poll's messages are applied
in order in one transaction (consecutive upserts of one segment as one bulk upsert), then
the offsets are committed. Upserts and removals are idempotent, so a redelivered batch
changes nothing. A message that is not valid JSON, does not match the schema, or names a
segment the user does not own goes to ``cdp.profiles.dlq`` with the reason; a batch whose
transaction keeps failing is replayed message by message so only the bad one is
dead-lettered.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import orjson
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer, ConsumerRecord
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from adscale_common.kafka import commit_after
from audience_sync.consumers.kafka import dead_letter, start_consumer
from audience_sync.db import unit_of_work
from audience_sync.models import Segment
from audience_sync.segment import service as segments
from audience_sync.segment.rows import FIELDS, InvalidValue, stage_record
from audience_sync.segment.schemas import ProfileIn
from audience_sync.settings import Settings

logger = logging.getLogger(__name__)

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


class ProfileMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["upsert", "remove"]
    user_id: uuid.UUID
    segment_id: uuid.UUID
    profile: ProfileIn


@dataclass
class _Run:
    segment_id: uuid.UUID
    op: str
    records: list[Record] = field(default_factory=list)
    profiles: list[ProfileIn] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)


def parse(record: Record) -> ProfileMessage:
    if record.value is None:
        raise ValueError("empty message")
    try:
        body = orjson.loads(record.value)
    except orjson.JSONDecodeError as exc:
        raise ValueError("not JSON") from exc
    try:
        message = ProfileMessage.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise ValueError(f"not a cdp.profiles message ({problems})") from exc
    if message.op == "upsert":
        profile = message.profile
        try:
            stage_record(0, profile.external_id, {f: getattr(profile, f) for f in FIELDS}, None)
        except InvalidValue as exc:
            raise ValueError(f"invalid profile: {exc}") from exc
    return message


def runs(messages: list[tuple[Record, ProfileMessage]]) -> list[_Run]:
    """Consecutive messages of one segment and operation, each profile at most once."""
    out: list[_Run] = []
    for record, message in messages:
        key = message.profile.external_id
        current = out[-1] if out else None
        if (
            current is None
            or current.segment_id != message.segment_id
            or current.op != message.op
            or key in current.keys
        ):
            current = _Run(message.segment_id, message.op)
            out.append(current)
        current.records.append(record)
        current.profiles.append(message.profile)
        current.keys.add(key)
    return out


class ProfilesConsumer:
    def __init__(
        self,
        *,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        group: str | None = None,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.producer = producer
        self.group = group or settings.cdp_profiles_consumer_group
        self._stopping = False
        self.applied = 0
        self.dead_lettered = 0

    def stop(self) -> None:
        self._stopping = True

    async def run(self) -> None:
        consumer = await start_consumer(
            self.settings.cdp_profiles_topic,
            bootstrap=self.settings.kafka_bootstrap,
            group=self.group,
        )
        try:
            while not self._stopping:
                batches = await consumer.getmany(
                    timeout_ms=500, max_records=self.settings.cdp_profiles_batch
                )
                for records in batches.values():
                    await self.handle(records)
                    await commit_after(consumer, records[-1])
        finally:
            await consumer.stop()

    async def _dlq(self, record: Record, reason: str) -> None:
        self.dead_lettered += 1
        await dead_letter(self.producer, record, reason, self.group)

    async def handle(self, records: list[Record]) -> None:
        parsed: list[tuple[Record, ProfileMessage]] = []
        for record in records:
            try:
                parsed.append((record, parse(record)))
            except ValueError as exc:
                await self._dlq(record, str(exc))
        if not parsed:
            return
        async with self.sessionmaker() as session:
            owners = {
                s.id: s.user_id for s in await _segments(session, {m.segment_id for _, m in parsed})
            }
        valid: list[tuple[Record, ProfileMessage]] = []
        for record, message in parsed:
            if owners.get(message.segment_id) != message.user_id:
                await self._dlq(record, "segment not found for this user")
            else:
                valid.append((record, message))
        if not valid:
            return
        for attempt in range(2):
            try:
                await self._apply(runs(valid))
                self.applied += len(valid)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning(
                    "cdp.profiles batch failed", extra={"attempt": attempt + 1, "error": repr(exc)}
                )
                await asyncio.sleep(0.5)
        for record, message in valid:  # isolate the message that keeps failing
            try:
                await self._apply(runs([(record, message)]))
                self.applied += 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._dlq(record, repr(exc))

    async def _apply(self, batch: list[_Run]) -> None:
        async with unit_of_work(self.sessionmaker) as session:
            cache: dict[uuid.UUID, Segment] = {}
            for run in batch:
                segment = cache.get(run.segment_id) or await session.get(Segment, run.segment_id)
                if segment is None:
                    raise LookupError("segment deleted")
                cache[run.segment_id] = segment
                if run.op == "upsert":
                    result = await segments.upsert_profiles(session, segment, run.profiles)
                    if result.suppressed:
                        logger.warning(
                            "cdp.profiles rows refused",
                            extra={"reason": "suppressed", "count": result.suppressed},
                        )
                else:
                    await segments.delete_profiles(
                        session, segment, [p.external_id for p in run.profiles]
                    )


async def _segments(session: AsyncSession, ids: set[uuid.UUID]) -> list[Segment]:
    stmt = sa.select(Segment).where(col(Segment.id).in_(ids))
    return list((await session.execute(stmt)).scalars())
