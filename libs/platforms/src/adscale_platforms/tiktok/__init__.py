"""TikTok API for Business (v1.3) client.

Hosts: ``tiktok_business_url`` (API) and ``tiktok_auth_url`` (the advertiser authorization
page, ``/portal/auth`` on the same host by default).

* OAuth: ``{auth}/portal/auth?app_id&state&redirect_uri`` redirects back with ``auth_code``
  (also sent as ``code``); ``POST /open_api/v1.3/oauth2/access_token/`` with ``app_id``,
  ``secret``, ``auth_code``. No PKCE. Marketing API tokens are long-lived; when the token
  endpoint returns a ``refresh_token`` it is refreshed with
  ``POST /open_api/v1.3/oauth2/refresh_token/``.
* Every call carries the token in the ``Access-Token`` header. Responses are
  ``{"code", "message", "request_id", "data"}``; ``code != 0`` is an error even with
  HTTP 200 (see :func:`tiktok_error`).
* Ad accounts: ``GET /oauth2/advertiser/get/`` (``app_id``, ``secret``), currencies from
  ``GET /advertiser/info/``.
* Audiences: created with the streaming segment API ``POST /segment/audience/``
  (``action: create``), read with ``GET /dmp/custom_audience/get/`` (size ``cover_num``),
  deleted with ``POST /dmp/custom_audience/delete/``. These calls need the advertiser id,
  so the audience id this client hands out is ``"{advertiser_id}:{audience_id}"``.
* Members: add / remove with ``POST /segment/mapping/`` (``action: add | delete``,
  ``id_schema``, ``batch_data``); full replace with the customer-file API:
  ``POST /dmp/custom_audience/file/upload/`` (one hash per line, ``file_signature`` = MD5)
  then ``POST /dmp/custom_audience/update/`` with ``action: REPLACE`` (TikTok's default is
  REPLACE, so ``action`` is always set explicitly; files beyond the first 50 of a replace
  are appended with ``action: APPEND``). A file holds one identifier type; profiles with
  several are added through ``segment/mapping`` with all of them once their file is in.
  TikTok refuses file updates that leave fewer than
  1,000 members (:class:`AudienceTooSmall`).
"""

from __future__ import annotations

from adscale_platforms.tiktok.audiences import TikTokAudiences
from adscale_platforms.tiktok.base import split_audience_id
from adscale_platforms.tiktok.errors import tiktok_error
from adscale_platforms.tiktok.files import TikTokFiles
from adscale_platforms.tiktok.oauth import TikTokOAuth

__all__ = ["TikTokClient", "split_audience_id", "tiktok_error"]


class TikTokClient(TikTokOAuth, TikTokAudiences, TikTokFiles):
    """TikTok API for Business client: authorization and accounts (:mod:`.oauth`), segments
    and mapping (:mod:`.audiences`), customer-file replace (:mod:`.files`), errors
    (:mod:`.errors`)."""
