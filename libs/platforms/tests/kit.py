"""Helpers shared by the platform-client test modules.

``conftest.py`` puts this folder on ``sys.path`` (pytest runs with ``--import-mode=importlib``,
so test modules cannot import ``conftest`` itself).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx


def hashes(n: int, prefix: str = "h") -> list[str]:
    """``n`` distinct SHA-256 hex digests: already-hashed identifiers."""
    return [hashlib.sha256(f"{prefix}{i}".encode()).hexdigest() for i in range(n)]


def body_of(request: httpx.Request) -> Any:
    """The JSON body a client sent."""
    return json.loads(request.content)


def form_of(request: httpx.Request) -> dict[str, str]:
    """The form-encoded body a client sent (first value of each field)."""
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def split_url(url: str) -> tuple[str, dict[str, str]]:
    """``("scheme://host/path", {query parameter: first value})``."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query
