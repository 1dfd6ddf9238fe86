"""A worker's own resources close when it stops: the closers its tasks register with
``WorkerContext.at_stop`` run once each, last added first, after the tasks ended, and one
that fails does not keep the others from running."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest
from pydantic_settings import SettingsConfigDict

from adscale_common.settings import ServiceSettings
from adscale_common.worker import WorkerContext, run_worker

pytestmark = pytest.mark.kafka


class _Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WORKERSTOP_")


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_closers_run_once_last_first_after_the_tasks_ended(
    engine_a, adscale_infra, unique_name
) -> None:
    settings = _Settings(
        database_url=engine_a.url.render_as_string(hide_password=False),
        kafka_bootstrap=adscale_infra.kafka_bootstrap,
        worker_metrics_port=0,
        log_json=False,
    )
    happened: list[str] = []
    started = asyncio.Event()

    async def holds_resources(ctx: WorkerContext) -> None:
        async def close_first() -> None:
            happened.append("first closed")

        async def close_broken() -> None:
            happened.append("broken closer ran")
            raise RuntimeError("could not close")

        async def close_last_added() -> None:
            happened.append("last added closed")

        ctx.at_stop(close_first)
        ctx.at_stop(close_broken)
        ctx.at_stop(close_last_added)
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            happened.append("task ended")

    worker = asyncio.create_task(run_worker(settings, service=unique_name, tasks=[holds_resources]))
    await asyncio.wait_for(started.wait(), 30)
    assert happened == []
    errors = _Errors()
    logging.getLogger("adscale_common.worker").addHandler(errors)
    try:
        os.kill(os.getpid(), signal.SIGTERM)  # the worker's own handler: a clean stop
        await asyncio.wait_for(worker, 30)
    finally:
        logging.getLogger("adscale_common.worker").removeHandler(errors)
    assert happened == ["task ended", "last added closed", "broken closer ran", "first closed"]
    assert errors.messages == ["closing a worker resource failed"]
