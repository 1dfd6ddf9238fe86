"""Meta custom audiences (``POST /act_{id}/customaudiences``, ``GET`` and ``DELETE /{id}``)
and their members: ``POST`` / ``DELETE /{id}/users`` and ``POST /{id}/usersreplace`` with
``payload{schema, data}`` and ``session{session_id, batch_seq, last_batch_flag,
estimated_num_total}``: one session per operation, except for additions and removals inside
a job (``idempotency.batch_key``), where each batch is a one-batch session whose id comes
from the job and the batch's rows."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from typing import Any

import orjson

from adscale_platforms.base import AudienceDraft, MemberCall
from adscale_platforms.batching import (
    EncodedJson,
    compact_json,
    fast_json,
    fast_json_row,
    json_array_parts,
)
from adscale_platforms.idempotency import stable_batch_id
from adscale_platforms.meta.base import MetaBase
from adscale_platforms.models import AudienceInfo, BatchReport
from adscale_platforms.protocol import TokenLike
from adscale_platforms.rows import as_fields, estimate_total, row_values
from adscale_platforms.values import as_int

__all__ = ["LDU_SCHEMA", "MULTI_KEY", "SINGLE_KEY", "MetaAudiences", "ldu_value"]

# Generic field -> Meta multi-key schema name.
MULTI_KEY: dict[str, str] = {
    "email": "EMAIL",
    "phone": "PHONE",
    "first_name": "FN",
    "last_name": "LN",
    "city": "CT",
    "state": "ST",
    "zip": "ZIP",
    "country": "COUNTRY",
    "madid": "MADID",
    "external_id": "EXTERN_ID",
    # Limited Data Use ("Data Processing Options for US Users", customer list custom
    # audiences): ["LDU"] or [], then Meta's country and state codes.
    "data_processing_options": "DATA_PROCESSING_OPTIONS",
    "data_processing_options_country": "DATA_PROCESSING_OPTIONS_COUNTRY",
    "data_processing_options_state": "DATA_PROCESSING_OPTIONS_STATE",
}
LDU_SCHEMA = (
    "DATA_PROCESSING_OPTIONS",
    "DATA_PROCESSING_OPTIONS_COUNTRY",
    "DATA_PROCESSING_OPTIONS_STATE",
)
# Generic field -> single-key schema, where Meta has one.
SINGLE_KEY: dict[str, str] = {
    "email": "EMAIL_SHA256",
    "phone": "PHONE_SHA256",
    "madid": "MOBILE_ADVERTISER_ID",
}
_KNOWN_SCHEMAS = (
    frozenset(MULTI_KEY.values())
    | frozenset(SINGLE_KEY.values())
    | {
        "GEN",
        "DOBY",
        "DOBM",
        "DOBD",
        "FI",
        "LOOKALIKE_VALUE",
    }
)

# Member operation -> (HTTP method, edge of the audience).
MEMBER_EDGES: dict[str, tuple[str, str]] = {
    "add": ("POST", "users"),
    "remove": ("DELETE", "users"),
    "replace": ("POST", "usersreplace"),
}


def _samples(value: Any) -> tuple[str, ...]:
    """``invalid_entry_samples`` is a map (entry -> reason) or a list, depending on version."""
    if isinstance(value, dict):
        return tuple(f"{key}: {reason}" for key, reason in value.items())
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return ()


def ldu_value(key: str, value: str) -> Any:
    """A Limited Data Use cell as Meta documents it: ``["LDU"]`` / ``[]``, integer codes
    (``""`` where a row does not use LDU)."""
    if key == "DATA_PROCESSING_OPTIONS":
        return [value] if value else []
    return int(value) if value else ""


class MetaAudiences(MetaBase):
    """Custom audiences and member add / remove / replace."""

    async def _create_audience(self, token: TokenLike, draft: AudienceDraft) -> str:
        body = await self._request(
            "POST",
            f"{self.graph}/{self._act(draft.ad_account_id)}/customaudiences",
            token=token,
            json_body={
                "name": draft.name,
                "subtype": "CUSTOM",
                "description": draft.description,
                "customer_file_source": self.settings.meta_customer_file_source,
            },
        )
        return str(body["id"])

    async def get_audience(self, token: TokenLike, audience_id: str) -> AudienceInfo:
        body = await self._request(
            "GET",
            f"{self.graph}/{audience_id}",
            token=token,
            params={
                "fields": "id,name,approximate_count_lower_bound,approximate_count_upper_bound,"
                "operation_status,delivery_status"
            },
        )
        lower = body.get("approximate_count_lower_bound")
        size = int(lower) if isinstance(lower, int | float) and lower >= 0 else None
        operation = body.get("operation_status")
        status: str | None = None
        if isinstance(operation, dict):
            status = str(operation.get("description") or operation.get("code"))
        elif operation is not None:
            status = str(operation)
        return AudienceInfo(
            id=str(body.get("id", audience_id)), size=size, match_rate=None, status=status, raw=body
        )

    async def delete_audience(self, token: TokenLike, audience_id: str) -> None:
        await self._request("DELETE", f"{self.graph}/{audience_id}", token=token)

    @staticmethod
    def schema_for(fields: Sequence[str]) -> str | list[str]:
        """``EMAIL_SHA256`` style single key when Meta has one, else a multi-key list."""
        if len(fields) == 1 and fields[0] in SINGLE_KEY:
            return SINGLE_KEY[fields[0]]
        if len(fields) == 1 and fields[0] in SINGLE_KEY.values():
            return fields[0]
        schema: list[str] = []
        for name in fields:
            if name in MULTI_KEY:
                schema.append(MULTI_KEY[name])
            elif name in _KNOWN_SCHEMAS:
                schema.append(name)
            else:
                raise ValueError(f"Meta has no schema key for field {name!r}")
        return schema

    async def _stream_members(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        operation, token, audience_id, fields, rows, estimated_total = call
        method, edge = MEMBER_EDGES[operation]
        names = as_fields(fields)
        schema = self.schema_for(names)
        single = isinstance(schema, str)
        width = len(names)
        total = estimate_total(rows, estimated_total)
        session_id = secrets.randbelow(2**53 - 2) + 1
        envelope = {
            "payload": {"schema": schema, "data": []},
            "session": {
                "session_id": session_id,
                "batch_seq": 10**9,
                "last_batch_flag": False,
                "estimated_num_total": 10**15,
            },
        }

        ldu_at = [i for i, key in enumerate(schema) if key in LDU_SCHEMA] if not single else []
        plain = not single and not ldu_at

        def prepare(row: Any) -> bytes:
            # Each row encoded once, here: its length sizes the batch, the payload joins
            # the encoded rows.
            if plain and type(row) is tuple and len(row) == width:
                # The sync's rows (tuples of strings): encoded without the checks' calls.
                try:
                    return memoryview(orjson.dumps(row)).tobytes()
                except TypeError:
                    pass
            values = row_values(row, width)
            if single:
                return fast_json_row(values[0])
            if not ldu_at:
                return fast_json_row(values)
            out: list[Any] = list(values)
            for i in ldu_at:
                out[i] = ldu_value(schema[i], out[i])
            return fast_json_row(out)

        url = f"{self.graph}/{audience_id}/{edge}"
        sent = False
        head = b'{"schema":' + fast_json(schema) + b',"data":'
        async for batch in self._json_batches(rows, prepare, envelope, row_bytes=len):
            sent = True
            # One allocation of the request's size (its bytes also name the batch).
            payload = json_array_parts(head, batch.rows, b"}")
            session = {
                "session_id": session_id,
                "batch_seq": batch.index + 1,
                "last_batch_flag": batch.last,
                "estimated_num_total": total if total is not None else batch.rows_done,
            }
            stable = (
                stable_batch_id(operation, audience_id, payload) if operation != "replace" else None
            )
            if stable is not None:
                # Inside a job: each batch its own one-batch session named after its rows,
                # so a resumed job's repeat of an accepted batch carries the same id.
                session |= {"session_id": stable, "batch_seq": 1, "last_batch_flag": True}
            if operation == "remove":
                # Meta documents removals as DELETE with the parameters in a form-encoded
                # body: a query string breaks on long URLs, a JSON body on DELETE is not
                # documented. The byte budget counts JSON; the form adds ~10% for hashes.
                form = {"payload": payload.decode(), "session": compact_json(session).decode()}
                del payload
                response = await self._request(method, url, token=token, data=form)
                del form
            else:
                body = b"".join((b'{"payload":', payload, b',"session":', fast_json(session), b"}"))
                del payload
                response = await self._request(
                    method, url, token=token, json_body=EncodedJson(body)
                )
                del body  # not held while the caller works on the report, nor beside the next
            response = response if isinstance(response, dict) else {}
            yield batch.report(
                operation,
                received=as_int(response.get("num_received", len(batch.rows))),
                invalid=as_int(response.get("num_invalid_entries", 0)),
                invalid_samples=_samples(response.get("invalid_entry_samples")),
                raw=response,
            )
        if not sent and operation == "replace":
            raise ValueError(
                "Meta usersreplace needs at least one member; delete the audience to empty it"
            )
