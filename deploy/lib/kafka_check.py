"""Check that the installed aiokafka works against the Kafka broker we run.

Exercises exactly what AdScale relies on (see DESIGN.md, "Events"):

1. create a topic with the admin client (3 partitions, replication 1);
2. an idempotent producer with ``acks=all`` sends keyed messages;
3. a consumer group with manual commits reads them all but commits only the
   first half of every partition;
4. a new consumer in the same group (a "restart") resumes exactly at the
   committed offsets and gets exactly the uncommitted records again;
   per-key order is kept;
5. a producer send to a topic that does not exist yet auto-creates it with
   ``num.partitions`` (3) partitions;
6. a consumer without a group (``group_id=None``, ``auto_offset_reset=latest``,
   like the gateway's revocation listener) receives a record produced after it
   started.

Exits 0 and prints ``kafka_check: OK`` on success, 1 with the failed step
otherwise. Test topics are deleted at the end.

Usage: python deploy/lib/kafka_check.py [bootstrap]   (default:
$ADSCALE_KAFKA_BOOTSTRAP or 127.0.0.1:9092)
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import uuid
from collections import defaultdict

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

PARTITIONS = 3
MESSAGES = 30
KEYS = 10
STEP_TIMEOUT = 30.0


class CheckFailed(Exception):
    pass


def log(msg: str) -> None:
    print(f"kafka_check: {msg}", flush=True)


def expect(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def new_consumer(bootstrap: str, topic: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
    )


async def read(consumer: AIOKafkaConsumer, count: int) -> list[tuple[int, int, bytes, bytes]]:
    """Read exactly ``count`` records (partition, offset, key, value), in fetch order."""
    out: list[tuple[int, int, bytes, bytes]] = []
    async with asyncio.timeout(STEP_TIMEOUT):
        while len(out) < count:
            batches = await consumer.getmany(timeout_ms=500, max_records=count - len(out))
            for records in batches.values():
                for r in records:
                    assert r.key is not None and r.value is not None
                    out.append((r.partition, r.offset, r.key, r.value))
    return out


async def create_topic(admin: AIOKafkaAdminClient, topic: str) -> None:
    resp = await admin.create_topics(
        [NewTopic(name=topic, num_partitions=PARTITIONS, replication_factor=1)]
    )
    for entry in resp.topic_errors:
        name, code = entry[0], entry[1]
        expect(code == 0, f"create_topics({name}) failed with error code {code}: {entry}")
    async with asyncio.timeout(STEP_TIMEOUT):
        while True:
            (meta,) = await admin.describe_topics([topic])
            if meta["error_code"] == 0 and len(meta["partitions"]) == PARTITIONS:
                leaders = [p["leader"] for p in meta["partitions"]]
                if all(leader >= 0 for leader in leaders):
                    return
            await asyncio.sleep(0.2)


async def run(bootstrap: str) -> None:
    run_id = uuid.uuid4().hex[:10]
    topic = f"adscale-check.{run_id}"
    auto_topic = f"adscale-check.auto.{run_id}"
    group = f"adscale-check-{run_id}"
    t0 = time.monotonic()

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        log(f"connected to {bootstrap}: brokers={[b['node_id'] for b in cluster['brokers']]}")

        # 1. topic creation through the admin API.
        await create_topic(admin, topic)
        log(f"step 1 ok: created topic {topic} ({PARTITIONS} partitions)")

        # 2. idempotent producer, acks=all.
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
        )
        await producer.start()
        sent: dict[bytes, list[bytes]] = defaultdict(list)
        try:
            futures = []
            for i in range(MESSAGES):
                key = f"key-{i % KEYS}".encode()
                value = f"{run_id}:{i}".encode()
                sent[key].append(value)
                futures.append(await producer.send(topic, value=value, key=key))
            metas = await asyncio.gather(*futures)
            expect(len(metas) == MESSAGES, "not every send was acknowledged")
            expect(all(m.offset >= 0 for m in metas), f"bad offsets in {metas}")
            # The idempotent producer got a producer id from the broker.
            txn = producer._txn_manager  # private, but the only place aiokafka exposes it
            pid = txn.producer_id if txn is not None else -1
            expect(pid >= 0, f"idempotent producer got no producer id ({pid})")

            # 5. auto-created topic (auto.create.topics.enable, num.partitions).
            await producer.send_and_wait(auto_topic, value=b"auto", key=b"auto")
            auto_parts = await producer.partitions_for(auto_topic)
            expect(
                len(auto_parts) == PARTITIONS,
                f"auto-created topic has {len(auto_parts)} partitions, expected {PARTITIONS}",
            )
        finally:
            await producer.stop()
        log(f"step 2 ok: idempotent producer (pid {pid}, acks=all) sent {MESSAGES} messages")

        # 3. consumer group: read everything, but commit only the first half of
        #    every partition (as if the process died before finishing the rest).
        first = new_consumer(bootstrap, topic, group)
        await first.start()
        try:
            batch1 = await read(first, MESSAGES)
            per_partition: dict[int, int] = defaultdict(int)
            for partition, _, _, _ in batch1:
                per_partition[partition] += 1
            commit = {TopicPartition(topic, p): n // 2 for p, n in per_partition.items() if n // 2}
            expect(len(commit) >= 2, f"messages landed on too few partitions: {per_partition}")
            await first.commit(commit)
            for tp, offset in commit.items():
                got = await first.committed(tp)
                expect(got == offset, f"committed({tp}) = {got}, expected {offset}")
        finally:
            await first.stop()
        committed = {tp.partition: off for tp, off in commit.items()}
        log(f"step 3 ok: group read {len(batch1)}, committed offsets {committed}")

        # 4. "restart": a new consumer in the group resumes at the committed offsets
        #    and gets exactly the uncommitted records again (at-least-once).
        expected = sorted((p, o, k, v) for p, o, k, v in batch1 if o >= committed.get(p, 0))
        second = new_consumer(bootstrap, topic, group)
        await second.start()
        try:
            for tp, offset in commit.items():
                got = await second.committed(tp)
                expect(got == offset, f"after restart committed({tp}) = {got}, expected {offset}")
            batch2 = await read(second, len(expected))
            extra = await second.getmany(timeout_ms=1000)
            expect(not any(extra.values()), f"unexpected extra records after restart: {extra}")
            await second.commit()
        finally:
            await second.stop()
        expect(sorted(batch2) == expected, "restarted consumer did not resume at the commits")

        expect(len({(p, o) for p, o, _, _ in batch1}) == MESSAGES, "duplicates in first read")
        received: dict[bytes, list[bytes]] = defaultdict(list)
        for _, _, key, value in sorted(batch1):
            received[key].append(value)
        expect(received == sent, "per-key order or content differs from what was sent")
        log(
            f"step 4 ok: restarted consumer resumed at the committed offsets and re-read "
            f"exactly the {len(batch2)} uncommitted records; per-key order kept"
        )
        log(f"step 5 ok: auto-created {auto_topic} with {PARTITIONS} partitions")

        # 6. group-less listener (group_id=None, "latest"), like the gateway's
        #    revocation listener: sees what is produced after it started.
        listener = AIOKafkaConsumer(
            topic,
            auto_topic,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="latest",
            enable_auto_commit=False,
        )
        await listener.start()
        try:
            # Make sure the listener has its positions before producing.
            for tp in listener.assignment():
                await listener.position(tp)
            producer = AIOKafkaProducer(
                bootstrap_servers=bootstrap, enable_idempotence=True, acks="all"
            )
            await producer.start()
            try:
                await producer.send_and_wait(auto_topic, value=b"live", key=b"live")
            finally:
                await producer.stop()
            live = await read(listener, 1)
            expect(
                live[0][3] == b"live", f"group-less listener got {live}, expected the new record"
            )
        finally:
            await listener.stop()
        log("step 6 ok: group-less 'latest' listener received a record produced after it started")

        await admin.delete_topics([topic, auto_topic])
    finally:
        await admin.close()
    log(f"OK ({time.monotonic() - t0:.1f}s)")


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="kafka_check: [%(name)s] %(message)s")
    default = os.environ.get("ADSCALE_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    bootstrap = sys.argv[1] if len(sys.argv) > 1 else default
    try:
        asyncio.run(run(bootstrap))
    except CheckFailed as exc:
        log(f"FAILED: {exc}")
        return 1
    except Exception as exc:
        log(f"FAILED: {type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
