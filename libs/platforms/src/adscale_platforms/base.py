"""The base of every platform client: the member operations, defined once.

Member operations take rows lazily (any iterable or async iterable, millions of rows),
stream them through :mod:`adscale_platforms.batching` and report every accepted request
as a :class:`BatchReport`, either through ``on_batch`` or by iterating ``stream_*``.
:meth:`BaseClient.members` (and :meth:`BaseClient.stream_members`) is the one operation,
named by its first argument: ``"add"``, ``"remove"`` or ``"replace"``. A client
implements :meth:`BaseClient._stream_members` with its platform's own primitives (and
:meth:`BaseClient._stream_replace` where replace is a sequence of calls), both taking one
:class:`MemberCall`. Calls go through :meth:`~adscale_platforms.http.HttpClient._request`.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlencode

from pydantic import SecretStr

from adscale_platforms.batching import (
    BatchLimits,
    RequestBatch,
    abatch_rows,
    compact_json,
    json_size,
    limits_for,
    with_last,
)
from adscale_platforms.http import HttpClient
from adscale_platforms.models import BatchReport, UploadResult
from adscale_platforms.protocol import BatchCallback, MemberOperation, TokenLike
from adscale_platforms.rows import Rows, map_rows

__all__ = ["AudienceDraft", "BaseClient", "MemberCall"]

MAX_INVALID_SAMPLES = 100


class MemberCall(NamedTuple):
    """One member operation as asked: what, on which audience, with which rows."""

    operation: MemberOperation
    token: TokenLike
    audience_id: str
    fields: str | Sequence[str]
    rows: Rows
    estimated_total: int | None


class AudienceDraft(NamedTuple):
    """A new audience as asked for: where, named how, keyed on which identifier."""

    ad_account_id: str
    name: str
    description: str
    schema_field: str | None


class BaseClient(HttpClient):
    """The member-operation plumbing shared by all clients."""

    def batch_limits(self) -> BatchLimits:
        return limits_for(self.platform, self.settings)

    # -- member operations -------------------------------------------------------------

    async def _collect(
        self, reports: AsyncIterator[BatchReport], on_batch: BatchCallback | None
    ) -> UploadResult:
        received = invalid = batches = 0
        samples: list[str] = []
        async for report in reports:
            batches += 1
            received += report.received
            invalid += report.invalid
            room = MAX_INVALID_SAMPLES - len(samples)
            if room > 0:
                samples.extend(report.invalid_samples[:room])
            if on_batch is not None:
                outcome = on_batch(report)
                if inspect.isawaitable(outcome):
                    await outcome
        return UploadResult(
            received=received, invalid=invalid, invalid_samples=samples, batches=batches
        )

    async def _batches(
        self,
        rows: Iterable[Any] | AsyncIterable[Any],
        *,
        row_bytes: Callable[[Any], int],
        envelope_bytes: int,
        limits: BatchLimits | None = None,
        separator_bytes: int = 1,
    ) -> AsyncIterator[tuple[list[Any], bool]]:
        limit = limits or self.batch_limits()
        batches = abatch_rows(
            rows,
            max_rows=limit.max_rows,
            max_bytes=limit.max_bytes,
            row_bytes=row_bytes,
            envelope_bytes=envelope_bytes,
            separator_bytes=separator_bytes,
        )
        async for item in with_last(batches):
            yield item

    async def _json_batches(
        self,
        rows: Rows,
        prepare: Callable[[Any], Any],
        envelope: Any,
        *,
        row_bytes: Callable[[Any], int] = json_size,
    ) -> AsyncIterator[RequestBatch]:
        """``rows``, each ``prepare``-d, packed into the JSON array of request bodies whose
        rows-free part is ``envelope``, within this platform's request limits (a row's
        size by ``row_bytes``: ``len`` where ``prepare`` returns the row's JSON)."""
        index = done = 0
        async for batch, last in self._batches(
            map_rows(rows, prepare), row_bytes=row_bytes, envelope_bytes=len(compact_json(envelope))
        ):
            done += len(batch)
            yield RequestBatch(batch, index, done, last)
            index += 1

    def _stream_members(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        """The platform's own primitive for ``call.operation``: one report per accepted
        request. Nothing is sent before the first report is asked for."""
        raise NotImplementedError

    def _stream_replace(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        """Replace; override where the platform's replace is not one member primitive."""
        return self._stream_members(call)

    # -- consent and token grants ------------------------------------------------------

    def _authorization_page(self) -> str:
        """The platform's consent page, without a query."""
        raise NotImplementedError

    def _authorization_query(self, state: str, redirect_uri: str) -> dict[str, str]:
        """The platform's consent-page query for ``state`` and ``redirect_uri``."""
        raise NotImplementedError

    def authorization_url(
        self, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        """The consent page to send the user to; ``code_challenge`` (PKCE S256) is passed
        on where the platform takes one (``supports_pkce``)."""
        query = self._authorization_query(state, redirect_uri)
        if code_challenge and self.supports_pkce:
            query |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{self._authorization_page()}?{urlencode(query)}"

    async def _form_grant(
        self, url: str, client_id: str, secret: SecretStr, grant_type: str, /, **fields: str
    ) -> Any:
        """An OAuth 2.0 token request (RFC 6749 sections 4.1.3 and 6): ``POST`` form-encoded,
        the grant type and client credentials first."""
        form = {
            "grant_type": grant_type,
            "client_id": client_id,
            "client_secret": secret.get_secret_value(),
            **fields,
        }
        return await self._request("POST", url, data=form)

    # -- audiences ---------------------------------------------------------------------

    async def _create_audience(self, token: TokenLike, draft: AudienceDraft) -> str:
        """The platform's create call; the new audience's id as this client's other audience
        calls take it."""
        raise NotImplementedError

    async def create_audience(
        self,
        token: TokenLike,
        ad_account_id: str,
        name: str,
        description: str,
        *,
        schema_field: str | None = None,
    ) -> str:
        """An empty audience in ``ad_account_id``; its id."""
        draft = AudienceDraft(ad_account_id, name, description, schema_field)
        return await self._create_audience(token, draft)

    # -- the one member operation ------------------------------------------------------

    def stream_members(
        self,
        operation: MemberOperation,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        estimated_total: int | None = None,
    ) -> AsyncIterator[BatchReport]:
        """``operation`` on the audience, one report per accepted request (nothing is sent
        before the first report is asked for)."""
        call = MemberCall(operation, token, audience_id, fields, rows, estimated_total)
        return self._stream_replace(call) if operation == "replace" else self._stream_members(call)

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
        """``operation`` on the audience, to the end; ``on_batch`` is called after each
        accepted request. A replace makes the audience exactly ``rows``, with the
        platform's own replace primitive."""
        reports = self.stream_members(operation, token, audience_id, fields, rows, estimated_total)
        return await self._collect(reports, on_batch)
