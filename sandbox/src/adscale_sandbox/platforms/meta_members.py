"""Meta ``/{audience_id}/users`` and ``/{audience_id}/usersreplace``: member adds and
removes, upload sessions (batches tracked, repeats applied once) and replace sessions.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state, uploads
from adscale_sandbox.core import PlatformError, now, sandbox_of
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.meta_audiences import meta_owned_audience
from adscale_sandbox.platforms.meta_errors import invalid_parameter, meta_error
from adscale_sandbox.platforms.meta_guard import authorized
from adscale_sandbox.platforms.meta_ldu import request_detail
from adscale_sandbox.platforms.meta_params import json_param, meta_params, respond
from adscale_sandbox.platforms.meta_payload import parse_payload, parse_rows

router = APIRouter()


def _session_param(params: dict[str, Any], required: bool) -> dict[str, Any] | None:
    session = json_param(params, "session")
    if session is None:
        if required:
            raise invalid_parameter("(#100) The parameter session is required")
        return None
    if not isinstance(session, dict) or "session_id" not in session:
        raise invalid_parameter("(#100) Param session must contain session_id")
    try:
        int(session["session_id"])
        seq = int(session.get("batch_seq", 1))
    except (TypeError, ValueError) as exc:
        raise invalid_parameter("(#100) session_id and batch_seq must be integers") from exc
    if seq < 1:
        raise invalid_parameter("(#100) Param session[batch_seq] must start at 1")
    return session


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


async def _upload(request: Request, audience_id: str, principal: Principal, kind: str) -> Response:
    ctx = sandbox_of(request)
    params = await meta_params(request)
    schema, data = parse_payload(params)
    session = _session_param(params, required=kind == "replace")
    hashes, samples = parse_rows(schema, data)
    invalid = len(data) - len(hashes)
    at = now()
    permille = ctx.permille

    def _work(conn: sqlite3.Connection) -> dict[str, Any]:
        audience = meta_owned_audience(conn, audience_id, principal, request.method, ctx.delay)
        if audience.attrs.get("schema") is None:
            state.update_audience_fields(conn, audience, attrs={"schema": schema}, now=at)
        result: dict[str, Any] = {
            "audience_id": audience.audience_id,
            "num_received": len(data),
            "num_invalid_entries": invalid,
            "invalid_entry_samples": samples,
        }
        if session is not None:
            result["session_id"] = int(session["session_id"])
        if kind == "replace":
            assert session is not None
            _replace_batch(conn, audience, session, hashes, invalid, len(data), at, permille)
            return result
        if session is not None and _accepted_before(conn, audience, session, kind):
            # A repeat of a batch this session already applied (a sender that lost the
            # answer sends it again): answered alike, applied once, logged as a repeat.
            state.save_request(
                conn,
                state.new_request_id(),
                "meta",
                {
                    "audience_id": audience.audience_id,
                    "repeat_of": _batch_name(session),
                    **request_detail(kind, schema, data, invalid),
                },
                at,
            )
            return result
        if session is not None:
            _track_session(conn, audience, session, kind, len(data), invalid, at)
        state.save_request(
            conn,
            state.new_request_id(),
            "meta",
            {"audience_id": audience.audience_id, **request_detail(kind, schema, data, invalid)},
            at,
        )
        state.change_members(
            conn,
            audience,
            hashes,
            remove=kind == "remove",
            invalid=invalid,
            permille=permille,
            now=at,
        )
        return result

    return respond(request, await ctx.store.run(_work))


def _batch_name(session: dict[str, Any]) -> str:
    return f"{int(session['session_id'])}/{int(session.get('batch_seq', 1))}"


def _accepted_before(
    conn: sqlite3.Connection, audience: state.Audience, session: dict[str, Any], kind: str
) -> bool:
    """Whether this session already took this batch (its batch_seq at or below the last)."""
    current = uploads.get_session(conn, audience, str(int(session["session_id"])))
    seq = int(session.get("batch_seq", 1))
    return current is not None and current.kind == kind and seq <= current.last_seq


def _start_session(
    conn: sqlite3.Connection,
    audience: state.Audience,
    session_id: str,
    session: dict[str, Any],
    kind: str,
    at: float,
) -> uploads.UploadSession:
    estimated = session.get("estimated_num_total")
    return uploads.start_session(
        conn, audience, session_id, kind, int(estimated) if estimated else None, at
    )


def _finished_session(session_id: str) -> PlatformError:
    return invalid_parameter(
        f"(#100) Upload session {session_id} is already finished", subcode=1870055
    )


def _track_session(
    conn: sqlite3.Connection,
    audience: state.Audience,
    session: dict[str, Any],
    kind: str,
    received: int,
    invalid: int,
    at: float,
) -> None:
    session_id = str(int(session["session_id"]))
    seq = int(session.get("batch_seq", 1))
    current = uploads.get_session(conn, audience, session_id)
    if current is None or (seq == 1 and current.status != "open"):
        current = _start_session(conn, audience, session_id, session, kind, at)
    elif current.status != "open":
        raise _finished_session(session_id)
    uploads.record_batch(
        conn,
        current,
        seq=seq,
        received=received,
        invalid=invalid,
        last=_flag(session.get("last_batch_flag")),
        now=at,
    )


def _replace_batch(
    conn: sqlite3.Connection,
    audience: state.Audience,
    session: dict[str, Any],
    hashes: list[state.Person],
    invalid: int,
    received: int,
    at: float,
    permille: int,
) -> None:
    session_id = str(int(session["session_id"]))
    seq = int(session.get("batch_seq", 1))
    current = uploads.get_session(conn, audience, session_id)
    if seq == 1:
        for other in uploads.open_replace_sessions(conn, audience):
            if other.session_id != session_id:
                raise meta_error(
                    400,
                    2650,
                    "Failed to update the custom audience",
                    user_title="Replace Already In Progress",
                    user_msg=(
                        f"Another replace session ({other.session_id}) is still uploading to "
                        "this audience. Finish it with last_batch_flag=true first."
                    ),
                )
        current = _start_session(conn, audience, session_id, session, "replace", at)
    elif current is None or current.kind != "replace":
        raise invalid_parameter(
            f"(#100) Upload session {session_id} was not started: send batch_seq 1 first",
            subcode=1870055,
        )
    elif current.status != "open":
        raise _finished_session(session_id)
    staged = uploads.stage_members(conn, current, hashes, permille=permille)
    last = _flag(session.get("last_batch_flag"))
    uploads.record_batch(
        conn, current, seq=seq, received=received, invalid=invalid, last=last, now=at
    )
    uploads.note_batch(
        conn,
        audience,
        received=received,
        invalid=invalid,
        duplicates=len(hashes) - staged,
        now=at,
    )
    if last:
        uploads.commit_replace(conn, audience, current, now=at)
        conn.execute("UPDATE audience SET uploads = uploads + 1 WHERE pk = ?", (audience.pk,))


@router.post("/{version}/{audience_id}/users")
async def add_users(
    version: str, audience_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    params = await meta_params(request)
    kind = "remove" if str(params.get("method", "")).lower() == "delete" else "add"
    return await _upload(request, audience_id, principal, kind)


@router.delete("/{version}/{audience_id}/users")
async def remove_users(
    version: str, audience_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _upload(request, audience_id, principal, "remove")


@router.post("/{version}/{audience_id}/usersreplace")
async def replace_users(
    version: str, audience_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    return await _upload(request, audience_id, principal, "replace")
