from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.paged import page_of
from adscale_common.repository import OwnedRepository
from campaigns.models import (
    AdAccount,
    AdGroup,
    Campaign,
    Rule,
    RuleAction,
    RuleExecution,
)
from campaigns.rule.engine import Sums
from campaigns.rule.errors import RuleNotFound
from campaigns.rule.language import Scope, window_days

owned = OwnedRepository(Rule, not_found=RuleNotFound)


def _has_schedule() -> sa.ColumnElement[bool]:
    conditions = sa.type_coerce(col(Rule.conditions), pg.JSONB)
    has: sa.ColumnElement[bool] = conditions.has_key("schedule")  # the JSONB ? operator
    return has


async def lock_nowait(session: AsyncSession, rule_id: uuid.UUID) -> Rule | None:
    """The rule, locked; raises ``DBAPIError`` (55P03) when another execution holds it."""
    stmt = (
        sa.select(Rule)
        .where(col(Rule.id) == rule_id)
        .with_for_update(nowait=True)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_due(session: AsyncSession, due_before: datetime) -> Rule | None:
    """One active rule due for a scheduled run, locked; rules locked elsewhere are skipped."""
    stmt = (
        sa.select(Rule)
        .where(
            col(Rule.is_active).is_(True),
            sa.not_(_has_schedule()),  # those run by slot
            sa.or_(col(Rule.last_executed).is_(None), col(Rule.last_executed) <= due_before),
        )
        .order_by(col(Rule.last_executed).asc().nulls_first(), col(Rule.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def scheduled(session: AsyncSession) -> list[Any]:
    """Active rules with a schedule: (id, user_id, conditions, created_at)."""
    stmt = sa.select(
        col(Rule.id), col(Rule.user_id), col(Rule.conditions), col(Rule.created_at)
    ).where(col(Rule.is_active).is_(True), _has_schedule())
    return list((await session.execute(stmt)).all())


async def first_account_zones(
    session: AsyncSession, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Each user's oldest ad account's time zone (a schedule without its own runs in it)."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    stmt = (
        sa.select(col(AdAccount.user_id), col(AdAccount.time_zone))
        .where(col(AdAccount.user_id).in_(ids))
        .order_by(col(AdAccount.created_at).desc(), col(AdAccount.id).desc())
    )
    # Newest first, so the oldest account's zone is the one left in the dict.
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def slots_taken(
    session: AsyncSession, slots: Sequence[tuple[uuid.UUID, datetime]]
) -> set[tuple[uuid.UUID, datetime]]:
    if not slots:
        return set()
    stmt = sa.select(col(RuleExecution.rule_id), col(RuleExecution.slot_at)).where(
        sa.tuple_(col(RuleExecution.rule_id), col(RuleExecution.slot_at)).in_(slots)
    )
    rows: Sequence[Any] = (await session.execute(stmt)).all()
    return {(row[0], row[1]) for row in rows}


async def active_rules_of(session: AsyncSession, user_id: uuid.UUID) -> list[Rule]:
    stmt = (
        sa.select(Rule)
        .where(col(Rule.user_id) == user_id, col(Rule.is_active).is_(True))
        .order_by(col(Rule.created_at), col(Rule.id))
    )
    return list((await session.execute(stmt)).scalars())


async def lock_skip(session: AsyncSession, rule_id: uuid.UUID) -> Rule | None:
    """The rule locked, or ``None`` when another transaction holds it (or it is gone)."""
    stmt = (
        sa.select(Rule)
        .where(col(Rule.id) == rule_id, col(Rule.is_active).is_(True))
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


@dataclass(frozen=True)
class Candidate:
    """An object a rule judges: a campaign, or an ad group with its campaign."""

    campaign: Campaign
    account: AdAccount
    ad_group: AdGroup | None = None

    @property
    def object_id(self) -> uuid.UUID:
        return self.ad_group.id if self.ad_group is not None else self.campaign.id


async def candidates(
    session: AsyncSession,
    user_id: uuid.UUID,
    scope: Scope,
    *,
    lock: bool,
    in_campaigns: list[uuid.UUID] | None = None,
) -> list[Candidate]:
    """The user's objects in ``scope``, with campaign and account (locked when acting);
    with ``in_campaigns``, only those of these campaigns."""
    statuses = list(scope.statuses or ["active"])
    judged: type[Campaign] | type[AdGroup] = Campaign if scope.level == "campaign" else AdGroup
    entities: list[Any] = [Campaign, AdAccount] + ([AdGroup] if judged is AdGroup else [])
    stmt = sa.select(*entities).join(AdAccount, col(AdAccount.id) == col(Campaign.ad_account_id))
    if judged is AdGroup:
        stmt = stmt.join(AdGroup, col(AdGroup.campaign_id) == col(Campaign.id))
    stmt = stmt.where(col(judged.user_id) == user_id, col(judged.status).in_(statuses)).order_by(
        col(judged.id)
    )
    if scope.ids is not None:
        stmt = stmt.where(col(judged.id).in_(scope.ids))
    if in_campaigns is not None:
        stmt = stmt.where(col(Campaign.id).in_(in_campaigns))
    if scope.name_contains is not None:
        stmt = stmt.where(col(judged.name).icontains(scope.name_contains, autoescape=True))
    if scope.platforms is not None:
        stmt = stmt.where(col(AdAccount.platform).in_(scope.platforms))
    if lock:
        stmt = stmt.with_for_update(of=judged)
    rows = (await session.execute(stmt)).all()
    return [Candidate(r[0], r[1], r[2] if judged is AdGroup else None) for r in rows]


def _window_bounds(window: str) -> tuple[int | None, int]:
    """(days back to the first day or None for lifetime, days back to the last day)."""
    days = window_days(window)
    if days is not None:
        return days - 1, 0
    return {"today": (0, 0), "yesterday": (1, 1), "lifetime": (None, 0)}[window]


SUMMED = ("spend", "revenue", "impressions", "clicks", "conversions")


async def window_totals(
    session: AsyncSession,
    campaigns: Mapping[uuid.UUID, date],
    sums: Mapping[str, set[str]],
) -> dict[uuid.UUID, dict[str, Sums]]:
    """Per campaign, the ``sums`` (window -> columns) over windows ending on the day it maps
    to (its "today" in its ad account's time zone, or a replayed day); columns not asked
    for stay 0. One scan per distinct day."""
    by_day: dict[date, list[uuid.UUID]] = {}
    for campaign_id, today in campaigns.items():
        by_day.setdefault(today, []).append(campaign_id)
    wanted = [(w, m) for w in sorted(sums) for m in SUMMED if m in sums[w]]
    result: dict[uuid.UUID, dict[str, Sums]] = {}
    for today, ids in by_day.items():
        result.update(await _sums(session, ids, wanted, today))
    return result


async def _sums(
    session: AsyncSession, ids: list[uuid.UUID], wanted: list[tuple[str, str]], today: date
) -> dict[uuid.UUID, dict[str, Sums]]:
    params: dict[str, Any] = {"ids": ids, "today": today}
    columns: list[str] = []
    firsts: list[int | None] = []
    for i, (window, metric) in enumerate(wanted):
        first, last = _window_bounds(window)
        firsts.append(first)
        params[f"last{i}"] = today - timedelta(days=last)
        condition = f"day <= :last{i}"
        if first is not None:
            params[f"first{i}"] = today - timedelta(days=first)
            condition += f" AND day >= :first{i}"
        columns.append(f"sum({metric}) FILTER (WHERE {condition})")
    where = "campaign_id = ANY(:ids) AND day <= :today"
    if firsts and None not in firsts:
        params["oldest"] = today - timedelta(days=max(f for f in firsts if f is not None))
        where += " AND day >= :oldest"
    # Windows and columns come from validated names (today, yesterday, last_N_days,
    # lifetime; SUMMED): no user text reaches this statement.
    selected = ", ".join(["campaign_id", *columns])
    stmt = sa.text(
        f"SELECT {selected} FROM campaign_metric WHERE {where} GROUP BY campaign_id"  # noqa: S608
    ).bindparams(sa.bindparam("ids", type_=pg.ARRAY(pg.UUID(as_uuid=True))))
    out: dict[uuid.UUID, dict[str, Sums]] = {}
    for row in (await session.execute(stmt, params)).all():
        values: dict[str, dict[str, Any]] = {}
        for (window, metric), value in zip(wanted, row[1:], strict=True):
            if value is not None:
                values.setdefault(window, {})[metric] = (
                    int(value) if metric in ("impressions", "clicks") else value
                )
        out[row[0]] = {window: Sums(**got) for window, got in values.items()}
    return out


ACTION_COLUMNS = (
    "id",
    "execution_id",
    "rule_id",
    "campaign_id",
    "campaign_name",
    "object_type",
    "ad_group_id",
    "ad_group_name",
    "action",
    "outcome",
    "reason",
    "metric_value",
    "old_value",
    "new_value",
    "description",
    "evaluation",
    "platform_status",
    "created_at",
)


async def record_actions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Write a run's per-object rows with COPY (a run may judge tens of thousands).

    ``evaluation`` is given as JSON text.
    """
    if not rows:
        return
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(
        "rule_action",
        columns=ACTION_COLUMNS,
        records=[tuple(row[c] for c in ACTION_COLUMNS) for row in rows],
    )


async def requeue_refused(
    session: AsyncSession, rule_id: uuid.UUID, max_attempts: int
) -> list[uuid.UUID]:
    """This rule's actions the platform refused, back to ``pending`` while attempts remain."""
    stmt = (
        sa.update(RuleAction)
        .where(
            col(RuleAction.rule_id) == rule_id,
            col(RuleAction.platform_status) == "failed",
            col(RuleAction.platform_attempts) < max_attempts,
            col(RuleAction.undone_at).is_(None),
        )
        .values(platform_status="pending")
        .returning(col(RuleAction.id))
    )
    return list((await session.execute(stmt)).scalars())


async def last_applied(
    session: AsyncSession,
    rule_id: uuid.UUID,
    object_ids: Sequence[uuid.UUID],
    *,
    ad_groups: bool = False,
) -> dict[uuid.UUID, datetime]:
    """When this rule last acted on each object (dry runs don't count)."""
    if not object_ids:
        return {}
    key = col(RuleAction.ad_group_id) if ad_groups else col(RuleAction.campaign_id)
    stmt = (
        sa.select(key, sa.func.max(col(RuleAction.created_at)))
        .join(RuleExecution, col(RuleExecution.id) == col(RuleAction.execution_id))
        .where(
            col(RuleAction.rule_id) == rule_id,
            col(RuleAction.outcome) == "applied",
            col(RuleExecution.dry_run).is_(False),
            key.in_(object_ids),
        )
        .group_by(key)
    )
    rows: Sequence[Any] = (await session.execute(stmt)).all()
    return {row[0]: row[1] for row in rows}


async def runs(
    session: AsyncSession, rule_id: uuid.UUID, offset: int, limit: int, *, real_only: bool
) -> tuple[Sequence[RuleExecution], int]:
    """A rule's runs, newest first (``real_only``: no dry runs)."""
    where = [col(RuleExecution.rule_id) == rule_id]
    if real_only:
        where.append(col(RuleExecution.dry_run).is_(False))
    return await page_of(
        session,
        sa.select(RuleExecution).where(*where),
        col(RuleExecution.started_at).desc(),
        col(RuleExecution.id),
        offset=offset,
        limit=limit,
    )


async def executions(
    session: AsyncSession, rule_id: uuid.UUID, offset: int, limit: int
) -> tuple[Sequence[RuleExecution], dict[uuid.UUID, list[RuleAction]], int]:
    found, total = await runs(session, rule_id, offset, limit, real_only=True)
    rows = list(found)
    actions: dict[uuid.UUID, list[RuleAction]] = {r.id: [] for r in rows}
    if rows:
        for action in (
            await session.execute(
                sa.select(RuleAction)
                .where(
                    col(RuleAction.execution_id).in_(list(actions)),
                    col(RuleAction.outcome).in_(("applied", "skipped")),
                )
                .order_by(col(RuleAction.created_at), col(RuleAction.campaign_name))
            )
        ).scalars():
            actions[action.execution_id].append(action)
    return rows, actions, int(total)
