"""The one way billing talks to Stripe: stripe-python's ``StripeClient`` over httpx.

* The API base is a setting (``BILLING_STRIPE_API_BASE``): the real API in
  production, stripe-mock in development and tests.
* Requests go through one ``httpx.AsyncClient`` with connect/read timeouts,
  handed to stripe-python as its HTTP client (:class:`HttpxStripeTransport`);
  stripe-python retries network errors and the answers Stripe marks
  retryable (``max_network_retries``), always with an idempotency key.
* Every Stripe failure surfaces as :class:`PaymentProviderError` (502): the
  caller did nothing wrong and a retry later may work.
* Calls are made outside any write: callers read what they need, call Stripe,
  then record the result.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import httpx
import stripe
from stripe.params.checkout import SessionCreateParams

from adscale_common.errors import BadGateway
from billing.settings import Settings

logger = logging.getLogger(__name__)
# stripe-python logs each request and Stripe's error messages at INFO; those can
# quote parameters and (from stripe-mock) the API key. Only its warnings pass.
logging.getLogger("stripe").setLevel(logging.WARNING)


class PaymentProviderError(BadGateway):
    code = "PAYMENT_PROVIDER_ERROR"
    message = "The payment provider could not be reached; try again later"


class HttpxStripeTransport(stripe.HTTPClient):
    """stripe-python's HTTP client interface on top of an ``httpx.AsyncClient`` we own.

    Only the async methods are used (billing never calls Stripe synchronously).
    """

    name = "adscale-httpx"

    def __init__(self, client: httpx.AsyncClient) -> None:
        super().__init__()
        self._client = client

    @staticmethod
    def _connection_error(exc: Exception) -> NoReturn:
        raise stripe.APIConnectionError(  # type: ignore[no-untyped-call]
            f"Network error talking to Stripe ({type(exc).__name__})", should_retry=True
        ) from exc

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        try:
            response = await self._client.request(
                method, url, headers=dict(headers), content=post_data or None
            )
        except httpx.TransportError as exc:
            self._connection_error(exc)
        return response.content, response.status_code, response.headers

    async def request_stream_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[AsyncIterable[bytes], int, Mapping[str, str]]:
        try:
            request = self._client.build_request(
                method, url, headers=dict(headers), content=post_data or None
            )
            response = await self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            self._connection_error(exc)
        return response.aiter_bytes(), response.status_code, response.headers

    async def sleep_async(self, secs: float) -> None:
        await asyncio.sleep(secs)

    async def close_async(self) -> None:
        await self._client.aclose()


def make_http_client(settings: Settings) -> httpx.AsyncClient:
    timeout = httpx.Timeout(
        settings.stripe_timeout_seconds, connect=settings.stripe_connect_timeout_seconds
    )
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False)


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    user_id: uuid.UUID
    plan: str
    price_id: str
    customer_id: str
    success_url: str
    cancel_url: str
    idempotency_key: str


class StripeApi:
    def __init__(self, settings: Settings, *, http_client: httpx.AsyncClient | None = None) -> None:
        self._http = http_client or make_http_client(settings)
        self._client = stripe.StripeClient(
            settings.stripe_api_key.get_secret_value(),
            base_addresses={"api": settings.stripe_api_base.rstrip("/")},
            max_network_retries=settings.stripe_max_network_retries,
            http_client=HttpxStripeTransport(self._http),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    @staticmethod
    def _fail(operation: str, exc: stripe.StripeError) -> NoReturn:
        # Stripe's messages may quote parameters; log the kind, code and request id only.
        logger.error(
            "stripe call failed",
            extra={
                "operation": operation,
                "error_type": type(exc).__name__,
                "stripe_code": exc.code,
                "http_status": exc.http_status,
                "stripe_request_id": exc.request_id,
            },
        )
        if isinstance(exc, stripe.APIConnectionError):
            raise PaymentProviderError() from exc
        raise PaymentProviderError(
            f"The payment provider refused the request ({type(exc).__name__})"
        ) from exc

    async def create_customer(self, user_id: uuid.UUID) -> str:
        """A Stripe customer for ``user_id`` (a retried creation returns the same one)."""
        try:
            customer = await self._client.v1.customers.create_async(
                params={"metadata": {"user_id": str(user_id)}},
                options={"idempotency_key": f"adscale-customer-{user_id}"},
            )
        except stripe.StripeError as exc:
            self._fail("customers.create", exc)
        return str(customer.id)

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        metadata = {"user_id": str(request.user_id), "plan": request.plan}
        params: SessionCreateParams = {
            "mode": "subscription",
            "line_items": [{"price": request.price_id, "quantity": 1}],
            "customer": request.customer_id,
            "client_reference_id": str(request.user_id),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        try:
            session = await self._client.v1.checkout.sessions.create_async(
                params=params, options={"idempotency_key": request.idempotency_key}
            )
        except stripe.StripeError as exc:
            self._fail("checkout.sessions.create", exc)
        if not session.url:
            raise PaymentProviderError("The payment provider returned no checkout URL")
        return CheckoutSession(id=str(session.id), url=str(session.url))

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        try:
            portal = await self._client.v1.billing_portal.sessions.create_async(
                params={"customer": customer_id, "return_url": return_url}
            )
        except stripe.StripeError as exc:
            self._fail("billing_portal.sessions.create", exc)
        return str(portal.url)
