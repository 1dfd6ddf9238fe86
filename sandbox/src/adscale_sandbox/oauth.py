"""Authorization codes and tokens, shared by every platform's OAuth flavour."""

from __future__ import annotations

import base64
import enum
import hashlib
import secrets
import sqlite3
from dataclasses import dataclass

from adscale_sandbox.store import as_record

_ACCESS_PREFIX = {"meta": "EAAS", "google": "ya29.sbx-", "tiktok": "", "snapchat": "sbx."}
_REFRESH_PREFIX = {"meta": "EAAL", "google": "1//sbx-", "tiktok": "", "snapchat": "sbxr."}


class TokenState(enum.Enum):
    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Principal:
    platform: str
    user_id: str
    client_id: str
    token: str
    scope: str


@dataclass(frozen=True)
class AuthCode:
    code: str
    platform: str
    client_id: str
    redirect_uri: str
    user_id: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    used: bool


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str | None
    expires_in: int
    refresh_expires_in: int
    scope: str
    user_id: str


def _new_token(prefix: str, platform: str) -> str:
    if platform == "tiktok":
        return secrets.token_hex(20)
    return prefix + secrets.token_urlsafe(32)


def pkce_s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue_code(
    conn: sqlite3.Connection,
    *,
    platform: str,
    client_id: str,
    redirect_uri: str,
    user_id: str,
    scope: str,
    code_challenge: str | None,
    code_challenge_method: str | None,
    now: float,
    lifetime: int,
) -> str:
    code = secrets.token_urlsafe(24)
    conn.execute(
        "INSERT INTO auth_code (code, platform, client_id, redirect_uri, user_id, scope, "
        "code_challenge, code_challenge_method, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            platform,
            client_id,
            redirect_uri,
            user_id,
            scope,
            code_challenge,
            code_challenge_method,
            now + lifetime,
        ),
    )
    return code


def take_code(conn: sqlite3.Connection, platform: str, code: str) -> AuthCode | None:
    """Load a code and mark it used (a code works once)."""
    row = conn.execute(
        "SELECT * FROM auth_code WHERE code = ? AND platform = ?", (code, platform)
    ).fetchone()
    if row is None:
        return None
    conn.execute("UPDATE auth_code SET used = 1 WHERE code = ?", (code,))
    return as_record(AuthCode, row, used=bool(row["used"]))


def verify_pkce(code: AuthCode, verifier: str | None) -> str | None:
    """``None`` when the verifier fits the code's challenge, else the reason it does not."""
    if code.code_challenge is None:
        return None
    if not verifier:
        return "Missing code verifier."
    method = (code.code_challenge_method or "plain").upper()
    expected = pkce_s256(verifier) if method == "S256" else verifier
    if not secrets.compare_digest(expected, code.code_challenge):
        return "Invalid code verifier."
    return None


def issue_tokens(
    conn: sqlite3.Connection,
    *,
    platform: str,
    user_id: str,
    client_id: str,
    scope: str,
    now: float,
    lifetime: int,
    refresh_lifetime: int,
    with_refresh: bool = True,
) -> IssuedTokens:
    access = _new_token(_ACCESS_PREFIX[platform], platform)
    conn.execute(
        "INSERT INTO token (token, platform, kind, user_id, client_id, scope, expires_at, "
        "created_at) VALUES (?, ?, 'access', ?, ?, ?, ?, ?)",
        (access, platform, user_id, client_id, scope, now + lifetime, now),
    )
    refresh: str | None = None
    if with_refresh:
        refresh = _new_token(_REFRESH_PREFIX[platform], platform)
        conn.execute(
            "INSERT INTO token (token, platform, kind, user_id, client_id, scope, expires_at, "
            "created_at) VALUES (?, ?, 'refresh', ?, ?, ?, ?, ?)",
            (refresh, platform, user_id, client_id, scope, now + refresh_lifetime, now),
        )
    return IssuedTokens(
        access_token=access,
        refresh_token=refresh,
        expires_in=lifetime,
        refresh_expires_in=refresh_lifetime,
        scope=scope,
        user_id=user_id,
    )


def check_token(
    conn: sqlite3.Connection, platform: str, token: str | None, kind: str, now: float
) -> tuple[TokenState, Principal | None]:
    if not token:
        return TokenState.MISSING, None
    row = conn.execute(
        "SELECT * FROM token WHERE token = ? AND platform = ? AND kind = ?", (token, platform, kind)
    ).fetchone()
    if row is None:
        return TokenState.INVALID, None
    principal = Principal(
        platform=platform,
        user_id=row["user_id"],
        client_id=row["client_id"],
        token=token,
        scope=row["scope"],
    )
    if row["revoked"]:
        return TokenState.REVOKED, principal
    if row["expires_at"] <= now:
        return TokenState.EXPIRED, principal
    return TokenState.OK, principal


def _where(clauses: list[str], params: list[object], **equal: str | None) -> str:
    """``clauses`` plus ``column = ?`` for every given (truthy) value, joined with AND."""
    for column, value in equal.items():
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses)


def revoke_tokens(
    conn: sqlite3.Connection,
    *,
    platform: str | None,
    token: str | None,
    user_id: str | None,
) -> int:
    params: list[object] = []
    where = _where(["revoked = 0"], params, platform=platform, token=token, user_id=user_id)
    cursor = conn.execute(f"UPDATE token SET revoked = 1 WHERE {where}", params)  # noqa: S608
    return cursor.rowcount


def expire_tokens(
    conn: sqlite3.Connection, *, platform: str | None, token: str | None, now: float
) -> int:
    params: list[object] = [now]
    where = _where(["kind = 'access'", "expires_at > ?"], params, platform=platform, token=token)
    cursor = conn.execute(
        f"UPDATE token SET expires_at = ? WHERE {where}",  # noqa: S608
        [now - 1, *params],
    )
    return cursor.rowcount
