from __future__ import annotations

from adscale_common.errors import Conflict, NotFound


class RunNotFound(NotFound, code="RULE_RUN_NOT_FOUND", message="Rule run not found"): ...


class RunNotUndoable(
    Conflict,
    code="RULE_RUN_NOT_UNDOABLE",
    message="Only the latest run of a rule that changed something can be undone",
):
    """The run is a dry run, an undo, already undone, or not the rule's latest run."""


class ObjectChangedSince(
    Conflict,
    code="RULE_RUN_OBJECT_CHANGED",
    message="Something this run changed has changed since; nothing was undone",
): ...
