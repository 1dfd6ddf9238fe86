"""Google client: Data Manager API for audiences, Google Ads API for accounts and campaigns.

Hosts: ``google_accounts_url`` (OAuth consent page), ``google_oauth2_url`` (token
endpoint), ``google_datamanager_url`` (Data Manager API v1), ``google_ads_url`` (Google Ads
API, version ``google_ads_api_version``).

* OAuth 2.0 authorization code flow with PKCE S256: ``{accounts}/o/oauth2/v2/auth``
  (``access_type=offline``, ``prompt=consent``) and ``POST {oauth2}/token``; scopes
  ``.../auth/datamanager`` and ``.../auth/adwords``.
* Ad accounts: ``GET /{v}/customers:listAccessibleCustomers`` then a ``googleAds:searchStream``
  on ``customer`` for name and currency (``developer-token`` header on every Ads call,
  ``login-customer-id`` when a manager account is configured).
* Audiences: ``userLists.create`` (``POST /v1/accountTypes/GOOGLE_ADS/accounts/{id}/userLists``
  with ``displayName``, ``description``, ``membershipDuration``, ``ingestedUserListInfo``),
  ``get`` and ``delete`` on the user list resource name. The platform audience id returned
  by :meth:`GoogleClient.create_audience` is that resource name
  (``accountTypes/GOOGLE_ADS/accounts/{account}/userLists/{list}``): it carries the
  operating account the ingest destination needs. Size is
  ``sizeInfo.displayNetworkMembersCount``; match rate
  ``ingestedUserListInfo.contactIdInfo.matchRatePercentage``.
* Members: ``POST /v1/audienceMembers:ingest`` / ``:remove`` with ``destinations[]``
  (``operatingAccount``, ``productDestinationId`` = the user list id), ``audienceMembers[]``
  (``userData.userIdentifiers``: ``emailAddress``, ``phoneNumber`` or ``address``),
  ``consent``, ``encoding: HEX`` and ``termsOfService``; at most 10,000 members per request.
  Full replace without a gap: note time *T*, ingest everything, then
  ``POST /v1/audienceMembers:removeAll`` with ``removeAsOfTime = T`` (members last added
  before *T* are removed, the ones just ingested stay).
* Insights: ``googleAds:searchStream`` on ``campaign`` by ``segments.date``; updates:
  ``campaigns:mutate`` (status) and ``campaignBudgets:mutate`` (``amount_micros``).
* Errors: ``google.rpc.Status`` (``{"error": {"code", "message", "status", "details"}}``,
  a list of them from ``searchStream``) and OAuth ``{"error", "error_description"}``; see
  :func:`google_error`.
"""

from __future__ import annotations

from adscale_platforms.google.audiences import GoogleAudiences, parse_user_list_name
from adscale_platforms.google.campaigns import GoogleAds
from adscale_platforms.google.errors import google_error
from adscale_platforms.google.oauth import GoogleOAuth

__all__ = ["GoogleClient", "google_error", "parse_user_list_name"]


class GoogleClient(GoogleOAuth, GoogleAds, GoogleAudiences):
    """Data Manager + Google Ads API client: OAuth (:mod:`.oauth`), accounts and campaigns
    (:mod:`.campaigns`), audiences and members (:mod:`.audiences`), errors (:mod:`.errors`)."""
