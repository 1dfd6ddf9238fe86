"""Snapchat Marketing API (v1) client.

Hosts: ``snapchat_adsapi_url`` (Ads API) and ``snapchat_accounts_url`` (OAuth).

* OAuth: ``{accounts}/login/oauth2/authorize`` (``client_id``, ``redirect_uri``,
  ``response_type=code``, ``scope=snapchat-marketing-api``, ``state``) and
  ``POST {accounts}/login/oauth2/access_token`` (form-encoded; ``grant_type``
  ``authorization_code`` or ``refresh_token``). Access tokens last about 30 minutes; a 401
  means refresh. No PKCE in the Marketing API's documented flow.
* Ad accounts: ``GET /v1/me/organizations?with_ad_accounts=true``.
* Audiences (Snap Audience Match "Customer Lists"): ``POST /v1/adaccounts/{id}/segments``
  with ``{"segments": [{name, description, source_type: FIRST_PARTY, retention_in_days,
  ad_account_id}]}``, ``GET`` / ``DELETE /v1/segments/{id}``; size is
  ``approximate_number_users``, status ``targetable_status`` (``upload_status`` while
  processing). Snapchat reports no match rate.
* Members: ``POST /v1/segments/{id}/users`` and ``DELETE /v1/segments/{id}/users`` with
  ``{"users": [{"schema": ["EMAIL_SHA256"], "data": [["<hash>"], ...]}]}`` (the removal
  also names the segment ``id``); one identifier type per request, at most 100,000
  identifiers per request. Rows are profiles with several identifier fields: each batch of
  profiles goes out as one request per type (lanes), reported once.
  Full replace: ``DELETE /v1/segments/{id}/all_users``, then add.
* Errors: ``{"request_status": "ERROR", "request_id", "debug_message", "display_message",
  "error_code"}`` with HTTP 400/401/403/404/429/5xx; see :func:`snapchat_error`.
"""

from __future__ import annotations

from adscale_platforms.snapchat.audiences import SnapchatAudiences
from adscale_platforms.snapchat.errors import snapchat_error
from adscale_platforms.snapchat.oauth import SnapchatOAuth

__all__ = ["SnapchatClient", "snapchat_error"]


class SnapchatClient(SnapchatOAuth, SnapchatAudiences):
    """Snapchat Marketing API client: OAuth and accounts (:mod:`.oauth`), segments and
    members (:mod:`.audiences`), errors (:mod:`.errors`)."""
