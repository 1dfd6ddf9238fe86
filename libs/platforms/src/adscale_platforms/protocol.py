"""The protocols every platform client satisfies, and the types their signatures share.

:class:`AdPlatformClient` is OAuth, ad accounts, audiences and members;
:class:`CampaignPlatformClient` adds campaign insights and updates (Meta, Google). The
clients are plain classes (:class:`~adscale_platforms.base.BaseClient` subclasses): mypy
checks in :mod:`adscale_platforms` that each satisfies its protocol.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

from adscale_platforms.models import (
    AdAccount,
    AudienceInfo,
    BatchReport,
    DailyInsight,
    TokenSet,
    UploadResult,
)
from adscale_platforms.oauth import TokenSource
from adscale_platforms.rows import Rows

__all__ = [
    "AdPlatformClient",
    "BatchCallback",
    "CampaignPlatformClient",
    "MemberOperation",
    "TokenLike",
]

TokenLike = str | TokenSource
BatchCallback = Callable[[BatchReport], Awaitable[None] | None]
MemberOperation = Literal["add", "remove", "replace"]


@runtime_checkable
class AdPlatformClient(Protocol):
    """OAuth, ad accounts, audiences and audience members on one ad platform.

    ``platform`` and ``supports_pkce`` are read-only: a client may provide them as class
    variables (as every client here does), instance attributes or properties.
    """

    @property
    def platform(self) -> str: ...

    @property
    def supports_pkce(self) -> bool: ...

    def authorization_url(
        self, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str: ...

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet: ...

    async def refresh(self, refresh_token: str) -> TokenSet: ...

    async def list_ad_accounts(self, token: TokenLike) -> list[AdAccount]: ...

    async def create_audience(
        self,
        token: TokenLike,
        ad_account_id: str,
        name: str,
        description: str,
        *,
        schema_field: str | None = None,
    ) -> str: ...

    async def get_audience(self, token: TokenLike, audience_id: str) -> AudienceInfo: ...

    async def delete_audience(self, token: TokenLike, audience_id: str) -> None: ...

    async def members(
        self,
        operation: MemberOperation,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        on_batch: BatchCallback | None = None,
        estimated_total: int | None = None,
    ) -> UploadResult:
        """The one member operation: add, remove, or replace (the audience becomes exactly
        ``rows``), to the end; ``on_batch`` is called after each accepted request."""

    def stream_members(
        self,
        operation: MemberOperation,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        estimated_total: int | None = None,
    ) -> AsyncIterator[BatchReport]: ...


@runtime_checkable
class CampaignPlatformClient(AdPlatformClient, Protocol):
    """Platforms AdScale also runs campaigns on (Meta, Google)."""

    async def get_campaign_insights(
        self, token: TokenLike, ad_account_id: str, since: date, until: date
    ) -> list[DailyInsight]: ...

    async def update_campaign(
        self,
        token: TokenLike,
        ad_account_id: str,
        campaign_external_id: str,
        status: str | None = None,
        daily_budget: Decimal | None = None,
    ) -> None: ...
