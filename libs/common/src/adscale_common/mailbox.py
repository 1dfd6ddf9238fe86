"""Tests read the mail a process sent from Mailpit's REST API (the development SMTP server).

``ADSCALE_MAILPIT_URL`` (default ``http://127.0.0.1:8025``, where ``deploy/provision.sh``
runs it) and ``ADSCALE_MAILPIT_SMTP`` (``127.0.0.1:1025``) say where it is.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx

MAILPIT_URL = os.environ.get("ADSCALE_MAILPIT_URL", "http://127.0.0.1:8025")
MAILPIT_SMTP = os.environ.get("ADSCALE_MAILPIT_SMTP", "127.0.0.1:1025")


def smtp_address() -> tuple[str, int]:
    host, _, port = MAILPIT_SMTP.rpartition(":")
    return host, int(port)


@dataclass(frozen=True)
class Mail:
    id: str
    subject: str
    sender: str
    to: list[str]
    text: str
    html: str
    headers: dict[str, list[str]]
    received_at: str


class Mailbox:
    """One Mailpit, searched by recipient (tests use unique addresses, so runs never mix)."""

    def __init__(self, base_url: str = MAILPIT_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def _get(
        self, client: httpx.AsyncClient, path: str, params: dict[str, Any] | None = None
    ) -> Any:
        response = await client.get(f"{self.base_url}/api/v1{path}", params=params)
        response.raise_for_status()
        return response.json()

    async def messages_to(self, address: str) -> list[Mail]:
        async with httpx.AsyncClient(timeout=5) as client:
            found = await self._get(client, "/search", {"query": f'to:"{address}"', "limit": 50})
            mails = []
            for summary in found["messages"]:
                body = await self._get(client, f"/message/{summary['ID']}")
                headers = await self._get(client, f"/message/{summary['ID']}/headers")
                mails.append(
                    Mail(
                        id=summary["ID"],
                        subject=body["Subject"],
                        sender=body["From"]["Address"],
                        to=[to["Address"] for to in body["To"]],
                        text=body["Text"],
                        html=body["HTML"],
                        headers=headers,
                        received_at=summary["Created"],
                    )
                )
        return mails

    async def wait_for(self, address: str, *, count: int = 1, timeout: float = 5.0) -> list[Mail]:
        """At least ``count`` messages to ``address``, polled until ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            mails = await self.messages_to(address)
            if len(mails) >= count or time.monotonic() >= deadline:
                return mails
            await asyncio.sleep(0.1)
