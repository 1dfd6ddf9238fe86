"""Typed methods for every resource of both APIs, on the async client.

``_sync_resources.py`` is generated from this file by ``scripts/unasync.py``: edit this one.
Bodies are the generated models or plain mappings (sent as they are); answers are parsed
into the generated models.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from adscale import models as m
from adscale._async_transport import AsyncTransport
from adscale.pagination import OFFSET, Style, pages

ReadT = TypeVar("ReadT", bound=BaseModel)
Body = BaseModel | Mapping[str, Any]
AS = "/cdp/audience-sync"
FINISHED = ("completed", "failed", "cancelled")


def import_params(mapping: Mapping[str, str] | None, dry_run: bool) -> dict[str, str]:
    """The import's query: ``mapping`` as the JSON object the API reads, ``dry_run``."""
    params = {"dry_run": "true"} if dry_run else {}
    if mapping:
        params["mapping"] = json.dumps(dict(mapping))
    return params


def dump(body: Body | None) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", exclude_unset=True, by_alias=True)
    return dict(body) if body is not None else None


class Resource:
    def __init__(self, client: AsyncTransport) -> None:
        self._client = client


class Collection(Resource, Generic[ReadT]):
    """A list, a read, an update and a delete under one path."""

    path: str
    read: type[ReadT]
    style: Style = OFFSET

    async def iter(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[ReadT]:
        """Every item (all pages, ``page_size`` a request), filtered by the list's query."""
        items = self._client.paginate(self.path, self.style, filters, page_size=page_size)
        async for item in items:
            yield self.read.model_validate(item)

    async def list(self, **filters: Any) -> list[ReadT]:
        return [item async for item in self.iter(**filters)]

    async def get(self, id: object) -> ReadT:
        return self.read.model_validate(await self._client.call("GET", f"{self.path}/{id}"))

    async def update(self, id: object, body: Body) -> ReadT:
        answer = await self._client.call("PATCH", f"{self.path}/{id}", json=dump(body))
        return self.read.model_validate(answer)

    async def delete(self, id: object, **params: Any) -> Any:
        return await self._client.call("DELETE", f"{self.path}/{id}", params=params)

    async def _create(self, body: Body) -> Any:
        return await self._client.call("POST", self.path, json=dump(body))


class Auth(Resource):
    async def register(self, email: str, password: str) -> m.TokenPair:
        body = {"email": email, "password": password}
        return m.TokenPair.model_validate(
            await self._client.call("POST", "/auth/register", json=body)
        )

    async def me(self) -> m.UserRead:
        return m.UserRead.model_validate(await self._client.call("GET", "/auth/me"))

    async def forgot_password(self, email: str) -> m.Accepted:
        answer = await self._client.call("POST", "/auth/forgot-password", json={"email": email})
        return m.Accepted.model_validate(answer)

    async def logout_all(self) -> None:
        """End every session of the user, on every device (this client's refresh token too)."""
        await self._client.call("POST", "/auth/logout-all")

    async def sessions(self) -> list[m.SessionRead]:
        """The user's open sign-in sessions (devices), the one active last first; ``current``
        marks this client's."""
        items = self._client.paginate("/auth/sessions", OFFSET, {}, page_size=100)
        return [m.SessionRead.model_validate(item) async for item in items]

    async def end_session(self, session_id: object) -> None:
        """Sign one session out: its refresh token and access tokens stop working at once."""
        await self._client.call("DELETE", f"/auth/sessions/{session_id}")


class Accounts(Collection[m.AccountRead]):
    path, read = "/accounts", m.AccountRead

    async def create(self, body: m.AccountCreate | Mapping[str, Any]) -> m.AccountRead:
        return m.AccountRead.model_validate(await self._create(body))


class Campaigns(Collection[m.CampaignRead]):
    path, read = "/campaigns", m.CampaignRead

    async def create(self, body: m.CampaignCreate | Mapping[str, Any]) -> m.CampaignRead:
        return m.CampaignRead.model_validate(await self._create(body))


class AdGroups(Collection[m.AdGroupRead]):
    path, read = "/ad-groups", m.AdGroupRead

    async def create(self, body: m.AdGroupCreate | Mapping[str, Any]) -> m.AdGroupRead:
        return m.AdGroupRead.model_validate(await self._create(body))


class Creatives(Collection[m.CreativeRead]):
    path, read = "/creatives", m.CreativeRead

    async def create(self, body: m.CreativeCreate | Mapping[str, Any]) -> m.CreativeRead:
        return m.CreativeRead.model_validate(await self._create(body))

    async def generate_copy(
        self, body: m.GenerateCopyRequest | Mapping[str, Any]
    ) -> m.GenerateCopyResponse:
        answer = await self._client.call("POST", "/creatives/generate-copy", json=dump(body))
        return m.GenerateCopyResponse.model_validate(answer)


class Metrics(Resource):
    async def overview(self, **dates: Any) -> m.CampaignsOverviewRead:
        answer = await self._client.call("GET", "/metrics/overview", params=dates)
        return m.CampaignsOverviewRead.model_validate(answer)

    async def campaign(self, campaign_id: object, **dates: Any) -> AsyncIterator[m.DailyMetricRead]:
        """The campaign's daily rows (every page)."""
        url = f"/metrics/campaign/{campaign_id}"
        async for row in self._client.paginate(url, OFFSET, dates):
            yield m.DailyMetricRead.model_validate(row)

    async def daily(self, **dates: Any) -> AsyncIterator[m.DailyMetricRead]:
        """Every campaign's rows summed per day, the days with any (every page)."""
        async for row in self._client.paginate("/metrics/daily", OFFSET, dates):
            yield m.DailyMetricRead.model_validate(row)

    async def campaigns(self, **dates: Any) -> AsyncIterator[m.CampaignMetricsRead]:
        """Each campaign's totals over the dates, most spend first (every page)."""
        async for row in self._client.paginate("/metrics/campaigns", OFFSET, dates):
            yield m.CampaignMetricsRead.model_validate(row)

    async def refresh(self, campaign_id: object, **dates: Any) -> m.RefreshRead:
        url = f"/metrics/campaign/{campaign_id}/refresh"
        return m.RefreshRead.model_validate(await self._client.call("POST", url, params=dates))


class Rules(Collection[m.RuleRead]):
    path, read = "/rules", m.RuleRead

    async def create(self, body: m.RuleCreate | Mapping[str, Any]) -> m.RuleRead:
        return m.RuleRead.model_validate(await self._create(body))

    async def execute(self, rule_id: object, *, dry_run: bool = False) -> m.ExecuteResult:
        url = f"/rules/{rule_id}/execute"
        answer = await self._client.call("POST", url, params={"dry_run": str(dry_run).lower()})
        return m.ExecuteResult.model_validate(answer)

    async def executions(self, rule_id: object) -> AsyncIterator[m.ExecutionRead]:
        async for row in self._client.paginate(f"/rules/{rule_id}/executions", OFFSET):
            yield m.ExecutionRead.model_validate(row)

    async def runs(self, rule_id: object) -> AsyncIterator[m.RunRead]:
        """Every run of the rule, newest first (scheduled, manual, dry runs, undos)."""
        async for row in self._client.paginate(f"/rules/{rule_id}/runs", OFFSET):
            yield m.RunRead.model_validate(row)

    async def run(self, run_id: object) -> m.RunDetail:
        return m.RunDetail.model_validate(await self._client.call("GET", f"/rule-runs/{run_id}"))

    async def undo(self, run_id: object) -> m.UndoResult:
        answer = await self._client.call("POST", f"/rule-runs/{run_id}/undo")
        return m.UndoResult.model_validate(answer)

    async def backtest(
        self, rule_id: object, *, start_date: str, end_date: str
    ) -> m.BacktestResult:
        body = {"start_date": start_date, "end_date": end_date}
        answer = await self._client.call("POST", f"/rules/{rule_id}/backtest", json=body)
        return m.BacktestResult.model_validate(answer)


class Billing(Resource):
    async def plans(self) -> list[m.PlanRead]:
        return [
            m.PlanRead.model_validate(p) for p in await self._client.call("GET", "/billing/plans")
        ]

    async def checkout(self, plan: str) -> m.CheckoutRead:
        answer = await self._client.call("POST", "/billing/checkout", json={"plan": plan})
        return m.CheckoutRead.model_validate(answer)

    async def portal(self) -> m.PortalRead:
        return m.PortalRead.model_validate(await self._client.call("POST", "/billing/portal"))

    async def overview(self) -> m.OverviewRead:
        return m.OverviewRead.model_validate(await self._client.call("GET", "/billing/overview"))

    async def current(self) -> dict[str, Any] | None:
        answer: dict[str, Any] | None = await self._client.call("GET", "/billing/current")
        return answer

    async def usage(self) -> m.UsageRead:
        return m.UsageRead.model_validate(await self._client.call("GET", "/usage"))


class ApiKeys(Collection[m.ApiKeyRead]):
    path, read = "/api-keys", m.ApiKeyRead

    async def create(self, name: str) -> m.ApiKeyCreated:
        return m.ApiKeyCreated.model_validate(await self._create({"name": name}))


class Segments(Collection[m.SegmentRead]):
    path, read, style = "/cdp/segments", m.SegmentRead, pages("segments")

    async def create(self, body: m.SegmentCreate | Mapping[str, Any]) -> m.SegmentRead:
        return m.SegmentRead.model_validate(await self._create(body))

    async def detail(self, segment_id: object) -> m.SegmentDetail:
        answer = await self._client.call("GET", f"{self.path}/{segment_id}")
        return m.SegmentDetail.model_validate(answer)

    async def profiles(
        self, segment_id: object, *, q: str | None = None, page_size: int = 100
    ) -> AsyncIterator[m.ProfileRead]:
        """The segment's people, last updated first, every page; ``q`` finds a person (an
        external id's start, an email or a phone)."""
        url = f"{self.path}/{segment_id}/profiles"
        query = {"q": q} if q else {}
        async for row in self._client.paginate(url, pages("profiles"), query, page_size=page_size):
            yield m.ProfileRead.model_validate(row)

    async def upsert_profiles(
        self, segment_id: object, profiles: list[Mapping[str, Any]]
    ) -> m.UpsertResult:
        url = f"{self.path}/{segment_id}/profiles"
        answer = await self._client.call(
            "POST", url, json={"profiles": [dict(p) for p in profiles]}
        )
        return m.UpsertResult.model_validate(answer)

    async def delete_profiles(
        self, segment_id: object, external_ids: list[str]
    ) -> m.ProfilesDeleted:
        url = f"{self.path}/{segment_id}/profiles"
        answer = await self._client.call("DELETE", url, json={"external_ids": external_ids})
        return m.ProfilesDeleted.model_validate(answer)

    async def import_csv(
        self,
        segment_id: object,
        path: Path,
        *,
        mapping: Mapping[str, str] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> m.ImportResult:
        """Stream a CSV file into the segment; ``mapping`` (column → field, ``trait:<name>``
        or ``ignore``) overrides the detected columns; ``on_progress`` gets the bytes sent."""
        answer = await self._upload(segment_id, path, mapping, False, on_progress)
        return m.ImportResult.model_validate(answer)

    async def preview_csv(
        self,
        segment_id: object,
        path: Path,
        *,
        mapping: Mapping[str, str] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> m.ImportPreview:
        """The import's dry run: dialect, mapping per column, people found, coverage and
        invalid samples; nothing is written."""
        answer = await self._upload(segment_id, path, mapping, True, on_progress)
        return m.ImportPreview.model_validate(answer)

    async def _upload(
        self,
        segment_id: object,
        path: Path,
        mapping: Mapping[str, str] | None,
        dry_run: bool,
        on_progress: Callable[[int], None] | None,
    ) -> Any:
        url = f"{self.path}/{segment_id}/profiles/import"
        params = import_params(mapping, dry_run)
        return await self._client.upload(url, Path(path), params=params, on_progress=on_progress)


class Platforms(Resource):
    async def list(self) -> list[m.PlatformRead]:
        return m.PlatformsRead.model_validate(
            await self._client.call("GET", f"{AS}/platforms")
        ).platforms

    async def connect(self, platform: str, redirect_uri: str | None = None) -> m.ConnectResponse:
        body = {"redirect_uri": redirect_uri} if redirect_uri else None
        answer = await self._client.call("POST", f"{AS}/platforms/{platform}/connect", json=body)
        return m.ConnectResponse.model_validate(answer)

    async def callback(self, platform: str, code: str, state: str) -> m.PlatformRead:
        url = f"{AS}/platforms/{platform}/callback"
        answer = await self._client.call("POST", url, json={"code": code, "state": state})
        return m.PlatformRead.model_validate(answer)

    async def disconnect(self, platform: str) -> m.DisconnectResponse:
        answer = await self._client.call("DELETE", f"{AS}/platforms/{platform}")
        return m.DisconnectResponse.model_validate(answer)


class Audiences(Collection[m.AudienceRead]):
    path, read, style = f"{AS}/audiences", m.AudienceRead, pages("audiences")

    async def create(self, body: m.AudienceCreate | Mapping[str, Any]) -> m.AudienceCreated:
        return m.AudienceCreated.model_validate(await self._create(body))

    async def detail(self, audience_id: object) -> m.AudienceDetail:
        answer = await self._client.call("GET", f"{self.path}/{audience_id}")
        return m.AudienceDetail.model_validate(answer)

    async def sync(self, audience_id: object, operation: str = "update") -> m.SyncTriggered:
        url = f"{self.path}/{audience_id}/sync"
        answer = await self._client.call("POST", url, json={"operation": operation})
        return m.SyncTriggered.model_validate(answer)

    async def history(self, audience_id: object, **params: Any) -> m.HistoryRead:
        url = f"{self.path}/{audience_id}/history"
        return m.HistoryRead.model_validate(await self._client.call("GET", url, params=params))


class SyncJobs(Resource):
    async def get(self, job_id: object) -> m.SyncJobRead:
        answer = await self._client.call("GET", f"{AS}/sync-jobs/{job_id}")
        return m.SyncJobRead.model_validate(answer)

    async def wait(
        self,
        job_id: object,
        *,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        timeout: float | None = None,
    ) -> m.SyncJobRead:
        """Poll the job until it has finished (completed, failed or cancelled)."""
        body = await self._client.poll(
            f"{AS}/sync-jobs/{job_id}",
            done=lambda job: job["status"] in FINISHED,
            on_update=on_update,
            timeout=timeout,
        )
        return m.SyncJobRead.model_validate(body)


class Exports(Resource):
    async def create(self, body: m.ExportCreate | Mapping[str, Any]) -> m.ExportAccepted:
        answer = await self._client.call("POST", f"{AS}/audiences/export", json=dump(body))
        return m.ExportAccepted.model_validate(answer)

    async def get(self, export_id: object) -> m.ExportRead:
        return m.ExportRead.model_validate(
            await self._client.call("GET", f"{AS}/exports/{export_id}")
        )

    async def wait(
        self,
        export_id: object,
        *,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        timeout: float | None = None,
    ) -> m.ExportRead:
        body = await self._client.poll(
            f"{AS}/exports/{export_id}",
            done=lambda export: export["status"] not in ("pending", "processing"),
            on_update=on_update,
            timeout=timeout,
        )
        return m.ExportRead.model_validate(body)

    async def download(
        self, export: m.ExportRead, dest: Path, *, on_progress: Callable[[int], None] | None = None
    ) -> int:
        """Stream a completed export's file to ``dest``; returns the bytes written."""
        if not export.download_url:
            raise ValueError(f"export {export.export_id} has no download link ({export.status})")
        return await self._client.download(export.download_url, Path(dest), on_progress=on_progress)


class Webhooks(Collection[m.WebhookRead]):
    path, read, style = f"{AS}/webhooks", m.WebhookRead, pages("webhooks")

    async def create(self, body: m.WebhookCreate | Mapping[str, Any]) -> m.WebhookCreated:
        return m.WebhookCreated.model_validate(await self._create(body))

    async def deliveries(self, webhook_id: object, **filters: Any) -> AsyncIterator[m.DeliveryRead]:
        url = f"{self.path}/{webhook_id}/deliveries"
        async for row in self._client.paginate(url, pages("deliveries"), filters):
            yield m.DeliveryRead.model_validate(row)

    async def rotate_secret(self, webhook_id: object) -> m.SecretRotated:
        answer = await self._client.call("POST", f"{self.path}/{webhook_id}/rotate-secret")
        return m.SecretRotated.model_validate(answer)

    async def test(self, webhook_id: object, event: str | None = None) -> m.WebhookTestResult:
        body = {"event": event} if event else None
        answer = await self._client.call("POST", f"{self.path}/{webhook_id}/test", json=body)
        return m.WebhookTestResult.model_validate(answer)


def person_key(external_id: str | None, email: str | None, phone: str | None) -> dict[str, str]:
    """The one identifier a privacy call names (the API refuses none or several: 422)."""
    given = {"external_id": external_id, "email": email, "phone": phone}
    return {k: v for k, v in given.items() if v is not None}


class Privacy(Resource):
    """Erasure (with receipts), the suppression list and subject access: ``/cdp/erasures``,
    ``/cdp/suppressions``, ``/cdp/people``."""

    path = "/cdp/erasures"

    async def erase(
        self,
        *,
        external_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        reason: str | None = None,
    ) -> m.ErasureAccepted:
        body: dict[str, Any] = person_key(external_id, email, phone)
        if reason is not None:
            body["reason"] = reason
        return m.ErasureAccepted.model_validate(
            await self._client.call("POST", self.path, json=body)
        )

    async def erase_many(
        self, people: list[Mapping[str, str]], *, reason: str | None = None
    ) -> m.ErasureBatchAccepted:
        """Up to 10,000 people (each ``{"email": ...}``, ``{"phone": ...}`` or
        ``{"external_id": ...}``) in one request; each gets its own erasure and receipt."""
        body: dict[str, Any] = {"people": [dict(p) for p in people]}
        if reason is not None:
            body["reason"] = reason
        answer = await self._client.call("POST", f"{self.path}/batch", json=body)
        return m.ErasureBatchAccepted.model_validate(answer)

    async def erasure(self, erasure_id: object) -> m.ErasureRead:
        """The receipt."""
        return m.ErasureRead.model_validate(
            await self._client.call("GET", f"{self.path}/{erasure_id}")
        )

    async def erasures(self, *, page_size: int = 100) -> AsyncIterator[m.ErasureRead]:
        rows = self._client.paginate(self.path, pages("erasures"), {}, page_size=page_size)
        async for row in rows:
            yield m.ErasureRead.model_validate(row)

    async def wait(
        self,
        erasure_id: object,
        *,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        timeout: float | None = None,
    ) -> m.ErasureRead:
        """Poll the receipt until the erasure is ``completed`` or ``failed``."""
        body = await self._client.poll(
            f"{self.path}/{erasure_id}",
            done=lambda receipt: receipt["status"] in ("completed", "failed"),
            on_update=on_update,
            timeout=timeout,
        )
        return m.ErasureRead.model_validate(body)

    async def person(
        self,
        *,
        external_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> m.PersonRead:
        """Everything held about the person (a subject access request)."""
        params = person_key(external_id, email, phone)
        return m.PersonRead.model_validate(
            await self._client.call("GET", "/cdp/people", params=params)
        )

    async def lift_suppression(self, sha256: str) -> m.SuppressionLifted:
        answer = await self._client.call("DELETE", f"/cdp/suppressions/{sha256}")
        return m.SuppressionLifted.model_validate(answer)
