"""Platform connections: OAuth connect/callback, listing, disconnect, tokens for API calls."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from datetime import timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.crypto import TokenCipher
from adscale_common.errors import AppError
from adscale_common.types import utcnow
from adscale_contracts.platforms import PLATFORMS
from adscale_platforms.errors import InvalidRequest, PermissionDenied, PlatformError, TokenExpired
from adscale_platforms.models import TokenSet
from adscale_platforms.oauth import code_challenge_s256, new_code_verifier
from audience_sync.db import unit_of_work
from audience_sync.models import (
    OAuthState,
    PlatformAdAccount,
    PlatformConnection,
    table,
)
from audience_sync.platform import repository
from audience_sync.platform.errors import (
    CredentialsExpired,
    InvalidOAuthCode,
    InvalidOAuthState,
    PlatformNotConnected,
    platform_error,
)
from audience_sync.platform.schemas import (
    AdAccountRead,
    ConnectResponse,
    PlatformRead,
    PlatformsRead,
)
from audience_sync.platform.tokens import ConnectionToken
from audience_sync.platforms import PlatformRegistry
from audience_sync.settings import Settings

logger = logging.getLogger(__name__)


def account_id_for(platform: str, account_id: str) -> str:
    """The id users see and send: Meta ad accounts as ``act_<id>`` (as in Meta's API)."""
    account_id = account_id.strip()
    if platform == "meta" and not account_id.startswith("act_"):
        return f"act_{account_id}"
    return account_id


def state_digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def api_error(error: PlatformError, action: str) -> AppError:
    """A platform failure during an API request, as the error the caller sees."""
    if isinstance(error, TokenExpired):
        return CredentialsExpired(
            details={"platform": error.platform, "platform_error_message": error.message}
        )
    return platform_error(error, action)


def _requested_scopes(registry: PlatformRegistry, platform: str) -> list[str]:
    scopes = getattr(registry.settings, f"{platform}_scopes", None)
    return [str(s) for s in scopes] if isinstance(scopes, list) else []


# --------------------------------------------------------------------------- reads


def platform_read(
    platform: str, connection: PlatformConnection | None, accounts: list[PlatformAdAccount]
) -> PlatformRead:
    if connection is None:
        return PlatformRead(platform=platform, connected=False, ad_accounts=[])  # type: ignore[arg-type]
    return PlatformRead(
        platform=platform,  # type: ignore[arg-type]
        connected=True,
        ad_accounts=[
            AdAccountRead(
                id=a.account_id, name=a.name, currency=a.currency, connected_at=a.connected_at
            )
            for a in accounts
        ],
        scopes=list(connection.scopes or []),
        expires_at=connection.token_expires_at,
        status=connection.status,  # type: ignore[arg-type]
    )


async def list_platforms(session: AsyncSession, user_id: uuid.UUID) -> PlatformsRead:
    connections = {c.platform: c for c in await repository.connections_of(session, user_id)}
    accounts = await repository.ad_accounts_of(session, [c.id for c in connections.values()])
    by_connection: dict[uuid.UUID, list[PlatformAdAccount]] = {}
    for account in accounts:
        by_connection.setdefault(account.connection_id, []).append(account)
    return PlatformsRead(
        platforms=[
            platform_read(
                p,
                connections.get(p),
                by_connection.get(connections[p].id, []) if p in connections else [],
            )
            for p in PLATFORMS
        ]
    )


async def read_platform(session: AsyncSession, user_id: uuid.UUID, platform: str) -> PlatformRead:
    connection = await repository.get_connection(session, user_id, platform)
    accounts = list(await repository.ad_accounts_of(session, [connection.id])) if connection else []
    return platform_read(platform, connection, accounts)


# --------------------------------------------------------------------------- OAuth


async def start_connect(
    session: AsyncSession,
    *,
    cipher: TokenCipher,
    registry: PlatformRegistry,
    settings: Settings,
    user_id: uuid.UUID,
    platform: str,
    redirect_uri: str | None,
) -> ConnectResponse:
    client = registry.client(platform)
    state = secrets.token_urlsafe(32)
    verifier: str | None = None
    challenge: str | None = None
    if client.supports_pkce:
        verifier = new_code_verifier()
        challenge = code_challenge_s256(verifier)
    uri = redirect_uri or settings.oauth_redirect_uri or registry.settings.redirect_uri
    url = client.authorization_url(state, uri, challenge)
    now = utcnow()
    expires = now + timedelta(seconds=settings.oauth_state_ttl_seconds)
    await repository.purge_states(session, now - timedelta(days=1))
    await repository.add_state(
        session,
        OAuthState(
            state_hash=state_digest(state),
            user_id=user_id,
            platform=platform,
            redirect_uri=uri,
            code_verifier_encrypted=cipher.encrypt(verifier) if verifier else None,
            created_at=now,
            expires_at=expires,
        ),
    )
    return ConnectResponse(authorization_url=url, state=state, expires_at=expires)


async def complete_connect(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cipher: TokenCipher,
    registry: PlatformRegistry,
    user_id: uuid.UUID,
    platform: str,
    code: str,
    state: str,
) -> PlatformRead:
    async with unit_of_work(sessionmaker) as session:
        pending = await repository.consume_state(session, state_digest(state), user_id, platform)
    if pending is None or pending.expires_at <= utcnow():
        raise InvalidOAuthState()
    verifier: str | None = None
    if pending.code_verifier_encrypted:
        verifier = cipher.decrypt_or_none(pending.code_verifier_encrypted)
        if verifier is None:
            # The key that sealed it was dropped between connect and callback: this state
            # can't be completed, the user starts the connection again.
            raise InvalidOAuthState()
    client = registry.client(platform)
    try:
        tokens = await client.exchange_code(code, pending.redirect_uri, verifier)
    except (InvalidRequest, TokenExpired, PermissionDenied) as exc:
        raise InvalidOAuthCode(
            details={
                "platform": exc.platform,
                "platform_error_code": exc.code,
                "platform_error_message": exc.message,
            }
        ) from exc
    except PlatformError as exc:
        raise platform_error(exc, "connect") from exc
    try:
        accounts = await client.list_ad_accounts(tokens.access_token)
    except PlatformError as exc:
        raise platform_error(exc, "connect") from exc
    scopes = list(tokens.scopes) or _requested_scopes(registry, platform)
    now = utcnow()
    async with unit_of_work(sessionmaker) as session:
        connections = table(PlatformConnection)
        values = {
            "access_token_encrypted": cipher.encrypt(tokens.access_token),
            "refresh_token_encrypted": (
                cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None
            ),
            "token_expires_at": tokens.expires_at,
            "scopes": scopes,
            "status": "connected",
            "updated_at": now,
        }
        connection_id = (
            await session.execute(
                insert(connections)
                .values(id=uuid.uuid4(), user_id=user_id, platform=platform, **values)
                .on_conflict_do_update(
                    constraint="uq_platform_connection_user_platform", set_=values
                )
                .returning(connections.c.id)
            )
        ).scalar_one()
        await repository.replace_ad_accounts(
            session,
            connection_id,
            [
                PlatformAdAccount(
                    connection_id=connection_id,
                    account_id=account_id_for(platform, a.id),
                    name=a.name or a.id,
                    currency=a.currency,
                    connected_at=now,
                )
                for a in accounts
            ],
        )
    logger.info(
        "platform connected",
        extra={"platform": platform, "user_id": str(user_id), "ad_accounts": len(accounts)},
    )
    async with sessionmaker() as session:
        return await read_platform(session, user_id, platform)


async def disconnect(session: AsyncSession, user_id: uuid.UUID, platform: str) -> int:
    """Forget the connection and its ad accounts; its audiences stop syncing (paused, their
    pending and running jobs cancelled). Returns how many ad accounts were removed."""
    connection = await repository.get_connection(session, user_id, platform, for_update=True)
    if connection is None:
        raise PlatformNotConnected(details={"platform": platform})
    removed = await repository.delete_connection(session, connection)
    await repository.pause_platform(session, user_id, platform)
    return removed


# --------------------------------------------------------------------------- tokens


async def load_token(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    cipher: TokenCipher,
    registry: PlatformRegistry,
    user_id: uuid.UUID,
    platform: str,
) -> ConnectionToken:
    """The stored tokens of the user's connection, ready for the platform client.

    Raises ``PLATFORM_NOT_CONNECTED`` without a connection and ``CREDENTIALS_EXPIRED`` when
    an earlier refresh was refused or no configured key opens the stored token. Tokens
    under an old key are re-encrypted on the way.
    """
    async with unit_of_work(sessionmaker) as session:
        connection = await repository.get_connection(session, user_id, platform)
        if connection is None:
            raise PlatformNotConnected(details={"platform": platform})
        if connection.status == "expired":
            raise CredentialsExpired(details={"platform": platform})
        access = cipher.decrypt_or_none(connection.access_token_encrypted)
        if access is None:
            # No configured key opens the stored token (a key was dropped): as good as
            # expired, and shown so (GET /platforms); the user reconnects. The status is
            # committed with this block, before CREDENTIALS_EXPIRED is raised below it.
            await repository.set_status(session, connection.id, "expired")
            logger.warning(
                "platform token no configured key can decrypt; connection marked expired",
                extra={"connection_id": str(connection.id)},
            )
        else:
            refresh = (
                cipher.decrypt_or_none(connection.refresh_token_encrypted)
                if connection.refresh_token_encrypted
                else None
            )
            if not cipher.is_current(connection.access_token_encrypted):
                await repository.update_tokens(
                    session,
                    connection.id,
                    access=cipher.encrypt(access),
                    refresh=cipher.encrypt(refresh) if refresh else None,
                    expires_at=connection.token_expires_at,
                    refreshed=False,
                )
            tokens = TokenSet(
                access_token=access,
                refresh_token=refresh,
                expires_at=connection.token_expires_at,
                scopes=tuple(connection.scopes or ()),
            )
        connection_id = connection.id
    if access is None:
        raise CredentialsExpired(details={"platform": platform})

    async def persist(fresh: TokenSet) -> None:
        async with unit_of_work(sessionmaker) as s:
            await repository.update_tokens(
                s,
                connection_id,
                access=cipher.encrypt(fresh.access_token),
                refresh=cipher.encrypt(fresh.refresh_token) if fresh.refresh_token else None,
                expires_at=fresh.expires_at,
            )

    async def mark_expired() -> None:
        async with unit_of_work(sessionmaker) as s:
            await repository.set_status(s, connection_id, "expired")

    return ConnectionToken(
        registry.client(platform), tokens, persist=persist, mark_expired=mark_expired
    )


async def rotate_keys(session: AsyncSession, cipher: TokenCipher) -> int:
    """Re-encrypt every stored token that is not under the primary key; returns how many.

    A token no configured key opens marks its connection expired (the user reconnects, as
    after a refused refresh). Expired connections are passed over: their tokens are never
    used again, only a reconnect replaces them, so each unreadable one is reported once."""
    changed = 0
    unreadable: list[str] = []
    for connection in await repository.all_connections_for_update(session):
        if connection.status == "expired":
            continue
        if cipher.is_current(connection.access_token_encrypted) and (
            connection.refresh_token_encrypted is None
            or cipher.is_current(connection.refresh_token_encrypted)
        ):
            continue
        access = cipher.rotate_or_none(connection.access_token_encrypted)
        refresh = (
            cipher.rotate_or_none(connection.refresh_token_encrypted)
            if connection.refresh_token_encrypted
            else None
        )
        if access is None:
            # No configured key opens it: expired (using it answers CREDENTIALS_EXPIRED, the
            # user reconnects); it never stops the others.
            connection.status = "expired"
            unreadable.append(str(connection.id))
            continue
        connection.access_token_encrypted = access
        connection.refresh_token_encrypted = refresh
        changed += 1
    await session.flush()
    if unreadable:
        logger.warning(
            "platform tokens no configured key can decrypt; connections marked expired",
            extra={"count": len(unreadable), "connection_ids": unreadable[:20]},
        )
    return changed


__all__ = [
    "account_id_for",
    "api_error",
    "complete_connect",
    "disconnect",
    "list_platforms",
    "load_token",
    "rotate_keys",
    "start_connect",
]
