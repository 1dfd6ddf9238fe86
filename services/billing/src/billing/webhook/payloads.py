"""The parts of Stripe's event payloads billing reads (everything else is ignored).

Shapes follow Stripe's API reference: the Event object; the Checkout Session,
Subscription and Invoice objects in ``data.object``. Both the current layout
(billing periods on subscription items, an invoice's subscription under
``parent.subscription_details``; API versions from 2025-03-31) and the older
one (``current_period_end`` on the subscription, ``invoice.subscription``)
are understood, so an endpoint pinned to either API version works.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _expandable_id(value: Any) -> Any:
    """An expandable field is an id string, or the expanded object carrying ``id``."""
    if isinstance(value, dict):
        return value.get("id")
    return value


ExpandableId = Annotated[str | None, BeforeValidator(_expandable_id)]


def _metadata(value: Any) -> Any:
    return value if isinstance(value, dict) else {}


Metadata = Annotated[dict[str, str], BeforeValidator(_metadata)]


ItemT = TypeVar("ItemT")


def epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class StripeList(_Loose, Generic[ItemT]):
    """A Stripe list object (``{"object": "list", "data": [...]}``): its items."""

    data: list[ItemT] = Field(default_factory=list)


class StripeEventData(_Loose):
    object: dict[str, Any]


class StripeEventIn(_Loose):
    """A Stripe Event as delivered to a webhook endpoint."""

    id: str = Field(min_length=1, max_length=255)
    type: str = Field(min_length=1, max_length=255)
    created: int
    livemode: bool = False
    api_version: str | None = None
    data: StripeEventData


class CheckoutSessionObject(_Loose):
    id: str
    mode: str | None = None
    status: str | None = None
    payment_status: str | None = None
    client_reference_id: str | None = None
    customer: ExpandableId = None
    subscription: ExpandableId = None
    metadata: Metadata = Field(default_factory=dict)


class Price(_Loose):
    id: str | None = None


class SubscriptionItem(_Loose):
    price: Price | None = None
    current_period_end: int | None = None


class SubscriptionObject(_Loose):
    id: str
    customer: ExpandableId = None
    status: str
    metadata: Metadata = Field(default_factory=dict)
    cancel_at_period_end: bool = False
    cancel_at: int | None = None
    canceled_at: int | None = None
    current_period_end: int | None = None  # API versions before 2025-03-31
    items: StripeList[SubscriptionItem] = Field(default_factory=StripeList[SubscriptionItem])

    @property
    def price_id(self) -> str | None:
        for item in self.items.data:
            if item.price and item.price.id:
                return item.price.id
        return None

    @property
    def period_end(self) -> int | None:
        ends = [i.current_period_end for i in self.items.data if i.current_period_end]
        if ends:
            return max(ends)
        return self.current_period_end


class InvoiceSubscriptionDetails(_Loose):
    subscription: ExpandableId = None
    metadata: Metadata = Field(default_factory=dict)


class InvoiceParent(_Loose):
    type: str | None = None
    subscription_details: InvoiceSubscriptionDetails | None = None


class Period(_Loose):
    start: int | None = None
    end: int | None = None


class InvoiceLine(_Loose):
    period: Period | None = None


class InvoiceObject(_Loose):
    id: str
    customer: ExpandableId = None
    billing_reason: str | None = None
    subscription: ExpandableId = None  # API versions before 2025-03-31
    subscription_details: InvoiceSubscriptionDetails | None = None  # ditto
    parent: InvoiceParent | None = None
    lines: StripeList[InvoiceLine] = Field(default_factory=StripeList[InvoiceLine])

    @property
    def subscription_id(self) -> str | None:
        if self.parent and self.parent.subscription_details:
            found = self.parent.subscription_details.subscription
            if found:
                return found
        return self.subscription

    @property
    def subscription_metadata(self) -> dict[str, str]:
        if self.parent and self.parent.subscription_details:
            return self.parent.subscription_details.metadata
        if self.subscription_details:
            return self.subscription_details.metadata
        return {}

    @property
    def period_end(self) -> int | None:
        ends = [line.period.end for line in self.lines.data if line.period and line.period.end]
        return max(ends) if ends else None
