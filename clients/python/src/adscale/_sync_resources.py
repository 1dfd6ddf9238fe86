"""Typed methods for every resource of both APIs, on the sync client.

This file is generated: edit its async twin and run ``scripts/unasync.py``.
Bodies are the generated models or plain mappings (sent as they are); answers are parsed
into the generated models.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from adscale import models as m
from adscale._sync_transport import Transport
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
    def __init__(self, client: Transport) -> None:
        self._client = client


class Collection(Resource, Generic[ReadT]):
    """A list, a read, an update and a delete under one path."""

    path: str
    read: type[ReadT]
    style: Style = OFFSET

    def iter(self, *, page_size: int = 100, **filters: Any) -> Iterator[ReadT]:
        """Every item (all pages, ``page_size`` a request), filtered by the list's query."""
        items = self._client.paginate(self.path, self.style, filters, page_size=page_size)
        for item in items:
            yield self.read.model_validate(item)

    def list(self, **filters: Any) -> list[ReadT]:
        return [item for item in self.iter(**filters)]

    def get(self, id: object) -> ReadT:
        return self.read.model_validate(self._client.call("GET", f"{self.path}/{id}"))

    def update(self, id: object, body: Body) -> ReadT:
        answer = self._client.call("PATCH", f"{self.path}/{id}", json=dump(body))
        return self.read.model_validate(answer)

    def delete(self, id: object, **params: Any) -> Any:
        return self._client.call("DELETE", f"{self.path}/{id}", params=params)

    def _create(self, body: Body) -> Any:
        return self._client.call("POST", self.path, json=dump(body))


class Auth(Resource):
    def register(self, email: str, password: str) -> m.TokenPair:
        body = {"email": email, "password": password}
        return m.TokenPair.model_validate(self._client.call("POST", "/auth/register", json=body))

    def me(self) -> m.UserRead:
        return m.UserRead.model_validate(self._client.call("GET", "/auth/me"))

    def forgot_password(self, email: str) -> m.Accepted:
        answer = self._client.call("POST", "/auth/forgot-password", json={"email": email})
        return m.Accepted.model_validate(answer)

    def logout_all(self) -> None:
        """End every session of the user, on every device (this client's refresh token too)."""
        self._client.call("POST", "/auth/logout-all")

    def sessions(self) -> list[m.SessionRead]:
        """The user's open sign-in sessions (devices), the one active last first; ``current``
        marks this client's."""
        items = self._client.paginate("/auth/sessions", OFFSET, {}, page_size=100)
        return [m.SessionRead.model_validate(item) for item in items]

    def end_session(self, session_id: object) -> None:
        """Sign one session out: its refresh token and access tokens stop working at once."""
        self._client.call("DELETE", f"/auth/sessions/{session_id}")


class Accounts(Collection[m.AccountRead]):
    path, read = "/accounts", m.AccountRead

    def create(self, body: m.AccountCreate | Mapping[str, Any]) -> m.AccountRead:
        return m.AccountRead.model_validate(self._create(body))


class Campaigns(Collection[m.CampaignRead]):
    path, read = "/campaigns", m.CampaignRead

    def create(self, body: m.CampaignCreate | Mapping[str, Any]) -> m.CampaignRead:
        return m.CampaignRead.model_validate(self._create(body))


class AdGroups(Collection[m.AdGroupRead]):
    path, read = "/ad-groups", m.AdGroupRead

    def create(self, body: m.AdGroupCreate | Mapping[str, Any]) -> m.AdGroupRead:
        return m.AdGroupRead.model_validate(self._create(body))


class Creatives(Collection[m.CreativeRead]):
    path, read = "/creatives", m.CreativeRead

    def create(self, body: m.CreativeCreate | Mapping[str, Any]) -> m.CreativeRead:
        return m.CreativeRead.model_validate(self._create(body))

    def generate_copy(
        self, body: m.GenerateCopyRequest | Mapping[str, Any]
    ) -> m.GenerateCopyResponse:
        answer = self._client.call("POST", "/creatives/generate-copy", json=dump(body))
        return m.GenerateCopyResponse.model_validate(answer)


class Metrics(Resource):
    def overview(self, **dates: Any) -> m.CampaignsOverviewRead:
        answer = self._client.call("GET", "/metrics/overview", params=dates)
        return m.CampaignsOverviewRead.model_validate(answer)

    def campaign(self, campaign_id: object, **dates: Any) -> Iterator[m.DailyMetricRead]:
        """The campaign's daily rows (every page)."""
        url = f"/metrics/campaign/{campaign_id}"
        for row in self._client.paginate(url, OFFSET, dates):
            yield m.DailyMetricRead.model_validate(row)

    def daily(self, **dates: Any) -> Iterator[m.DailyMetricRead]:
        """Every campaign's rows summed per day, the days with any (every page)."""
        for row in self._client.paginate("/metrics/daily", OFFSET, dates):
            yield m.DailyMetricRead.model_validate(row)

    def campaigns(self, **dates: Any) -> Iterator[m.CampaignMetricsRead]:
        """Each campaign's totals over the dates, most spend first (every page)."""
        for row in self._client.paginate("/metrics/campaigns", OFFSET, dates):
            yield m.CampaignMetricsRead.model_validate(row)

    def refresh(self, campaign_id: object, **dates: Any) -> m.RefreshRead:
        url = f"/metrics/campaign/{campaign_id}/refresh"
        return m.RefreshRead.model_validate(self._client.call("POST", url, params=dates))


class Rules(Collection[m.RuleRead]):
    path, read = "/rules", m.RuleRead

    def create(self, body: m.RuleCreate | Mapping[str, Any]) -> m.RuleRead:
        return m.RuleRead.model_validate(self._create(body))

    def execute(self, rule_id: object, *, dry_run: bool = False) -> m.ExecuteResult:
        url = f"/rules/{rule_id}/execute"
        answer = self._client.call("POST", url, params={"dry_run": str(dry_run).lower()})
        return m.ExecuteResult.model_validate(answer)

    def executions(self, rule_id: object) -> Iterator[m.ExecutionRead]:
        for row in self._client.paginate(f"/rules/{rule_id}/executions", OFFSET):
            yield m.ExecutionRead.model_validate(row)

    def runs(self, rule_id: object) -> Iterator[m.RunRead]:
        """Every run of the rule, newest first (scheduled, manual, dry runs, undos)."""
        for row in self._client.paginate(f"/rules/{rule_id}/runs", OFFSET):
            yield m.RunRead.model_validate(row)

    def run(self, run_id: object) -> m.RunDetail:
        return m.RunDetail.model_validate(self._client.call("GET", f"/rule-runs/{run_id}"))

    def undo(self, run_id: object) -> m.UndoResult:
        answer = self._client.call("POST", f"/rule-runs/{run_id}/undo")
        return m.UndoResult.model_validate(answer)

    def backtest(self, rule_id: object, *, start_date: str, end_date: str) -> m.BacktestResult:
        body = {"start_date": start_date, "end_date": end_date}
        answer = self._client.call("POST", f"/rules/{rule_id}/backtest", json=body)
        return m.BacktestResult.model_validate(answer)


class Billing(Resource):
    def plans(self) -> list[m.PlanRead]:
        return [m.PlanRead.model_validate(p) for p in self._client.call("GET", "/billing/plans")]

    def checkout(self, plan: str) -> m.CheckoutRead:
        answer = self._client.call("POST", "/billing/checkout", json={"plan": plan})
        return m.CheckoutRead.model_validate(answer)

    def portal(self) -> m.PortalRead:
        return m.PortalRead.model_validate(self._client.call("POST", "/billing/portal"))

    def overview(self) -> m.OverviewRead:
        return m.OverviewRead.model_validate(self._client.call("GET", "/billing/overview"))

    def current(self) -> dict[str, Any] | None:
        answer: dict[str, Any] | None = self._client.call("GET", "/billing/current")
        return answer

    def usage(self) -> m.UsageRead:
        return m.UsageRead.model_validate(self._client.call("GET", "/usage"))


class ApiKeys(Collection[m.ApiKeyRead]):
    path, read = "/api-keys", m.ApiKeyRead

    def create(self, name: str) -> m.ApiKeyCreated:
        return m.ApiKeyCreated.model_validate(self._create({"name": name}))


class Segments(Collection[m.SegmentRead]):
    path, read, style = "/cdp/segments", m.SegmentRead, pages("segments")

    def create(self, body: m.SegmentCreate | Mapping[str, Any]) -> m.SegmentRead:
        return m.SegmentRead.model_validate(self._create(body))

    def detail(self, segment_id: object) -> m.SegmentDetail:
        answer = self._client.call("GET", f"{self.path}/{segment_id}")
        return m.SegmentDetail.model_validate(answer)

    def profiles(
        self, segment_id: object, *, q: str | None = None, page_size: int = 100
    ) -> Iterator[m.ProfileRead]:
        """The segment's people, last updated first, every page; ``q`` finds a person (an
        external id's start, an email or a phone)."""
        url = f"{self.path}/{segment_id}/profiles"
        query = {"q": q} if q else {}
        for row in self._client.paginate(url, pages("profiles"), query, page_size=page_size):
            yield m.ProfileRead.model_validate(row)

    def upsert_profiles(
        self, segment_id: object, profiles: list[Mapping[str, Any]]
    ) -> m.UpsertResult:
        url = f"{self.path}/{segment_id}/profiles"
        answer = self._client.call("POST", url, json={"profiles": [dict(p) for p in profiles]})
        return m.UpsertResult.model_validate(answer)

    def delete_profiles(self, segment_id: object, external_ids: list[str]) -> m.ProfilesDeleted:
        url = f"{self.path}/{segment_id}/profiles"
        answer = self._client.call("DELETE", url, json={"external_ids": external_ids})
        return m.ProfilesDeleted.model_validate(answer)

    def import_csv(
        self,
        segment_id: object,
        path: Path,
        *,
        mapping: Mapping[str, str] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> m.ImportResult:
        """Stream a CSV file into the segment; ``mapping`` (column → field, ``trait:<name>``
        or ``ignore``) overrides the detected columns; ``on_progress`` gets the bytes sent."""
        answer = self._upload(segment_id, path, mapping, False, on_progress)
        return m.ImportResult.model_validate(answer)

    def preview_csv(
        self,
        segment_id: object,
        path: Path,
        *,
        mapping: Mapping[str, str] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> m.ImportPreview:
        """The import's dry run: dialect, mapping per column, people found, coverage and
        invalid samples; nothing is written."""
        answer = self._upload(segment_id, path, mapping, True, on_progress)
        return m.ImportPreview.model_validate(answer)

    def _upload(
        self,
        segment_id: object,
        path: Path,
        mapping: Mapping[str, str] | None,
        dry_run: bool,
        on_progress: Callable[[int], None] | None,
    ) -> Any:
        url = f"{self.path}/{segment_id}/profiles/import"
        params = import_params(mapping, dry_run)
        return self._client.upload(url, Path(path), params=params, on_progress=on_progress)


class Platforms(Resource):
    def list(self) -> list[m.PlatformRead]:
        return m.PlatformsRead.model_validate(self._client.call("GET", f"{AS}/platforms")).platforms

    def connect(self, platform: str, redirect_uri: str | None = None) -> m.ConnectResponse:
        body = {"redirect_uri": redirect_uri} if redirect_uri else None
        answer = self._client.call("POST", f"{AS}/platforms/{platform}/connect", json=body)
        return m.ConnectResponse.model_validate(answer)

    def callback(self, platform: str, code: str, state: str) -> m.PlatformRead:
        url = f"{AS}/platforms/{platform}/callback"
        answer = self._client.call("POST", url, json={"code": code, "state": state})
        return m.PlatformRead.model_validate(answer)

    def disconnect(self, platform: str) -> m.DisconnectResponse:
        answer = self._client.call("DELETE", f"{AS}/platforms/{platform}")
        return m.DisconnectResponse.model_validate(answer)


class Audiences(Collection[m.AudienceRead]):
    path, read, style = f"{AS}/audiences", m.AudienceRead, pages("audiences")

    def create(self, body: m.AudienceCreate | Mapping[str, Any]) -> m.AudienceCreated:
        return m.AudienceCreated.model_validate(self._create(body))

    def detail(self, audience_id: object) -> m.AudienceDetail:
        answer = self._client.call("GET", f"{self.path}/{audience_id}")
        return m.AudienceDetail.model_validate(answer)

    def sync(self, audience_id: object, operation: str = "update") -> m.SyncTriggered:
        url = f"{self.path}/{audience_id}/sync"
        answer = self._client.call("POST", url, json={"operation": operation})
        return m.SyncTriggered.model_validate(answer)

    def history(self, audience_id: object, **params: Any) -> m.HistoryRead:
        url = f"{self.path}/{audience_id}/history"
        return m.HistoryRead.model_validate(self._client.call("GET", url, params=params))


class SyncJobs(Resource):
    def get(self, job_id: object) -> m.SyncJobRead:
        answer = self._client.call("GET", f"{AS}/sync-jobs/{job_id}")
        return m.SyncJobRead.model_validate(answer)

    def wait(
        self,
        job_id: object,
        *,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        timeout: float | None = None,
    ) -> m.SyncJobRead:
        """Poll the job until it has finished (completed, failed or cancelled)."""
        body = self._client.poll(
            f"{AS}/sync-jobs/{job_id}",
            done=lambda job: job["status"] in FINISHED,
            on_update=on_update,
            timeout=timeout,
        )
        return m.SyncJobRead.model_validate(body)


class Exports(Resource):
    def create(self, body: m.ExportCreate | Mapping[str, Any]) -> m.ExportAccepted:
        answer = self._client.call("POST", f"{AS}/audiences/export", json=dump(body))
        return m.ExportAccepted.model_validate(answer)

    def get(self, export_id: object) -> m.ExportRead:
        return m.ExportRead.model_validate(self._client.call("GET", f"{AS}/exports/{export_id}"))

    def wait(
        self,
        export_id: object,
        *,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        timeout: float | None = None,
    ) -> m.ExportRead:
        body = self._client.poll(
            f"{AS}/exports/{export_id}",
            done=lambda export: export["status"] not in ("pending", "processing"),
            on_update=on_update,
            timeout=timeout,
        )
        return m.ExportRead.model_validate(body)

    def download(
        self, export: m.ExportRead, dest: Path, *, on_progress: Callable[[int], None] | None = None
    ) -> int:
        """Stream a completed export's file to ``dest``; returns the bytes written."""
        if not export.download_url:
            raise ValueError(f"export {export.export_id} has no download link ({export.status})")
        return self._client.download(export.download_url, Path(dest), on_progress=on_progress)


class Webhooks(Collection[m.WebhookRead]):
    path, read, style = f"{AS}/webhooks", m.WebhookRead, pages("webhooks")

    def create(self, body: m.WebhookCreate | Mapping[str, Any]) -> m.WebhookCreated:
        return m.WebhookCreated.model_validate(self._create(body))

    def deliveries(self, webhook_id: object, **filters: Any) -> Iterator[m.DeliveryRead]:
        url = f"{self.path}/{webhook_id}/deliveries"
        for row in self._client.paginate(url, pages("deliveries"), filters):
            yield m.DeliveryRead.model_validate(row)

    def rotate_secret(self, webhook_id: object) -> m.SecretRotated:
        answer = self._client.call("POST", f"{self.path}/{webhook_id}/rotate-secret")
        return m.SecretRotated.model_validate(answer)

    def test(self, webhook_id: object, event: str | None = None) -> m.WebhookTestResult:
        body = {"event": event} if event else None
        answer = self._client.call("POST", f"{self.path}/{webhook_id}/test", json=body)
        return m.WebhookTestResult.model_validate(answer)


def person_key(external_id: str | None, email: str | None, phone: str | None) -> dict[str, str]:
    """The one identifier a privacy call names (the API refuses none or several: 422)."""
    given = {"external_id": external_id, "email": email, "phone": phone}
    return {k: v for k, v in given.items() if v is not None}


class Privacy(Resource):
    """Erasure (with receipts), the suppression list and subject access: ``/cdp/erasures``,
    ``/cdp/suppressions``, ``/cdp/people``."""

    path = "/cdp/erasures"

    def erase(
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
        return m.ErasureAccepted.model_validate(self._client.call("POST", self.path, json=body))

    def erase_many(
        self, people: list[Mapping[str, str]], *, reason: str | None = None
    ) -> m.ErasureBatchAccepted:
        """Up to 10,000 people (each ``{"email": ...}``, ``{"phone": ...}`` or
        ``{"external_id": ...}``) in one request; each gets its own erasure and receipt."""
        body: dict[str, Any] = {"people": [dict(p) for p in people]}
        if reason is not None:
            body["reason"] = reason
        answer = self._client.call("POST", f"{self.path}/batch", json=body)
        return m.ErasureBatchAccepted.model_validate(answer)

    def erasure(self, erasure_id: object) -> m.ErasureRead:
        """The receipt."""
        return m.ErasureRead.model_validate(self._client.call("GET", f"{self.path}/{erasure_id}"))

    def erasures(self, *, page_size: int = 100) -> Iterator[m.ErasureRead]:
        rows = self._client.paginate(self.path, pages("erasures"), {}, page_size=page_size)
        for row in rows:
            yield m.ErasureRead.model_validate(row)

    def wait(
        self,
        erasure_id: object,
        *,
        on_update: Callable[[dict[str, Any]], None] | None = None,
        timeout: float | None = None,
    ) -> m.ErasureRead:
        """Poll the receipt until the erasure is ``completed`` or ``failed``."""
        body = self._client.poll(
            f"{self.path}/{erasure_id}",
            done=lambda receipt: receipt["status"] in ("completed", "failed"),
            on_update=on_update,
            timeout=timeout,
        )
        return m.ErasureRead.model_validate(body)

    def person(
        self,
        *,
        external_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> m.PersonRead:
        """Everything held about the person (a subject access request)."""
        params = person_key(external_id, email, phone)
        return m.PersonRead.model_validate(self._client.call("GET", "/cdp/people", params=params))

    def lift_suppression(self, sha256: str) -> m.SuppressionLifted:
        answer = self._client.call("DELETE", f"/cdp/suppressions/{sha256}")
        return m.SuppressionLifted.model_validate(answer)
