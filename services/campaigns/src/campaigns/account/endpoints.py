from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from campaigns.account import service
from campaigns.account.schemas import AccountCreate, AccountRead, AccountUpdate
from campaigns.dependencies import Cipher, Session, UserId
from campaigns.routes import collection_routes, item_routes

router = APIRouter(prefix="/api/v1/accounts", tags=["ad accounts"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AccountRead)
async def connect_account(
    body: AccountCreate, session: Session, user_id: UserId, cipher: Cipher
) -> AccountRead:
    account = await service.create(session, user_id, body, cipher)
    return AccountRead.of(account)


collection_routes(router, "account", "accounts", service, AccountRead, read=AccountRead.of)


item_routes(router, "account", service, AccountRead, read=AccountRead.of, only=("get",))


@router.patch("/{account_id}", response_model=AccountRead)
async def update_account(
    account_id: uuid.UUID, body: AccountUpdate, session: Session, user_id: UserId, cipher: Cipher
) -> AccountRead:
    return AccountRead.of(await service.update(session, user_id, account_id, body, cipher))


item_routes(
    router, "account", service, AccountRead, only=("delete",), delete_name="disconnect_account"
)
