"""Google Ads ``campaigns:mutate`` and ``campaignBudgets:mutate``: update and remove
operations checked one by one, then applied together (or only validated).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import PlatformError, json_response, now, read_json, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.google_ads import PLATFORM, ads_failure, authorized, owned_customer
from adscale_sandbox.platforms.google_ads_rows import ads_camel, campaign_values, render_row
from adscale_sandbox.platforms.google_errors import rpc_error

CAMPAIGN_STATUSES = ("ENABLED", "PAUSED", "REMOVED")

# What one checked operation will change.
Change = TypeVar("Change")


router = APIRouter()


def _location(index: int, *names: str) -> list[dict[str, Any]]:
    return [{"fieldName": "operations", "index": index}, *({"fieldName": n} for n in names)]


def _operation_error(
    request: Request, index: int, message: str, error_code: dict[str, str], *names: str
) -> PlatformError:
    """``INVALID_ARGUMENT`` for operation ``index`` (at the field path ``names``)."""
    return ads_failure(
        request,
        400,
        "INVALID_ARGUMENT",
        message,
        error_code,
        location=_location(index, *names),
    )


def _resource_campaign(
    request: Request,
    index: int,
    resource: str,
    prefix: str,
    campaign: state.Campaign | None,
    account: state.AdAccount,
) -> state.Campaign:
    """The campaign a mutate names by ``resource``, if it is one of this customer's."""
    if (
        not resource.startswith(prefix)
        or campaign is None
        or campaign.account_id != account.account_id
    ):
        raise _operation_error(
            request,
            index,
            "The requested resource was not found.",
            {"mutateError": "RESOURCE_NOT_FOUND"},
            "update",
            "resource_name",
        )
    return campaign


def _mask_fields(operation: dict[str, Any], update: dict[str, Any]) -> list[str]:
    mask = operation.get("updateMask")
    if isinstance(mask, str) and mask:
        return [ads_camel(f.strip()) for f in mask.split(",") if f.strip()]
    return [k for k in update if k != "resourceName"]


async def _operations(request: Request) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    try:
        body = await read_json(request)
    except ValueError as exc:
        raise rpc_error(400, "INVALID_ARGUMENT", f"Invalid JSON payload received. {exc}") from exc
    operations = body.get("operations") if isinstance(body, dict) else None
    if not isinstance(operations, list) or not operations:
        raise ads_failure(
            request,
            400,
            "INVALID_ARGUMENT",
            "The operations list is required and must not be empty.",
            {"fieldError": "REQUIRED_NONEMPTY_LIST"},
            location=[{"fieldName": "operations"}],
        )
    assert isinstance(body, dict)
    return operations, body


async def _mutate(
    request: Request,
    customer_id: str,
    principal: Principal,
    check: Callable[[sqlite3.Connection, state.AdAccount, int, Any], Change],
    apply: Callable[[sqlite3.Connection, state.AdAccount, Change, dict[str, Any]], dict[str, Any]],
) -> Response:
    """A mutate of the customer's resources: ``check`` turns each operation into a change
    (or refuses it), then ``apply`` makes each change and answers its result, unless the
    body asks ``validateOnly``."""
    ctx = sandbox_of(request)
    operations, body = await _operations(request)

    def _work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        account = owned_customer(conn, request, customer_id, principal)
        changes = [check(conn, account, i, operation) for i, operation in enumerate(operations)]
        if body.get("validateOnly"):
            return []
        return [apply(conn, account, change, body) for change in changes]

    results = await ctx.store.run(_work)
    return json_response({"results": results} if results else {})


@router.post("/{version}/customers/{customer_id}/campaigns:mutate")
async def mutate_campaigns(
    version: str, customer_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    prefix = f"customers/{customer_id}/campaigns/"
    at = now()

    def _check(
        conn: sqlite3.Connection, account: state.AdAccount, i: int, operation: Any
    ) -> tuple[str, str | None, str | None]:
        if not isinstance(operation, dict):
            raise _operation_error(
                request, i, "Invalid operation.", {"requestError": "INVALID_INPUT"}
            )
        if "remove" in operation:
            resource = str(operation["remove"])
            update: dict[str, Any] = {"resourceName": resource, "status": "REMOVED"}
            fields = ["status"]
        elif isinstance(operation.get("update"), dict):
            update = operation["update"]
            resource = str(update.get("resourceName", ""))
            fields = _mask_fields(operation, update)
        else:
            raise _operation_error(
                request,
                i,
                "The sandbox supports update and remove operations on campaigns.",
                {"mutateError": "MUTATE_NOT_ALLOWED"},
            )
        campaign_id = resource.removeprefix(prefix)
        campaign = state.get_campaign(conn, PLATFORM, campaign_id)
        _resource_campaign(request, i, resource, prefix, campaign, account)
        status = None
        name = None
        for field in fields:
            if field == "status":
                status = update.get("status")
                if status not in CAMPAIGN_STATUSES:
                    raise _operation_error(
                        request,
                        i,
                        "Enum value is not permitted.",
                        {"requestError": "INVALID_ENUM_VALUE"},
                        "update",
                        "status",
                    )
            elif field == "name":
                name = str(update.get("name") or "")
                if not name:
                    raise _operation_error(
                        request,
                        i,
                        "The field is required.",
                        {"fieldError": "REQUIRED"},
                        "update",
                        "name",
                    )
            else:
                raise _operation_error(
                    request,
                    i,
                    f"The sandbox cannot update campaign field '{field}'.",
                    {"fieldError": "IMMUTABLE_FIELD"},
                    "update",
                    field,
                )
        return campaign_id, status, name

    def _apply(
        conn: sqlite3.Connection,
        account: state.AdAccount,
        change: tuple[str, str | None, str | None],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        campaign_id, status, name = change
        state.update_campaign(conn, PLATFORM, campaign_id, status=status, name=name, now=at)
        result: dict[str, Any] = {"resourceName": prefix + campaign_id}
        if body.get("responseContentType") == "MUTABLE_RESOURCE":
            updated = state.get_campaign(conn, PLATFORM, campaign_id)
            assert updated is not None
            result["campaign"] = render_row(
                campaign_values(account, updated),
                ["campaign.id", "campaign.name", "campaign.status", "campaign.campaign_budget"],
            )["campaign"]
        return result

    return await _mutate(request, customer_id, principal, _check, _apply)


@router.post("/{version}/customers/{customer_id}/campaignBudgets:mutate")
async def mutate_budgets(
    version: str, customer_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    prefix = f"customers/{customer_id}/campaignBudgets/"
    at = now()

    def _check(
        conn: sqlite3.Connection, account: state.AdAccount, i: int, operation: Any
    ) -> tuple[str, int]:
        update = operation.get("update") if isinstance(operation, dict) else None
        if not isinstance(update, dict):
            raise _operation_error(
                request,
                i,
                "The sandbox supports update operations on campaign budgets.",
                {"mutateError": "MUTATE_NOT_ALLOWED"},
            )
        resource = str(update.get("resourceName", ""))
        budget_id = resource.removeprefix(prefix)
        campaign = _resource_campaign(
            request,
            i,
            resource,
            prefix,
            state.get_campaign_by_budget(conn, PLATFORM, budget_id),
            account,
        )
        fields = _mask_fields(operation, update)
        if fields != ["amountMicros"]:
            raise _operation_error(
                request,
                i,
                "The sandbox can update amount_micros only.",
                {"fieldError": "IMMUTABLE_FIELD"},
                "update",
            )
        try:
            amount = int(str(update.get("amountMicros")))
        except ValueError:
            amount = -1
        if amount <= 0 or amount % 10_000:
            raise _operation_error(
                request,
                i,
                "Budget amount must be positive and a multiple of the minimum currency unit.",
                {"campaignBudgetError": "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT"},
                "update",
                "amount_micros",
            )
        return campaign.campaign_id, amount

    def _apply(
        conn: sqlite3.Connection,
        account: state.AdAccount,
        change: tuple[str, int],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        campaign_id, amount = change
        state.update_campaign(conn, PLATFORM, campaign_id, daily_budget_micros=amount, now=at)
        updated = state.get_campaign(conn, PLATFORM, campaign_id)
        assert updated is not None
        return {"resourceName": prefix + updated.budget_id}

    return await _mutate(request, customer_id, principal, _check, _apply)
