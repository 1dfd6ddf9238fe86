"""Rule evaluation speed: one rule over 10,000 campaigns x 90 days of metrics in <= 2 s.

Creates a scratch database migrated by campaigns' Alembic scripts, seeds one user with
one ad account, N active campaigns and D days of daily metrics each (COPY), then runs a
multi-filter rule (three windows, an ``any`` group) the way ``POST /rules/{id}/execute``
does: once as a dry run (the evaluation: every object judged and recorded, nothing
changed; this is the figure held to the 2-second target) and once for real (a quarter of
the campaigns paused, each with its ``campaign_updated`` and ``campaigns.rule_executed``
events, every campaign in scope locked). Prints the seconds of each and the ratio to the
target. The database is dropped afterwards.

The admin URL comes from ``ADSCALE_TEST_DATABASE_URL``, else from the provisioned stack
(``ADSCALE_HOME``, see deploy/stack.py).

    uv run python bench/rules.py                      # 10,000 campaigns x 90 days
    uv run python bench/rules.py --campaigns 2000 --days 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
ALEMBIC_INI = ROOT / "services" / "campaigns" / "alembic.ini"
TARGET_SECONDS = 2.0
sys.path.insert(0, str(ROOT / "deploy"))

from adscale_common.db import make_engine, make_sessionmaker  # noqa: E402
from adscale_common.settings import async_database_url  # noqa: E402
from adscale_common.testing import migrated_database  # noqa: E402
from campaigns.models import Rule  # noqa: E402
from campaigns.rule import runner  # noqa: E402

CONDITIONS = {
    "filters": [
        {"metric": "roas", "operator": "<", "value": 1, "window": "last_7_days"},
        {"metric": "spend", "operator": ">=", "value": 20, "window": "last_30_days"},
    ],
    "any": [
        {"metric": "ctr", "operator": "<", "value": 0.01, "window": "last_14_days"},
        {"metric": "cpa", "operator": "between", "value": [40, 1000], "window": "lifetime"},
    ],
    "cooldown_hours": 0,
}


def admin_url() -> str:
    url = os.environ.get("ADSCALE_TEST_DATABASE_URL")
    if url:
        return url
    from stack import base_env

    url = base_env().get("ADSCALE_DATABASE_URL", "")
    if not url:
        sys.exit("no database: set ADSCALE_TEST_DATABASE_URL or provision the stack first")
    return url


async def seed(url: str, campaigns: int, days: int, today: date) -> uuid.UUID:
    """One user, one account, ``campaigns`` active campaigns, ``days`` of metrics each.

    Every fourth campaign loses money (ROAS 0.5) with a low CTR: the rule's matches.
    """
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        user = uuid.uuid4()
        account = uuid.uuid4()
        now = datetime.now(UTC)
        await conn.execute(
            "INSERT INTO ad_account (id, user_id, platform, account_id_external, status, "
            "time_zone, connected_at, created_at, updated_at) "
            "VALUES ($1, $2, 'meta', 'bench', 'active', 'Europe/Paris', $3, $3, $3)",
            account,
            user,
            now,
        )
        ids = [uuid.uuid4() for _ in range(campaigns)]
        await conn.copy_records_to_table(
            "campaign",
            columns=[
                "id", "user_id", "ad_account_id", "platform", "name", "objective", "status",
                "budget_daily", "created_at", "updated_at",
            ],
            records=[
                (cid, user, account, "meta", f"Campaign {i}", "sales", "active",
                 Decimal("50.00"), now, now)
                for i, cid in enumerate(ids)
            ],
        )  # fmt: skip
        rows = []
        for i, cid in enumerate(ids):
            losing = i % 4 == 0
            for back in range(days):
                rows.append(
                    (
                        cid,
                        today - timedelta(days=back),
                        1000 + i % 100,
                        5 if losing else 30,
                        Decimal(0) if losing else Decimal(2),
                        Decimal("10.00"),
                        Decimal("5.00") if losing else Decimal("30.00"),
                        now,
                    )
                )
        await conn.copy_records_to_table(
            "campaign_metric",
            columns=[
                "campaign_id", "day", "impressions", "clicks", "conversions", "spend",
                "revenue", "updated_at",
            ],
            records=rows,
        )  # fmt: skip
        await conn.execute("ANALYZE campaign; ANALYZE campaign_metric; ANALYZE ad_account")
        rule = uuid.uuid4()
        await conn.execute(
            "INSERT INTO rule (id, user_id, name, rule_type, threshold, conditions, is_active, "
            "executions_count, created_at, updated_at) "
            "VALUES ($1, $2, 'bench', 'pause_low_roas', 1, $3::jsonb, false, 0, $4, $4)",
            rule,
            user,
            json.dumps(CONDITIONS),
            now,
        )
        return rule
    finally:
        await conn.close()


async def once(url: str, rule_id: uuid.UUID, *, dry_run: bool) -> tuple[float, int, int]:
    engine = make_engine(async_database_url(url), pool_size=2)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session:
            started = time.perf_counter()
            rule = await session.get(Rule, rule_id)
            assert rule is not None
            outcome = await runner.run(session, rule, trigger="manual", dry_run=dry_run)
            await session.commit()
            seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return seconds, outcome.campaigns_evaluated, outcome.campaigns_affected


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    async with migrated_database(admin_url(), ALEMBIC_INI, prefix="bench_rules") as url:
        started = time.perf_counter()
        rule_id = await seed(url, args.campaigns, args.days, today)
        print(
            f"seeded {args.campaigns:,} campaigns x {args.days} days "
            f"= {args.campaigns * args.days:,} metric rows in {time.perf_counter() - started:.1f} s"
        )
        seconds: dict[str, float] = {}
        for label, dry_run in (("dry run", True), ("execute", False)):
            took, evaluated, affected = await once(url, rule_id, dry_run=dry_run)
            seconds[label] = took
            print(
                f"{label:8} {took:6.3f} s  ({evaluated:,} campaigns judged and recorded, "
                f"{affected:,} matched)  ratio to the {TARGET_SECONDS:.0f} s target: "
                f"{took / TARGET_SECONDS:.2f}"
            )
    evaluation = seconds["dry run"]
    print(
        f"rules: one evaluation {evaluation:.3f} s (target <= {TARGET_SECONDS:.0f} s); "
        f"with its {args.campaigns // 4:,} changes, events and locks {seconds['execute']:.3f} s"
    )
    return 0 if evaluation <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
