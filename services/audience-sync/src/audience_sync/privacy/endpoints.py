"""``/api/v1/cdp/erasures`` (erasure requests and receipts) and ``/api/v1/cdp/suppressions``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentUserId
from adscale_common.pagination import Page
from audience_sync.dependencies import Cipher
from audience_sync.privacy import access, repository, service
from audience_sync.privacy.schemas import (
    ErasureAccepted,
    ErasureBatchAccepted,
    ErasureBatchCreate,
    ErasureCreate,
    ErasureList,
    ErasureRead,
    PersonKey,
    PersonRead,
    SuppressionLifted,
)

router = APIRouter(prefix="/api/v1/cdp", tags=["cdp: privacy"])

HashPath = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-fA-F]{64}$",
        description="SHA-256 hex of the normalized identifier, as the erasure receipt shows it",
    ),
]


@router.post(
    "/erasures",
    response_model=ErasureAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Erase a person everywhere (idempotent)",
    responses={422: {"description": "No identifier, several, or a malformed email/phone"}},
)
async def request_erasure(
    body: ErasureCreate, session: DbSession, user_id: CurrentUserId, cipher: Cipher
) -> ErasureAccepted:
    """Queue the erasure of the person with this ``external_id``, ``email`` or ``phone``:
    every profile in every segment, their platform audience memberships and export files.
    Asking again for the same person returns the same erasure (``created: false``). An
    unknown person is accepted too: the receipt then says nothing matched."""
    erasure, created = await service.request_erasure(session, cipher, user_id, body)
    return ErasureAccepted(
        erasure_id=erasure.id,
        status=erasure.status,  # type: ignore[arg-type]
        created=created,
        requested_at=erasure.created_at,
    )


@router.post(
    "/erasures/batch",
    response_model=ErasureBatchAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Erase up to 10,000 people in one request (idempotent per person)",
    responses={
        422: {
            "description": "An item without exactly one identifier, or a malformed one "
            "(``details`` names it, e.g. ``people.3.email``); nothing is queued"
        }
    },
)
async def request_erasures(
    body: ErasureBatchCreate, session: DbSession, user_id: CurrentUserId, cipher: Cipher
) -> ErasureBatchAccepted:
    """The batch form of ``POST /cdp/erasures`` for a deletion queue: each person gets
    their own erasure and receipt, exactly as if asked one by one (a person already being
    erased, or erased and still suppressed, answers with that erasure, ``created: false``),
    and the worker removes all of them from each platform audience in one operation."""
    answered = await service.request_erasures(session, cipher, user_id, body)
    created = sum(1 for _, new in answered if new)
    return ErasureBatchAccepted(
        erasures=[
            ErasureAccepted(
                erasure_id=e.id,
                status=e.status,  # type: ignore[arg-type]
                created=new,
                requested_at=e.created_at,
            )
            for e, new in answered
        ],
        created=created,
        existing=len(answered) - created,
    )


@router.get("/erasures", response_model=ErasureList, summary="Erasure receipts, newest first")
async def list_erasures(session: DbSession, user_id: CurrentUserId, page: Page) -> ErasureList:
    rows, total = await repository.owned.page(session, user_id, page.offset, page.limit)
    return ErasureList(
        erasures=await service.receipts(session, list(rows)),
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/erasures/{erasure_id}",
    response_model=ErasureRead,
    summary="The erasure's receipt",
    responses={404: {"description": "ERASURE_NOT_FOUND (also another user's erasure)"}},
)
async def get_erasure(
    erasure_id: uuid.UUID, session: DbSession, user_id: CurrentUserId
) -> ErasureRead:
    """When it was asked and done, what matched (counts and SHA-256 of normalized
    identifiers only), what was deleted, and per platform audience the result with every
    attempt and the platform's own answer."""
    erasure = await service.get_owned(session, user_id, erasure_id)
    return await service.receipt(session, erasure)


@router.delete(
    "/suppressions/{hash}",
    response_model=SuppressionLifted,
    summary="Lift a suppression (logged)",
    responses={404: {"description": "SUPPRESSION_NOT_FOUND"}},
)
async def lift_suppression(
    hash: HashPath, session: DbSession, user_id: CurrentUserId
) -> SuppressionLifted:
    """Let profiles carrying this identifier in again (a person who consented anew). The
    lift is recorded with its time."""
    return await service.lift_suppression(session, user_id, hash)


def _person_key(
    external_id: Annotated[str | None, Query(max_length=255)] = None,
    email: Annotated[str | None, Query(max_length=320, examples=["jane.doe@example.com"])] = None,
    phone: Annotated[str | None, Query(max_length=64)] = None,
) -> PersonKey:
    try:
        return PersonKey(external_id=external_id, email=email, phone=phone)
    except ValidationError as exc:
        errors = [
            {**e, "loc": ("query", *e["loc"]) if e["loc"] else ("query",)}
            for e in exc.errors(include_input=False, include_url=False)
        ]
        raise RequestValidationError(errors) from None


@router.get(
    "/people",
    response_model=PersonRead,
    summary="Everything held about a person (subject access)",
    responses={404: {"description": "PERSON_NOT_FOUND (nothing held, or another user's)"}},
)
async def get_person(
    # The caller first: dependencies run in this order, and an anonymous request is a 401
    # whatever its query (``_person_key`` refuses a bad one as it reads it).
    user_id: CurrentUserId,
    key: Annotated[PersonKey, Depends(_person_key)],
    session: DbSession,
) -> PersonRead:
    """Give exactly one of ``external_id``, ``email``, ``phone``: every profile of the person
    in every segment (fields, traits, dates), the platform audiences each was accepted into
    with their sync dates, and whether the person is suppressed."""
    return await access.person_report(session, user_id, key.identifier())
