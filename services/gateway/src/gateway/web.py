"""The dashboard's production build (``web/dist``) served at ``/``.

Hashed files under ``/assets/`` are cached for a year (their name changes with
their content); ``index.html`` is revalidated on every load, and every path
that is not a file (a deep link such as ``/campaigns/<id>``) answers it, so the
app's router takes over. ``/api/...`` and ``/docs`` never fall through to the
app. Every answer carries a strict Content-Security-Policy: scripts, styles,
fonts and API calls from this origin only, nothing inline, no framing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from adscale_common.errors import error_response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Prefixes that belong to the API or the gateway's own pages, never to the app.
NOT_THE_APP = ("api/", "docs/", "openapi.json")


def default_dist() -> Path:
    """``web/dist`` of the checkout this package runs from (an editable workspace install)."""
    return Path(__file__).resolve().parents[4] / "web" / "dist"


class WebApp:
    def __init__(self, dist: Path) -> None:
        self.dist = dist.resolve()

    def _file(self, relative: str) -> Path | None:
        candidate = (self.dist / relative).resolve()
        if candidate.is_relative_to(self.dist) and candidate.is_file():
            return candidate
        return None

    async def serve(self, request: Request, path: str) -> Response:
        if path == "api" or path.startswith(NOT_THE_APP) or path == "docs":
            return error_response(request.url.path, 404, "Not Found")
        found = self._file(path) if path else None
        if found is not None and found.name != "index.html":
            cache = IMMUTABLE if path.startswith("assets/") else REVALIDATE
            return FileResponse(found, headers={**SECURITY_HEADERS, "Cache-Control": cache})
        if path.startswith("assets/") or Path(path).suffix:
            # A missing asset is a 404, not the app: a stale index must not get HTML as JS.
            return Response(
                "Not Found", status_code=404, media_type="text/plain", headers=SECURITY_HEADERS
            )
        index = self._file("index.html")
        if index is None:
            return Response(
                "The dashboard is not built: run `make up` (or `npm run build` in web/).",
                status_code=503,
                media_type="text/plain",
                headers={**SECURITY_HEADERS, "Cache-Control": "no-store"},
            )
        return FileResponse(
            index, media_type="text/html", headers={**SECURITY_HEADERS, "Cache-Control": REVALIDATE}
        )


def mount_web(api: FastAPI, dist: Path) -> None:
    """Register the app as the last route: everything the API and /docs do not answer."""
    web = WebApp(dist)

    @api.get("/{path:path}", include_in_schema=False)
    async def app_file(request: Request, path: str) -> Response:
        return await web.serve(request, path)
