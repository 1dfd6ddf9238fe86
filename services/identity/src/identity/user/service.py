"""User rules: registration, provisioning, profile, plan projection. Flushes, never commits."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.outbox import emit
from adscale_contracts.events import PlanChanged, UserRegistered, build
from identity.models import User
from identity.security import Passwords
from identity.user import repository
from identity.user.errors import EmailTaken, ExternalIdTaken

logger = logging.getLogger(__name__)

SOURCE = "identity"


def normalise_email(email: str) -> str:
    """One form per address, compared case-insensitively: stored and looked up lower-cased.

    The same normalisation as the request schemas' ``EmailStr`` (IDNA, Unicode NFC),
    so a login finds the address whatever form it was typed in; anything that is
    not an address is only lower-cased (and then matches nobody).
    """
    try:
        normalised = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        normalised = email.strip()
    return normalised.lower()


async def _insert(session: AsyncSession, user: User) -> User:
    try:
        return await repository.add(session, user)
    except IntegrityError as exc:
        # A concurrent request took the email or external id between check and insert.
        if "external_user_id" in str(exc.orig):
            raise ExternalIdTaken() from exc
        raise EmailTaken() from exc


async def register(
    session: AsyncSession, passwords: Passwords, *, email: str, password: str
) -> User:
    email = normalise_email(email)
    if await repository.get_by_email(session, email) is not None:
        raise EmailTaken()
    user = await _insert(session, User(email=email, password_hash=await passwords.hash(password)))
    await emit(session, build(UserRegistered(user_id=user.id, plan="free"), source=SOURCE))
    logger.info("user registered", extra={"user_id": str(user.id)})
    return user


@dataclass(frozen=True, slots=True)
class Provisioned:
    user: User
    created: bool


async def provision(
    session: AsyncSession, *, caller_id: uuid.UUID, email: str, external_user_id: str
) -> Provisioned:
    """Create a password-less user for a platform, idempotently on ``external_user_id``.

    Repeating the same request (same caller, same email) returns the same user.
    The external id used by another caller or with another email, or the email
    belonging to another user, is a conflict.
    """
    email = normalise_email(email)
    existing = await repository.get_by_external_id(session, external_user_id)
    if existing is not None:
        if existing.provisioned_by_user_id == caller_id and existing.email == email:
            return Provisioned(existing, created=False)
        raise ExternalIdTaken()
    if await repository.get_by_email(session, email) is not None:
        raise EmailTaken()
    user = await _insert(
        session,
        User(email=email, external_user_id=external_user_id, provisioned_by_user_id=caller_id),
    )
    await emit(
        session,
        build(
            UserRegistered(user_id=user.id, plan="free", external_user_id=external_user_id),
            source=SOURCE,
        ),
    )
    logger.info(
        "user provisioned", extra={"user_id": str(user.id), "provisioned_by": str(caller_id)}
    )
    return Provisioned(user, created=True)


async def apply_plan_change(
    session: AsyncSession, change: PlanChanged, *, occurred_at: datetime
) -> bool:
    """Project billing's plan onto the user; older news than the last applied is ignored."""
    effective = change.effective_at or occurred_at
    if effective.tzinfo is None:
        effective = effective.replace(tzinfo=UTC)
    user = await repository.get_for_update(session, change.user_id)
    if user is None:
        logger.warning(
            "plan change for an unknown user ignored", extra={"user_id": str(change.user_id)}
        )
        return False
    if user.plan_changed_at is not None and effective < user.plan_changed_at:
        logger.info(
            "stale plan change ignored",
            extra={"user_id": str(user.id), "new_plan": change.new_plan},
        )
        return False
    previous = user.plan
    await repository.set_plan(session, user.id, change.new_plan, effective)
    logger.info(
        "plan projected",
        extra={"user_id": str(user.id), "old_plan": previous, "new_plan": change.new_plan},
    )
    return True
