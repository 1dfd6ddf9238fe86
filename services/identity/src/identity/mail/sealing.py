"""The raw reset token at rest, between the request and the mail: sealed, never in clear.

The Fernet key is derived (HKDF-SHA256) from ``RESET_TOKEN_SECRET``, which only identity
holds; changing that secret already invalidates every outstanding token, so a sealed token
no key opens is simply a link that can no longer be mailed.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"adscale identity: sealed password-reset token"


class TokenSeal:
    def __init__(self, secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def open_or_none(self, sealed: str) -> str | None:
        """The token, or ``None`` when the current secret does not open it."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
