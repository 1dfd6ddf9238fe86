from __future__ import annotations

from adscale_common.errors import NotFound


class ErasureNotFound(NotFound, code="ERASURE_NOT_FOUND", message="Erasure not found"): ...


class PersonNotFound(
    NotFound, code="PERSON_NOT_FOUND", message="No profile of this person is held"
): ...


class SuppressionNotFound(
    NotFound, code="SUPPRESSION_NOT_FOUND", message="This hash is not on the suppression list"
): ...
