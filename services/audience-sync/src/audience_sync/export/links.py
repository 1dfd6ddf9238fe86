"""Signed, expiring download links: ``HMAC-SHA256(key, "<export id>.<expires>")``.

The link carries its expiry (unix seconds) and the signature, so following it needs no
login; changing either breaks the signature. The expiry is the file's own expiry, after
which the cleanup task deletes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from urllib.parse import urlencode

DOWNLOAD_PATH = "/api/v1/cdp/audience-sync/exports/{export_id}/download"


def sign(key: str, export_id: uuid.UUID, expires: int) -> str:
    mac = hmac.new(key.encode(), f"{export_id}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def verify(key: str, export_id: uuid.UUID, expires: int, signature: str) -> bool:
    return hmac.compare_digest(sign(key, export_id, expires), signature)


def download_url(base_url: str, key: str, export_id: uuid.UUID, expires: int) -> str:
    query = urlencode({"expires": expires, "signature": sign(key, export_id, expires)})
    path = DOWNLOAD_PATH.format(export_id=export_id)
    return f"{base_url.rstrip('/')}{path}?{query}"
