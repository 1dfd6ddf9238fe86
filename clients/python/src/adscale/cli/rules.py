"""`adscale rules`: the rules themselves, running them now, their runs, undo and backtest."""

from __future__ import annotations

from typing import Any

import typer

from adscale.cli.app import OutputOpt, state, sub
from adscale.cli.crud import Noun, crud, list_items
from adscale.cli.output import Output, emit, table_of
from adscale.pagination import OFFSET

RULES = Noun(
    "/rules", OFFSET, ("id", "name", "rule_type", "threshold", "is_active", "executions_count")
)
RUN_COLUMNS = (
    "id",
    "trigger",
    "dry_run",
    "campaigns_evaluated",
    "campaigns_affected",
    "started_at",
    "undone_at",
)
OBJECT_COLUMNS = (
    "object_type",
    "campaign_name",
    "ad_group_name",
    "action",
    "old_value",
    "new_value",
    "outcome",
    "platform_status",
)
BACKTEST_COLUMNS = ("date", "objects_evaluated", "actions", "spend_touched", "roas_touched")

IdArg = typer.Argument(..., metavar="ID")
RunIdArg = typer.Argument(..., metavar="RUN_ID")


def rules_app() -> typer.Typer:
    app = sub("rules", "Automation rules: dry-run, execute, runs, undo, backtest.")
    crud(app, RULES, "rules")

    def execute_now(ctx: typer.Context, rule_id: str, dry_run: bool, output: Output) -> None:
        params = {"dry_run": "true" if dry_run else "false"}
        answer = state(ctx).client().call("POST", f"/rules/{rule_id}/execute", params=params)
        emit(answer, output)

    @app.command("dry-run")
    def dry_run(ctx: typer.Context, rule_id: str = IdArg, output: OutputOpt = Output.table) -> None:
        """What executing the rule now would change, changing nothing."""
        execute_now(ctx, rule_id, True, output)

    @app.command("execute")
    def execute(ctx: typer.Context, rule_id: str = IdArg, output: OutputOpt = Output.table) -> None:
        """Execute the rule now."""
        execute_now(ctx, rule_id, False, output)

    @app.command("executions")
    def executions(
        ctx: typer.Context, rule_id: str = IdArg, output: OutputOpt = Output.table
    ) -> None:
        """Past executions of the rule (the spec's summary of each)."""
        noun = Noun(f"/rules/{rule_id}/executions", OFFSET, ())
        columns = ("id", "trigger", "campaigns_evaluated", "campaigns_affected", "finished_at")
        emit(list_items(ctx, noun, {}, None), output, columns)

    @app.command("runs")
    def runs(
        ctx: typer.Context,
        rule_id: str = IdArg,
        limit: int | None = typer.Option(None, "--limit", help="At most this many runs."),
        output: OutputOpt = Output.table,
    ) -> None:
        """Runs of the rule, newest first: scheduled, manual, dry runs and undos."""
        noun = Noun(f"/rules/{rule_id}/runs", OFFSET, RUN_COLUMNS)
        emit(list_items(ctx, noun, {}, limit), output, RUN_COLUMNS)

    @app.command("run")
    def run(ctx: typer.Context, run_id: str = RunIdArg, output: OutputOpt = Output.table) -> None:
        """One run with every object it touched, old and new values."""
        detail: dict[str, Any] = state(ctx).client().call("GET", f"/rule-runs/{run_id}")
        if output is not Output.table:
            emit(detail, output)
            return
        summary = {k: v for k, v in detail.items() if k != "objects"}
        emit(summary, output)
        table_of(detail["objects"]["items"], OBJECT_COLUMNS, title="objects")

    @app.command("undo")
    def undo(ctx: typer.Context, run_id: str = RunIdArg, output: OutputOpt = Output.table) -> None:
        """Restore what the rule's latest run changed (refused if something moved since)."""
        emit(state(ctx).client().call("POST", f"/rule-runs/{run_id}/undo"), output)

    @app.command("backtest")
    def backtest(
        ctx: typer.Context,
        rule_id: str = IdArg,
        start_date: str = typer.Option(..., "--start-date", help="First day (YYYY-MM-DD)."),
        end_date: str = typer.Option(..., "--end-date", help="Last day (YYYY-MM-DD)."),
        output: OutputOpt = Output.table,
    ) -> None:
        """Replay the rule day by day over stored metrics; nothing is changed."""
        body = {"start_date": start_date, "end_date": end_date}
        result = state(ctx).client().call("POST", f"/rules/{rule_id}/backtest", json=body)
        if output is not Output.table:
            emit(result, output)
            return
        days = [{**day, "actions": len(day["actions"])} for day in result["days"]]
        table_of(days, BACKTEST_COLUMNS, title=f"backtest {start_date} .. {end_date}")
        emit({k: result[k] for k in ("actions_total", "spend_touched", "roas_touched")}, output)

    return app
