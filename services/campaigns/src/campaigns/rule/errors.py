from __future__ import annotations

from adscale_common.errors import Conflict, NotFound


class RuleNotFound(NotFound, code="RULE_NOT_FOUND", message="Rule not found"): ...


class RuleBusy(
    Conflict,
    code="RULE_EXECUTING",
    message="This rule is being executed right now; try again in a moment",
): ...
