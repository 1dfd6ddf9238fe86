"""Google's own Data Manager client (``google-ads-datamanager``, REST transport) against the
sandbox, changed in nothing but ``api_endpoint``; identifiers formatted and hashed with
``google-ads-datamanager-util``'s ``Formatter``.

The client sends standard proto3 JSON with enums as numbers and asks for
``$alt=json;enum-encoding=int``; every call below goes through it unmodified.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.ads import datamanager_v1 as dm
from google.ads.datamanager_util import Formatter
from google.ads.datamanager_util.format import Encoding
from google.api_core import exceptions
from google.oauth2.credentials import Credentials
from google.protobuf import field_mask_pb2
from sdk_kit import Live

fmt = Formatter()


class Google:
    """The SDK's clients for one signed-in user, and that user's first Google Ads account."""

    def __init__(self, live: Live) -> None:
        tokens = live.google_tokens()
        self.credentials = Credentials(
            tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            token_uri=f"{live.base}/google/oauth2/token",
            client_id="gclient",
            client_secret="gsecret",
        )
        options = {"api_endpoint": f"{live.base}/google/datamanager"}
        self.lists = dm.UserListServiceClient(
            transport="rest", credentials=self.credentials, client_options=options
        )
        self.ingestion = dm.IngestionServiceClient(
            transport="rest", credentials=self.credentials, client_options=options
        )
        r = live.http.get(
            "/google/ads/v21/customers:listAccessibleCustomers",
            headers={"Authorization": f"Bearer {tokens['access_token']}", "developer-token": "d"},
        )
        self.account = r.json()["resourceNames"][0].split("/")[1]
        self.parent = f"accountTypes/GOOGLE_ADS/accounts/{self.account}"

    def new_list(self, name: str) -> dm.UserList:
        return self.lists.create_user_list(
            parent=self.parent,
            user_list=dm.UserList(
                display_name=name,
                description="from the official client",
                membership_duration={"seconds": 30 * 86400},
                ingested_user_list_info=dm.IngestedUserListInfo(
                    upload_key_types=[dm.IngestedUserListInfo.UploadKeyType.CONTACT_ID],
                    contact_id_info=dm.ContactIdInfo(
                        data_source_type=dm.DataSourceType.DATA_SOURCE_TYPE_FIRST_PARTY
                    ),
                ),
            ),
        )

    def destination(self, user_list: dm.UserList) -> dm.Destination:
        return dm.Destination(
            operating_account=dm.ProductAccount(
                account_type=dm.ProductAccount.AccountType.GOOGLE_ADS, account_id=self.account
            ),
            product_destination_id=str(user_list.id),
        )

    def ingest(self, user_list: dm.UserList, members: list[dm.AudienceMember], **extra: Any) -> str:
        response = self.ingestion.ingest_audience_members(
            request=dm.IngestAudienceMembersRequest(
                destinations=[self.destination(user_list)],
                audience_members=members,
                encoding=dm.Encoding.HEX,
                consent=dm.Consent(
                    ad_user_data=dm.ConsentStatus.CONSENT_GRANTED,
                    ad_personalization=dm.ConsentStatus.CONSENT_GRANTED,
                ),
                terms_of_service=dm.TermsOfService(
                    customer_match_terms_of_service_status=dm.TermsOfServiceStatus.ACCEPTED
                ),
                **extra,
            )
        )
        request_id: str = response.request_id
        return request_id

    def remove(self, user_list: dm.UserList, members: list[dm.AudienceMember]) -> str:
        response = self.ingestion.remove_audience_members(
            request=dm.RemoveAudienceMembersRequest(
                destinations=[self.destination(user_list)],
                audience_members=members,
                encoding=dm.Encoding.HEX,
            )
        )
        request_id: str = response.request_id
        return request_id


def email_member(i: int, prefix: str = "person") -> dm.AudienceMember:
    hashed = fmt.process_email_address(f" {prefix}.{i}@Example.com ", Encoding.HEX)
    return dm.AudienceMember(
        user_data=dm.UserData(user_identifiers=[dm.UserIdentifier(email_address=hashed)])
    )


def emails(count: int, prefix: str = "person") -> list[dm.AudienceMember]:
    return [email_member(i, prefix) for i in range(count)]


@pytest.fixture(scope="module")
def google(live: Live) -> Iterator[Google]:
    yield Google(live)


def test_user_list_create_read_list_update_delete(google: Google) -> None:
    created = google.new_list("Official CRUD")
    assert created.display_name == "Official CRUD"
    assert created.name == f"{google.parent}/userLists/{created.id}"
    assert list(created.ingested_user_list_info.upload_key_types) == [
        dm.IngestedUserListInfo.UploadKeyType.CONTACT_ID
    ]
    assert created.ingested_user_list_info.contact_id_info.data_source_type == (
        dm.DataSourceType.DATA_SOURCE_TYPE_FIRST_PARTY
    )
    assert created.membership_status == dm.UserList.MembershipStatus.OPEN
    assert created.access_reason == dm.UserList.AccessReason.OWNED

    read = google.lists.get_user_list(name=created.name)
    assert read.display_name == "Official CRUD" and read.description == "from the official client"
    assert created.name in [u.name for u in google.lists.list_user_lists(parent=google.parent)]

    updated = google.lists.update_user_list(
        user_list=dm.UserList(
            name=created.name,
            display_name="Renamed",
            description="not in the mask",
            membership_status=dm.UserList.MembershipStatus.CLOSED,
        ),
        update_mask=field_mask_pb2.FieldMask(paths=["display_name", "membership_status"]),
    )
    assert updated.display_name == "Renamed"
    assert updated.membership_status == dm.UserList.MembershipStatus.CLOSED
    assert updated.description == "from the official client"

    google.lists.delete_user_list(name=created.name)
    with pytest.raises(exceptions.NotFound):
        google.lists.get_user_list(name=created.name)


def test_multi_key_ingest_validate_only_and_request_status(google: Google, live: Live) -> None:
    user_list = google.new_list("Multi-key")
    members = [
        dm.AudienceMember(
            user_data=dm.UserData(
                user_identifiers=[
                    dm.UserIdentifier(
                        email_address=fmt.process_email_address(f"Ada.{i}@Gmail.com", Encoding.HEX)
                    ),
                    dm.UserIdentifier(
                        phone_number=fmt.process_phone_number(f"+1 (415) 555-{i:04d}", Encoding.HEX)
                    ),
                    dm.UserIdentifier(
                        address=dm.AddressInfo(
                            given_name=fmt.process_given_name(" Ada ", Encoding.HEX),
                            family_name=fmt.process_family_name(f"Lovelace{i}", Encoding.HEX),
                            region_code=fmt.process_region_code("gb"),
                            postal_code=fmt.process_postal_code(" SW1A 1AA "),
                        )
                    ),
                ]
            )
        )
        for i in range(40)
    ]
    google.ingest(user_list, members, validate_only=True)
    assert live.members("google", str(user_list.id))["count"] == 0

    request_id = google.ingest(user_list, members)
    # One member per person, whatever the number of identifiers it carries (issue 15).
    assert live.members("google", str(user_list.id))["count"] == 40

    status = google.ingestion.retrieve_request_status(
        request=dm.RetrieveRequestStatusRequest(request_id=request_id)
    )
    [entry] = status.request_status_per_destination
    assert entry.request_status == dm.RequestStatusPerDestination.RequestStatus.SUCCESS
    assert entry.destination.product_destination_id == str(user_list.id)
    ingestion = entry.audience_members_ingestion_status.user_data_ingestion_status
    assert (ingestion.record_count, ingestion.user_identifier_count) == (40, 120)
    assert ingestion.upload_match_rate_range == dm.MatchRateRange.MATCH_RATE_RANGE_NOT_ELIGIBLE


def test_remove_one_then_ten_thousand_and_replace(google: Google, live: Live) -> None:
    user_list = google.new_list("Removals")
    members = emails(10_000)
    google.ingest(user_list, members)
    assert live.members("google", str(user_list.id))["count"] == 10_000

    request_id = google.remove(user_list, members[:1])
    assert live.members("google", str(user_list.id))["count"] == 9_999
    status = google.ingestion.retrieve_request_status(
        request=dm.RetrieveRequestStatusRequest(request_id=request_id)
    )
    removal = status.request_status_per_destination[0].audience_members_removal_status
    assert removal.user_data_removal_status.record_count == 1

    google.remove(user_list, members)
    assert live.members("google", str(user_list.id))["count"] == 0

    # Replace: remove everyone, then ingest the new members.
    google.ingest(user_list, emails(30, "old"))
    google.ingestion.remove_all_audience_members(
        request=dm.RemoveAllAudienceMembersRequest(destinations=[google.destination(user_list)])
    )
    google.ingest(user_list, emails(20, "new"))
    assert live.members("google", str(user_list.id))["count"] == 20


def test_documented_refusals(google: Google, live: Live) -> None:
    user_list = google.new_list("Refusals")
    with pytest.raises(exceptions.BadRequest) as too_many:
        google.ingest(user_list, emails(10_001))
    assert "TOO_MANY_AUDIENCE_MEMBERS" in str(too_many.value.details)

    not_a_hash = dm.AudienceMember(
        user_data=dm.UserData(user_identifiers=[dm.UserIdentifier(email_address="a" * 63)])
    )
    with pytest.raises(exceptions.BadRequest) as bad_hex:
        google.ingest(user_list, [not_a_hash])
    assert "INVALID_HEX_ENCODING" in str(bad_hex.value.details)

    wrong_length = dm.AudienceMember(
        user_data=dm.UserData(user_identifiers=[dm.UserIdentifier(email_address="ab" * 16)])
    )
    with pytest.raises(exceptions.BadRequest) as short:
        google.ingest(user_list, [wrong_length])
    assert "INVALID_SHA256_FORMAT" in str(short.value.details)

    missing = dm.UserList(name=f"{google.parent}/userLists/1", id=1)
    with pytest.raises(exceptions.BadRequest) as unknown_list:
        google.ingest(missing, emails(1))
    assert "INVALID_USER_LIST_ID" in str(unknown_list.value.details)

    with pytest.raises(exceptions.Forbidden) as not_ours:
        google.lists.list_user_lists(parent="accountTypes/GOOGLE_ADS/accounts/1234567890")
    assert not_ours.value.reason == "PERMISSION_DENIED"
    assert live.members("google", str(user_list.id))["count"] == 0


def test_expired_access_token_is_refreshed_by_the_client(google: Google, live: Live) -> None:
    before = google.credentials.token
    assert live.expire_tokens("google") >= 1
    lists = list(google.lists.list_user_lists(parent=google.parent))
    assert google.credentials.token != before  # google-auth refreshed after the 401
    assert all(u.name.startswith(google.parent) for u in lists)
