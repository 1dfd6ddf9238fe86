"""deploy/lib/kafka_prune.py against the provisioned broker: an idle test topic goes, a
test topic written to recently and the stack's own topics stay."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

ROOT = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("ADSCALE_HOME", ROOT / ".adscale"))
DATA = HOME / "kafka" / "data"
BOOTSTRAP = os.environ.get("ADSCALE_TEST_KAFKA") or "127.0.0.1:9092"
sys.path.insert(0, str(ROOT / "deploy" / "lib"))

from kafka_prune import stale_topics  # noqa: E402


def test_only_idle_topics_with_a_run_token_are_chosen():
    now = time.time()
    written = {
        "identity.events": 0.0,
        "cdp.profiles.dlq": 0.0,
        "__consumer_offsets": 0.0,
        "t0123456789ab.events": now - 7200,
        "test.rules.deadbeef": now - 60,
    }
    assert stale_topics(list(written), written, idle_s=3600) == ["t0123456789ab.events"]


async def _topics(admin: AIOKafkaAdminClient) -> set[str]:
    return set(await admin.list_topics())


def test_an_idle_test_topic_is_deleted_and_a_busy_one_kept():
    assert DATA.is_dir(), f"the test needs the local broker's data dir ({DATA})"
    token = uuid.uuid4().hex[:12]
    idle, busy = f"prune-idle.{token}", f"prune-busy.{token}"

    async def make() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(t, 1, 1) for t in (idle, busy)])
        finally:
            await admin.close()
        producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP)
        await producer.start()
        try:
            for topic in (idle, busy):
                await producer.send_and_wait(topic, b"x")
        finally:
            await producer.stop()

    asyncio.run(make())
    # Age the idle topic's files by two hours, as if its test had ended long ago.
    old = time.time() - 7200
    for path in (DATA / f"{idle}-0").iterdir():
        os.utime(path, (old, old))

    run = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "lib" / "kafka_prune.py"), BOOTSTRAP, str(DATA)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "deleted" in run.stdout

    async def remaining() -> set[str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        await admin.start()
        try:
            for _ in range(50):
                topics = await _topics(admin)
                if idle not in topics:
                    return topics
                await asyncio.sleep(0.2)
            return await _topics(admin)
        finally:
            await admin.close()

    topics = asyncio.run(remaining())
    assert idle not in topics
    assert busy in topics
