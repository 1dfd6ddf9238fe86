"""`platforms connect`: the OAuth round trip through the user's browser.

A one-shot HTTP server on 127.0.0.1 is the redirect URI; the platform's consent page
sends the browser back to it with ``code`` (TikTok: ``auth_code``) and ``state``, which
the CLI posts to the API's callback.
"""

from __future__ import annotations

import http.server
import threading
from urllib.parse import parse_qs, urlsplit

PAGE = (
    b"<!doctype html><title>AdScale</title><p>AdScale received the platform's answer."
    b" You can close this tab and return to the terminal.</p>"
)


class CallbackServer:
    def __init__(self, port: int = 0) -> None:
        self.query: dict[str, list[str]] = {}
        self.received = threading.Event()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                split = urlsplit(self.path)
                if split.path != "/callback":
                    self.send_error(404)
                    return
                owner.query = parse_qs(split.query)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)
                owner.received.set()

            def log_message(self, format: str, *args: object) -> None:
                return  # the query holds the code: never log it

        self.server = http.server.HTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/callback"

    def __enter__(self) -> CallbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait(self, timeout: float) -> dict[str, str] | None:
        """``{code, state}`` or ``{error, error_description}``; None after ``timeout``."""
        if not self.received.wait(timeout):
            return None
        q = {k: v[0] for k, v in self.query.items() if v}
        if "auth_code" in q and "code" not in q:
            q["code"] = q["auth_code"]
        return q
