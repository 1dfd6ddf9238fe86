"""Steps every platform imitation takes the same way: sign-in, token issue, ownership lookups.

Each platform module keeps its own paths, parameters and error bodies; these functions
only do the shared work in between (and answer ``None`` where the platform decides how
to refuse).
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse

from adscale_sandbox import state
from adscale_sandbox.core import now, sandbox_of
from adscale_sandbox.oauth import AuthCode, IssuedTokens, Principal, issue_code, issue_tokens
from adscale_sandbox.settings import Settings


async def sign_in(
    request: Request,
    platform: str,
    *,
    client_id: str,
    redirect_uri: str,
    scope: str,
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
) -> str:
    """Sign in the pre-approved test user (or ``?sandbox_user=``), seeding their accounts,
    and issue an authorization code for the client and redirect URI."""
    ctx = sandbox_of(request)
    settings = ctx.settings
    user_id = request.query_params.get("sandbox_user") or settings.test_user
    at = now()

    def _work(conn: sqlite3.Connection) -> str:
        state.ensure_user(
            conn, platform, user_id, settings.ad_accounts_per_user, settings.campaigns_per_account
        )
        return issue_code(
            conn,
            platform=platform,
            client_id=client_id,
            redirect_uri=redirect_uri,
            user_id=user_id,
            scope=scope,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            now=at,
            lifetime=settings.auth_code_lifetime_seconds,
        )

    return await ctx.store.run(_work)


def echoed_state(request: Request) -> dict[str, str]:
    """The ``state`` an authorize request passed, to hand back with the code (``{}`` if none)."""
    q = request.query_params
    return {"state": q["state"]} if "state" in q else {}


def redirect_back(redirect_uri: str, query: dict[str, str]) -> RedirectResponse:
    """The 302 an authorize page answers: ``redirect_uri`` with ``query`` appended."""
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(query)}", status_code=302)


def issue_session_tokens(
    conn: sqlite3.Connection,
    settings: Settings,
    grant: AuthCode | Principal,
    *,
    client_id: str,
    now: float,
    with_refresh: bool = True,
) -> IssuedTokens:
    """Tokens for the platform, user and scope of ``grant`` (an authorization code or a
    refresh token), with the configured access and refresh lifetimes."""
    return issue_tokens(
        conn,
        platform=grant.platform,
        user_id=grant.user_id,
        client_id=client_id,
        scope=grant.scope,
        now=now,
        lifetime=settings.access_token_lifetime_seconds,
        refresh_lifetime=settings.refresh_token_lifetime_seconds,
        with_refresh=with_refresh,
    )


async def user_accounts(request: Request, principal: Principal) -> list[state.AdAccount]:
    """The caller's ad accounts (on their token's platform), in their order."""
    return await sandbox_of(request).store.run(
        lambda c: state.list_accounts(c, principal.platform, principal.user_id)
    )


def owned_account(
    conn: sqlite3.Connection, platform: str, account_id: str, principal: Principal
) -> state.AdAccount | None:
    """The ad account, ``None`` when it does not exist or belongs to another user."""
    account = state.get_account(conn, platform, account_id)
    if account is None or account.user_id != principal.user_id:
        return None
    return account


def owned_audience(
    conn: sqlite3.Connection, platform: str, audience_id: str, principal: Principal, delay: float
) -> state.Audience | None:
    """The audience, ``None`` when it does not exist or its account is another user's."""
    audience = state.get_audience(conn, platform, audience_id, now=now(), delay=delay)
    if audience is None or owned_account(conn, platform, audience.account_id, principal) is None:
        return None
    return audience


def account_audience(
    conn: sqlite3.Connection, platform: str, account_id: str, audience_id: str, delay: float
) -> state.Audience | None:
    """The audience, ``None`` when it does not exist or belongs to another ad account."""
    audience = state.get_audience(conn, platform, audience_id, now=now(), delay=delay)
    if audience is None or audience.account_id != account_id:
        return None
    return audience
