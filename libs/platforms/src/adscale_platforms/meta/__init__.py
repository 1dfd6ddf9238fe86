"""Meta Marketing API (Graph API) client.

Hosts: ``meta_graph_url`` (API) and ``meta_www_url`` (login dialog); version
``meta_api_version`` (``v25.0``).

* OAuth: login dialog ``{www}/{version}/dialog/oauth`` (``client_id``, ``redirect_uri``,
  ``state``, ``scope=ads_management,ads_read``, ``response_type=code``); the code is
  exchanged with ``GET {graph}/{version}/oauth/access_token``. No PKCE: Facebook Login's
  PKCE support belongs to its OIDC flow (still "in testing", it returns an ID token), so
  ``code_challenge`` is ignored. Meta issues no refresh token: the server-side token is
  long-lived, and :meth:`MetaClient.refresh` trades a still-valid one for a fresh one with
  ``grant_type=fb_exchange_token``. When the token endpoint does return a
  ``refresh_token``, it is kept and used instead.
* Ad accounts: ``GET /me/adaccounts?fields=account_id,name,currency`` (paged).
* Audiences: ``POST /act_{id}/customaudiences`` (``subtype=CUSTOM``,
  ``customer_file_source``), ``GET /{audience_id}?fields=approximate_count_lower_bound,
  approximate_count_upper_bound,operation_status,delivery_status``, ``DELETE /{id}``.
  Meta reports no match rate, so :attr:`AudienceInfo.match_rate` is ``None``.
* Members: ``POST`` / ``DELETE /{audience_id}/users`` and ``POST /{audience_id}/usersreplace``
  with ``payload{schema, data}`` and ``session{session_id, batch_seq, last_batch_flag,
  estimated_num_total}``; one session per operation, ``batch_seq`` counting from 1 and
  ``last_batch_flag`` true on the final request only. At most 10,000 rows per request.
  Adds and replaces send a JSON body; removals send ``payload`` and ``session`` as
  JSON-valued fields of a form-encoded DELETE body, Meta's documented removal form
  (never the query string, which Graph breaks on past a few hundred rows).
* Insights: ``GET /act_{id}/insights?level=campaign&time_increment=1&time_range=...``;
  campaign updates: ``POST /{campaign_id}`` with ``status`` / ``daily_budget`` (minor units).
* Errors: ``{"error": {"code", "error_subcode", "message", "type", "fbtrace_id"}}``; see
  :func:`meta_error` (:mod:`adscale_platforms.meta.errors`).
"""

from __future__ import annotations

from adscale_platforms.meta.audiences import MetaAudiences
from adscale_platforms.meta.campaigns import MetaCampaigns
from adscale_platforms.meta.errors import meta_error, meta_retry_after
from adscale_platforms.meta.oauth import MetaOAuth

__all__ = ["MetaClient", "meta_error", "meta_retry_after"]


class MetaClient(MetaOAuth, MetaCampaigns, MetaAudiences):
    """Meta Graph API client: OAuth (:mod:`.oauth`), accounts and campaigns
    (:mod:`.campaigns`), audiences and members (:mod:`.audiences`), errors (:mod:`.errors`)."""
