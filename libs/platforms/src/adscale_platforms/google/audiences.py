"""Google audiences through the Data Manager API: user lists and their members.

The platform audience id is the user list resource name
(``accountTypes/GOOGLE_ADS/accounts/{account}/userLists/{list}``): it carries the operating
account the ingest destination needs. Members go through ``audienceMembers:ingest`` /
``:remove``; a replace ingests everything, then ``audienceMembers:removeAll`` with
``removeAsOfTime`` = the start (no gap where the list is empty).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from adscale_platforms.base import AudienceDraft, MemberCall
from adscale_platforms.google.base import GoogleBase, customer_number
from adscale_platforms.models import AudienceInfo, BatchReport
from adscale_platforms.protocol import TokenLike
from adscale_platforms.rows import as_fields, row_values
from adscale_platforms.values import rfc3339

__all__ = ["MAX_IDENTIFIERS", "GoogleAudiences", "parse_user_list_name"]

_USER_LIST_NAME = re.compile(
    r"accountTypes/(?P<type>[A-Z_]+)/accounts/(?P<account>[^/]+)/userLists/(?P<list>[^/]+)"
)
_ADDRESS_FIELDS = {
    "first_name": "givenName",
    "last_name": "familyName",
    "country": "regionCode",
    "zip": "postalCode",
}
# AudienceMember.consent: a row may carry these two values after its identifiers
# (granted / denied / "" for unspecified, which leaves the request-level consent).
_MEMBER_CONSENT = ("adUserData", "adPersonalization")
_CONSENT_STATUS = {"granted": "CONSENT_GRANTED", "denied": "CONSENT_DENIED"}
_IDENTIFIER_FIELDS = {"email": "emailAddress", "phone": "phoneNumber"}
# userData.userIdentifiers of one member: "At most 10" (Data Manager API, UserData).
MAX_IDENTIFIERS = 10
# Member operation -> Data Manager method (replace ingests, then removes what is older).
_MEMBER_VERBS = {"add": "ingest", "remove": "remove", "replace": "ingest"}


def parse_user_list_name(name: str) -> tuple[str, str, str]:
    """``(account_type, account_id, user_list_id)`` from a user list resource name."""
    match = _USER_LIST_NAME.fullmatch(name.strip("/"))
    if match is None:
        raise ValueError(
            "Google audience ids are user list resource names: "
            "accountTypes/GOOGLE_ADS/accounts/{account}/userLists/{list}"
        )
    return match["type"], match["account"], match["list"]


class GoogleAudiences(GoogleBase):
    """User lists (create, size and match rate, delete) and member ingest / remove / replace."""

    def _dm_headers(self) -> dict[str, str] | None:
        login = self._login_account()
        if login is None:
            return None
        return {"login-account": f"accountTypes/GOOGLE_ADS/accounts/{login['accountId']}"}

    async def _create_audience(self, token: TokenLike, draft: AudienceDraft) -> str:
        days = self.settings.google_membership_duration_days
        account = f"accountTypes/GOOGLE_ADS/accounts/{customer_number(draft.ad_account_id)}"
        body = await self._request(
            "POST",
            f"{self.datamanager}/{account}/userLists",
            token=token,
            headers=self._dm_headers(),
            json_body={
                "displayName": draft.name,
                "description": draft.description,
                "membershipDuration": f"{days * 86400}s",
                "ingestedUserListInfo": {
                    "uploadKeyTypes": ["CONTACT_ID"],
                    "contactIdInfo": {"dataSourceType": "DATA_SOURCE_TYPE_FIRST_PARTY"},
                },
            },
        )
        name_out = (body or {}).get("name")
        if not name_out:
            list_id = (body or {}).get("id")
            name_out = f"{account}/userLists/{list_id}"
        return str(name_out)

    async def get_audience(self, token: TokenLike, audience_id: str) -> AudienceInfo:
        parse_user_list_name(audience_id)
        body = await self._request(
            "GET", f"{self.datamanager}/{audience_id}", token=token, headers=self._dm_headers()
        )
        size_info = body.get("sizeInfo") or {}
        display = size_info.get("displayNetworkMembersCount")
        search = size_info.get("searchNetworkMembersCount")
        sizes = [int(v) for v in (display, search) if v is not None]
        contact = (body.get("ingestedUserListInfo") or {}).get("contactIdInfo") or {}
        rate = contact.get("matchRatePercentage")
        return AudienceInfo(
            id=audience_id,
            size=int(display) if display is not None else (max(sizes) if sizes else None),
            match_rate=float(rate) / 100 if isinstance(rate, int | float) else None,
            status=body.get("membershipStatus"),
            raw=body,
        )

    async def delete_audience(self, token: TokenLike, audience_id: str) -> None:
        parse_user_list_name(audience_id)
        await self._request(
            "DELETE", f"{self.datamanager}/{audience_id}", token=token, headers=self._dm_headers()
        )

    def _destination(self, audience_id: str) -> dict[str, Any]:
        account_type, account, list_id = parse_user_list_name(audience_id)
        destination: dict[str, Any] = {
            "operatingAccount": {"accountType": account_type, "accountId": account},
            "productDestinationId": list_id,
        }
        login = self._login_account()
        if login is not None:
            destination["loginAccount"] = login
        return destination

    @staticmethod
    def _member_builder(names: tuple[str, ...], dropped: list[int] | None = None) -> Any:
        """Rows -> members. A field named again is one more identifier of that type (a
        person's further emails and phones): the first of each field, then the address,
        then the repeats, up to :data:`MAX_IDENTIFIERS`; the rest is left out and added to
        ``dropped[0]``."""
        for name in names:
            if name not in _IDENTIFIER_FIELDS and name not in _ADDRESS_FIELDS:
                raise ValueError(f"the Data Manager API takes no {name!r} identifier")
        address = [n for n in names if n in _ADDRESS_FIELDS]
        if address and set(address) != set(_ADDRESS_FIELDS):
            raise ValueError(
                "an address identifier needs first_name, last_name, country and zip together"
            )
        width = len(names)
        repeat = [name in names[:i] for i, name in enumerate(names)]

        def build(row: Any) -> dict[str, Any]:
            consent: dict[str, str] = {}
            if not isinstance(row, str) and len(row) == width + len(_MEMBER_CONSENT):
                # A member's own consent, after its identifiers; "" keeps the request's.
                consent = {
                    key: _CONSENT_STATUS[value]
                    for key, value in zip(_MEMBER_CONSENT, row[width:], strict=True)
                    if value
                }
                row = row[:width]
            values = row_values(row, width)
            identifiers: list[dict[str, Any]] = []
            more: list[dict[str, Any]] = []
            address_info: dict[str, str] = {}
            for name, value, again in zip(names, values, repeat, strict=True):
                if not value:
                    continue
                if name in _IDENTIFIER_FIELDS:
                    (more if again else identifiers).append({_IDENTIFIER_FIELDS[name]: value})
                else:
                    address_info[_ADDRESS_FIELDS[name]] = value
            if address_info and len(address_info) == len(_ADDRESS_FIELDS):
                identifiers.append({"address": address_info})
            identifiers += more
            if len(identifiers) > MAX_IDENTIFIERS:
                if dropped is not None:
                    dropped[0] += len(identifiers) - MAX_IDENTIFIERS
                del identifiers[MAX_IDENTIFIERS:]
            member: dict[str, Any] = {"userData": {"userIdentifiers": identifiers}}
            if consent:
                member["consent"] = consent
            return member

        return build

    def _envelope(self, destination: dict[str, Any], *, with_consent: bool) -> dict[str, Any]:
        envelope: dict[str, Any] = {"destinations": [destination], "audienceMembers": []}
        if with_consent:
            envelope["consent"] = {
                "adUserData": self.settings.google_consent_ad_user_data,
                "adPersonalization": self.settings.google_consent_ad_personalization,
            }
        envelope["encoding"] = "HEX"
        if with_consent and self.settings.google_customer_match_terms_accepted:
            envelope["termsOfService"] = {"customerMatchTermsOfServiceStatus": "ACCEPTED"}
        return envelope

    async def _stream_members(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        """``ingest`` or ``remove``; for a replace, its ingest half (``removeAll`` comes last)."""
        operation, token, audience_id, fields, rows, _ = call
        verb = _MEMBER_VERBS[operation]
        names = as_fields(fields)
        dropped = [0]
        build = self._member_builder(names, dropped)
        envelope = self._envelope(self._destination(audience_id), with_consent=verb == "ingest")
        url = f"{self.datamanager}/audienceMembers:{verb}"
        async for batch in self._json_batches(rows, build, envelope):
            members = [m for m in batch.rows if m["userData"]["userIdentifiers"]]
            first_row = batch.rows_done - len(batch.rows)
            response: Any = {}
            if members:
                response = await self._request(
                    "POST", url, token=token, json_body={**envelope, "audienceMembers": members}
                )
            yield batch.report(
                operation,
                received=len(members),
                invalid=len(batch.rows) - len(members),
                invalid_samples=tuple(
                    f"row {first_row + i}: no identifier"
                    for i, m in enumerate(batch.rows)
                    if not m["userData"]["userIdentifiers"]
                ),
                last=batch.last and operation != "replace",
                raw=response,
                dropped=dropped[0],
            )
            dropped[0] = 0

    async def _stream_replace(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        """Ingest everything, then ``removeAll`` members last added before the start."""
        token, audience_id = call.token, call.audience_id
        destination = self._destination(audience_id)
        started = datetime.now(UTC)
        index = 0
        done = 0
        async for report in self._stream_members(call):
            index = report.batch_index + 1
            done = report.rows_done
            yield report
        response = await self._request(
            "POST",
            f"{self.datamanager}/audienceMembers:removeAll",
            token=token,
            json_body={"destinations": [destination], "removeAsOfTime": rfc3339(started)},
        )
        yield BatchReport(
            operation="replace",
            batch_index=index,
            rows=0,
            rows_done=done,
            received=0,
            invalid=0,
            last=True,
            raw=response if isinstance(response, dict) else {},
        )
