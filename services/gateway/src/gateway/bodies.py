"""Request bodies on the ASGI channel: read them as chunks, or hand a read body on again."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.types import Message, Receive


async def body_chunks(receive: Receive) -> AsyncIterator[bytes]:
    """The request's non-empty body chunks, until the last one or a disconnect."""
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body = message.get("body", b"")
        if body:
            yield body
        more = message.get("more_body", False)


async def read_small_body(receive: Receive, limit: int) -> bytes:
    """The whole body; ``ValueError`` once it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in body_chunks(receive):
        size += len(chunk)
        if size > limit:
            raise ValueError("body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """A ``receive`` that gives ``body`` once, then a disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
