"""A Kafka broker of a test's own: fresh data directory, free ports, no topics.

Tests that must see how a consumer behaves on a broker that has never held a topic (a
fresh machine), or across a broker restart, cannot use the shared broker. This starts the
same KRaft combined-mode broker ``deploy/provision.sh`` runs, from the jars it cached
(``$ADSCALE_HOME/kafka/libs-<version>``), with the settings of
``deploy/kafka/server.properties`` on ports of its own.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"


class BrokerUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kafka_libs() -> Path:
    """The folder of broker jars provisioning cached (newest version first)."""
    explicit = os.environ.get("ADSCALE_KAFKA_LIBS")
    if explicit:
        return Path(explicit)
    home = Path(os.environ.get("ADSCALE_HOME") or Path.cwd() / ".adscale")
    version = os.environ.get("ADSCALE_KAFKA_VERSION")
    candidates = (
        [home / "kafka" / f"libs-{version}"]
        if version
        else sorted((home / "kafka").glob("libs-*"), reverse=True)
    )
    for folder in candidates:
        if any(folder.glob("kafka_2.13-*.jar")):
            return folder
    raise BrokerUnavailable(
        f"no Kafka jars under {home / 'kafka'}: run `bash deploy/provision.sh up` "
        "(or set ADSCALE_KAFKA_LIBS)"
    )


class PrivateBroker:
    def __init__(self, workdir: Path, *, auto_create_topics: bool = True) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.controller_port = _free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.auto_create_topics = auto_create_topics
        self.libs = kafka_libs()
        java = shutil.which("java")
        if java is None:
            raise BrokerUnavailable("no java on PATH (Java 17+ runs the broker)")
        self._command = [
            java,
            "-Xmx384m",
            "-Xms128m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            "-cp",
            f"{self.libs}/*",
        ]
        self._process: subprocess.Popen[bytes] | None = None
        self.config = workdir / "server.properties"
        self.log = workdir / "kafka.log"

    def _write_config(self) -> None:
        data = self.workdir / "data"
        data.mkdir(parents=True, exist_ok=True)
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(data),
            "auto.create.topics.enable": str(self.auto_create_topics).lower(),
            "num.partitions": "3",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "3",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "2",
        }
        self.config.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))

    def format(self) -> None:
        self._write_config()
        cluster_id = "-"
        while cluster_id.startswith("-"):  # as Kafka's own Uuid.randomUuid: a leading "-"
            # would be read by StorageTool as an option (1 id in 64 starts with one)
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        subprocess.run(  # noqa: S603
            [*self._command, STORAGE_TOOL, "format", "-t", cluster_id, "-c", str(self.config)],
            check=True,
            capture_output=True,
            timeout=120,
        )

    async def start(self, timeout: float = 120.0) -> None:
        with self.log.open("ab") as log:
            # Popen returns at once (the broker runs in the background).
            self._process = subprocess.Popen(  # noqa: S603, ASYNC220
                [*self._command, MAIN_CLASS, str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not await self._answers():
            if self._process.poll() is not None:
                raise BrokerUnavailable(f"broker exited; see {self.log}")
            if time.monotonic() > deadline:
                raise BrokerUnavailable(f"broker did not answer in {timeout} s; see {self.log}")
            await asyncio.sleep(0.5)

    async def _answers(self) -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=3000)
        try:
            async with asyncio.timeout(5):
                await admin.start()
                cluster = await admin.describe_cluster()
            return bool(cluster.get("brokers"))
        except Exception:
            return False
        finally:
            with contextlib.suppress(Exception):
                await admin.close()

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 60)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait, 10)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def topics(self) -> set[str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            return {t for t in await admin.list_topics() if not t.startswith("__")}
        finally:
            await admin.close()


@contextlib.asynccontextmanager
async def private_broker(
    workdir: Path, *, auto_create_topics: bool = True
) -> AsyncIterator[PrivateBroker]:
    """A running broker with no topics; stopped (and its data left in ``workdir``) after."""
    broker = PrivateBroker(workdir, auto_create_topics=auto_create_topics)
    await asyncio.to_thread(broker.format)
    try:
        await broker.start()
        yield broker
    finally:
        await broker.stop()
