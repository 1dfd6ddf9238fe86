"""What the resources need of a client: the shape ``Client`` has, as a protocol, so the
resources depend on it rather than on the client that builds them.

This file is generated: edit its async twin and run ``scripts/unasync.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from adscale.pagination import Style

Progress = Callable[[int], None]


class Transport(Protocol):
    def call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any: ...

    def paginate(
        self,
        url: str,
        style: Style,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
    ) -> Iterator[dict[str, Any]]: ...

    def upload(
        self,
        url: str,
        path: Path,
        *,
        content_type: str = "text/csv",
        params: Mapping[str, Any] | None = None,
        on_progress: Progress | None = None,
    ) -> Any: ...

    def download(self, url: str, dest: Path, *, on_progress: Progress | None = None) -> int: ...

    def poll(
        self,
        url: str,
        *,
        done: Callable[[dict[str, Any]], bool],
        on_update: Callable[[dict[str, Any]], None] | None = None,
        interval: float = 0.5,
        timeout: float | None = None,
    ) -> dict[str, Any]: ...
