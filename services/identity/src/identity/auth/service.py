"""Session rules: login, refresh rotation with reuse detection, password reset and change,
signing out everywhere.

Flushes, never commits; events go to the outbox in the same transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from adscale_common.outbox import emit
from adscale_common.pagination import Offset
from adscale_common.types import utcnow
from adscale_contracts.events import (
    PasswordChanged,
    PasswordResetRequested,
    SessionsEnded,
    build,
)
from identity.auth import repository
from identity.auth.errors import (
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidResetToken,
    PasswordRefused,
    SessionNotFound,
)
from identity.auth.schemas import SessionRead, TokenPair
from identity.dependencies import Security
from identity.mail import repository as mail_repository
from identity.models import (
    AccountNoticeMail,
    PasswordReset,
    PasswordResetMail,
    RefreshToken,
    User,
)
from identity.security import hmac_sha256_hex, new_opaque_token, sha256_hex
from identity.user import repository as users
from identity.user.errors import UserGone
from identity.user.schemas import UserRead
from identity.user.service import SOURCE, normalise_email

logger = logging.getLogger(__name__)

USER_AGENT_MAX = 512  # characters of a User-Agent kept to name a session's device


async def me(connection: AsyncConnection, user_id: uuid.UUID) -> UserRead:
    """The caller's profile; the account may be gone since its token was issued."""
    row = await repository.profile(connection, user_id)
    if row is None:
        raise UserGone()
    return UserRead(**row)


async def issue_tokens(
    session: AsyncSession,
    security: Security,
    user: User,
    *,
    family_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    user_agent: str | None = None,
) -> TokenPair:
    """A new access token and a refresh token (a new family, a new sign-in session, unless
    rotating one). The access token names its session (``sid``)."""
    raw = new_opaque_token()
    family_id = family_id or uuid.uuid4()
    await repository.add_refresh_token(
        session,
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            parent_id=parent_id,
            token_hash=sha256_hex(raw),
            expires_at=utcnow() + timedelta(days=security.settings.refresh_token_ttl_days),
            user_agent=user_agent[:USER_AGENT_MAX] if user_agent else None,
        ),
    )
    access = security.keys.issue(user_id=user.id, plan=user.plan, session_id=family_id)
    return TokenPair(
        access_token=access.token, refresh_token=raw, expires_in=security.keys.ttl_seconds
    )


async def login(
    session: AsyncSession,
    security: Security,
    *,
    email: str,
    password: str,
    user_agent: str | None = None,
) -> TokenPair:
    """Same answer and the same argon2 work whether or not the address is known."""
    user = await users.get_by_email(session, normalise_email(email))
    stored = user.password_hash if user is not None else None
    if not await security.passwords.verify(stored, password) or user is None or stored is None:
        logger.info("login failed", extra={"known_user": user is not None})
        raise InvalidCredentials()
    if security.passwords.needs_rehash(stored):
        await users.set_password_hash(session, user.id, await security.passwords.hash(password))
        logger.info("password rehashed with current parameters", extra={"user_id": str(user.id)})
    return await issue_tokens(session, security, user, user_agent=user_agent)


@dataclass(frozen=True, slots=True)
class RefreshRefused:
    """The refresh failed; any revocation it caused must still be committed."""

    reuse_detected: bool = False

    def error(self) -> InvalidRefreshToken:
        return InvalidRefreshToken()


async def refresh(
    session: AsyncSession, security: Security, raw: str
) -> TokenPair | RefreshRefused:
    """Rotate: the presented token is spent, a child of the same family is issued.

    Presenting a spent token again means it leaked (or the client raced itself):
    the whole family is revoked, so whoever holds its newest token must log in again.
    The caller must answer 401 *without* rolling back, hence a value, not an exception.
    """
    now = utcnow()
    token = await repository.get_refresh_token_for_update(session, sha256_hex(raw))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return RefreshRefused()
    if token.used_at is not None:
        await _revoke_family(
            session, token, now, logging.WARNING, "refresh token reuse detected; family revoked"
        )
        return RefreshRefused(reuse_detected=True)
    user = await users.get(session, token.user_id)
    if user is None:
        return RefreshRefused()
    await repository.mark_refresh_token_used(session, token.id, now)
    return await issue_tokens(
        session,
        security,
        user,
        family_id=token.family_id,
        parent_id=token.id,
        user_agent=token.user_agent,
    )


async def logout(session: AsyncSession, raw: str) -> int:
    """Revoke the family of a refresh token: that login ends, on every device it reached.

    Any token of the family will do, spent or not (a client that lost the race of a
    rotation still ends its session); an unknown or expired token is refused. Logging out
    twice is not an error: the family stays revoked. Answers how many tokens were revoked.
    """
    now = utcnow()
    token = await repository.get_refresh_token_for_update(session, sha256_hex(raw))
    if token is None or token.expires_at <= now:
        raise InvalidRefreshToken()
    return await _revoke_family(
        session, token, now, logging.INFO, "logged out; refresh token family revoked"
    )


async def _revoke_family(
    session: AsyncSession, token: RefreshToken, now: datetime, level: int, message: str
) -> int:
    """Revoke the family of ``token`` and log it (whose, which family, how many tokens)."""
    revoked = await repository.revoke_family(session, token.family_id, now)
    await _sessions_ended(session, token.user_id, revoked)
    logger.log(
        level,
        message,
        extra={
            "user_id": str(token.user_id),
            "family_id": str(token.family_id),
            "revoked": len(revoked),
        },
    )
    return len(revoked)


async def _sessions_ended(
    session: AsyncSession, user_id: uuid.UUID, families: list[uuid.UUID]
) -> None:
    """``identity.sessions_ended`` for the sessions whose tokens were just revoked (none
    when there were none): the gateway refuses their access tokens from then on."""
    ended = sorted(set(families))
    if ended:
        await emit(session, build(SessionsEnded(user_id=user_id, session_ids=ended), source=SOURCE))


async def list_sessions(
    session: AsyncSession, user_id: uuid.UUID, page: Offset, *, current: uuid.UUID | None
) -> tuple[list[SessionRead], int]:
    """A page of the user's open sign-in sessions (refreshed last first), and how many;
    ``current`` is the caller's own."""
    rows, total = await repository.list_sessions(
        session, user_id, utcnow(), offset=page.offset, limit=page.limit
    )
    return [SessionRead(**row._mapping, current=row.id == current) for row in rows], total


async def end_session(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """End one of the user's sign-in sessions (a device signed out from elsewhere)."""
    now = utcnow()
    revoked = await repository.revoke_family(session, session_id, now, user_id=user_id)
    if not revoked:
        raise SessionNotFound()
    await _sessions_ended(session, user_id, revoked)
    logger.info(
        "session ended by its user",
        extra={"user_id": str(user_id), "family_id": str(session_id), "revoked": len(revoked)},
    )


def _reset_hash(security: Security, raw: str) -> str:
    return hmac_sha256_hex(security.settings.reset_token_secret, raw)


async def request_password_reset(session: AsyncSession, security: Security, *, email: str) -> None:
    """Issue a single-use token for a known address and queue its mail in identity's own table.

    The token never leaves identity's store: it is sealed in ``password_reset_mail`` for
    the worker's mailer, and the event says only that a reset was requested. An unknown
    address does nothing, and an address past ``RESET_MAIL_LIMIT`` requests in the window
    gets no new mail: the caller answers 202 in every case.
    """
    settings = security.settings
    user = await users.get_by_email_for_update(session, normalise_email(email))
    if user is None:
        logger.info("password reset requested for an unknown address")
        return
    now = utcnow()
    recent = await repository.count_resets_since(
        session, user.id, now - timedelta(seconds=settings.reset_mail_window_seconds)
    )
    if recent >= settings.reset_mail_limit:
        logger.info(
            "password reset request over the limit; no mail", extra={"user_id": str(user.id)}
        )
        return
    raw = new_opaque_token()
    expires_at = now + timedelta(seconds=settings.reset_token_ttl_seconds)
    reset = await repository.add_reset(
        session,
        PasswordReset(
            user_id=user.id,
            token_hash=_reset_hash(security, raw),
            created_at=now,
            expires_at=expires_at,
        ),
    )
    await mail_repository.add(
        session, PasswordResetMail(password_reset_id=reset.id, sealed_token=security.seal.seal(raw))
    )
    await emit(
        session,
        build(PasswordResetRequested(user_id=user.id, expires_at=expires_at), source=SOURCE),
    )
    logger.info("password reset requested", extra={"user_id": str(user.id)})


async def reset_password(
    session: AsyncSession, security: Security, *, token: str, new_password: str
) -> None:
    """Spend the token (and every other open one of the user), set the password, end sessions."""
    now = utcnow()
    reset = await repository.get_reset_for_update(session, _reset_hash(security, token))
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise InvalidResetToken()
    user = await users.get_for_update(session, reset.user_id)
    if user is None:
        raise InvalidResetToken()
    await users.set_password_hash(session, user.id, await security.passwords.hash(new_password))
    await repository.consume_resets_for_user(session, user.id, now)
    revoked = await repository.revoke_all_for_user(session, user.id, now)
    await _sessions_ended(session, user.id, revoked)
    await _password_changed(session, user.id, now)
    logger.info(
        "password reset", extra={"user_id": str(user.id), "sessions_revoked": len(set(revoked))}
    )


async def change_password(
    session: AsyncSession,
    security: Security,
    user_id: uuid.UUID,
    *,
    current_password: str,
    new_password: str,
    user_agent: str | None = None,
) -> TokenPair:
    """Check the current password, set the new one and end every session of the user (the
    caller's too): the answer is a new session. The ended sessions' access tokens are
    refused by the gateway from then on (``identity.sessions_ended``), as after a reset."""
    user = await users.get_for_update(session, user_id)
    if user is None:
        raise UserGone()
    if not await security.passwords.verify(user.password_hash, current_password):
        logger.info(
            "password change refused: wrong current password", extra={"user_id": str(user_id)}
        )
        raise PasswordRefused(
            "current_password", "Current password is incorrect", "password_incorrect"
        )
    if new_password == current_password:
        raise PasswordRefused(
            "new_password",
            "The new password must differ from the current one",
            "password_unchanged",
        )
    await users.set_password_hash(session, user.id, await security.passwords.hash(new_password))
    now = utcnow()
    await repository.consume_resets_for_user(session, user.id, now)  # a pending link is moot
    revoked = await repository.revoke_all_for_user(session, user.id, now)
    await _sessions_ended(session, user.id, revoked)
    await _password_changed(session, user.id, now)
    logger.info(
        "password changed", extra={"user_id": str(user.id), "sessions_revoked": len(set(revoked))}
    )
    return await issue_tokens(session, security, user, user_agent=user_agent)


async def _password_changed(session: AsyncSession, user_id: uuid.UUID, at: datetime) -> None:
    """Tell the world (``identity.password_changed``) and the user: a notice mail says when,
    and how to take the account back if the change was not theirs."""
    await mail_repository.add(
        session, AccountNoticeMail(user_id=user_id, kind="password_changed", occurred_at=at)
    )
    await emit(session, build(PasswordChanged(user_id=user_id), source=SOURCE))


async def logout_everywhere(session: AsyncSession, user_id: uuid.UUID) -> int:
    """End every session of the user (each refresh-token family); how many tokens were revoked."""
    revoked = await repository.revoke_all_for_user(session, user_id, utcnow())
    await _sessions_ended(session, user_id, revoked)
    logger.info("signed out everywhere", extra={"user_id": str(user_id), "revoked": len(revoked)})
    return len(revoked)
