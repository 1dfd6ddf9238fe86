"""Print the gateway's merged OpenAPI document without a running stack.

Each service's FastAPI app is imported in its own interpreter (their table
metadata cannot share one) and asked for its document; the gateway's merge
(``gateway.openapi.merge_documents``) joins them exactly as ``/openapi.json``
does at run time. Run from the repository root: ``uv run python web/scripts/dump_openapi.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

SERVICES = {
    "identity": "identity",
    "campaigns": "campaigns",
    "audience-sync": "audience_sync",
    "billing": "billing",
}

_ONE = (
    "import json, sys, importlib; "
    "print(json.dumps(importlib.import_module(sys.argv[1]).app.openapi()))"
)


def service_document(module: str) -> dict[str, object]:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _ONE, f"{module}.main"], check=True, capture_output=True, text=True
    ).stdout
    document: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return document


async def _no_app(scope: object, receive: object, send: object) -> None:
    raise RuntimeError("only the routes' documentation is used")


def main() -> None:
    from gateway.main import _HEALTH_DOC
    from gateway.openapi import merge_documents
    from gateway.session import session_openapi_paths, session_router

    sessions = session_router(_no_app, cookie_max_age_seconds=1)
    documents = {name: service_document(module) for name, module in SERVICES.items()}
    merged = merge_documents(
        documents,
        title="AdScale API",
        version="1.0.0",
        own_paths={"/api/v1/health": _HEALTH_DOC, **session_openapi_paths(sessions)},
    )
    json.dump(merged, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
