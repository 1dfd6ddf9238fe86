"""The statements that read what a job sends, lane by lane: its plan's pending removals
and additions (rows a checkpoint has not recorded yet), and an initial send's additions
straight from the digests (no plan: the audience has no members).

Lanes split the rows by a hash of ``external_id`` (:func:`lane_of`), so a profile always
falls in the same lane and a lane's rows keep their ``external_id`` order.
"""

from __future__ import annotations

from audience_sync.sync.fields import DIGEST_FIELDS
from audience_sync.sync.planner import OLD_EXTRAS, OP_ADD, OP_REMOVE, OP_RESEND, desired_sql


def lane_of(column: str, lanes: int) -> str:
    """Which of ``lanes`` side-by-side senders the row of ``column`` goes to (constants only)."""
    return f"abs(hashtext({column})) % {int(lanes)}"


def lane_sql(column: str, lanes: int, lane: int) -> str:
    """A share of the rows for one of ``lanes`` side-by-side senders."""
    return f" AND {lane_of(column, lanes)} = {int(lane)}" if lanes > 1 else ""


# A plan row is done once a checkpoint recorded it: a removed profile is no member any more,
# an added one is, a resent one holds the plan's keys.
_PENDING = f"""(
    (p.op = {OP_REMOVE} AND EXISTS (SELECT 1 FROM audience_member m
        WHERE m.audience_id = $2 AND m.external_id = p.external_id))
 OR (p.op = {OP_ADD} AND NOT EXISTS (SELECT 1 FROM audience_member m
        WHERE m.audience_id = $2 AND m.external_id = p.external_id))
 OR (p.op = {OP_RESEND} AND NOT EXISTS (SELECT 1 FROM audience_member m
        WHERE m.audience_id = $2 AND m.external_id = p.external_id
          AND m.email IS NOT DISTINCT FROM p.email AND m.phone IS NOT DISTINCT FROM p.phone
          AND m.madid IS NOT DISTINCT FROM p.madid AND m.extra IS NOT DISTINCT FROM p.extra
          AND m.extra_email_keys IS NOT DISTINCT FROM p.extra_email_keys
          AND m.extra_phone_keys IS NOT DISTINCT FROM p.extra_phone_keys))
)"""  # noqa: S608 - constants


def plan_removals_sql(lanes: int = 1, lane: int = 0) -> str:
    """Pending removals of job $1 on audience $2: ``(external_id, op, old_email, old_phone,
    old_madid, old extra email keys, old extra phone keys)`` in key order (removed profiles,
    and the old keys of resent ones)."""
    return (
        "SELECT p.external_id, p.op, p.old_email, p.old_phone, p.old_madid, "  # noqa: S608
        f"{', '.join('p.' + c for c in OLD_EXTRAS.split(', '))} "
        f"FROM sync_job_plan p WHERE p.job_id = $1 AND p.op IN ({OP_REMOVE}, {OP_RESEND}) "
        f"AND {_PENDING}{lane_sql('p.external_id', lanes, lane)} ORDER BY p.external_id"
    )


def plan_additions_sql(lanes: int = 1, lane: int = 0) -> str:
    """Pending additions of job $1 on audience $2: ``(external_id, op, *keys, extra,
    extra email keys, extra phone keys)``."""
    keys = ", ".join(f"p.{f}" for f in DIGEST_FIELDS)
    return (
        f"SELECT p.external_id, p.op, {keys}, p.extra, "  # noqa: S608
        "p.extra_email_keys, p.extra_phone_keys FROM sync_job_plan p "
        f"WHERE p.job_id = $1 AND p.op IN ({OP_ADD}, {OP_RESEND}) AND {_PENDING}"
        f"{lane_sql('p.external_id', lanes, lane)} ORDER BY p.external_id"
    )


def count_removals_sql(lanes: int = 1, lane: int = 0) -> str:
    """Profiles job $1 still has to remove from audience $2 (refused removals)."""
    return (
        "SELECT count(*) FROM sync_job_plan p "  # noqa: S608
        f"WHERE p.job_id = $1 AND p.op = {OP_REMOVE} AND {_PENDING}"
        + lane_sql("p.external_id", lanes, lane)
    )


def initial_additions_sql(
    platform: str, fields: list[str], lanes: int = 1, lane: int | None = 0, window: str = ""
) -> str:
    """Every desired profile ($1 segment, $2 platform) as an addition in key order (no
    diff: the audience has no members); ``window``: a condition on ``d.external_id``;
    ``lane`` ``None``: every lane's rows, each with its lane (:func:`lane_of`) last."""
    return (
        f"SELECT d.external_id, {OP_ADD} AS op, "  # noqa: S608 - constants
        + ", ".join(f"d.{f}" for f in DIGEST_FIELDS)
        + ", d.extra, d.extra_email_keys, d.extra_phone_keys"
        + ("" if lane is not None else f", {lane_of('d.external_id', lanes)}")
        + f" FROM ({desired_sql(platform, fields)}) d WHERE true{window}"
        + ("" if lane is None else lane_sql("d.external_id", lanes, lane))
        + " ORDER BY d.external_id"
    )
