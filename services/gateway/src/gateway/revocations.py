"""Evicts cached API-key answers when identity revokes a key or billing changes a plan, and
refuses the access tokens of sign-in sessions identity ended.

Every gateway instance must see every event, so this consumer has no group: it
subscribes to the topics and reads every partition of them from the latest offset,
following the subscription through cluster metadata (refreshed every second): a topic
that does not exist yet, one created later by another process, partitions added, leaders
moving and broker restarts are all picked up without restarting the gateway. A watcher
reports to :class:`ListenerHealth` whether the listener is live; while it is not, the
API-key cache keeps answers only briefly (see ``auth.ApiKeyVerifier``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError
from pydantic import ValidationError

from adscale_common.events import Envelope
from adscale_common.kafka import subscribed_consumer
from adscale_contracts.events import ApiKeyRevoked, PlanChanged, SessionsEnded, parse
from gateway.auth import MAX_ACCESS_TOKEN_SECONDS, ApiKeyVerifier, JwtVerifier
from gateway.listener_health import ListenerHealth, Observation

logger = logging.getLogger(__name__)

TOPICS = ("identity.events", "billing.events")
SESSIONS_TOPIC = "identity.events"
# An ended session's access tokens can be current for this long after it ended.
RECALL_SECONDS = MAX_ACCESS_TOKEN_SECONDS + 60
RECALL_TIMEOUT_SECONDS = 30.0
WATCH_INTERVAL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class Verifiers:
    """What the listener keeps current: API-key answers and bearer-token sessions."""

    api_keys: ApiKeyVerifier
    tokens: JwtVerifier


def apply_event(verifiers: Verifiers, envelope: Envelope) -> int:
    """Evict what the event makes stale; returns how many cache entries went."""
    if envelope.type == ApiKeyRevoked.TYPE:
        revoked = parse(envelope, ApiKeyRevoked)
        return verifiers.api_keys.evict_key(revoked.api_key_id)
    if envelope.type == PlanChanged.TYPE:
        change = parse(envelope, PlanChanged)
        return verifiers.api_keys.plan_changed(change.user_id, change.new_plan)
    if envelope.type == SessionsEnded.TYPE:
        return _end_sessions(verifiers.tokens, envelope)
    return 0


def _end_sessions(tokens: JwtVerifier, envelope: Envelope) -> int:
    """Refuse the access tokens of the sessions an ``identity.sessions_ended`` names; how
    many were not known as ended yet."""
    ended = parse(envelope, SessionsEnded)
    return tokens.end_sessions(str(sid) for sid in ended.session_ids)


async def observe(consumer: AIOKafkaConsumer, topics: tuple[str, ...] = TOPICS) -> Observation:
    """Is every partition of ``topics`` assigned, fetched lately and consumed to its end?"""
    assignment = frozenset(consumer.assignment())
    wanted: set[TopicPartition] = set()
    problem: str | None = None
    for topic in topics:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            problem = problem or f"topic {topic} is not available"
            continue
        wanted.update(TopicPartition(topic, p) for p in partitions)
    if problem is None and wanted != assignment:
        problem = "not every partition is assigned yet"
    caught_up = True
    oldest_fetch = time.monotonic()
    now_ms = time.time() * 1000
    for tp in assignment:
        polled_ms = consumer.last_poll_timestamp(tp)
        if polled_ms is None:
            problem = problem or "no fetch response yet"
            oldest_fetch = 0.0
            continue
        oldest_fetch = min(oldest_fetch, time.monotonic() - (now_ms - polled_ms) / 1000)
        try:
            position = await asyncio.wait_for(consumer.position(tp), timeout=0.05)
        except TimeoutError:
            problem = problem or "no position yet"
            continue
        highwater = consumer.highwater(tp)
        if highwater is not None and position < highwater:
            caught_up = False
    if not assignment:
        oldest_fetch = 0.0
    return Observation(assignment, problem, caught_up, oldest_fetch)


async def _watch(consumer: AIOKafkaConsumer, health: ListenerHealth) -> None:
    while True:
        try:
            health.observe(await observe(consumer))
        except (IllegalStateError, AssertionError):
            # A partition was taken away while we looked: a reassignment is under way.
            health.lost("partitions reassigned")
        await asyncio.sleep(WATCH_INTERVAL_SECONDS)


async def _consume(consumer: AIOKafkaConsumer, verifiers: Verifiers) -> None:
    async for record in consumer:
        try:
            envelope = Envelope.model_validate_json(record.value or b"")
            evicted = apply_event(verifiers, envelope)
        except ValidationError:
            logger.warning("undecodable event ignored by gateway", extra={"topic": record.topic})
            continue
        if evicted:
            logger.info(
                "credentials cache updated", extra={"type": envelope.type, "entries": evicted}
            )


async def _recall_ended_sessions(
    tokens: JwtVerifier, bootstrap: str, health: ListenerHealth, live: AIOKafkaConsumer
) -> None:
    """Sessions that ended before this listener was live (the gateway was not running, or
    its listener was down): once it is live, read ``identity.sessions_ended`` back over the
    longest access-token lifetime, up to where the live listener took over. Without this, a
    gateway started after a sign-out accepted that session's access token until it expired.
    A failure is logged and leaves that gap, as before; it never stops the listener."""
    try:
        await health.wait_live()
        partitions = live.partitions_for_topic(SESSIONS_TOPIC) or set()
        recalled = await asyncio.wait_for(
            recall_ended_sessions(
                tokens, bootstrap, partitions, since=time.time() - RECALL_SECONDS
            ),
            timeout=RECALL_TIMEOUT_SECONDS,
        )
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        logger.warning(
            "could not read back recently ended sessions; their tokens last until they expire",
            extra={"error": repr(exc)},
        )
        return
    logger.info("recently ended sessions read back", extra={"sessions": recalled})


async def recall_ended_sessions(
    tokens: JwtVerifier, bootstrap: str, partitions: Iterable[int], *, since: float
) -> int:
    """Apply every ``identity.sessions_ended`` published on these partitions of
    ``identity.events`` since the wall-clock time ``since``, up to their ends now; how many
    sessions it made known as ended."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        client_id="gateway-session-recall",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        tps = [TopicPartition(SESSIONS_TOPIC, p) for p in sorted(partitions)]
        if not tps:
            return 0
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.offsets_for_times({tp: int(since * 1000) for tp in tps})
        left = set()
        for tp in tps:
            start = starts.get(tp)
            if start is not None and start.offset < ends[tp]:
                consumer.seek(tp, start.offset)
                left.add(tp)
        named = 0
        while left:
            batches = await consumer.getmany(*left, timeout_ms=500)
            for tp, records in batches.items():
                for record in records:
                    if record.offset < ends[tp]:
                        named += _ended_in(tokens, record.value)
            for tp in list(left):  # transaction markers take offsets no record shows
                if await consumer.position(tp) >= ends[tp]:
                    left.discard(tp)
        return named
    finally:
        await consumer.stop()


def _ended_in(tokens: JwtVerifier, raw: bytes | None) -> int:
    """The sessions a read-back record ends, newly known (none for any other event: an old
    key revocation or plan change must not be applied again)."""
    try:
        envelope = Envelope.model_validate_json(raw or b"")
        return _end_sessions(tokens, envelope) if envelope.type == SessionsEnded.TYPE else 0
    except ValidationError:
        return 0


async def _follow(verifiers: Verifiers, bootstrap: str, health: ListenerHealth) -> None:
    """One consumer's life: subscribe, watch, consume until it fails."""
    consumer = await subscribed_consumer(
        TOPICS,
        bootstrap=bootstrap,
        group=None,
        client_id="gateway-revocations",
        auto_offset_reset="latest",
        fetch_max_wait_ms=500,
    )
    watcher = asyncio.create_task(_watch(consumer, health))
    recall = asyncio.create_task(
        _recall_ended_sessions(verifiers.tokens, bootstrap, health, consumer)
    )
    try:
        await _consume(consumer, verifiers)
    finally:
        watcher.cancel()
        recall.cancel()
        health.lost("listener stopped")
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(consumer.stop()), timeout=5)


async def listen(verifiers: Verifiers, bootstrap: str, health: ListenerHealth) -> None:
    """Run until cancelled; a consumer that fails is replaced (with backoff)."""
    delay = 1.0
    while True:
        started = time.monotonic()
        try:
            await _follow(verifiers, bootstrap, health)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            health.lost(f"listener failed: {type(exc).__name__}")
            logger.error(
                "revocation listener failed; reconnecting",
                extra={"error": repr(exc)},
                exc_info=True,
            )
        if time.monotonic() - started > 60:
            delay = 1.0
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)
