"""Sample payloads of every event type, shared by the contract tests of producers and consumers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adscale_contracts import events as e


def samples() -> list[e.EventData]:
    """One valid payload of every event type (contract tests feed them to every consumer)."""
    now = datetime.now(UTC) + timedelta(hours=1)
    return [
        e.UserRegistered(user_id=uuid.uuid4(), plan="free", external_user_id="crm-42"),
        e.ApiKeyCreated(
            user_id=uuid.uuid4(), api_key_id=uuid.uuid4(), prefix="adscale_live_AbC123"
        ),
        e.ApiKeyRevoked(user_id=uuid.uuid4(), api_key_id=uuid.uuid4()),
        e.PasswordResetRequested(user_id=uuid.uuid4(), expires_at=now),
        e.PasswordChanged(user_id=uuid.uuid4()),
        e.SessionsEnded(user_id=uuid.uuid4(), session_ids=[uuid.uuid4(), uuid.uuid4()]),
        e.PlanChanged(
            user_id=uuid.uuid4(),
            old_plan="free",
            new_plan="pro",
            reason="checkout.session.completed",
        ),
        e.CampaignCreated(
            campaign_id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            ad_account_id=uuid.uuid4(),
            platform="meta",
            name="Spring",
            status="draft",
        ),
        e.CampaignUpdated(
            campaign_id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            changed=["status"],
            status="paused",
            budget_daily=Decimal("12.50"),
        ),
        e.CampaignDeleted(campaign_id=uuid.uuid4(), user_id=uuid.uuid4(), ad_groups_deleted=3),
        e.AdGroupCreated(ad_group_id=uuid.uuid4(), campaign_id=uuid.uuid4(), user_id=uuid.uuid4()),
        e.AdGroupUpdated(
            ad_group_id=uuid.uuid4(),
            campaign_id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            changed=["name"],
        ),
        e.AdGroupDeleted(ad_group_id=uuid.uuid4(), campaign_id=uuid.uuid4(), user_id=uuid.uuid4()),
        e.RuleExecuted(
            rule_id=uuid.uuid4(),
            run_id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            rule_name="Stop losers",
            trigger="schedule",
            object_type="campaign",
            campaign_id=uuid.uuid4(),
            object_name="Spring sale",
            action="pause",
            old_value="active",
            new_value="paused",
            description="Paused campaign 'Spring sale': ROAS 0.50 < 1.00 over the last 7 days",
        ),
        e.SyncCompleted(
            job_id=uuid.uuid4(),
            audience_id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            platform="meta",
            operation="update",
            profiles_sent=68,
            profiles_added=68,
            match_rate=88.7,
            duration_ms=4200,
        ),
        e.SyncFailed(
            job_id=uuid.uuid4(),
            audience_id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            platform="google",
            error_code="PLATFORM_ERROR",
            error_message="Rate limit exceeded",
        ),
        e.ProfileErased(
            erasure_id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            status="completed",
            profiles_erased=2,
            audiences_completed=2,
            exports_revoked=1,
            identifier_hashes=["836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"],
        ),
    ]
