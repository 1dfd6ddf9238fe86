"""The route table: which service owns which public prefix (DESIGN.md, "Shape")."""

from __future__ import annotations

import re

API_PREFIX = "/api/v1"

# Longest prefixes first; a prefix matches the path itself or anything under "<prefix>/".
ROUTE_TABLE: tuple[tuple[str, str], ...] = (
    ("/api/v1/cdp/audience-sync", "audience-sync"),
    ("/api/v1/cdp/segments", "audience-sync"),
    ("/api/v1/cdp/erasures", "audience-sync"),
    ("/api/v1/cdp/suppressions", "audience-sync"),
    ("/api/v1/cdp/people", "audience-sync"),
    ("/api/v1/auth", "identity"),
    ("/api/v1/api-keys", "identity"),
    ("/api/v1/accounts", "campaigns"),
    ("/api/v1/campaigns", "campaigns"),
    ("/api/v1/ad-groups", "campaigns"),
    ("/api/v1/creatives", "campaigns"),
    ("/api/v1/metrics", "campaigns"),
    ("/api/v1/rules", "campaigns"),
    ("/api/v1/rule-runs", "campaigns"),
    ("/api/v1/billing", "billing"),
    ("/api/v1/usage", "billing"),
)


# The spec's public endpoints (no auth), plus the other routes that need none.
PUBLIC_PATHS = frozenset(
    {
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/forgot-password",
        "/api/v1/auth/reset-password",
        "/api/v1/billing/plans",
        "/api/v1/billing/webhooks/stripe",
    }
)


# Signed links: the signature in the query is the credential (audience-sync export files).
PUBLIC_PATTERNS = (re.compile(r"^/api/v1/cdp/audience-sync/exports/[^/]+/download$"),)


def is_public(path: str) -> bool:
    """Whether ``path`` needs no credentials, so stale ones sent along are ignored."""
    path = path.rstrip("/")
    return path in PUBLIC_PATHS or any(p.match(path) for p in PUBLIC_PATTERNS)


def upstream_for(path: str) -> str | None:
    for prefix, service in ROUTE_TABLE:
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None
