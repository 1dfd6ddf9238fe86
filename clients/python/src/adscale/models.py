"""AdScale API models, generated from the gateway's merged OpenAPI: do not edit."""

from __future__ import annotations

# ruff: noqa: E501
# mypy: disable-error-code="assignment"
from datetime import date as date_aliased
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AnyUrl, AwareDatetime, BaseModel, ConfigDict, Field, RootModel


class Accepted(BaseModel):
    message: Annotated[str, Field(title="Message")]


class AccessToken(RootModel[str]):
    root: Annotated[str, Field(max_length=8192, title="Access Token")]


class AccountName(RootModel[str]):
    root: Annotated[str, Field(max_length=255, title="Account Name")]


class Platform(StrEnum):
    GOOGLE = "google"
    META = "meta"


class AccountCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    access_token: Annotated[AccessToken | None, Field(title="Access Token")] = None
    account_id_external: Annotated[
        str, Field(max_length=255, min_length=1, title="Account Id External")
    ]
    account_name: Annotated[AccountName | None, Field(title="Account Name")] = None
    platform: Annotated[Platform, Field(title="Platform")]
    time_zone: Annotated[
        str | None,
        Field(
            description="IANA time zone the account reports in; rule windows count its days",
            max_length=64,
            title="Time Zone",
        ),
    ] = "UTC"


class Status(StrEnum):
    ACTIVE = "active"
    DISCONNECTED = "disconnected"


class AccountRead(BaseModel):
    account_id_external: Annotated[str, Field(title="Account Id External")]
    account_name: Annotated[str | None, Field(title="Account Name")]
    connected_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Connected At")
    ]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    disconnected_reason: Annotated[str | None, Field(title="Disconnected Reason")]
    id: Annotated[UUID, Field(title="Id")]
    is_connected: Annotated[bool, Field(title="Is Connected")]
    metrics_synced_at: Annotated[AwareDatetime | None, Field(title="Metrics Synced At")]
    platform: Annotated[Platform, Field(title="Platform")]
    status: Annotated[Status, Field(title="Status")]
    time_zone: Annotated[str, Field(title="Time Zone")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class AccessToken1(RootModel[str]):
    root: Annotated[str, Field(max_length=8192, min_length=1, title="Access Token")]


class TimeZone(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="IANA time zone the account reports in; rule windows count its days",
            max_length=64,
            title="Time Zone",
        ),
    ]


class AccountUpdate(BaseModel):
    """
    House extension (``PATCH /accounts/{id}``): rename, or reconnect with a new token.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    access_token: Annotated[AccessToken1 | None, Field(title="Access Token")] = None
    account_name: Annotated[AccountName | None, Field(title="Account Name")] = None
    time_zone: Annotated[TimeZone | None, Field(title="Time Zone")] = None


class Amount(RootModel[float]):
    root: Annotated[
        float,
        Field(description="set_budget / set_bid: the new value", gt=0.0, title="Amount"),
    ]


class Max(RootModel[float]):
    root: Annotated[float, Field(description="Never go above this", gt=0.0, title="Max")]


class MaxChangePercent(RootModel[float]):
    root: Annotated[
        float,
        Field(
            description="Guard rail: one run never moves a budget or bid by more than this percent",
            gt=0.0,
            le=1000.0,
            title="Max Change Percent",
        ),
    ] = 100


class Min(RootModel[float]):
    root: Annotated[float, Field(description="Never go below this", gt=0.0, title="Min")]


class Percent(RootModel[float]):
    root: Annotated[
        float,
        Field(
            description="change_budget / change_bid: +20 raises by 20%, -20 lowers by 20%",
            ge=-99.0,
            le=1000.0,
            title="Percent",
        ),
    ]


class Type(StrEnum):
    PAUSE = "pause"
    UNPAUSE = "unpause"
    CHANGE_BUDGET = "change_budget"
    SET_BUDGET = "set_budget"
    CHANGE_BID = "change_bid"
    SET_BID = "set_bid"
    NOTIFY = "notify"


class ActionInput(BaseModel):
    """
    What a rule does to each object its filters match.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    amount: Annotated[
        Amount | str | None,
        Field(description="set_budget / set_bid: the new value", title="Amount"),
    ] = None
    max: Annotated[Max | str | None, Field(description="Never go above this", title="Max")] = None
    max_change_percent: Annotated[
        MaxChangePercent | str | None,
        Field(
            description="Guard rail: one run never moves a budget or bid by more than this percent",
            title="Max Change Percent",
            validate_default=True,
        ),
    ] = 100
    min: Annotated[Min | str | None, Field(description="Never go below this", title="Min")] = None
    percent: Annotated[
        Percent | str | None,
        Field(
            description="change_budget / change_bid: +20 raises by 20%, -20 lowers by 20%",
            title="Percent",
        ),
    ] = None
    type: Annotated[Type, Field(title="Type")]


class ActionOutput(BaseModel):
    """
    What a rule does to each object its filters match.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    amount: Annotated[
        str | None,
        Field(description="set_budget / set_bid: the new value", title="Amount"),
    ] = None
    max: Annotated[str | None, Field(description="Never go above this", title="Max")] = None
    max_change_percent: Annotated[
        float | None,
        Field(
            description="Guard rail: one run never moves a budget or bid by more than this percent",
            title="Max Change Percent",
        ),
    ] = 100
    min: Annotated[str | None, Field(description="Never go below this", title="Min")] = None
    percent: Annotated[
        float | None,
        Field(
            description="change_budget / change_bid: +20 raises by 20%, -20 lowers by 20%",
            title="Percent",
        ),
    ] = None
    type: Annotated[Type, Field(title="Type")]


class Action(StrEnum):
    PAUSE = "pause"
    UNPAUSE = "unpause"
    INCREASE_BUDGET = "increase_budget"
    DECREASE_BUDGET = "decrease_budget"
    INCREASE_BID = "increase_bid"
    DECREASE_BID = "decrease_bid"
    NOTIFY = "notify"


class ObjectType(StrEnum):
    CAMPAIGN = "campaign"
    AD_GROUP = "ad_group"


class Outcome(StrEnum):
    APPLIED = "applied"
    SKIPPED = "skipped"


class PlatformStatus(StrEnum):
    NOT_APPLICABLE = "not_applicable"
    PENDING = "pending"
    PUSHING = "pushing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ActionRead(BaseModel):
    action: Annotated[Action, Field(title="Action")]
    ad_group_id: Annotated[UUID | None, Field(title="Ad Group Id")]
    ad_group_name: Annotated[str | None, Field(title="Ad Group Name")]
    campaign_id: Annotated[UUID | None, Field(title="Campaign Id")]
    campaign_name: Annotated[str, Field(title="Campaign Name")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    description: Annotated[str, Field(title="Description")]
    id: Annotated[UUID, Field(title="Id")]
    metric_value: Annotated[float | None, Field(title="Metric Value")]
    new_value: Annotated[str | None, Field(title="New Value")]
    object_type: Annotated[ObjectType, Field(title="Object Type")]
    old_value: Annotated[str | None, Field(title="Old Value")]
    outcome: Annotated[Outcome, Field(title="Outcome")]
    platform_error: Annotated[str | None, Field(title="Platform Error")]
    platform_pushed_at: Annotated[AwareDatetime | None, Field(title="Platform Pushed At")]
    platform_status: Annotated[PlatformStatus, Field(title="Platform Status")]
    reason: Annotated[str, Field(title="Reason")]


class AdAccountRead(BaseModel):
    connected_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Connected At")
    ]
    currency: Annotated[str | None, Field(title="Currency")] = None
    id: Annotated[str, Field(title="Id")]
    name: Annotated[str, Field(title="Name")]


class BidAmount(RootModel[float]):
    root: Annotated[float, Field(gt=0.0, title="Bid Amount")]


class BidStrategy(StrEnum):
    AUTO_CPC = "auto_cpc"
    MANUAL_CPC = "manual_cpc"
    TARGET_ROAS = "target_roas"


class Status1(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class Name(RootModel[str]):
    root: Annotated[str, Field(max_length=255, min_length=1, title="Name")]


class Allowance(BaseModel):
    limit: Annotated[
        int | None,
        Field(description="The plan's limit; null means unlimited", title="Limit"),
    ]
    remaining: Annotated[
        int | None,
        Field(description="How many more fit; null means unlimited", title="Remaining"),
    ]
    used: Annotated[int, Field(title="Used")]


class ApiKeyCreate(BaseModel):
    name: Annotated[str, Field(max_length=100, min_length=1, title="Name")]


class ApiKeyCreated(BaseModel):
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    id: Annotated[UUID, Field(title="Id")]
    key: Annotated[
        str,
        Field(
            description="The raw key. Shown only in this response: store it now.",
            title="Key",
        ),
    ]
    name: Annotated[str, Field(title="Name")]
    prefix: Annotated[str, Field(title="Prefix")]


class ApiKeyRead(BaseModel):
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    id: Annotated[UUID, Field(title="Id")]
    last_used_at: Annotated[AwareDatetime | None, Field(title="Last Used At")]
    name: Annotated[str, Field(title="Name")]
    prefix: Annotated[
        str,
        Field(description="The key's first characters, to recognise it", title="Prefix"),
    ]


class Outcome1(StrEnum):
    OK = "ok"
    ERROR = "error"


class Attempt(BaseModel):
    at: Annotated[str, Field(title="At")]
    attempt: Annotated[int, Field(title="Attempt")]
    outcome: Annotated[Outcome1, Field(title="Outcome")]
    platform_answer: Annotated[
        dict[str, Any],
        Field(
            description="The platform's own answer: rows received / invalid and requests made, or its error code, message and Retry-After",
            title="Platform Answer",
        ),
    ]


class Description(RootModel[str]):
    root: Annotated[str, Field(max_length=2000, title="Description")]


class Platform2(StrEnum):
    META = "meta"
    GOOGLE = "google"
    TIKTOK = "tiktok"
    SNAPCHAT = "snapchat"


class AudienceCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    ad_account_id: Annotated[str, Field(max_length=128, min_length=1, title="Ad Account Id")]
    additive_only: Annotated[bool | None, Field(title="Additive Only")] = False
    audience_name: Annotated[str, Field(max_length=255, min_length=1, title="Audience Name")]
    auto_sync: Annotated[bool | None, Field(title="Auto Sync")] = True
    description: Annotated[Description | None, Field(title="Description")] = None
    limited_data_use: Annotated[
        bool | None,
        Field(
            description='Meta only: every row carries Limited Data Use (data_processing_options ["LDU"], country and state 0: Meta geolocates)',
            examples=[True],
            title="Limited Data Use",
        ),
    ] = False
    platform: Annotated[Platform2, Field(title="Platform")]
    segment_id: Annotated[UUID, Field(title="Segment Id")]
    sync_interval_hours: Annotated[int | None, Field(ge=1, le=720, title="Sync Interval Hours")] = (
        24
    )


class AudienceDeleted(BaseModel):
    audience_id: Annotated[UUID, Field(title="Audience Id")]
    deleted: Annotated[bool, Field(title="Deleted")]
    platform_audience_deleted: Annotated[bool, Field(title="Platform Audience Deleted")]


class LastSyncStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class AudienceRead(BaseModel):
    """
    ``PlatformAudience``, plus ``additive_only`` (no removals are sent),
    ``limited_data_use`` (Meta rows carry Limited Data Use) and ``identifier_fields`` (the
    identifier fields each profile's row carries).
    """

    ad_account_id: Annotated[str, Field(title="Ad Account Id")]
    additive_only: Annotated[bool, Field(title="Additive Only")]
    auto_sync: Annotated[bool, Field(title="Auto Sync")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    description: Annotated[str | None, Field(title="Description")]
    id: Annotated[UUID, Field(title="Id")]
    identifier_fields: Annotated[list[str], Field(title="Identifier Fields")]
    is_active: Annotated[bool, Field(title="Is Active")]
    last_sync_at: Annotated[AwareDatetime | None, Field(title="Last Sync At")]
    last_sync_status: Annotated[LastSyncStatus | None, Field(title="Last Sync Status")]
    limited_data_use: Annotated[bool, Field(title="Limited Data Use")]
    match_rate: Annotated[float | None, Field(title="Match Rate")]
    matched_size: Annotated[int | None, Field(title="Matched Size")]
    next_sync_at: Annotated[AwareDatetime | None, Field(title="Next Sync At")]
    platform: Annotated[Platform2, Field(title="Platform")]
    platform_audience_id: Annotated[str | None, Field(title="Platform Audience Id")]
    platform_audience_name: Annotated[str, Field(title="Platform Audience Name")]
    platform_size: Annotated[int | None, Field(title="Platform Size")]
    segment_id: Annotated[UUID, Field(title="Segment Id")]
    segment_name: Annotated[str, Field(title="Segment Name")]
    sync_interval_hours: Annotated[int, Field(title="Sync Interval Hours")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class SyncIntervalHours(RootModel[int]):
    root: Annotated[int, Field(ge=1, le=720, title="Sync Interval Hours")]


class AudienceUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    additive_only: Annotated[bool | None, Field(title="Additive Only")] = None
    auto_sync: Annotated[bool | None, Field(title="Auto Sync")] = None
    is_active: Annotated[bool | None, Field(title="Is Active")] = None
    limited_data_use: Annotated[
        bool | None,
        Field(
            description="Meta Limited Data Use for every row",
            examples=[True],
            title="Limited Data Use",
        ),
    ] = None
    sync_interval_hours: Annotated[SyncIntervalHours | None, Field(title="Sync Interval Hours")] = (
        None
    )


class BacktestAction(BaseModel):
    action: Annotated[Action, Field(title="Action")]
    ad_group_id: Annotated[UUID | None, Field(title="Ad Group Id")]
    campaign_id: Annotated[UUID, Field(title="Campaign Id")]
    description: Annotated[str, Field(title="Description")]
    name: Annotated[str, Field(title="Name")]
    new_value: Annotated[str | None, Field(title="New Value")]
    object_type: Annotated[ObjectType, Field(title="Object Type")]
    old_value: Annotated[str | None, Field(title="Old Value")]
    revenue: Annotated[str, Field(title="Revenue")]
    spend: Annotated[str, Field(title="Spend")]


class BacktestDay(BaseModel):
    actions: Annotated[list[BacktestAction], Field(title="Actions")]
    date: Annotated[date_aliased, Field(title="Date")]
    objects_evaluated: Annotated[int, Field(title="Objects Evaluated")]
    roas_touched: Annotated[
        float | None,
        Field(description="Their revenue / spend that day", title="Roas Touched"),
    ]
    spend_touched: Annotated[
        str,
        Field(
            description="That day's spend of the objects acted on",
            title="Spend Touched",
        ),
    ]


class BacktestRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    end_date: Annotated[date_aliased, Field(title="End Date")]
    start_date: Annotated[date_aliased, Field(title="Start Date")]


class BacktestResult(BaseModel):
    actions_total: Annotated[int, Field(title="Actions Total")]
    days: Annotated[list[BacktestDay], Field(title="Days")]
    end_date: Annotated[date_aliased, Field(title="End Date")]
    roas_touched: Annotated[float | None, Field(title="Roas Touched")]
    rule_id: Annotated[UUID, Field(title="Rule Id")]
    spend_touched: Annotated[str, Field(title="Spend Touched")]
    start_date: Annotated[date_aliased, Field(title="Start Date")]


class CallbackRequest(BaseModel):
    code: Annotated[str, Field(max_length=4096, min_length=1, title="Code")]
    state: Annotated[str, Field(max_length=512, min_length=1, title="State")]


class BudgetDaily(RootModel[float]):
    root: Annotated[float, Field(gt=0.0, title="Budget Daily")]


class BudgetLifetime(RootModel[float]):
    root: Annotated[float, Field(gt=0.0, title="Budget Lifetime")]


class ExternalCampaignId(RootModel[str]):
    root: Annotated[
        str,
        Field(
            max_length=64,
            min_length=1,
            pattern="^[A-Za-z0-9_\\-]+$",
            title="External Campaign Id",
        ),
    ]


class Objective(StrEnum):
    SALES = "sales"
    TRAFFIC = "traffic"
    AWARENESS = "awareness"
    LEADS = "leads"
    APP_INSTALLS = "app_installs"


class Status4(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"


class CampaignCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    ad_account_id: Annotated[UUID, Field(title="Ad Account Id")]
    budget_daily: Annotated[BudgetDaily | str | None, Field(title="Budget Daily")] = None
    budget_lifetime: Annotated[BudgetLifetime | str | None, Field(title="Budget Lifetime")] = None
    end_date: Annotated[date_aliased | None, Field(title="End Date")] = None
    external_campaign_id: Annotated[
        ExternalCampaignId | None, Field(title="External Campaign Id")
    ] = None
    name: Annotated[str, Field(max_length=255, min_length=1, title="Name")]
    objective: Annotated[Objective, Field(title="Objective")]
    start_date: Annotated[date_aliased | None, Field(title="Start Date")] = None
    status: Annotated[Status4 | None, Field(title="Status")] = Status4.DRAFT


class Platform5(StrEnum):
    GOOGLE = "google"
    META = "meta"


class CampaignMetricsRead(BaseModel):
    """
    House extension: one campaign's sums over a range, with ratios from the sums.
    """

    campaign_id: Annotated[UUID, Field(title="Campaign Id")]
    clicks: Annotated[int, Field(title="Clicks")]
    conversions: Annotated[float, Field(title="Conversions")]
    cpa: Annotated[
        str | None,
        Field(description="spend / conversions; null when conversions are 0", title="Cpa"),
    ]
    ctr: Annotated[
        float | None,
        Field(
            description="clicks / impressions (a fraction); null when impressions are 0",
            title="Ctr",
        ),
    ]
    impressions: Annotated[int, Field(title="Impressions")]
    name: Annotated[str, Field(title="Name")]
    platform: Annotated[Platform5, Field(title="Platform")]
    revenue: Annotated[str, Field(title="Revenue")]
    roas: Annotated[
        float | None,
        Field(description="revenue / spend; null when spend is 0", title="Roas"),
    ]
    spend: Annotated[str, Field(title="Spend")]
    status: Annotated[Status4, Field(title="Status")]


class CampaignRead(BaseModel):
    ad_account_id: Annotated[UUID, Field(title="Ad Account Id")]
    budget_daily: Annotated[str | None, Field(title="Budget Daily")]
    budget_lifetime: Annotated[str | None, Field(title="Budget Lifetime")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    end_date: Annotated[date_aliased | None, Field(title="End Date")]
    external_campaign_id: Annotated[str | None, Field(title="External Campaign Id")]
    id: Annotated[UUID, Field(title="Id")]
    name: Annotated[str, Field(title="Name")]
    objective: Annotated[Objective, Field(title="Objective")]
    platform: Annotated[Platform5, Field(title="Platform")]
    start_date: Annotated[date_aliased | None, Field(title="Start Date")]
    status: Annotated[Status4, Field(title="Status")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class CampaignUpdate(BaseModel):
    """
    Partial update; ``null`` clears a budget, a date or the external id.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    budget_daily: Annotated[BudgetDaily | str | None, Field(title="Budget Daily")] = None
    budget_lifetime: Annotated[BudgetLifetime | str | None, Field(title="Budget Lifetime")] = None
    end_date: Annotated[date_aliased | None, Field(title="End Date")] = None
    external_campaign_id: Annotated[
        ExternalCampaignId | None, Field(title="External Campaign Id")
    ] = None
    name: Annotated[Name | None, Field(title="Name")] = None
    objective: Annotated[Objective | None, Field(title="Objective")] = None
    start_date: Annotated[date_aliased | None, Field(title="Start Date")] = None
    status: Annotated[Status4 | None, Field(title="Status")] = None


class ChangePasswordRequest(BaseModel):
    current_password: Annotated[str, Field(max_length=1024, title="Current Password")]
    new_password: Annotated[str, Field(max_length=1024, min_length=8, title="New Password")]


class Plan(StrEnum):
    """
    The plan to subscribe to: pro or enterprise
    """

    FREE = "free"
    PRO = "pro"
    ENTERPRISE = "enterprise"


class CheckoutCreate(BaseModel):
    plan: Annotated[
        Plan,
        Field(description="The plan to subscribe to: pro or enterprise", title="Plan"),
    ]


class CheckoutRead(BaseModel):
    session_id: Annotated[str, Field(description="Stripe Checkout Session id", title="Session Id")]
    url: Annotated[str, Field(description="Where to send the customer to pay", title="Url")]


class DecidedBy(StrEnum):
    """
    `mapping`: the request's mapping; `exact`: the header is the field's name; `alias`: a header known from an export (Shopify, Mailchimp, HubSpot, Klaviyo, Salesforce, Meta's or Google's template); `unknown`: kept as a string trait; `empty header`: an unnamed column, ignored
    """

    MAPPING = "mapping"
    EXACT = "exact"
    ALIAS = "alias"
    UNKNOWN = "unknown"
    EMPTY_HEADER = "empty header"


class ColumnDecision(BaseModel):
    """
    What one header column holds and how that was decided.
    """

    decided_by: Annotated[
        DecidedBy,
        Field(
            description="`mapping`: the request's mapping; `exact`: the header is the field's name; `alias`: a header known from an export (Shopify, Mailchimp, HubSpot, Klaviyo, Salesforce, Meta's or Google's template); `unknown`: kept as a string trait; `empty header`: an unnamed column, ignored",
            title="Decided By",
        ),
    ]
    header: Annotated[str, Field(title="Header")]
    position: Annotated[int, Field(description="1-based column number", title="Position")]
    target: Annotated[
        str,
        Field(
            description="a profile field (`external_id`, `email`, `phone`, `first_name`, `last_name`, `city`, `state`, `zip`, `country`, `madid`), `traits` (a JSON object column), `trait:<name>` or `ignore`",
            title="Target",
        ),
    ]


class RedirectUri(RootModel[str]):
    root: Annotated[str, Field(max_length=2000, title="Redirect Uri")]


class ConnectRequest(BaseModel):
    """
    Optional: where the platform sends the user back (default
    ``AUDIENCE_SYNC_OAUTH_REDIRECT_URI``, else ``PLATFORMS_REDIRECT_URI``).
    """

    redirect_uri: Annotated[RedirectUri | None, Field(title="Redirect Uri")] = None


class ConnectResponse(BaseModel):
    authorization_url: Annotated[str, Field(title="Authorization Url")]
    expires_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Expires At")
    ]
    state: Annotated[str, Field(title="State")]


class AdPersonalization(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    UNSPECIFIED = "unspecified"


class AdUserData(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    UNSPECIFIED = "unspecified"


class Consent(BaseModel):
    ad_personalization: Annotated[AdPersonalization, Field(title="Ad Personalization")]
    ad_user_data: Annotated[AdUserData, Field(title="Ad User Data")]


class CallToAction(RootModel[str]):
    root: Annotated[str, Field(max_length=30, min_length=1, title="Call To Action")]


class Status8(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class CreativeCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    ad_group_id: Annotated[UUID, Field(title="Ad Group Id")]
    call_to_action: Annotated[CallToAction | None, Field(title="Call To Action")] = None
    description: Annotated[str, Field(max_length=2000, min_length=1, title="Description")]
    destination_url: Annotated[
        AnyUrl,
        Field(
            description="An http or https URL, without whitespace",
            examples=["https://example.com/path"],
            title="Destination Url",
        ),
    ]
    headline: Annotated[str, Field(max_length=2000, min_length=1, title="Headline")]
    status: Annotated[Status8 | None, Field(title="Status")] = Status8.ACTIVE


class CreativeRead(BaseModel):
    ad_group_id: Annotated[UUID, Field(title="Ad Group Id")]
    call_to_action: Annotated[str | None, Field(title="Call To Action")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    description: Annotated[str, Field(title="Description")]
    destination_url: Annotated[str, Field(title="Destination Url")]
    headline: Annotated[str, Field(title="Headline")]
    id: Annotated[UUID, Field(title="Id")]
    status: Annotated[Status8, Field(title="Status")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class Description1(RootModel[str]):
    root: Annotated[str, Field(max_length=2000, min_length=1, title="Description")]


class DestinationUrl(RootModel[AnyUrl]):
    root: Annotated[
        AnyUrl,
        Field(
            description="An http or https URL, without whitespace",
            examples=["https://example.com/path"],
            title="Destination Url",
        ),
    ]


class Headline(RootModel[str]):
    root: Annotated[str, Field(max_length=2000, min_length=1, title="Headline")]


class CreativeUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    call_to_action: Annotated[CallToAction | None, Field(title="Call To Action")] = None
    description: Annotated[Description1 | None, Field(title="Description")] = None
    destination_url: Annotated[DestinationUrl | None, Field(title="Destination Url")] = None
    headline: Annotated[Headline | None, Field(title="Headline")] = None
    status: Annotated[Status8 | None, Field(title="Status")] = None


class DailyMetricRead(BaseModel):
    clicks: Annotated[int, Field(title="Clicks")]
    conversions: Annotated[float, Field(title="Conversions")]
    cpa: Annotated[str | None, Field(title="Cpa")]
    ctr: Annotated[float | None, Field(title="Ctr")]
    date: Annotated[date_aliased, Field(title="Date")]
    impressions: Annotated[int, Field(title="Impressions")]
    revenue: Annotated[str, Field(title="Revenue")]
    roas: Annotated[float | None, Field(title="Roas")]
    spend: Annotated[str, Field(title="Spend")]


class Deleted(BaseModel):
    audience_members: Annotated[int, Field(title="Audience Members")]
    digests: Annotated[int, Field(title="Digests")]
    exports_revoked: Annotated[int, Field(title="Exports Revoked")]
    profiles: Annotated[int, Field(title="Profiles")]


class DeliveryAttemptRead(BaseModel):
    attempt: Annotated[int, Field(title="Attempt")]
    attempted_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Attempted At")
    ]
    error: Annotated[str | None, Field(title="Error")]
    latency_ms: Annotated[int | None, Field(title="Latency Ms")]
    response_code: Annotated[int | None, Field(title="Response Code")]
    success: Annotated[bool, Field(title="Success")]


class Status11(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DeliveryRead(BaseModel):
    attempt: Annotated[int, Field(description="Attempts made so far", title="Attempt")]
    attempts: Annotated[list[DeliveryAttemptRead], Field(title="Attempts")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    delivered_at: Annotated[AwareDatetime | None, Field(title="Delivered At")]
    error: Annotated[str | None, Field(title="Error")]
    event: Annotated[str, Field(title="Event")]
    event_id: Annotated[UUID | None, Field(title="Event Id")]
    id: Annotated[
        UUID,
        Field(description="Also the webhook-id header of every attempt", title="Id"),
    ]
    last_attempt_at: Annotated[AwareDatetime | None, Field(title="Last Attempt At")]
    latency_ms: Annotated[
        int | None,
        Field(description="Duration of the last attempt", title="Latency Ms"),
    ]
    next_retry_at: Annotated[AwareDatetime | None, Field(title="Next Retry At")]
    response_code: Annotated[
        int | None,
        Field(description="HTTP status of the last attempt", title="Response Code"),
    ]
    status: Annotated[Status11, Field(title="Status")]
    test: Annotated[bool, Field(title="Test")]


class DevCheckoutPaid(BaseModel):
    event_id: Annotated[
        str,
        Field(
            description="The checkout.session.completed event billing received",
            title="Event Id",
        ),
    ]
    success_url: Annotated[
        str,
        Field(
            description="The app's success page, as Stripe returns to it",
            title="Success Url",
        ),
    ]


class DevCheckoutPay(BaseModel):
    token: Annotated[
        str,
        Field(description="The link's token", max_length=2000, min_length=1, title="Token"),
    ]


class Plan1(StrEnum):
    FREE = "free"
    PRO = "pro"
    ENTERPRISE = "enterprise"


class DevCheckoutRead(BaseModel):
    cancel_url: Annotated[
        str,
        Field(
            description="Where 'Back' returns (the app's cancel page)",
            title="Cancel Url",
        ),
    ]
    currency: Annotated[str, Field(title="Currency")]
    interval: Annotated[str, Field(title="Interval")]
    plan: Annotated[Plan1, Field(title="Plan")]
    plan_name: Annotated[str, Field(title="Plan Name")]
    price: Annotated[
        str,
        Field(description="USD per month, as the plan's Stripe price", title="Price"),
    ]
    session_id: Annotated[
        str,
        Field(description="The Checkout Session stripe-mock answered", title="Session Id"),
    ]


class CompressionEnum(StrEnum):
    """
    from `Content-Encoding`
    """

    GZIP = "gzip"


class Compression(RootModel[CompressionEnum | None]):
    root: Annotated[
        CompressionEnum | None,
        Field(description="from `Content-Encoding`", title="Compression"),
    ] = None


class Delimiter(StrEnum):
    """
    sniffed from the header
    """

    FIELD_ = ","
    field__1 = ";"
    field__2 = "\t"
    field__3 = "|"


class DelimiterName(StrEnum):
    COMMA = "comma"
    SEMICOLON = "semicolon"
    TAB = "tab"
    PIPE = "pipe"


class LineEnding(StrEnum):
    """
    the header's line ending
    """

    LF = "LF"
    CRLF = "CRLF"
    CR = "CR"


class DialectRead(BaseModel):
    """
    How the file was read.
    """

    bom: Annotated[
        bool,
        Field(
            description="the file starts with a UTF-8 byte-order mark (dropped)",
            title="Bom",
        ),
    ]
    compression: Annotated[
        Compression | None,
        Field(description="from `Content-Encoding`", title="Compression"),
    ]
    delimiter: Annotated[Delimiter, Field(description="sniffed from the header", title="Delimiter")]
    delimiter_name: Annotated[DelimiterName, Field(title="Delimiter Name")]
    encoding: Annotated[Literal["UTF-8"], Field(title="Encoding")]
    line_ending: Annotated[
        LineEnding, Field(description="the header's line ending", title="Line Ending")
    ]
    skipped_lines: Annotated[
        int,
        Field(description="`#` comment lines above the header", title="Skipped Lines"),
    ]


class Platform7(StrEnum):
    META = "meta"
    GOOGLE = "google"
    TIKTOK = "tiktok"
    SNAPCHAT = "snapchat"


class DisconnectResponse(BaseModel):
    ad_accounts_removed: Annotated[int, Field(title="Ad Accounts Removed")]
    disconnected: Annotated[bool, Field(title="Disconnected")]
    platform: Annotated[Platform7, Field(title="Platform")]


class Status12(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ErasureAccepted(BaseModel):
    created: Annotated[
        bool,
        Field(
            description="false when the same request was already received",
            title="Created",
        ),
    ]
    erasure_id: Annotated[UUID, Field(title="Erasure Id")]
    requested_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Requested At")
    ]
    status: Annotated[Status12, Field(title="Status")]


class ErasureBatchAccepted(BaseModel):
    created: Annotated[int, Field(description="Erasures queued by this request", title="Created")]
    erasures: Annotated[
        list[ErasureAccepted],
        Field(
            description="One per item of ``people``, in the same order (the same person twice gets the same erasure)",
            title="Erasures",
        ),
    ]
    existing: Annotated[
        int,
        Field(
            description="Items answered by an erasure already received",
            title="Existing",
        ),
    ]


class Reason(RootModel[str]):
    root: Annotated[str, Field(max_length=500, title="Reason")]


class Email(RootModel[str]):
    root: Annotated[str, Field(max_length=320, title="Email")]


class ExternalId(RootModel[str]):
    root: Annotated[str, Field(max_length=255, min_length=1, title="External Id")]


class Phone(RootModel[str]):
    root: Annotated[str, Field(max_length=64, title="Phone")]


class ErasureCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    email: Annotated[Email | None, Field(title="Email")] = None
    external_id: Annotated[ExternalId | None, Field(title="External Id")] = None
    phone: Annotated[Phone | None, Field(title="Phone")] = None
    reason: Annotated[Reason | None, Field(title="Reason")] = None


class ErrorBody(BaseModel):
    code: Annotated[
        str,
        Field(
            description="Stable and machine-readable, e.g. `SEGMENT_NOT_FOUND`",
            title="Code",
        ),
    ]
    details: Annotated[
        dict[str, Any],
        Field(description="More about it (`errors` for a 422), or {}", title="Details"),
    ]
    message: Annotated[str, Field(description="What went wrong, for a person", title="Message")]


class ErrorDetail(BaseModel):
    """
    An AdScale operation's error.
    """

    detail: Annotated[str, Field(description="What went wrong, for a person", title="Detail")]


class ErrorEnvelope(BaseModel):
    """
    An audience-sync (`/api/v1/cdp`) operation's error.
    """

    error: ErrorBody


class EstimatedChanges(BaseModel):
    exact: Annotated[
        bool | None,
        Field(
            description="false when too many profiles were unhashed to diff them in the request",
            title="Exact",
        ),
    ] = True
    to_add: Annotated[int, Field(title="To Add")]
    to_remove: Annotated[int, Field(title="To Remove")]


class ExecuteResult(BaseModel):
    actions_taken: Annotated[list[str], Field(title="Actions Taken")]
    campaigns_affected: Annotated[int, Field(title="Campaigns Affected")]
    campaigns_evaluated: Annotated[int, Field(title="Campaigns Evaluated")]
    dry_run: Annotated[bool, Field(title="Dry Run")]
    execution_id: Annotated[UUID | None, Field(title="Execution Id")]
    rule_id: Annotated[UUID, Field(title="Rule Id")]
    window_end: Annotated[date_aliased, Field(title="Window End")]
    window_start: Annotated[date_aliased, Field(title="Window Start")]


class Trigger(StrEnum):
    MANUAL = "manual"
    SCHEDULE = "schedule"
    EVENT = "event"
    UNDO = "undo"


class ExecutionRead(BaseModel):
    actions: Annotated[list[ActionRead], Field(title="Actions")]
    campaigns_affected: Annotated[int, Field(title="Campaigns Affected")]
    campaigns_evaluated: Annotated[int, Field(title="Campaigns Evaluated")]
    finished_at: Annotated[AwareDatetime | None, Field(title="Finished At")]
    id: Annotated[UUID, Field(title="Id")]
    rule_id: Annotated[UUID, Field(title="Rule Id")]
    started_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Started At")
    ]
    trigger: Annotated[Trigger, Field(title="Trigger")]
    window_end: Annotated[date_aliased, Field(title="Window End")]
    window_start: Annotated[date_aliased, Field(title="Window Start")]


class ExportAccepted(BaseModel):
    export_id: Annotated[UUID, Field(title="Export Id")]
    profile_count: Annotated[int, Field(title="Profile Count")]
    segment_id: Annotated[UUID, Field(title="Segment Id")]
    status: Annotated[Literal["processing"], Field(title="Status")]


class Format(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


class ExportError(BaseModel):
    code: Annotated[str, Field(title="Code")]
    message: Annotated[str, Field(title="Message")]


class IdentifierType(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    CITY = "city"
    STATE = "state"
    ZIP = "zip"
    COUNTRY = "country"
    MADID = "madid"
    EXTERNAL_ID = "external_id"


class Platform8(StrEnum):
    """
    Whose normalisation rules apply when hashing.
    """

    META = "meta"
    GOOGLE = "google"
    TIKTOK = "tiktok"
    SNAPCHAT = "snapchat"


class ExportOptions(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    hash_identifiers: Annotated[
        bool | None,
        Field(
            description="SHA-256 of each value normalised by the platform's rules (fields the platform takes unhashed are written normalised, in clear).",
            title="Hash Identifiers",
        ),
    ] = True
    identifier_types: Annotated[
        list[IdentifierType] | None,
        Field(
            description="Identifier columns, in this order (default: all ten).",
            max_length=10,
            min_length=1,
            title="Identifier Types",
        ),
    ] = None
    include_events: Annotated[
        bool | None,
        Field(
            description="Always refused: AdScale holds profiles and traits, not behavioural events.",
            title="Include Events",
        ),
    ] = False
    include_traits: Annotated[bool | None, Field(title="Include Traits")] = False
    platform: Annotated[
        Platform8 | None,
        Field(
            description="Whose normalisation rules apply when hashing.",
            title="Platform",
        ),
    ] = Platform8.META


class Status14(StrEnum):
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class ExportRead(BaseModel):
    completed_at: Annotated[AwareDatetime | None, Field(title="Completed At")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    download_url: Annotated[
        str | None,
        Field(
            description="Signed link, no login needed; null until completed and after expiry.",
            title="Download Url",
        ),
    ]
    error: ExportError | None = None
    expires_at: Annotated[AwareDatetime | None, Field(title="Expires At")]
    export_id: Annotated[UUID, Field(title="Export Id")]
    file_size_bytes: Annotated[int | None, Field(title="File Size Bytes")]
    format: Annotated[Format, Field(title="Format")]
    profile_count: Annotated[int, Field(title="Profile Count")]
    segment_id: Annotated[UUID | None, Field(title="Segment Id")]
    status: Annotated[Status14, Field(title="Status")]


class FieldCounts(BaseModel):
    invalid: Annotated[int, Field(title="Invalid")]
    sent: Annotated[int, Field(title="Sent")]


class Metric(StrEnum):
    SPEND = "spend"
    REVENUE = "revenue"
    IMPRESSIONS = "impressions"
    CLICKS = "clicks"
    CONVERSIONS = "conversions"
    ROAS = "roas"
    CTR = "ctr"
    CPC = "cpc"
    CPA = "cpa"
    DAILY_BUDGET = "daily_budget"
    AGE_DAYS = "age_days"
    AUDIENCE_FAILED = "audience_failed"
    AUDIENCE_SIZE = "audience_size"
    AUDIENCE_MATCH_RATE = "audience_match_rate"


class Operator(StrEnum):
    FIELD_ = ">"
    FIELD__ = ">="
    field__1 = "<"
    field___1 = "<="
    BETWEEN = "between"
    NOT_BETWEEN = "not_between"


class FilterInput(BaseModel):
    """
    One condition: ``metric operator value`` over ``window``.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    metric: Annotated[Metric, Field(title="Metric")]
    operator: Annotated[Operator, Field(title="Operator")]
    value: Annotated[
        float | str | list[float | str],
        Field(
            description="A number; for between / not_between a [low, high] pair (inclusive)",
            title="Value",
        ),
    ]
    window: Annotated[
        str | None,
        Field(
            description="today, yesterday, last_N_days (1..90, ending today), lifetime",
            title="Window",
        ),
    ] = "last_7_days"


class FilterOutput(BaseModel):
    """
    One condition: ``metric operator value`` over ``window``.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    metric: Annotated[Metric, Field(title="Metric")]
    operator: Annotated[Operator, Field(title="Operator")]
    value: Annotated[
        float | list[float],
        Field(
            description="A number; for between / not_between a [low, high] pair (inclusive)",
            title="Value",
        ),
    ]
    window: Annotated[
        str | None,
        Field(
            description="today, yesterday, last_N_days (1..90, ending today), lifetime",
            title="Window",
        ),
    ] = "last_7_days"


class Group(StrEnum):
    ALL = "all"
    ANY = "any"


class FilterVerdict(BaseModel):
    group: Annotated[Group, Field(title="Group")]
    held: Annotated[bool, Field(title="Held")]
    metric: Annotated[str, Field(title="Metric")]
    operator: Annotated[str, Field(title="Operator")]
    seen: Annotated[str | None, Field(title="Seen")]
    value: Annotated[str | list[str], Field(title="Value")]
    window: Annotated[str, Field(title="Window")]


class ForgotPasswordRequest(BaseModel):
    email: Annotated[str, Field(max_length=320, title="Email")]


class Platform9(StrEnum):
    GOOGLE = "google"
    META = "meta"


class TargetAudience(RootModel[str]):
    root: Annotated[str, Field(max_length=200, title="Target Audience")]


class Tone(RootModel[str]):
    root: Annotated[str, Field(max_length=50, title="Tone")]


class GenerateCopyRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    platform: Annotated[Platform9 | None, Field(title="Platform")] = Platform9.GOOGLE
    product_description: Annotated[
        str, Field(max_length=2000, min_length=1, title="Product Description")
    ]
    product_name: Annotated[str, Field(max_length=200, min_length=1, title="Product Name")]
    target_audience: Annotated[TargetAudience | None, Field(title="Target Audience")] = None
    tone: Annotated[Tone | None, Field(title="Tone")] = None


class GenerateCopyResponse(BaseModel):
    call_to_action: Annotated[str, Field(title="Call To Action")]
    description: Annotated[str, Field(title="Description")]
    headline: Annotated[str, Field(title="Headline")]
    platform: Annotated[Platform9, Field(title="Platform")]
    provider: Annotated[str, Field(title="Provider")]


class Kind(StrEnum):
    EXTERNAL_ID = "external_id"
    EMAIL = "email"
    PHONE = "phone"


class HashedIdentifier(BaseModel):
    kind: Annotated[Kind, Field(title="Kind")]
    sha256: Annotated[
        str,
        Field(
            examples=["836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"],
            title="Sha256",
        ),
    ]


class Operation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"


class Status15(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TriggeredBy(StrEnum):
    MANUAL = "manual"
    SCHEDULED = "scheduled"
    API = "api"


class HistoryEntry(BaseModel):
    completed_at: Annotated[AwareDatetime | None, Field(title="Completed At")]
    duration_ms: Annotated[int | None, Field(title="Duration Ms")]
    error_code: Annotated[str | None, Field(title="Error Code")] = None
    error_message: Annotated[str | None, Field(title="Error Message")] = None
    job_id: Annotated[UUID, Field(title="Job Id")]
    match_rate: Annotated[float | None, Field(title="Match Rate")]
    operation: Annotated[Operation, Field(title="Operation")]
    profiles_added: Annotated[int, Field(title="Profiles Added")]
    profiles_failed: Annotated[int, Field(title="Profiles Failed")]
    profiles_removed: Annotated[int, Field(title="Profiles Removed")]
    profiles_sent: Annotated[int, Field(title="Profiles Sent")]
    profiles_skipped_consent: Annotated[
        int | None,
        Field(
            description="Profiles of the segment left out: consent denied",
            title="Profiles Skipped Consent",
        ),
    ] = 0
    started_at: Annotated[AwareDatetime | None, Field(title="Started At")]
    status: Annotated[Status15, Field(title="Status")]
    triggered_by: Annotated[TriggeredBy, Field(title="Triggered By")]


class HistorySummary(BaseModel):
    avg_match_rate: Annotated[float | None, Field(title="Avg Match Rate")]
    failed: Annotated[int, Field(title="Failed")]
    successful: Annotated[int, Field(title="Successful")]
    total_syncs: Annotated[int, Field(title="Total Syncs")]


class IdentifierCounts(BaseModel):
    """
    Identifiers, not people: a person with three emails counts three here, once in
    ``people`` and once in ``identifier_coverage.email``.
    """

    emails: Annotated[int, Field(title="Emails")]
    phones: Annotated[int, Field(title="Phones")]


class IdentifierCoverage(BaseModel):
    """
    How many of the segment's profiles carry each kind of identifier.
    """

    email: Annotated[int, Field(title="Email")]
    madid: Annotated[int, Field(title="Madid")]
    name_zip: Annotated[
        int,
        Field(description="first name, last name and zip all present", title="Name Zip"),
    ]
    phone: Annotated[int, Field(title="Phone")]


class InitialSync(BaseModel):
    duration_ms: Annotated[int | None, Field(title="Duration Ms")]
    error_code: Annotated[str | None, Field(title="Error Code")] = None
    error_message: Annotated[str | None, Field(title="Error Message")] = None
    job_id: Annotated[UUID, Field(title="Job Id")]
    match_rate: Annotated[float | None, Field(title="Match Rate")]
    matched: Annotated[int | None, Field(title="Matched")]
    profiles_sent: Annotated[int, Field(title="Profiles Sent")]
    status: Annotated[Status15, Field(title="Status")]


class InvalidRow(BaseModel):
    """
    Why a row was refused. Never carries the offending value (it may be an email).
    """

    external_id: Annotated[str | None, Field(title="External Id")] = None
    index: Annotated[int | None, Field(title="Index")] = None
    line: Annotated[int | None, Field(title="Line")] = None
    reason: Annotated[str, Field(title="Reason")]


class LoginRequest(BaseModel):
    email: Annotated[str, Field(max_length=320, title="Email")]
    password: Annotated[str, Field(max_length=1024, title="Password")]


class Matched(BaseModel):
    identifiers: Annotated[list[HashedIdentifier], Field(title="Identifiers")]
    profiles: Annotated[int, Field(title="Profiles")]
    segments: Annotated[int, Field(title="Segments")]


class Membership(BaseModel):
    ad_account_id: Annotated[str, Field(title="Ad Account Id")]
    audience_created_at: Annotated[
        AwareDatetime,
        Field(examples=["2026-02-14T12:34:56Z"], title="Audience Created At"),
    ]
    audience_id: Annotated[UUID, Field(title="Audience Id")]
    audience_name: Annotated[str, Field(title="Audience Name")]
    first_sent_by_sync_at: Annotated[
        AwareDatetime | None,
        Field(
            description="First completed sync of the audience after the profile was created",
            title="First Sent By Sync At",
        ),
    ]
    identifier_fields: Annotated[
        list[str],
        Field(description="What the audience sends (hashed)", title="Identifier Fields"),
    ]
    last_sync_at: Annotated[AwareDatetime | None, Field(title="Last Sync At")]
    platform: Annotated[str, Field(title="Platform")]
    platform_audience_id: Annotated[str | None, Field(title="Platform Audience Id")]


class OffsetPageAccountRead(BaseModel):
    items: Annotated[list[AccountRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageApiKeyRead(BaseModel):
    items: Annotated[list[ApiKeyRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageCampaignMetricsRead(BaseModel):
    items: Annotated[list[CampaignMetricsRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageCampaignRead(BaseModel):
    items: Annotated[list[CampaignRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageCreativeRead(BaseModel):
    items: Annotated[list[CreativeRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageDailyMetricRead(BaseModel):
    items: Annotated[list[DailyMetricRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageExecutionRead(BaseModel):
    items: Annotated[list[ExecutionRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class PersonKey(BaseModel):
    """
    Exactly one identifier of the person.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    email: Annotated[Email | None, Field(title="Email")] = None
    external_id: Annotated[ExternalId | None, Field(title="External Id")] = None
    phone: Annotated[Phone | None, Field(title="Phone")] = None


class PlanLimits(BaseModel):
    ad_groups: Annotated[
        int | None,
        Field(description="Ad groups allowed; null means unlimited", title="Ad Groups"),
    ]
    campaigns: Annotated[
        int | None,
        Field(description="Campaigns allowed; null means unlimited", title="Campaigns"),
    ]


class Id(StrEnum):
    FREE = "free"
    PRO = "pro"
    ENTERPRISE = "enterprise"


class PlanRead(BaseModel):
    api_access: Annotated[bool, Field(title="Api Access")]
    currency: Annotated[str | None, Field(title="Currency")] = "usd"
    id: Annotated[Id, Field(title="Id")]
    interval: Annotated[str | None, Field(title="Interval")] = "month"
    limits: PlanLimits
    name: Annotated[str, Field(title="Name")]
    price: Annotated[
        str,
        Field(description="Monthly price in USD, as a decimal string", title="Price"),
    ]
    stripe_price_id: Annotated[
        str | None,
        Field(
            description="Stripe price of a paid plan; null for Free",
            title="Stripe Price Id",
        ),
    ]


class Platform11(StrEnum):
    META = "meta"
    GOOGLE = "google"
    TIKTOK = "tiktok"
    SNAPCHAT = "snapchat"


class Status17(StrEnum):
    CONNECTED = "connected"
    EXPIRED = "expired"


class PlatformRead(BaseModel):
    """
    One platform's connection. ``scopes``, ``expires_at`` and ``status`` are present only
    when the platform is connected (``status``: ``connected`` or ``expired``, the latter when
    the platform refused a token refresh and the user has to reconnect).
    """

    ad_accounts: Annotated[list[AdAccountRead] | None, Field(title="Ad Accounts")] = None
    connected: Annotated[bool, Field(title="Connected")]
    expires_at: Annotated[AwareDatetime | None, Field(title="Expires At")] = None
    platform: Annotated[Platform11, Field(title="Platform")]
    scopes: Annotated[list[str] | None, Field(title="Scopes")] = None
    status: Annotated[Status17 | None, Field(title="Status")] = None


class PlatformsRead(BaseModel):
    platforms: Annotated[list[PlatformRead], Field(title="Platforms")]


class PortalRead(BaseModel):
    url: Annotated[
        str,
        Field(
            description="Stripe customer-portal session: manage card, invoices, cancel",
            title="Url",
        ),
    ]


class ProfileHeld(BaseModel):
    """
    The profile as the segment list shows it, with its segment and the platform
    audiences that accepted it.
    """

    audiences: Annotated[list[Membership], Field(title="Audiences")]
    consent: Consent
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    external_id: Annotated[str, Field(title="External Id")]
    extra_emails: Annotated[
        list[str] | None,
        Field(
            description="The person's further emails, after `fields.email`",
            title="Extra Emails",
        ),
    ] = None
    extra_phones: Annotated[
        list[str] | None,
        Field(
            description="The person's further phones, after `fields.phone`",
            title="Extra Phones",
        ),
    ] = None
    fields: Annotated[
        dict[str, str],
        Field(
            examples=[{"country": "FR", "email": "jane.doe@example.com"}],
            title="Fields",
        ),
    ]
    segment_id: Annotated[UUID, Field(title="Segment Id")]
    segment_name: Annotated[str, Field(title="Segment Name")]
    traits: Annotated[dict[str, Any] | None, Field(title="Traits")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class City(RootModel[str]):
    root: Annotated[str, Field(max_length=255, title="City")]


class ConsentAdPersonalization(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    UNSPECIFIED = "unspecified"


class ConsentAdUserData(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    UNSPECIFIED = "unspecified"


class Country(RootModel[str]):
    root: Annotated[str, Field(max_length=64, title="Country")]


class FirstName(RootModel[str]):
    root: Annotated[str, Field(max_length=255, title="First Name")]


class LastName(RootModel[str]):
    root: Annotated[str, Field(max_length=255, title="Last Name")]


class Madid(RootModel[str]):
    root: Annotated[str, Field(max_length=64, title="Madid")]


class State(RootModel[str]):
    root: Annotated[str, Field(max_length=255, title="State")]


class Zip(RootModel[str]):
    root: Annotated[str, Field(max_length=32, title="Zip")]


class ProfileIn(BaseModel):
    """
    A profile to upsert. A field left out keeps its stored value; ``null`` clears it;
    ``traits`` replaces the stored traits as a whole.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    city: Annotated[City | None, Field(title="City")] = None
    consent_ad_personalization: Annotated[
        ConsentAdPersonalization | None, Field(title="Consent Ad Personalization")
    ] = None
    consent_ad_user_data: Annotated[
        ConsentAdUserData | None, Field(title="Consent Ad User Data")
    ] = None
    country: Annotated[Country | None, Field(title="Country")] = None
    data_processing_options: Annotated[
        str | None,
        Field(
            description='Meta Limited Data Use for this person: "LDU" (empty or null: none)',
            examples=["LDU"],
            title="Data Processing Options",
        ),
    ] = None
    data_processing_options_country: Annotated[
        str | None,
        Field(
            description="Meta's code: 1 (US) or 0 (Meta geolocates)",
            examples=["1"],
            title="Data Processing Options Country",
        ),
    ] = None
    data_processing_options_state: Annotated[
        str | None,
        Field(
            description="Meta's code: 1000 (California) and the other US states, 0 (geolocate)",
            examples=["1000"],
            title="Data Processing Options State",
        ),
    ] = None
    email: Annotated[Email | None, Field(title="Email")] = None
    external_id: Annotated[str, Field(max_length=255, min_length=1, title="External Id")]
    first_name: Annotated[FirstName | None, Field(title="First Name")] = None
    last_name: Annotated[LastName | None, Field(title="Last Name")] = None
    madid: Annotated[Madid | None, Field(title="Madid")] = None
    phone: Annotated[Phone | None, Field(title="Phone")] = None
    state: Annotated[State | None, Field(title="State")] = None
    traits: Annotated[dict[str, Any] | None, Field(title="Traits")] = None
    zip: Annotated[Zip | None, Field(title="Zip")] = None


class ProfileRead(BaseModel):
    """
    A profile as stored: here and, with its segment and audiences, in subject access
    (``GET /cdp/people``).
    """

    consent: Consent
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    external_id: Annotated[str, Field(title="External Id")]
    extra_emails: Annotated[
        list[str] | None,
        Field(
            description="The person's further emails, after `fields.email`",
            title="Extra Emails",
        ),
    ] = None
    extra_phones: Annotated[
        list[str] | None,
        Field(
            description="The person's further phones, after `fields.phone`",
            title="Extra Phones",
        ),
    ] = None
    fields: Annotated[
        dict[str, str],
        Field(
            examples=[{"country": "FR", "email": "jane.doe@example.com"}],
            title="Fields",
        ),
    ]
    traits: Annotated[dict[str, Any] | None, Field(title="Traits")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class ExternalId2(RootModel[str]):
    root: Annotated[str, Field(max_length=255, min_length=1)]


class ProfilesDelete(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    external_ids: Annotated[
        list[ExternalId2], Field(max_length=10000, min_length=1, title="External Ids")
    ]


class ProfilesDeleted(BaseModel):
    deleted: Annotated[int, Field(title="Deleted")]
    not_found: Annotated[int, Field(title="Not Found")]
    profile_count: Annotated[int, Field(title="Profile Count")]


class ProfilesUpsert(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    profiles: Annotated[list[ProfileIn], Field(max_length=10000, min_length=1, title="Profiles")]


class ProvisionCreate(BaseModel):
    email: Annotated[str, Field(max_length=320, title="Email")]
    external_user_id: Annotated[str, Field(max_length=255, min_length=1, title="External User Id")]


class ProvisionRead(BaseModel):
    email: Annotated[str, Field(title="Email")]
    plan: Annotated[str, Field(title="Plan")]
    user_id: Annotated[UUID, Field(title="User Id")]


class RefreshRead(BaseModel):
    campaign_id: Annotated[UUID, Field(title="Campaign Id")]
    end_date: Annotated[date_aliased, Field(title="End Date")]
    rows_upserted: Annotated[int, Field(title="Rows Upserted")]
    start_date: Annotated[date_aliased, Field(title="Start Date")]
    synced_at: Annotated[AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Synced At")]


class RefreshRequest(BaseModel):
    refresh_token: Annotated[str, Field(max_length=4096, title="Refresh Token")]


class RegisterCreate(BaseModel):
    email: Annotated[str, Field(max_length=320, title="Email")]
    password: Annotated[str, Field(max_length=1024, min_length=8, title="Password")]


class ResetPasswordRequest(BaseModel):
    new_password: Annotated[str, Field(max_length=1024, min_length=8, title="New Password")]
    token: Annotated[str, Field(max_length=512, title="Token")]


class AnyModel(RootModel[list[FilterInput]]):
    root: Annotated[
        list[FilterInput],
        Field(
            description="At least one of these must hold",
            max_length=20,
            min_length=1,
            title="Any",
        ),
    ]


class BudgetChangePercent(RootModel[float]):
    root: Annotated[
        float,
        Field(
            description="Budget rules: percent to raise/lower the daily budget by (default 20)",
            gt=0.0,
            le=1000.0,
            title="Budget Change Percent",
        ),
    ]


class CampaignIds(RootModel[list[UUID]]):
    root: Annotated[
        list[UUID],
        Field(
            description="Only these campaigns (default: all active ones)",
            max_length=500,
            title="Campaign Ids",
        ),
    ]


class Filters(RootModel[list[FilterInput]]):
    root: Annotated[
        list[FilterInput],
        Field(
            description="Conditions that must all hold; replace the preset's filters",
            max_length=20,
            title="Filters",
        ),
    ]


class MaxBudget(RootModel[float]):
    root: Annotated[
        float,
        Field(
            description="Budget rules: never raise a daily budget above this",
            gt=0.0,
            title="Max Budget",
        ),
    ]


class MinBudget(RootModel[float]):
    root: Annotated[
        float,
        Field(
            description="Budget rules: never lower a daily budget below this (default 1.00)",
            gt=0.0,
            title="Min Budget",
        ),
    ]


class MinImpressions(RootModel[int]):
    root: Annotated[
        int,
        Field(
            description="Judge a campaign only once it had this many impressions",
            ge=0,
            title="Min Impressions",
        ),
    ]


class MinSpend(RootModel[float]):
    root: Annotated[
        float,
        Field(
            description="Judge a campaign only once it spent at least this much",
            ge=0.0,
            title="Min Spend",
        ),
    ]


class RuleConditionsOutput(BaseModel):
    model_config = ConfigDict(
        extra="allow",
    )


class RuleType(StrEnum):
    PAUSE_LOW_ROAS = "pause_low_roas"
    INCREASE_BUDGET_HIGH_ROAS = "increase_budget_high_roas"
    DECREASE_BUDGET_LOW_CTR = "decrease_budget_low_ctr"
    PAUSE_NO_CONVERSIONS = "pause_no_conversions"


class Threshold(RootModel[float]):
    root: Annotated[float, Field(gt=0.0, title="Threshold")]


class RuleRead(BaseModel):
    conditions: RuleConditionsOutput
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    executions_count: Annotated[int, Field(title="Executions Count")]
    id: Annotated[UUID, Field(title="Id")]
    is_active: Annotated[bool, Field(title="Is Active")]
    last_executed: Annotated[AwareDatetime | None, Field(title="Last Executed")]
    name: Annotated[str, Field(title="Name")]
    rule_type: Annotated[RuleType, Field(title="Rule Type")]
    threshold: Annotated[float, Field(title="Threshold")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class Outcome2(StrEnum):
    APPLIED = "applied"
    SKIPPED = "skipped"
    NO_MATCH = "no_match"


class RunObjectRead(BaseModel):
    """
    One object a run judged: the filters' values and verdicts, the action and its result.
    """

    action: Annotated[Action, Field(title="Action")]
    ad_group_id: Annotated[UUID | None, Field(title="Ad Group Id")]
    ad_group_name: Annotated[str | None, Field(title="Ad Group Name")]
    campaign_id: Annotated[UUID | None, Field(title="Campaign Id")]
    campaign_name: Annotated[str, Field(title="Campaign Name")]
    description: Annotated[str, Field(title="Description")]
    evaluation: Annotated[list[FilterVerdict], Field(title="Evaluation")]
    id: Annotated[UUID, Field(title="Id")]
    metric_value: Annotated[float | None, Field(title="Metric Value")]
    new_value: Annotated[str | None, Field(title="New Value")]
    object_type: Annotated[ObjectType, Field(title="Object Type")]
    old_value: Annotated[str | None, Field(title="Old Value")]
    outcome: Annotated[Outcome2, Field(title="Outcome")]
    platform_error: Annotated[str | None, Field(title="Platform Error")]
    platform_pushed_at: Annotated[AwareDatetime | None, Field(title="Platform Pushed At")]
    platform_status: Annotated[PlatformStatus, Field(title="Platform Status")]
    reason: Annotated[str, Field(title="Reason")]
    undone_at: Annotated[AwareDatetime | None, Field(title="Undone At")]


class RunRead(BaseModel):
    campaigns_affected: Annotated[int, Field(title="Campaigns Affected")]
    campaigns_evaluated: Annotated[int, Field(title="Campaigns Evaluated")]
    dry_run: Annotated[bool, Field(title="Dry Run")]
    finished_at: Annotated[AwareDatetime | None, Field(title="Finished At")]
    id: Annotated[UUID, Field(title="Id")]
    rule_id: Annotated[UUID, Field(title="Rule Id")]
    slot_at: Annotated[AwareDatetime | None, Field(title="Slot At")]
    started_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Started At")
    ]
    trigger: Annotated[Trigger, Field(title="Trigger")]
    undone_at: Annotated[AwareDatetime | None, Field(title="Undone At")]
    window_end: Annotated[date_aliased, Field(title="Window End")]
    window_start: Annotated[date_aliased, Field(title="Window Start")]


class Day(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class Days(RootModel[list[Day]]):
    root: Annotated[list[Day], Field(description="custom", min_length=1, title="Days")]


class Frequency(StrEnum):
    CONTINUOUS = "continuous"
    HOURLY = "hourly"
    DAILY = "daily"
    CUSTOM = "custom"


class Hour(RootModel[int]):
    root: Annotated[int, Field(ge=0, le=23)]


class Hours(RootModel[list[Hour]]):
    root: Annotated[list[Hour], Field(description="custom", min_length=1, title="Hours")]


class Time(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="daily: HH:MM",
            pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$",
            title="Time",
        ),
    ]


class Schedule(BaseModel):
    """
    When an active rule runs, in the time zone of its first campaign's ad account.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    days: Annotated[Days | None, Field(description="custom", title="Days")] = None
    frequency: Annotated[Frequency, Field(title="Frequency")]
    hours: Annotated[Hours | None, Field(description="custom", title="Hours")] = None
    time: Annotated[Time | None, Field(description="daily: HH:MM", title="Time")] = None
    time_zone: Annotated[
        str | None,
        Field(
            description="IANA zone; default: the ad account's, else UTC",
            title="Time Zone",
        ),
    ] = None


class Ids(RootModel[list[UUID]]):
    root: Annotated[
        list[UUID],
        Field(description="Only these campaigns / ad groups", max_length=500, title="Ids"),
    ]


class Level(StrEnum):
    CAMPAIGN = "campaign"
    AD_GROUP = "ad_group"


class NameContains(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="Case-insensitive",
            max_length=255,
            min_length=1,
            title="Name Contains",
        ),
    ]


class Platform12(StrEnum):
    GOOGLE = "google"
    META = "meta"


class Platforms(RootModel[list[Platform12]]):
    root: Annotated[list[Platform12], Field(min_length=1, title="Platforms")]


class Status18(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"


class Statuses(RootModel[list[Status18]]):
    root: Annotated[
        list[Status18],
        Field(description="Default: active only", min_length=1, title="Statuses"),
    ]


class Scope(BaseModel):
    """
    Which objects a rule judges; every criterion given must hold.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    ids: Annotated[
        Ids | None, Field(description="Only these campaigns / ad groups", title="Ids")
    ] = None
    level: Annotated[Level | None, Field(title="Level")] = Level.CAMPAIGN
    name_contains: Annotated[
        NameContains | None,
        Field(description="Case-insensitive", title="Name Contains"),
    ] = None
    platforms: Annotated[Platforms | None, Field(title="Platforms")] = None
    statuses: Annotated[
        Statuses | None, Field(description="Default: active only", title="Statuses")
    ] = None


class SecretRotated(BaseModel):
    id: Annotated[UUID, Field(title="Id")]
    previous_secret_expires_at: Annotated[
        AwareDatetime | None, Field(title="Previous Secret Expires At")
    ]
    secret: Annotated[
        str,
        Field(
            description="The new signing secret; shown only in this response",
            title="Secret",
        ),
    ]


class SegmentCoverage(BaseModel):
    """
    The segment's coverage (``email``: people with any email), and how many further
    emails and phones its people hold beyond their first (additive fields).
    """

    email: Annotated[int, Field(title="Email")]
    extra_emails: Annotated[
        int,
        Field(
            description="Further emails of these people, beyond their first",
            title="Extra Emails",
        ),
    ]
    extra_phones: Annotated[
        int,
        Field(
            description="Further phones of these people, beyond their first",
            title="Extra Phones",
        ),
    ]
    madid: Annotated[int, Field(title="Madid")]
    name_zip: Annotated[
        int,
        Field(description="first name, last name and zip all present", title="Name Zip"),
    ]
    phone: Annotated[int, Field(title="Phone")]


class Description2(RootModel[str]):
    root: Annotated[str, Field(max_length=2000, title="Description")]


class SegmentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    description: Annotated[Description2 | None, Field(title="Description")] = None
    name: Annotated[str, Field(max_length=255, min_length=1, title="Name")]


class SegmentDeleted(BaseModel):
    deleted: Annotated[bool, Field(title="Deleted")]
    profiles_deleted: Annotated[int, Field(title="Profiles Deleted")]
    segment_id: Annotated[UUID, Field(title="Segment Id")]


class SegmentDetail(BaseModel):
    audience_count: Annotated[int, Field(title="Audience Count")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    description: Annotated[str | None, Field(title="Description")]
    id: Annotated[UUID, Field(title="Id")]
    identifier_coverage: SegmentCoverage
    name: Annotated[str, Field(title="Name")]
    profile_count: Annotated[int, Field(title="Profile Count")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class SegmentRead(BaseModel):
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    description: Annotated[str | None, Field(title="Description")]
    id: Annotated[UUID, Field(title="Id")]
    name: Annotated[str, Field(title="Name")]
    profile_count: Annotated[int, Field(title="Profile Count")]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class SessionRead(BaseModel):
    """
    One open sign-in session: a login (or registration, or password change) and every
    refresh since, on one device.
    """

    current: Annotated[
        bool,
        Field(
            description="Whether it is the session of the calling token",
            title="Current",
        ),
    ]
    expires_at: Annotated[
        AwareDatetime,
        Field(description="When it ends unless refreshed before", title="Expires At"),
    ]
    id: Annotated[
        UUID,
        Field(description="The session (the `sid` claim of its access tokens)", title="Id"),
    ]
    last_active_at: Annotated[
        AwareDatetime,
        Field(description="When it last signed in or refreshed", title="Last Active At"),
    ]
    signed_in_at: Annotated[AwareDatetime, Field(title="Signed In At")]
    user_agent: Annotated[
        str | None,
        Field(description="The User-Agent it signed in with, if sent", title="User Agent"),
    ]


class SubscriptionRead(BaseModel):
    cancel_at: Annotated[
        str | None,
        Field(description="When a scheduled cancellation takes effect", title="Cancel At"),
    ]
    cancel_at_period_end: Annotated[
        bool,
        Field(
            description="True when the subscription ends at cancel_at instead of renewing",
            title="Cancel At Period End",
        ),
    ]
    canceled_at: Annotated[str | None, Field(title="Canceled At")]
    created_at: Annotated[str, Field(title="Created At")]
    current_period_end: Annotated[str | None, Field(title="Current Period End")]
    id: Annotated[UUID, Field(title="Id")]
    plan: Annotated[Plan1, Field(title="Plan")]
    status: Annotated[
        str,
        Field(
            description="Stripe's status: active, past_due, canceled, incomplete ...",
            title="Status",
        ),
    ]
    stripe_subscription_id: Annotated[str, Field(title="Stripe Subscription Id")]
    updated_at: Annotated[str, Field(title="Updated At")]


class SuppressionLifted(BaseModel):
    hash: Annotated[str, Field(title="Hash")]
    kind: Annotated[Kind, Field(title="Kind")]
    lifted: Annotated[bool, Field(title="Lifted")]


class Status19(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SyncJobRead(BaseModel):
    """
    ``AudienceSyncJob``. ``triggered_by_user_id`` is the user's UUID (the spec shows a
    number; AdScale user ids are UUIDs). Counts are profiles (people): a profile sent with
    its email and phone is one. Extra fields: ``error_code``, ``profiles_invalid`` (profiles
    with an identifier the platform's normalizer refused) with ``invalid_samples`` (those and
    the failed profiles with no usable identifier, with their reason), ``identifier_counts``
    (per field the audience sends: profiles ``sent`` with it, profiles whose value was
    ``invalid``), ``segment_size``, ``estimated_changes``, ``created_at``.
    """

    audience_id: Annotated[UUID, Field(title="Audience Id")]
    completed_at: Annotated[AwareDatetime | None, Field(title="Completed At")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    duration_ms: Annotated[int | None, Field(title="Duration Ms")]
    error_code: Annotated[str | None, Field(title="Error Code")]
    error_message: Annotated[str | None, Field(title="Error Message")]
    estimated_changes: EstimatedChanges | None
    identifier_counts: Annotated[dict[str, FieldCounts], Field(title="Identifier Counts")]
    invalid_samples: Annotated[list[dict[str, Any]], Field(title="Invalid Samples")]
    job_id: Annotated[UUID, Field(title="Job Id")]
    match_rate: Annotated[float | None, Field(title="Match Rate")]
    operation: Annotated[Operation, Field(title="Operation")]
    platform: Annotated[str, Field(title="Platform")]
    platform_response: Annotated[dict[str, Any] | None, Field(title="Platform Response")]
    profiles_added: Annotated[int, Field(title="Profiles Added")]
    profiles_failed: Annotated[int, Field(title="Profiles Failed")]
    profiles_invalid: Annotated[int, Field(title="Profiles Invalid")]
    profiles_removed: Annotated[int, Field(title="Profiles Removed")]
    profiles_sent: Annotated[int, Field(title="Profiles Sent")]
    profiles_skipped_consent: Annotated[
        int | None,
        Field(
            description="Profiles of the segment left out: consent denied",
            title="Profiles Skipped Consent",
        ),
    ] = 0
    segment_size: Annotated[int | None, Field(title="Segment Size")]
    started_at: Annotated[AwareDatetime | None, Field(title="Started At")]
    status: Annotated[Status19, Field(title="Status")]
    triggered_by: Annotated[TriggeredBy, Field(title="Triggered By")]
    triggered_by_user_id: Annotated[UUID | None, Field(title="Triggered By User Id")]


class Operation2(StrEnum):
    UPDATE = "update"
    REPLACE = "replace"


class SyncRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    operation: Annotated[Operation2 | None, Field(title="Operation")] = Operation2.UPDATE


class SyncStats(BaseModel):
    avg_match_rate: Annotated[float | None, Field(title="Avg Match Rate")]
    failed_syncs: Annotated[int, Field(title="Failed Syncs")]
    profiles_added: Annotated[int, Field(title="Profiles Added")]
    profiles_removed: Annotated[int, Field(title="Profiles Removed")]
    successful_syncs: Annotated[int, Field(title="Successful Syncs")]
    total_syncs: Annotated[int, Field(title="Total Syncs")]


class Operation3(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"


class SyncTriggered(BaseModel):
    estimated_changes: EstimatedChanges
    job_id: Annotated[UUID, Field(title="Job Id")]
    operation: Annotated[Operation3, Field(title="Operation")]
    segment_size: Annotated[int, Field(title="Segment Size")]
    status: Annotated[Status19, Field(title="Status")]


class Status21(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class TargetRead(BaseModel):
    answers: Annotated[list[Attempt], Field(title="Answers")]
    attempts: Annotated[int, Field(title="Attempts")]
    audience_id: Annotated[UUID, Field(title="Audience Id")]
    audience_name: Annotated[str, Field(title="Audience Name")]
    completed_at: Annotated[AwareDatetime | None, Field(title="Completed At")]
    platform: Annotated[str, Field(title="Platform")]
    platform_audience_id: Annotated[str | None, Field(title="Platform Audience Id")]
    profiles: Annotated[
        int,
        Field(description="Profiles of the person this audience held", title="Profiles"),
    ]
    retries: Annotated[int, Field(title="Retries")]
    status: Annotated[Status21, Field(title="Status")]


class Audiences(RootModel[list[UUID]]):
    root: Annotated[
        list[UUID],
        Field(
            description="AdScale audience ids this ad group targets (audience-health rules)",
            max_length=50,
            title="Audiences",
        ),
    ]


class Interest(RootModel[str]):
    root: Annotated[str, Field(max_length=100, min_length=1)]


class Interests(RootModel[list[Interest]]):
    root: Annotated[list[Interest], Field(max_length=100, title="Interests")]


class Locations(RootModel[list[str]]):
    root: Annotated[list[str], Field(max_length=250, title="Locations")]


class Targeting(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    age: Annotated[str | None, Field(title="Age")] = None
    audiences: Annotated[
        Audiences | None,
        Field(
            description="AdScale audience ids this ad group targets (audience-health rules)",
            title="Audiences",
        ),
    ] = None
    interests: Annotated[Interests | None, Field(title="Interests")] = None
    locations: Annotated[Locations | None, Field(title="Locations")] = None


class TokenPair(BaseModel):
    access_token: Annotated[str, Field(title="Access Token")]
    expires_in: Annotated[
        int,
        Field(description="Seconds until the access token expires", title="Expires In"),
    ]
    refresh_token: Annotated[str, Field(title="Refresh Token")]
    token_type: Annotated[Literal["bearer"], Field(title="Token Type")] = "bearer"


class UndoResult(BaseModel):
    actions_taken: Annotated[list[str], Field(title="Actions Taken")]
    objects_restored: Annotated[int, Field(title="Objects Restored")]
    run_id: Annotated[UUID, Field(title="Run Id")]
    undo_run_id: Annotated[UUID, Field(title="Undo Run Id")]


class UpsertResult(BaseModel):
    inserted: Annotated[int, Field(title="Inserted")]
    invalid: Annotated[int, Field(title="Invalid")]
    invalid_samples: Annotated[list[InvalidRow], Field(title="Invalid Samples")]
    profile_count: Annotated[int, Field(title="Profile Count")]
    received: Annotated[int, Field(title="Received")]
    suppressed: Annotated[
        int | None,
        Field(
            description="Rows refused: the person was erased (suppression list)",
            title="Suppressed",
        ),
    ] = 0
    suppressed_rows: Annotated[
        list[InvalidRow] | None,
        Field(description="Up to 20 of them, reason `suppressed`", title="Suppressed Rows"),
    ] = None
    unchanged: Annotated[int, Field(title="Unchanged")]
    updated: Annotated[int, Field(title="Updated")]


class UsageRead(BaseModel):
    ad_groups: Allowance
    api_access: Annotated[bool, Field(title="Api Access")]
    campaigns: Allowance
    month: Annotated[
        str,
        Field(description="The calendar month (UTC) counted, as YYYY-MM", title="Month"),
    ]
    plan: Annotated[Plan1, Field(title="Plan")]
    profiles_synced_this_month: Annotated[int, Field(title="Profiles Synced This Month")]


class UsageSummary(BaseModel):
    ad_groups: Annotated[int, Field(title="Ad Groups")]
    campaigns: Annotated[int, Field(title="Campaigns")]
    profiles_synced_this_month: Annotated[int, Field(title="Profiles Synced This Month")]


class UserRead(BaseModel):
    """
    ``GET /auth/me``.
    """

    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    email: Annotated[str, Field(title="Email")]
    id: Annotated[UUID, Field(title="Id")]
    plan: Annotated[str, Field(title="Plan")]


class ValidationError(BaseModel):
    ctx: Annotated[dict[str, Any] | None, Field(title="Context")] = None
    input: Annotated[Any | None, Field(title="Input")] = None
    loc: Annotated[list[str | int], Field(title="Location")]
    msg: Annotated[str, Field(title="Message")]
    type: Annotated[str, Field(title="Error Type")]


class WebhookAck(BaseModel):
    duplicate: Annotated[bool | None, Field(title="Duplicate")] = False
    event_id: Annotated[str, Field(title="Event Id")]
    received: Annotated[bool | None, Field(title="Received")] = True


class Description3(RootModel[str]):
    root: Annotated[str, Field(max_length=500, title="Description")]


class Event(StrEnum):
    AUDIENCE_SYNC_COMPLETED = "audience_sync.completed"
    AUDIENCE_SYNC_FAILED = "audience_sync.failed"
    RULE_EXECUTED = "rule.executed"
    PROFILE_ERASED = "profile.erased"


class WebhookCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    description: Annotated[Description3 | None, Field(title="Description")] = None
    events: Annotated[
        list[Event],
        Field(
            description="audience_sync.completed, audience_sync.failed (the spec's events) and rule.executed (an optimization rule's action on one of your campaigns or ad groups), profile.erased (a person's erasure finished: its receipt in brief)",
            examples=[
                ["audience_sync.completed", "audience_sync.failed"],
                ["rule.executed"],
            ],
            max_length=3,
            min_length=1,
            title="Events",
        ),
    ]
    url: Annotated[
        AnyUrl,
        Field(
            description="An http or https URL, without whitespace",
            examples=["https://example.com/path"],
            title="Url",
        ),
    ]


class DisabledReason(StrEnum):
    """
    manual (PATCH enabled=false), gone (the endpoint answered 410) or failing (every delivery failed for 5 days)
    """

    MANUAL = "manual"
    GONE = "gone"
    FAILING = "failing"


class WebhookCreated(BaseModel):
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    description: Annotated[str | None, Field(title="Description")]
    disabled_at: Annotated[AwareDatetime | None, Field(title="Disabled At")]
    disabled_reason: Annotated[
        DisabledReason | None,
        Field(
            description="manual (PATCH enabled=false), gone (the endpoint answered 410) or failing (every delivery failed for 5 days)",
            title="Disabled Reason",
        ),
    ]
    enabled: Annotated[bool, Field(title="Enabled")]
    events: Annotated[list[str], Field(title="Events")]
    id: Annotated[UUID, Field(title="Id")]
    previous_secret_expires_at: Annotated[
        AwareDatetime | None,
        Field(
            description="Until then deliveries are also signed with the secret before the last rotation",
            title="Previous Secret Expires At",
        ),
    ]
    secret: Annotated[
        str,
        Field(
            description="Signing secret (whsec_...); shown only in this response",
            title="Secret",
        ),
    ]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]
    url: Annotated[str, Field(title="Url")]


class WebhookRead(BaseModel):
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    description: Annotated[str | None, Field(title="Description")]
    disabled_at: Annotated[AwareDatetime | None, Field(title="Disabled At")]
    disabled_reason: Annotated[
        DisabledReason | None,
        Field(
            description="manual (PATCH enabled=false), gone (the endpoint answered 410) or failing (every delivery failed for 5 days)",
            title="Disabled Reason",
        ),
    ]
    enabled: Annotated[bool, Field(title="Enabled")]
    events: Annotated[list[str], Field(title="Events")]
    id: Annotated[UUID, Field(title="Id")]
    previous_secret_expires_at: Annotated[
        AwareDatetime | None,
        Field(
            description="Until then deliveries are also signed with the secret before the last rotation",
            title="Previous Secret Expires At",
        ),
    ]
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]
    url: Annotated[str, Field(title="Url")]


class Event1(StrEnum):
    """
    Which event's sample payload to send (default: the first)
    """

    AUDIENCE_SYNC_COMPLETED = "audience_sync.completed"
    AUDIENCE_SYNC_FAILED = "audience_sync.failed"
    RULE_EXECUTED = "rule.executed"
    PROFILE_ERASED = "profile.erased"


class WebhookTest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    event: Annotated[
        Event1 | None,
        Field(
            description="Which event's sample payload to send (default: the first)",
            title="Event",
        ),
    ] = None


class WebhookTestResult(BaseModel):
    attempted_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Attempted At")
    ]
    delivery_id: Annotated[UUID, Field(title="Delivery Id")]
    error: Annotated[str | None, Field(title="Error")]
    event: Annotated[str, Field(title="Event")]
    latency_ms: Annotated[int | None, Field(title="Latency Ms")]
    response_code: Annotated[int | None, Field(title="Response Code")]
    success: Annotated[bool, Field(title="Success")]


class Event2(StrEnum):
    AUDIENCE_SYNC_COMPLETED = "audience_sync.completed"
    AUDIENCE_SYNC_FAILED = "audience_sync.failed"
    RULE_EXECUTED = "rule.executed"
    PROFILE_ERASED = "profile.erased"


class Events(RootModel[list[Event2]]):
    root: Annotated[
        list[Event2],
        Field(
            description="audience_sync.completed, audience_sync.failed (the spec's events) and rule.executed (an optimization rule's action on one of your campaigns or ad groups), profile.erased (a person's erasure finished: its receipt in brief)",
            examples=[
                ["audience_sync.completed", "audience_sync.failed"],
                ["rule.executed"],
            ],
            max_length=3,
            min_length=1,
            title="Events",
        ),
    ]


class Url(RootModel[AnyUrl]):
    root: Annotated[
        AnyUrl,
        Field(
            description="An http or https URL, without whitespace",
            examples=["https://example.com/path"],
            title="Url",
        ),
    ]


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    description: Annotated[Description3 | None, Field(title="Description")] = None
    enabled: Annotated[bool | None, Field(title="Enabled")] = None
    events: Annotated[Events | None, Field(title="Events")] = None
    url: Annotated[Url | None, Field(title="Url")] = None


class CampaignsOverviewRead(BaseModel):
    avg_cpa: Annotated[
        str | None,
        Field(
            description="total_spend / total_conversions; null when conversions are 0",
            title="Avg Cpa",
        ),
    ]
    avg_ctr: Annotated[
        float | None,
        Field(
            description="total_clicks / total_impressions (a fraction); null when impressions are 0",
            title="Avg Ctr",
        ),
    ]
    avg_roas: Annotated[
        float | None,
        Field(
            description="total_revenue / total_spend; null when spend is 0",
            title="Avg Roas",
        ),
    ]
    end_date: Annotated[date_aliased | None, Field(title="End Date")]
    start_date: Annotated[date_aliased | None, Field(title="Start Date")]
    total_clicks: Annotated[int, Field(title="Total Clicks")]
    total_conversions: Annotated[float, Field(title="Total Conversions")]
    total_impressions: Annotated[int, Field(title="Total Impressions")]
    total_revenue: Annotated[str, Field(title="Total Revenue")]
    total_spend: Annotated[str, Field(title="Total Spend")]


class AdGroupCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    bid_amount: Annotated[BidAmount | str | None, Field(title="Bid Amount")] = None
    bid_strategy: Annotated[BidStrategy | None, Field(title="Bid Strategy")] = BidStrategy.AUTO_CPC
    campaign_id: Annotated[UUID, Field(title="Campaign Id")]
    name: Annotated[str, Field(max_length=255, min_length=1, title="Name")]
    status: Annotated[Status1 | None, Field(title="Status")] = Status1.ACTIVE
    targeting: Targeting | None = None


class AdGroupRead(BaseModel):
    bid_amount: Annotated[str | None, Field(title="Bid Amount")]
    bid_strategy: Annotated[BidStrategy, Field(title="Bid Strategy")]
    campaign_id: Annotated[UUID, Field(title="Campaign Id")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    id: Annotated[UUID, Field(title="Id")]
    name: Annotated[str, Field(title="Name")]
    status: Annotated[Status1, Field(title="Status")]
    targeting: Targeting
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class AdGroupUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    bid_amount: Annotated[BidAmount | str | None, Field(title="Bid Amount")] = None
    bid_strategy: Annotated[BidStrategy | None, Field(title="Bid Strategy")] = None
    name: Annotated[Name | None, Field(title="Name")] = None
    status: Annotated[Status1 | None, Field(title="Status")] = None
    targeting: Targeting | None = None


class AudienceCreated(BaseModel):
    audience: AudienceRead
    initial_sync: InitialSync


class AudienceDetail(BaseModel):
    """
    Also ``identifier_coverage``: per field of ``identifier_fields``, how many of the
    segment's profiles have it.
    """

    ad_account_id: Annotated[str, Field(title="Ad Account Id")]
    additive_only: Annotated[bool, Field(title="Additive Only")]
    auto_sync: Annotated[bool, Field(title="Auto Sync")]
    created_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Created At")
    ]
    description: Annotated[str | None, Field(title="Description")]
    extra_identifiers: Annotated[
        dict[str, int],
        Field(
            description="Further emails and phones the segment's people hold beyond their first, for the fields the audience sends (they travel in the person's row)",
            examples=[{"emails": 120, "phones": 15}],
            title="Extra Identifiers",
        ),
    ]
    id: Annotated[UUID, Field(title="Id")]
    identifier_coverage: Annotated[dict[str, int], Field(title="Identifier Coverage")]
    identifier_fields: Annotated[list[str], Field(title="Identifier Fields")]
    is_active: Annotated[bool, Field(title="Is Active")]
    last_sync_at: Annotated[AwareDatetime | None, Field(title="Last Sync At")]
    last_sync_status: Annotated[LastSyncStatus | None, Field(title="Last Sync Status")]
    limited_data_use: Annotated[bool, Field(title="Limited Data Use")]
    match_rate: Annotated[float | None, Field(title="Match Rate")]
    matched_size: Annotated[int | None, Field(title="Matched Size")]
    next_sync_at: Annotated[AwareDatetime | None, Field(title="Next Sync At")]
    platform: Annotated[Platform2, Field(title="Platform")]
    platform_audience_id: Annotated[str | None, Field(title="Platform Audience Id")]
    platform_audience_name: Annotated[str, Field(title="Platform Audience Name")]
    platform_size: Annotated[int | None, Field(title="Platform Size")]
    segment_id: Annotated[UUID, Field(title="Segment Id")]
    segment_name: Annotated[str, Field(title="Segment Name")]
    segment_profile_count: Annotated[int, Field(title="Segment Profile Count")]
    sync_interval_hours: Annotated[int, Field(title="Sync Interval Hours")]
    sync_stats_30d: SyncStats
    updated_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Updated At")
    ]


class AudienceList(BaseModel):
    audiences: Annotated[list[AudienceRead], Field(title="Audiences")]
    page: Annotated[int, Field(title="Page")]
    page_size: Annotated[int, Field(title="Page Size")]
    total: Annotated[int, Field(title="Total")]


class DeliveryList(BaseModel):
    deliveries: Annotated[list[DeliveryRead], Field(title="Deliveries")]
    page: Annotated[int, Field(title="Page")]
    page_size: Annotated[int, Field(title="Page Size")]
    total: Annotated[int, Field(title="Total")]


class ErasureBatchCreate(BaseModel):
    """
    Up to 10,000 people in one request (a deletion queue drained at once), each with
    exactly one identifier; every item is checked before anything is queued.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    people: Annotated[list[PersonKey], Field(max_length=10000, min_length=1, title="People")]
    reason: Annotated[Reason | None, Field(title="Reason")] = None


class ErasureRead(BaseModel):
    audiences: Annotated[list[TargetRead], Field(title="Audiences")]
    completed_at: Annotated[AwareDatetime | None, Field(title="Completed At")]
    deleted: Deleted
    erasure_id: Annotated[UUID, Field(title="Erasure Id")]
    failure_reason: Annotated[str | None, Field(title="Failure Reason")]
    matched: Matched
    nothing_matched: Annotated[bool, Field(title="Nothing Matched")]
    reason: Annotated[str | None, Field(title="Reason")]
    requested: HashedIdentifier
    requested_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Requested At")
    ]
    started_at: Annotated[AwareDatetime | None, Field(title="Started At")]
    status: Annotated[Status12, Field(title="Status")]


class ExportCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    format: Annotated[Format | None, Field(title="Format")] = Format.CSV
    options: ExportOptions | None = None
    segment_id: Annotated[UUID, Field(title="Segment Id")]


class HTTPValidationError(BaseModel):
    detail: Annotated[list[ValidationError] | None, Field(title="Detail")] = None


class HistoryRead(BaseModel):
    audience_id: Annotated[UUID, Field(title="Audience Id")]
    history: Annotated[list[HistoryEntry], Field(title="History")]
    summary: HistorySummary


class ImportPreview(BaseModel):
    """
    A dry run (`?dry_run=true`): what the import would do, nothing written.
    """

    columns: Annotated[list[ColumnDecision], Field(title="Columns")]
    dialect: DialectRead
    dry_run: Annotated[Literal[True], Field(title="Dry Run")] = True
    duplicates: Annotated[
        int,
        Field(
            description="valid rows repeating a person (the last one wins)",
            title="Duplicates",
        ),
    ]
    existing_people: Annotated[
        int,
        Field(
            description="people the import would update (or leave)",
            title="Existing People",
        ),
    ]
    identifier_counts: Annotated[
        IdentifierCounts,
        Field(
            description="emails and phones among the people found, every one counted (a person may have up to 10 of each)"
        ),
    ]
    identifier_coverage: Annotated[
        IdentifierCoverage,
        Field(
            description="among the people found: how many have an email, a phone, first name + last name + zip, a mobile ad id"
        ),
    ]
    invalid: Annotated[int, Field(title="Invalid")]
    invalid_samples: Annotated[list[InvalidRow], Field(title="Invalid Samples")]
    new_people: Annotated[
        int,
        Field(description="people the segment does not have yet", title="New People"),
    ]
    people: Annotated[
        int,
        Field(description="distinct people among the valid rows (by key)", title="People"),
    ]
    received: Annotated[
        int,
        Field(
            description="data rows read (header and comment lines excluded)",
            title="Received",
        ),
    ]


class ImportResult(BaseModel):
    """
    ``received`` counts data rows (header excluded); a repeated ``external_id`` keeps its
    last row, the earlier ones count as ``duplicates``.
    """

    duplicates: Annotated[int, Field(title="Duplicates")]
    inserted: Annotated[int, Field(title="Inserted")]
    invalid: Annotated[int, Field(title="Invalid")]
    invalid_samples: Annotated[list[InvalidRow], Field(title="Invalid Samples")]
    profile_count: Annotated[int, Field(title="Profile Count")]
    received: Annotated[int, Field(title="Received")]
    suppressed: Annotated[
        int | None,
        Field(
            description="Rows refused: the person was erased (suppression list)",
            title="Suppressed",
        ),
    ] = 0
    suppressed_rows: Annotated[
        list[InvalidRow] | None,
        Field(description="Up to 20 of them, reason `suppressed`", title="Suppressed Rows"),
    ] = None
    unchanged: Annotated[int, Field(title="Unchanged")]
    updated: Annotated[int, Field(title="Updated")]


class OffsetPageAdGroupRead(BaseModel):
    items: Annotated[list[AdGroupRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageRuleRead(BaseModel):
    items: Annotated[list[RuleRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageRunObjectRead(BaseModel):
    items: Annotated[list[RunObjectRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageRunRead(BaseModel):
    items: Annotated[list[RunRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OffsetPageSessionRead(BaseModel):
    items: Annotated[list[SessionRead], Field(title="Items")]
    limit: Annotated[int, Field(title="Limit")]
    offset: Annotated[int, Field(title="Offset")]
    total: Annotated[int, Field(title="Total")]


class OverviewRead(BaseModel):
    api_access: Annotated[bool, Field(title="Api Access")]
    cancel_at_period_end: Annotated[bool, Field(title="Cancel At Period End")]
    currency: Annotated[str | None, Field(title="Currency")] = "usd"
    current_period_end: Annotated[str | None, Field(title="Current Period End")]
    limits: PlanLimits
    plan: Annotated[Plan1, Field(title="Plan")]
    plan_name: Annotated[str, Field(title="Plan Name")]
    price: Annotated[
        str,
        Field(description="Monthly price in USD, as a decimal string", title="Price"),
    ]
    renews_at: Annotated[
        str | None,
        Field(description="Next renewal; null when none is scheduled", title="Renews At"),
    ]
    status: Annotated[
        str | None,
        Field(
            description="The subscription's status; null on Free without one",
            title="Status",
        ),
    ]
    usage: UsageSummary


class PersonRead(BaseModel):
    identifiers: Annotated[
        list[HashedIdentifier],
        Field(
            description="SHA-256 of every normalized identifier the person's profiles hold",
            title="Identifiers",
        ),
    ]
    platforms: Annotated[
        list[str],
        Field(description="Platforms the person was sent to", title="Platforms"),
    ]
    profiles: Annotated[list[ProfileHeld], Field(title="Profiles")]
    requested: HashedIdentifier
    suppressed: Annotated[
        bool,
        Field(
            description="Some of these identifiers are on the suppression list",
            title="Suppressed",
        ),
    ]


class ProfileList(BaseModel):
    page: Annotated[int, Field(title="Page")]
    page_size: Annotated[int, Field(title="Page Size")]
    profiles: Annotated[list[ProfileRead], Field(title="Profiles")]
    total: Annotated[
        int,
        Field(
            description="Profiles matching `q` (without it, the segment's count)",
            title="Total",
        ),
    ]


class RuleConditionsInput(BaseModel):
    """
    What users of Meta automated rules / Revealbot expect around the threshold.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    action: Annotated[ActionInput | None, Field(description="Replaces the preset's action")] = None
    any: Annotated[
        AnyModel | None,
        Field(description="At least one of these must hold", title="Any"),
    ] = None
    budget_change_percent: Annotated[
        BudgetChangePercent | str | None,
        Field(
            description="Budget rules: percent to raise/lower the daily budget by (default 20)",
            title="Budget Change Percent",
        ),
    ] = None
    campaign_ids: Annotated[
        CampaignIds | None,
        Field(
            description="Only these campaigns (default: all active ones)",
            title="Campaign Ids",
        ),
    ] = None
    cooldown_hours: Annotated[
        int | None,
        Field(
            description="Hours before the same rule may act on the same campaign again",
            ge=0,
            le=720,
            title="Cooldown Hours",
        ),
    ] = 24
    filters: Annotated[
        Filters | None,
        Field(
            description="Conditions that must all hold; replace the preset's filters",
            title="Filters",
        ),
    ] = None
    lookback_days: Annotated[
        int | None,
        Field(
            description="Days of metrics judged, ending today",
            ge=1,
            le=90,
            title="Lookback Days",
        ),
    ] = 7
    max_budget: Annotated[
        MaxBudget | str | None,
        Field(
            description="Budget rules: never raise a daily budget above this",
            title="Max Budget",
        ),
    ] = None
    min_budget: Annotated[
        MinBudget | str | None,
        Field(
            description="Budget rules: never lower a daily budget below this (default 1.00)",
            title="Min Budget",
        ),
    ] = None
    min_impressions: Annotated[
        MinImpressions | None,
        Field(
            description="Judge a campaign only once it had this many impressions",
            title="Min Impressions",
        ),
    ] = None
    min_spend: Annotated[
        MinSpend | str | None,
        Field(
            description="Judge a campaign only once it spent at least this much",
            title="Min Spend",
        ),
    ] = None
    schedule: Annotated[
        Schedule | None,
        Field(description="When it runs (default: every RULES_INTERVAL_SECONDS)"),
    ] = None
    scope: Annotated[Scope | None, Field(description="Which campaigns or ad groups")] = None


class RuleCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    conditions: RuleConditionsInput | None = None
    is_active: Annotated[bool | None, Field(title="Is Active")] = True
    name: Annotated[str, Field(max_length=255, min_length=1, title="Name")]
    rule_type: Annotated[RuleType, Field(title="Rule Type")]
    threshold: Annotated[Threshold | str, Field(title="Threshold")]


class RuleUpdate(BaseModel):
    """
    Partial update; ``conditions`` replaces the whole conditions object.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    conditions: RuleConditionsInput | None = None
    is_active: Annotated[bool | None, Field(title="Is Active")] = None
    name: Annotated[Name | None, Field(title="Name")] = None
    rule_type: Annotated[RuleType | None, Field(title="Rule Type")] = None
    threshold: Annotated[Threshold | str | None, Field(title="Threshold")] = None


class RunDetail(BaseModel):
    campaigns_affected: Annotated[int, Field(title="Campaigns Affected")]
    campaigns_evaluated: Annotated[int, Field(title="Campaigns Evaluated")]
    dry_run: Annotated[bool, Field(title="Dry Run")]
    finished_at: Annotated[AwareDatetime | None, Field(title="Finished At")]
    id: Annotated[UUID, Field(title="Id")]
    objects: OffsetPageRunObjectRead
    rule_id: Annotated[UUID, Field(title="Rule Id")]
    slot_at: Annotated[AwareDatetime | None, Field(title="Slot At")]
    started_at: Annotated[
        AwareDatetime, Field(examples=["2026-02-14T12:34:56Z"], title="Started At")
    ]
    trigger: Annotated[Trigger, Field(title="Trigger")]
    undone_at: Annotated[AwareDatetime | None, Field(title="Undone At")]
    window_end: Annotated[date_aliased, Field(title="Window End")]
    window_start: Annotated[date_aliased, Field(title="Window Start")]


class SegmentList(BaseModel):
    page: Annotated[int, Field(title="Page")]
    page_size: Annotated[int, Field(title="Page Size")]
    segments: Annotated[list[SegmentRead], Field(title="Segments")]
    total: Annotated[int, Field(title="Total")]


class WebhookList(BaseModel):
    page: Annotated[int, Field(title="Page")]
    page_size: Annotated[int, Field(title="Page Size")]
    total: Annotated[int, Field(title="Total")]
    webhooks: Annotated[list[WebhookRead], Field(title="Webhooks")]


class ErasureList(BaseModel):
    erasures: Annotated[list[ErasureRead], Field(title="Erasures")]
    page: Annotated[int, Field(title="Page")]
    page_size: Annotated[int, Field(title="Page Size")]
    total: Annotated[int, Field(title="Total")]
