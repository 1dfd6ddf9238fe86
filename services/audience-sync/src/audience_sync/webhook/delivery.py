"""Getting queued deliveries to subscribers (``queueing.py`` turns events into them).

:class:`Deliverer` (worker task :func:`retry_due_deliveries`) claims due rows with ``FOR
UPDATE SKIP LOCKED`` and marks them ``in_flight`` under a lease, commits, sends each one
*outside* any transaction, then records the attempt and the next step: ``succeeded`` on
2xx; on anything else the next retry per the schedule (with jitter) or ``failed`` once it
is exhausted; a 410 disables the subscription at once; a subscription failing for
``webhook_disable_after_seconds`` is disabled. The schedule lives in the database, so a
restarted process carries on where the last one stopped; a row left ``in_flight`` by a
process that died is sent again when its lease lapses (receivers deduplicate on
``webhook-id``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_common.worker import WorkerContext
from audience_sync.export_webhook_settings import ExportWebhookSettings, require_settings
from audience_sync.metrics import record_webhook
from audience_sync.webhook import repository, signing, ssrf
from audience_sync.webhook.errors import WebhookSecretUnreadable
from audience_sync.webhook.repository import Claimed

logger = logging.getLogger(__name__)

USER_AGENT = "AdScale-Webhooks/1.0"
SessionFactory = async_sessionmaker[AsyncSession]


# --------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class Outcome:
    success: bool
    gone: bool
    response_code: int | None
    latency_ms: int | None
    error: str | None


class Sender:
    """POSTs signed bodies to checked, pinned addresses. No redirects, no proxies from the
    environment, no connection reuse (a pooled TLS connection is tied to one host name)."""

    def __init__(
        self,
        *,
        timeout: float,
        allow_loopback: bool,
        resolver: ssrf.Resolver = ssrf.system_resolver,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.resolver = resolver
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=0),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send(self, url: str, msg_id: str, body: bytes, secrets: Sequence[str]) -> Outcome:
        try:
            target = await ssrf.check(
                url, allow_loopback=self.allow_loopback, resolver=self.resolver
            )
        except ssrf.UnsafeUrl as exc:
            return Outcome(False, False, None, None, f"address refused: {exc}")
        headers = {
            **signing.headers(secrets, msg_id, int(time.time()), body),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "host": target.host_header,
        }
        extensions: dict[str, Any] = {}
        if target.scheme == "https" and target.host != target.address:
            extensions["sni_hostname"] = target.host
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                # Like a browser: when an address refuses the connection (a host listing
                # IPv6 first on a machine without IPv6), the next checked one is tried.
                for index, address in enumerate(target.addresses):
                    request = self.client.build_request(
                        "POST",
                        target.pinned_url_for(address),
                        content=body,
                        headers=headers,
                        extensions=extensions,
                    )
                    try:
                        response = await self.client.send(request, stream=True)
                    except httpx.ConnectError:
                        if index + 1 == len(target.addresses):
                            raise
                        continue
                    await response.aclose()  # the body is not read: only the status counts
                    break
        except (TimeoutError, httpx.TimeoutException):
            latency = int((time.monotonic() - started) * 1000)
            return Outcome(False, False, None, latency, f"timed out after {self.timeout:g}s")
        except httpx.HTTPError as exc:
            latency = int((time.monotonic() - started) * 1000)
            return Outcome(False, False, None, latency, f"connection failed ({type(exc).__name__})")
        latency = int((time.monotonic() - started) * 1000)
        code = response.status_code
        if 200 <= code < 300:
            return Outcome(True, False, code, latency, None)
        error = f"HTTP {code}"
        if 300 <= code < 400:
            error += " (redirects are not followed)"
        return Outcome(False, code == 410, code, latency, error)


def retry_delay(attempts_made: int, schedule: Sequence[float], jitter: float) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` failed ones (None: give up)."""
    if attempts_made - 1 >= len(schedule):
        return None
    base = schedule[attempts_made - 1]
    return base * random.uniform(1 - jitter, 1 + jitter) if jitter else base


def signing_secrets(
    cipher: TokenCipher,
    secret_encrypted: str,
    previous_encrypted: str | None,
    previous_expires_at: datetime | None,
) -> list[str]:
    """The secrets that sign a delivery: the current one, and the previous one during the
    overlap after a rotation. Empty when the current secret cannot be decrypted."""
    current = cipher.decrypt_or_none(secret_encrypted)
    if current is None:
        return []
    secrets = [current]
    if previous_encrypted and previous_expires_at and previous_expires_at > datetime.now(UTC):
        previous = cipher.decrypt_or_none(previous_encrypted)
        if previous is not None:
            secrets.append(previous)
    return secrets


# --------------------------------------------------------------------------- delivery loop


class Deliverer:
    def __init__(
        self,
        *,
        sessionmaker: SessionFactory,
        settings: ExportWebhookSettings,
        cipher: TokenCipher,
        sender: Sender,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.cipher = cipher
        self.sender = sender
        self.token = uuid.uuid4()

    async def claim(self, limit: int) -> list[Claimed]:
        async with self.sessionmaker() as session, session.begin():
            return await repository.claim_due(
                session, self.token, limit, self.settings.webhook_inflight_lease_seconds
            )

    async def deliver(self, claimed: Claimed) -> None:
        settings = self.settings
        if not claimed.enabled:
            await self._close_unsent(claimed, "cancelled", "subscription disabled")
            return
        secrets = signing_secrets(
            self.cipher,
            claimed.secret_encrypted,
            claimed.previous_secret_encrypted,
            claimed.previous_secret_expires_at,
        )
        if not secrets:
            # Never send unsigned; retrying cannot help until the owner rotates the secret.
            record_webhook("failed", None)
            await self._close_unsent(claimed, "failed", WebhookSecretUnreadable.message)
            return
        outcome = await self.sender.send(
            claimed.url, str(claimed.delivery_id), claimed.body.encode(), secrets
        )
        attempt = claimed.attempt + 1
        retry_in = None
        if outcome.success:
            status = "succeeded"
        elif outcome.gone:
            status = "failed"
        else:
            retry_in = retry_delay(
                attempt, settings.webhook_retry_schedule_seconds, settings.webhook_retry_jitter
            )
            status = "failed" if retry_in is None else "pending"
        record_webhook(status, outcome.latency_ms)
        async with self.sessionmaker() as session, session.begin():
            await repository.record_attempt(
                session,
                claimed.delivery_id,
                attempt,
                success=outcome.success,
                response_code=outcome.response_code,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
            )
            held = await repository.finish(
                session,
                claimed.delivery_id,
                self.token,
                status=status,
                attempt=attempt,
                response_code=outcome.response_code,
                latency_ms=outcome.latency_ms,
                error=outcome.error,
                retry_in=retry_in,
            )
            if not held:
                return  # lease lapsed and another process took it over
            disabled = None
            if outcome.success:
                await repository.mark_succeeded(session, claimed.subscription_id)
            elif outcome.gone:
                await repository.disable(session, claimed.subscription_id, "gone")
                disabled = "gone"
            elif await repository.mark_failing(
                session, claimed.subscription_id, settings.webhook_disable_after_seconds
            ):
                disabled = "failing"
        log = logger.info if outcome.success else logger.warning
        log(
            "webhook delivered" if outcome.success else "webhook attempt failed",
            extra={
                "delivery_id": str(claimed.delivery_id),
                "subscription_id": str(claimed.subscription_id),
                "attempt": attempt,
                "response_code": outcome.response_code,
                "latency_ms": outcome.latency_ms,
                "error": outcome.error,
                "next": status,
                "retry_in_seconds": round(retry_in, 1) if retry_in is not None else None,
                "subscription_disabled": disabled,
            },
        )

    async def _close_unsent(self, claimed: Claimed, status: str, error: str) -> None:
        """End a delivery that was not sent (no attempt counted, never retried)."""
        async with self.sessionmaker() as session, session.begin():
            await repository.finish(
                session,
                claimed.delivery_id,
                self.token,
                status=status,
                attempt=claimed.attempt,
                response_code=None,
                latency_ms=None,
                error=error,
                retry_in=None,
            )

    async def _guarded(self, claimed: Claimed) -> None:
        try:
            await self.deliver(claimed)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The row stays in flight; its lease lapses and it is tried again.
            logger.exception(
                "webhook delivery crashed", extra={"delivery_id": str(claimed.delivery_id)}
            )

    async def run_once(self) -> int:
        """Claim one batch and deliver it (tests and tools)."""
        claimed = await self.claim(self.settings.webhook_batch)
        await asyncio.gather(*(self._guarded(c) for c in claimed))
        return len(claimed)

    async def run(self, stopping: asyncio.Event) -> None:
        """Keep up to ``webhook_concurrency`` sends going until ``stopping`` is set."""
        capacity = self.settings.webhook_concurrency
        running: set[asyncio.Future[Any]] = set()
        stop: asyncio.Future[Any] = asyncio.ensure_future(stopping.wait())
        try:
            while not stopping.is_set():
                want = min(capacity - len(running), self.settings.webhook_batch)
                claimed: list[Claimed] = []
                if want > 0:
                    try:
                        claimed = await self.claim(want)
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        logger.exception("claiming webhook deliveries failed; will retry")
                running.update(asyncio.ensure_future(self._guarded(c)) for c in claimed)
                if want > 0 and len(claimed) == want and len(running) < capacity:
                    continue  # a full batch: more may be due
                await asyncio.wait(
                    running | {stop},
                    timeout=None
                    if len(running) >= capacity
                    else self.settings.webhook_poll_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                running = {t for t in running if not t.done()}
            # Let sends under way finish (each is bounded by the timeout).
            if running:
                await asyncio.wait(running, timeout=self.settings.webhook_timeout_seconds + 5)
        finally:
            stop.cancel()
            for task in running:
                task.cancel()
            for task in running:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def rotate_secrets(sessionmaker: SessionFactory, cipher: TokenCipher) -> int:
    """Re-encrypt signing secrets still under an old encryption key with the primary one.
    A secret no configured key opens is left as it is and logged (its deliveries fail
    until the owner rotates the secret); it never stops the others."""
    rotated = 0
    unreadable: list[str] = []
    after: uuid.UUID | None = None
    while True:
        async with sessionmaker() as session, session.begin():
            batch = await repository.all_secrets(session, after, 500)
            for sub in batch:
                changed = False
                if not cipher.is_current(sub.secret_encrypted):
                    current = cipher.rotate_or_none(sub.secret_encrypted)
                    if current is None:
                        unreadable.append(str(sub.id))
                    else:
                        sub.secret_encrypted = current
                        changed = True
                previous = sub.previous_secret_encrypted
                if previous and not cipher.is_current(previous):
                    # An unreadable previous secret only stops signing with it.
                    sub.previous_secret_encrypted = cipher.rotate_or_none(previous)
                    changed = True
                rotated += int(changed)
        if len(batch) < 500:
            break
        after = batch[-1].id
    if unreadable:
        logger.error(
            "webhook signing secrets no configured key can decrypt",
            extra={"count": len(unreadable), "subscription_ids": unreadable[:20]},
        )
    return rotated


def webhook_cipher(settings: ExportWebhookSettings) -> TokenCipher:
    """The service's one cipher (CipherSettings); the delivery loop can't run without it."""
    cipher = settings.cipher()
    if cipher is None:
        raise ValueError(
            "AUDIENCE_SYNC_ENCRYPTION_KEYS is empty: at least one Fernet key is needed"
        )
    return cipher


async def retry_due_deliveries(ctx: WorkerContext) -> None:
    """Worker task: the delivery loop (first and retried attempts alike)."""
    settings = require_settings(ctx.settings)
    cipher = webhook_cipher(settings)
    rotated = await rotate_secrets(ctx.sessionmaker, cipher)
    if rotated:
        logger.info("webhook secrets re-encrypted under the primary key", extra={"count": rotated})
    sender = Sender(
        timeout=settings.webhook_timeout_seconds, allow_loopback=settings.webhooks_allow_loopback
    )
    try:
        await Deliverer(
            sessionmaker=ctx.sessionmaker, settings=settings, cipher=cipher, sender=sender
        ).run(ctx.stopping)
    finally:
        await sender.aclose()
