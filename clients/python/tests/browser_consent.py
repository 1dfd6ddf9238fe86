"""A stand-in browser for `adscale platforms connect` (set as ``$BROWSER``).

Python's ``webbrowser`` runs ``$BROWSER`` with the URL. This one does what a user does on
the sandbox's consent page (approves as ``$SANDBOX_USER``) and follows the platform's
redirect to the CLI's local callback, as tests/contract/cdp_kit.py does with httpx.
"""

from __future__ import annotations

import os
import sys

import httpx


def main(url: str) -> int:
    user = os.environ.get("SANDBOX_USER", "cli-user")
    with httpx.Client(timeout=30) as browser:
        consent = browser.get(f"{url}&sandbox_user={user}")
        if consent.status_code != 302:
            print(consent.text, file=sys.stderr)
            return 1
        back = browser.get(consent.headers["location"])
        return 0 if back.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
