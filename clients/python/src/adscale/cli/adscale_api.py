"""Nouns of the AdScale API: accounts, campaigns, ad-groups, creatives, billing, keys (rules
live in :mod:`adscale.cli.rules`)."""

from __future__ import annotations

import webbrowser

import typer

from adscale.cli.app import OutputOpt, body_from, state, sub
from adscale.cli.crud import Noun, add_delete, add_list, crud, list_items
from adscale.cli.output import Output, emit
from adscale.cli.rules import rules_app
from adscale.pagination import OFFSET

ACCOUNTS = Noun(
    "/accounts", OFFSET, ("id", "platform", "account_id_external", "account_name", "status")
)
CAMPAIGNS = Noun(
    "/campaigns",
    OFFSET,
    ("id", "name", "platform", "objective", "status", "budget_daily", "budget_lifetime"),
    filters=("ad_account_id", "status", "name_contains"),
)
AD_GROUPS = Noun(
    "/ad-groups",
    OFFSET,
    ("id", "campaign_id", "name", "bid_strategy", "status"),
    ("campaign_id", "name_contains"),
)
CREATIVES = Noun(
    "/creatives",
    OFFSET,
    ("id", "ad_group_id", "headline", "call_to_action", "status"),
    ("ad_group_id",),
)
KEYS = Noun("/api-keys", OFFSET, ("id", "name", "prefix", "created_at", "last_used_at"))
METRIC_COLUMNS = ("date", "impressions", "clicks", "conversions", "spend", "revenue", "roas")
TOTALS_COLUMNS = (
    "campaign_id",
    "name",
    "platform",
    "spend",
    "revenue",
    "roas",
    "conversions",
    "cpa",
)
StartDate = typer.Option(None, "--start-date", help="first day (YYYY-MM-DD)")
EndDate = typer.Option(None, "--end-date", help="last day (YYYY-MM-DD)")


def campaigns_app() -> typer.Typer:
    app = sub("campaigns", "Campaigns and their metrics.")
    crud(app, CAMPAIGNS, "campaigns")

    @app.command("metrics")
    def metrics(
        ctx: typer.Context,
        campaign_id: str = typer.Argument(..., metavar="ID"),
        start_date: str | None = typer.Option(None, "--start-date"),
        end_date: str | None = typer.Option(None, "--end-date"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Daily metric rows of a campaign."""
        noun = Noun(f"/metrics/campaign/{campaign_id}", OFFSET, METRIC_COLUMNS)
        rows = list_items(ctx, noun, {"start_date": start_date, "end_date": end_date}, None)
        emit(rows, output, METRIC_COLUMNS)

    @app.command("overview")
    def overview(
        ctx: typer.Context,
        start_date: str | None = typer.Option(None, "--start-date"),
        end_date: str | None = typer.Option(None, "--end-date"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Aggregate metrics across all campaigns."""
        params = {"start_date": start_date, "end_date": end_date}
        emit(state(ctx).client().call("GET", "/metrics/overview", params=params), output)

    @app.command("daily")
    def daily(
        ctx: typer.Context,
        start_date: str | None = StartDate,
        end_date: str | None = EndDate,
        output: OutputOpt = Output.table,
    ) -> None:
        """Daily metrics summed across all campaigns (the days with any)."""
        noun = Noun("/metrics/daily", OFFSET, METRIC_COLUMNS)
        rows = list_items(ctx, noun, {"start_date": start_date, "end_date": end_date}, None)
        emit(rows, output, METRIC_COLUMNS)

    @app.command("totals")
    def totals(
        ctx: typer.Context,
        start_date: str | None = StartDate,
        end_date: str | None = EndDate,
        limit: int | None = typer.Option(None, "--limit", help="stop after this many"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Each campaign's totals over the dates, most spend first (those with any metrics)."""
        noun = Noun("/metrics/campaigns", OFFSET, TOTALS_COLUMNS)
        rows = list_items(ctx, noun, {"start_date": start_date, "end_date": end_date}, limit)
        emit(rows, output, TOTALS_COLUMNS)

    return app


def creatives_app() -> typer.Typer:
    app = sub("creatives", "Ad creatives, and AI ad copy.")
    crud(app, CREATIVES, "creatives")

    @app.command("generate-copy")
    def generate_copy(
        ctx: typer.Context,
        product_name: str = typer.Option(..., "--product-name"),
        product_description: str = typer.Option(..., "--product-description"),
        target_audience: str | None = typer.Option(None, "--target-audience"),
        tone: str | None = typer.Option(None, "--tone"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Generate a headline, description and call to action for a product."""
        body = body_from(
            None,
            None,
            product_name=product_name,
            product_description=product_description,
            target_audience=target_audience,
            tone=tone,
        )
        emit(state(ctx).client().call("POST", "/creatives/generate-copy", json=body), output)

    return app


def billing_app() -> typer.Typer:
    app = sub("billing", "Plans, upgrade (Stripe Checkout), usage.")

    @app.command("plans")
    def plans(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
        """Plan tiers and their prices."""
        rows = state(ctx).client().call("GET", "/billing/plans")
        emit(rows, output, ("id", "name", "price", "currency", "interval", "api_access"))

    @app.command("upgrade")
    def upgrade(
        ctx: typer.Context,
        plan: str = typer.Argument(..., help="pro or enterprise"),
        browser: bool = typer.Option(True, "--browser/--no-browser", help="open the checkout page"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Start a Stripe Checkout for PLAN and open its page."""
        answer = state(ctx).client().call("POST", "/billing/checkout", json={"plan": plan})
        if browser:
            webbrowser.open(answer["url"])
        emit(answer, output)

    @app.command("usage")
    def usage(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
        """Plan limits and what is used of them."""
        emit(state(ctx).client().call("GET", "/usage"), output)

    @app.command("overview")
    def overview(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
        """Billing overview with usage stats."""
        emit(state(ctx).client().call("GET", "/billing/overview"), output)

    @app.command("current")
    def current(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
        """The current subscription (null without one)."""
        emit(state(ctx).client().call("GET", "/billing/current"), output)

    return app


def keys_app() -> typer.Typer:
    app = sub("keys", "API keys (the raw key is shown once, at creation).")
    add_list(app, KEYS, "List API keys (never the raw keys).")

    @app.command("create")
    def create(
        ctx: typer.Context,
        name: str = typer.Argument(...),
        output: OutputOpt = Output.table,
    ) -> None:
        """Create an API key; store the printed key, it is never shown again."""
        emit(state(ctx).client().call("POST", "/api-keys", json={"name": name}), output)

    add_delete(app, KEYS, "Revoke an API key.", name="revoke")
    return app


def register(app: typer.Typer) -> None:
    accounts = sub("accounts", "Connected ad accounts (Google, Meta).")
    crud(accounts, ACCOUNTS, "ad accounts")
    ad_groups = sub("ad-groups", "Ad groups of campaigns.")
    crud(ad_groups, AD_GROUPS, "ad groups")
    for group in (accounts, campaigns_app(), ad_groups, creatives_app(), rules_app()):
        app.add_typer(group)
    app.add_typer(billing_app())
    app.add_typer(keys_app())
